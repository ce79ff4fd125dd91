"""The register generator: deterministic, realistic, and refusing to double-seed."""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from core.codes import PolicyStatus
from core.models import (
    Family,
    HealthFacility,
    Insuree,
    InsureePolicy,
    ItemsPricelistDetail,
    Policy,
    Tenant,
    User,
)
from core.seeding import _chf_id, seed_registers

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 1)


def luhn_valid(number: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


@pytest.fixture
def seeded(tenant):
    seed_registers(tenant, insurees=2000, facilities=12, seed=7, today=TODAY)
    return tenant


def test_the_same_seed_gives_the_same_data(tenant):
    def run():
        with transaction.atomic():
            seed_registers(tenant, insurees=300, facilities=6, seed=3, today=TODAY)
            rows = list(Insuree.objects.filter(tenant=tenant).order_by("chf_id").values_list(
                "uuid", "chf_id", "last_name", "other_names", "dob", "gender"))
            transaction.set_rollback(True)
        return rows

    first, second = run(), run()

    assert len(first) == 300
    assert first == second


def test_insurance_numbers_are_unique_nine_digits_with_a_check_digit(seeded):
    numbers = list(Insuree.objects.filter(tenant=seeded).values_list("chf_id", flat=True))

    assert len(numbers) == len(set(numbers)) == 2000
    assert all(len(n) == 9 and n.isdigit() and luhn_valid(n) for n in numbers)
    assert _chf_id(10000001) == "100000017"


def test_families_have_one_head_and_one_to_eight_members(seeded):
    sizes = Counter(Insuree.objects.filter(tenant=seeded).values_list("family_id", flat=True))

    assert set(sizes.values()) <= set(range(1, 9))
    assert max(sizes.values()) == 8
    assert min(sizes.values()) == 1
    families = Family.objects.filter(tenant=seeded).select_related("head_insuree")
    assert all(f.head_insuree is not None and f.head_insuree.head for f in families)
    assert Insuree.objects.filter(tenant=seeded, head=True).count() == families.count()


def test_ages_genders_and_policy_statuses_are_spread(seeded):
    insurees = list(Insuree.objects.filter(tenant=seeded))
    ages = [i.age_on(TODAY) for i in insurees]
    genders = Counter(i.gender_id for i in insurees)
    statuses = Counter(Policy.objects.filter(tenant=seeded).values_list("status", flat=True))

    assert min(ages) == 0
    assert 85 <= max(ages) <= 90
    assert sum(age < 18 for age in ages) > len(ages) * 0.3
    assert genders["M"] > 0.35 * len(insurees)
    assert genders["F"] > 0.35 * len(insurees)
    assert statuses[PolicyStatus.ACTIVE] > sum(statuses.values()) / 2
    assert statuses[PolicyStatus.EXPIRED] > 0
    assert statuses[PolicyStatus.SUSPENDED] > 0
    assert statuses[PolicyStatus.IDLE] > 0


def test_every_insuree_is_covered_by_their_family_policies(seeded):
    members = Insuree.objects.filter(tenant=seeded).count()
    covered = InsureePolicy.objects.filter(insuree__tenant=seeded).values("insuree").distinct()

    assert covered.count() == members
    active_now = InsureePolicy.objects.filter(
        insuree__tenant=seeded, policy__status=PolicyStatus.ACTIVE,
        effective_date__lte=TODAY, expiry_date__gte=TODAY)
    assert active_now.values("insuree").distinct().count() > members / 2


def test_facilities_form_a_hierarchy_per_district_with_their_own_prices(seeded):
    facilities = HealthFacility.objects.filter(tenant=seeded).select_related("location")
    levels_by_district = {}
    for facility in facilities:
        levels_by_district.setdefault(facility.location.name, set()).add(facility.level)

    assert all("H" in levels for levels in levels_by_district.values())
    assert len(levels_by_district) == 6
    overridden = ItemsPricelistDetail.objects.filter(pricelist__tenant=seeded,
                                                     price_overrule__isnull=False)
    assert overridden.exists()
    assert any(d.price_overrule != d.item.price for d in overridden.select_related("item"))


def test_a_tenant_with_insurees_is_not_seeded_again(seeded):
    result = seed_registers(seeded, insurees=500, facilities=3, seed=99, today=TODAY)

    assert result.total == 0
    assert Insuree.objects.filter(tenant=seeded).count() == 2000


def test_seed_demo_command_sizes_both_tenants(settings):
    settings.DEBUG = True
    out = StringIO()

    call_command("seed_demo", "--insurees", "200", "--facilities", "8", "--claims", "0",
                 "--seed", "5", "--today", "2026-11-01", "--no-progress", stdout=out)

    first, second = Tenant.objects.get(code="DEMO1"), Tenant.objects.get(code="DEMO2")
    assert Insuree.objects.filter(tenant=first).count() == 200
    assert Insuree.objects.filter(tenant=second).count() == 50
    assert HealthFacility.objects.filter(tenant=first).count() == 8
    assert User.objects.get(username="clerk").health_facility.code == "HF001"
    assert "DEMO1: " in out.getvalue()
    assert "200 insurees" in out.getvalue()
