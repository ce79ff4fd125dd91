"""Claims held to approvals: a claim line whose item or service requires pre-authorization
passes submit and process only with a granted approval (reasons 30 / 31 otherwise), processing
records what it used, a rejected or deleted claim gives it back, the enforcement switch, and
claims working without the approval module."""

import itertools
import json
import logging
import textwrap
import threading
import weakref
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection, transaction

from core.models import ModuleConfiguration
from core.registers.codes import RejectionReason
from core.registers.models import MedicalService
from openimis_approval import claims_hook
from openimis_approval.codes import ApprovalStatus, LineDecision
from openimis_approval.models import ApprovalLine, ApprovalRequest, ApprovalUsage
from openimis_claim import signals
from openimis_claim.codes import ClaimStatus, LineStatus
from openimis_claim.models import Claim, ClaimItem, ClaimService
from openimis_claim.services import (
    delete_claims,
    process_claims,
    save_claim_review,
    submit_claims,
)
from tests.core.test_modules import run_with_modules
from tests.factories import make_claim, make_claim_scene, make_facility

pytestmark = pytest.mark.django_db

S = ApprovalStatus
_numbers = itertools.count(1)


@pytest.fixture
def scene(tenant, make_user):
    scene = make_claim_scene(tenant)
    scene.item.requires_preauthorization = True
    scene.item.save(update_fields=["requires_preauthorization"])
    scene.user = make_user(superuser=True)
    return scene


def grant(scene, qty="5", *, used="0", status=S.APPROVED, facility=None, medical=None,
          effective=date(2025, 2, 1), expiration=date(2025, 4, 30), auth=None) -> ApprovalLine:
    """A decided approval with one line (the scene's item unless `medical`)."""
    number = next(_numbers)
    request = ApprovalRequest.objects.create(
        tenant=scene.insuree.tenant, number=f"PA-2025-{number:06d}", status=status,
        insuree=scene.insuree, health_facility=facility or scene.facility,
        authorization_number=auth or f"AUTH-2025-{number:06d}", effective_date=effective,
        expiration_date=expiration)
    medical = medical or scene.item
    key = "service" if isinstance(medical, MedicalService) else "item"
    return ApprovalLine.objects.create(
        request=request, **{key: medical}, qty_requested=Decimal(qty),
        price_requested=medical.price, qty_approved=Decimal(qty), qty_used=Decimal(used),
        decision=LineDecision.APPROVED)


def claim_of(scene, qty=2, **overrides) -> Claim:
    """A claim with the pre-authorized item (x qty) and a consultation (no approval needed)."""
    return make_claim(scene.insuree.tenant, insuree=scene.insuree,
                      health_facility=scene.facility, icd=scene.diagnosis,
                      items=[(scene.item, qty, "2.50")], services=[scene.service], **overrides)


def run(step, scene, *claims):
    outcome = step(scene.user, [str(claim.uuid) for claim in claims])
    assert outcome.errors == []
    for claim in claims:
        claim.refresh_from_db()


def item_line(claim) -> ClaimItem:
    return ClaimItem.objects.get(claim=claim)


def used(approval_line) -> Decimal:
    approval_line.refresh_from_db()
    return approval_line.qty_used


def test_without_approval_the_line_is_rejected_30_at_submit(scene):
    claim = claim_of(scene)

    run(submit_claims, scene, claim)

    line = item_line(claim)
    assert (line.status, line.rejection_reason) == (LineStatus.REJECTED,
                                                    RejectionReason.PREAUTHORIZATION_REQUIRED)
    assert ClaimService.objects.get(claim=claim).status == LineStatus.PASSED
    assert claim.status == ClaimStatus.CHECKED


def test_a_claim_of_only_unapproved_lines_is_rejected_with_30(scene):
    claim = make_claim(scene.insuree.tenant, insuree=scene.insuree,
                       health_facility=scene.facility, icd=scene.diagnosis, items=[scene.item])

    run(submit_claims, scene, claim)

    assert claim.status == ClaimStatus.REJECTED
    assert claim.rejection_reason == RejectionReason.PREAUTHORIZATION_REQUIRED


