"""What every claim service shares: scoped lookups, status history, bulk error reporting."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from core.gql.errors import MutationError, error_entry
from core.scoping import is_uuid, scope_queryset
from openimis_claim.codes import ClaimStatus, LineStatus
from openimis_claim.models import Claim, ClaimStatusHistory


class ClaimError(Exception):
    """One claim cannot take this step; bulk operations report it under the claim's code."""

    def __init__(self, message: str, code: str, detail: Any = None) -> None:
        super().__init__(message)
        self.entry = error_entry(message, code=code, detail=detail)


def visible_claims(user) -> QuerySet[Claim]:
    """Claims the user may see: their tenant's (their facility's, for a claim administrator),
    not deleted."""
    return scope_queryset(user, Claim.objects.filter(validity_to__isnull=True))


def claim_for_change(user, claim_uuid: str) -> Claim:
    """One claim, locked for the rest of the transaction, or a clear error."""
    claim = None
    if is_uuid(claim_uuid):
        claim = visible_claims(user).select_for_update().filter(uuid=claim_uuid).first()
    if claim is None:
        raise MutationError(f"No claim {claim_uuid}", code="claim_not_found", detail=claim_uuid)
    return claim


def require_status(claim: Claim, allowed: Iterable[int], action: str) -> None:
    if claim.status not in allowed:
        names = ", ".join(ClaimStatus(s).label for s in sorted(allowed))
        raise ClaimError(
            f"Claim {claim.code} is {ClaimStatus(claim.status).label}; {action} needs {names}",
            code="wrong_status", detail={"status": claim.status},
        )


def record_change(claim: Claim, field: str, new: int, user, reason: str = "",
                  pending: list | None = None) -> None:
    """Set a status field and write its history row (nothing when it does not change); with
    `pending`, the row is added there for the caller to insert with others."""
    old = getattr(claim, field)
    if old == new:
        return
    setattr(claim, field, new)
    row = ClaimStatusHistory(claim=claim, field=field, from_status=old, to_status=new,
                             user=user if user.is_authenticated else None, reason=reason)
    if pending is None:
        row.save()
    else:
        pending.append(row)


def recompute_amounts(claim: Claim, lines: list | None = None) -> None:
    """claimed, approved and valuated from the lines (API.md's price-per-stage table); `lines`:
    the claim's valid lines when the caller holds them already (a claim being created)."""
    if lines is None:
        lines = [*claim.items.filter(validity_to__isnull=True),
                 *claim.services.filter(validity_to__isnull=True)]
    claim.claimed = sum((line.qty_provided * line.price_asked for line in lines), Decimal("0"))
    if claim.status == ClaimStatus.ENTERED:
        claim.approved = None
        return
    passed = [line for line in lines if line.status == LineStatus.PASSED]
    claim.approved = sum((line.approved_amount() for line in passed), Decimal("0"))
    valued = [line.price_valuated for line in passed if line.price_valuated is not None]
    claim.valuated = sum(valued, Decimal("0")) if valued else None
    remunerated = [line.remunerated_amount for line in passed
                   if line.remunerated_amount is not None]
    claim.remunerated = sum(remunerated, Decimal("0")) if remunerated else None


def for_each_claim(user, uuids: list[str], step: Callable[[Claim], None],
                   prepare: Callable[[list[Claim]], None] | None = None,
                   finish: Callable[[], None] | None = None) -> \
        tuple[list[Claim], list[dict]]:
    """Run `step` on each claim (locked, in its own savepoint); a claim that fails or that the
    user may not see is reported as `{title, list}` and the others go through.

    A batch step works in memory instead: `prepare` gets every claim found first, to load what
    the steps share in one go, and `finish` writes what they changed; such a step refuses a
    claim before changing anything, so it needs no savepoint."""
    uuids = [u for u in dict.fromkeys(uuids or []) if u]
    if not uuids:
        raise MutationError("No claims given", code="no_claims")
    wellformed = [u for u in uuids if is_uuid(u)]
    found = {str(c.uuid): c for c in visible_claims(user).select_for_update()
             .filter(uuid__in=wellformed).select_related("insuree", "health_facility")}
    if prepare is not None and found:
        # In the order given, the order the steps run in.
        prepare([found[u] for u in uuids if u in found])
    done, errors = [], []
    for claim_uuid in uuids:
        claim = found.get(claim_uuid)
        if claim is None:
            errors.append({"title": claim_uuid, "list": [error_entry(
                f"No claim {claim_uuid}", code="claim_not_found")]})
            continue
        try:
            if finish is None:
                with transaction.atomic():
                    step(claim)
            else:
                step(claim)
            done.append(claim)
        except ClaimError as exc:
            errors.append({"title": claim.code, "list": [exc.entry]})
    if finish is not None:
        finish()
    return done, errors
