"""Demo claims (`seed_demo --claims`): every status, consistent amounts, deterministic, and the
demo clerk is HF001's claim administrator."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from core.demo import DemoSize, seed_demo
from core.models import Tenant, User
from core.registers.codes import PolicyStatus
from core.registers.models import (
    HealthFacility,
    InsureePolicy,
    ItemsPricelistDetail,
    ServicesPricelistDetail,
)
from core.registers.seeding import seed_registers
from openimis_claim.codes import ClaimStatus, LineStatus, ReviewStatus
from openimis_claim.demo import seed_claims
from openimis_claim.models import (
    Claim,
    ClaimAdmin,
    ClaimItem,
    ClaimService,
    ClaimStatusHistory,
    ClaimVersion,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 1)
SIZE = DemoSize(insurees=300, facilities=12, claims=80, seed=42, today=TODAY)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, seeded once for this module's tests (each runs in a savepoint of it) and rolled
    back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo(SIZE)
        yield Tenant.objects.get(code="DEMO1")
        transaction.set_rollback(True)


def lines_of(claim):
    return [*claim.items.all(), *claim.services.all()]


def test_demo_claims_reach_every_status_with_review_and_feedback_spread(demo):
    claims = Claim.objects.filter(tenant=demo)
    statuses = Counter(claims.values_list("status", flat=True))

    assert claims.count() == 80
    assert set(statuses) == set(ClaimStatus.values)
    checked = claims.filter(status=ClaimStatus.CHECKED)
    assert checked.filter(review_status=ReviewStatus.SELECTED).exists()
    assert checked.filter(feedback_status=ReviewStatus.SELECTED).exists()
    assert checked.filter(review_status=ReviewStatus.IDLE, feedback_status=ReviewStatus.IDLE) \
        .exists()
    reviews = set(claims.values_list("review_status", flat=True))
    feedbacks = set(claims.values_list("feedback_status", flat=True))
    assert {ReviewStatus.IDLE, ReviewStatus.NOT_SELECTED, ReviewStatus.SELECTED,
            ReviewStatus.DELIVERED, ReviewStatus.BYPASSED} <= reviews
    assert {ReviewStatus.IDLE, ReviewStatus.SELECTED, ReviewStatus.DELIVERED,
            ReviewStatus.BYPASSED} <= feedbacks
    assert claims.filter(feedback_status=ReviewStatus.DELIVERED, feedback__isnull=False).exists()
    # The second tenant has a tenth of them.
    assert Claim.objects.filter(tenant__code="DEMO2").count() == 8


def test_demo_claim_amounts_follow_their_lines(demo):
    claims = Claim.objects.filter(tenant=demo).prefetch_related("items", "services")

    for claim in claims:
        lines = lines_of(claim)
        assert 1 <= len(lines) <= 5, claim.code
        assert claim.claimed == sum(ln.qty_provided * ln.price_asked for ln in lines), claim.code
        passed = [ln for ln in lines if ln.status == LineStatus.PASSED]
        if claim.status == ClaimStatus.ENTERED:
            assert claim.approved is None
            assert not claim.history.exists()
            continue
        assert claim.approved == sum((ln.approved_amount() for ln in passed), Decimal("0"))
        assert claim.history.filter(field="status").exists(), claim.code
        if claim.status == ClaimStatus.VALUATED:
            assert claim.valuated == sum(ln.price_valuated for ln in passed), claim.code
            assert claim.date_processed is not None
        if claim.status == ClaimStatus.PROCESSED:
            assert any(ln.price_valuated is None for ln in passed), claim.code
        if claim.status == ClaimStatus.REJECTED:
            assert not passed


def test_demo_claims_are_plausible_care(demo):
    claims = Claim.objects.filter(tenant=demo).select_related("health_facility", "admin")
    first_stamp = ClaimStatusHistory.objects.filter(claim__tenant=demo).order_by("at").first()

    for claim in claims:
        assert claim.date_from <= (claim.date_to or claim.date_from) <= claim.date_claimed <= \
            TODAY
        assert claim.admin.health_facility_id == claim.health_facility_id
        assert InsureePolicy.objects.filter(
            insuree_id=claim.insuree_id, policy__status=PolicyStatus.ACTIVE,
            effective_date__lte=claim.date_from, expiry_date__gte=claim.date_from).exists()
        facility = claim.health_facility
        for line in claim.items.all():
            assert ItemsPricelistDetail.objects.filter(
                pricelist_id=facility.items_pricelist_id, item_id=line.item_id).exists()
        for line in claim.services.all():
            assert ServicesPricelistDetail.objects.filter(
                pricelist_id=facility.services_pricelist_id, service_id=line.service_id).exists()
    assert first_stamp.at.date() >= claims.order_by("date_claimed").first().date_claimed
    assert not ClaimStatusHistory.objects.filter(claim__tenant=demo, at__date__gt=TODAY).exists()
    assert len({c.icd_id for c in claims}) > 5


def test_no_demo_claim_line_asks_more_than_its_per_claim_maximum(demo):
    """The web app saves no claim (nor its review) with a line over the item's or service's
    maximum per claim: a demo claim that did could not be reviewed there."""
    over = [(line.claim.code, line.item.code, line.qty_provided)
            for line in ClaimItem.objects.filter(claim__tenant=demo).select_related("claim",
                                                                                     "item")
            if line.item.maximum_amount is not None
            and line.qty_provided > line.item.maximum_amount]
    over += [(line.claim.code, line.service.code, line.qty_provided)
             for line in ClaimService.objects.filter(claim__tenant=demo)
             .select_related("claim", "service")
             if line.service.maximum_amount is not None
             and line.qty_provided > line.service.maximum_amount]

    assert over == []
    assert ClaimService.objects.filter(claim__tenant=demo, qty_provided__gt=1).exists()


def test_every_facility_has_claim_administrators_and_the_clerk_is_hf001s(demo):
    clerk = User.objects.get(username="clerk")

    # As in openIMIS, the administrator's code is its login: the web app prefills a new claim
    # with the administrator whose code is the logged-in username.
    assert clerk.claim_admin.code == "clerk"
    codes = list(ClaimAdmin.objects.filter(tenant=demo).exclude(user=clerk).order_by("pk")
                 .values_list("code", flat=True))
    assert codes[:3] == ["CA0001", "CA0002", "CA0003"]
    assert len(set(codes)) == len(codes)
    assert clerk.claim_admin.health_facility.code == "HF001"
    assert clerk.claim_admin.health_facility == clerk.health_facility
    facilities = HealthFacility.objects.filter(tenant=demo)
    assert set(ClaimAdmin.objects.filter(tenant=demo).values_list("health_facility", flat=True)) \
        == set(facilities.values_list("pk", flat=True))
    assert Claim.objects.filter(tenant=demo, admin=clerk.claim_admin).exists()
    # The services ran as a system user nobody can log in as.
    system = User.objects.get(username="system-demo1")
    assert not system.has_usable_password()
    assert not system.roles.exists()


def test_a_tenant_with_claims_is_left_as_it_is(demo):
    before = list(Claim.objects.order_by("pk").values_list("uuid", "status", "claimed"))

    _users, seeded = seed_demo(SIZE)

    assert seeded["DEMO1"].total == 0
    assert list(Claim.objects.order_by("pk").values_list("uuid", "status", "claimed")) == before


def test_the_same_seed_gives_the_same_claims(tenant):
    seed_registers(tenant, insurees=300, facilities=6, seed=3, today=TODAY)
    size = DemoSize(claims=40, seed=3, today=TODAY)

    def run():
        with transaction.atomic():
            result = seed_claims(tenant, size)
            claims = list(Claim.objects.filter(tenant=tenant).order_by("uuid").values_list(
                "uuid", "code", "status", "review_status", "feedback_status", "claimed",
                "approved", "valuated", "insuree__chf_id", "health_facility__code",
                "admin__code", "icd__code", "date_from", "date_to", "date_claimed",
                "date_processed", "submit_stamp", "process_stamp"))
            lines = [list(model.objects.filter(claim__tenant=tenant).order_by(
                "claim__uuid", f"{key}__code").values_list(
                "claim__uuid", f"{key}__code", "qty_provided", "price_asked", "price_adjusted",
                "qty_approved", "status", "rejection_reason", "price_valuated"))
                for model, key in ((ClaimItem, "item"), (ClaimService, "service"))]
            history = list(ClaimStatusHistory.objects.filter(claim__tenant=tenant).order_by(
                "claim__uuid", "at", "field", "to_status").values_list(
                "claim__uuid", "field", "from_status", "to_status", "at"))
            transaction.set_rollback(True)
        return result.counts, claims, lines, history

    first, second = run(), run()

    assert first[0]["claims"] == 40
    assert len(first[3]) > 40
    assert first == second


def test_demo_claim_versions_follow_each_claims_own_timeline(demo):
    """The claim page's history of a demo claim reads as the claim's life, not as the seeding
    run: every earlier version ended on the claim's timeline, with a status change there."""
    versions = ClaimVersion.objects.filter(claim__tenant=demo).select_related("claim")
    assert versions.filter(claim__status=ClaimStatus.VALUATED).exists()
    history = {(row.claim_id, row.at) for row in ClaimStatusHistory.objects.filter(
        claim__tenant=demo)}
    for version in versions:
        assert version.validity_to.date() <= TODAY
        assert version.validity_to >= version.claim.validity_from
        assert (version.claim_id, version.validity_to) in history
