"""The claims module's GraphQL (API.md "Claim queries" and "Claim mutations")."""

from __future__ import annotations

import graphene

from core.gql.policy import authenticated, requires
from core.gql.selection import selects
from core.gql.types import ListConnectionField, OrderedConnectionField
from core.registers.codes import RejectionReason
from core.registers.gql.types import HealthFacilityGQLType, OfficerGQLType, RejectionReasonGQLType
from core.registers.models import Insuree
from core.registers.queries import officers
from core.scoping import is_uuid, parse_pk, scope_queryset
from openimis_claim.gql import mutations as m
from openimis_claim.gql.types import (
    BatchRunGQLType,
    ClaimAdminGQLType,
    ClaimAttachmentGQLType,
    ClaimAttachmentTypeGQLType,
    ClaimGQLType,
    ClaimHistoryGQLType,
)
from openimis_claim.models import BatchRun, ClaimAttachment, ClaimAttachmentType
from openimis_claim.services.common import visible_claims
from openimis_claim.services.queries import (
    claim_admins,
    claim_detail,
    claim_history,
    claim_list,
)

CLAIM_ORDERING = ("code", "health_facility__code", "insuree__last_name", "insuree__chf_id",
                  "date_claimed", "claimed", "approved", "valuated", "date_from", "date_to",
                  "date_processed", "status", "feedback_status", "review_status")


class Query(graphene.ObjectType):
    claims = requires("gql_query_claims_perms", OrderedConnectionField(
        ClaimGQLType, ordering=CLAIM_ORDERING,
        items=graphene.List(graphene.String, description="Claims with any of these items."),
        services=graphene.List(graphene.String),
        attachment_status=graphene.Int(description="1 with attachments, 2 without."),
        show_restored=graphene.Boolean(),
        diagnosis_variance=graphene.Int(
            description="Claims asking more than this % above the average approved for their "
                        "main diagnosis over the last year (and claims of a diagnosis without "
                        "claims in that year)."),
    ))
    claim = requires("gql_query_claims_perms", graphene.Field(
        ClaimGQLType, uuid=graphene.String(required=True)))
    claim_attachments = requires("gql_query_claims_perms", OrderedConnectionField(
        ClaimAttachmentGQLType, ordering=("date", "title")))
    claim_history = requires("gql_query_claims_perms", ListConnectionField(
        ClaimHistoryGQLType._meta.connection, claim_uuid=graphene.String(required=True),
        description="The claim now, then its earlier versions, newest first."))
    batch_runs = requires("gql_query_batch_runs_perms", OrderedConnectionField(
        BatchRunGQLType, ordering=("run_date", "run_year", "run_month")))
    claim_admins = requires("gql_query_claim_admins_perms", OrderedConnectionField(
        ClaimAdminGQLType, ordering=("code", "last_name"), search=graphene.String(),
        health_facility__uuid=graphene.String(name="healthFacility_Uuid"),
        region_uuid=graphene.String(), district_uuid=graphene.String()))
    claim_officers = requires("gql_query_claim_officers_perms", OrderedConnectionField(
        OfficerGQLType, ordering=("code", "last_name"), search=graphene.String()))
    claim_attachment_type = requires("gql_query_claim_attachment_types_perms",
                                     OrderedConnectionField(ClaimAttachmentTypeGQLType,
                                                            ordering=("claim_attachment_type",)))
    validate_claim_code = requires("gql_mutation_create_claims_perms", graphene.Field(
        graphene.Boolean, claim_code=graphene.String(required=True),
        health_facility_uuid=graphene.String(),
        description="True when the code is free (at the facility, or anywhere visible)."))
    claim_with_same_diagnosis = requires("gql_query_claims_perms", OrderedConnectionField(
        ClaimGQLType, ordering=("date_claimed", "date_from"), chfid=graphene.String(),
        icd=graphene.String()))
    fsp_from_claim = requires("gql_query_claims_perms", graphene.Field(
        HealthFacilityGQLType, insuree_code=graphene.String(required=True),
        date_claimed=graphene.Date(),
        description="The insuree's first point of service."))
    claim_rejection_reasons = authenticated(graphene.List(RejectionReasonGQLType))

    def resolve_claims(self, info, items=None, services=None, attachment_status=None,
                       show_restored=None, diagnosis_variance=None, **kwargs):
        return claim_list(items=items, services=services, attachment_status=attachment_status,
                          show_restored=show_restored, diagnosis_variance=diagnosis_variance)

    def resolve_claim(self, info, uuid):
        if not is_uuid(uuid):
            return None
        # The uuid is unique: no LIMIT / ORDER BY (`.first()`), with which PostgreSQL spends
        # some 150 ms planning the claim page's ~30 joins instead of 5.
        parts = selects(info, ("services", "items")) or selects(info, ("services", "services"))
        found = list(scope_queryset(info.context.user, claim_detail(parts)).filter(uuid=uuid))
        return found[0] if found else None

    def resolve_claim_attachments(self, info, **kwargs):
        return ClaimAttachment.objects.filter(validity_to__isnull=True,
                                              claim__validity_to__isnull=True) \
            .select_related("predefined_type")

    def resolve_claim_history(self, info, claim_uuid, **kwargs):
        return claim_history(info.context.user, claim_uuid)

    def resolve_batch_runs(self, info, **kwargs):
        return BatchRun.objects.select_related("location")

    def resolve_claim_admins(self, info, search=None, health_facility__uuid=None,
                             region_uuid=None, district_uuid=None, **kwargs):
        return claim_admins(search, health_facility__uuid, region_uuid, district_uuid)

    def resolve_claim_officers(self, info, search=None, **kwargs):
        queryset = officers()
        if search:
            queryset = queryset.filter(code__icontains=search) | queryset.filter(
                last_name__icontains=search)
        return queryset

    def resolve_claim_attachment_type(self, info, **kwargs):
        return ClaimAttachmentType.objects.all()

    def resolve_validate_claim_code(self, info, claim_code, health_facility_uuid=None):
        claims = visible_claims(info.context.user).filter(code=claim_code)
        if health_facility_uuid:
            claims = claims.filter(health_facility__uuid=health_facility_uuid)
        return not claims.exists()

    def resolve_claim_with_same_diagnosis(self, info, chfid=None, icd=None, **kwargs):
        """The insuree's claims with this main diagnosis (`status_Gt` and the other searcher
        filters apply as in `claims`)."""
        queryset = claim_list(show_restored=True)
        if chfid:
            queryset = queryset.filter(insuree__chf_id=chfid)
        if icd:
            queryset = queryset.filter(icd_id=parse_pk(icd)) if icd.isdigit() else \
                queryset.filter(icd__code=icd)
        return queryset

    def resolve_fsp_from_claim(self, info, insuree_code, date_claimed=None):
        insuree = scope_queryset(info.context.user, Insuree.objects.filter(
            chf_id=insuree_code, validity_to__isnull=True)).select_related(
            "health_facility").first()
        return insuree.health_facility if insuree else None

    def resolve_claim_rejection_reasons(self, info):
        return [RejectionReasonGQLType(code=int(r), label=r.label) for r in RejectionReason]


