"""Shared registers: what claims and approvals both read (DESIGN.md, "Shared registers").

Every register row belongs to a tenant, except diagnoses (a global catalogue). Rows are not
deleted: `validity_to` ends them, so claims dated earlier still find what they referred to.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.registers.codes import (
    PATIENT_CATEGORY_ALL,
    CareType,
    CeilingExclusion,
    CeilingInterpretation,
    FacilityLevel,
    InsureeStatus,
    ItemType,
    LimitationType,
    LocationType,
    MaritalStatus,
    PackageType,
    PolicyStage,
    PolicyStatus,
    PriceOrigin,
    ServiceCategory,
    ServiceType,
)

MONEY = {"max_digits": 18, "decimal_places": 2}


def unique_while_valid(name: str, *fields: str) -> models.UniqueConstraint:
    """Unique among rows still valid: an ended row keeps its code for the history."""
    return models.UniqueConstraint(fields=list(fields), condition=Q(validity_to__isnull=True),
                                   name=name)


def _money(**kwargs) -> models.DecimalField:
    return models.DecimalField(**MONEY, **kwargs)


def _optional_money() -> models.DecimalField:
    return models.DecimalField(**MONEY, null=True, blank=True)


class TenantRecord(models.Model):
    """A register row: a stable uuid, its tenant, and a validity period instead of deletion."""

    tenant_path = "tenant"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tenant = models.ForeignKey("core.Tenant", on_delete=models.PROTECT, related_name="+")
    validity_from = models.DateTimeField(default=timezone.now)
    validity_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class Location(TenantRecord):
    code = models.CharField(max_length=8)
    name = models.CharField(max_length=50)
    type = models.CharField(max_length=1, choices=LocationType.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        constraints = [
            unique_while_valid("core_location_code", "tenant", "code")
        ]
        indexes = [models.Index(fields=["tenant", "type"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MedicalEntry(TenantRecord):
    """What items and services share: a code, a register price, who may get it, how often and
    how much per claim, and whether it needs prior approval."""

    code = models.CharField(max_length=6)
    name = models.CharField(max_length=100)
    price = _money()
    care_type = models.CharField(max_length=1, choices=CareType.choices, default=CareType.BOTH)
    patient_category = models.PositiveSmallIntegerField(default=PATIENT_CATEGORY_ALL)
    frequency = models.PositiveIntegerField(
        null=True, blank=True, help_text="Days before the same insuree may get it again."
    )
    maximum_amount = models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True,
        help_text="Maximum quantity per claim.",
    )
    requires_preauthorization = models.BooleanField(default=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MedicalItem(MedicalEntry):
    """A drug or consumable in the register."""

    type = models.CharField(max_length=1, choices=ItemType.choices, default=ItemType.DRUG)
    package = models.CharField(max_length=255, blank=True)
    quantity = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True,
                                   help_text="Units per package.")

    class Meta:
        constraints = [unique_while_valid("core_item_code", "tenant", "code")]


class MedicalService(MedicalEntry):
    """A procedure, visit or stay in the register; or a package of items and services
    (`packagetype`, see `PackageType`), its contents in `services_linked` (items) and
    `serviceservice_set` (services): openIMIS' names, which the web app reads."""

    type = models.CharField(max_length=1, choices=ServiceType.choices, default=ServiceType.CURATIVE)
    category = models.CharField(max_length=1, choices=ServiceCategory.choices,
                                default=ServiceCategory.OTHER)
    packagetype = models.CharField(max_length=1, choices=PackageType.choices,
                                   default=PackageType.SIMPLE)
    manual_price = models.BooleanField(
        default=False, help_text="A package claimed at the price entered, not at its contents'.")

    class Meta:
        constraints = [unique_while_valid("core_service_code", "tenant", "code")]


class PackageLine(models.Model):
    """One thing a package service holds: how many, at what price within the package."""

    tenant_path = "parent__tenant"

    parent = models.ForeignKey(MedicalService, on_delete=models.CASCADE, related_name="+")
    qty_provided = models.DecimalField(max_digits=18, decimal_places=2,
                                       help_text="Quantity the package holds.")
    price_asked = _money(help_text="Unit price within the package.")

    class Meta:
        abstract = True


