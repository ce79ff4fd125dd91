"""Pre-authorization requests: an order of any module, its lines, the decision and appeals."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.registers.models import MONEY
from core.scoping import own_facility_only
from openimis_approval.codes import (
    APPROVAL_LINE_WORKFLOW_FIELDS,
    APPROVAL_TEMPLATE_WORKFLOW_FIELDS,
    APPROVAL_WORKFLOW_FIELDS,
    AWAITING_DECISION,
    X12_CODES,
    ApprovalStatus,
    LineDecision,
    Priority,
    RequestType,
    UsageState,
)

QUANTITY = {"max_digits": 18, "decimal_places": 2}
CENT = Decimal("0.01")
# A request's diagnoses, the main one first, as a claim has them (API.md: icdId, icd1Id..icd4Id):
# mutation input name -> model field. Entry, the lists, evaluation and FHIR PAS read this one.
DIAGNOSIS_FIELDS = {"icd_id": "icd", "icd1_id": "icd_1", "icd2_id": "icd_2", "icd3_id": "icd_3",
                    "icd4_id": "icd_4"}


class ApprovalRequest(models.Model):
    """A facility's request for prior approval of care, for one order (a generic link)."""

    tenant_path = "tenant"
    workflow_fields = APPROVAL_WORKFLOW_FIELDS

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tenant = models.ForeignKey("core.Tenant", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=20)
    status = models.CharField(max_length=20, choices=ApprovalStatus.choices,
                              default=ApprovalStatus.DRAFT)
    version = models.PositiveIntegerField(default=0, help_text="Bumped by every move.")
    insuree = models.ForeignKey("core.Insuree", on_delete=models.PROTECT, related_name="+")
    policy = models.ForeignKey("core.Policy", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    health_facility = models.ForeignKey("core.HealthFacility", on_delete=models.PROTECT,
                                        related_name="+")
    requesting_provider = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+")
    request_type = models.CharField(max_length=12, choices=RequestType.choices,
                                    default=RequestType.OTHER)
    priority = models.CharField(max_length=10, choices=Priority.choices,
                                default=Priority.ROUTINE)
    order_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    order_id = models.CharField(max_length=64, blank=True)
    order = GenericForeignKey("order_type", "order_id")
    icd = models.ForeignKey("core.Diagnosis", null=True, blank=True, on_delete=models.PROTECT,
                            related_name="+")
    icd_1 = models.ForeignKey("core.Diagnosis", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    icd_2 = models.ForeignKey("core.Diagnosis", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    icd_3 = models.ForeignKey("core.Diagnosis", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    icd_4 = models.ForeignKey("core.Diagnosis", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    service_description = models.TextField(blank=True)
    clinical_justification = models.TextField(blank=True)
    medical_necessity = models.TextField(blank=True)
    service_start_date = models.DateField(null=True, blank=True)
    service_end_date = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    extended_due_at = models.DateTimeField(null=True, blank=True)
    extensions = models.PositiveSmallIntegerField(default=0)
    info_due_at = models.DateTimeField(
        null=True, blank=True,
        help_text="While information is requested: when the facility's answer is due.")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    authorization_number = models.CharField(max_length=30, blank=True, db_index=True)
    effective_date = models.DateField(null=True, blank=True)
    expiration_date = models.DateField(null=True, blank=True)
    denial_reason = models.TextField(blank=True)
    denial_code = models.CharField(max_length=20, blank=True)
    appeal_level = models.PositiveSmallIntegerField(default=0)
    appeal_reason = models.TextField(blank=True)
    appeal_decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    validity_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "number"],
                                               name="approval_number_per_tenant")]
        indexes = [models.Index(fields=["tenant", "status", "-created_at"]),
                   models.Index(fields=["order_type", "order_id"])]

    def __str__(self) -> str:
        return f"{self.number} ({self.status})"

    @classmethod
    def scope_for_user(cls, user, queryset):
        """Like claims: a facility's user sees only that facility's requests."""
        return own_facility_only(user, queryset, "health_facility")

    def visible_to(self, user) -> bool:
        return user.health_facility_id in (None, self.health_facility_id)

    @property
    def diagnosis_ids(self) -> list[int | None]:
        """The five diagnosis slots' ids, main first (None where empty)."""
        return [getattr(self, f"{name}_id") for name in DIAGNOSIS_FIELDS.values()]

    @property
    def deadline(self):
        return self.extended_due_at or self.due_at

    def is_overdue(self, now=None) -> bool:
        """Waiting for a decision past its deadline (`overdue_condition` in a query)."""
        return bool(self.status in AWAITING_DECISION and self.deadline
                    and self.deadline < (now or timezone.now()))

    @property
    def requested_amount(self) -> Decimal:
        return sum((ln.qty_requested * ln.price_requested for ln in self.lines.all()),
                   Decimal("0")).quantize(CENT)

    @property
    def approved_amount(self) -> Decimal:
        return sum(((ln.qty_approved or 0) * (ln.price_approved or ln.price_requested)
                    for ln in self.lines.all()), Decimal("0")).quantize(CENT)


def overdue_condition(now) -> Q:
    """`ApprovalRequest.is_overdue` as a filter: the list's `overdue` argument and the hourly
    deadline job count the same requests as the admin's badge."""
    return Q(status__in=AWAITING_DECISION) & (
        Q(extended_due_at__lt=now) | Q(extended_due_at__isnull=True, due_at__lt=now))


class ApprovalLine(models.Model):
    tenant_path = "request__tenant"
    workflow_fields = APPROVAL_LINE_WORKFLOW_FIELDS

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("core.MedicalItem", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("core.MedicalService", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    qty_requested = models.DecimalField(**QUANTITY)
    price_requested = models.DecimalField(**MONEY)
    qty_approved = models.DecimalField(**QUANTITY, null=True, blank=True)
    price_approved = models.DecimalField(**MONEY, null=True, blank=True)
    qty_used = models.DecimalField(**QUANTITY, default=Decimal("0"))
    qty_reserved = models.DecimalField(
        **QUANTITY, default=Decimal("0"),
        help_text="Held by submitted claims not processed yet (their ApprovalUsage rows).")
    decision = models.CharField(max_length=10, choices=LineDecision.choices, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [models.CheckConstraint(
            condition=models.Q(item__isnull=False, service__isnull=True)
            | models.Q(item__isnull=True, service__isnull=False),
            name="approval_line_item_or_service")]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.item_id or self.service_id} x {self.qty_requested}"

    @property
    def x12_code(self) -> str:
        return X12_CODES.get(self.decision, "")


class ApprovalStatusHistory(models.Model):
    tenant_path = "request__tenant"
    workflow_fields = "__all__"  # written by the workflow services only

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE,
                                related_name="history")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    reason = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                             related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status} -> {self.to_status}"


class ApprovalUsage(models.Model):
    """What one claim line holds of an approval line: reserved from its submit (the approval
    line's `qty_reserved` is their sum), used from its processing (`qty_used`), so a claim
    rejected, deleted or reviewed down later gives back exactly what it took."""

    tenant_path = "approval_line__request__tenant"
    workflow_fields = "__all__"  # written by the workflow services only

    approval_line = models.ForeignKey(ApprovalLine, on_delete=models.CASCADE,
                                      related_name="usages")
    claim = models.ForeignKey("claim.Claim", on_delete=models.CASCADE, related_name="+")
    claim_line_kind = models.CharField(max_length=7, choices=[("item", "item"),
                                                              ("service", "service")])
    claim_line_id = models.BigIntegerField()
    quantity = models.DecimalField(**QUANTITY)
    state = models.CharField(max_length=8, choices=UsageState.choices, default=UsageState.USED)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["claim_line_kind", "claim_line_id"],
                                               name="approval_usage_per_claim_line")]

    def __str__(self) -> str:
        return f"{self.approval_line_id} <- {self.claim_line_kind} {self.claim_line_id}"


