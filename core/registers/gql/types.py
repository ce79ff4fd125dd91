"""GraphQL types of the shared registers (read side: pickers and lists)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import graphene
from django.db.models import prefetch_related_objects
from graphene_django import DjangoObjectType

from core.gql.types import ListConnectionField, ScopedObjectType, node_meta
from core.registers.codes import RejectionReason
from core.registers.models import (
    ConfirmationType,
    Diagnosis,
    Education,
    Family,
    FamilyType,
    GenderType,
    HealthFacility,
    IdentificationType,
    Insuree,
    InsureePhoto,
    InsureePolicy,
    InsureeStatusReason,
    ItemsPricelist,
    Location,
    MedicalItem,
    MedicalService,
    Officer,
    Policy,
    Product,
    Profession,
    Relation,
    ServicePackageItem,
    ServicePackageService,
    ServicesPricelist,
)
from core.registers.queries import insuree_policies_prefetch, package_lines_prefetch


class LocationGQLType(ScopedObjectType):
    Meta = node_meta(Location, ("id", "uuid", "code", "name", "type", "parent"), {
        "uuid": ["in"], "code": ["exact"], "name": ["exact", "icontains"], "type": ["exact"],
        "parent__uuid": ["exact", "in"], "parent__parent__uuid": ["exact"],
        "parent__parent__parent__uuid": ["exact"],
    })


class ItemsPricelistGQLType(ScopedObjectType):
    Meta = node_meta(ItemsPricelist, ("id", "uuid", "name", "date", "location"),
                      {"name": ["exact", "icontains"]})


class ServicesPricelistGQLType(ScopedObjectType):
    Meta = node_meta(ServicesPricelist, ("id", "uuid", "name", "date", "location"),
                      {"name": ["exact", "icontains"]})


class HealthFacilityGQLType(ScopedObjectType):
    Meta = node_meta(HealthFacility, (
        "id", "uuid", "code", "name", "level", "care_type", "address", "phone", "email",
        "location", "contract_start_date", "contract_end_date", "items_pricelist",
        "services_pricelist",
    ), {
        "code": ["exact", "icontains"], "name": ["icontains"], "level": ["exact"],
        "care_type": ["exact"], "location__uuid": ["exact"], "location__parent__uuid": ["exact"],
    })


def _price(medical) -> Decimal:
    """The price-list price annotated by `core.registers` (a zero price list price is a price),
    else the register price; to the cent, as SQLite returns annotations unscaled."""
    price = getattr(medical, "pricelist_price", None)
    return (medical.price if price is None else Decimal(price)).quantize(Decimal("0.01"))


class MedicalItemGQLType(ScopedObjectType):
    Meta = node_meta(MedicalItem, (
        "id", "uuid", "code", "name", "type", "package", "quantity", "price", "care_type",
        "patient_category", "frequency", "maximum_amount", "requires_preauthorization",
    ), {"code": ["exact", "icontains"], "name": ["icontains"], "type": ["exact"],
        "requires_preauthorization": ["exact"]})

    def resolve_price(self, info):
        """The facility's price when the list was asked for a price list, else the register's."""
        return _price(self)


class ServicePackageItemGQLType(ScopedObjectType):
    """An item a package service holds (openIMIS ServiceItemGQLType)."""

    class Meta:
        model = ServicePackageItem
        fields = ("id", "item", "qty_provided", "price_asked", "pcp_date")


class ServicePackageServiceGQLType(ScopedObjectType):
    """A service a package service holds (openIMIS ServiceServiceGQLType)."""

    class Meta:
        model = ServicePackageService
        fields = ("id", "service", "qty_provided", "price_asked", "scp_date")


def _package_lines(service: MedicalService, relation: str) -> list:
    """From the prefetch the list's query made (`core.registers.queries.package_lines_prefetch`:
    no query per service), else one query for this service."""
    if relation not in getattr(service, "_prefetched_objects_cache", {}):
        prefetch_related_objects([service], *package_lines_prefetch())
    return list(getattr(service, relation).all())


class MedicalServiceGQLType(ScopedObjectType):
    Meta = node_meta(MedicalService, (
        "id", "uuid", "code", "name", "type", "category", "price", "care_type",
        "patient_category", "frequency", "maximum_amount", "requires_preauthorization",
        "packagetype", "manual_price",
    ), {"code": ["exact", "icontains"], "name": ["icontains"], "category": ["exact"],
        "packagetype": ["exact"], "requires_preauthorization": ["exact"]})

    services_linked = graphene.List(
        graphene.NonNull(ServicePackageItemGQLType),
        description="The items a package holds (openIMIS' name); empty for a simple service.")
    serviceservice_set = graphene.List(
        graphene.NonNull(ServicePackageServiceGQLType),
        description="The services a package holds (openIMIS' name); empty for a simple service.")

    def resolve_price(self, info):
        return _price(self)

    def resolve_services_linked(self, info) -> list[ServicePackageItem]:
        return _package_lines(self, "services_linked")

    def resolve_serviceservice_set(self, info) -> list[ServicePackageService]:
        return _package_lines(self, "serviceservice_set")


class DiagnosisGQLType(ScopedObjectType):
    Meta = node_meta(Diagnosis, ("id", "code", "name"),
                      {"code": ["exact", "istartswith"], "name": ["icontains"]})


class OfficerGQLType(ScopedObjectType):
    Meta = node_meta(Officer, (
        "id", "uuid", "code", "last_name", "other_names", "dob", "phone", "email", "address",
        "location",
    ), {"code": ["exact", "icontains"], "last_name": ["icontains"], "location__uuid": ["exact"]})


# openIMIS' global code tables, as the insuree and family forms read them.
class GenderGQLType(DjangoObjectType):
    class Meta:
        model = GenderType
        name = "GenderGQLType"
        fields = ("code", "gender", "alt_language", "sort_order")


class EducationGQLType(DjangoObjectType):
    class Meta:
        model = Education
        fields = ("id", "education", "alt_language", "sort_order")


class ProfessionGQLType(DjangoObjectType):
    class Meta:
        model = Profession
        fields = ("id", "profession", "alt_language", "sort_order")


class RelationGQLType(DjangoObjectType):
    class Meta:
        model = Relation
        fields = ("id", "relation", "alt_language", "sort_order")


class IdentificationTypeGQLType(DjangoObjectType):
    class Meta:
        model = IdentificationType
        fields = ("code", "identification_type", "alt_language", "sort_order")


class FamilyTypeGQLType(DjangoObjectType):
    class Meta:
        model = FamilyType
        fields = ("code", "type", "alt_language", "sort_order")


class ConfirmationTypeGQLType(DjangoObjectType):
    class Meta:
        model = ConfirmationType
        fields = ("code", "confirmationtype", "is_confirmation_number_required", "alt_language",
                  "sort_order")


class InsureeStatusReasonGQLType(DjangoObjectType):
    class Meta:
        model = InsureeStatusReason
        fields = ("code", "insuree_status_reason", "status_type", "validity_from",
                  "validity_to")


def _or_none(text: str) -> str | None:
    return text or None


class PhotoGQLType(ScopedObjectType):
    """An insuree's photo; `photo` is the image, base64-encoded, when stored inline, else the
    file is `folder`/`filename` of the photo store."""

    officer_id = graphene.Int(description="The numeric id of the officer who took it.")

    class Meta:
        model = InsureePhoto
        fields = ("id", "uuid", "date", "folder", "filename", "photo")

    folder = graphene.String()
    filename = graphene.String()
    photo = graphene.String()

    def resolve_folder(self, info) -> str | None:
        return _or_none(self.folder)

    def resolve_filename(self, info) -> str | None:
        return _or_none(self.filename)

    def resolve_photo(self, info) -> str | None:
        return _or_none(self.photo)


class FamilyGQLType(ScopedObjectType):
    Meta = node_meta(Family, (
        "id", "uuid", "head_insuree", "location", "address", "poverty", "family_type",
        "confirmation_type", "confirmation_no", "validity_from", "validity_to",
    ), {"head_insuree__chf_id": ["exact"], "location__uuid": ["exact"]})

    client_mutation_id = graphene.String(description=(
        "openIMIS: the client id of a mutation still running on the family. Families change "
        "here only within one request's transaction, so a reader never finds one running: "
        "always null."))

    def resolve_client_mutation_id(self, info) -> None:
        return None


class InsureeGQLType(ScopedObjectType):
    Meta = node_meta(Insuree, (
        "id", "uuid", "chf_id", "last_name", "other_names", "dob", "gender", "head", "phone",
        "email", "family", "current_village", "health_facility", "validity_from", "validity_to",
        "relationship", "marital", "education", "profession", "type_of_id", "passport",
        "card_issued", "photo", "status", "status_date", "status_reason", "current_address",
        "json_ext",
    ), {
        "uuid": ["exact"],
        "chf_id": ["exact", "istartswith"], "last_name": ["icontains", "istartswith"],
        "other_names": ["icontains", "istartswith"], "gender__code": ["exact"],
        "dob": ["gte", "lte"], "family__uuid": ["exact"], "status": ["exact"],
    })

    age = graphene.Int(description="Age in years today.")

    def resolve_age(self, info) -> int:
        return self.age_on(date.today())

    insuree_policies = ListConnectionField(
        lambda: InsureePolicyGQLType._meta.connection,
        description="The insuree's valid policy memberships (of the insuree's tenant).")

    def resolve_insuree_policies(self, info, **kwargs) -> list[InsureePolicy]:
        """From the prefetch the list's query made (`core.registers.queries.
        insuree_policies_prefetch`: no query per insuree), else one query for this insuree."""
        if "insuree_policies" not in getattr(self, "_prefetched_objects_cache", {}):
            prefetch_related_objects([self], insuree_policies_prefetch())
        return list(self.insuree_policies.all())


class ProductGQLType(ScopedObjectType):
    Meta = node_meta(Product, (
        "id", "uuid", "code", "name", "location", "date_from", "date_to", "lump_sum",
        "member_count", "insurance_period", "grace_period", "ceiling_interpretation",
        "max_no_visits", "max_no_hospitalizations", "max_no_consultations", "max_no_surgeries",
        "max_no_deliveries", "max_no_antenatal", "max_amount_hospitalization",
        "max_amount_consultation", "max_amount_surgery", "max_amount_delivery",
        "max_amount_antenatal", "ded_treatment", "ded_ip_treatment", "ded_op_treatment",
        "ded_insuree", "ded_ip_insuree", "ded_op_insuree", "ded_policy", "ded_ip_policy",
        "ded_op_policy", "max_treatment", "max_ip_treatment", "max_op_treatment", "max_insuree",
        "max_ip_insuree", "max_op_insuree", "max_policy", "max_ip_policy", "max_op_policy",
    ), {"code": ["exact", "icontains"], "name": ["icontains"], "location__uuid": ["exact"]})


class PolicyGQLType(ScopedObjectType):
    Meta = node_meta(Policy, (
        "id", "uuid", "family", "product", "officer", "enroll_date", "start_date",
        "effective_date", "expiry_date", "status", "stage", "value",
    ), {
        "family__uuid": ["exact"], "product__code": ["exact"], "status": ["exact"],
        "stage": ["exact"], "expiry_date": ["gte", "lte"], "start_date": ["gte", "lte"],
    })


class InsureePolicyGQLType(ScopedObjectType):
    Meta = node_meta(InsureePolicy, (
        "id", "insuree", "policy", "enrollment_date", "start_date", "effective_date",
        "expiry_date",
    ), {"insuree__chf_id": ["exact"]})


class RejectionReasonGQLType(graphene.ObjectType):
    code = graphene.Int()
    label = graphene.String()


class EligibilityConditionGQLType(graphene.ObjectType):
    name = graphene.String()
    met = graphene.Boolean()
    detail = graphene.String()


class InsureeEligibilityGQLType(graphene.ObjectType):
    """`core.registers.eligibility.Eligibility` as clients read it."""

    covered = graphene.Boolean()
    reasons = graphene.List(RejectionReasonGQLType)
    conditions = graphene.List(EligibilityConditionGQLType)
    insuree = graphene.Field(InsureeGQLType)
    policy = graphene.Field(PolicyGQLType)
    product = graphene.Field(ProductGQLType)
    adult = graphene.Boolean()
    waiting_period_end = graphene.Date()
    quantity_limit = graphene.Decimal()
    quantity_used = graphene.Decimal()
    quantity_left = graphene.Decimal()
    next_eligible_date = graphene.Date()
    visits_limit = graphene.Int()
    visits_used = graphene.Int()
    unit_price = graphene.Decimal()
    quantity = graphene.Decimal()
    covered_quantity = graphene.Decimal()
    covered_amount = graphene.Decimal()
    patient_share = graphene.Decimal()
    deductible_left = graphene.Decimal()
    ceiling_left = graphene.Decimal()

    def resolve_reasons(self, info):
        return [RejectionReasonGQLType(code=int(r), label=RejectionReason(r).label)
                for r in self.reasons]
