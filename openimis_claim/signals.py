"""Domain signals of the claims module. Each is sent once per claim, inside the mutation's
transaction (a receiver that raises rolls the change back), with `claim` and `user`.

Other modules (pre-authorization, reports, notifications) subscribe in their `ready()`.

Two batch signals let a module take part in adjudication without the claims module knowing it
(`openimis_claim.services.workflow.Adjudication` sends them, once per submit or process batch):

- `adjudicating_lines(sender=Claim, step, claims, lines, context)`: `step` is "submit" or
  "process"; `claims` the claims of the batch still to decide and `lines` {claim pk: [lines still
  to decide]} (ClaimItem / ClaimService, with `item` / `service` loaded). A receiver returns a
  mapping {line: rejection reason (int)} for the lines it refuses (or None); those lines are
  rejected with that reason before eligibility is asked. `context` is a dict shared by the
  receivers for the whole batch (a receiver keeps its findings under its own key).
  `quotas` is a list a receiver may append a `LineQuota` to, for a limited quantity it holds
  for the lines (a pre-authorization's): the quota cuts a line to what it leaves before
  eligibility is asked, is drawn on only by lines that pass every check, and writes what they
  drew when the batch is written.
- `claim_lines_processed(sender=Claim, claims, lines, context, user)`: after a process batch is
  written, the claims that passed and {claim pk: [their passed lines]}, so a module can record
  what they used. A module records usage here and gives it back on `claim_rejected` /
  `claim_deleted`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from django.dispatch import Signal


class LineQuota(Protocol):
    """A module's limited quantity for a batch's lines (see `adjudicating_lines`)."""

    reason: int  # the rejection reason of a line the quota leaves nothing

    def left_for(self, claim: Any, line: Any) -> Decimal | None:
        """What the quota leaves the line now; None when the line is not its concern."""

    def take(self, claim: Any, line: Any) -> None:
        """The line passed every check: it draws its (approved) quantity from the quota."""

    def write(self, claims: list[Any], user: Any) -> None:
        """The batch is written: record what these claims' lines drew (and give back what the
        lines that no longer draw held)."""


claim_created = Signal()
claim_updated = Signal()
claim_deleted = Signal()
claim_submitted = Signal()
claim_rejected = Signal()
claim_feedback_delivered = Signal()
claim_reviewed = Signal()
claim_processed = Signal()
claim_valuated = Signal()
claim_restored = Signal()
adjudicating_lines = Signal()
claim_lines_processed = Signal()
