"""Django admin of hospital orders: the order, its lines and where its approval stands.

The approval status is shown, never set: requests are made through `create_approval_request`
(the approval module's mutation) and moved by that module's services."""

from __future__ import annotations

from django.contrib import admin

from core.admin_base import TenantModelAdmin, TenantTabularInline
from hospital_orders.models import (
    ImagingOrder,
    ImagingOrderLine,
    LaboratoryOrder,
    LaboratoryOrderLine,
)


class LaboratoryOrderLineInline(TenantTabularInline):
    model = LaboratoryOrderLine
    raw_id_fields = ("item", "service")
    extra = 0


class ImagingOrderLineInline(TenantTabularInline):
    model = ImagingOrderLine
    raw_id_fields = ("item", "service")
    extra = 0


class HospitalOrderAdmin(TenantModelAdmin):
    list_display = ("number", "insuree", "health_facility", "planned_date", "priority")
    list_filter = ("priority", "planned_date")
    search_fields = ("number", "insuree__chf_id", "insuree__last_name")
    raw_id_fields = ("insuree", "health_facility", "icd", "ordered_by")
    readonly_fields = ("approval",)

    @admin.display(description="approval")
    def approval(self, order) -> str:
        return order.approval_status if order.pk else ""


@admin.register(LaboratoryOrder)
class LaboratoryOrderAdmin(HospitalOrderAdmin):
    inlines = [LaboratoryOrderLineInline]


@admin.register(ImagingOrder)
class ImagingOrderAdmin(HospitalOrderAdmin):
    list_display = (*HospitalOrderAdmin.list_display, "modality")
    inlines = [ImagingOrderLineInline]
