"""Claims: what a facility claims for care given, line by line, and what the scheme decides."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.registers.models import MONEY, unique_while_valid
from core.scoping import own_facility_only
from openimis_claim.codes import (
    CLAIM_LINE_WORKFLOW_FIELDS,
    CLAIM_WORKFLOW_FIELDS,
    AttachmentGeneralType,
    ClaimCareType,
    ClaimStatus,
    LineStatus,
    PatientCondition,
    ReviewStatus,
    VisitType,
)

QUANTITY = {"max_digits": 18, "decimal_places": 2}


class ClaimAdmin(models.Model):
    """A facility's claim administrator (the clerk who enters claims), optionally a user."""

    tenant_path = "tenant"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tenant = models.ForeignKey("core.Tenant", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=8)
    last_name = models.CharField(max_length=100)
    other_names = models.CharField(max_length=100)
    dob = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    email = models.CharField(max_length=200, blank=True)
    health_facility = models.ForeignKey("core.HealthFacility", on_delete=models.PROTECT,
                                        related_name="claim_admins")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="claim_admin")
    validity_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [unique_while_valid("claim_admin_code", "tenant", "code")]

    def __str__(self) -> str:
        return f"{self.code} {self.last_name} {self.other_names}"


class BatchRun(models.Model):
    """A valuation run of one period (relative prices are final only after it)."""

    tenant_path = "tenant"
    workflow_fields = "__all__"  # written by the workflow services only

    tenant = models.ForeignKey("core.Tenant", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("core.Location", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    run_date = models.DateTimeField(default=timezone.now)
    run_year = models.PositiveSmallIntegerField()
    run_month = models.PositiveSmallIntegerField()
    audit_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    claims_count = models.PositiveIntegerField(default=0)
    valuated_total = models.DecimalField(**MONEY, default=Decimal("0"))
    totals = models.JSONField(default=dict, blank=True,
                              help_text="Per product: pool, relative total, index, lines.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "location", "run_year", "run_month"],
                                    name="claim_batch_run_period"),
        ]

    def __str__(self) -> str:
        return f"Batch run {self.run_year}-{self.run_month:02d}"


class RelativePool(models.Model):
    """What a product makes available for its relative-priced care in one month: the batch run
    of that month pays those lines pool / total claimed (never more than claimed)."""

    tenant_path = "tenant"

    tenant = models.ForeignKey("core.Tenant", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("core.Product", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    amount = models.DecimalField(**MONEY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "year", "month"],
                                               name="claim_relative_pool_period")]

    def __str__(self) -> str:
        return f"{self.product_id} {self.year}-{self.month:02d}: {self.amount}"


# A valid claim's code is unique at its facility (the name services map a violation by).
CODE_PER_FACILITY = "claim_code_per_facility"


class Claim(models.Model):
    """A claim; amounts follow API.md's price-per-stage table:

    - claimed: sum of quantity provided x price asked;
    - approved: passed lines, quantity approved (else provided) x price approved (else adjusted);
    - valuated: passed lines' valuated amounts (`price_valuated` is the line's valuated total).
    """

    tenant_path = "tenant"
    workflow_fields = CLAIM_WORKFLOW_FIELDS

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tenant = models.ForeignKey("core.Tenant", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=50)
    insuree = models.ForeignKey("core.Insuree", on_delete=models.PROTECT, related_name="claims")
    health_facility = models.ForeignKey("core.HealthFacility", on_delete=models.PROTECT,
                                        related_name="claims")
    admin = models.ForeignKey(ClaimAdmin, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="claims")
    date_from = models.DateField()
    date_to = models.DateField(null=True, blank=True)
    date_claimed = models.DateField()
    date_processed = models.DateField(null=True, blank=True)
    icd = models.ForeignKey("core.Diagnosis", on_delete=models.PROTECT, related_name="+")
    icd_1 = models.ForeignKey("core.Diagnosis", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    icd_2 = models.ForeignKey("core.Diagnosis", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    icd_3 = models.ForeignKey("core.Diagnosis", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    icd_4 = models.ForeignKey("core.Diagnosis", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    visit_type = models.CharField(max_length=1, choices=VisitType.choices, default=VisitType.OTHER)
    care_type = models.CharField(max_length=4, choices=ClaimCareType.choices, blank=True)
    patient_condition = models.CharField(max_length=1, choices=PatientCondition.choices,
                                         blank=True)
    refer_from = models.ForeignKey("core.HealthFacility", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    refer_to = models.ForeignKey("core.HealthFacility", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    referral_code = models.CharField(max_length=50, blank=True)
    guarantee_id = models.CharField(max_length=50, blank=True)
    pre_authorization = models.BooleanField(default=False)
    explanation = models.TextField(blank=True)
    adjustment = models.TextField(blank=True)
    status = models.PositiveSmallIntegerField(choices=ClaimStatus.choices,
                                              default=ClaimStatus.ENTERED)
    review_status = models.PositiveSmallIntegerField(choices=ReviewStatus.choices,
                                                     default=ReviewStatus.IDLE)
    feedback_status = models.PositiveSmallIntegerField(choices=ReviewStatus.choices,
                                                       default=ReviewStatus.IDLE)
    claimed = models.DecimalField(**MONEY, default=Decimal("0"))
    approved = models.DecimalField(**MONEY, null=True, blank=True)
    valuated = models.DecimalField(**MONEY, null=True, blank=True)
    remunerated = models.DecimalField(**MONEY, null=True, blank=True)
    rejection_reason = models.SmallIntegerField(null=True, blank=True)
    restore = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="restored_by",
                                help_text="The rejected claim this one restores.")
    batch_run = models.ForeignKey(BatchRun, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="claims")
    json_ext = models.JSONField(null=True, blank=True)
    submit_stamp = models.DateTimeField(null=True, blank=True)
    process_stamp = models.DateTimeField(null=True, blank=True)
    audit_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    validity_from = models.DateTimeField(default=timezone.now)
    validity_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [unique_while_valid(CODE_PER_FACILITY, "health_facility", "code")]
        indexes = [
            models.Index(fields=["tenant", "status", "-date_claimed"]),
            models.Index(fields=["insuree", "date_from"]),
            # The searcher's default order over valid claims, any status: the newest page is
            # read from the index instead of sorting every claim of the tenant.
            models.Index(fields=["tenant", "-date_claimed", "-id"],
                         condition=models.Q(validity_to__isnull=True),
                         name="claim_valid_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_status_display()})"

    @classmethod
    def scope_for_user(cls, user, queryset):
        """openIMIS rule: a claim administrator sees only their facility's claims."""
        return own_facility_only(user, queryset, "health_facility")

    def visible_to(self, user) -> bool:
        return user.health_facility_id is None or user.health_facility_id == \
            self.health_facility_id


class ClaimLine(models.Model):
    """What items and services share: quantities and prices at every stage, and the verdict."""

    tenant_path = "claim__tenant"
    workflow_fields = CLAIM_LINE_WORKFLOW_FIELDS

    qty_provided = models.DecimalField(**QUANTITY)
    qty_approved = models.DecimalField(**QUANTITY, null=True, blank=True)
    price_asked = models.DecimalField(**MONEY)
    price_adjusted = models.DecimalField(**MONEY, null=True, blank=True)
    price_approved = models.DecimalField(**MONEY, null=True, blank=True)
    price_valuated = models.DecimalField(**MONEY, null=True, blank=True,
                                         help_text="The line's valuated total.")
    remunerated_amount = models.DecimalField(**MONEY, null=True, blank=True)
    deductible_amount = models.DecimalField(**MONEY, null=True, blank=True,
                                            help_text="Taken by the deductible at processing.")
    exceed_ceiling_amount = models.DecimalField(**MONEY, null=True, blank=True,
                                                help_text="Not paid: over a ceiling.")
    explanation = models.TextField(blank=True)
    justification = models.TextField(blank=True)
    status = models.PositiveSmallIntegerField(choices=LineStatus.choices,
                                              default=LineStatus.PASSED)
    rejection_reason = models.SmallIntegerField(default=0)
    product = models.ForeignKey("core.Product", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    policy = models.ForeignKey("core.Policy", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    validity_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_passed(self) -> bool:
        return self.status == LineStatus.PASSED

    def approved_amount(self) -> Decimal:
        quantity = self.qty_approved if self.qty_approved is not None else self.qty_provided
        price = self.price_approved if self.price_approved is not None else (
            self.price_adjusted if self.price_adjusted is not None else self.price_asked)
        return quantity * price


class ClaimItem(ClaimLine):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey("core.MedicalItem", on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.item_id} x {self.qty_provided}"


class ClaimService(ClaimLine):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="services")
    service = models.ForeignKey("core.MedicalService", on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.service_id} x {self.qty_provided}"


class ClaimServiceSubLine(models.Model):
    """One part of a package service on a claim (openIMIS' tblClaimServicesItems and
    tblClaimServicesService): an item or service the package bundles, as the facility gave it.

    `qty_provided` is what the package contains, `qty_displayed` what was actually given (the
    quantity the clerk edits on the claim form), `price_asked` its unit price and `qty_approved`
    the medical officer's quantity in review (the app's `qtyAdjusted`). The parent line's own
    quantity and price stay what is claimed, adjudicated and valued: for a simple service
    (`packagetype` S) the app takes quantity x price; for a package (P, F) it computes the line's
    price from these sub-lines before saving, so they explain the line's amount without being
    counted a second time."""

    tenant_path = "claim_service__claim__tenant"

    qty_provided = models.DecimalField(**QUANTITY, default=Decimal("0"))
    qty_displayed = models.DecimalField(**QUANTITY, null=True, blank=True)
    price_asked = models.DecimalField(**MONEY, default=Decimal("0"))
    qty_approved = models.DecimalField(**QUANTITY, null=True, blank=True)

    class Meta:
        abstract = True


class ClaimServiceItem(ClaimServiceSubLine):
    claim_service = models.ForeignKey(ClaimService, on_delete=models.CASCADE,
                                      related_name="sub_items")
    item = models.ForeignKey("core.MedicalItem", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["claim_service", "item"],
                                               name="claim_service_item_once")]

    def __str__(self) -> str:
        return f"{self.claim_service_id}: item {self.item_id} x {self.qty_displayed}"


class ClaimServiceService(ClaimServiceSubLine):
    claim_service = models.ForeignKey(ClaimService, on_delete=models.CASCADE,
                                      related_name="sub_services")
    service = models.ForeignKey("core.MedicalService", on_delete=models.PROTECT,
                                related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["claim_service", "service"],
                                               name="claim_service_service_once")]

    def __str__(self) -> str:
        return f"{self.claim_service_id}: service {self.service_id} x {self.qty_displayed}"


class Feedback(models.Model):
    """What the insuree said when asked about the care (the spelling `asessment` is openIMIS')."""

    tenant_path = "claim__tenant"

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="feedback")
    officer = models.ForeignKey("core.Officer", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    feedback_date = models.DateField(null=True, blank=True)
    care_rendered = models.BooleanField(null=True, blank=True)
    payment_asked = models.BooleanField(null=True, blank=True)
    drug_prescribed = models.BooleanField(null=True, blank=True)
    drug_received = models.BooleanField(null=True, blank=True)
    asessment = models.SmallIntegerField(null=True, blank=True, help_text="-1 .. 5")

    def __str__(self) -> str:
        return f"Feedback on {self.claim_id}"


class ClaimAttachmentType(models.Model):
    tenant_path = None

    claim_attachment_type = models.CharField(max_length=255, unique=True)
    is_autogenerated = models.BooleanField(default=False)
    claim_general_type = models.CharField(max_length=10, choices=AttachmentGeneralType.choices,
                                          default=AttachmentGeneralType.FILE,
                                          help_text="Whether attachments of this type are files "
                                                    "or links (the app's attachment form).")

    def __str__(self) -> str:
        return self.claim_attachment_type


class ClaimAttachment(models.Model):
    """A document of a claim: on disk under the configured root, or in the database."""

    tenant_path = "claim__tenant"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="attachments")
    type = models.CharField(max_length=255, blank=True)
    title = models.CharField(max_length=255, blank=True)
    date = models.DateField(null=True, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    mime = models.CharField(max_length=255, blank=True)
    url = models.CharField(max_length=1024, blank=True)
    general_type = models.CharField(max_length=255, blank=True, default="FILE")
    predefined_type = models.ForeignKey(ClaimAttachmentType, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    document = models.BinaryField(null=True, blank=True)
    storage_path = models.CharField(max_length=512, blank=True,
                                    help_text="Relative to the attachments root.")
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    validity_to = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.title or self.filename

    @classmethod
    def scope_for_user(cls, user, queryset):
        """The claim's rule: a claim administrator sees only their facility's documents."""
        return own_facility_only(user, queryset, "claim__health_facility")

    def visible_to(self, user) -> bool:
        return self.claim.visible_to(user)


class ClaimDedRem(models.Model):
    """The ledger of deductions and remunerations (openIMIS' "dedrem"): per processed claim and
    policy, what the deductible took, what was paid, which ceiling stopped it and what is left,
    so `valuated` and later claims' limits can be explained."""

    tenant_path = "claim__tenant"
    workflow_fields = "__all__"  # written by the workflow services only

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="dedrems")
    policy = models.ForeignKey("core.Policy", on_delete=models.PROTECT, related_name="+")
    insuree = models.ForeignKey("core.Insuree", on_delete=models.PROTECT, related_name="+")
    deducted = models.DecimalField(**MONEY, default=Decimal("0"))
    remunerated = models.DecimalField(**MONEY, default=Decimal("0"))
    exceeding_ceiling = models.DecimalField(**MONEY, default=Decimal("0"))
    ceiling_hit = models.CharField(max_length=40, blank=True,
                                   help_text="The product field of the ceiling reached.")
    ceiling_left = models.DecimalField(**MONEY, null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["claim", "policy"], name="claim_dedrem")]

    def __str__(self) -> str:
        return f"{self.claim_id} / policy {self.policy_id}: {self.remunerated}"


class ClaimStatusHistory(models.Model):
    """Every change of a claim's status, review status or feedback status: who, when, from, to."""

    tenant_path = "claim__tenant"
    workflow_fields = "__all__"  # written by the workflow services only

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="history")
    field = models.CharField(max_length=20)
    from_status = models.PositiveSmallIntegerField(null=True)
    to_status = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=255, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                             related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["claim", "-at"])]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.field} {self.from_status}->{self.to_status}"


class ClaimVersion(models.Model):
    """A claim's header as it was before a change: what the claim page's history lists.

    openIMIS keeps an old copy of the claim row, with `validity_to` set, in the claims table;
    here earlier versions live in their own table so the live table holds current claims only.
    The claim row is the current version: a version is valid from the previous version's
    `validity_to` (the claim's `validity_from` for the oldest) until its own `validity_to`, so
    writing one never updates the claim. Lines are not kept: the history shows header fields only.
    Creating a claim writes none; a change that leaves these fields as they were writes none.
    Attachments are not versioned either: every version shows the claim's attachments as they are.
    """

    tenant_path = "claim__tenant"
    workflow_fields = "__all__"  # written by the workflow services only

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="versions")
    code = models.CharField(max_length=50)
    insuree = models.ForeignKey("core.Insuree", on_delete=models.PROTECT, related_name="+")
    json_ext = models.JSONField(null=True, blank=True)
    date_claimed = models.DateField()
    date_processed = models.DateField(null=True, blank=True)
    status = models.PositiveSmallIntegerField(choices=ClaimStatus.choices)
    review_status = models.PositiveSmallIntegerField(choices=ReviewStatus.choices)
    feedback_status = models.PositiveSmallIntegerField(choices=ReviewStatus.choices)
    claimed = models.DecimalField(**MONEY)
    approved = models.DecimalField(**MONEY, null=True, blank=True)
    valuated = models.DecimalField(**MONEY, null=True, blank=True)
    restore = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", help_text="The rejected claim it restores.")
    audit_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   help_text="Who made the change that ended this version.")
    validity_to = models.DateTimeField(help_text="When the change superseded it.")
    change = models.CharField(max_length=255, blank=True,
                              help_text="What ended it: the status changes' reasons, or "
                                        "\"updated\".")

    class Meta:
        indexes = [models.Index(fields=["claim", "-validity_to"])]

    def __str__(self) -> str:
        return f"{self.code} until {self.validity_to:%Y-%m-%d %H:%M} ({self.change})"

    @classmethod
    def scope_for_user(cls, user, queryset):
        """The claim's rule: a claim administrator sees only their facility's claims."""
        return own_facility_only(user, queryset, "claim__health_facility")

    def visible_to(self, user) -> bool:
        return self.claim.visible_to(user)


__all__ = [
    "BatchRun",
    "Claim",
    "ClaimAdmin",
    "ClaimAttachment",
    "ClaimAttachmentType",
    "ClaimDedRem",
    "ClaimItem",
    "ClaimService",
    "ClaimServiceItem",
    "ClaimServiceService",
    "ClaimStatusHistory",
    "ClaimVersion",
    "Feedback",
    "RelativePool",
]
