"""Pre-authorization mutations: each names its right and calls one service."""

from __future__ import annotations

import graphene

from core.gql.mutations import OpenIMISMutation
from openimis_approval import services


class ApprovalLineInputType(graphene.InputObjectType):
    id = graphene.String()
    item_id = graphene.Int()
    service_id = graphene.Int()
    qty_requested = graphene.Decimal()
    price_requested = graphene.Decimal()
    qty_approved = graphene.Decimal()
    price_approved = graphene.Decimal()
    decision = graphene.String()
    reason = graphene.String()


class RequestFields:
    insuree_id = graphene.Int()
    health_facility_id = graphene.Int()
    request_type = graphene.String()
    priority = graphene.String()
    icd_id = graphene.Int()
    icd1_id = graphene.Int()
    icd2_id = graphene.Int()
    icd3_id = graphene.Int()
    icd4_id = graphene.Int()
    service_start_date = graphene.Date()
    service_end_date = graphene.Date()
    service_description = graphene.String()
    clinical_justification = graphene.String()
    medical_necessity = graphene.String()
    template_id = graphene.String(description="A template that pre-fills the request")
    order_type = graphene.String(description="A registered order type, app_label.model")
    order_id = graphene.String()
    lines = graphene.List(ApprovalLineInputType)


class ApprovalMutation(OpenIMISMutation):
    class Meta:
        abstract = True

    module_name = "approval"


class RequestsInput(OpenIMISMutation.Input):
    uuids = graphene.List(graphene.String)


class CreateApprovalRequestMutation(ApprovalMutation):
    rights_key = "gql_mutation_create_approvals_perms"

    class Input(RequestFields, OpenIMISMutation.Input):
        pass

    @classmethod
    def perform(cls, user, data):
        return services.create_request(user, data)


class UpdateApprovalRequestMutation(ApprovalMutation):
    rights_key = "gql_mutation_update_approvals_perms"

    class Input(RequestFields, OpenIMISMutation.Input):
        uuid = graphene.String(required=True)

    @classmethod
    def perform(cls, user, data):
        return services.update_request(user, data)


class SubmitApprovalRequestsMutation(ApprovalMutation):
    rights_key = "gql_mutation_submit_approvals_perms"
    Input = RequestsInput

    @classmethod
    def perform(cls, user, data):
        return services.submit_requests(user, data.get("uuids"))


class HoldApprovalRequestsMutation(ApprovalMutation):
    """DRAFT -> PENDING_SUBMISSION: the draft waits for documents before it is submitted."""

    rights_key = "gql_mutation_update_approvals_perms"

    class Input(RequestsInput):
        reason = graphene.String(description="What the request waits for (default: documents).")

    @classmethod
    def perform(cls, user, data):
        return services.hold_for_documents(user, data.get("uuids"), data.get("reason"))


class ReopenApprovalDraftsMutation(ApprovalMutation):
    """PENDING_SUBMISSION -> DRAFT: the request is written further."""

    rights_key = "gql_mutation_update_approvals_perms"
    Input = RequestsInput

    @classmethod
    def perform(cls, user, data):
        return services.reopen_drafts(user, data.get("uuids"))


class StartApprovalReviewMutation(ApprovalMutation):
    rights_key = "gql_mutation_review_approvals_perms"
    Input = RequestsInput

    @classmethod
    def perform(cls, user, data):
        return services.start_review(user, data.get("uuids"))


class RequestApprovalInfoMutation(ApprovalMutation):
    rights_key = "gql_mutation_review_approvals_perms"

    class Input(OpenIMISMutation.Input):
        uuid = graphene.String(required=True)
        message = graphene.String(required=True)

    @classmethod
    def perform(cls, user, data):
        return services.request_info(user, data["uuid"], data["message"])


class SupplyApprovalInfoMutation(ApprovalMutation):
    rights_key = "gql_mutation_update_approvals_perms"

    class Input(OpenIMISMutation.Input):
        uuid = graphene.String(required=True)
        message = graphene.String()
        lines = graphene.List(ApprovalLineInputType)

    @classmethod
    def perform(cls, user, data):
        return services.supply_info(user, data["uuid"], data.get("message"), data.get("lines"))


class DecisionFields:
    uuid = graphene.String(required=True)
    decision = graphene.String(required=True, description="APPROVE, PARTIAL or DENY")
    authorization_number = graphene.String()
    effective_date = graphene.Date()
    expiration_date = graphene.Date()
    lines = graphene.List(ApprovalLineInputType)


class DecideApprovalRequestMutation(ApprovalMutation):
    rights_key = "gql_mutation_decide_approvals_perms"

    class Input(DecisionFields, OpenIMISMutation.Input):
        denial_reason = graphene.String()
        denial_code = graphene.String()

    @classmethod
    def perform(cls, user, data):
        return services.decide_request(user, data)


class SubmitApprovalAppealMutation(ApprovalMutation):
    rights_key = "gql_mutation_submit_appeal_perms"

    class Input(OpenIMISMutation.Input):
        uuid = graphene.String(required=True)
        reason = graphene.String(required=True)

    @classmethod
    def perform(cls, user, data):
        return services.submit_appeal(user, data["uuid"], data["reason"])


class DecideApprovalAppealMutation(ApprovalMutation):
    rights_key = "gql_mutation_decide_appeal_perms"

    class Input(DecisionFields, OpenIMISMutation.Input):
        reason = graphene.String()

    @classmethod
    def perform(cls, user, data):
        return services.decide_appeal(user, data)


class CancelApprovalRequestsMutation(ApprovalMutation):
    rights_key = "gql_mutation_cancel_approvals_perms"

    class Input(RequestsInput):
        reason = graphene.String(description="Required: why the request is cancelled.")

    @classmethod
    def perform(cls, user, data):
        return services.cancel_requests(user, data.get("uuids"), data.get("reason"))


class EvaluateApprovalRequestMutation(ApprovalMutation):
    """The evaluation lands in the mutation log's `jsonExt`."""

    rights_key = "gql_mutation_review_approvals_perms"

    class Input(OpenIMISMutation.Input):
        uuid = graphene.String(required=True)

    @classmethod
    def perform(cls, user, data):
        return services.evaluate_request(user, data["uuid"])


class ExtendApprovalDeadlineMutation(ApprovalMutation):
    rights_key = "gql_mutation_review_approvals_perms"

    class Input(OpenIMISMutation.Input):
        uuid = graphene.String(required=True)
        days = graphene.Int(required=True)
        reason = graphene.String()

    @classmethod
    def perform(cls, user, data):
        return services.extend_deadline(user, data["uuid"], data["days"], data.get("reason"))