# --- Documents, communication log, templates (DESIGN.md section 6 "Also") --------------------


class CommunicationType(models.TextChoices):
    PHONE = "PHONE"
    EMAIL = "EMAIL"
    FAX = "FAX"
    PORTAL = "PORTAL"
    LETTER = "LETTER"
    IN_PERSON = "IN_PERSON"


class ApprovalDocument(models.Model):
    """A typed upload of a request: on disk under the claims' attachments root (a folder per
    tenant and request), or in the database without a root; size and checksum kept."""

    tenant_path = "request__tenant"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE,
                                related_name="documents")
    document_type = models.CharField(max_length=50,
                                     help_text="What the document is (LAB_RESULT, REFERRAL...).")
    title = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    filename = models.CharField(max_length=255, blank=True)
    mime = models.CharField(max_length=255)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField(null=True, blank=True)
    storage_path = models.CharField(max_length=512, blank=True,
                                    help_text="Relative to the attachments root.")
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    validity_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title or self.filename or str(self.uuid)

    @classmethod
    def scope_for_user(cls, user, queryset):
        """The request's rule: a facility's user sees only that facility's documents."""
        return own_facility_only(user, queryset, "request__health_facility")

    def visible_to(self, user) -> bool:
        return self.request.visible_to(user)


class ApprovalCommunication(models.Model):
    """One contact about a request (a call, an email, a letter...), with an optional follow-up
    date; a later entry on the same request settles an earlier follow-up."""

    tenant_path = "request__tenant"

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE,
                                related_name="communications")
    communication_type = models.CharField(max_length=10, choices=CommunicationType.choices)
    contact_person = models.CharField(max_length=255, blank=True)
    contact_number = models.CharField(max_length=100, blank=True,
                                      help_text="Phone or fax number, email address...")
    subject = models.CharField(max_length=255, blank=True)
    message = models.TextField(blank=True)
    response = models.TextField(blank=True)
    outcome = models.CharField(max_length=255, blank=True)
    follow_up_required = models.BooleanField(default=False)
    follow_up_date = models.DateField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["follow_up_required", "follow_up_date"])]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.communication_type} {self.subject}"

    @classmethod
    def scope_for_user(cls, user, queryset):
        return own_facility_only(user, queryset, "request__health_facility")

    def visible_to(self, user) -> bool:
        return self.request.visible_to(user)


class ApprovalTemplate(models.Model):
    """A reusable request preset per product and request type: texts, lines and the documents
    a request of the kind needs; `usage_count` counts the requests made from it."""

    tenant_path = "tenant"
    workflow_fields = APPROVAL_TEMPLATE_WORKFLOW_FIELDS

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tenant = models.ForeignKey("core.Tenant", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=255)
    request_type = models.CharField(max_length=12, choices=RequestType.choices,
                                    default=RequestType.OTHER)
    product = models.ForeignKey("core.Product", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    priority = models.CharField(max_length=10, choices=Priority.choices,
                                default=Priority.ROUTINE)
    service_description = models.TextField(blank=True)
    clinical_justification = models.TextField(blank=True,
                                              help_text="Template text the requester completes.")
    required_documents = models.JSONField(default=list, blank=True,
                                          help_text="Document types a request needs.")
    lines = models.JSONField(default=list, blank=True,
                             help_text='[{"itemId" | "serviceId": pk, "qtyRequested": "1"}]')
    usage_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    validity_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["tenant", "request_type"])]

    def __str__(self) -> str:
        return self.name