def test_a_granted_approval_lets_the_line_pass_and_processing_records_the_use(scene):
    approval = grant(scene, qty="5")
    claim = claim_of(scene, qty=2)

    run(submit_claims, scene, claim)
    assert item_line(claim).status == LineStatus.PASSED
    assert (used(approval), reserved(approval)) == (0, Decimal("2"))  # reserved, not used yet

    run(process_claims, scene, claim)

    line = item_line(claim)
    assert claim.status == ClaimStatus.VALUATED
    assert line.status == LineStatus.PASSED
    assert line.remunerated_amount > 0
    assert used(approval) == Decimal("2")
    usage = ApprovalUsage.objects.get()
    assert (usage.approval_line, usage.claim, usage.claim_line_kind, usage.claim_line_id,
            usage.quantity) == (approval, claim, "item", line.pk, Decimal("2"))


@pytest.mark.parametrize("status", [S.PARTIALLY_APPROVED, S.APPEAL_APPROVED])
def test_every_granted_status_counts(scene, status):
    grant(scene, status=status)
    claim = claim_of(scene)

    run(submit_claims, scene, claim)

    assert item_line(claim).status == LineStatus.PASSED


@pytest.mark.parametrize("status", [S.SUBMITTED, S.UNDER_REVIEW, S.DENIED, S.EXPIRED,
                                    S.CANCELLED])
def test_an_approval_not_granted_does_not_count(scene, status):
    grant(scene, status=status)
    claim = claim_of(scene)

    run(submit_claims, scene, claim)

    assert item_line(claim).rejection_reason == RejectionReason.PREAUTHORIZATION_REQUIRED


def reserved(approval_line) -> Decimal:
    approval_line.refresh_from_db()
    return approval_line.qty_reserved


def usages() -> list[tuple]:
    return list(ApprovalUsage.objects.order_by("pk").values_list(
        "claim_id", "quantity", "state"))


def test_quantity_used_up_is_31(scene):
    grant(scene, qty="5", used="5")
    claim = claim_of(scene, qty=2)

    run(submit_claims, scene, claim)

    assert item_line(claim).rejection_reason == RejectionReason.PREAUTHORIZATION_USED_UP


def test_a_line_asking_more_than_is_left_is_approved_what_is_left(scene):
    approval = grant(scene, qty="5", used="4")
    claim = claim_of(scene, qty=3)

    run(submit_claims, scene, claim)

    line = item_line(claim)
    assert (line.status, line.rejection_reason, line.qty_provided, line.qty_approved) == (
        LineStatus.PASSED, RejectionReason.ACCEPTED, Decimal("3"), Decimal("1"))
    assert (used(approval), reserved(approval)) == (Decimal("4"), Decimal("1"))

    run(process_claims, scene, claim)

    line = item_line(claim)
    assert (line.status, line.qty_approved) == (LineStatus.PASSED, Decimal("1"))
    assert line.remunerated_amount == Decimal("2.00")  # 1 x 2.50 at 80%, not 3
    assert (used(approval), reserved(approval)) == (Decimal("5"), Decimal("0"))
    assert usages() == [(claim.pk, Decimal("1"), "used")]


def test_submit_reserves_so_a_claim_submitted_later_gets_what_is_left(scene):
    approval = grant(scene, qty="5")
    first, second, third = claim_of(scene, qty=3), claim_of(scene, qty=3), claim_of(scene)

    run(submit_claims, scene, first)
    assert (used(approval), reserved(approval)) == (Decimal("0"), Decimal("3"))
    run(submit_claims, scene, second)
    run(submit_claims, scene, third)

    assert (item_line(second).status, item_line(second).qty_approved) == (
        LineStatus.PASSED, Decimal("2"))
    assert item_line(third).rejection_reason == RejectionReason.PREAUTHORIZATION_USED_UP
    assert third.status == ClaimStatus.CHECKED  # its consultation still passes
    assert reserved(approval) == Decimal("5")
    assert usages() == [(first.pk, Decimal("3"), "reserved"),
                        (second.pk, Decimal("2"), "reserved")]

    run(process_claims, scene, second, first)  # the order given no longer matters

    assert [item_line(c).qty_approved for c in (first, second)] == [None, Decimal("2")]
    assert {item_line(c).status for c in (first, second)} == {LineStatus.PASSED}
    assert (used(approval), reserved(approval)) == (Decimal("5"), Decimal("0"))
    assert sorted(usages()) == sorted([(first.pk, Decimal("3"), "used"),
                                       (second.pk, Decimal("2"), "used")])


