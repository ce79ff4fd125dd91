"""`POST Communication/`: an insuree's feedback on a claim, as the Policies Android app sends it
(contract §6), delivered through the claim module's `deliverClaimFeedback` mutation (its right,
its rule that the claim is checked and selected for feedback, its history, signals and log).

The validations and their texts are openIMIS' own, which the app matches word for word
("Claim does not exist", "Feedback exists for this claim", "payload must have 5 elements", ...)
to tell its user what went wrong; the statuses are 400, 404 and 409 (the app also accepts them
in place of openIMIS' 500)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from api_fhir_r4.errors import FhirError
from api_fhir_r4.identifiers import IG, identifier, parse_reference
from api_fhir_r4.resources.base import Context, FhirResource, register
from api_fhir_r4.resources.claim_response import row_reference
from core.codes import MutationStatus
from core.gql.errors import MutationError
from core.scoping import is_uuid
from openimis_claim.codes import ReviewStatus
from openimis_claim.gql.mutations import DeliverClaimFeedbackMutation
from openimis_claim.models import Claim, Feedback
from openimis_claim.services.common import visible_claims

PAYLOAD_TYPE_URL = f"{IG}/StructureDefinition/communication-payload-type"
PAYLOAD_SYSTEM = f"{IG}/CodeSystem/feedback-payload"
# The app's payload codes (`Asessment` misspelt, as openIMIS spells it) -> feedback fields.
PAYLOAD = {"CareRendered": "care_rendered", "PaymentAsked": "payment_asked",
           "DrugPrescribed": "drug_prescribed", "DrugReceived": "drug_received",
           "Asessment": "asessment"}
ANSWERS = {"yes": True, "no": False, "true": True, "false": False}


def _bad(message: str, status: int = 400) -> FhirError:
    return FhirError(status, message)


def _claim_uuid(about: Any) -> str:
    if not isinstance(about, list) or not about:
        raise _bad("about is required")
    first = about[0]
    try:
        named = parse_reference(first, ("Claim",), "about[0]")
    except FhirError:
        raise _bad("Claim reference doesn't match Claim/<UUID>") from None
    if named.uuid is None:
        raise _bad("Claim reference doesn't match Claim/<UUID>")
    return named.uuid


def _payload(payload: Any) -> dict[str, Any]:
    """The five answers as `FeedbackInputType` fields."""
    if payload is None or payload == []:
        raise _bad("payload is required")
    if not isinstance(payload, list) or len(payload) != len(PAYLOAD):
        raise _bad("payload must have 5 elements")
    answers: dict[str, Any] = {}
    for entry in payload:
        code = _payload_code(entry)
        if code not in PAYLOAD or PAYLOAD[code] in answers:
            raise _bad("payload must have 5 elements")
        text = entry.get("contentString")
        if not isinstance(text, str):
            raise _bad(f"validation error: payload {code} needs contentString")
        if code == "Asessment":
            if not text.strip().lstrip("-").isdigit() or not -1 <= int(text) <= 5:
                raise _bad("validation error: Asessment must be a whole number from 0 to 5")
            answers[PAYLOAD[code]] = int(text)
        elif text.strip().lower() in ANSWERS:
            answers[PAYLOAD[code]] = ANSWERS[text.strip().lower()]
        else:
            raise _bad(f"validation error: payload {code} must be yes or no")
    return answers


def _payload_code(entry: Any) -> str | None:
    extensions = entry.get("extension") if isinstance(entry, dict) else None
    first = extensions[0] if isinstance(extensions, list) and extensions else None
    concept = first.get("valueCodeableConcept") if isinstance(first, dict) else None
    codings = concept.get("coding") if isinstance(concept, dict) else None
    coding = codings[0] if isinstance(codings, list) and codings else None
    code = coding.get("code") if isinstance(coding, dict) else None
    return code if isinstance(code, str) else None


def _answer(claim: Claim, feedback: Feedback) -> dict[str, Any]:
    def text(field: str) -> str:
        value = getattr(feedback, field)
        if field == "asessment":
            return "" if value is None else str(value)
        return {True: "yes", False: "no"}.get(value, "")

    return {
        "resourceType": "Communication",
        "id": str(claim.uuid),
        "identifier": [identifier("UUID", claim.uuid)],
        "status": "completed",
        "subject": row_reference("Patient", claim.insuree, claim.insuree.chf_id),
        "about": [row_reference("Claim", claim, claim.code)],
        "sent": feedback.feedback_date.isoformat() if feedback.feedback_date else None,
        "payload": [{"extension": [{"url": PAYLOAD_TYPE_URL, "valueCodeableConcept": {
            "coding": [{"system": PAYLOAD_SYSTEM, "code": code}]}}],
            "contentString": text(field)} for code, field in PAYLOAD.items()],
    }


@register
class CommunicationResource(FhirResource):
    """Feedback is posted, not searched here (openIMIS' `Communication` list is not used by any
    client): GET answers 405."""

    type_name = "Communication"
    searchable = False
    write_rights = (("claim", "gql_mutation_deliver_claim_feedback_perms"),)

    def rows(self, ctx: Context) -> QuerySet:
        raise FhirError(405, "Communication takes POST (an insuree's feedback on a claim)")

    def create(self, ctx: Context, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if "status" not in body:
            raise _bad("status is required field")
        if body["status"] != "completed":
            raise _bad("status value must be = completed")
        claim_uuid = _claim_uuid(body.get("about"))
        if body.get("subject") is None:
            raise _bad("subject is required")
        subject = parse_reference(body["subject"], ("Patient",), "subject")
        answers = _payload(body.get("payload"))
        claim = visible_claims(ctx.user).select_related("insuree").filter(
            uuid=claim_uuid).first() if is_uuid(claim_uuid) else None
        if claim is None:
            raise _bad("Claim does not exist", 404)
        if (subject.code or subject.uuid) not in (claim.insuree.chf_id, str(claim.insuree.uuid)):
            raise _bad("subject is not the patient of the claim")
        if claim.feedback_status == ReviewStatus.DELIVERED or \
                Feedback.objects.filter(claim=claim).exists():
            raise _bad("Feedback exists for this claim", 409)
        log = DeliverClaimFeedbackMutation.run(ctx.user, {
            "claim_uuid": str(claim.uuid), "feedback": answers,
            "client_mutation_label": f"FHIR Communication on claim {claim.code}"})
        if log.status == MutationStatus.ERROR:
            raise MutationError(errors=log.error)
        resource = _answer(claim, Feedback.objects.get(claim=claim))
        if resource["sent"] is None:
            del resource["sent"]
        return 201, resource
