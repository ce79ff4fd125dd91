"""Pre-authorization code tables and the one transition table (DESIGN.md section 6).

Codes are plain strings, as clients paste them into query text (API.md)."""

from django.db import models


class ApprovalStatus(models.TextChoices):
    DRAFT = "DRAFT"
    PENDING_SUBMISSION = "PENDING_SUBMISSION"
    SUBMITTED = "SUBMITTED"
    UNDER_REVIEW = "UNDER_REVIEW"
    INFO_REQUESTED = "INFO_REQUESTED"
    APPROVED = "APPROVED"
    PARTIALLY_APPROVED = "PARTIALLY_APPROVED"
    DENIED = "DENIED"
    APPEAL_SUBMITTED = "APPEAL_SUBMITTED"
    APPEAL_APPROVED = "APPEAL_APPROVED"
    APPEAL_DENIED = "APPEAL_DENIED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"


S = ApprovalStatus

# The only place that says which move is allowed: from -> the statuses it may go to.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.PENDING_SUBMISSION, S.SUBMITTED, S.CANCELLED}),
    S.PENDING_SUBMISSION: frozenset({S.DRAFT, S.SUBMITTED, S.CANCELLED}),
    S.SUBMITTED: frozenset({S.UNDER_REVIEW, S.APPROVED, S.PARTIALLY_APPROVED, S.CANCELLED}),
    S.UNDER_REVIEW: frozenset({S.INFO_REQUESTED, S.APPROVED, S.PARTIALLY_APPROVED, S.DENIED}),
    S.INFO_REQUESTED: frozenset({S.UNDER_REVIEW, S.DENIED, S.CANCELLED}),
    S.APPROVED: frozenset({S.EXPIRED, S.CANCELLED}),
    S.PARTIALLY_APPROVED: frozenset({S.APPEAL_SUBMITTED, S.EXPIRED, S.CANCELLED}),
    S.DENIED: frozenset({S.APPEAL_SUBMITTED}),
    S.APPEAL_SUBMITTED: frozenset({S.APPEAL_APPROVED, S.APPEAL_DENIED}),
    S.APPEAL_APPROVED: frozenset({S.EXPIRED, S.CANCELLED}),
    S.APPEAL_DENIED: frozenset({S.APPEAL_SUBMITTED}),
    S.EXPIRED: frozenset(),
    S.CANCELLED: frozenset(),
}

# Requests waiting for the scheme's decision: their decision deadline runs.
AWAITING_DECISION = frozenset({S.SUBMITTED, S.UNDER_REVIEW, S.INFO_REQUESTED, S.APPEAL_SUBMITTED})

# Approvals a claim may rely on.
GRANTED = frozenset({S.APPROVED, S.PARTIALLY_APPROVED, S.APPEAL_APPROVED})


class Priority(models.TextChoices):
    ROUTINE = "ROUTINE"
    URGENT = "URGENT"
    STAT = "STAT"
    EMERGENCY = "EMERGENCY"


class RequestType(models.TextChoices):
    LABORATORY = "LABORATORY"
    RADIOLOGY = "RADIOLOGY"
    PHARMACY = "PHARMACY"
    PROCEDURE = "PROCEDURE"
    ADMISSION = "ADMISSION"
    OTHER = "OTHER"


class LineDecision(models.TextChoices):
    APPROVED = "APPROVED"
    PARTIAL = "PARTIAL"
    MODIFIED = "MODIFIED"
    DENIED = "DENIED"
    PENDED = "PENDED"
    CANCELLED = "CANCELLED"


# X12 278 review-action codes (005010 element 306, HCR01) beside each line decision, and their
# names: GraphQL's `x12Code` and FHIR's PAS reviewAction read this one table.
X12_CODES = {
    LineDecision.APPROVED: "A1", LineDecision.PARTIAL: "A2", LineDecision.MODIFIED: "A6",
    LineDecision.DENIED: "A3", LineDecision.PENDED: "A4", LineDecision.CANCELLED: "C",
}
X12_NAMES = {"A1": "Certified in total", "A2": "Certified - partial", "A3": "Not certified",
             "A4": "Pended", "A6": "Modified", "C": "Cancelled"}


class InfoRequestExpiry(models.TextChoices):
    """What happens to a request whose information request passed its deadline (module
    setting `info_request_expiry`)."""

    DENY = "deny"
    FLAG = "flag"


class UsageState(models.TextChoices):
    """What a claim line holds of an approval line: reserved when the claim was submitted
    (checked), used once it is processed."""

    RESERVED = "reserved"
    USED = "used"


class Decision(models.TextChoices):
    """What `decideApprovalRequest` / `decideApprovalAppeal` take."""

    APPROVE = "APPROVE"
    PARTIAL = "PARTIAL"
    DENY = "DENY"

# Fields only the workflow services write (every move goes through `services.move()`, which
# writes the history and sends the signal); `core.admin_base` keeps them read-only in the Django
# admin through each model's `workflow_fields`.
APPROVAL_WORKFLOW_FIELDS = (
    "status", "version", "number", "submitted_at", "due_at", "extended_due_at", "extensions",
    "info_due_at",
    "decided_at", "decided_by", "authorization_number", "effective_date", "expiration_date",
    "denial_reason", "denial_code", "appeal_level", "appeal_reason", "appeal_decision_reason",
    "validity_to",
)
APPROVAL_LINE_WORKFLOW_FIELDS = ("qty_approved", "price_approved", "qty_used", "qty_reserved",
                                 "decision", "reason")
APPROVAL_TEMPLATE_WORKFLOW_FIELDS = ("usage_count",)
