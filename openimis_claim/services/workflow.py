"""The claim workflow after entry: submit, feedback, review, process, valuate.

Submit and process check every line with core's eligibility service (the adjudication engine
refines the rules), after other modules had their say on the batch's lines
(`signals.adjudicating_lines`); a claim whose every line is rejected is rejected.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils import timezone

from core.bounds import check_bounds
from core.config import module_config
from core.db import insert_rows, update_rows
from core.gql.errors import MutationError
from core.gql.mutations import MutationOutcome
from core.registers.codes import CareType, PriceOrigin, RejectionReason
from core.registers.coverage_data import load_coverage
from core.registers.eligibility import check_eligibility
from core.registers.models import Officer
from core.scoping import parse_pk, scope_queryset
from openimis_claim import signals
from openimis_claim.codes import (
    SELECTION_MOVES,
    STATUS_MOVES,
    ClaimCareType,
    ClaimStatus,
    LineStatus,
    ReviewStatus,
)
from openimis_claim.models import (
    Claim,
    ClaimDedRem,
    ClaimItem,
    ClaimService,
    ClaimStatusHistory,
    Feedback,
)
from openimis_claim.services.common import (
    ClaimError,
    claim_for_change,
    for_each_claim,
    recompute_amounts,
    record_change,
    require_scheme_side,
    require_status,
    track_versions,
    write_versions,
)
from openimis_claim.usage import ClaimUsage

ZERO = Decimal("0")
CARE_TYPES = {ClaimCareType.IN_PATIENT: CareType.IN_PATIENT,
              ClaimCareType.OUT_PATIENT: CareType.OUT_PATIENT}
# What adjudication changes, written for a whole batch at once.
LINE_FIELDS = ("status", "rejection_reason", "price_adjusted", "qty_approved", "price_valuated",
               "remunerated_amount", "deductible_amount", "exceed_ceiling_amount", "product",
               "policy")
CLAIM_FIELDS = ("status", "review_status", "feedback_status", "claimed", "approved", "valuated",
                "remunerated", "rejection_reason", "submit_stamp", "process_stamp",
                "date_processed")


def _lines(claim: Claim, passed_only: bool = False) -> list[ClaimItem | ClaimService]:
    lines = [*claim.items.filter(validity_to__isnull=True).select_related("item"),
             *claim.services.filter(validity_to__isnull=True).select_related("service")]
    return [ln for ln in lines if ln.status == LineStatus.PASSED] if passed_only else lines


class Adjudication:
    """What checking a batch of claims needs, loaded once: their lines, the registers
    (`load_coverage`) and what earlier claims used (`ClaimUsage`). Each claim checked is then
    counted, so a later claim of the same insuree in the batch sees the limits it used.

    With a `step` ("submit" or "process"), other modules screen the batch's lines still to decide
    once (`signals.adjudicating_lines`): `refusal(line)` is the reason a module refused a line
    with, and after a process batch is written `signals.claim_lines_processed` tells them which
    lines passed."""

    def __init__(self, claims: list[Claim], step: str | None = None) -> None:
        self.step = step
        track_versions(claims)  # as loaded: `flush` versions those whose header changed
        pks = [claim.pk for claim in claims]
        self.lines: dict[int, list] = defaultdict(list)
        for line in ClaimItem.objects.filter(claim_id__in=pks, validity_to__isnull=True) \
                .select_related("item").order_by("pk"):
            self.lines[line.claim_id].append(line)
        for line in ClaimService.objects.filter(claim_id__in=pks, validity_to__isnull=True) \
                .select_related("service").order_by("pk"):
            self.lines[line.claim_id].append(line)
        self.usage = ClaimUsage({claim.insuree_id for claim in claims})
        config = module_config("claim")
        self.disabled = frozenset(config["disabled_rules"])
        self.validations_disabled = bool(config["default_validations_disabled"])
        self.changed: list[tuple[Claim, list, tuple]] = []
        self.history: list[ClaimStatusHistory] = []
        self.ledger: list[ClaimDedRem] = []
        self.data = {}
        for tenant_id in {claim.tenant_id for claim in claims}:
            mine = [claim for claim in claims if claim.tenant_id == tenant_id]
            lines = [line for claim in mine for line in self.lines[claim.pk]]
            data = load_coverage(
                tenant_id, chf_ids={claim.insuree.chf_id for claim in mine},
                item_codes={ln.item.code for ln in lines if isinstance(ln, ClaimItem)},
                service_codes={ln.service.code for ln in lines if isinstance(ln, ClaimService)},
                facilities={claim.health_facility for claim in mine})
            data.usage = self.usage
            self.data[tenant_id] = data
        # Shared by the receivers of this batch's signals (each under its own key).
        self.context: dict[str, Any] = {}
        self.refused: dict[tuple[type, int], int] = {}
        self.quotas: list[signals.LineQuota] = []
        if step is not None:
            self.screen(claims, step)

    @staticmethod
    def _key(line) -> tuple[type, int]:
        if isinstance(line, tuple):
            model, pk = line
            return model._meta.concrete_model, int(pk)
        return type(line)._meta.concrete_model, line.pk

    def screen(self, claims: list[Claim], step: str) -> None:
        """Ask other modules, once for the whole batch, which lines they refuse: the lines a
        `step` decides (every line at submit, the passed ones at process) of the claims it may
        move. The first reason given for a line wins."""
        todo = [claim for claim in claims if claim.status in STATUS_MOVES[step]
                and not (step == "submit" and claim.date_claimed < claim.date_from)]
        lines = {claim.pk: self.lines_of(claim, passed_only=step == "process") for claim in todo}
        if not any(lines.values()):
            return
        answers = signals.adjudicating_lines.send(sender=Claim, step=step, claims=todo,
                                                  lines=lines, context=self.context,
                                                  quotas=self.quotas)
        for _receiver, refused in answers:
            for line, reason in (refused or {}).items():
                self.refused.setdefault(self._key(line), int(reason))

    def refusal(self, line) -> int | None:
        """The reason another module refused the line with (None: not refused)."""
        return self.refused.get(self._key(line)) if self.refused else None

    def held_back(self, claim: Claim, line) -> int | None:
        """Before eligibility: the reason another module refuses the line with, else the line
        is cut (`qty_approved`) to what the modules' quotas leave it, or refused with a quota's
        reason when one leaves nothing. None: the line goes on to eligibility."""
        refusal = self.refusal(line)
        if refusal is not None:
            return refusal
        for quota in self.quotas:
            left = quota.left_for(claim, line)
            if left is None:
                continue
            if left <= 0:
                return int(quota.reason)
            if left < _quantity(line):
                line.qty_approved = left
        return None

    def take(self, claim: Claim, line) -> None:
        """The line passed every check: the quotas give it its quantity (written by `flush`)."""
        for quota in self.quotas:
            quota.take(claim, line)

    def lines_of(self, claim: Claim, passed_only: bool = False) -> list:
        lines = self.lines[claim.pk]
        return [ln for ln in lines if ln.status == LineStatus.PASSED] if passed_only else lines

    def check(self, claim: Claim, line: ClaimItem | ClaimService):
        """The eligibility of one line on the claim's date of care (its own usage excluded)."""
        is_item = isinstance(line, ClaimItem)
        quantity = _quantity(line)
        price = line.price_approved if line.price_approved is not None else line.price_asked
        return check_eligibility(
            tenant_id=claim.tenant_id, chf_id=claim.insuree.chf_id, on_date=claim.date_from,
            item_code=line.item.code if is_item else None,
            service_code=None if is_item else line.service.code,
            price=price, quantity=quantity, health_facility=claim.health_facility,
            care_type=CARE_TYPES.get(claim.care_type), visit_type=claim.visit_type,
            exclude=claim, data=self.data[claim.tenant_id], disabled=self.disabled,
        )

    def stage(self, claim: Claim, lines: list, *events) -> None:
        """Keep a claim's changes for `flush` and count the claim as used from now on; `events`
        are the domain signals to send for it once written."""
        self.changed.append((claim, lines, events))
        self.usage.add_claim(claim, lines)

    def flush(self, user) -> None:
        """Write every staged claim, line, history row and earlier version (a few statements
        for the whole batch), then send each claim's signals, inside the same transaction."""
        lines = [line for _claim, claim_lines, _events in self.changed for line in claim_lines]
        for model in (ClaimItem, ClaimService):
            update_rows(model, [line for line in lines if isinstance(line, model)], LINE_FIELDS)
        claims = [claim for claim, _lines, _events in self.changed]
        update_rows(Claim, claims, CLAIM_FIELDS)
        write_versions(claims, user)
        insert_rows(ClaimStatusHistory, self.history)
        insert_rows(ClaimDedRem, self.ledger)
        for quota in self.quotas:
            quota.write(claims, user)
        if self.step == "process":
            passed = [(claim, [line for line in claim_lines if line.status == LineStatus.PASSED])
                      for claim, claim_lines, _events in self.changed
                      if claim.status != ClaimStatus.REJECTED]
            if passed:
                signals.claim_lines_processed.send(
                    sender=Claim, claims=[claim for claim, _lines in passed],
                    lines={claim.pk: lines for claim, lines in passed}, context=self.context,
                    user=user)
        for claim, _lines, events in self.changed:
            for event in events:
                event.send(sender=Claim, claim=claim, user=user)
        self.changed.clear()
        self.history.clear()
        self.ledger.clear()

    def record_ledger(self, claim: Claim, decided: list[tuple[Any, Any]]) -> None:
        """One ledger row per policy that paid lines of the claim (lines with their verdicts)."""
        by_policy: dict[int, ClaimDedRem] = {}
        for line, verdict in decided:
            if line.status != LineStatus.PASSED or line.policy_id is None:
                continue
            row = by_policy.setdefault(line.policy_id, ClaimDedRem(
                claim=claim, policy_id=line.policy_id, insuree_id=claim.insuree_id))
            row.deducted += verdict.deducted
            row.remunerated += line.remunerated_amount or ZERO
            row.exceeding_ceiling += verdict.exceeding_ceiling
            if verdict.ceiling_hit and not row.ceiling_hit:
                row.ceiling_hit = verdict.ceiling_hit
            if verdict.ceiling_left is not None:
                left = verdict.ceiling_left - (line.remunerated_amount or ZERO)
                row.ceiling_left = left if row.ceiling_left is None else min(row.ceiling_left,
                                                                             left)
        self.ledger.extend(by_policy.values())


