"""Claim services: plain functions taking the acting user and validated data (GraphQL, commands
and tasks call the same ones)."""

from openimis_claim.services.entry import create_claim, delete_claims, restore_claim, update_claim
from openimis_claim.services.workflow import (
    deliver_claim_feedback,
    deliver_claims_review,
    move_selection,
    process_claims,
    save_claim_review,
    submit_claims,
    valuate_claims,
)

__all__ = [
    "create_claim", "delete_claims", "deliver_claim_feedback", "deliver_claims_review",
    "move_selection", "process_claims", "restore_claim", "save_claim_review", "submit_claims",
    "update_claim", "valuate_claims",
]