class ServicePackageItem(PackageLine):
    """An item a package service holds (openIMIS ServiceItem, tblProductContainedPackage)."""

    parent = models.ForeignKey(MedicalService, on_delete=models.CASCADE,
                               related_name="services_linked")
    item = models.ForeignKey(MedicalItem, on_delete=models.PROTECT, related_name="+")
    pcp_date = models.DateTimeField(default=timezone.now, help_text="Added to the package.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["parent", "item"],
                                               name="core_package_item")]

    def __str__(self) -> str:
        return f"{self.parent.code}: {self.qty_provided} x {self.item}"


class ServicePackageService(PackageLine):
    """A service a package service holds (openIMIS ServiceService, tblServiceContainedPackage)."""

    parent = models.ForeignKey(MedicalService, on_delete=models.CASCADE,
                               related_name="serviceservice_set")
    service = models.ForeignKey(MedicalService, on_delete=models.PROTECT, related_name="+")
    scp_date = models.DateTimeField(default=timezone.now, help_text="Added to the package.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["parent", "service"],
                                               name="core_package_service")]

    def __str__(self) -> str:
        return f"{self.parent.code}: {self.qty_provided} x {self.service}"


class ItemsPricelist(TenantRecord):
    name = models.CharField(max_length=100)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT)
    date = models.DateField(default=date.today)

    def __str__(self) -> str:
        return self.name


class ServicesPricelist(TenantRecord):
    name = models.CharField(max_length=100)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT)
    date = models.DateField(default=date.today)

    def __str__(self) -> str:
        return self.name


class ItemsPricelistDetail(models.Model):
    """An item a facility may claim; `price_overrule` (when set) wins over the register price.

    Valid from/to dates keep a claim's price as it was on the date of care."""

    tenant_path = "pricelist__tenant"

    pricelist = models.ForeignKey(ItemsPricelist, on_delete=models.CASCADE, related_name="details")
    item = models.ForeignKey(MedicalItem, on_delete=models.PROTECT, related_name="+")
    price_overrule = _optional_money()
    valid_from = models.DateField(default=date(2000, 1, 1))
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["pricelist", "item"])]

    def __str__(self) -> str:
        return f"{self.pricelist}: {self.item}"


class ServicesPricelistDetail(models.Model):
    tenant_path = "pricelist__tenant"

    pricelist = models.ForeignKey(ServicesPricelist, on_delete=models.CASCADE,
                                  related_name="details")
    service = models.ForeignKey(MedicalService, on_delete=models.PROTECT, related_name="+")
    price_overrule = _optional_money()
    valid_from = models.DateField(default=date(2000, 1, 1))
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["pricelist", "service"])]

    def __str__(self) -> str:
        return f"{self.pricelist}: {self.service}"


