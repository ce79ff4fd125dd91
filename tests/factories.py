"""Small factories for register data: each builds one thing for a tenant with sensible defaults;
keyword arguments override any model field.

Codes are unique per call (a running counter), so tests only name the codes they assert on.
Money defaults are Decimals; dates default to a fixed 2025 calendar, never today.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from core.models import Tenant
from core.registers.codes import Gender, LocationType, PolicyStatus
from core.registers.eligibility import add_months
from core.registers.models import (
    Family,
    HealthFacility,
    Insuree,
    InsureePolicy,
    ItemsPricelist,
    ItemsPricelistDetail,
    Location,
    MedicalItem,
    MedicalService,
    Policy,
    Product,
    ProductItem,
    ProductService,
    ServicesPricelist,
    ServicesPricelistDetail,
)

_serial = itertools.count(1)

# Register rows valid long before any date of care the tests use.
REGISTERED_SINCE = datetime(2000, 1, 1, tzinfo=UTC)
# Every right of the claims module (openIMIS defaults): a medical officer who may do anything.
ALL_CLAIM_RIGHTS = [111001, 111002, 111004, 111005, 111006, 111007, 111008, 111009, 111010,
                    111011, 111012, 111101]


def _next(prefix: str) -> str:
    """A fresh code: prefix and five digits (item and service codes allow six characters)."""
    return f"{prefix}{next(_serial) % 100000:05d}"


def make_location(tenant: Tenant, type: str = LocationType.REGION, parent: Location | None = None,
                  **overrides) -> Location:
    code = overrides.pop("code", None) or _next(type)
    fields = {"code": code, "name": f"Location {code}", "type": type, "parent": parent}
    return Location.objects.create(tenant=tenant, **{**fields, **overrides})


def make_location_chain(tenant: Tenant, prefix: str | None = None) -> SimpleNamespace:
    """region > district > municipality > village; codes `<prefix>R`, `<prefix>D`, ... when a
    prefix is given."""
    chain, parent = {}, None
    for name, type in (("region", LocationType.REGION), ("district", LocationType.DISTRICT),
                       ("municipality", LocationType.MUNICIPALITY),
                       ("village", LocationType.VILLAGE)):
        code = f"{prefix}{type}" if prefix else None
        parent = chain[name] = make_location(tenant, type, parent, code=code)
    return SimpleNamespace(**chain)


def make_item(tenant: Tenant, **overrides) -> MedicalItem:
    code = overrides.pop("code", None) or _next("I")
    fields = {"code": code, "name": f"Item {code}", "price": Decimal("100.00"),
              "validity_from": REGISTERED_SINCE}
    return MedicalItem.objects.create(tenant=tenant, **{**fields, **overrides})


def make_service(tenant: Tenant, **overrides) -> MedicalService:
    code = overrides.pop("code", None) or _next("S")
    fields = {"code": code, "name": f"Service {code}", "price": Decimal("100.00"),
              "validity_from": REGISTERED_SINCE}
    return MedicalService.objects.create(tenant=tenant, **{**fields, **overrides})


def make_pricelist_detail(pricelist: ItemsPricelist | ServicesPricelist,
                          medical: MedicalItem | MedicalService,
                          price_overrule: Decimal | None = None, **overrides):
    """Put an item (items price list) or a service (services price list) on a price list."""
    if isinstance(medical, MedicalItem):
        return ItemsPricelistDetail.objects.create(pricelist=pricelist, item=medical,
                                                   price_overrule=price_overrule, **overrides)
    return ServicesPricelistDetail.objects.create(pricelist=pricelist, service=medical,
                                                  price_overrule=price_overrule, **overrides)


Priced = MedicalItem | MedicalService | tuple[MedicalItem | MedicalService, Decimal | None]


def _pricelist(model, tenant: Tenant, name: str, entries: Iterable[Priced]):
    pricelist = model.objects.create(tenant=tenant, name=name)
    for entry in entries:
        medical, price = entry if isinstance(entry, tuple) else (entry, None)
        make_pricelist_detail(pricelist, medical, price)
    return pricelist


def make_facility(tenant: Tenant, *, items: Iterable[Priced] | None = None,
                  services: Iterable[Priced] | None = None, **overrides) -> HealthFacility:
    """A facility; `items` / `services` (each an item or an `(item, price_overrule)` pair) give it
    a price list with those entries (`[]`: an empty list; `None`: no price list)."""
    code = overrides.pop("code", None) or _next("HF")
    fields = {"code": code, "name": f"Facility {code}"}
    if items is not None:
        fields["items_pricelist"] = _pricelist(ItemsPricelist, tenant, f"Items {code}", items)
    if services is not None:
        fields["services_pricelist"] = _pricelist(ServicesPricelist, tenant, f"Services {code}",
                                                  services)
    return HealthFacility.objects.create(tenant=tenant, **{**fields, **overrides})


def make_insuree(tenant: Tenant, family: Family, **overrides) -> Insuree:
    chf_id = overrides.pop("chf_id", None) or _next("CHF")
    fields = {"chf_id": chf_id, "last_name": f"Last {chf_id}", "other_names": "Other",
              "dob": date(1980, 1, 1), "gender_id": overrides.pop("gender", Gender.MALE)}
    return Insuree.objects.create(tenant=tenant, family=family, **{**fields, **overrides})


def make_family_with_insurees(tenant: Tenant, *, head: dict | None = None,
                              members: Iterable[dict] = (), **family_overrides
                              ) -> tuple[Family, list[Insuree]]:
    """A family, its head (`head`: insuree overrides) and one member per dict in `members`;
    returns the family and its insurees, head first."""
    family = Family.objects.create(tenant=tenant, **family_overrides)
    head_insuree = make_insuree(tenant, family, head=True, **(head or {}))
    family.head_insuree = head_insuree
    family.save(update_fields=["head_insuree"])
    others = [make_insuree(tenant, family, **member) for member in members]
    return family, [head_insuree, *others]


def make_product(tenant: Tenant, **overrides) -> Product:
    code = overrides.pop("code", None) or _next("P")
    fields = {"code": code, "name": f"Product {code}", "date_from": date(2000, 1, 1),
              "date_to": date(2099, 12, 31), "lump_sum": Decimal("10000.00")}
    return Product.objects.create(tenant=tenant, **{**fields, **overrides})


def add_product_item(product: Product, item: MedicalItem, **overrides) -> ProductItem:
    """A product line for an item; defaults: co-insurance 100% for adults and children."""
    return ProductItem.objects.create(product=product, item=item, **overrides)


def add_product_service(product: Product, service: MedicalService,
                        **overrides) -> ProductService:
    return ProductService.objects.create(product=product, service=service, **overrides)


def make_policy(family: Family, product: Product, *, start: date = date(2025, 1, 1),
                status: int = PolicyStatus.ACTIVE, **overrides) -> Policy:
    """A policy for the product's insurance period from `start` (effective the same day), and an
    insuree policy for every valid member of the family with the policy's dates."""
    fields = {
        "enroll_date": start, "start_date": start, "effective_date": start,
        "expiry_date": add_months(start, product.insurance_period) - timedelta(days=1),
        "status": status, "value": product.lump_sum,
    }
    policy = Policy.objects.create(tenant=family.tenant, family=family, product=product,
                                   **{**fields, **overrides})
    InsureePolicy.objects.bulk_create(
        InsureePolicy(insuree=insuree, policy=policy, enrollment_date=policy.enroll_date,
                      start_date=policy.start_date, effective_date=policy.effective_date,
                      expiry_date=policy.expiry_date)
        for insuree in family.members.filter(validity_to__isnull=True).order_by("pk")
    )
    return policy