def _quantity(line) -> Decimal:
    return line.qty_approved if line.qty_approved is not None else line.qty_provided


def _reject_line(line, reason: int) -> None:
    line.status = LineStatus.REJECTED
    line.rejection_reason = int(reason)


def _verdict(claim: Claim, lines, user, passed_status: int, reason: str,
             pending: list | None = None) -> bool:
    """Rejected when no line passed, otherwise `passed_status`; amounts follow the lines.
    True when the claim was rejected."""
    rejected = not any(line.status == LineStatus.PASSED for line in lines)
    if rejected:
        record_change(claim, "status", ClaimStatus.REJECTED, user, "every line rejected", pending)
        claim.rejection_reason = lines[0].rejection_reason if lines else \
            RejectionReason.INVALID_CLAIM
    else:
        record_change(claim, "status", passed_status, user, reason, pending)
    recompute_amounts(claim, lines)
    return rejected


def _conclude(claim: Claim, lines, user, passed_status: int, reason: str) -> None:
    if _verdict(claim, lines, user, passed_status, reason):
        claim.save()
        signals.claim_rejected.send(sender=Claim, claim=claim, user=user)
        return
    claim.save()


def submit_claims(user, uuids: list[str]) -> MutationOutcome:
    """Entered claims are checked line by line: passed lines get the adjusted price (the
    facility's price list), rejected ones their reason."""

    batch: list[Adjudication] = []

    def submit(claim: Claim) -> None:
        require_status(claim, STATUS_MOVES["submit"], "submitting")
        adjudication = batch[0]
        lines = adjudication.lines_of(claim)
        if claim.date_claimed < claim.date_from:
            # 9 (target date): claimed before the care was given; no line can pass.
            for line in lines:
                line.price_adjusted = line.price_asked
                _reject_line(line, RejectionReason.TARGET_DATE)
            lines = []
        elif adjudication.validations_disabled:
            # Without the default checks; what another module refuses or cuts stays so.
            for line in lines:
                line.status, line.rejection_reason = LineStatus.PASSED, RejectionReason.ACCEPTED
                line.price_adjusted = line.price_asked
                asked = line.qty_approved
                refusal = adjudication.held_back(claim, line)
                if refusal is not None:
                    line.qty_approved = asked
                    _reject_line(line, refusal)
                else:
                    adjudication.take(claim, line)
            lines = []
        for line in lines:
            # A quota (a pre-authorization's quantity) cuts the line before eligibility values
            # it, and is drawn on only once the line passed every check.
            asked = line.qty_approved
            refusal = adjudication.held_back(claim, line)
            verdict = adjudication.check(claim, line)
            line.price_adjusted = verdict.unit_price
            line.product, line.policy = verdict.product, verdict.policy
            if refusal is not None:
                line.qty_approved = asked
                _reject_line(line, refusal)
            elif verdict.covered:
                line.status, line.rejection_reason = LineStatus.PASSED, RejectionReason.ACCEPTED
                if verdict.quantity_left is not None and verdict.covered_quantity < \
                        line.qty_provided:
                    line.qty_approved = verdict.covered_quantity
                adjudication.take(claim, line)
            else:
                line.qty_approved = asked
                _reject_line(line, verdict.reasons[0])
        lines = adjudication.lines_of(claim)
        claim.submit_stamp = timezone.now()
        rejected = _verdict(claim, lines, user, ClaimStatus.CHECKED, "submitted",
                            adjudication.history)
        adjudication.stage(claim, lines, *([signals.claim_rejected] if rejected else []),
                           signals.claim_submitted)

    done, errors = for_each_claim(
        user, uuids, submit, prepare=lambda claims: batch.append(Adjudication(claims, "submit")),
        finish=lambda: batch and batch[0].flush(user))
    return MutationOutcome(uuids=[str(c.uuid) for c in done], errors=errors)


