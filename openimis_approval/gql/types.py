"""GraphQL types of pre-authorization (API.md "Pre-authorization")."""

from __future__ import annotations

from typing import ClassVar

import django_filters
import graphene
from django.utils import timezone

from core.gql.optimizer import CURRENT, Related, batched
from core.gql.types import CountableConnection, ScopedObjectType
from openimis_approval.gql.records import ApprovalCommunicationGQLType, ApprovalDocumentGQLType
from openimis_approval.models import ApprovalLine, ApprovalRequest, ApprovalStatusHistory


class ApprovalFilter(django_filters.FilterSet):
    submitted_from = django_filters.DateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_to = django_filters.DateTimeFilter(field_name="submitted_at", lookup_expr="lte")

    class Meta:
        model = ApprovalRequest
        fields = {
            "status": ["exact"], "priority": ["exact"], "request_type": ["exact"],
            "insuree__chf_id": ["exact"], "health_facility__uuid": ["exact"],
            "authorization_number": ["exact"], "number": ["exact", "icontains"],
        }


class ApprovalLineGQLType(ScopedObjectType):
    x12_code = graphene.String()

    class Meta:
        model = ApprovalLine
        fields = ("id", "uuid", "item", "service", "qty_requested", "price_requested",
                  "qty_approved", "price_approved", "qty_used", "qty_reserved", "decision",
                  "reason")

    def resolve_x12_code(self, info) -> str:
        return self.x12_code


class ApprovalHistoryGQLType(ScopedObjectType):
    class Meta:
        model = ApprovalStatusHistory
        fields = ("from_status", "to_status", "reason", "at", "user")


class EvaluationGQLType(graphene.ObjectType):
    conditions_met = graphene.List(graphene.String)
    conditions_failed = graphene.List(graphene.String)
    covered_amount = graphene.Decimal()
    patient_share = graphene.Decimal()
    evaluated_at = graphene.DateTime()
    passed = graphene.Boolean()


class StatusCountGQLType(graphene.ObjectType):
    status = graphene.String()
    count = graphene.Int()


class PriorityHoursGQLType(graphene.ObjectType):
    priority = graphene.String()
    hours = graphene.Float()


class ApprovalDashboardGQLType(graphene.ObjectType):
    by_status = graphene.List(StatusCountGQLType)
    overdue = graphene.Int()
    expiring_soon = graphene.Int()
    median_decision_hours = graphene.List(PriorityHoursGQLType)


class ApprovalMetricsGQLType(graphene.ObjectType):
    priority = graphene.String()
    total = graphene.Int()
    approved = graphene.Int()
    denied = graphene.Int()
    approved_after_appeal = graphene.Int()
    extended = graphene.Int()
    average_decision_hours = graphene.Float()
    median_decision_hours = graphene.Float()


class ApprovalOrderTypeGQLType(graphene.ObjectType):
    order_type = graphene.String()
    label = graphene.String()
    request_type = graphene.String()


class ApprovalRequestGQLType(ScopedObjectType):
    """A pre-authorization request with its lines and history."""

    order_type = graphene.String(description="app_label.model of the order it is for")
    order_summary = graphene.String()
    is_overdue = graphene.Boolean()
    requested_amount = graphene.Decimal()
    approved_amount = graphene.Decimal()
    lines = graphene.List(graphene.NonNull(ApprovalLineGQLType))
    history = graphene.List(graphene.NonNull(ApprovalHistoryGQLType))
    documents = graphene.List(graphene.NonNull(ApprovalDocumentGQLType))
    communications = graphene.List(graphene.NonNull(ApprovalCommunicationGQLType))
    evaluation = graphene.Field(EvaluationGQLType,
                                description="Computed when asked (reads the registers).")

    related_fields: ClassVar = {"documents": Related("documents", filter=CURRENT)}
    prefetches: ClassVar = {"order_type": ("order_type",), "order_summary": ("order",),
                            "requested_amount": ("lines",), "approved_amount": ("lines",)}

    class Meta:
        model = ApprovalRequest
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        filterset_class = ApprovalFilter
        fields = (
            "id", "uuid", "number", "status", "priority", "request_type", "order_id",
            "service_description", "clinical_justification", "medical_necessity",
            "service_start_date", "service_end_date", "submitted_at", "due_at",
            "extended_due_at", "decided_at", "authorization_number", "effective_date",
            "expiration_date", "denial_reason", "denial_code", "appeal_level", "appeal_reason",
            "insuree", "policy", "health_facility", "requesting_provider", "icd", "icd_1",
            "icd_2", "icd_3", "icd_4", "version", "extensions",
        )

    def resolve_order_type(self, info) -> str | None:
        return f"{self.order_type.app_label}.{self.order_type.model}" if self.order_type_id \
            else None

    def resolve_order_summary(self, info) -> str | None:
        from openimis_approval.orders import order_type

        order = self.order if self.order_type_id else None
        if order is None:
            return None
        described = order_type(f"{self.order_type.app_label}.{self.order_type.model}")
        return described.summary(order) if described else str(order)

    def resolve_is_overdue(self, info) -> bool:
        return self.is_overdue(timezone.now())

    def resolve_requested_amount(self, info):
        return self.requested_amount

    def resolve_approved_amount(self, info):
        return self.approved_amount

    def resolve_lines(self, info):
        return self.lines.all()

    def resolve_history(self, info):
        return self.history.all()

    def resolve_documents(self, info):
        return [document for document in self.documents.all() if document.validity_to is None]

    def resolve_communications(self, info):
        return self.communications.all()

    def resolve_evaluation(self, info):
        from openimis_approval.services import evaluate_many

        result = batched(info, self, "evaluation", evaluate_many)
        return EvaluationGQLType(**{key: value for key, value in result.items()
                                    if key != "policy"})
