"""A hospital's laboratory and imaging orders: what the doctor asks for, line by line, as
medical services and items of the register, and their approvals (`ApprovableOrder`)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.scoping import own_facility_only
from openimis_approval.codes import Priority
from openimis_approval.orders import ApprovableOrder, OrderLine


class HospitalOrder(ApprovableOrder):
    """What both kinds of order hold; a facility's user sees its own facility's orders, as
    with claims and approval requests."""

    tenant_path = "tenant"
    number_prefix = "ORD"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tenant = models.ForeignKey("core.Tenant", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=20)
    insuree = models.ForeignKey("core.Insuree", on_delete=models.PROTECT, related_name="+")
    health_facility = models.ForeignKey("core.HealthFacility", on_delete=models.PROTECT,
                                        related_name="+")
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    ordered_at = models.DateTimeField(default=timezone.now)
    planned_date = models.DateField(help_text="The day the test or study is planned.")
    priority = models.CharField(max_length=10, choices=Priority.choices,
                                default=Priority.ROUTINE)
    icd = models.ForeignKey("core.Diagnosis", null=True, blank=True, on_delete=models.PROTECT,
                            related_name="+", verbose_name="main diagnosis")
    clinical_indication = models.TextField(blank=True)
    validity_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number

    @classmethod
    def scope_for_user(cls, user, queryset):
        return own_facility_only(user, queryset, "health_facility")

    def visible_to(self, user) -> bool:
        return user.health_facility_id in (None, self.health_facility_id)

    # The approval protocol (openimis_approval.orders): insuree and facility are the fields of
    # the same names.
    def order_lines(self) -> list[OrderLine]:
        return [OrderLine(item=line.item, service=line.service, quantity=line.quantity)
                for line in self.lines.select_related("item", "service").order_by("pk")]

    def order_date(self) -> date:
        return self.planned_date

    def order_request_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"priority": self.priority}
        if self.icd_id:
            fields["icd_id"] = self.icd_id
        if self.clinical_indication:
            fields["clinical_justification"] = self.clinical_indication
        return fields

    def order_description(self) -> str:
        """The request's service description: the order and the services it asks for."""
        names = ", ".join(str(line.medical.name) for line in self.order_lines())
        return f"{self.number}: {names}" if names else self.number


class OrderLineRecord(models.Model):
    """One medical service (or item) an order asks for."""

    item = models.ForeignKey("core.MedicalItem", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("core.MedicalService", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("1"))

    class Meta:
        abstract = True
        constraints = [models.CheckConstraint(
            condition=models.Q(item__isnull=False, service__isnull=True)
            | models.Q(item__isnull=True, service__isnull=False),
            name="%(class)s_item_or_service")]

    def __str__(self) -> str:
        return f"{self.item or self.service} x {self.quantity}"


class Specimen(models.TextChoices):
    BLOOD = "BLOOD"
    URINE = "URINE"
    STOOL = "STOOL"
    SWAB = "SWAB"
    OTHER = "OTHER"


class LaboratoryOrder(HospitalOrder):
    number_prefix = "LAB"

    specimen = models.CharField(max_length=10, choices=Specimen.choices, default=Specimen.BLOOD)

    def summary(self) -> str:
        """`orderSummary` of its requests: from the order's own row (no query per request)."""
        return f"{self.number}: {self.get_specimen_display().lower()} tests"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "number"],
                                               name="laboratory_order_number_per_tenant")]
        indexes = [models.Index(fields=["tenant", "-ordered_at"])]


class LaboratoryOrderLine(OrderLineRecord):
    tenant_path = "order__tenant"

    order = models.ForeignKey(LaboratoryOrder, on_delete=models.CASCADE, related_name="lines")

    class Meta(OrderLineRecord.Meta):
        pass


class Modality(models.TextChoices):
    XRAY = "XRAY", "X-ray"
    ULTRASOUND = "US", "Ultrasound"
    CT = "CT", "Computed tomography"
    MRI = "MRI", "Magnetic resonance"


class ImagingOrder(HospitalOrder):
    number_prefix = "IMG"

    modality = models.CharField(max_length=4, choices=Modality.choices)
    body_site = models.CharField(max_length=100, blank=True)

    def summary(self) -> str:
        """`orderSummary` of its requests: from the order's own row (no query per request)."""
        study = " ".join(part for part in (self.get_modality_display(), self.body_site) if part)
        return f"{self.number}: {study.lower()}"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "number"],
                                               name="imaging_order_number_per_tenant")]
        indexes = [models.Index(fields=["tenant", "-ordered_at"])]


class ImagingOrderLine(OrderLineRecord):
    tenant_path = "order__tenant"

    order = models.ForeignKey(ImagingOrder, on_delete=models.CASCADE, related_name="lines")

    class Meta(OrderLineRecord.Meta):
        pass