def move_selection(user, uuids: list[str], field: str, action: str,
                   unchanged: set[str] | None = None) -> MutationOutcome:
    """Select, skip, bypass or deliver the review (`review_status`) or feedback
    (`feedback_status`) of checked claims, as SELECTION_MOVES allows; the uuids of claims
    already where the move leads go into `unchanged`."""
    starts, target = SELECTION_MOVES[action]
    what = "review" if field == "review_status" else "feedback"
    require_scheme_side(user, f"{action} a claim's {what}")

    def move(claim: Claim) -> None:
        require_status(claim, STATUS_MOVES[what], f"a {what} move")
        current = getattr(claim, field)
        if current not in starts:
            raise ClaimError(
                f"Claim {claim.code}: {what} is {ReviewStatus(current).label}; cannot "
                f"{action} it", code="wrong_status", detail={field: current})
        if current == target:
            if unchanged is not None:
                unchanged.add(str(claim.uuid))
            return
        record_change(claim, field, target, user, reason=f"{what} {action}")
        claim.save(update_fields=[field])

    done, errors = for_each_claim(user, uuids, move)
    return MutationOutcome(uuids=[str(c.uuid) for c in done], errors=errors)


def deliver_claim_feedback(user, claim_uuid: str, feedback: dict[str, Any]) -> MutationOutcome:
    require_scheme_side(user, "deliver a claim's feedback")
    claim = claim_for_change(user, claim_uuid)
    try:
        require_status(claim, STATUS_MOVES["feedback"], "feedback")
        if claim.feedback_status != ReviewStatus.SELECTED:
            raise ClaimError(f"Claim {claim.code} is not selected for feedback",
                             code="wrong_status", detail={"feedback_status":
                                                          claim.feedback_status})
    except ClaimError as exc:
        raise MutationError(errors=[exc.entry]) from None
    assessment = feedback.get("asessment")
    if assessment is not None and not -1 <= int(assessment) <= 5:
        raise MutationError("asessment must be between -1 and 5", code="invalid_number",
                            detail="asessment")
    officer = None
    if feedback.get("officer_id"):
        officer = scope_queryset(user, Officer.objects.filter(pk=feedback["officer_id"])).first()
        if officer is None:
            raise MutationError(f"No officer {feedback['officer_id']}", code="not_found",
                                detail="officerId")
    Feedback.objects.update_or_create(claim=claim, defaults={
        "officer": officer,
        "feedback_date": feedback.get("feedback_date") or timezone.localdate(),
        "care_rendered": feedback.get("care_rendered"),
        "payment_asked": feedback.get("payment_asked"),
        "drug_prescribed": feedback.get("drug_prescribed"),
        "drug_received": feedback.get("drug_received"),
        "asessment": assessment,
    })
    record_change(claim, "feedback_status", ReviewStatus.DELIVERED, user, "feedback delivered")
    claim.save(update_fields=["feedback_status"])
    signals.claim_feedback_delivered.send(sender=Claim, claim=claim, user=user)
    return MutationOutcome(uuids=[str(claim.uuid)])


