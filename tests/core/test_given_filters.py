"""A connection builds only the filters a request gives (core.gql.types.given_filters): the
answer is the one the whole filter set gives, errors included."""

from __future__ import annotations

import django_filters
import pytest

from core.gql.types import given_filters
from core.registers.models import HealthFacility


class FacilityFilter(django_filters.FilterSet):
    class Meta:
        model = HealthFacility
        fields = {"code": ["exact", "icontains"], "level": ["exact"], "id": ["exact"]}


def test_only_the_given_filters_are_kept():
    subset = given_filters(FacilityFilter, frozenset({"code__icontains"}))
    assert set(subset.base_filters) == {"code__icontains"}
    assert issubclass(subset, FacilityFilter)
    assert set(FacilityFilter.base_filters) == {"code", "code__icontains", "level", "id"}


def test_subsets_are_made_once_and_the_whole_set_is_itself():
    names = frozenset({"code", "level"})
    assert given_filters(FacilityFilter, names) is given_filters(FacilityFilter, names)
    assert given_filters(FacilityFilter, frozenset(FacilityFilter.base_filters)) \
        is FacilityFilter
    assert set(given_filters(FacilityFilter, frozenset()).base_filters) == set()


@pytest.mark.django_db
@pytest.mark.parametrize("data", [
    {"code__icontains": "hf0"},
    {"level": "H", "code": "HF002"},
    {},
])
def test_a_subset_filters_as_the_whole_set(tenant, data):
    for n, level in enumerate(["H", "D", "H"], start=1):
        HealthFacility.objects.create(tenant=tenant, code=f"HF00{n}", name=f"F{n}",
                                      level=level)
    rows = HealthFacility.objects.all()
    whole = FacilityFilter(data=data, queryset=rows)
    part = given_filters(FacilityFilter, frozenset(data))(data=data, queryset=rows)
    assert whole.is_valid()
    assert part.is_valid()
    assert list(part.qs.order_by("code").values_list("code", flat=True)) == \
        list(whole.qs.order_by("code").values_list("code", flat=True))


@pytest.mark.django_db
def test_a_bad_value_is_refused_by_the_subset_too():
    data = {"id": "not a number"}
    part = given_filters(FacilityFilter, frozenset(data))(
        data=data, queryset=HealthFacility.objects.all())
    assert not part.is_valid()
    assert "id" in part.errors
