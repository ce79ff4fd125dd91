"""What an insuree's policies cover and have left, and facility price lists (claim page)."""

from __future__ import annotations

from datetime import date

import graphene

from core.gql.policy import requires
from core.gql.types import CountableConnection, ListConnectionField
from core.registers.coverage_data import ITEM, SERVICE
from core.registers.eligibility import PolicyCoverage, policy_coverage
from core.registers.queries import pricelist_prices

LEFT = ("What is left for a new claim on the target date, as eligibility counts it (per treatment, "
        "insuree and policy, the largest deductible and the tightest ceiling; every claim of the "
        "policy period counts; none when the product sets none)")
USED = "What claims of the policy's family used in the policy period"


class PolicyByInsureeGQLType(graphene.ObjectType):
    """`core.registers.eligibility.PolicyCoverage` under openIMIS' names (the claim page's
    policy panel)."""

    policy_uuid = graphene.String()
    product_code = graphene.String()
    product_name = graphene.String()
    officer_code = graphene.String()
    officer_name = graphene.String(description="Last name, then other names.")
    enroll_date = graphene.Date()
    effective_date = graphene.Date()
    start_date = graphene.Date()
    expiry_date = graphene.Date()
    status = graphene.Int(description="openIMIS policy status: 1 idle, 2 active, 4 suspended, "
                                      "8 expired.")
    policy_value = graphene.Decimal()
    balance = graphene.Decimal(description=(
        "What is still to be paid of the policy value. Contributions are not recorded here; "
        "openIMIS activates a policy once they reach its value, so this is the whole value for "
        "an idle policy and 0 for an active, suspended or expired one."))
    ded = graphene.Decimal(description=f"{LEFT}: the general deductible.")
    ded_in_patient = graphene.Decimal(description=(
        f"{LEFT}: the deductible of in-patient care (its own, else the general one)."))
    ded_out_patient = graphene.Decimal(description=(
        f"{LEFT}: the deductible of out-patient care (its own, else the general one)."))
    ceiling = graphene.Decimal(description=f"{LEFT}: the general ceiling.")
    ceiling_in_patient = graphene.Decimal(description=(
        f"{LEFT}: the ceiling of in-patient care (its own, else the general one)."))
    ceiling_out_patient = graphene.Decimal(description=(
        f"{LEFT}: the ceiling of out-patient care (its own, else the general one)."))
    deducted = graphene.Decimal(description=f"{USED}: deducted.")
    deducted_in_patient = graphene.Decimal(description=f"{USED}: deducted, in-patient.")
    deducted_out_patient = graphene.Decimal(description=f"{USED}: deducted, out-patient.")
    remunerated = graphene.Decimal(description=f"{USED}: paid by the scheme.")
    remunerated_in_patient = graphene.Decimal(description=f"{USED}: paid, in-patient.")
    remunerated_out_patient = graphene.Decimal(description=f"{USED}: paid, out-patient.")

    @staticmethod
    def resolve_policy_uuid(root: PolicyCoverage, info) -> str:
        return str(root.policy.uuid)

    @staticmethod
    def resolve_product_code(root: PolicyCoverage, info) -> str:
        return root.policy.product.code

    @staticmethod
    def resolve_product_name(root: PolicyCoverage, info) -> str:
        return root.policy.product.name

    @staticmethod
    def resolve_officer_code(root: PolicyCoverage, info) -> str | None:
        return root.policy.officer.code if root.policy.officer else None

    @staticmethod
    def resolve_officer_name(root: PolicyCoverage, info) -> str | None:
        officer = root.policy.officer
        return f"{officer.last_name} {officer.other_names}" if officer else None

    @staticmethod
    def resolve_enroll_date(root: PolicyCoverage, info) -> date:
        return root.policy.enroll_date

    @staticmethod
    def resolve_effective_date(root: PolicyCoverage, info) -> date | None:
        return root.policy.effective_date

    @staticmethod
    def resolve_start_date(root: PolicyCoverage, info) -> date:
        return root.policy.start_date

    @staticmethod
    def resolve_expiry_date(root: PolicyCoverage, info) -> date:
        return root.policy.expiry_date

    @staticmethod
    def resolve_status(root: PolicyCoverage, info) -> int:
        return root.policy.status

    @staticmethod
    def resolve_policy_value(root: PolicyCoverage, info):
        return root.policy.value


class PolicyByInsureeConnection(CountableConnection):
    class Meta:
        node = PolicyByInsureeGQLType


class ListedPriceGQLType(graphene.ObjectType):
    id = graphene.Int(description="The item's or service's numeric id.")
    p = graphene.Decimal(description="The price the facility may claim today.")

    @staticmethod
    def resolve_id(root, info) -> int:
        return root.medical_id

    @staticmethod
    def resolve_p(root, info):
        return root.price


class PricelistsGQLType(graphene.ObjectType):
    """Each list is read only when asked for (one query each)."""

    services = graphene.List(graphene.NonNull(ListedPriceGQLType))
    items = graphene.List(graphene.NonNull(ListedPriceGQLType))

    @staticmethod
    def resolve_services(root: dict, info):
        return pricelist_prices(info.context.user, SERVICE, root["services"], date.today())

    @staticmethod
    def resolve_items(root: dict, info):
        return pricelist_prices(info.context.user, ITEM, root["items"], date.today())


class CoverageQuery:
    """Root fields mixed into core's Query."""

    policies_by_insuree = requires("gql_query_policies_by_insuree_perms", ListConnectionField(
        PolicyByInsureeConnection,
        chf_id=graphene.String(required=True),
        target_date=graphene.Date(description="Policies covering the insuree on this date; all "
                                              "of them when absent."),
        description="An insuree's policies, newest first, with what is left and used of their "
                    "deductibles and ceilings.",
    ))
    pricelists = requires("gql_query_pricelists_perms", graphene.Field(
        PricelistsGQLType,
        services_pricelist_id=graphene.Int(),
        items_pricelist_id=graphene.Int(),
        description="A facility's price lists by numeric id: what it may claim today per item "
                    "and service. A list not given, or not visible, is empty.",
    ))

    def resolve_policies_by_insuree(self, info, chf_id: str, target_date: date | None = None,
                                    **kwargs) -> list[PolicyCoverage]:
        tenant_id = info.context.user.tenant_id
        if tenant_id is None:  # insurance numbers are unique only within a tenant
            return []
        return policy_coverage(tenant_id, chf_id, target_date)

    def resolve_pricelists(self, info, services_pricelist_id: int | None = None,
                           items_pricelist_id: int | None = None) -> dict:
        return {"services": services_pricelist_id, "items": items_pricelist_id}