def _review_line(line, row: dict[str, Any], label: str) -> None:
    for name in ("qty_approved", "price_approved"):
        value = row.get(name)
        if value not in (None, ""):
            value = Decimal(str(value))
            if value < 0:
                raise MutationError(f"{label} {name} must be zero or more", code="invalid_number",
                                    detail=label)
            setattr(line, name, value)
    if row.get("justification") is not None:
        line.justification = row["justification"]
    status = row.get("status")
    if status is not None and int(status) == LineStatus.REJECTED:
        _reject_line(line, row.get("rejection_reason") or
                     RejectionReason.REJECTED_BY_MEDICAL_OFFICER)
    elif status is not None and int(status) == LineStatus.PASSED:
        line.status, line.rejection_reason = LineStatus.PASSED, RejectionReason.ACCEPTED
    check_bounds(line, label=label)
    line.save()
    _review_parts(line, row, label)


# A review row's package parts: (input list, code key, the line's parts, their register field).
REVIEWED_PARTS = (("service_item_set", "sub_item_code", "sub_items", "item"),
                  ("service_service_set", "sub_service_code", "sub_services", "service"))


def _review_parts(line, row: dict[str, Any], label: str) -> None:
    """The medical officer's quantities of a package line's parts (the app's `qtyAdjusted`),
    matched to the parts stored on the line by code; parts sent without one are left as they
    are (the app sends every part back)."""
    given = [(key, part) for key, *_rest in REVIEWED_PARTS for part in row.get(key) or []]
    if not given:
        return
    if not isinstance(line, ClaimService):
        raise MutationError(f"{label}: only a service line has package parts",
                            code="invalid_parts", detail=label)
    for set_key, code_key, related, fk in REVIEWED_PARTS:
        stored = {getattr(part, fk).code: part
                  for part in getattr(line, related).select_related(fk)}
        for index, part in enumerate(row.get(set_key) or [], start=1):
            if part.get("qty_adjusted") in (None, ""):
                continue
            part_label = f"{label} {fk} part {index}"
            sub_line = stored.get(str(part.get(code_key) or ""))
            if sub_line is None:
                raise MutationError(f"{part_label}: no {fk} {part.get(code_key)} in this package "
                                    "line", code="not_found", detail=part_label)
            quantity = Decimal(str(part["qty_adjusted"]))
            if quantity < 0:
                raise MutationError(f"{part_label} qtyAdjusted must be zero or more",
                                    code="invalid_number", detail=part_label)
            sub_line.qty_approved = quantity
            check_bounds(sub_line, label=part_label)
            sub_line.save(update_fields=["qty_approved"])


