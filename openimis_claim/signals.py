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
- `claim_lines_processed(sender=Claim, claims, lines, context, user)`: after a process batch is
  written, the claims that passed and {claim pk: [their passed lines]}, so a module can record
  what they used. A module records usage here and gives it back on `claim_rejected` /
  `claim_deleted`.
"""

from django.dispatch import Signal

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
