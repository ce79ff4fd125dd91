"""The pre-authorization module's GraphQL (API.md "Pre-authorization")."""

from __future__ import annotations

import graphene
from django.db.models import Q
from django.utils import timezone

from core.gql.policy import requires
from core.gql.types import OrderedConnectionField
from core.scoping import scope_queryset
from openimis_approval.codes import ApprovalStatus
from openimis_approval.gql import mutations as m
from openimis_approval.gql.types import ApprovalRequestGQLType
from openimis_approval.models import ApprovalRequest

WAITING = (ApprovalStatus.SUBMITTED, ApprovalStatus.UNDER_REVIEW, ApprovalStatus.INFO_REQUESTED,
           ApprovalStatus.APPEAL_SUBMITTED)


def approval_list(overdue=None, show_deleted=False):
    queryset = ApprovalRequest.objects.select_related(
        "insuree", "health_facility", "requesting_provider", "icd", "icd_1", "policy",
        "order_type").prefetch_related("lines__item", "lines__service", "history__user")
    if not show_deleted:
        queryset = queryset.filter(validity_to__isnull=True)
    if overdue is not None:
        now = timezone.now()
        late = Q(status__in=WAITING) & (Q(extended_due_at__lt=now) | Q(
            extended_due_at__isnull=True, due_at__lt=now))
        queryset = queryset.filter(late) if overdue else queryset.exclude(late)
    return queryset


class Query(graphene.ObjectType):
    approval_requests = requires("gql_query_approvals_perms", OrderedConnectionField(
        ApprovalRequestGQLType,
        ordering=("number", "submitted_at", "due_at", "priority", "status", "created_at"),
        overdue=graphene.Boolean(), show_deleted=graphene.Boolean()))
    approval_request = requires("gql_query_approvals_perms", graphene.Field(
        ApprovalRequestGQLType, uuid=graphene.String(required=True)))

    def resolve_approval_requests(self, info, overdue=None, show_deleted=False, **kwargs):
        return approval_list(overdue, bool(show_deleted))

    def resolve_approval_request(self, info, uuid):
        from openimis_claim.services.common import is_uuid

        if not is_uuid(uuid):
            return None
        return scope_queryset(info.context.user, approval_list()).filter(uuid=uuid).first()


class Mutation(graphene.ObjectType):
    create_approval_request = m.CreateApprovalRequestMutation.Field()
    update_approval_request = m.UpdateApprovalRequestMutation.Field()
    submit_approval_requests = m.SubmitApprovalRequestsMutation.Field()
    start_approval_review = m.StartApprovalReviewMutation.Field()
    request_approval_info = m.RequestApprovalInfoMutation.Field()
    supply_approval_info = m.SupplyApprovalInfoMutation.Field()
    decide_approval_request = m.DecideApprovalRequestMutation.Field()
    submit_approval_appeal = m.SubmitApprovalAppealMutation.Field()
    decide_approval_appeal = m.DecideApprovalAppealMutation.Field()
    cancel_approval_requests = m.CancelApprovalRequestsMutation.Field()