def make_claim_scene(tenant: Tenant) -> SimpleNamespace:
    """What a claim needs: a facility with item and service price lists (one own price), an
    insured family with an active 2025 policy whose product pays 80% of the item and the full
    consultation, a diagnosis, and the facility's claim administrator."""
    from core.registers.models import Diagnosis
    from openimis_claim.models import ClaimAdmin

    item = make_item(tenant, code="AMOX", name="Amoxicillin 250 mg", price=Decimal("2.00"))
    service = make_service(tenant, code="CONS", name="Consultation", price=Decimal("10.00"),
                           category="C")
    facility = make_facility(tenant, code="HF1", items=[(item, Decimal("2.50"))],
                             services=[service])
    family, (insuree,) = make_family_with_insurees(
        tenant, head={"chf_id": "111111111", "dob": date(1980, 5, 1)})
    product = make_product(tenant, code="BASIC")
    add_product_item(product, item, limit_adult=Decimal("80"))
    add_product_service(product, service)
    policy = make_policy(family, product, start=date(2025, 1, 1))
    admin = ClaimAdmin.objects.create(tenant=tenant, code="CA1", last_name="Clerk",
                                      other_names="Anna", health_facility=facility)
    return SimpleNamespace(item=item, service=service, facility=facility, insuree=insuree,
                           family=family, product=product, policy=policy, admin=admin,
                           diagnosis=Diagnosis.objects.get(code="B50"))


def make_claim(tenant: Tenant, *, insuree: Insuree, health_facility: HealthFacility, icd,
               items: Iterable = (), services: Iterable = (), **overrides):
    """A claim written straight to the database (no workflow, no checks), with its lines.

    `items` / `services`: a medical item or service (quantity 1 at its register price), or a
    `(medical, qty_provided, price_asked)` tuple, or `(medical, {line field overrides})`.
    `claimed` defaults to the sum of quantity x price asked of those lines. Dates default to a
    visit on 2025-03-01 claimed the next day."""
    from openimis_claim.models import Claim, ClaimItem, ClaimService

    def lines(entries, model, name):
        built = []
        for entry in entries:
            entry = entry if isinstance(entry, tuple) else (entry,)
            medical, fields = entry[0], {"qty_provided": Decimal("1"),
                                         "price_asked": entry[0].price}
            if len(entry) == 2:
                fields.update(entry[1])
            elif len(entry) == 3:
                fields.update(qty_provided=Decimal(entry[1]), price_asked=Decimal(entry[2]))
            built.append(model(**{name: medical}, **fields))
        return built

    item_lines = lines(items, ClaimItem, "item")
    service_lines = lines(services, ClaimService, "service")
    fields = {
        "code": _next("C"), "date_from": date(2025, 3, 1), "date_claimed": date(2025, 3, 2),
        "claimed": sum((line.qty_provided * line.price_asked
                        for line in [*item_lines, *service_lines]), Decimal("0")),
    }
    claim = Claim.objects.create(tenant=tenant, insuree=insuree, health_facility=health_facility,
                                 icd=icd, **{**fields, **overrides})
    for line in [*item_lines, *service_lines]:
        line.claim = claim
    ClaimItem.objects.bulk_create(item_lines)
    ClaimService.objects.bulk_create(service_lines)
    return claim
