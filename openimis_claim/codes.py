"""Claim code tables (API.md "Codes"): the web app relies on these exact numbers and letters."""

from django.db import models


class ClaimStatus(models.IntegerChoices):
    REJECTED = 1, "rejected"
    ENTERED = 2, "entered"
    CHECKED = 4, "checked"
    PROCESSED = 8, "processed"
    VALUATED = 16, "valuated"


class ReviewStatus(models.IntegerChoices):
    """Used for both review and feedback status."""

    IDLE = 1, "idle"
    NOT_SELECTED = 2, "not selected"
    SELECTED = 4, "selected"
    DELIVERED = 8, "delivered"
    BYPASSED = 16, "bypassed"


class LineStatus(models.IntegerChoices):
    PASSED = 1, "passed"
    REJECTED = 2, "rejected"


class VisitType(models.TextChoices):
    EMERGENCY = "E", "emergency"
    REFERRAL = "R", "referral"
    OTHER = "O", "other"


class ClaimCareType(models.TextChoices):
    IN_PATIENT = "IPD", "in-patient"
    OUT_PATIENT = "OPD", "out-patient"


class PatientCondition(models.TextChoices):
    HEALED = "H", "healed"
    DIED = "D", "died"
    EVACUATED = "E", "evacuated"
    REFERRED = "R", "referred"


class AttachmentGeneralType(models.TextChoices):
    """What an attachment (or an attachment type) holds: a file, or a link (openIMIS')."""

    FILE = "FILE", "file"
    URL = "URL", "link"


class AttachmentStatus(models.IntegerChoices):
    """The `attachmentStatus` filter of the claim searcher."""

    WITH = 1, "with attachments"
    WITHOUT = 2, "without attachments"


# Review and feedback moves: action -> (statuses it may start from, status it leads to).
# The claim itself must be checked (status 4) for any of them.
SELECTION_MOVES = {
    "select": ({ReviewStatus.IDLE, ReviewStatus.NOT_SELECTED}, ReviewStatus.SELECTED),
    "skip": ({ReviewStatus.IDLE, ReviewStatus.SELECTED}, ReviewStatus.NOT_SELECTED),
    "bypass": ({ReviewStatus.SELECTED}, ReviewStatus.BYPASSED),
    # The web app's review page offers "Deliver review" for any checked claim whose review is
    # not delivered (selected or not, as a review may be saved), and after its "Save", which has
    # delivered it already: delivering again changes nothing.
    "deliver": ({ReviewStatus.IDLE, ReviewStatus.NOT_SELECTED, ReviewStatus.SELECTED,
                 ReviewStatus.DELIVERED}, ReviewStatus.DELIVERED),
}

# Claim status moves: action -> (statuses it may start from).
STATUS_MOVES = {
    "update": {ClaimStatus.ENTERED},
    "delete": {ClaimStatus.ENTERED},
    "submit": {ClaimStatus.ENTERED},
    "review": {ClaimStatus.CHECKED},
    "feedback": {ClaimStatus.CHECKED},
    "process": {ClaimStatus.CHECKED},
    "valuate": {ClaimStatus.PROCESSED},
    "restore": {ClaimStatus.REJECTED},
}

# Fields only the workflow services write (submit, review, feedback, process, valuate, restore,
# delete): status and amounts, with their history. No other entry point (Django admin, import)
# edits them; `core.admin_base` reads them from each model's `workflow_fields`.
CLAIM_WORKFLOW_FIELDS = (
    "status", "review_status", "feedback_status", "claimed", "approved", "valuated",
    "remunerated", "rejection_reason", "date_processed", "batch_run", "submit_stamp",
    "process_stamp", "audit_user", "restore", "validity_from", "validity_to",
)
CLAIM_LINE_WORKFLOW_FIELDS = (
    "status", "rejection_reason", "qty_approved", "price_adjusted", "price_approved",
    "price_valuated", "remunerated_amount", "deductible_amount", "exceed_ceiling_amount",
    "justification", "product", "policy", "validity_to",
)