@pytest.mark.parametrize("reverse", [False, True])
def test_claims_of_one_batch_draw_on_the_approval_in_turn(scene, reverse):
    approval = grant(scene, qty="5")
    first, second = claim_of(scene, qty=3), claim_of(scene, qty=3)
    if reverse:  # the order given decides
        first, second = second, first

    run(submit_claims, scene, first, second)

    assert (item_line(first).qty_approved, item_line(second).qty_approved) == (
        None, Decimal("2"))
    assert reserved(approval) == Decimal("5")


def test_a_line_failing_eligibility_takes_nothing_from_a_later_line(scene):
    """The hook's author's case: the earlier line used to draw the approval before eligibility
    refused it, and the later line was refused 31."""
    approval = grant(scene, qty="3", effective=date(2024, 12, 1))
    uncovered = claim_of(scene, qty=3, date_from=date(2024, 12, 15),
                         date_claimed=date(2024, 12, 16))  # before the policy: 21
    covered = claim_of(scene, qty=3)

    run(submit_claims, scene, uncovered, covered)

    assert item_line(uncovered).rejection_reason == RejectionReason.NO_COVERAGE
    assert item_line(uncovered).qty_approved is None
    assert (item_line(covered).status, item_line(covered).qty_approved) == (
        LineStatus.PASSED, None)
    assert usages() == [(covered.pk, Decimal("3"), "reserved")]

    run(process_claims, scene, covered)

    assert item_line(covered).status == LineStatus.PASSED
    assert (used(approval), reserved(approval)) == (Decimal("3"), Decimal("0"))


def test_a_line_failing_eligibility_at_processing_gives_its_reservation_back(scene):
    approval = grant(scene, qty="5")
    claim = claim_of(scene, qty=2)
    run(submit_claims, scene, claim)
    assert reserved(approval) == Decimal("2")
    scene.item.frequency = 30  # a same item given 10 days before now refuses the line: 5
    scene.item.save(update_fields=["frequency"])
    earlier = claim_of(scene, qty=1, date_from=date(2025, 2, 20), date_claimed=date(2025, 2, 21))
    run(submit_claims, scene, earlier)
    run(process_claims, scene, earlier)

    run(process_claims, scene, claim)

    assert item_line(claim).rejection_reason == RejectionReason.FREQUENCY
    assert claim.status == ClaimStatus.VALUATED  # the consultation still passes
    assert (used(approval), reserved(approval)) == (Decimal("1"), Decimal("0"))  # earlier's
    assert usages() == [(earlier.pk, Decimal("1"), "used")]


@pytest.mark.parametrize("event", ["rejected", "deleted"])
def test_a_checked_claim_rejected_or_deleted_gives_its_reservation_to_the_next(scene, event):
    approval = grant(scene, qty="5")
    first, second = claim_of(scene, qty=4), claim_of(scene, qty=4)
    run(submit_claims, scene, first)
    run(submit_claims, scene, second)
    assert item_line(second).qty_approved == Decimal("1")

    if event == "rejected":
        review = save_claim_review(scene.user, str(first.uuid), {"items": [
            {"id": item_line(first).pk, "status": LineStatus.REJECTED}], "services": [
            {"id": ClaimService.objects.get(claim=first).pk, "status": LineStatus.REJECTED}]})
        assert review.errors == []
        first.refresh_from_db()
        assert first.status == ClaimStatus.REJECTED
    else:
        signals.claim_deleted.send(sender=Claim, claim=first, user=scene.user)

    assert (used(approval), reserved(approval)) == (Decimal("0"), Decimal("1"))
    assert usages() == [(second.pk, Decimal("1"), "reserved")]
    third = claim_of(scene, qty=4)
    run(submit_claims, scene, third)
    assert (item_line(third).status, item_line(third).qty_approved) == (
        LineStatus.PASSED, None)


