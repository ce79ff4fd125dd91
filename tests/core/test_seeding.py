"""The register generator: deterministic, realistic, and refusing to double-seed."""

from collections import Counter
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from core.models import Tenant, User
from core.registers.codes import InsureeStatus, MaritalStatus, PackageType, PolicyStatus
from core.registers.models import (
    Family,
    HealthFacility,
    Insuree,
    InsureePolicy,
    ItemsPricelistDetail,
    MedicalService,
    Policy,
    ProductService,
    ServicesPricelistDetail,
)
from core.registers.seeding import _chf_id, seed_registers

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


def test_package_services_hold_items_and_services_at_their_register_prices(seeded):
    packages = {s.code: s for s in MedicalService.objects.filter(tenant=seeded).exclude(
        packagetype=PackageType.SIMPLE).prefetch_related("services_linked__item",
                                                         "serviceservice_set__service")}

    assert {code: p.packagetype for code, p in packages.items()} == {
        "P001": PackageType.PACKAGE, "F001": PackageType.FIXED_PACKAGE,
        "P002": PackageType.PACKAGE}
    malaria = packages["P001"]
    held = [(line.service.code, line.qty_provided) for line in malaria.serviceservice_set.all()]
    held += [(line.item.code, line.qty_provided) for line in malaria.services_linked.all()]
    assert sorted(held) == [("0001", 12), ("0004", 24), ("C001", 1), ("O002", 1)]
    lines = [*malaria.serviceservice_set.all(), *malaria.services_linked.all()]
    assert all(line.price_asked == (getattr(line, "service", None) or line.item).price
               for line in lines)
    assert malaria.price == sum(line.price_asked * line.qty_provided for line in lines)
    assert (packages["P002"].manual_price, packages["P002"].price) == (True, Decimal("9.50"))
    for package in packages.values():  # claimable at every facility, covered by every product
        assert ServicesPricelistDetail.objects.filter(service=package).count() == 6
        assert ProductService.objects.filter(service=package).count() == 2


def test_insurees_have_what_an_enrolment_officer_records(seeded):
    insurees = list(Insuree.objects.filter(tenant=seeded).select_related("family", "photo"))
    adults = [i for i in insurees if i.age_on(TODAY) >= 18]
    members = [i for i in insurees if not i.head]

    assert all(i.status == InsureeStatus.ACTIVE for i in insurees)
    assert all(i.relationship_id is None for i in insurees if i.head)
    assert all(i.relationship_id is not None for i in members)
    assert Counter(i.marital for i in adults)[MaritalStatus.MARRIED] > len(adults) / 2
    assert all(i.marital == MaritalStatus.SINGLE for i in insurees if i not in adults)
    assert sum(i.profession_id is not None for i in adults) == len(adults)
    assert 0.5 < sum(i.type_of_id_id is not None for i in adults) / len(adults) < 0.7
    assert all(i.passport.startswith(i.type_of_id_id) for i in adults if i.type_of_id_id)
    assert 0.6 < sum(i.photo_id is not None for i in insurees) / len(insurees) < 0.8
    assert all(i.photo.filename.startswith(i.chf_id) for i in insurees if i.photo_id)
    poor = [i.family for i in insurees if i.head and i.family.poverty]
    assert poor
    assert all(f.confirmation_type_id and f.confirmation_no for f in poor)
    assert all(i.family.family_type_id == "H" for i in insurees)
