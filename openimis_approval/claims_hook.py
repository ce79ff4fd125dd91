"""Claims held to approvals (DESIGN.md section 6, "Claims integration"), through the claims
module's signals only (claims never import this module):

- `adjudicating_lines` (submit and process, once per batch): a claim line whose item or service
  requires pre-authorization passes only with a granted approval for the claim's insuree and
  health facility, a line for the same item or service, the claim's date of care within the
  approval's effective and expiration dates, and quantity left. The approval whose
  authorization number the claim quotes (`guarantee_id`) is tried first, then the others, those
  expiring first before the rest. None valid: rejection reason 30, given back at once.
  A claim that holds itself to one approval (`json_ext = {"fhir": {"preAuthRef": <number>}}`,
  what the FHIR API keeps of a Claim's `insurance.preAuthRef`) draws on that approval only:
  another insuree's, an expired or a missing one gives 30 as having none would.
- The quantity is an `ApprovalQuota` the receiver hands the batch (`quotas`): before
  eligibility, a line asking more than is left is cut to what is left (its `qty_approved`, as
  openIMIS cuts a line over a product's limit), and only a line with nothing left gets 31; the
  quota is drawn on only by lines that pass every other check, so a line failing eligibility
  takes nothing from a later one. Lines of one batch draw on the same approvals in turn, the
  approval lines locked for the batch.
- Submit reserves what each passing line draws (`ApprovalUsage` rows in state reserved, the
  approval line's `qty_reserved`), so a claim submitted later sees it gone; processing turns the
  reservation into use (`qty_used`), drawing again for the line's quantity then.
- `claim_rejected` / `claim_deleted`: what the claim's lines reserved or used is given back;
  `claim_reviewed`: what a review cut or rejected of a reserved line is given back.

The module setting `enforce_on_claims` (False for a payer outage) lets those lines through,
logged as a warning each time it does; reservations the batch's claims held are then given back.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from decimal import Decimal

from django.db.models import F, Q

from core.config import module_config
from core.db import update_rows
from core.registers.codes import RejectionReason
from openimis_approval.codes import GRANTED, LineDecision, UsageState
from openimis_approval.models import ApprovalLine, ApprovalUsage
from openimis_claim import signals
from openimis_claim.codes import LineStatus
from openimis_claim.models import Claim, ClaimItem

logger = logging.getLogger(__name__)

CONTEXT_KEY = "openimis_approval"
# Approval lines a claim cannot draw on, whatever their quantity.
UNUSABLE_DECISIONS = (LineDecision.DENIED, LineDecision.CANCELLED, LineDecision.PENDED)
ZERO = Decimal("0")


def _kind(line) -> str:
    return "item" if isinstance(line, ClaimItem) else "service"


def _medical(line):
    return line.item if isinstance(line, ClaimItem) else line.service


def _quantity(line) -> Decimal:
    return line.qty_approved if line.qty_approved is not None else line.qty_provided


def _approval_lines(needing: list[tuple[Claim, object]], lock: bool) -> dict[tuple, list]:
    """The usable lines of granted approvals for these claim lines, in one query, by
    (insuree, facility, kind, item or service)."""
    item_ids = {line.item_id for _claim, line in needing if _kind(line) == "item"}
    service_ids = {line.service_id for _claim, line in needing if _kind(line) == "service"}
    query = ApprovalLine.objects.filter(
        Q(item_id__in=item_ids) | Q(service_id__in=service_ids),
        request__status__in=GRANTED, request__validity_to__isnull=True,
        request__tenant_id__in={claim.tenant_id for claim, _line in needing},
        request__insuree_id__in={claim.insuree_id for claim, _line in needing},
        request__health_facility_id__in={claim.health_facility_id for claim, _line in needing},
    ).exclude(decision__in=UNUSABLE_DECISIONS).select_related("request") \
        .order_by("request__expiration_date", "pk")
    if lock:
        # Two batches drawing on the same approval: the second waits for the first's usage.
        query = query.select_for_update(of=("self",))
    found: dict[tuple, list] = defaultdict(list)
    for approval_line in query:
        request = approval_line.request
        kind, medical_id = ("item", approval_line.item_id) if approval_line.item_id else \
            ("service", approval_line.service_id)
        found[(request.insuree_id, request.health_facility_id, kind, medical_id)] \
            .append(approval_line)
    return found


def held_to(claim: Claim) -> str | None:
    """The authorization number a claim holds itself to strictly, if it names one."""
    ext = claim.json_ext if isinstance(claim.json_ext, dict) else {}
    fhir = ext.get("fhir")
    number = fhir.get("preAuthRef") if isinstance(fhir, dict) else None
    return number.strip() if isinstance(number, str) and number.strip() else None


def _valid_on(approval_line, on) -> bool:
    request = approval_line.request
    return (request.effective_date is None or request.effective_date <= on) and \
        (request.expiration_date is None or on <= request.expiration_date)


def _held(claims: list[Claim]) -> dict[tuple[str, int], ApprovalUsage]:
    """What the claims' lines reserved at submit, by (kind, claim line pk)."""
    return {(usage.claim_line_kind, usage.claim_line_id): usage
            for usage in ApprovalUsage.objects.filter(claim__in=claims,
                                                      state=UsageState.RESERVED)}


