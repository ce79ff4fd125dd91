"""Domain signals of the claims module. Each is sent once per claim, inside the mutation's
transaction (a receiver that raises rolls the change back), with `claim` and `user`.

Other modules (pre-authorization, reports, notifications) subscribe in their `ready()`.
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
