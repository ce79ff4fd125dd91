"""GraphQL of request documents, the communication log and templates (API.md
"Pre-authorization"); `RecordsQuery` and `RecordsMutation` are mixed into the module's schema."""

from __future__ import annotations

from typing import ClassVar

import graphene
from django.db.models import Q

from core.gql.mutations import OpenIMISMutation
from core.gql.policy import requires
from core.gql.types import OrderedConnectionField, ScopedObjectType, node_meta
from openimis_approval import records
from openimis_approval.models import ApprovalCommunication, ApprovalDocument, ApprovalTemplate

QUERY_RIGHTS = "gql_query_approvals_perms"
DOCUMENT_RIGHTS = "gql_mutation_approval_documents_perms"
TEMPLATE_RIGHTS = "gql_mutation_approval_templates_perms"


class ApprovalDocumentGQLType(ScopedObjectType):
    """A document of a request; its content is never part of the graph: `url` is where it is
    downloaded (`/api/approval/document`), as for claim attachments."""

    url = graphene.String(description="Where the document is downloaded.")

    # The optimizer loads only the columns a selection reads: `url` needs the uuid, never the
    # content (a list of documents must not read their bytes).
    reads: ClassVar = {"url": ("uuid",)}

    class Meta:
        model = ApprovalDocument
        fields = ("id", "uuid", "document_type", "title", "description", "filename", "mime",
                  "size", "sha256", "uploaded_at", "uploaded_by")

    def resolve_url(self, info) -> str:
        return records.document_url(self)


class ApprovalCommunicationGQLType(ScopedObjectType):
    class Meta:
        model = ApprovalCommunication
        fields = ("id", "request", "communication_type", "contact_person", "contact_number",
                  "subject", "message", "response", "outcome", "follow_up_required",
                  "follow_up_date", "at", "user")


class ApprovalTemplateLineGQLType(graphene.ObjectType):
    item_id = graphene.Int()
    service_id = graphene.Int()
    qty_requested = graphene.Decimal()


class ApprovalTemplateGQLType(ScopedObjectType):
    required_documents = graphene.List(graphene.NonNull(graphene.String))
    lines = graphene.List(graphene.NonNull(ApprovalTemplateLineGQLType))

    Meta = node_meta(
        ApprovalTemplate,
        ("id", "uuid", "name", "request_type", "product", "priority", "service_description",
         "clinical_justification", "usage_count", "created_at"),
        {"request_type": ["exact"], "product__id": ["exact"]},
    )

    def resolve_required_documents(self, info):
        return self.required_documents or []

    def resolve_lines(self, info):
        return [ApprovalTemplateLineGQLType(item_id=row.get("itemId"),
                                            service_id=row.get("serviceId"),
                                            qty_requested=row.get("qtyRequested"))
                for row in self.lines or []]


# --- Mutations ------------------------------------------------------------------------------


class RecordsMutationBase(OpenIMISMutation):
    class Meta:
        abstract = True

    module_name = "approval"


class AddApprovalDocumentMutation(RecordsMutationBase):
    rights_key = DOCUMENT_RIGHTS

    class Input(OpenIMISMutation.Input):
        request_uuid = graphene.String(required=True)
        document_type = graphene.String(required=True)
        title = graphene.String()
        description = graphene.String()
        filename = graphene.String()
        mime = graphene.String(required=True)
        document = graphene.String(required=True, description="The content, base64.")

    @classmethod
    def perform(cls, user, data):
        return records.add_document(user, data)


class DeleteApprovalDocumentMutation(RecordsMutationBase):
    rights_key = DOCUMENT_RIGHTS

    class Input(OpenIMISMutation.Input):
        id = graphene.String(required=True, description="The document's id or uuid.")

    @classmethod
    def perform(cls, user, data):
        return records.delete_document(user, data["id"])


class LogApprovalCommunicationMutation(RecordsMutationBase):
    rights_key = DOCUMENT_RIGHTS

    class Input(OpenIMISMutation.Input):
        request_uuid = graphene.String(required=True)
        communication_type = graphene.String(
            required=True, description="PHONE, EMAIL, FAX, PORTAL, LETTER or IN_PERSON")
        contact_person = graphene.String()
        contact_number = graphene.String()
        subject = graphene.String()
        message = graphene.String()
        response = graphene.String()
        outcome = graphene.String()
        follow_up_required = graphene.Boolean()
        follow_up_date = graphene.Date()

    @classmethod
    def perform(cls, user, data):
        return records.log_communication(user, data)


class ApprovalTemplateLineInputType(graphene.InputObjectType):
    item_id = graphene.Int()
    service_id = graphene.Int()
    qty_requested = graphene.Decimal()


class TemplateFields:
    name = graphene.String()
    request_type = graphene.String()
    product_id = graphene.Int()
    priority = graphene.String()
    service_description = graphene.String()
    clinical_justification = graphene.String()
    required_documents = graphene.List(graphene.String)
    lines = graphene.List(ApprovalTemplateLineInputType)


class CreateApprovalTemplateMutation(RecordsMutationBase):
    rights_key = TEMPLATE_RIGHTS

    class Input(TemplateFields, OpenIMISMutation.Input):
        pass

    @classmethod
    def perform(cls, user, data):
        return records.create_template(user, data)


class UpdateApprovalTemplateMutation(RecordsMutationBase):
    rights_key = TEMPLATE_RIGHTS

    class Input(TemplateFields, OpenIMISMutation.Input):
        id = graphene.String(required=True, description="The template's id, uuid or node id.")

    @classmethod
    def perform(cls, user, data):
        return records.update_template(user, data)


class DeleteApprovalTemplateMutation(RecordsMutationBase):
    rights_key = TEMPLATE_RIGHTS

    class Input(OpenIMISMutation.Input):
        id = graphene.String(required=True, description="The template's id, uuid or node id.")

    @classmethod
    def perform(cls, user, data):
        return records.delete_template(user, data["id"])


# --- Root fields, mixed into the module's Query and Mutation ---------------------------------


class RecordsQuery(graphene.ObjectType):
    approval_templates = requires(QUERY_RIGHTS, OrderedConnectionField(
        ApprovalTemplateGQLType, ordering=("name", "usage_count", "created_at"),
        search=graphene.String(description="In the name or the service description.")),
        module="approval")
    approval_follow_ups_due = requires(QUERY_RIGHTS, graphene.List(
        graphene.NonNull(ApprovalCommunicationGQLType),
        on_date=graphene.Date(description="Due on or before this day; today by default.")),
        module="approval")

    def resolve_approval_templates(self, info, search=None, **kwargs):
        templates = records.visible_templates(info.context.user).select_related("product")
        if search:
            templates = templates.filter(Q(name__icontains=search)
                                         | Q(service_description__icontains=search))
        return templates

    def resolve_approval_follow_ups_due(self, info, on_date=None):
        return records.follow_ups_due(info.context.user, on_date)


class RecordsMutation(graphene.ObjectType):
    add_approval_document = AddApprovalDocumentMutation.Field()
    delete_approval_document = DeleteApprovalDocumentMutation.Field()
    log_approval_communication = LogApprovalCommunicationMutation.Field()
    create_approval_template = CreateApprovalTemplateMutation.Field()
    update_approval_template = UpdateApprovalTemplateMutation.Field()
    delete_approval_template = DeleteApprovalTemplateMutation.Field()
