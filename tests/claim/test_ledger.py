"""Deductibles and ceilings at processing: applied line by line in order, each line's deduction
and payment counting for the next, and recorded in the ledger (ClaimDedRem) per claim and policy."""

from datetime import date
from decimal import Decimal

import pytest

from core.models import ModuleConfiguration
from core.registers.codes import ServiceCategory
from core.registers.eligibility import check_eligibility
from core.registers.models import Diagnosis
from openimis_claim.codes import ClaimStatus
from openimis_claim.models import Claim, ClaimDedRem, ClaimItem, ClaimService
from openimis_claim.services import process_claims, submit_claims
from tests.factories import (
    add_product_item,
    add_product_service,
    make_claim,
    make_facility,
    make_family_with_insurees,
    make_item,
    make_policy,
    make_product,
    make_service,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(make_user):
    return make_user(superuser=True)


def scene(tenant, **product):
    item = make_item(tenant, price=Decimal("8.00"))
    service = make_service(tenant, price=Decimal("10.00"))
    surgery = make_service(tenant, price=Decimal("100.00"), category=ServiceCategory.SURGERY)
    facility = make_facility(tenant, items=[item], services=[service, surgery])
    family, (insuree,) = make_family_with_insurees(tenant)
    plan = make_product(tenant, **product)
    add_product_item(plan, item)
    add_product_service(plan, service)
    add_product_service(plan, surgery)
    policy = make_policy(family, plan)
    return item, service, surgery, facility, insuree, policy


def decide(tenant, operator, insuree, facility, *, items=(), services=(), on=date(2025, 3, 1)):
    claim = make_claim(tenant, insuree=insuree, health_facility=facility,
                       icd=Diagnosis.objects.get(code="B50"), items=items, services=services,
                       date_from=on, date_claimed=on)
    for step in (submit_claims, process_claims):
        outcome = step(operator, [str(claim.uuid)])
        assert outcome.errors == []
    return Claim.objects.get(pk=claim.pk)


def test_worked_example_a_category_ceiling_of_55(tenant, operator):
    # ADJUDICATION.md: lump sum 10,000, category ceiling 55, price 100 x 7 at 100%.
    *_, surgery, facility, insuree, policy = scene(
        tenant, lump_sum=Decimal("10000.00"), max_amount_surgery=Decimal("55.00"))

    claim = decide(tenant, operator, insuree, facility, services=[(surgery, 7, "100.00")])

    line = ClaimService.objects.get(claim=claim)
    assert (line.price_adjusted, line.price_valuated, line.remunerated_amount) == (
        Decimal("100.00"), Decimal("55.00"), Decimal("55.00"))
    assert line.exceed_ceiling_amount == Decimal("645.00")
    assert (claim.status, claim.valuated) == (ClaimStatus.VALUATED, Decimal("55.00"))
    ledger = ClaimDedRem.objects.get(claim=claim)
    assert (ledger.policy, ledger.remunerated, ledger.deducted) == (
        policy, Decimal("55.00"), Decimal("0.00"))
    assert (ledger.ceiling_hit, ledger.ceiling_left) == ("max_amount_surgery", Decimal("0.00"))


def test_a_policy_deductible_is_taken_once_across_lines_and_claims(tenant, operator):
    item, service, _surgery, facility, insuree, _policy = scene(
        tenant, ded_policy=Decimal("10.00"))

    first = decide(tenant, operator, insuree, facility, items=[item], services=[service])
    second = decide(tenant, operator, insuree, facility, items=[item], on=date(2025, 3, 5))

    item_line, service_line = (ClaimItem.objects.get(claim=first),
                               ClaimService.objects.get(claim=first))
    assert (item_line.deductible_amount, item_line.remunerated_amount) == (
        Decimal("8.00"), Decimal("0.00"))
    assert (service_line.deductible_amount, service_line.remunerated_amount) == (
        Decimal("2.00"), Decimal("8.00"))
    assert first.valuated == Decimal("8.00")
    assert ClaimDedRem.objects.get(claim=first).deducted == Decimal("10.00")
    assert second.valuated == Decimal("8.00")
    assert ClaimDedRem.objects.get(claim=second).deducted == Decimal("0.00")


def test_a_treatment_deductible_is_taken_once_per_claim(tenant, operator):
    item, service, _surgery, facility, insuree, _policy = scene(
        tenant, ded_treatment=Decimal("5.00"))

    first = decide(tenant, operator, insuree, facility, items=[item], services=[service])
    second = decide(tenant, operator, insuree, facility, services=[service], on=date(2025, 3, 5))

    assert first.valuated == Decimal("13.00")   # 18 - 5
    assert second.valuated == Decimal("5.00")   # 10 - 5


def test_the_policy_ceiling_is_shared_by_the_lines_of_a_claim(tenant, operator):
    item, service, _surgery, facility, insuree, _policy = scene(
        tenant, max_policy=Decimal("12.00"))

    claim = decide(tenant, operator, insuree, facility, items=[item], services=[service])

    assert ClaimItem.objects.get(claim=claim).remunerated_amount == Decimal("8.00")
    service_line = ClaimService.objects.get(claim=claim)
    assert (service_line.remunerated_amount, service_line.exceed_ceiling_amount) == (
        Decimal("4.00"), Decimal("6.00"))
    ledger = ClaimDedRem.objects.get(claim=claim)
    assert (ledger.remunerated, ledger.ceiling_hit, ledger.ceiling_left) == (
        Decimal("12.00"), "max_policy", Decimal("0.00"))


def test_a_rejected_claim_leaves_no_ledger_row(tenant, operator):
    *_rest, facility, insuree, _policy = scene(tenant)
    other = make_item(tenant, price=Decimal("3.00"))  # not in the facility's price list
    claim = make_claim(tenant, insuree=insuree, health_facility=facility,
                       icd=Diagnosis.objects.get(code="B50"), items=[other])

    submit_claims(operator, [str(claim.uuid)])

    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.REJECTED
    assert ClaimItem.objects.get(claim=claim).rejection_reason == 2
    assert not ClaimDedRem.objects.filter(claim=claim).exists()


# Rule switches (module config, read at call time) -------------------------------------------


def test_a_disabled_rule_is_reported_as_not_checked(tenant, operator):
    *_rest, facility, insuree, _policy = scene(tenant)
    other = make_item(tenant, price=Decimal("3.00"))  # not in the facility's price list
    add_product_item(_policy.product, other)
    ModuleConfiguration.objects.create(module="claim", layer="be",
                                       config={"disabled_rules": ["price_list"]})

    claim = decide(tenant, operator, insuree, facility, items=[other])

    line = ClaimItem.objects.get(claim=claim)
    assert (claim.status, line.status, line.rejection_reason) == (ClaimStatus.VALUATED, 1, 0)
    assert line.price_valuated == Decimal("3.00")


def test_default_validations_disabled_passes_every_line_at_its_price(tenant, operator):
    *_rest, facility, insuree, _policy = scene(tenant)
    other = make_item(tenant, price=Decimal("3.00"))  # covered by no product either
    ModuleConfiguration.objects.create(module="claim", layer="be",
                                       config={"default_validations_disabled": True})
    claim = make_claim(tenant, insuree=insuree, health_facility=facility,
                       icd=Diagnosis.objects.get(code="B50"), items=[(other, 2, "3.50")])

    submit_claims(operator, [str(claim.uuid)])

    claim.refresh_from_db()
    line = ClaimItem.objects.get(claim=claim)
    assert (claim.status, claim.approved) == (ClaimStatus.CHECKED, Decimal("7.00"))
    assert (line.status, line.price_adjusted) == (1, Decimal("3.50"))


def test_rules_that_decide_what_is_checked_cannot_be_switched_off(tenant):
    *_rest, insuree, _policy = scene(tenant)

    result = check_eligibility(tenant_id=tenant.pk, chf_id=insuree.chf_id,
                               on_date=date(2025, 3, 1), item_code="NOPE",
                               disabled=frozenset({"item_or_service"}))

    assert result.covered is False
    assert result.reasons == [1]


def test_a_claim_dated_before_the_care_is_rejected_with_reason_9(tenant, operator):
    item, *_rest, facility, insuree, _policy = scene(tenant)
    claim = make_claim(tenant, insuree=insuree, health_facility=facility,
                       icd=Diagnosis.objects.get(code="B50"), items=[item],
                       date_from=date(2025, 3, 5), date_claimed=date(2025, 3, 1))

    outcome = submit_claims(operator, [str(claim.uuid)])

    claim.refresh_from_db()
    assert outcome.errors == []
    assert (claim.status, claim.rejection_reason) == (ClaimStatus.REJECTED, 9)
    assert ClaimItem.objects.get(claim=claim).rejection_reason == 9
