"""Claims held to approvals (DESIGN.md section 6, "Claims integration"), through the claims
module's signals only (claims never import this module):

- `adjudicating_lines` (submit and process, once per batch): a claim line whose item or service
  requires pre-authorization passes only with a granted approval for the claim's insuree and
  health facility, a line for the same item or service, the claim's date of care within the
  approval's effective and expiration dates, and the line's quantity left. The approval whose
  authorization number the claim quotes (`guarantee_id`) is tried first, then the others, those
  expiring first before the rest. None valid: rejection reason 30; valid ones but none with the
  quantity left: 31. Lines of one batch draw on the same approvals in turn.
  A claim that holds itself to one approval (`json_ext = {"fhir": {"preAuthRef": <number>}}`,
  what the FHIR API keeps of a Claim's `insurance.preAuthRef`) draws on that approval only:
  another insuree's, an expired or a missing one gives 30 as having none would.
- `claim_lines_processed`: the quantity of each passed line is added to the approval line's
  `qty_used`, and an `ApprovalUsage` row says which claim line took it.
- `claim_rejected` / `claim_deleted`: what the claim's lines took is given back.

The module setting `enforce_on_claims` (False for a payer outage) lets those lines through,
logged as a warning each time it does.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from decimal import Decimal

from django.db.models import F, Q

from core.config import module_config
from core.db import update_rows
from core.registers.codes import RejectionReason
from openimis_approval.codes import GRANTED, LineDecision
from openimis_approval.models import ApprovalLine, ApprovalUsage
from openimis_claim import signals
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


def screen_lines(sender, *, step, claims, lines, context, **kwargs) -> dict:
    """The `adjudicating_lines` receiver: {claim line: 30 or 31} for the lines it refuses; the
    approval line each passing line draws on is kept in `context` for `record_usage`."""
    needing = [(claim, line) for claim in claims for line in lines.get(claim.pk, ())
               if _medical(line).requires_preauthorization]
    if not needing:
        return {}
    if not module_config("approval")["enforce_on_claims"]:
        codes = sorted({claim.code for claim, _line in needing})
        logger.warning(
            "Pre-authorization NOT enforced (approval setting enforce_on_claims is off): "
            "%d claim line(s) requiring it let through at %s, claims %s%s", len(needing), step,
            ", ".join(codes[:20]), " ..." if len(codes) > 20 else "")
        return {}
    candidates = _approval_lines(needing, lock=step == "process")
    left = {approval_line.pk: (approval_line.qty_approved or ZERO) - approval_line.qty_used
            for found in candidates.values() for approval_line in found}
    drawn: dict[tuple[str, int], tuple[ApprovalLine, Decimal]] = {}
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
        quantity = _quantity(line)
        chosen = next((al for al in valid if left[al.pk] >= quantity), None)
        if chosen is None:
            refused[line] = RejectionReason.PREAUTHORIZATION_USED_UP if valid else \
                RejectionReason.PREAUTHORIZATION_REQUIRED
            continue
        left[chosen.pk] -= quantity
        drawn[(kind, line.pk)] = (chosen, quantity)
    context[CONTEXT_KEY] = drawn
    return refused


def record_usage(sender, *, claims, lines, context, **kwargs) -> None:
    """The `claim_lines_processed` receiver: the passed lines that drew on an approval use it."""
    drawn = context.get(CONTEXT_KEY) or {}
    if not drawn:
        return
    rows, used = [], {}
    for claim in claims:
        for line in lines.get(claim.pk, ()):
            found = drawn.get((_kind(line), line.pk))
            if found is None:
                continue
            approval_line, quantity = found[0], _quantity(line)
            rows.append(ApprovalUsage(approval_line=approval_line, claim=claim,
                                      claim_line_kind=_kind(line), claim_line_id=line.pk,
                                      quantity=quantity))
            approval_line.qty_used += quantity
            used[approval_line.pk] = approval_line
    if rows:
        # Rows locked by `screen_lines`, so the counts read there still hold.
        update_rows(ApprovalLine, list(used.values()), ["qty_used"])
        ApprovalUsage.objects.bulk_create(rows)


def give_back(sender, *, claim, **kwargs) -> None:
    """The `claim_rejected` / `claim_deleted` receiver: what the claim's lines used of approvals
    is theirs again."""
    usages = list(ApprovalUsage.objects.filter(claim=claim))
    if not usages:
        return
    returned: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for usage in usages:
        returned[usage.approval_line_id] += usage.quantity
    for approval_line_id, quantity in returned.items():
        ApprovalLine.objects.filter(pk=approval_line_id).update(qty_used=F("qty_used") - quantity)
    ApprovalUsage.objects.filter(pk__in=[usage.pk for usage in usages]).delete()
    logger.info("Claim %s gave back pre-authorized quantities %s", claim.code, dict(returned))


def connect() -> None:
    """Called by `ApprovalConfig.ready()`."""
    signals.adjudicating_lines.connect(screen_lines, dispatch_uid="openimis-approval-screen")
    signals.claim_lines_processed.connect(record_usage, dispatch_uid="openimis-approval-usage")
    signals.claim_rejected.connect(give_back, dispatch_uid="openimis-approval-rejected")
    signals.claim_deleted.connect(give_back, dispatch_uid="openimis-approval-deleted")