def test_a_review_cutting_a_reserved_line_gives_back_the_difference(scene):
    approval = grant(scene, qty="5")
    claim = claim_of(scene, qty=4)
    run(submit_claims, scene, claim)

    assert save_claim_review(scene.user, str(claim.uuid), {"items": [
        {"id": item_line(claim).pk, "qty_approved": "1"}]}).errors == []

    assert reserved(approval) == Decimal("1")
    assert usages() == [(claim.pk, Decimal("1"), "reserved")]
    run(process_claims, scene, claim)
    assert (used(approval), reserved(approval)) == (Decimal("1"), Decimal("0"))


def test_a_review_rejecting_a_reserved_line_gives_it_all_back(scene):
    approval = grant(scene, qty="5")
    claim = claim_of(scene, qty=4)
    run(submit_claims, scene, claim)

    assert save_claim_review(scene.user, str(claim.uuid), {"items": [
        {"id": item_line(claim).pk, "status": LineStatus.REJECTED}]}).errors == []

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CHECKED  # the consultation still passes
    assert reserved(approval) == Decimal("0")
    assert usages() == []


def test_a_review_raising_a_line_above_its_reservation_draws_the_rest_at_processing(scene):
    approval = grant(scene, qty="5", used="2")
    claim = claim_of(scene, qty=4)
    run(submit_claims, scene, claim)
    assert item_line(claim).qty_approved == Decimal("3")
    ApprovalLine.objects.filter(pk=approval.pk).update(qty_used=Decimal("1"))  # a give-back

    assert save_claim_review(scene.user, str(claim.uuid), {"items": [
        {"id": item_line(claim).pk, "qty_approved": "4"}]}).errors == []
    run(process_claims, scene, claim)

    assert item_line(claim).qty_approved == Decimal("4")
    assert (used(approval), reserved(approval)) == (Decimal("5"), Decimal("0"))


@pytest.mark.parametrize(("effective", "expiration"), [
    (date(2025, 1, 1), date(2025, 2, 28)),   # expired before the date of care
    (date(2025, 3, 2), date(2025, 4, 30)),   # effective only after it
])
def test_an_approval_outside_the_date_of_care_is_30(scene, effective, expiration):
    grant(scene, effective=effective, expiration=expiration)
    claim = claim_of(scene)  # date of care 2025-03-01

    run(submit_claims, scene, claim)

    assert item_line(claim).rejection_reason == RejectionReason.PREAUTHORIZATION_REQUIRED


def test_the_validity_bounds_are_inclusive(scene):
    grant(scene, effective=date(2025, 3, 1), expiration=date(2025, 3, 1))
    claim = claim_of(scene)

    run(submit_claims, scene, claim)

    assert item_line(claim).status == LineStatus.PASSED


def test_another_facilitys_approval_is_30(tenant, scene):
    grant(scene, facility=make_facility(tenant, items=[scene.item]))
    claim = claim_of(scene)

    run(submit_claims, scene, claim)

    assert item_line(claim).rejection_reason == RejectionReason.PREAUTHORIZATION_REQUIRED


def test_an_approval_for_another_item_is_30(tenant, scene):
    grant(scene, medical=scene.service)
    claim = claim_of(scene)

    run(submit_claims, scene, claim)

    assert item_line(claim).rejection_reason == RejectionReason.PREAUTHORIZATION_REQUIRED