class ApprovalQuota:
    """The batch's draw on approvals (a claims `LineQuota`): what is left of each candidate
    approval line, the approval lines valid for each claim line in the order they are tried,
    and what the lines passing every check took, written by `write` with the batch."""

    reason = RejectionReason.PREAUTHORIZATION_USED_UP

    def __init__(self, step: str, valid: dict[tuple[str, int], list[ApprovalLine]],
                 candidates: list[ApprovalLine], held: dict[tuple[str, int], ApprovalUsage]):
        self.step = step
        self.valid = valid
        self.candidates = {approval_line.pk: approval_line for approval_line in candidates}
        self.held = held
        self.left = {pk: (al.qty_approved or ZERO) - al.qty_used - al.qty_reserved
                     for pk, al in self.candidates.items()}
        for usage in held.values():  # a line's own reservation is there for it again
            if usage.approval_line_id in self.left:
                self.left[usage.approval_line_id] += usage.quantity
        self.taken: dict[tuple[str, int], tuple[Claim, ApprovalLine, Decimal]] = {}

    def _choose(self, key: tuple[str, int], quantity: Decimal) -> ApprovalLine | None:
        """The line's own reservation first, then the first approval line with the whole
        quantity left, else the one with most left (a partial draw)."""
        valid = self.valid.get(key) or []
        mine = self.held.get(key)
        if mine is not None:
            valid = sorted(valid, key=lambda al: al.pk != mine.approval_line_id)
        whole = next((al for al in valid if self.left[al.pk] >= quantity), None)
        return whole or max(valid, key=lambda al: self.left[al.pk], default=None)

    def left_for(self, claim: Claim, line) -> Decimal | None:
        key = (_kind(line), line.pk)
        if key not in self.valid:
            return None
        chosen = self._choose(key, _quantity(line))
        return max(self.left[chosen.pk], ZERO) if chosen else ZERO

    def take(self, claim: Claim, line) -> None:
        key = (_kind(line), line.pk)
        if key not in self.valid:
            return
        quantity = _quantity(line)
        chosen = self._choose(key, quantity)
        if chosen is None or self.left[chosen.pk] < quantity:  # cut to what was left before
            raise RuntimeError(f"claim line {key} takes {quantity} of an approval without it")
        self.left[chosen.pk] -= quantity
        self.taken[key] = (claim, chosen, quantity)

    def write(self, claims: list[Claim], user) -> None:
        """The reservations these claims' lines held are replaced by what they took now:
        reserved again at submit, used at processing. The approval lines' counts follow."""
        done = {claim.pk for claim in claims}
        reserved: dict[int, Decimal] = defaultdict(lambda: ZERO)
        used: dict[int, Decimal] = defaultdict(lambda: ZERO)
        released = [usage for usage in self.held.values() if usage.claim_id in done]
        for usage in released:
            reserved[usage.approval_line_id] -= usage.quantity
        state = UsageState.USED if self.step == "process" else UsageState.RESERVED
        rows = []
        for (kind, line_pk), (claim, approval_line, quantity) in self.taken.items():
            if claim.pk not in done:
                continue
            (used if state == UsageState.USED else reserved)[approval_line.pk] += quantity
            rows.append(ApprovalUsage(approval_line=approval_line, claim=claim,
                                      claim_line_kind=kind, claim_line_id=line_pk,
                                      quantity=quantity, state=state))
        if released:
            ApprovalUsage.objects.filter(pk__in=[usage.pk for usage in released]).delete()
        locked, elsewhere = [], []
        for pk in reserved.keys() | used.keys():
            if not (reserved[pk] or used[pk]):
                continue
            approval_line = self.candidates.get(pk)
            if approval_line is None:  # no longer granted: not locked here, counted in SQL
                elsewhere.append(pk)
                continue
            approval_line.qty_reserved += reserved[pk]
            approval_line.qty_used += used[pk]
            locked.append(approval_line)
        # Rows locked by `screen_lines`, so the counts read there still hold.
        update_rows(ApprovalLine, locked, ["qty_reserved", "qty_used"])
        for pk in elsewhere:
            ApprovalLine.objects.filter(pk=pk).update(
                qty_reserved=F("qty_reserved") + reserved[pk], qty_used=F("qty_used") + used[pk])
        ApprovalUsage.objects.bulk_create(rows)


