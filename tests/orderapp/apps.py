from django.apps import AppConfig


class OrderAppConfig(AppConfig):
    """A laboratory-order module used by the tests: proof that any model can ask for approval."""

    name = "tests.orderapp"
    label = "lab"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from openimis_approval.codes import RequestType
        from openimis_approval.orders import register_order_type
        from tests.orderapp.models import LabOrder

        register_order_type(LabOrder, label="Laboratory order",
                            request_type=RequestType.LABORATORY,
                            summary=lambda order: f"{order.test_code} for {order.insuree}")