def save_claim_review(user, claim_uuid: str, data: dict[str, Any]) -> MutationOutcome:
    """The medical officer's quantities, prices and verdicts per line; the review is delivered
    and `approved` recomputed. Rejecting every line rejects the claim.

    Any checked claim may be reviewed, selected for review or not (as in openIMIS, whose web
    app opens the review form of every checked claim whose review is not delivered), except one
    whose review was bypassed."""
    require_scheme_side(user, "review a claim")
    claim = claim_for_change(user, claim_uuid)
    try:
        require_status(claim, STATUS_MOVES["review"], "a review")
        if claim.review_status == ReviewStatus.BYPASSED:
            raise ClaimError(f"Claim {claim.code}: its review was bypassed",
                             code="wrong_status", detail={"review_status": claim.review_status})
    except ClaimError as exc:
        raise MutationError(errors=[exc.entry]) from None
    for key, model in (("items", ClaimItem), ("services", ClaimService)):
        lines = {line.pk: line for line in model.objects.filter(claim=claim)}
        for index, row in enumerate(data.get(key) or [], start=1):
            line_id = row.get("id")
            line = lines.get(parse_pk(line_id))
            if line is None:
                raise MutationError(f"No {key[:-1]} line {line_id} on claim {claim.code}",
                                    code="not_found", detail=f"{key} {index}")
            _review_line(line, row, f"{key[:-1]} line {index}")
    if data.get("adjustment") is not None:
        claim.adjustment = data["adjustment"]
    record_change(claim, "review_status", ReviewStatus.DELIVERED, user, "review saved")
    _conclude(claim, _lines(claim), user, ClaimStatus.CHECKED, "reviewed")
    signals.claim_reviewed.send(sender=Claim, claim=claim, user=user)
    return MutationOutcome(uuids=[str(claim.uuid)])


