"""Claim querysets for lists and single claims: related rows joined or prefetched in the query
that builds the list, so the SQL count stays the same whatever the page size."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.registers.queries import insuree_policies_prefetch
from core.scoping import is_uuid
from openimis_claim.codes import AttachmentStatus, ClaimStatus
from openimis_claim.models import (
    Claim,
    ClaimAdmin,
    ClaimAttachment,
    ClaimItem,
    ClaimService,
    ClaimServiceItem,
    ClaimServiceService,
    ClaimVersion,
)
from openimis_claim.services.common import VERSION_FIELDS, visible_claims


def attachments_total():
    counted = (ClaimAttachment.objects.filter(claim=OuterRef("pk"), validity_to__isnull=True)
               .order_by().values("claim").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _above_diagnosis_average(variance: int) -> Q:
    """openIMIS' `diagnosisVariance`: the claim asks more than `variance` % above the average
    approved amount of the claims with its main diagnosis claimed in the last year (the
    tenant's), or no claim had that diagnosis in the last year."""
    since = timezone.localdate() - timedelta(days=365)
    recent = Claim.objects.filter(validity_to__isnull=True, date_claimed__gt=since,
                                  tenant=OuterRef("tenant"), icd=OuterRef("icd"))
    average = recent.order_by().values("icd").annotate(average=Avg("approved")).values("average")
    factor = Decimal(100 + variance) / Decimal(100)
    limit = ExpressionWrapper(Subquery(average) * Value(factor), output_field=DecimalField())
    return Q(claimed__gt=limit) | ~Exists(recent)


def claim_list(*, items: list[str] | None = None, services: list[str] | None = None,
               attachment_status: int | None = None, show_restored: bool | None = None,
               diagnosis_variance: int | None = None) -> QuerySet[Claim]:
    """The searcher's claims: valid ones. What a selection reads (facility, insuree, the
    number of attachments) is joined or counted by the GraphQL optimizer, only when selected.

    `showRestored` false (the default) hides rejected claims that have been restored, since
    their restored copy stands for them."""
    queryset = Claim.objects.filter(validity_to__isnull=True)
    if attachment_status in (AttachmentStatus.WITH, AttachmentStatus.WITHOUT):
        queryset = queryset.annotate(attachments_total=attachments_total())
    if items:
        queryset = queryset.filter(Exists(ClaimItem.objects.filter(
            claim=OuterRef("pk"), item__code__in=items, validity_to__isnull=True)))
    if services:
        queryset = queryset.filter(Exists(ClaimService.objects.filter(
            claim=OuterRef("pk"), service__code__in=services, validity_to__isnull=True)))
    if attachment_status == AttachmentStatus.WITH:
        queryset = queryset.filter(attachments_total__gt=0)
    elif attachment_status == AttachmentStatus.WITHOUT:
        queryset = queryset.filter(attachments_total=0)
    if not show_restored:
        # `restore__isnull=False` changes no answer; it lets PostgreSQL read the few restored
        # copies from the index on `restore` instead of scanning every claim.
        restored = Claim.objects.filter(restore=OuterRef("pk"), restore__isnull=False,
                                        validity_to__isnull=True)
        queryset = queryset.exclude(Q(status=ClaimStatus.REJECTED) & Exists(restored))
    if diagnosis_variance is not None:
        queryset = queryset.filter(_above_diagnosis_average(diagnosis_variance))
    return queryset


def claim_detail(package_parts: bool = True) -> QuerySet[Claim]:
    """One claim with everything the claim page shows, in a fixed number of queries; the parts
    of package service lines (two more queries) only with `package_parts`."""
    lines = {"validity_to__isnull": True}
    parts = (
        Prefetch("services__sub_items",
                 ClaimServiceItem.objects.select_related("item").order_by("pk")),
        Prefetch("services__sub_services",
                 ClaimServiceService.objects.select_related("service").order_by("pk")),
    ) if package_parts else ()
    return (
        Claim.objects.filter(validity_to__isnull=True)
        .select_related(
            *(f"{facility}__{related}"
              for facility in ("health_facility", "admin__health_facility", "refer_from",
                               "refer_to")
              for related in ("location__parent", "items_pricelist", "services_pricelist")),
            "insuree", "icd", "icd_1", "icd_2", "icd_3", "icd_4", "restore", "feedback",
            "batch_run",
        )
        .annotate(attachments_total=attachments_total())
        .prefetch_related(
            Prefetch("items", ClaimItem.objects.filter(**lines).select_related(
                "item", "product", "policy").order_by("pk")),
            Prefetch("services", ClaimService.objects.filter(**lines).select_related(
                "service", "product", "policy").order_by("pk")),
            *parts,
        )
    )


def claim_history(user, claim_uuid: str) -> list[ClaimVersion]:
    """The claim page's history: the claim as it is now (`validity_to` None), then its earlier
    versions, newest first; each with `validity_from`, the `validity_to` of the one before it
    (the claim's own `validity_from` for the oldest), since versions store only when they ended.

    Nothing (not an error) for a claim the user may not see or a malformed uuid. Three queries
    whatever the number of versions: the claim (insuree joined, attachments counted), its
    versions (insurees joined) and those insurees' valid policies with their products, prefetched
    for `InsureeGQLType.insureePolicies`."""
    if not is_uuid(claim_uuid):
        return []
    found = list(visible_claims(user).filter(uuid=claim_uuid).select_related("insuree")
                 .annotate(attachments_total=attachments_total()))
    if not found:
        return []
    claim = found[0]
    current = ClaimVersion(claim=claim, **{name: getattr(claim, name) for name in VERSION_FIELDS},
                           validity_to=None)
    current.insuree = claim.insuree
    states = [current, *claim.versions.select_related("insuree").order_by("-validity_to", "-pk")]
    for state in states:  # attachments are not versioned: each state shows the claim's
        state.attachments_count = claim.attachments_total
    for newer, older in pairwise(states):
        newer.validity_from = older.validity_to
    states[-1].validity_from = claim.validity_from
    insurees = {}
    for state in states:  # one instance per insuree: its policies are fetched and held once
        state.insuree = insurees.setdefault(state.insuree_id, state.insuree)
    prefetch_related_objects(list(insurees.values()), insuree_policies_prefetch())
    return states


def claim_admins(search: str | None = None, health_facility_uuid: str | None = None,
                 region_uuid: str | None = None, district_uuid: str | None = None
                 ) -> QuerySet[ClaimAdmin]:
    queryset = ClaimAdmin.objects.filter(validity_to__isnull=True).select_related(
        "health_facility")
    # The picker's arguments are Strings: one that is not a uuid matches nothing.
    if any(value and not is_uuid(value)
           for value in (health_facility_uuid, region_uuid, district_uuid)):
        return queryset.none()
    if search:
        queryset = queryset.filter(Q(code__icontains=search) | Q(last_name__icontains=search)
                                   | Q(other_names__icontains=search))
    if health_facility_uuid:
        queryset = queryset.filter(health_facility__uuid=health_facility_uuid)
    if district_uuid:
        queryset = queryset.filter(health_facility__location__uuid=district_uuid)
    if region_uuid:
        queryset = queryset.filter(health_facility__location__parent__uuid=region_uuid)
    return queryset
