"""Filters of the registers' lists."""

from __future__ import annotations

import django_filters

from core.gql.filters import RowIdFilter
from core.registers.models import HealthFacility


class HealthFacilityFilter(django_filters.FilterSet):
    """`healthFacilities` and `healthFacilitiesStr`: the web app asks for the user's facility by
    its relay id at start-up (`healthFacilities(id: ...)`), and pickers filter by level."""

    id = RowIdFilter(field_name="pk")

    class Meta:
        model = HealthFacility
        fields = {
            "code": ["exact", "icontains"], "name": ["icontains"], "level": ["exact"],
            "care_type": ["exact"], "uuid": ["exact"], "location__uuid": ["exact"],
            "location__parent__uuid": ["exact"],
        }