class Mutation(graphene.ObjectType):
    create_claim = m.CreateClaimMutation.Field()
    update_claim = m.UpdateClaimMutation.Field()
    delete_claims = m.DeleteClaimsMutation.Field()
    submit_claims = m.SubmitClaimsMutation.Field()
    select_claims_for_feedback = m.SelectClaimsForFeedbackMutation.Field()
    skip_claims_feedback = m.SkipClaimsFeedbackMutation.Field()
    bypass_claims_feedback = m.BypassClaimsFeedbackMutation.Field()
    deliver_claim_feedback = m.DeliverClaimFeedbackMutation.Field()
    select_claims_for_review = m.SelectClaimsForReviewMutation.Field()
    skip_claims_review = m.SkipClaimsReviewMutation.Field()
    bypass_claims_review = m.BypassClaimsReviewMutation.Field()
    save_claim_review = m.SaveClaimReviewMutation.Field()
    deliver_claims_review = m.DeliverClaimsReviewMutation.Field()
    process_claims = m.ProcessClaimsMutation.Field()
    valuate_claims = m.ValuateClaimsMutation.Field()
    restore_claim = m.RestoreClaimMutation.Field()
    create_claim_attachment = m.CreateClaimAttachmentMutation.Field()
    update_claim_attachment = m.UpdateClaimAttachmentMutation.Field()
    delete_claim_attachment = m.DeleteClaimAttachmentMutation.Field()


