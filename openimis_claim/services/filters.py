"""The claim searcher's filters, in one place: GraphQL arguments of `claims` and the JSON of
`submitClaims(additionalFilters: ...)` both go through `ClaimFilter`."""

from __future__ import annotations

import django_filters
from graphene.utils.str_converters import to_camel_case

from core.gql.errors import MutationError
from core.gql.filters import RowIdFilter
from core.gql.inputs import parse_json_input
from openimis_claim.models import Claim
from openimis_claim.services.common import visible_claims
from openimis_claim.services.queries import claim_list

CLAIM_FILTER_FIELDS = {
    "status": ["exact", "gt"],
    "feedback_status": ["exact"],
    "review_status": ["exact"],
    "code": ["exact", "icontains"],
    "insuree__chf_id": ["exact"],
    "claimed": ["gte", "lte"],
    "date_from": ["gte", "lt", "lte"],
    "date_to": ["gte", "lte"],
    "date_claimed": ["gte", "lte"],
    "date_processed": ["gte", "lte"],
    "icd__id": ["exact"],
    "icd__code": ["exact"],
    "visit_type": ["exact"],
    "care_type": ["exact"],
    "pre_authorization": ["exact"],
    "health_facility__uuid": ["exact"],
    "health_facility__code": ["exact"],
    "health_facility__location__uuid": ["exact"],
    "health_facility__location__parent__uuid": ["exact"],
    "admin__uuid": ["exact"],
    "batch_run__id": ["exact"],
    "guarantee_id": ["exact"],
}

# The searcher's own arguments, beyond the model filters: GraphQL name -> claim_list keyword.
SEARCH_ARGUMENTS = {"items": "items", "services": "services",
                    "attachmentStatus": "attachment_status", "showRestored": "show_restored",
                    "diagnosisVariance": "diagnosis_variance"}


class ClaimFilter(django_filters.FilterSet):
    icd__id = RowIdFilter(field_name="icd_id")
    batch_run__id = RowIdFilter(field_name="batch_run_id")
    # The claim page's "last claim at this facility" leaves out the claim being edited.
    code_is_not = django_filters.CharFilter(field_name="code", exclude=True)

    class Meta:
        model = Claim
        fields = CLAIM_FILTER_FIELDS


def _graphql_names() -> dict[str, str]:
    return {to_camel_case(name): name for name in ClaimFilter.base_filters}


def uuids_from_filters(user, additional_filters: str) -> list[str]:
    """The uuids of the claims the user may see that a `claims` filter JSON selects."""
    given = parse_json_input(additional_filters, "additionalFilters")
    if not isinstance(given, dict):
        raise MutationError("additionalFilters must be a JSON object", code="invalid_json",
                            detail="additionalFilters")
    names = _graphql_names()
    unknown = sorted(set(given) - set(names) - set(SEARCH_ARGUMENTS))
    if unknown:
        raise MutationError(f"Unknown claim filters: {', '.join(unknown)}",
                            code="invalid_filter", detail=unknown)
    queryset = claim_list(**{SEARCH_ARGUMENTS[k]: v for k, v in given.items()
                             if k in SEARCH_ARGUMENTS})
    queryset = queryset.filter(pk__in=visible_claims(user).values("pk"))
    filterset = ClaimFilter(data={names[k]: v for k, v in given.items() if k in names},
                            queryset=queryset)
    if not filterset.is_valid():
        raise MutationError("additionalFilters has invalid values", code="invalid_filter",
                            detail=filterset.errors)
    return [str(u) for u in filterset.qs.values_list("uuid", flat=True)]