def test_an_approval_withdrawn_after_submit_rejects_the_line_at_process(scene):
    approval = grant(scene)
    claim = claim_of(scene)
    run(submit_claims, scene, claim)
    ApprovalRequest.objects.filter(pk=approval.request_id).update(status=S.CANCELLED)

    run(process_claims, scene, claim)

    assert item_line(claim).rejection_reason == RejectionReason.PREAUTHORIZATION_REQUIRED
    assert used(approval) == 0


def test_the_quoted_authorization_number_is_used_first(scene):
    sooner = grant(scene, expiration=date(2025, 3, 31))
    quoted = grant(scene, expiration=date(2025, 4, 30), auth="AUTH-QUOTED")
    plain, quoting = claim_of(scene), claim_of(scene, guarantee_id="AUTH-QUOTED")

    for claim in (plain, quoting):
        run(submit_claims, scene, claim)
        run(process_claims, scene, claim)

    assert ApprovalUsage.objects.get(claim=plain).approval_line == sooner
    assert ApprovalUsage.objects.get(claim=quoting).approval_line == quoted
    assert (used(sooner), used(quoted)) == (Decimal("2"), Decimal("2"))


def test_a_quoted_approval_used_up_falls_back_to_another(scene):
    other = grant(scene, qty="5")
    quoted = grant(scene, qty="5", used="5", auth="AUTH-QUOTED")
    claim = claim_of(scene, guarantee_id="AUTH-QUOTED")

    run(submit_claims, scene, claim)
    run(process_claims, scene, claim)

    assert (used(other), used(quoted)) == (Decimal("2"), Decimal("5"))


def test_a_claim_rejected_at_processing_uses_nothing(scene, tenant):
    approval = grant(scene)
    claim = make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                       icd=scene.diagnosis, items=[(scene.item, 2, "2.50")])
    run(submit_claims, scene, claim)
    # The policy lapses between submit and process: every line is rejected by eligibility.
    scene.policy.expiry_date = date(2025, 2, 1)
    scene.policy.save(update_fields=["expiry_date"])
    scene.insuree.insuree_policies.update(expiry_date=date(2025, 2, 1))

    run(process_claims, scene, claim)

    assert claim.status == ClaimStatus.REJECTED
    assert used(approval) == 0
    assert not ApprovalUsage.objects.exists()


@pytest.mark.parametrize("event", [signals.claim_rejected, signals.claim_deleted])
def test_a_claim_rejected_or_deleted_after_processing_gives_the_quantity_back(scene, event):
    approval = grant(scene, qty="5")
    claim, kept = claim_of(scene, qty=2), claim_of(scene, qty=1)
    for step in (submit_claims, process_claims):
        run(step, scene, claim, kept)
    assert used(approval) == Decimal("3")

    event.send(sender=Claim, claim=claim, user=scene.user)

    assert used(approval) == Decimal("1")
    assert list(ApprovalUsage.objects.values_list("claim_id", flat=True)) == [kept.pk]
    event.send(sender=Claim, claim=claim, user=scene.user)  # nothing left to give back
    assert used(approval) == Decimal("1")


def test_deleting_an_entered_claim_has_nothing_to_give_back(scene):
    approval = grant(scene, used="1")
    claim = claim_of(scene)

    assert delete_claims(scene.user, [str(claim.uuid)]).errors == []

    assert used(approval) == Decimal("1")


def test_enforcement_off_lets_the_lines_through_and_logs_it(scene, caplog):
    ModuleConfiguration.objects.create(module="approval", layer="be",
                                       config={"enforce_on_claims": False})
    claim = claim_of(scene)

    with caplog.at_level(logging.WARNING, logger="openimis_approval.claims_hook"):
        run(submit_claims, scene, claim)
        run(process_claims, scene, claim)

    assert item_line(claim).status == LineStatus.PASSED
    assert claim.status == ClaimStatus.VALUATED
    warnings = [r for r in caplog.records if r.name == "openimis_approval.claims_hook"]
    assert len(warnings) == 2
    assert all(r.levelno == logging.WARNING for r in warnings)
    assert "NOT enforced" in warnings[0].getMessage()
    assert claim.code in warnings[0].getMessage()
    assert not ApprovalUsage.objects.exists()