def screen_lines(sender, *, step, claims, lines, context, quotas=None, **kwargs) -> dict:
    """The `adjudicating_lines` receiver: {claim line: 30} for the lines no approval covers;
    the others' quantities are the `ApprovalQuota` it appends to `quotas`."""
    needing = [(claim, line) for claim in claims for line in lines.get(claim.pk, ())
               if _medical(line).requires_preauthorization]
    held = _held(claims)
    if not needing and not held:
        return {}
    enforced = module_config("approval")["enforce_on_claims"]
    if needing and not enforced:
        codes = sorted({claim.code for claim, _line in needing})
        logger.warning(
            "Pre-authorization NOT enforced (approval setting enforce_on_claims is off): "
            "%d claim line(s) requiring it let through at %s, claims %s%s", len(needing), step,
            ", ".join(codes[:20]), " ..." if len(codes) > 20 else "")
    if not enforced:
        needing = []
    # Two batches drawing on the same approval: the second waits for the first's usage.
    candidates = _approval_lines(needing, lock=True) if needing else {}
    valid_for: dict[tuple[str, int], list[ApprovalLine]] = {}
    refused = {}
    for claim, line in needing:
        kind = _kind(line)
        key = (claim.insuree_id, claim.health_facility_id, kind,
               line.item_id if kind == "item" else line.service_id)
        valid = [approval_line for approval_line in candidates.get(key, ())
                 if _valid_on(approval_line, claim.date_from)]
        strict = held_to(claim)
        if strict:
            valid = [al for al in valid if al.request.authorization_number == strict]
        elif claim.guarantee_id:
            # The approval the claim quotes first (a stable sort keeps the others' order).
            valid.sort(key=lambda al: al.request.authorization_number != claim.guarantee_id)
        if not valid:
            refused[line] = RejectionReason.PREAUTHORIZATION_REQUIRED
            continue
        valid_for[(kind, line.pk)] = valid
    if quotas is not None:
        quotas.append(ApprovalQuota(step, valid_for, [
            al for found in candidates.values() for al in found], held))
    return refused


def give_back(sender, *, claim, **kwargs) -> None:
    """The `claim_rejected` / `claim_deleted` receiver: what the claim's lines reserved or used
    of approvals is theirs again."""
    usages = list(ApprovalUsage.objects.filter(claim=claim))
    if not usages:
        return
    _release(usages, {usage.pk: usage.quantity for usage in usages})
    logger.info("Claim %s gave back pre-authorized quantities %s", claim.code,
                {usage.approval_line_id: str(usage.quantity) for usage in usages})


def fit_to_review(sender, *, claim, **kwargs) -> None:
    """The `claim_reviewed` receiver: a reserved line the medical officer rejected gives its
    reservation back, one whose approved quantity was cut below it gives back the difference
    (processing draws again for a quantity raised above it)."""
    usages = list(ApprovalUsage.objects.filter(claim=claim, state=UsageState.RESERVED))
    if not usages:
        return
    current = {("item", line.pk): line for line in claim.items.all()}
    current.update({("service", line.pk): line for line in claim.services.all()})
    returned = {}
    for usage in usages:
        line = current.get((usage.claim_line_kind, usage.claim_line_id))
        keep = ZERO if line is None or line.status != LineStatus.PASSED or \
            line.validity_to is not None else min(usage.quantity, _quantity(line))
        if keep < usage.quantity:
            returned[usage.pk] = usage.quantity - keep
    if returned:
        _release([usage for usage in usages if usage.pk in returned], returned)


def _release(usages: list[ApprovalUsage], quantities: dict[int, Decimal]) -> None:
    """Give back `quantities[usage.pk]` of each usage row (the whole row goes when it is all
    of it), from the approval lines' reserved or used counts."""
    by_line: dict[int, dict[str, Decimal]] = defaultdict(
        lambda: {"qty_reserved": ZERO, "qty_used": ZERO})
    gone = []
    for usage in usages:
        quantity = quantities[usage.pk]
        field = "qty_used" if usage.state == UsageState.USED else "qty_reserved"
        by_line[usage.approval_line_id][field] += quantity
        if quantity >= usage.quantity:
            gone.append(usage.pk)
        else:
            ApprovalUsage.objects.filter(pk=usage.pk).update(quantity=usage.quantity - quantity)
    for approval_line_id, fields in by_line.items():
        ApprovalLine.objects.filter(pk=approval_line_id).update(
            **{field: F(field) - amount for field, amount in fields.items()})
    ApprovalUsage.objects.filter(pk__in=gone).delete()


def connect() -> None:
    """Called by `ApprovalConfig.ready()`."""
    signals.adjudicating_lines.connect(screen_lines, dispatch_uid="openimis-approval-screen")
    signals.claim_reviewed.connect(fit_to_review, dispatch_uid="openimis-approval-reviewed")
    signals.claim_rejected.connect(give_back, dispatch_uid="openimis-approval-rejected")
    signals.claim_deleted.connect(give_back, dispatch_uid="openimis-approval-deleted")
