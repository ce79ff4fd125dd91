from core import modules


class HospitalOrdersConfig(modules.OpenIMISModule):
    """Laboratory and imaging orders of a hospital: the worked example of a module whose orders
    ask the scheme for pre-authorization (README "Hospital orders")."""

    name = "hospital_orders"
    label = "hospital_orders"
    module_name = "orders"
    verbose_name = "Hospital orders"
    requires = ("core", "openimis_approval")
    demo_seeder = "hospital_orders.demo.seed_orders"
    DEFAULT_CFG: dict = {}

    def ready(self) -> None:
        from hospital_orders.models import ImagingOrder, LaboratoryOrder
        from openimis_approval.codes import RequestType
        from openimis_approval.orders import register_order_type

        register_order_type(LaboratoryOrder, label="Laboratory order",
                            request_type=RequestType.LABORATORY, summary=LaboratoryOrder.summary)
        register_order_type(ImagingOrder, label="Imaging order",
                            request_type=RequestType.RADIOLOGY, summary=ImagingOrder.summary)