def test_claims_without_preauthorized_lines_log_nothing(scene, caplog):
    ModuleConfiguration.objects.create(module="approval", layer="be",
                                       config={"enforce_on_claims": False})
    claim = make_claim(scene.insuree.tenant, insuree=scene.insuree,
                       health_facility=scene.facility, icd=scene.diagnosis,
                       services=[scene.service])

    with caplog.at_level(logging.WARNING):
        run(submit_claims, scene, claim)

    assert claim.status == ClaimStatus.CHECKED
    assert not [r for r in caplog.records if r.name == "openimis_approval.claims_hook"]


def test_the_batch_is_screened_once_and_another_module_may_refuse_lines(scene):
    grant(scene, qty="10")
    first, second = claim_of(scene), claim_of(scene)
    calls = []

    def refuse_consultations(sender, *, step, claims, lines, context, **kwargs):
        calls.append((step, sorted(claim.pk for claim in claims),
                      sum(len(found) for found in lines.values())))
        return {(ClaimService, line.pk): RejectionReason.INVALID_CLAIM
                for found in lines.values() for line in found
                if isinstance(line, ClaimService) and line.claim_id == second.pk}

    signals.adjudicating_lines.connect(refuse_consultations)
    try:
        run(submit_claims, scene, first, second)
    finally:
        signals.adjudicating_lines.disconnect(refuse_consultations)

    assert calls == [("submit", sorted([first.pk, second.pk]), 4)]
    assert ClaimService.objects.get(claim=first).status == LineStatus.PASSED
    assert ClaimService.objects.get(claim=second).rejection_reason == \
        RejectionReason.INVALID_CLAIM
    assert item_line(second).status == LineStatus.PASSED


def test_the_receivers_are_connected_with_the_approval_module():
    assert claims_hook.screen_lines in _receivers(signals.adjudicating_lines)
    assert claims_hook.fit_to_review in _receivers(signals.claim_reviewed)
    assert claims_hook.give_back in _receivers(signals.claim_rejected)
    assert claims_hook.give_back in _receivers(signals.claim_deleted)


def _receivers(signal) -> list:
    found = [entry[1] for entry in signal.receivers]
    return [ref() if isinstance(ref, weakref.ReferenceType) else ref for ref in found]


WITHOUT_APPROVALS = textwrap.dedent("""
    import json
    import django
    django.setup()
    from django.core.management import call_command
    call_command("check", fail_level="ERROR", verbosity=0)
    call_command("migrate", verbosity=0)
    from django.apps import apps
    from core.models import Tenant, User
    from openimis_claim import signals
    from openimis_claim.models import ClaimItem
    from openimis_claim.services import process_claims, submit_claims
    from tests.factories import make_claim, make_claim_scene

    tenant = Tenant.objects.create(code="T1", name="Scheme")
    scene = make_claim_scene(tenant)
    scene.item.requires_preauthorization = True
    scene.item.save()
    user = User.objects.create_user(username="op", password="pw-pw-pw-1", tenant=tenant,
                                    is_superuser=True)
    claim = make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                       icd=scene.diagnosis, items=[(scene.item, 2, "2.50")])
    errors = [step(user, [str(claim.uuid)]).errors for step in (submit_claims, process_claims)]
    claim.refresh_from_db()
    line = ClaimItem.objects.get(claim=claim)
    print(json.dumps({
        "approval_installed": apps.is_installed("openimis_approval"),
        "receivers": [len(s.receivers) for s in (
            signals.adjudicating_lines, signals.claim_lines_processed)],
        "errors": errors, "claim_status": claim.status,
        "line": [line.status, line.rejection_reason],
    }))
""")


def test_claims_work_as_before_without_the_approval_module():
    result = run_with_modules("core,openimis_claim,tests.sampleapp", "-c", WITHOUT_APPROVALS)

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["approval_installed"] is False
    assert found["receivers"] == [0, 0]
    assert found["errors"] == [[], []]
    assert found["claim_status"] == ClaimStatus.VALUATED
    assert found["line"] == [LineStatus.PASSED, RejectionReason.ACCEPTED]


