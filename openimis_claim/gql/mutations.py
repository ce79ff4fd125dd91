"""Claim mutations: the openIMIS names and flat inputs; each calls one service."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import graphene

from core.gql.errors import MutationError
from core.gql.inputs import parse_json_input
from core.gql.mutations import MutationOutcome, OpenIMISMutation
from core.scoping import is_uuid
from openimis_claim import services
from openimis_claim.models import Claim
from openimis_claim.services import attachments, valuation
from openimis_claim.services.filters import uuids_from_filters


class ClaimSubLineInputType(graphene.InputObjectType):
    """One part of a package service line, with the names the web app sends (openIMIS')."""

    sub_item_code = graphene.String(description="In serviceItemSet: the item's code.")
    sub_service_code = graphene.String(description="In serviceServiceSet: the service's code.")
    qty_asked = graphene.Decimal(description="The quantity given (the app's qtyDisplayed).")
    qty_provided = graphene.Decimal(description="The quantity the package contains.")
    price_asked = graphene.Decimal()
    qty_adjusted = graphene.Decimal(description="In a review: the medical officer's quantity.")


class ClaimLineFields:
    id = graphene.Int()
    qty_provided = graphene.Decimal()
    price_asked = graphene.Decimal()
    qty_approved = graphene.Decimal()
    price_approved = graphene.Decimal()
    status = graphene.Int()
    rejection_reason = graphene.Int()
    explanation = graphene.String()
    justification = graphene.String()
    service_item_set = graphene.List(
        ClaimSubLineInputType, description="A package service's items (empty otherwise).")
    service_service_set = graphene.List(
        ClaimSubLineInputType, description="A package service's services (empty otherwise).")


class ClaimItemInputType(ClaimLineFields, graphene.InputObjectType):
    item_id = graphene.Int()


class ClaimServiceInputType(ClaimLineFields, graphene.InputObjectType):
    service_id = graphene.Int()


class ClaimAttachmentFields:
    type = graphene.String()
    title = graphene.String()
    date = graphene.Date()
    filename = graphene.String()
    mime = graphene.String()
    url = graphene.String()
    general_type = graphene.String()
    predefined_type = graphene.String()
    document = graphene.String(description="The file, base64-encoded.")


class ClaimAttachmentInputType(ClaimAttachmentFields, graphene.InputObjectType):
    pass


class FeedbackInputType(graphene.InputObjectType):
    feedback_date = graphene.Date()
    officer_id = graphene.Int()
    care_rendered = graphene.Boolean()
    payment_asked = graphene.Boolean()
    drug_prescribed = graphene.Boolean()
    drug_received = graphene.Boolean()
    asessment = graphene.Int()


class ClaimFields:
    """The flat claim input of createClaim / updateClaim."""

    code = graphene.String()
    autogenerate = graphene.Boolean()
    insuree_id = graphene.Int()
    admin_id = graphene.Int()
    health_facility_id = graphene.Int()
    icd_id = graphene.Int()
    icd1_id = graphene.Int()
    icd2_id = graphene.Int()
    icd3_id = graphene.Int()
    icd4_id = graphene.Int()
    refer_from_id = graphene.Int()
    refer_to_id = graphene.Int()
    date_from = graphene.Date()
    date_to = graphene.Date()
    date_claimed = graphene.Date()
    visit_type = graphene.String()
    care_type = graphene.String()
    guarantee_id = graphene.String()
    explanation = graphene.String()
    adjustment = graphene.String()
    restore = graphene.String(description="uuid of the rejected claim this one restores")
    json_ext = graphene.String()
    pre_authorization = graphene.Boolean()
    patient_condition = graphene.String()
    referral_code = graphene.String()
    feedback_status = graphene.Int()
    review_status = graphene.Int()
    items = graphene.List(ClaimItemInputType)
    services = graphene.List(ClaimServiceInputType)
    attachments = graphene.List(ClaimAttachmentInputType)


def _claim_data(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("json_ext"):
        data = {**data, "json_ext": parse_json_input(data["json_ext"], "jsonExt")}
    return data


def _with_attachments(user, outcome: MutationOutcome, data: dict[str, Any]) -> MutationOutcome:
    for attachment in data.get("attachments") or []:
        attachments.create_attachment(user, {**attachment, "claim_uuid": outcome.uuids[0]})
    return outcome


class ClaimMutation(OpenIMISMutation):
    class Meta:
        abstract = True

    module_name = "claim"

    @classmethod
    def bulk_rows(cls, user, data):
        return claims_by_family(data.get("uuids") or [])


class CreateClaimMutation(ClaimMutation):
    rights_key = "gql_mutation_create_claims_perms"

    class Input(ClaimFields, OpenIMISMutation.Input):
        pass

    @classmethod
    def perform(cls, user, data):
        data = _claim_data(data)
        return _with_attachments(user, services.create_claim(user, data), data)


class UpdateClaimMutation(ClaimMutation):
    rights_key = "gql_mutation_update_claims_perms"

    class Input(ClaimFields, OpenIMISMutation.Input):
        uuid = graphene.String(required=True)

    @classmethod
    def perform(cls, user, data):
        data = _claim_data(data)
        return _with_attachments(user, services.update_claim(user, data), data)


def claims_by_family(uuids: list[str]) -> list[list[str]]:
    """The claims in groups by the insuree's family, in the order given: a family's claims share
    its policies' deductibles and ceilings and its members' limits, so workers decide them in
    one piece, in order, as the synchronous path does (pieces run side by side would not see
    each other's uncommitted claims)."""
    families = dict(Claim.objects.filter(uuid__in=[u for u in uuids if is_uuid(u)])
                    .values_list("uuid", "insuree__family_id"))
    groups: dict[Any, list[str]] = {}
    for uuid in uuids:
        family = families.get(_as_uuid(uuid))
        groups.setdefault(family if family is not None else ("alone", uuid), []).append(
            str(uuid))
    return list(groups.values())


def _as_uuid(value):
    return UUID(str(value)) if is_uuid(value) else None


class ClaimsInput(OpenIMISMutation.Input):
    uuids = graphene.List(graphene.String)


class DeleteClaimsMutation(ClaimMutation):
    rights_key = "gql_mutation_delete_claims_perms"
    Input = ClaimsInput

    @classmethod
    def perform(cls, user, data):
        return services.delete_claims(user, data.get("uuids"))


class SubmitClaimsMutation(ClaimMutation):
    rights_key = "gql_mutation_submit_claims_perms"
    bulk = True

    class Input(ClaimsInput):
        additional_filters = graphene.String(
            description="JSON of `claims` filters: submit every claim they select.")

    @classmethod
    def bulk_rows(cls, user, data):
        return claims_by_family(cls._uuids(user, data))

    @classmethod
    def perform(cls, user, data):
        return services.submit_claims(user, cls._uuids(user, data))

    @staticmethod
    def _uuids(user, data) -> list[str]:
        """The claims given, or those the filters select (when no uuid is given)."""
        uuids = data.get("uuids")
        if not uuids and data.get("additional_filters"):
            uuids = uuids_from_filters(user, data["additional_filters"])
        return [str(uuid) for uuid in uuids or []]


def _selection_mutation(name: str, field: str, action: str, rights_key: str):
    """selectClaimsForFeedback, skipClaimsReview, ...: one class per openIMIS name."""

    def perform(cls, user, data):
        return services.move_selection(user, data.get("uuids"), field, action)

    return type(name, (ClaimMutation,), {
        "rights_key": rights_key, "Input": ClaimsInput, "perform": classmethod(perform),
        "bulk": True,
        "__doc__": f"{action.capitalize()} the {field.split('_')[0]} of checked claims.",
    })


SELECT_RIGHTS = "gql_mutation_select_claim_feedback_review_perms"
SelectClaimsForFeedbackMutation = _selection_mutation(
    "SelectClaimsForFeedbackMutation", "feedback_status", "select", SELECT_RIGHTS)
SkipClaimsFeedbackMutation = _selection_mutation(
    "SkipClaimsFeedbackMutation", "feedback_status", "skip", SELECT_RIGHTS)
BypassClaimsFeedbackMutation = _selection_mutation(
    "BypassClaimsFeedbackMutation", "feedback_status", "bypass", SELECT_RIGHTS)
SelectClaimsForReviewMutation = _selection_mutation(
    "SelectClaimsForReviewMutation", "review_status", "select", SELECT_RIGHTS)
SkipClaimsReviewMutation = _selection_mutation(
    "SkipClaimsReviewMutation", "review_status", "skip", SELECT_RIGHTS)
BypassClaimsReviewMutation = _selection_mutation(
    "BypassClaimsReviewMutation", "review_status", "bypass", SELECT_RIGHTS)


class DeliverClaimFeedbackMutation(ClaimMutation):
    rights_key = "gql_mutation_deliver_claim_feedback_perms"

    class Input(OpenIMISMutation.Input):
        claim_uuid = graphene.String(required=True)
        feedback = graphene.Field(FeedbackInputType, required=True)

    @classmethod
    def perform(cls, user, data):
        return services.deliver_claim_feedback(user, data["claim_uuid"], data["feedback"])


class SaveClaimReviewMutation(ClaimMutation):
    rights_key = "gql_mutation_deliver_claim_review_perms"

    class Input(OpenIMISMutation.Input):
        claim_uuid = graphene.String(required=True)
        adjustment = graphene.String()
        items = graphene.List(ClaimItemInputType)
        services = graphene.List(ClaimServiceInputType)

    @classmethod
    def perform(cls, user, data):
        return services.save_claim_review(user, data["claim_uuid"], data)


class DeliverClaimsReviewMutation(ClaimMutation):
    rights_key = "gql_mutation_deliver_claim_review_perms"
    Input = ClaimsInput

    @classmethod
    def perform(cls, user, data):
        return services.deliver_claims_review(user, data.get("uuids"))


class ProcessClaimsMutation(ClaimMutation):
    rights_key = "gql_mutation_process_claims_perms"
    Input = ClaimsInput
    bulk = True

    @classmethod
    def perform(cls, user, data):
        return services.process_claims(user, data.get("uuids"))


class ValuateClaimsMutation(ClaimMutation):
    """With `year` and `month` (and optionally `locationUuid`): the period's batch run, which
    values relative-priced lines from the products' pools and closes the period (the log's
    `autogeneratedCode` is the batch run id). With `uuids` only: those processed claims valued
    at their approved amounts, outside any batch run."""

    rights_key = "gql_mutation_valuate_claim_perms"
    bulk = True

    class Input(ClaimsInput):
        year = graphene.Int()
        month = graphene.Int()
        location_uuid = graphene.String()

    @classmethod
    def bulk_rows(cls, user, data):
        if data.get("year") is not None or data.get("month") is not None:
            return None  # a period's batch run is one piece
        return super().bulk_rows(user, data)

    @classmethod
    def perform(cls, user, data):
        if data.get("year") is not None or data.get("month") is not None:
            if data.get("year") is None or data.get("month") is None:
                raise MutationError("A batch run needs both year and month", code="required",
                                    detail="month")
            return valuation.valuate_period(user, data)
        return services.valuate_claims(user, data.get("uuids"))


class RestoreClaimMutation(ClaimMutation):
    rights_key = "gql_mutation_restore_claims_perms"

    class Input(OpenIMISMutation.Input):
        uuid = graphene.String(required=True)

    @classmethod
    def perform(cls, user, data):
        return services.restore_claim(user, data["uuid"])


class CreateClaimAttachmentMutation(ClaimMutation):
    rights_key = "gql_mutation_claim_attachments_perms"

    class Input(ClaimAttachmentFields, OpenIMISMutation.Input):
        claim_uuid = graphene.String(required=True)

    @classmethod
    def perform(cls, user, data):
        return attachments.create_attachment(user, data)


class UpdateClaimAttachmentMutation(ClaimMutation):
    rights_key = "gql_mutation_claim_attachments_perms"

    class Input(ClaimAttachmentFields, OpenIMISMutation.Input):
        id = graphene.String(required=True)
        claim_uuid = graphene.String(description="The attachment's claim (it cannot change).")

    @classmethod
    def perform(cls, user, data):
        return attachments.update_attachment(user, data)


class DeleteClaimAttachmentMutation(ClaimMutation):
    rights_key = "gql_mutation_claim_attachments_perms"

    class Input(OpenIMISMutation.Input):
        id = graphene.String(required=True)

    @classmethod
    def perform(cls, user, data):
        return attachments.delete_attachment(user, data)
