"""Register lookups shared by the GraphQL layer and other modules' services.

Each function returns a queryset ready for a list (related rows joined, so the query count does
not grow with the page); tenant scoping is applied by the caller's type (`ScopedObjectType`) or
explicitly with `core.scoping.scope_queryset`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from core.registers.codes import LocationType
from core.registers.coverage_data import ITEM
from core.registers.models import (
    Diagnosis,
    Family,
    HealthFacility,
    Insuree,
    InsureePolicy,
    ItemsPricelist,
    ItemsPricelistDetail,
    Location,
    MedicalItem,
    MedicalService,
    Officer,
    Policy,
    Product,
    ServicePackageItem,
    ServicePackageService,
    ServicesPricelist,
    ServicesPricelistDetail,
)
from core.scoping import scope_queryset


def valid(queryset: QuerySet) -> QuerySet:
    return queryset.filter(validity_to__isnull=True)


def locations(search: str | None = None) -> QuerySet[Location]:
    queryset = valid(Location.objects.select_related("parent__parent__parent"))
    if search:
        queryset = queryset.filter(Q(code__icontains=search) | Q(name__icontains=search))
    return queryset


def health_facilities(search: str | None = None) -> QuerySet[HealthFacility]:
    queryset = valid(HealthFacility.objects.select_related(
        "location__parent", "items_pricelist", "services_pricelist"
    ))
    if search:
        queryset = queryset.filter(Q(code__icontains=search) | Q(name__icontains=search))
    return queryset


def health_facilities_in_area(user, search: str | None = None, region_uuid: str | None = None,
                              district_uuid: str | None = None,
                              district_uuids: list[str | None] | None = None,
                              ignore_location: bool = False) -> QuerySet[HealthFacility]:
    """The facility picker (openIMIS `healthFacilitiesStr`): code or name contains `search`,
    in a region, a district, among districts (each given narrows); a list holding an empty
    entry (no district picked yet) does not narrow. Unless `ignore_location`, only facilities
    in the districts the user works in (`user_districts`). A uuid that is not one matches
    nothing."""
    queryset = health_facilities(search)
    for path, given in (("location__parent__uuid", region_uuid),
                        ("location__uuid", district_uuid)):
        if given is not None:
            key = _uuid_or_none(given)
            queryset = queryset.filter(**{path: key}) if key else queryset.none()
    if district_uuids is not None and None not in district_uuids:
        queryset = queryset.filter(location__uuid__in=[
            key for key in map(_uuid_or_none, district_uuids) if key is not None])
    if not ignore_location:
        queryset = queryset.filter(location__in=user_districts(user).values("pk"))
    return queryset


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def diagnoses(search: str | None = None) -> QuerySet[Diagnosis]:
    queryset = valid(Diagnosis.objects.all())
    if search:
        queryset = queryset.filter(Q(code__istartswith=search) | Q(name__icontains=search))
    return queryset


def _medical_for_picker(model, detail_model, pricelist_model, link: str, user,
                        search: str | None, pricelist_uuid: uuid.UUID | str | None,
                        on_date: date | None):
    queryset = valid(model.objects.all())
    if search:
        queryset = queryset.filter(Q(code__icontains=search) | Q(name__icontains=search))
    if pricelist_uuid:
        pricelist = scope_queryset(user, pricelist_model.objects.filter(uuid=pricelist_uuid))
        on_date = on_date or date.today()
        details = (
            detail_model.objects.filter(pricelist__in=pricelist, valid_from__lte=on_date,
                                        **{link: OuterRef("pk")})
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
            .order_by("-valid_from")
        )
        queryset = queryset.filter(Exists(details)).annotate(
            pricelist_price=Coalesce(Subquery(details.values("price_overrule")[:1]), F("price"))
        )
    return queryset


def medical_items(user, search: str | None = None,
                  pricelist_uuid: uuid.UUID | str | None = None,
                  on_date: date | None = None) -> QuerySet[MedicalItem]:
    """Items, or those a price list allows on a date with the price it gives them."""
    return _medical_for_picker(MedicalItem, ItemsPricelistDetail, ItemsPricelist, "item", user,
                               search, pricelist_uuid, on_date)


def medical_services(user, search: str | None = None,
                     pricelist_uuid: uuid.UUID | str | None = None,
                     on_date: date | None = None) -> QuerySet[MedicalService]:
    """Services as `medical_items` gives items, with what packages hold."""
    return _medical_for_picker(MedicalService, ServicesPricelistDetail, ServicesPricelist,
                               "service", user, search, pricelist_uuid, on_date
                               ).prefetch_related(*package_lines_prefetch())


def officers() -> QuerySet[Officer]:
    return valid(Officer.objects.select_related("location"))


# What the web app's insuree projection shows of a person (fe-insuree's FAMILY_HEAD_PROJECTION):
# code tables, photo, village up to its region, first point of service with its district.
_PERSON = ("gender", "education", "profession", "relationship", "type_of_id", "status_reason",
           "photo", "current_village__parent__parent__parent", "health_facility__location__parent",
           "health_facility__items_pricelist", "health_facility__services_pricelist")
_FAMILY = ("family_type", "confirmation_type", "location__parent__parent__parent",
           *(f"head_insuree__{path}" for path in _PERSON))


def families() -> QuerySet[Family]:
    return valid(Family.objects.select_related("head_insuree", *_FAMILY))


def insuree_policies_prefetch() -> Prefetch:
    """An insuree's valid policy memberships, newest first, with policy and product: what
    `insureePolicies` shows, fetched for a whole page of insurees in one query."""
    return Prefetch("insuree_policies", InsureePolicy.objects.filter(validity_to__isnull=True)
                    .select_related("policy__product").order_by("-effective_date", "-pk"))


def insurees() -> QuerySet[Insuree]:
    """Insurees with everything the web app's insuree lookup shows, joined in the page's query:
    their own details, their family's and their family head's."""
    return valid(Insuree.objects.select_related(
        "family__head_insuree", *_PERSON, *(f"family__{path}" for path in _FAMILY)
    ).prefetch_related(insuree_policies_prefetch()))


def package_lines_prefetch() -> tuple[Prefetch, Prefetch]:
    """What package services hold (items, services), for a whole page of services in two
    queries."""
    return (
        Prefetch("services_linked", ServicePackageItem.objects.select_related("item")
                 .order_by("pk")),
        Prefetch("serviceservice_set", ServicePackageService.objects.select_related("service")
                 .order_by("pk")),
    )


def products() -> QuerySet[Product]:
    return valid(Product.objects.select_related("location"))


def policies(chf_id: str | None = None) -> QuerySet[Policy]:
    queryset = valid(Policy.objects.select_related(
        "family__head_insuree", "product__location", "officer"
    ))
    if chf_id:
        queryset = queryset.filter(insuree_policies__insuree__chf_id=chf_id,
                                   insuree_policies__validity_to__isnull=True)
    return queryset


def user_districts(user) -> QuerySet[Location]:
    """The districts a user works in, which the web app offers in its location pickers: those
    assigned to the user; else the district of their facility (a claim administrator); else
    every district of their tenant (scheme staff). Always within the user's tenant."""
    districts = scope_queryset(user, valid(Location.objects.filter(type=LocationType.DISTRICT)
                                           .select_related("parent")))
    assigned = districts.filter(pk__in=user.districts.values("pk"))
    if assigned.exists():
        return assigned.order_by("code", "pk")
    if user.health_facility_id is not None:
        return districts.filter(pk__in=HealthFacility.objects.filter(
            pk=user.health_facility_id).values("location_id")).order_by("code", "pk")
    return districts.order_by("code", "pk")