# --- A claim held to the approval it quotes (FHIR `insurance.preAuthRef`) ------------------------


def held_claim(scene, number, qty=2, **overrides) -> Claim:
    """A claim as the FHIR API stores one quoting `insurance.preAuthRef`: the number both as
    the guarantee and in `json_ext`."""
    return claim_of(scene, qty=qty, guarantee_id=number,
                    json_ext={"fhir": {"preAuthRef": number}}, **overrides)


def test_a_claim_held_to_its_approval_draws_on_that_one_only(scene):
    quoted = grant(scene, qty="5", auth="AUTH-HELD", expiration=date(2025, 12, 31))
    other = grant(scene, qty="5", auth="AUTH-OTHER", expiration=date(2025, 3, 31))
    claim = held_claim(scene, "AUTH-HELD")

    run(submit_claims, scene, claim)
    run(process_claims, scene, claim)

    assert item_line(claim).status == LineStatus.PASSED
    assert (used(quoted), used(other)) == (Decimal("2"), Decimal("0"))


@pytest.mark.parametrize("case", ["missing", "expired", "other insuree", "denied",
                                  "outside its dates"])
def test_a_claim_held_to_an_unusable_approval_is_rejected_30_despite_others(scene, case):
    grant(scene, qty="5", auth="AUTH-FALLBACK")  # would do for a claim not held to one
    if case == "expired":
        grant(scene, auth="AUTH-HELD", status=S.EXPIRED)
    elif case == "denied":
        grant(scene, auth="AUTH-HELD", status=S.DENIED)
    elif case == "outside its dates":
        grant(scene, auth="AUTH-HELD", effective=date(2025, 4, 1))
    elif case == "other insuree":
        from tests.factories import make_family_with_insurees

        _family, (stranger,) = make_family_with_insurees(scene.insuree.tenant)
        line = grant(scene, auth="AUTH-HELD")
        ApprovalRequest.objects.filter(pk=line.request_id).update(insuree=stranger)
    claim = held_claim(scene, "AUTH-HELD")

    run(submit_claims, scene, claim)

    line = item_line(claim)
    assert (line.status, line.rejection_reason) == (LineStatus.REJECTED,
                                                    RejectionReason.PREAUTHORIZATION_REQUIRED)
    assert ClaimService.objects.get(claim=claim).status == LineStatus.PASSED


def test_a_claim_held_to_an_approval_used_up_is_rejected_31(scene):
    grant(scene, qty="5", auth="AUTH-HELD", used="5")
    grant(scene, qty="5", auth="AUTH-FALLBACK")
    claim = held_claim(scene, "AUTH-HELD", qty=2)

    run(submit_claims, scene, claim)

    line = item_line(claim)
    assert (line.status, line.rejection_reason) == (LineStatus.REJECTED,
                                                    RejectionReason.PREAUTHORIZATION_USED_UP)


def test_a_guarantee_alone_still_falls_back_to_other_approvals(scene):
    grant(scene, qty="5", auth="AUTH-FALLBACK")
    claim = claim_of(scene, guarantee_id="AUTH-NOWHERE")

    run(submit_claims, scene, claim)

    assert item_line(claim).status == LineStatus.PASSED


@pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"],
                    reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_submits_at_once_share_the_approval_exactly(scene):
    approval = grant(scene, qty="5")
    claims = [claim_of(scene, qty=4), claim_of(scene, qty=4)]
    barrier, errors = threading.Barrier(2), []

    def submit(claim):
        try:
            barrier.wait()
            with transaction.atomic():
                errors.extend(submit_claims(scene.user, [str(claim.uuid)]).errors)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(claim,)) for claim in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(str(item_line(claim).qty_approved) for claim in claims) == ["1.00", "None"]
    assert (used(approval), reserved(approval)) == (Decimal("0"), Decimal("5"))
    assert sorted(q for _claim, q, _state in usages()) == [Decimal("1"), Decimal("4")]
