"""What earlier claims used of a policy, answered to core's eligibility check (core never
imports claims): through the `core.registers.eligibility.coverage_usage` signal for single checks,
and as an in-memory provider (`ClaimUsage`) that the batch engine loads once per batch.

Counted: passed lines of valid claims that were at least checked, in the policy's period,
other than the claim being checked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from core.registers.codes import SERVICE_CATEGORY_PRIORITY, ServiceCategory
from core.registers.eligibility import CoverageUsage
from core.registers.models import Insuree
from openimis_claim.codes import ClaimCareType, ClaimStatus, LineStatus
from openimis_claim.models import Claim, ClaimItem, ClaimService

COUNTED_STATUSES = (ClaimStatus.CHECKED, ClaimStatus.PROCESSED, ClaimStatus.VALUATED)
ZERO = Decimal("0")


def claim_category(service_categories: set[str], date_from, date_to) -> str:
    """ADJUDICATION.md: the highest-priority service category (S > D > A > H > C > O > V);
    a stay over several days is a hospitalization; no service: a visit."""
    if date_to is not None and date_to != date_from:
        service_categories = service_categories | {ServiceCategory.HOSPITALIZATION}
    for category in SERVICE_CATEGORY_PRIORITY:
        if category in service_categories:
            return category
    return ServiceCategory.VISIT


@dataclass
class UsedLine:
    claim_id: int
    insuree_id: int
    on: date
    kind: str
    medical_id: int
    quantity: Decimal
    policy_id: int | None
    remunerated: Decimal | None
    in_patient: bool
    deducted: Decimal | None = None


@dataclass
class UsedClaim:
    insuree_id: int
    on: date
    until: date | None
    categories: set[str]


class ClaimUsage:
    """Earlier claims of some families, in memory. `add_claim` counts a claim adjudicated in the
    same batch, so a later claim of the same insuree sees what it used."""

    def __init__(self, insuree_ids: set[int]) -> None:
        self.claims: dict[int, UsedClaim] = {}
        # Indexed by insuree and by policy, so one check reads only its own rows.
        self.by_insuree: dict[int, list[UsedLine]] = defaultdict(list)
        self.by_policy: dict[int, list[UsedLine]] = defaultdict(list)
        self.claims_of: dict[int, set[int]] = defaultdict(set)
        self.lines_of: dict[int, list[UsedLine]] = defaultdict(list)
        family_ids = Insuree.objects.filter(pk__in=insuree_ids).values("family_id")
        # The counted claims come with their passed lines (two queries in all): a claim none of
        # whose lines passed used nothing, not even a visit.
        for model, kind in ((ClaimItem, "item"), (ClaimService, "service")):
            rows = model.objects.filter(
                status=LineStatus.PASSED, validity_to__isnull=True,
                claim__validity_to__isnull=True, claim__status__in=COUNTED_STATUSES,
                claim__insuree__family_id__in=family_ids)
            fields = ["claim_id", "claim__insuree_id", "claim__date_from", "claim__date_to",
                      f"{kind}_id", "qty_approved", "qty_provided", "policy_id",
                      "remunerated_amount", "deductible_amount", "claim__care_type"]
            if kind == "service":
                fields.append("service__category")
            for claim_id, insuree_id, on, until, *line in rows.values_list(*fields):
                if claim_id not in self.claims:
                    self.claims[claim_id] = UsedClaim(insuree_id, on, until, set())
                    self.claims_of[insuree_id].add(claim_id)
                self._add_line(kind, claim_id, *line)

    def _add_line(self, kind, claim_id, medical_id, qty_approved, qty_provided, policy_id,
                  remunerated, deducted, care_type, category=None) -> None:
        claim = self.claims[claim_id]
        if category:
            claim.categories.add(category)
        line = UsedLine(
            claim_id, claim.insuree_id, claim.on, kind, medical_id,
            qty_approved if qty_approved is not None else qty_provided, policy_id, remunerated,
            care_type == ClaimCareType.IN_PATIENT, deducted)
        self.by_insuree[line.insuree_id].append(line)
        self.lines_of[claim_id].append(line)
        if policy_id is not None:
            self.by_policy[policy_id].append(line)

    def forget(self, claim: Claim) -> None:
        """Stop counting a claim (it is being decided again; its lines come back one by one)."""
        for old in self.lines_of.pop(claim.pk, []):
            self.by_insuree[old.insuree_id] = [
                row for row in self.by_insuree[old.insuree_id] if row.claim_id != claim.pk]
            if old.policy_id is not None:
                self.by_policy[old.policy_id] = [
                    row for row in self.by_policy[old.policy_id] if row.claim_id != claim.pk]
        self.claims.pop(claim.pk, None)
        self.claims_of[claim.insuree_id].discard(claim.pk)

    def add_line(self, claim: Claim, line) -> None:
        """Count one passed line of a claim being decided, for the lines that follow."""
        if claim.pk not in self.claims:
            self.claims[claim.pk] = UsedClaim(claim.insuree_id, claim.date_from, claim.date_to,
                                              set())
            self.claims_of[claim.insuree_id].add(claim.pk)
        if line.status != LineStatus.PASSED:
            return
        is_item = isinstance(line, ClaimItem)
        self._add_line(
            "item" if is_item else "service", claim.pk,
            line.item_id if is_item else line.service_id, line.qty_approved,
            line.qty_provided, line.policy_id, line.remunerated_amount, line.deductible_amount,
            claim.care_type, None if is_item else line.service.category)

    def add_claim(self, claim: Claim, lines) -> None:
        """Count a claim just adjudicated (its passed lines) for the claims that follow."""
        self.forget(claim)
        for line in lines:
            self.add_line(claim, line)

    def __call__(self, *, policy, insuree, item=None, service=None, on_date=None,
                 exclude=None, **kwargs) -> CoverageUsage:
        start = policy.effective_date or policy.start_date
        # The claim being decided: what its lines decided so far counts, also per treatment.
        current = exclude.pk if isinstance(exclude, Claim) else None

        def counted(claim_id: int, on: date) -> bool:
            return start <= on <= policy.expiry_date

        usage = CoverageUsage()
        kind, medical = ("item", item) if item is not None else ("service", service)
        paid: dict[str, Decimal] = defaultdict(lambda: ZERO)
        deducted: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for line in self.by_insuree.get(insuree.pk, ()):
            if medical is not None and line.kind == kind and line.medical_id == medical.pk \
                    and counted(line.claim_id, line.on):
                usage.quantity_used += line.quantity
                if (on_date is None or line.on <= on_date) and (
                        usage.last_provided is None or line.on > usage.last_provided):
                    usage.last_provided = line.on
        for line in self.by_policy.get(policy.pk, ()):
            if not counted(line.claim_id, line.on):
                continue
            scope = "ip" if line.in_patient else "op"
            levels = ["policy"]
            if line.insuree_id == insuree.pk:
                levels.append("insuree")
            if line.claim_id == current:
                levels.append("treatment")
            for tally, amount in ((paid, line.remunerated), (deducted, line.deducted)):
                if amount is not None:
                    for level in levels:
                        tally[level] += amount
                        tally[f"{level}_{scope}"] += amount
        for claim_id in self.claims_of.get(insuree.pk, ()):
            claim = self.claims[claim_id]
            if counted(claim_id, claim.on):
                category = claim_category(claim.categories, claim.on, claim.until)
                usage.visits[category] = usage.visits.get(category, 0) + 1
        usage.remunerated = dict(paid)
        usage.deducted = dict(deducted)
        return usage


def coverage_usage(sender, *, policy, insuree, exclude=None, **kwargs) -> CoverageUsage:
    """The `coverage_usage` receiver for single checks: the claim being checked (if any) is
    not counted."""
    usage = ClaimUsage({insuree.pk})
    if isinstance(exclude, Claim):
        usage.forget(exclude)
    return usage(policy=policy, insuree=insuree, **kwargs)


def load_claim_usage(sender: Any, *, insuree_ids: Iterable[int], **kwargs: Any) -> ClaimUsage:
    """The `coverage_usage_loader` receiver: earlier claims of these insurees' families, loaded
    once (a fixed number of queries); the `ClaimUsage` answers each policy from memory."""
    return ClaimUsage(set(insuree_ids))
