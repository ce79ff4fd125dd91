"""Eligibility (`core.registers.eligibility.check_eligibility`): is an insuree covered for an item
or service on a date, by which policy, for how much (ADJUDICATION.md). One behaviour per test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from core.registers.codes import (
    CareType,
    Gender,
    LimitationType,
    PatientCategory,
    PolicyStatus,
    RejectionReason,
    ServiceCategory,
)
from core.registers.eligibility import CoverageUsage, check_eligibility, coverage_usage
from core.registers.models import MedicalItem
from tests.factories import (
    add_product_item,
    add_product_service,
    make_facility,
    make_family_with_insurees,
    make_item,
    make_policy,
    make_product,
    make_service,
)

pytestmark = pytest.mark.django_db

ON = date(2025, 3, 1)
READ_INSUREES = 101101

INSUREE_ELIGIBILITY = """
query Eligibility($chfId: String!, $date: Date, $itemCode: String, $serviceCode: String,
                  $price: Decimal, $quantity: Decimal, $healthFacilityCode: String) {
  insureeEligibility(chfId: $chfId, date: $date, itemCode: $itemCode, serviceCode: $serviceCode,
                     price: $price, quantity: $quantity,
                     healthFacilityCode: $healthFacilityCode) {
    covered
    reasons { code label }
    policy { uuid }
    product { code }
    coveredAmount
    patientShare
  }
}
"""


@pytest.fixture
def scheme(tenant):
    """A family (an adult man and a girl) with an active policy of 2025 for product BASIC."""
    family, (adult, child) = make_family_with_insurees(
        tenant, head={"chf_id": "100000001", "dob": date(1980, 1, 1), "gender": Gender.MALE},
        members=[{"chf_id": "100000002", "dob": date(2015, 6, 1), "gender": Gender.FEMALE}],
    )
    product = make_product(tenant, code="BASIC")
    policy = make_policy(family, product, start=date(2025, 1, 1))
    return SimpleNamespace(family=family, adult=adult, child=child, product=product,
                           policy=policy)


@pytest.fixture
def usage():
    """What earlier care used, as the claims module would report it through `coverage_usage`;
    `usage.asked` records what each check sent."""
    reported = CoverageUsage()
    reported.asked = []

    def receiver(sender, **kwargs):
        reported.asked.append(kwargs)
        return reported

    coverage_usage.connect(receiver, weak=False, dispatch_uid="test-eligibility-usage")
    try:
        yield reported
    finally:
        coverage_usage.disconnect(dispatch_uid="test-eligibility-usage")


def check(insuree, medical, on_date: date = ON, **kwargs):
    """check_eligibility for an insuree (or a chf id) and an item or service (or an item code)."""
    chf_id = getattr(insuree, "chf_id", insuree)
    if isinstance(medical, str):
        kwargs["item_code"] = medical
    elif isinstance(medical, MedicalItem):
        kwargs["item_code"] = medical.code
    else:
        kwargs["service_code"] = medical.code
    tenant_id = kwargs.pop("tenant_id", None) or getattr(insuree, "tenant_id", None)
    return check_eligibility(tenant_id=tenant_id, chf_id=chf_id, on_date=on_date, **kwargs)


def covered_item(scheme, tenant, **line):
    """An item at 100.00 that BASIC covers with the given line terms."""
    item = make_item(tenant, price=Decimal("100.00"))
    add_product_item(scheme.product, item, **line)
    return item


# Covered -------------------------------------------------------------------------------------


def test_co_insurance_pays_its_percentage(tenant, scheme):
    item = covered_item(scheme, tenant, limit_adult=Decimal("80"))

    result = check(scheme.adult, item, quantity=Decimal("2"))

    assert result.covered is True
    assert result.reasons == []
    assert result.policy == scheme.policy
    assert result.product == scheme.product
    assert result.unit_price == Decimal("100.00")
    assert result.covered_quantity == Decimal("2")
    assert result.covered_amount == Decimal("160.00")
    assert result.patient_share == Decimal("40.00")


@pytest.mark.parametrize(("fixed", "covered", "share"), [
    (Decimal("60.00"), Decimal("180.00"), Decimal("120.00")),  # the fixed amount, x 3
    (Decimal("150.00"), Decimal("300.00"), Decimal("0.00")),  # never more than the price
], ids=["below-price", "above-price"])
def test_a_fixed_amount_line_pays_the_lesser_of_price_and_amount_per_unit(tenant, scheme, fixed,
                                                                          covered, share):
    item = covered_item(scheme, tenant, limitation_type=LimitationType.FIXED_AMOUNT,
                        limit_adult=fixed)

    result = check(scheme.adult, item, quantity=Decimal("3"))

    assert result.covered is True
    assert result.covered_amount == covered
    assert result.patient_share == share


def test_children_get_the_child_limit(tenant, scheme):
    item = covered_item(scheme, tenant, limit_adult=Decimal("50"), limit_child=Decimal("90"))

    result = check(scheme.child, item)

    assert result.adult is False
    assert result.covered_amount == Decimal("90.00")
    assert result.patient_share == Decimal("10.00")


def test_an_emergency_visit_uses_its_own_limit(tenant, scheme):
    item = covered_item(scheme, tenant, limit_adult=Decimal("50"),
                        limitation_type_e=LimitationType.CO_INSURANCE,
                        limit_adult_e=Decimal("100"))

    emergency = check(scheme.adult, item, visit_type="E")
    other = check(scheme.adult, item, visit_type="O")

    assert emergency.covered_amount == Decimal("100.00")
    assert other.covered_amount == Decimal("50.00")


def test_a_price_asked_below_the_list_price_is_what_is_valued(tenant, scheme):
    item = covered_item(scheme, tenant)

    result = check(scheme.adult, item, price=Decimal("70.00"))

    assert result.unit_price == Decimal("70.00")
    assert result.covered_amount == Decimal("70.00")


# Refusals: insuree, item, product, policy ----------------------------------------------------


def test_an_unknown_insuree_is_reason_7(tenant, scheme):
    item = covered_item(scheme, tenant)

    result = check("999999999", item, tenant_id=tenant.pk)

    assert result.covered is False
    assert result.reasons == [RejectionReason.INSUREE_INVALID]
    assert result.patient_share == Decimal("0.00")


def test_another_tenants_insuree_is_unknown(tenant, other_tenant, scheme):
    item = covered_item(scheme, tenant)

    result = check(scheme.adult.chf_id, item, tenant_id=other_tenant.pk)

    assert result.reasons == [RejectionReason.INSUREE_INVALID]


def test_an_unknown_item_code_is_reason_1(scheme):
    result = check(scheme.adult, "NOPE")

    assert result.covered is False
    assert result.reasons == [RejectionReason.INVALID_ITEM_OR_SERVICE]


def test_an_ended_item_is_reason_1(tenant, scheme):
    item = covered_item(scheme, tenant)
    MedicalItem.objects.filter(pk=item.pk).update(validity_to="2025-02-01T00:00:00Z")

    result = check(scheme.adult, item)

    assert result.reasons == [RejectionReason.INVALID_ITEM_OR_SERVICE]


def test_an_item_ended_after_the_date_of_care_still_counts(tenant, scheme):
    item = covered_item(scheme, tenant)
    MedicalItem.objects.filter(pk=item.pk).update(validity_to="2025-06-01T00:00:00Z")

    result = check(scheme.adult, item)

    assert result.covered is True


def test_an_item_valid_only_after_the_date_of_care_is_reason_9(tenant, scheme):
    item = covered_item(scheme, tenant)
    MedicalItem.objects.filter(pk=item.pk).update(validity_from="2025-04-01T00:00:00Z")

    result = check(scheme.adult, item)

    assert result.reasons == [RejectionReason.TARGET_DATE]


def test_an_item_no_product_covers_is_reason_3(tenant, scheme):
    item = make_item(tenant, price=Decimal("100.00"))

    result = check(scheme.adult, item, quantity=Decimal("2"))

    assert result.covered is False
    assert result.reasons == [RejectionReason.NOT_COVERED_BY_PRODUCT]
    assert result.covered_amount == Decimal("0.00")
    assert result.patient_share == Decimal("200.00")


def test_no_policy_at_all_is_reason_21(tenant):
    _family, (insuree,) = make_family_with_insurees(tenant)
    item = make_item(tenant)

    result = check(insuree, item)

    assert result.reasons == [RejectionReason.NO_COVERAGE]
    assert [(c.name, c.met, c.detail) for c in result.conditions if c.name == "policy"] == [
        ("policy", False, "no policy")
    ]


def test_an_expired_policy_is_reason_21_and_says_when_it_expired(tenant):
    family, (insuree,) = make_family_with_insurees(tenant)
    product = make_product(tenant)
    item = make_item(tenant)
    add_product_item(product, item)
    make_policy(family, product, start=date(2024, 1, 1), status=PolicyStatus.EXPIRED)

    result = check(insuree, item, on_date=date(2025, 3, 1))

    assert result.covered is False
    assert result.reasons == [RejectionReason.NO_COVERAGE]
    assert [c.detail for c in result.conditions if c.name == "policy"] == [
        "policy expired on 2024-12-31"
    ]


def test_an_expired_policy_still_pays_for_care_given_before_it_expired(tenant):
    family, (insuree,) = make_family_with_insurees(tenant)
    product = make_product(tenant)
    item = make_item(tenant)
    add_product_item(product, item)
    policy = make_policy(family, product, start=date(2024, 1, 1), status=PolicyStatus.EXPIRED)

    result = check(insuree, item, on_date=date(2024, 12, 31))

    assert result.covered is True
    assert result.policy == policy


def test_a_suspended_policy_is_reason_21(tenant):
    family, (insuree,) = make_family_with_insurees(tenant)
    product = make_product(tenant)
    item = make_item(tenant)
    add_product_item(product, item)
    make_policy(family, product, status=PolicyStatus.SUSPENDED)

    result = check(insuree, item)

    assert result.reasons == [RejectionReason.NO_COVERAGE]
    assert [c.detail for c in result.conditions if c.name == "policy"] == ["policy suspended"]


def test_an_idle_policy_is_reason_21(tenant):
    family, (insuree,) = make_family_with_insurees(tenant)
    product = make_product(tenant)
    item = make_item(tenant)
    add_product_item(product, item)
    # Not paid yet: an idle policy has no effective date.
    make_policy(family, product, status=PolicyStatus.IDLE, effective_date=None)

    result = check(insuree, item)

    assert result.reasons == [RejectionReason.NO_COVERAGE]
    assert [c.detail for c in result.conditions if c.name == "policy"] == [
        "policy not yet paid (idle)"
    ]


# Waiting period ------------------------------------------------------------------------------


def test_care_inside_the_waiting_period_is_reason_17(tenant, scheme):
    item = covered_item(scheme, tenant, waiting_period_adult=3)

    result = check(scheme.adult, item, on_date=date(2025, 3, 31))

    assert result.covered is False
    assert result.reasons == [RejectionReason.WAITING_PERIOD]
    assert result.waiting_period_end == date(2025, 4, 1)


def test_care_once_the_waiting_period_is_over_is_covered(tenant, scheme):
    item = covered_item(scheme, tenant, waiting_period_adult=3)

    result = check(scheme.adult, item, on_date=date(2025, 4, 1))

    assert result.covered is True
    assert result.waiting_period_end == date(2025, 4, 1)


def test_children_wait_the_child_waiting_period(tenant, scheme):
    item = covered_item(scheme, tenant, waiting_period_adult=3, waiting_period_child=6)

    result = check(scheme.child, item, on_date=date(2025, 5, 1))

    assert result.reasons == [RejectionReason.WAITING_PERIOD]
    assert result.waiting_period_end == date(2025, 7, 1)


def test_a_renewal_does_not_restart_the_waiting_period(tenant):
    family, (insuree,) = make_family_with_insurees(tenant)
    product = make_product(tenant)
    item = make_item(tenant)
    add_product_item(product, item, waiting_period_adult=3)
    make_policy(family, product, start=date(2024, 1, 1), status=PolicyStatus.EXPIRED)
    renewal = make_policy(family, product, start=date(2025, 1, 1), stage="R")

    result = check(insuree, item, on_date=date(2025, 1, 15))

    assert result.covered is True
    assert result.policy == renewal
    assert result.waiting_period_end == date(2024, 4, 1)


# Quantity limits, frequency, category maximums -----------------------------------------------


def test_the_usage_signal_is_asked_about_this_policy_insuree_and_item(tenant, scheme, usage):
    item = covered_item(scheme, tenant)

    check(scheme.adult, item, exclude="claim-being-checked")

    assert usage.asked == [{"signal": coverage_usage, "policy": scheme.policy,
                            "insuree": scheme.adult, "item": item, "service": None,
                            "on_date": ON, "exclude": "claim-being-checked"}]


def test_an_exhausted_quantity_limit_is_reason_16(tenant, scheme, usage):
    item = covered_item(scheme, tenant, limit_no_adult=Decimal("5"))
    usage.quantity_used = Decimal("5")

    result = check(scheme.adult, item)

    assert result.covered is False
    assert result.reasons == [RejectionReason.QUANTITY_LIMIT]
    assert result.quantity_limit == Decimal("5")
    assert result.quantity_left == Decimal("0")


def test_a_partly_used_quantity_limit_covers_what_is_left(tenant, scheme, usage):
    item = covered_item(scheme, tenant, limit_no_adult=Decimal("5"))
    usage.quantity_used = Decimal("3")

    result = check(scheme.adult, item, quantity=Decimal("4"))

    assert result.covered is True
    assert result.quantity_left == Decimal("2")
    assert result.covered_quantity == Decimal("2")
    assert result.covered_amount == Decimal("200.00")
    assert result.patient_share == Decimal("200.00")


def test_the_same_item_again_too_soon_is_reason_5(tenant, scheme, usage):
    item = make_item(tenant, frequency=30)
    add_product_item(scheme.product, item)
    usage.last_provided = date(2025, 2, 15)

    result = check(scheme.adult, item, on_date=date(2025, 3, 16))

    assert result.reasons == [RejectionReason.FREQUENCY]
    assert result.next_eligible_date == date(2025, 3, 17)


def test_the_same_item_after_its_frequency_is_covered(tenant, scheme, usage):
    item = make_item(tenant, frequency=30)
    add_product_item(scheme.product, item)
    usage.last_provided = date(2025, 2, 15)

    result = check(scheme.adult, item, on_date=date(2025, 3, 17))

    assert result.covered is True
    assert result.next_eligible_date == date(2025, 3, 17)


@pytest.mark.parametrize(("used", "reasons"), [
    (2, [RejectionReason.MAX_CONSULTATIONS]),
    (1, []),
], ids=["reached", "one-left"])
def test_the_products_maximum_consultations(tenant, usage, used, reasons):
    family, (insuree,) = make_family_with_insurees(tenant)
    product = make_product(tenant, max_no_consultations=2)
    consultation = make_service(tenant, category=ServiceCategory.CONSULTATION)
    add_product_service(product, consultation)
    make_policy(family, product)
    usage.visits = {"C": used}

    result = check(insuree, consultation)

    assert result.reasons == reasons
    assert (result.visits_used, result.visits_limit) == (used, 2)


@pytest.mark.parametrize(("category", "maximum", "reason"), [
    (ServiceCategory.SURGERY, "max_no_surgeries", RejectionReason.MAX_SURGERIES),
    (ServiceCategory.DELIVERY, "max_no_deliveries", RejectionReason.MAX_DELIVERIES),
    (ServiceCategory.ANTENATAL, "max_no_antenatal", RejectionReason.MAX_ANTENATAL),
    (ServiceCategory.HOSPITALIZATION, "max_no_hospitalizations",
     RejectionReason.MAX_HOSPITALIZATIONS),
    (ServiceCategory.CONSULTATION, "max_no_consultations", RejectionReason.MAX_CONSULTATIONS),
    (ServiceCategory.VISIT, "max_no_visits", RejectionReason.MAX_VISITS),
])
def test_every_category_maximum_passes_below_and_refuses_at_it(tenant, usage, category,
                                                               maximum, reason):
    family, (insuree,) = make_family_with_insurees(tenant)
    product = make_product(tenant, **{maximum: 1})
    service = make_service(tenant, category=category)
    add_product_service(product, service)
    make_policy(family, product)

    usage.visits = {category: 0}
    below = check(insuree, service)
    usage.visits = {category: 1}
    at = check(insuree, service)

    assert below.reasons == []
    assert at.reasons == [reason]


def test_other_services_have_no_category_maximum(tenant, usage):
    family, (insuree,) = make_family_with_insurees(tenant)
    product = make_product(tenant, max_no_visits=0)
    lab = make_service(tenant, category=ServiceCategory.OTHER)
    add_product_service(product, lab)
    make_policy(family, product)
    usage.visits = {"O": 99, "V": 99}

    assert check(insuree, lab).covered is True


# Patient, facility, care type ----------------------------------------------------------------


@pytest.mark.parametrize(("who", "reasons"), [
    ("adult", [RejectionReason.PATIENT_CATEGORY]),
    ("child", []),
])
def test_a_child_only_item(tenant, scheme, who, reasons):
    item = make_item(tenant, patient_category=PatientCategory.MALE | PatientCategory.FEMALE
                     | PatientCategory.CHILD)
    add_product_item(scheme.product, item)

    result = check(getattr(scheme, who), item)

    assert result.reasons == reasons


def test_the_facility_price_list_price_overrides_the_register_price(tenant, scheme):
    item = covered_item(scheme, tenant)
    facility = make_facility(tenant, items=[(item, Decimal("80.00"))])

    result = check(scheme.adult, item, health_facility=facility, quantity=Decimal("2"))

    assert result.covered is True
    assert result.unit_price == Decimal("80.00")
    assert result.covered_amount == Decimal("160.00")


def test_an_item_missing_from_the_facility_price_list_is_reason_2(tenant, scheme):
    item = covered_item(scheme, tenant)
    facility = make_facility(tenant, items=[make_item(tenant)])

    result = check(scheme.adult, item, health_facility=facility)

    assert result.covered is False
    assert result.reasons == [RejectionReason.NOT_IN_PRICE_LIST]


def test_an_in_patient_item_at_an_out_patient_facility_is_reason_10(tenant, scheme):
    item = make_item(tenant, care_type=CareType.IN_PATIENT)
    add_product_item(scheme.product, item)
    facility = make_facility(tenant, care_type=CareType.OUT_PATIENT, items=[item])

    result = check(scheme.adult, item, health_facility=facility)

    assert result.reasons == [RejectionReason.CARE_TYPE]


def test_an_in_patient_item_at_a_facility_for_both_is_covered(tenant, scheme):
    item = make_item(tenant, care_type=CareType.IN_PATIENT)
    add_product_item(scheme.product, item)
    facility = make_facility(tenant, care_type=CareType.BOTH, items=[item])

    result = check(scheme.adult, item, health_facility=facility,
                   care_type=CareType.IN_PATIENT)

    assert result.covered is True


def test_a_facility_outside_the_products_network_is_reason_3(tenant, scheme):
    item = make_item(tenant)
    add_product_item(scheme.product, item)
    inside = make_facility(tenant, items=[item])
    outside = make_facility(tenant, items=[item])
    scheme.product.contracted_facilities.add(inside)

    assert check(scheme.adult, item, health_facility=inside).covered is True
    refused = check(scheme.adult, item, health_facility=outside)
    assert refused.reasons == [RejectionReason.NOT_COVERED_BY_PRODUCT]
    assert [c.name for c in refused.conditions if not c.met] == ["facility_network"]


def test_a_facility_without_a_contract_on_the_date_is_reason_3(tenant, scheme):
    item = make_item(tenant)
    add_product_item(scheme.product, item)
    facility = make_facility(tenant, items=[item], contract_end_date=date(2025, 2, 1))

    result = check(scheme.adult, item, health_facility=facility)

    assert result.reasons == [RejectionReason.NOT_COVERED_BY_PRODUCT]
    assert [c.name for c in result.conditions if not c.met] == ["facility_contract"]


# Deductibles and ceilings --------------------------------------------------------------------


def test_the_rest_of_the_policy_deductible_is_deducted(tenant, usage):
    family, (insuree,) = make_family_with_insurees(tenant)
    product = make_product(tenant, ded_policy=Decimal("30.00"))
    item = make_item(tenant, price=Decimal("100.00"))
    add_product_item(product, item)
    make_policy(family, product)
    usage.deducted = {"policy": Decimal("10.00")}

    result = check(insuree, item)

    assert result.deductible_left == Decimal("20.00")
    assert result.covered_amount == Decimal("80.00")
    assert result.patient_share == Decimal("20.00")


def test_the_deductible_comes_off_the_price_before_co_insurance(tenant):
    # openIMIS: the deductible is taken from the line's value, then the product pays its
    # percentage of the rest: (100 - 20) x 80% = 64, not 100 x 80% - 20 = 60.
    family, (insuree,) = make_family_with_insurees(tenant)
    product = make_product(tenant, ded_treatment=Decimal("20.00"))
    item = make_item(tenant, price=Decimal("100.00"))
    add_product_item(product, item, limit_adult=Decimal("80"))
    make_policy(family, product)

    result = check(insuree, item)

    assert result.covered_amount == Decimal("64.00")
    assert result.patient_share == Decimal("36.00")


def test_the_policy_ceiling_caps_what_is_left_of_it(tenant, usage):
    family, (insuree,) = make_family_with_insurees(tenant)
    product = make_product(tenant, max_policy=Decimal("500.00"))
    item = make_item(tenant, price=Decimal("100.00"))
    add_product_item(product, item)
    make_policy(family, product)
    usage.remunerated = {"policy": Decimal("450.00")}

    result = check(insuree, item)

    assert result.covered is True
    assert result.ceiling_left == Decimal("50.00")
    assert result.covered_amount == Decimal("50.00")
    assert result.patient_share == Decimal("50.00")


def test_worked_example_a_category_ceiling_of_55(tenant):
    # ADJUDICATION.md: lump sum 10,000, per-category ceiling 55, price 100 x 7 at 100%.
    family, (insuree,) = make_family_with_insurees(tenant)
    product = make_product(tenant, lump_sum=Decimal("10000.00"),
                           max_amount_surgery=Decimal("55.00"))
    surgery = make_service(tenant, category=ServiceCategory.SURGERY, price=Decimal("100.00"))
    add_product_service(product, surgery, limit_adult=Decimal("100"))
    make_policy(family, product)

    result = check(insuree, surgery, quantity=Decimal("7"))

    assert result.covered is True
    assert result.unit_price == Decimal("100.00")
    assert result.covered_quantity == Decimal("7")
    assert result.ceiling_left == Decimal("55.00")
    assert result.covered_amount == Decimal("55.00")
    assert result.patient_share == Decimal("645.00")


def test_a_line_excluded_from_ceilings_ignores_them(tenant, usage):
    family, (insuree,) = make_family_with_insurees(tenant)
    product = make_product(tenant, max_policy=Decimal("500.00"))
    item = make_item(tenant, price=Decimal("100.00"))
    add_product_item(product, item, ceiling_exclusion_adult="B")
    make_policy(family, product)
    usage.remunerated = {"policy": Decimal("500.00")}

    result = check(insuree, item)

    assert result.ceiling_left is None
    assert result.covered_amount == Decimal("100.00")


def test_a_line_exempt_from_hospital_ceilings_still_counts_out_patient(tenant, usage):
    family, (insuree,) = make_family_with_insurees(tenant)
    product = make_product(tenant, max_policy=Decimal("500.00"))
    item = make_item(tenant, price=Decimal("100.00"))
    add_product_item(product, item, ceiling_exclusion_adult="H")
    make_policy(family, product)
    usage.remunerated = {"policy": Decimal("450.00")}

    out_patient = check(insuree, item, care_type=CareType.OUT_PATIENT)
    in_patient = check(insuree, item, care_type=CareType.IN_PATIENT)

    assert out_patient.covered_amount == Decimal("50.00")
    assert in_patient.ceiling_left is None
    assert in_patient.covered_amount == Decimal("100.00")


def test_a_category_ceiling_applies_even_to_an_exempt_line(tenant):
    family, (insuree,) = make_family_with_insurees(tenant)
    product = make_product(tenant, max_amount_surgery=Decimal("55.00"))
    surgery = make_service(tenant, category=ServiceCategory.SURGERY, price=Decimal("100.00"))
    add_product_service(product, surgery, ceiling_exclusion_adult="B")
    make_policy(family, product)

    result = check(insuree, surgery)

    assert result.covered_amount == Decimal("55.00")


@pytest.mark.parametrize(("mask", "gender", "born", "allowed"), [
    (PatientCategory.MALE | PatientCategory.ADULT, Gender.MALE, date(1980, 1, 1), True),
    (PatientCategory.MALE | PatientCategory.ADULT, Gender.FEMALE, date(1980, 1, 1), False),
    (PatientCategory.MALE | PatientCategory.ADULT, Gender.MALE, date(2015, 1, 1), False),
    (PatientCategory.FEMALE | PatientCategory.CHILD, Gender.FEMALE, date(2015, 1, 1), True),
    (15, Gender.OTHER, date(1990, 1, 1), True),
])
def test_patient_category_needs_both_the_gender_and_the_age_bit(tenant, mask, gender, born,
                                                                allowed):
    family, (insuree,) = make_family_with_insurees(
        tenant, head={"gender": gender, "dob": born})
    product = make_product(tenant)
    item = make_item(tenant, patient_category=mask)
    add_product_item(product, item)
    make_policy(family, product)

    result = check(insuree, item)

    assert result.covered is allowed
    assert result.reasons == ([] if allowed else [RejectionReason.PATIENT_CATEGORY])


# Product choice ------------------------------------------------------------------------------


def test_of_two_products_the_one_leaving_the_smaller_share_pays(tenant):
    family, (insuree,) = make_family_with_insurees(tenant)
    item = make_item(tenant, price=Decimal("100.00"))
    half = make_product(tenant, code="HALF")
    add_product_item(half, item, limit_adult=Decimal("50"))
    fixed = make_product(tenant, code="FIXED80")
    add_product_item(fixed, item, limitation_type=LimitationType.FIXED_AMOUNT,
                     limit_adult=Decimal("80.00"))
    make_policy(family, half)
    fixed_policy = make_policy(family, fixed, start=date(2025, 2, 1))

    result = check(insuree, item)

    assert result.product == fixed
    assert result.policy == fixed_policy
    assert result.covered_amount == Decimal("80.00")
    assert result.patient_share == Decimal("20.00")


# GraphQL -------------------------------------------------------------------------------------


def test_insuree_eligibility_answers_the_cover(gql, make_user, tenant, scheme):
    item = covered_item(scheme, tenant, limit_adult=Decimal("80"))
    make_item(tenant, code="OTHER")
    make_facility(tenant, code="HF1", items=[(item, Decimal("90.00"))])

    response = gql(INSUREE_ELIGIBILITY, {
        "chfId": "100000001", "date": "2025-03-01", "itemCode": item.code, "price": "90.00",
        "quantity": "2", "healthFacilityCode": "HF1",
    }, user=make_user([READ_INSUREES]))

    assert "errors" not in response.body, response.body
    assert response.data["insureeEligibility"] == {
        "covered": True, "reasons": [], "policy": {"uuid": str(scheme.policy.uuid)},
        "product": {"code": "BASIC"}, "coveredAmount": "144.00", "patientShare": "36.00",
    }


def test_insuree_eligibility_answers_the_reasons_with_labels(gql, make_user, tenant, scheme):
    make_item(tenant, code="NOTCOV")

    response = gql(INSUREE_ELIGIBILITY, {
        "chfId": "100000001", "date": "2025-03-01", "itemCode": "NOTCOV",
    }, user=make_user([READ_INSUREES]))

    assert response.data["insureeEligibility"] == {
        "covered": False,
        "reasons": [{"code": 3, "label": "no product covers it"}],
        "policy": None, "product": None, "coveredAmount": "0.00", "patientShare": "100.00",
    }


def test_insuree_eligibility_needs_the_insuree_right(gql, make_user, scheme):
    response = gql(INSUREE_ELIGIBILITY, {"chfId": "100000001", "itemCode": "X"},
                   user=make_user([121001]))

    assert response.error_messages == ["Unauthorized"]
    assert response.data == {"insureeEligibility": None}


def test_insuree_eligibility_wants_one_of_item_and_service(gql, make_user, scheme):
    response = gql(INSUREE_ELIGIBILITY, {"chfId": "100000001", "itemCode": "X",
                                         "serviceCode": "Y"}, user=make_user([READ_INSUREES]))

    assert response.error_messages == ["Give exactly one of itemCode and serviceCode."]
    assert response.data == {"insureeEligibility": None}


def test_insuree_eligibility_does_not_find_another_tenants_facility(gql, make_user, other_tenant,
                                                                    scheme):
    make_facility(other_tenant, code="HF9")

    response = gql(INSUREE_ELIGIBILITY, {"chfId": "100000001", "itemCode": "X",
                                         "healthFacilityCode": "HF9"},
                   user=make_user([READ_INSUREES]))

    assert response.error_messages == ["No health facility HF9."]