@dataclass(frozen=True)
class ListedPrice:
    """What a facility may claim for one item or service (by its numeric id)."""

    medical_id: int
    price: Decimal


def pricelist_prices(user, kind: str, pricelist_id: int | None,
                     on_date: date) -> list[ListedPrice]:
    """The prices an item (`ITEM`) or service (`SERVICE`) price list gives on a date, as rule 2
    reads them: the newest entry valid that day, its own price when set, else the register
    price; items no longer valid are left out, as in the pickers. A price list the user may not
    see, or that does not exist, lists nothing, as no list would. One query for any size."""
    if pricelist_id is None:
        return []
    model, key = (ItemsPricelistDetail, "item") if kind == ITEM else \
        (ServicesPricelistDetail, "service")
    rows = scope_queryset(user, model.objects.filter(
        pricelist_id=pricelist_id, pricelist__validity_to__isnull=True, valid_from__lte=on_date,
        **{f"{key}__validity_to__isnull": True},
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date)))
    prices: dict[int, ListedPrice] = {}
    for medical_id, overrule, register_price in rows.order_by(
            f"{key}_id", "-valid_from", "-pk").values_list(f"{key}_id", "price_overrule",
                                                           f"{key}__price"):
        if medical_id not in prices:
            price = overrule if overrule is not None else register_price
            prices[medical_id] = ListedPrice(medical_id, Decimal(price).quantize(Decimal("0.01")))
    return list(prices.values())
