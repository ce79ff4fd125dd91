"""The pre-authorization module's GraphQL (API.md "Pre-authorization")."""

from __future__ import annotations

from datetime import timedelta

import graphene
from django.db.models import Prefetch
from django.utils import timezone

from core.gql.policy import requires
from core.gql.types import OrderedConnectionField
from core.scoping import scope_queryset
from openimis_approval import stats
from openimis_approval.codes import GRANTED
from openimis_approval.gql import mutations as m
from openimis_approval.gql.records import RecordsMutation, RecordsQuery
from openimis_approval.gql.types import (
    ApprovalDashboardGQLType,
    ApprovalMetricsGQLType,
    ApprovalOrderTypeGQLType,
    ApprovalRequestGQLType,
)
from openimis_approval.models import (
    DIAGNOSIS_FIELDS,
    ApprovalDocument,
    ApprovalRequest,
    overdue_condition,
)
from openimis_approval.orders import order_types


def documents_without_content() -> Prefetch:
    """A request's documents as the graph shows them: never their bytes (up to
    `document_max_bytes` each), which only the download endpoint reads."""
    return Prefetch("documents", queryset=ApprovalDocument.objects.defer("content")
                    .select_related("uploaded_by"))


def approval_list(overdue=None, show_deleted=False):
    queryset = ApprovalRequest.objects.select_related(
        "insuree", "health_facility", "requesting_provider", *DIAGNOSIS_FIELDS.values(), "policy",
        "order_type").prefetch_related("lines__item", "lines__service", "history__user",
                                       documents_without_content(), "communications__user")
    if not show_deleted:
        queryset = queryset.filter(validity_to__isnull=True)
    if overdue is not None:
        late = overdue_condition(timezone.now())
        queryset = queryset.filter(late) if overdue else queryset.exclude(late)
    return queryset


class Query(RecordsQuery, graphene.ObjectType):
    approval_requests = requires("gql_query_approvals_perms", OrderedConnectionField(
        ApprovalRequestGQLType,
        ordering=("number", "submitted_at", "due_at", "priority", "status", "created_at"),
        overdue=graphene.Boolean(), show_deleted=graphene.Boolean(),
        expiring_within_days=graphene.Int()))
    approval_request = requires("gql_query_approvals_perms", graphene.Field(
        ApprovalRequestGQLType, uuid=graphene.String(required=True)))

    approvals_expiring = requires("gql_query_approvals_perms", OrderedConnectionField(
        ApprovalRequestGQLType, ordering=("expiration_date", "number"),
        days=graphene.Int(required=True)))
    approval_dashboard = requires("gql_query_approval_dashboard_perms",
                                  graphene.Field(ApprovalDashboardGQLType))
    approval_metrics = requires("gql_query_approval_dashboard_perms", graphene.List(
        ApprovalMetricsGQLType, date_from=graphene.Date(required=True),
        date_to=graphene.Date(required=True)))
    approval_order_types = requires("gql_query_approvals_perms",
                                    graphene.List(ApprovalOrderTypeGQLType))

    def resolve_approvals_expiring(self, info, days, **kwargs):
        today = timezone.localdate()
        return approval_list().filter(status__in=GRANTED, expiration_date__gte=today,
                                      expiration_date__lte=today + timedelta(days=days))

    def resolve_approval_dashboard(self, info):
        requests = scope_queryset(info.context.user, approval_list())
        return ApprovalDashboardGQLType(**stats.dashboard(requests))

    def resolve_approval_metrics(self, info, date_from, date_to):
        requests = scope_queryset(info.context.user, approval_list())
        return [ApprovalMetricsGQLType(**row) for row in stats.metrics(requests, date_from,
                                                                        date_to)]

    def resolve_approval_order_types(self, info):
        return [ApprovalOrderTypeGQLType(order_type=t.key, label=t.label,
                                         request_type=t.request_type) for t in order_types()]

    def resolve_approval_requests(self, info, overdue=None, show_deleted=False,
                                  expiring_within_days=None, **kwargs):
        requests = approval_list(overdue, bool(show_deleted))
        if expiring_within_days is not None:
            today = timezone.localdate()
            requests = requests.filter(
                status__in=GRANTED, expiration_date__gte=today,
                expiration_date__lte=today + timedelta(days=expiring_within_days))
        return requests

    def resolve_approval_request(self, info, uuid):
        from core.scoping import is_uuid

        if not is_uuid(uuid):
            return None
        return scope_queryset(info.context.user, approval_list()).filter(uuid=uuid).first()


class Mutation(RecordsMutation, graphene.ObjectType):
    create_approval_request = m.CreateApprovalRequestMutation.Field()
    update_approval_request = m.UpdateApprovalRequestMutation.Field()
    submit_approval_requests = m.SubmitApprovalRequestsMutation.Field()
    hold_approval_requests = m.HoldApprovalRequestsMutation.Field()
    reopen_approval_drafts = m.ReopenApprovalDraftsMutation.Field()
    start_approval_review = m.StartApprovalReviewMutation.Field()
    request_approval_info = m.RequestApprovalInfoMutation.Field()
    supply_approval_info = m.SupplyApprovalInfoMutation.Field()
    decide_approval_request = m.DecideApprovalRequestMutation.Field()
    submit_approval_appeal = m.SubmitApprovalAppealMutation.Field()
    decide_approval_appeal = m.DecideApprovalAppealMutation.Field()
    cancel_approval_requests = m.CancelApprovalRequestsMutation.Field()
    evaluate_approval_request = m.EvaluateApprovalRequestMutation.Field()
    extend_approval_deadline = m.ExtendApprovalDeadlineMutation.Field()
