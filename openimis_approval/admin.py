"""Django admin of pre-authorization: coloured status and priority, deadline and expiry warnings,
a request's documents (with a download link) and communications, templates with their use.

Requests are shown, not edited: every status change goes through `services.move()` (transition
table, version, history, signal); the moves offered here are actions running the GraphQL
mutations themselves (`core.admin_base.mutation_action`). Documents, communications and
templates are shown too: they are added and changed through their mutations, whose services
check types, sizes, checksums, the request's status and the template's lines."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html

from core.admin_base import TenantModelAdmin, TenantTabularInline, mutation_action
from openimis_approval.codes import GRANTED, ApprovalStatus, Priority
from openimis_approval.gql.mutations import (
    StartApprovalReviewMutation,
    SubmitApprovalRequestsMutation,
)
from openimis_approval.models import (
    ApprovalCommunication,
    ApprovalDocument,
    ApprovalLine,
    ApprovalRequest,
    ApprovalStatusHistory,
    ApprovalTemplate,
)
from openimis_approval.records import document_url

S = ApprovalStatus
STATUS_COLOURS = {
    S.DRAFT: "#6b7280", S.PENDING_SUBMISSION: "#6b7280", S.SUBMITTED: "#2563eb",
    S.UNDER_REVIEW: "#7c3aed", S.INFO_REQUESTED: "#d97706", S.APPROVED: "#15803d",
    S.PARTIALLY_APPROVED: "#65a30d", S.DENIED: "#b91c1c", S.APPEAL_SUBMITTED: "#c2410c",
    S.APPEAL_APPROVED: "#15803d", S.APPEAL_DENIED: "#b91c1c", S.EXPIRED: "#374151",
    S.CANCELLED: "#374151",
}
PRIORITY_COLOURS = {Priority.ROUTINE: "#6b7280", Priority.URGENT: "#d97706",
                    Priority.STAT: "#dc2626", Priority.EMERGENCY: "#7f1d1d"}


def _badge(text: str, colour: str):
    return format_html('<span style="color:#fff;background:{};padding:1px 6px;'
                       'border-radius:3px">{}</span>', colour, text)


class ApprovalLineInline(TenantTabularInline):
    model = ApprovalLine
    view_only = True
    raw_id_fields = ("item", "service")
    extra = 0


class ApprovalHistoryInline(TenantTabularInline):
    model = ApprovalStatusHistory
    fields = ("at", "from_status", "to_status", "user", "reason")
    extra = 0


class ApprovalDocumentInline(TenantTabularInline):
    """The request's documents, deleted ones included (marked); never their content, which the
    download link serves through the endpoint's rights and scope."""

    model = ApprovalDocument
    view_only = True
    fields = ("document_type", "title", "filename", "mime", "size", "uploaded_at",
              "uploaded_by", "deleted", "download")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content").select_related("uploaded_by")

    @admin.display(description="deleted")
    def deleted(self, document):
        return f"{document.validity_to:%Y-%m-%d %H:%M}" if document.validity_to else ""

    @admin.display(description="file")
    def download(self, document):
        if document.validity_to is not None:
            return "-"
        return format_html('<a href="{}">download</a>', document_url(document))


class ApprovalCommunicationInline(TenantTabularInline):
    model = ApprovalCommunication
    view_only = True
    fields = ("at", "communication_type", "contact_person", "contact_number", "subject",
              "message", "response", "outcome", "follow_up_required", "follow_up_date", "user")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(ApprovalTemplate)
class ApprovalTemplateAdmin(TenantModelAdmin):
    """Live templates with how many requests were made from each (`usage_count`, kept by
    `records.apply_template`: a column, so the list costs no query per row)."""

    list_display = ("name", "request_type", "priority", "product", "usage_count", "created_at",
                    "tenant")
    list_filter = ("tenant", "request_type", "priority")
    list_select_related = ("product", "tenant")
    search_fields = ("name", "service_description")
    ordering = ("-usage_count", "name")
    view_only = True

    def get_queryset(self, request):
        return super().get_queryset(request).filter(validity_to__isnull=True)


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(TenantModelAdmin):
    list_display = ("number", "coloured_status", "coloured_priority", "request_type", "insuree",
                    "health_facility", "deadline_warning", "expiry_warning", "tenant")
    list_filter = ("tenant", "status", "priority", "request_type")
    search_fields = ("number", "authorization_number", "insuree__chf_id")
    raw_id_fields = ("insuree", "policy", "health_facility", "requesting_provider", "icd",
                     "icd_1", "icd_2", "icd_3", "icd_4", "decided_by")
    inlines = [ApprovalLineInline, ApprovalDocumentInline, ApprovalCommunicationInline,
               ApprovalHistoryInline]
    view_only = True
    actions = [mutation_action(SubmitApprovalRequestsMutation, "Submit selected requests"),
               mutation_action(StartApprovalReviewMutation, "Start review of selected requests")]

    @admin.display(description="status", ordering="status")
    def coloured_status(self, request):
        return _badge(request.status, STATUS_COLOURS.get(request.status, "#6b7280"))

    @admin.display(description="priority", ordering="priority")
    def coloured_priority(self, request):
        return _badge(request.priority, PRIORITY_COLOURS.get(request.priority, "#6b7280"))

    @admin.display(description="decision due")
    def deadline_warning(self, request):
        if request.deadline is None:
            return "-"
        if request.is_overdue():
            return _badge(f"overdue since {request.deadline:%Y-%m-%d %H:%M}", "#b91c1c")
        return f"{request.deadline:%Y-%m-%d %H:%M}"

    @admin.display(description="expires")
    def expiry_warning(self, request):
        if request.expiration_date is None or request.status not in GRANTED:
            return "-"
        if request.expiration_date <= timezone.localdate() + timedelta(days=7):
            return _badge(f"{request.expiration_date} (soon)", "#d97706")
        return str(request.expiration_date)
