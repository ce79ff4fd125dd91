"""Everything eligibility reads, loaded for many checks at once in a fixed number of queries.

`check_eligibility` loads it for one check; the claims engine loads it once for a batch of claims
and evaluates every line from memory, so the same rules answer both at very different volumes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q

from core.config import module_setting
from core.registers.models import (
    HealthFacility,
    Insuree,
    InsureePolicy,
    ItemsPricelistDetail,
    MedicalItem,
    MedicalService,
    Product,
    ProductItem,
    ProductService,
    ServicesPricelistDetail,
)

ITEM, SERVICE = "item", "service"


@dataclass
class CoverageData:
    """Registers of one tenant for a set of insurees, items, services and facilities.

    `usage` answers what earlier care used (see `core.registers.eligibility.coverage_usage`); a
    batch caller may put its own in-memory provider there."""

    tenant_id: int
    age_of_majority: int
    insurees: dict[str, Insuree] = field(default_factory=dict)
    medical: dict[tuple[str, str], list] = field(default_factory=dict)
    insuree_policies: dict[int, list[InsureePolicy]] = field(default_factory=dict)
    product_lines: dict[tuple[str, int, int], Any] = field(default_factory=dict)
    price_details: dict[tuple[str, int, int], list] = field(default_factory=dict)
    networks: dict[int, set[int]] = field(default_factory=dict)
    usage: Callable[..., Any] | None = None

    def medical_versions(self, kind: str, code: str) -> list:
        return self.medical.get((kind, code), [])

    def facility_price(self, facility: HealthFacility, medical, on_date: date) -> Decimal | None:
        """The price the facility may claim on that date (its own price wins), or None when
        the item or service is not in its price list."""
        kind = ITEM if isinstance(medical, MedicalItem) else SERVICE
        pricelist_id = facility.items_pricelist_id if kind == ITEM else \
            facility.services_pricelist_id
        for detail in self.price_details.get((kind, pricelist_id, medical.pk), []):
            if detail.valid_from <= on_date and (detail.valid_to is None or
                                                 on_date <= detail.valid_to):
                return detail.price_overrule if detail.price_overrule is not None else \
                    medical.price
        return None


def load_coverage(tenant_id: int, *, chf_ids: Iterable[str], item_codes: Iterable[str] = (),
                  service_codes: Iterable[str] = (),
                  facilities: Iterable[HealthFacility] = ()) -> CoverageData:
    """Load what checks of these insurees, items, services and facilities need."""
    data = CoverageData(tenant_id=tenant_id,
                        age_of_majority=int(module_setting("core", "age_of_majority")))
    chf_ids, item_codes, service_codes = set(chf_ids), set(item_codes), set(service_codes)
    facilities = list(facilities)
    data.insurees = {i.chf_id: i for i in Insuree.objects.filter(
        tenant_id=tenant_id, chf_id__in=chf_ids, validity_to__isnull=True)}
    for kind, model, codes in ((ITEM, MedicalItem, item_codes),
                               (SERVICE, MedicalService, service_codes)):
        if codes:
            for row in model.objects.filter(tenant_id=tenant_id, code__in=codes) \
                    .order_by("-validity_from"):
                data.medical.setdefault((kind, row.code), []).append(row)
    policies = defaultdict(list)
    for link in InsureePolicy.objects.filter(
            insuree__in=data.insurees.values(), validity_to__isnull=True,
            policy__validity_to__isnull=True).select_related("policy__product") \
            .order_by("policy__expiry_date", "pk"):
        policies[link.insuree_id].append(link)
    data.insuree_policies = dict(policies)
    product_ids = {link.policy.product_id for links in policies.values() for link in links}
    item_ids = [v.pk for (kind, _), rows in data.medical.items() if kind == ITEM for v in rows]
    service_ids = [v.pk for (kind, _), rows in data.medical.items() if kind == SERVICE
                   for v in rows]
    if product_ids and item_ids:
        for line in ProductItem.objects.filter(product_id__in=product_ids,
                                               item_id__in=item_ids).select_related("product"):
            data.product_lines[(ITEM, line.product_id, line.item_id)] = line
    if product_ids and service_ids:
        for line in ProductService.objects.filter(product_id__in=product_ids,
                                                  service_id__in=service_ids) \
                .select_related("product"):
            data.product_lines[(SERVICE, line.product_id, line.service_id)] = line
    if product_ids:
        through = Product.contracted_facilities.through
        for product_id, facility_id in through.objects.filter(
                product_id__in=product_ids).values_list("product_id", "healthfacility_id"):
            data.networks.setdefault(product_id, set()).add(facility_id)
    item_lists = {f.items_pricelist_id for f in facilities if f.items_pricelist_id}
    service_lists = {f.services_pricelist_id for f in facilities if f.services_pricelist_id}
    for kind, model, lists, ids, key in (
            (ITEM, ItemsPricelistDetail, item_lists, item_ids, "item_id"),
            (SERVICE, ServicesPricelistDetail, service_lists, service_ids, "service_id")):
        if lists and ids:
            for detail in model.objects.filter(pricelist_id__in=lists, **{f"{key}__in": ids}) \
                    .order_by("-valid_from"):
                data.price_details.setdefault(
                    (kind, detail.pricelist_id, getattr(detail, key)), []).append(detail)
    return data


def pricelist_details(facility: HealthFacility, is_item: bool, on_date: date):
    """The facility's item (or service) price-list entries valid on that date, newest first;
    None when it has no such price list."""
    pricelist_id = facility.items_pricelist_id if is_item else facility.services_pricelist_id
    if pricelist_id is None:
        return None
    details = ItemsPricelistDetail.objects if is_item else ServicesPricelistDetail.objects
    return (
        details.filter(pricelist_id=pricelist_id, valid_from__lte=on_date)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
        .order_by("-valid_from")
    )