class HealthFacility(TenantRecord):
    """A hospital, health centre or dispensary that claims and asks for approvals."""

    code = models.CharField(max_length=8)
    name = models.CharField(max_length=100)
    level = models.CharField(max_length=1, choices=FacilityLevel.choices,
                             default=FacilityLevel.HEALTH_CENTRE)
    care_type = models.CharField(max_length=1, choices=CareType.choices, default=CareType.BOTH)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="health_facilities", help_text="Its district.")
    address = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    email = models.CharField(max_length=50, blank=True)
    contract_start_date = models.DateField(null=True, blank=True)
    contract_end_date = models.DateField(null=True, blank=True)
    items_pricelist = models.ForeignKey(ItemsPricelist, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="facilities")
    services_pricelist = models.ForeignKey(ServicesPricelist, null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="facilities")

    class Meta:
        verbose_name_plural = "health facilities"
        constraints = [
            unique_while_valid("core_hf_code_unique_per_tenant", "tenant", "code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def contracted_on(self, day: date) -> bool:
        return (self.contract_start_date is None or self.contract_start_date <= day) and (
            self.contract_end_date is None or day <= self.contract_end_date
        )


class Diagnosis(models.Model):
    """ICD-10 catalogue, shared by every tenant."""

    tenant_path = None

    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=255)
    validity_from = models.DateTimeField(default=timezone.now)
    validity_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "diagnoses"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CatalogueEntry(models.Model):
    """A row of one of openIMIS' global code tables (genders, educations, professions,
    relations, identification, family and confirmation types): shared by every tenant, with
    its label in the second language and the order pickers list it in."""

    tenant_path = None

    alt_language = models.CharField(max_length=50, blank=True)
    sort_order = models.IntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order"]


class GenderType(CatalogueEntry):
    """openIMIS tblGender. The codes with a meaning in rules are `core.registers.codes.Gender`."""

    code = models.CharField(max_length=1, primary_key=True)
    gender = models.CharField(max_length=50)

    class Meta(CatalogueEntry.Meta):
        pass

    def __str__(self) -> str:
        return self.gender


class Education(CatalogueEntry):
    id = models.PositiveSmallIntegerField(primary_key=True)
    education = models.CharField(max_length=50)

    class Meta(CatalogueEntry.Meta):
        pass

    def __str__(self) -> str:
        return self.education


class Profession(CatalogueEntry):
    id = models.PositiveSmallIntegerField(primary_key=True)
    profession = models.CharField(max_length=50)

    class Meta(CatalogueEntry.Meta):
        pass

    def __str__(self) -> str:
        return self.profession


class Relation(CatalogueEntry):
    """How a member is related to the head of their family."""

    id = models.PositiveSmallIntegerField(primary_key=True)
    relation = models.CharField(max_length=50)

    class Meta(CatalogueEntry.Meta):
        pass

    def __str__(self) -> str:
        return self.relation


class IdentificationType(CatalogueEntry):
    """The kind of identity document `Insuree.passport` numbers."""

    code = models.CharField(max_length=1, primary_key=True)
    identification_type = models.CharField(max_length=50)

    class Meta(CatalogueEntry.Meta):
        pass

    def __str__(self) -> str:
        return self.identification_type


class FamilyType(CatalogueEntry):
    code = models.CharField(max_length=2, primary_key=True)
    type = models.CharField(max_length=50)

    class Meta(CatalogueEntry.Meta):
        pass

    def __str__(self) -> str:
        return self.type


class ConfirmationType(CatalogueEntry):
    """What proves a family's (poverty) status; some kinds need a document number
    (`Family.confirmation_no`)."""

    code = models.CharField(max_length=3, primary_key=True)
    confirmationtype = models.CharField(max_length=50)
    is_confirmation_number_required = models.BooleanField(default=False)

    class Meta(CatalogueEntry.Meta):
        pass

    def __str__(self) -> str:
        return self.confirmationtype


class InsureeStatusReason(models.Model):
    """Why an insuree became inactive or died (a global catalogue, ended by `validity_to`)."""

    tenant_path = None

    code = models.CharField(max_length=5, unique=True)
    insuree_status_reason = models.CharField(max_length=50)
    status_type = models.CharField(max_length=2, choices=InsureeStatus.choices)
    validity_from = models.DateTimeField(default=timezone.now)
    validity_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.insuree_status_reason


class Officer(TenantRecord):
    """An enrolment or feedback officer, covering villages."""

    code = models.CharField(max_length=8)
    last_name = models.CharField(max_length=100)
    other_names = models.CharField(max_length=100)
    dob = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    email = models.CharField(max_length=200, blank=True)
    address = models.TextField(blank=True)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", help_text="Its district.")
    villages = models.ManyToManyField(Location, blank=True, related_name="officers")
    user = models.OneToOneField("core.User", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="officer")

    def __str__(self) -> str:
        return f"{self.code} {self.last_name} {self.other_names}"


class Family(TenantRecord):
    head_insuree = models.OneToOneField(
        "Insuree", null=True, blank=True, on_delete=models.SET_NULL, related_name="headed_family"
    )
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", help_text="Its village.")
    address = models.CharField(max_length=200, blank=True)
    poverty = models.BooleanField(null=True, blank=True)
    family_type = models.ForeignKey(FamilyType, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    confirmation_type = models.ForeignKey(ConfirmationType, null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    confirmation_no = models.CharField(max_length=12, blank=True)

    class Meta:
        verbose_name_plural = "families"

    def __str__(self) -> str:
        return f"Family {self.pk}"


class InsureePhoto(TenantRecord):
    """An insuree's photo: inline (base64 `photo`) or a file `folder/filename` of the photo
    store, taken by an officer on a date."""

    folder = models.CharField(max_length=255, blank=True)
    filename = models.CharField(max_length=250, blank=True)
    photo = models.TextField(blank=True, help_text="The image, base64-encoded.")
    officer = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    date = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Photo {self.uuid}"


class Insuree(TenantRecord):
    chf_id = models.CharField("insurance number", max_length=12)
    last_name = models.CharField(max_length=100)
    other_names = models.CharField(max_length=100)
    dob = models.DateField()
    gender = models.ForeignKey(GenderType, on_delete=models.PROTECT, db_column="gender",
                               related_name="+")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="members")
    head = models.BooleanField(default=False)
    relationship = models.ForeignKey(Relation, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", help_text="To the head of the family.")
    marital = models.CharField(max_length=1, choices=MaritalStatus.choices, blank=True)
    education = models.ForeignKey(Education, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    profession = models.ForeignKey(Profession, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    type_of_id = models.ForeignKey(IdentificationType, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    passport = models.CharField(max_length=25, blank=True,
                                help_text="Number of the identity document (`type_of_id`).")
    card_issued = models.BooleanField(default=False, help_text="An insurance card was issued.")
    photo = models.OneToOneField(InsureePhoto, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="insuree")
    status = models.CharField(max_length=2, choices=InsureeStatus.choices,
                              default=InsureeStatus.ACTIVE)
    status_date = models.DateField(null=True, blank=True)
    status_reason = models.ForeignKey(InsureeStatusReason, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(max_length=50, blank=True)
    email = models.CharField(max_length=100, blank=True)
    current_address = models.CharField(max_length=200, blank=True)
    current_village = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    health_facility = models.ForeignKey(HealthFacility, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+",
                                        help_text="First point of service.")
    json_ext = models.JSONField(null=True, blank=True,
                                help_text="Extension data of other modules (openIMIS jsonExt).")

    class Meta:
        constraints = [
            unique_while_valid("core_insuree_chf_id", "tenant", "chf_id")
        ]

    def __str__(self) -> str:
        return f"{self.chf_id} {self.last_name} {self.other_names}"

    def age_on(self, day: date) -> int:
        return day.year - self.dob.year - ((day.month, day.day) < (self.dob.month, self.dob.day))


class Product(TenantRecord):
    """A benefit package: what it covers, with which limits, deductibles and ceilings.

    Deductibles (`ded_*`) and ceilings (`max_*`) are per treatment (one claim), per insuree and per
    policy, each general or in-patient (`_ip_`) or out-patient (`_op_`); empty means none."""

    code = models.CharField(max_length=8)
    name = models.CharField(max_length=100)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", help_text="Empty: national.")
    date_from = models.DateField()
    date_to = models.DateField()
    lump_sum = _money(help_text="Policy value.")
    member_count = models.PositiveSmallIntegerField(default=8, help_text="Maximum family members.")
    insurance_period = models.PositiveSmallIntegerField(default=12, help_text="Months.")
    grace_period = models.PositiveSmallIntegerField(default=0, help_text="Months.")
    ceiling_interpretation = models.CharField(max_length=1, choices=CeilingInterpretation.choices,
                                              default=CeilingInterpretation.BY_CLAIM)
    max_no_visits = models.PositiveIntegerField(null=True, blank=True)
    max_no_hospitalizations = models.PositiveIntegerField(null=True, blank=True)
    max_no_consultations = models.PositiveIntegerField(null=True, blank=True)
    max_no_surgeries = models.PositiveIntegerField(null=True, blank=True)
    max_no_deliveries = models.PositiveIntegerField(null=True, blank=True)
    max_no_antenatal = models.PositiveIntegerField(null=True, blank=True)
    max_amount_hospitalization = _optional_money()
    max_amount_consultation = _optional_money()
    max_amount_surgery = _optional_money()
    max_amount_delivery = _optional_money()
    max_amount_antenatal = _optional_money()
    ded_treatment = _optional_money()
    ded_ip_treatment = _optional_money()
    ded_op_treatment = _optional_money()
    ded_insuree = _optional_money()
    ded_ip_insuree = _optional_money()
    ded_op_insuree = _optional_money()
    ded_policy = _optional_money()
    ded_ip_policy = _optional_money()
    ded_op_policy = _optional_money()
    max_treatment = _optional_money()
    max_ip_treatment = _optional_money()
    max_op_treatment = _optional_money()
    max_insuree = _optional_money()
    max_ip_insuree = _optional_money()
    max_op_insuree = _optional_money()
    max_policy = _optional_money()
    max_ip_policy = _optional_money()
    max_op_policy = _optional_money()
    contracted_facilities = models.ManyToManyField(
        HealthFacility, blank=True, related_name="products",
        help_text="The product's network; empty: every facility of the tenant.",
    )

    class Meta:
        constraints = [
            unique_while_valid("core_product_code", "tenant", "code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProductLine(models.Model):
    """How a product pays one item or service: for adults and children, normally and for
    referral (`_r`) and emergency (`_e`) visits, with quantity limits and waiting periods."""

    tenant_path = "product__tenant"

    price_origin = models.CharField(max_length=1, choices=PriceOrigin.choices,
                                    default=PriceOrigin.PRICE_LIST)
    limitation_type = models.CharField(max_length=1, choices=LimitationType.choices,
                                       default=LimitationType.CO_INSURANCE)
    limit_adult = models.DecimalField(max_digits=18, decimal_places=2, default=100,
                                      help_text="Percent (co-insurance) or amount (fixed).")
    limit_child = models.DecimalField(max_digits=18, decimal_places=2, default=100)
    limitation_type_r = models.CharField(max_length=1, choices=LimitationType.choices, blank=True)
    limit_adult_r = _optional_money()
    limit_child_r = _optional_money()
    limitation_type_e = models.CharField(max_length=1, choices=LimitationType.choices, blank=True)
    limit_adult_e = _optional_money()
    limit_child_e = _optional_money()
    limit_no_adult = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True,
                                         help_text="Quantity per policy period.")
    limit_no_child = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    waiting_period_adult = models.PositiveSmallIntegerField(null=True, blank=True,
                                                            help_text="Months.")
    waiting_period_child = models.PositiveSmallIntegerField(null=True, blank=True)
    ceiling_exclusion_adult = models.CharField(max_length=1, choices=CeilingExclusion.choices,
                                               default=CeilingExclusion.NONE, blank=True)
    ceiling_exclusion_child = models.CharField(max_length=1, choices=CeilingExclusion.choices,
                                               default=CeilingExclusion.NONE, blank=True)

    class Meta:
        abstract = True


class ProductItem(ProductLine):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(MedicalItem, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "item"], name="core_product_item")
        ]

    def __str__(self) -> str:
        return f"{self.product.code}: {self.item}"


class ProductService(ProductLine):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="services")
    service = models.ForeignKey(MedicalService, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "service"], name="core_product_service")
        ]

    def __str__(self) -> str:
        return f"{self.product.code}: {self.service}"


class Policy(TenantRecord):
    """A family enrolled in a product for one insurance period."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="policies")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="policies")
    officer = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    enroll_date = models.DateField()
    start_date = models.DateField()
    effective_date = models.DateField(null=True, blank=True)
    expiry_date = models.DateField()
    status = models.PositiveSmallIntegerField(choices=PolicyStatus.choices,
                                              default=PolicyStatus.IDLE)
    stage = models.CharField(max_length=1, choices=PolicyStage.choices, default=PolicyStage.NEW)
    value = _money(default=0)

    class Meta:
        verbose_name_plural = "policies"
        indexes = [models.Index(fields=["family", "expiry_date"])]

    def __str__(self) -> str:
        period = f"{self.start_date}..{self.expiry_date}"
        return f"{self.product.code} {period} ({self.get_status_display()})"


class InsureePolicy(models.Model):
    """An insuree's cover under a family policy (members may join after the policy starts)."""

    tenant_path = "policy__tenant"

    insuree = models.ForeignKey(Insuree, on_delete=models.CASCADE,
                                related_name="insuree_policies")
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="insuree_policies")
    enrollment_date = models.DateField()
    start_date = models.DateField()
    effective_date = models.DateField(null=True, blank=True)
    expiry_date = models.DateField()
    validity_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "insuree policies"
        indexes = [models.Index(fields=["insuree", "effective_date", "expiry_date"])]

    def __str__(self) -> str:
        return f"{self.insuree_id} in policy {self.policy_id}"
