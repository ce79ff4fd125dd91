"""The registers' root fields: lists and pickers, and eligibility (`core.schema` mixes them in).

The claim page's coverage fields are in `core.registers.gql.coverage`. The rights keys are core's
(`core/apps.py`): the registers are part of the core module.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import graphene
from graphql import GraphQLError

from core.gql.policy import requires
from core.gql.types import OrderedConnectionField
from core.registers import queries
from core.registers.eligibility import check_eligibility
from core.registers.gql.filters import HealthFacilityFilter
from core.registers.gql.types import (
    DiagnosisGQLType,
    FamilyGQLType,
    HealthFacilityGQLType,
    InsureeEligibilityGQLType,
    InsureeGQLType,
    LocationGQLType,
    MedicalItemGQLType,
    MedicalServiceGQLType,
    OfficerGQLType,
    PolicyGQLType,
    ProductGQLType,
)
from core.scoping import scope_queryset

# The pickers' free-text argument: `str` in the web app's queries, `search` in Python.
SEARCH = graphene.String(name="str", description="Code or name contains this.")


class Query(graphene.ObjectType):
    """Lists and pickers of the registers (relay connections), and an insuree's eligibility."""

    locations = requires("gql_query_locations_perms", OrderedConnectionField(
        LocationGQLType, ordering=("code", "name", "type")))
    locations_str = requires("gql_query_locations_perms", OrderedConnectionField(
        LocationGQLType, ordering=("code", "name", "type"), search=SEARCH,
        description="The location picker: locations whose code or name contains `str`."))
    health_facilities = requires("gql_query_health_facilities_perms", OrderedConnectionField(
        HealthFacilityGQLType, ordering=("code", "name", "level"), search=SEARCH,
        filterset_class=HealthFacilityFilter))
    health_facilities_str = requires("gql_query_health_facilities_perms", OrderedConnectionField(
        HealthFacilityGQLType, ordering=("code", "name", "level"), search=SEARCH,
        filterset_class=HealthFacilityFilter,
        region_uuid=graphene.String(description="In this region."),
        district_uuid=graphene.String(description="In this district."),
        districts_uuids=graphene.List(graphene.String, description=(
            "In one of these districts; a list holding null (no district picked) does not "
            "narrow.")),
        ignore_location=graphene.Boolean(description=(
            "All the tenant's facilities, not only those of the districts the caller works in.")),
        description="The facility picker: facilities of the districts the caller works in."))
    diagnoses_str = requires("gql_query_diagnoses_perms", OrderedConnectionField(
        DiagnosisGQLType, ordering=("code", "name"), search=SEARCH))
    medical_items_str = requires("gql_query_medical_items_perms", OrderedConnectionField(
        MedicalItemGQLType, ordering=("code", "name", "price"), search=SEARCH,
        pricelist_uuid=graphene.UUID(), date=graphene.Date()))
    medical_services_str = requires("gql_query_medical_services_perms", OrderedConnectionField(
        MedicalServiceGQLType, ordering=("code", "name", "price"), search=SEARCH,
        pricelist_uuid=graphene.UUID(), date=graphene.Date()))
    officers = requires("gql_query_officers_perms", OrderedConnectionField(
        OfficerGQLType, ordering=("code", "last_name")))
    families = requires("gql_query_families_perms", OrderedConnectionField(
        FamilyGQLType, ordering=("id",)))
    insurees = requires("gql_query_insurees_perms", OrderedConnectionField(
        InsureeGQLType, ordering=("chf_id", "last_name", "other_names", "dob"),
        ignore_location=graphene.Boolean(description="Accepted for the web app; tenant "
                                                     "scoping applies regardless.")))
    products = requires("gql_query_products_perms", OrderedConnectionField(
        ProductGQLType, ordering=("code", "name", "date_from")))
    policies = requires("gql_query_policies_perms", OrderedConnectionField(
        PolicyGQLType, ordering=("start_date", "expiry_date", "enroll_date", "status"),
        chf_id=graphene.String()))
    insuree_eligibility = requires("gql_query_eligibility_perms", graphene.Field(
        InsureeEligibilityGQLType,
        chf_id=graphene.String(required=True),
        date=graphene.Date(description="Date of care; today when absent."),
        item_code=graphene.String(),
        service_code=graphene.String(),
        price=graphene.Decimal(description="Unit price asked; the price list's when absent."),
        quantity=graphene.Decimal(),
        health_facility_code=graphene.String(),
        care_type=graphene.String(description="I in-patient, O out-patient."),
        visit_type=graphene.String(description="E emergency, R referral, O other."),
    ))

    def resolve_locations(self, info, **kwargs):
        return queries.locations()

    def resolve_locations_str(self, info, search=None, **kwargs):
        return queries.locations(search)

    def resolve_health_facilities(self, info, search=None, **kwargs):
        return queries.health_facilities(search)

    def resolve_health_facilities_str(self, info, search=None, region_uuid=None,
                                      district_uuid=None, districts_uuids=None,
                                      ignore_location=False, **kwargs):
        return queries.health_facilities_in_area(
            info.context.user, search, region_uuid, district_uuid, districts_uuids,
            bool(ignore_location))

    def resolve_diagnoses_str(self, info, search=None, **kwargs):
        return queries.diagnoses(search)

    def resolve_medical_items_str(self, info, search=None, pricelist_uuid=None, date=None,
                                  **kwargs):
        return queries.medical_items(info.context.user, search, pricelist_uuid, date)

    def resolve_medical_services_str(self, info, search=None, pricelist_uuid=None, date=None,
                                     **kwargs):
        return queries.medical_services(info.context.user, search, pricelist_uuid, date)

    def resolve_officers(self, info, **kwargs):
        return queries.officers()

    def resolve_families(self, info, **kwargs):
        return queries.families()

    def resolve_insurees(self, info, **kwargs):
        return queries.insurees()

    def resolve_products(self, info, **kwargs):
        return queries.products()

    def resolve_policies(self, info, chf_id=None, **kwargs):
        return queries.policies(chf_id)

    def resolve_insuree_eligibility(self, info, chf_id, item_code=None, service_code=None,
                                    health_facility_code=None, **kwargs):
        user = info.context.user
        if bool(item_code) == bool(service_code):
            raise GraphQLError("Give exactly one of itemCode and serviceCode.")
        facility = None
        if health_facility_code:
            facility = scope_queryset(user, queries.health_facilities()).filter(
                code=health_facility_code).first()
            if facility is None:
                raise GraphQLError(f"No health facility {health_facility_code}.")
        if user.tenant_id is None:
            raise GraphQLError("Eligibility is answered within a tenant; this user has none.")
        return check_eligibility(
            tenant_id=user.tenant_id, chf_id=chf_id, on_date=kwargs.get("date") or date.today(),
            item_code=item_code, service_code=service_code, price=kwargs.get("price"),
            quantity=kwargs.get("quantity") or Decimal("1"), health_facility=facility,
            care_type=kwargs.get("care_type"), visit_type=kwargs.get("visit_type"),
        )
