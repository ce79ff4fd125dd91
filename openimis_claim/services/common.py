"""What every claim service shares: scoped lookups, status history, bulk error reporting."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from core.db import insert_rows
from core.gql.errors import MutationError, error_entry
from core.scoping import is_uuid, scope_queryset
from openimis_claim.codes import ClaimStatus, LineStatus
from openimis_claim.models import Claim, ClaimStatusHistory, ClaimVersion


class ClaimError(Exception):
    """One claim cannot take this step; bulk operations report it under the claim's code."""

    def __init__(self, message: str, code: str, detail: Any = None) -> None:
        super().__init__(message)
        self.entry = error_entry(message, code=code, detail=detail)


def visible_claims(user) -> QuerySet[Claim]:
    """Claims the user may see: their tenant's (their facility's, for a claim administrator),
    not deleted."""
    return scope_queryset(user, Claim.objects.filter(validity_to__isnull=True))


def require_scheme_side(user, action: str) -> None:
    """Reviews, feedback, processing and valuation are the scheme's decisions on what a facility
    claims, so a user who works for a facility (a claim administrator's login) may not take
    them, whatever its role holds. The rights alone cannot say it: the openIMIS web app edits a
    claim only for users holding the review right (111008), so a facility's clerk role has it."""
    if user.health_facility_id is not None:
        raise MutationError(
            f"A health facility's user may not {action}: the scheme's staff decide on the "
            f"facilities' claims", code="facility_user", detail=action)


def claim_for_change(user, claim_uuid: str) -> Claim:
    """One claim, locked for the rest of the transaction, or a clear error. Its header is
    remembered: the first save that changes it writes the earlier version (`track_versions`)."""
    claim = None
    if is_uuid(claim_uuid):
        claim = visible_claims(user).select_for_update().filter(uuid=claim_uuid).first()
    if claim is None:
        raise MutationError(f"No claim {claim_uuid}", code="claim_not_found", detail=claim_uuid)
    track_versions([claim], user=user)
    return claim


# Earlier versions (ClaimVersion) -------------------------------------------------------------
# The loaders above remember each claim's header as they load it for change (in memory, no
# query); once the change is made, the claims whose header differs get a version holding the old
# header, in one insert per mutation or batch. The claim row itself is never touched for it.

# The claim fields a version keeps (ClaimVersion's own fields, by attribute name).
VERSION_FIELDS = ("code", "insuree_id", "json_ext", "date_claimed", "date_processed", "status",
                  "review_status", "feedback_status", "claimed", "approved", "valuated",
                  "restore_id")
_PENDING = "_pending_version"
_CHANGE_LENGTH = ClaimVersion._meta.get_field("change").max_length


@dataclass
class PendingVersion:
    """A claim's header as loaded for change, and the status changes' reasons since.

    `save_user` set: the claim's next save that changes the header writes the version (services
    of one claim save it themselves, sometimes twice); unset, the loader or the batch writes it."""

    header: dict[str, Any]
    reasons: list[str] = field(default_factory=list)
    save_user: Any = None


def _header(claim: Claim) -> dict[str, Any]:
    header = {name: getattr(claim, name) for name in VERSION_FIELDS}
    header["json_ext"] = copy.deepcopy(header["json_ext"])  # a service may edit it in place
    return header


def track_versions(claims: Iterable[Claim], user=None) -> None:
    """Remember each claim's header as it is now (a claim already tracked keeps its first one).
    With `user`, the claim's first save that changes its header writes the version."""
    for claim in claims:
        if getattr(claim, _PENDING, None) is None:
            setattr(claim, _PENDING, PendingVersion(_header(claim), save_user=user))


def write_versions(claims: Iterable[Claim], user, *, keep_unchanged: bool = False
                   ) -> list[ClaimVersion]:
    """Insert, in one statement, a version for each tracked claim whose header changed since it
    was loaded; their tracking ends (a further change in the same mutation belongs to the same
    version). Claims that did not change stop being tracked too, unless `keep_unchanged`."""
    now = timezone.now()
    audit_user = user if getattr(user, "is_authenticated", False) else None
    versions = []
    for claim in claims:
        pending = getattr(claim, _PENDING, None)
        if pending is None:
            continue
        if pending.header == _header(claim):
            if not keep_unchanged:
                setattr(claim, _PENDING, None)
            continue
        setattr(claim, _PENDING, None)
        old = pending.header
        versions.append(ClaimVersion(
            claim=claim, **old,
            audit_user=audit_user, validity_to=now,
            change=("; ".join(dict.fromkeys(pending.reasons)) or "updated")[:_CHANGE_LENGTH],
        ))
    insert_rows(ClaimVersion, versions)
    return versions


@receiver(post_save, sender=Claim, dispatch_uid="openimis-claim-version-on-save")
def _version_on_save(sender, instance: Claim, raw: bool = False, **kwargs) -> None:
    """A claim loaded by `claim_for_change`: its first save that changes the header writes the
    version (a save of other fields only keeps it tracked)."""
    pending = getattr(instance, _PENDING, None)
    if pending is not None and pending.save_user is not None and not raw:
        write_versions([instance], pending.save_user, keep_unchanged=True)


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
    tracked = getattr(claim, _PENDING, None)
    if tracked is not None:  # the version this change ends says why
        tracked.reasons.append(reason or f"{field} {old} to {new}")
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
    claim before changing anything, so it needs no savepoint.

    The claims' headers are remembered as loaded; those the steps changed get their earlier
    version in one insert at the end (`write_versions`), unless `finish` wrote them already."""
    uuids = [u for u in dict.fromkeys(uuids or []) if u]
    if not uuids:
        raise MutationError("No claims given", code="no_claims")
    wellformed = [u for u in uuids if is_uuid(u)]
    found = {str(c.uuid): c for c in visible_claims(user).select_for_update()
             .filter(uuid__in=wellformed).select_related("insuree", "health_facility")}
    track_versions(found.values())
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
        finish()  # a batch writes its versions with its claims (workflow.Adjudication.flush)
    write_versions(done, user)
    return done, errors