def deliver_claims_review(user, uuids: list[str]) -> MutationOutcome:
    unchanged: set[str] = set()
    outcome = move_selection(user, uuids, "review_status", "deliver", unchanged)
    for claim in Claim.objects.filter(uuid__in=set(outcome.uuids) - unchanged):
        signals.claim_reviewed.send(sender=Claim, claim=claim, user=user)
    return outcome


def process_claims(user, uuids: list[str]) -> MutationOutcome:
    """Checked claims are checked again (limits may have been used meanwhile) and valued: lines
    at fixed prices get their valuated amount now and the claim is valuated (16); a claim with a
    relative-priced line waits, processed (8), for the period's valuation. A review or feedback
    still selected is bypassed."""
    require_scheme_side(user, "process claims")
    batch: list[Adjudication] = []

    def process(claim: Claim) -> None:
        require_status(claim, STATUS_MOVES["process"], "processing")
        adjudication = batch[0]
        lines = adjudication.lines_of(claim)
        relative = False
        # Lines are decided in order; each one's deduction and payment counts for the next.
        adjudication.usage.forget(claim)
        decided = []
        for line in lines:
            if line.status != LineStatus.PASSED:
                continue
            asked = line.qty_approved
            refusal = adjudication.held_back(claim, line)
            if refusal is not None:
                line.qty_approved = asked
                _reject_line(line, refusal)
                adjudication.usage.add_line(claim, line)
                continue
            verdict = adjudication.check(claim, line)
            if not verdict.covered:
                line.qty_approved = asked
                _reject_line(line, verdict.reasons[0])
            elif verdict.line is not None and verdict.line.price_origin == PriceOrigin.RELATIVE:
                relative = True
                line.price_valuated = line.remunerated_amount = None
            else:
                line.price_valuated = line.remunerated_amount = verdict.covered_amount
                line.deductible_amount = verdict.deducted
                line.exceed_ceiling_amount = verdict.exceeding_ceiling
            if line.status == LineStatus.PASSED:
                adjudication.take(claim, line)
            adjudication.usage.add_line(claim, line)
            decided.append((line, verdict))
        adjudication.record_ledger(claim, decided)
        for field in ("review_status", "feedback_status"):
            if getattr(claim, field) == ReviewStatus.SELECTED:
                record_change(claim, field, ReviewStatus.BYPASSED, user, "bypassed by processing",
                              adjudication.history)
        claim.date_processed = timezone.localdate()
        claim.process_stamp = timezone.now()
        target = ClaimStatus.PROCESSED if relative else ClaimStatus.VALUATED
        rejected = _verdict(claim, lines, user, target, "processed", adjudication.history)
        events = [signals.claim_rejected] if rejected else [signals.claim_processed]
        if claim.status == ClaimStatus.VALUATED:
            events.append(signals.claim_valuated)
        adjudication.stage(claim, lines, *events)

    done, errors = for_each_claim(
        user, uuids, process, prepare=lambda claims: batch.append(Adjudication(claims, "process")),
        finish=lambda: batch and batch[0].flush(user))
    return MutationOutcome(uuids=[str(c.uuid) for c in done], errors=errors)


def valuate_claims(user, uuids: list[str]) -> MutationOutcome:
    """Processed claims: relative-priced lines are valued at their approved amount (index 1)
    and the claim is valuated. The period's batch valuation with its pool replaces this."""
    require_scheme_side(user, "valuate claims")

    def valuate(claim: Claim) -> None:
        require_status(claim, STATUS_MOVES["valuate"], "valuation")
        for line in _lines(claim, passed_only=True):
            if line.price_valuated is None:
                line.price_valuated = line.remunerated_amount = line.approved_amount()
                line.save(update_fields=["price_valuated", "remunerated_amount"])
        record_change(claim, "status", ClaimStatus.VALUATED, user, "valuated")
        recompute_amounts(claim)
        claim.save()
        signals.claim_valuated.send(sender=Claim, claim=claim, user=user)

    done, errors = for_each_claim(user, uuids, valuate)
    return MutationOutcome(uuids=[str(c.uuid) for c in done], errors=errors)
