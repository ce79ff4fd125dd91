"""Is an insuree covered for an item or service on a date, by which policy, and for how much?

Claims adjudication and approval evaluation call `check_eligibility`, so both answer the same.
What earlier care has used up (quantities, visits, deductibles, ceilings) is recorded by the
claims module; core asks for it through the `coverage_usage` signal and never imports claims.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.dispatch import Signal

from core.registers.codes import (
    CareType,
    CeilingExclusion,
    CeilingInterpretation,
    FacilityLevel,
    Gender,
    LimitationType,
    PatientCategory,
    PolicyStatus,
    PriceOrigin,
    RejectionReason,
    ServiceCategory,
)
from core.registers.coverage_data import ITEM, SERVICE, CoverageData, load_coverage
from core.registers.models import (
    HealthFacility,
    Insuree,
    InsureePolicy,
    MedicalItem,
    Policy,
    ProductItem,
    ProductService,
)

ZERO = Decimal("0")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")

# Statuses under which a policy pays for care dated inside its period (an expired policy still
# pays for care given before it expired).
PAYING_STATUSES = (PolicyStatus.ACTIVE, PolicyStatus.EXPIRED)

# Per service category: the product's maximum count, the reason when reached, its amount ceiling.
CATEGORY_LIMITS = {
    ServiceCategory.SURGERY: ("max_no_surgeries", RejectionReason.MAX_SURGERIES,
                              "max_amount_surgery"),
    ServiceCategory.DELIVERY: ("max_no_deliveries", RejectionReason.MAX_DELIVERIES,
                               "max_amount_delivery"),
    ServiceCategory.ANTENATAL: ("max_no_antenatal", RejectionReason.MAX_ANTENATAL,
                                "max_amount_antenatal"),
    ServiceCategory.HOSPITALIZATION: ("max_no_hospitalizations",
                                      RejectionReason.MAX_HOSPITALIZATIONS,
                                      "max_amount_hospitalization"),
    ServiceCategory.CONSULTATION: ("max_no_consultations", RejectionReason.MAX_CONSULTATIONS,
                                   "max_amount_consultation"),
    ServiceCategory.VISIT: ("max_no_visits", RejectionReason.MAX_VISITS, None),
}

# Levels of deductibles and ceilings: one claim, one insuree, the whole policy (family).
LEVELS = ("treatment", "insuree", "policy")

# Rules a scheme may switch off (module config); the others decide what the check is about.
SWITCHABLE_RULES = frozenset({
    "patient_category", "price_list", "care_type", "facility_network", "facility_contract",
    "waiting_period", "quantity_limit", "frequency", "category_limit",
})

coverage_usage = Signal()
"""Sent with `policy`, `insuree`, `item`, `service`, `on_date`, `exclude` (an object whose own
usage must not count, e.g. the claim being checked); receivers return a `CoverageUsage`."""

coverage_usage_loader = Signal()
"""Sent with `insuree_ids`; a receiver loads what earlier care of those insurees used, once, and
returns a provider: a callable taking `coverage_usage`'s arguments and returning a
`CoverageUsage`, answered from memory. Summaries of many policies ask it instead of sending
`coverage_usage` once per policy, so their query count does not grow with the policies."""


@dataclass
class CoverageUsage:
    """What earlier care used in the policy period. Money keys: `policy`, `policy_ip`,
    `policy_op`, `insuree`, `insuree_ip`, `insuree_op`, and `category_<code>` for remunerations."""

    quantity_used: Decimal = ZERO
    last_provided: date | None = None
    visits: dict[str, int] = field(default_factory=dict)
    deducted: dict[str, Decimal] = field(default_factory=dict)
    remunerated: dict[str, Decimal] = field(default_factory=dict)

    def add(self, other: CoverageUsage) -> None:
        self.quantity_used += other.quantity_used
        if other.last_provided and (not self.last_provided or other.last_provided >
                                    self.last_provided):
            self.last_provided = other.last_provided
        for mine, theirs in ((self.visits, other.visits), (self.deducted, other.deducted),
                             (self.remunerated, other.remunerated)):
            for key, value in theirs.items():
                mine[key] = mine.get(key, 0) + value


@dataclass
class Condition:
    name: str
    met: bool
    detail: str = ""


@dataclass
class Eligibility:
    """The answer: `covered` unless a reason stands; amounts are Decimals to the cent."""

    on_date: date
    covered: bool = False
    reasons: list[RejectionReason] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    insuree: Insuree | None = None
    insuree_policy: InsureePolicy | None = None
    line: ProductItem | ProductService | None = None
    adult: bool | None = None
    waiting_period_end: date | None = None
    quantity_limit: Decimal | None = None
    quantity_used: Decimal = ZERO
    quantity_left: Decimal | None = None
    next_eligible_date: date | None = None
    visits_limit: int | None = None
    visits_used: int = 0
    unit_price: Decimal = Decimal("0.00")
    quantity: Decimal = Decimal("1")
    covered_quantity: Decimal = ZERO
    covered_amount: Decimal = Decimal("0.00")
    patient_share: Decimal = Decimal("0.00")
    deductible_left: Decimal | None = None
    ceiling_left: Decimal | None = None
    deducted: Decimal = ZERO
    exceeding_ceiling: Decimal = ZERO
    disabled: frozenset[str] = frozenset()
    ceiling_hit: str = ""
    scope: str = ""

    @property
    def policy(self):
        return self.insuree_policy.policy if self.insuree_policy else None

    @property
    def product(self):
        return self.line.product if self.line else None

    def refuse(self, reason: RejectionReason, name: str, detail: str) -> None:
        if name in self.disabled:
            self.conditions.append(Condition(name, True, f"not checked (disabled): {detail}"))
            return
        if reason not in self.reasons:
            self.reasons.append(reason)
        self.conditions.append(Condition(name, False, detail))

    def accept(self, name: str, detail: str = "") -> None:
        self.conditions.append(Condition(name, True, detail))


def pays_on(link: InsureePolicy, on_date: date) -> bool:
    """The insuree's policy (`link`) pays for care dated `on_date`: effective for that insuree
    by then, not expired for them, and paying (PAYING_STATUSES). Claims and approval requests
    pick their policy by this one rule."""
    return link.effective_date is not None and link.effective_date <= on_date \
        <= link.expiry_date and link.policy.status in PAYING_STATUSES


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last_day in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise ValueError(day)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def patient_category_allows(mask: int, gender: str, adult: bool) -> bool:
    """The mask must hold the patient's age bit and gender bit (either gender bit for "other")."""
    age_bit = PatientCategory.ADULT if adult else PatientCategory.CHILD
    gender_bits = {Gender.MALE: PatientCategory.MALE, Gender.FEMALE: PatientCategory.FEMALE}.get(
        gender, PatientCategory.MALE | PatientCategory.FEMALE)
    return bool(mask & age_bit) and bool(mask & gender_bits)


def collect_usage(**kwargs: Any) -> CoverageUsage:
    usage = CoverageUsage()
    for _receiver, response in coverage_usage.send(sender=None, **kwargs):
        if response is not None:
            usage.add(response)
    return usage


def load_usage(insuree_ids: Iterable[int]) -> Callable[..., CoverageUsage]:
    """One provider for these insurees adding up every module's (`coverage_usage_loader`);
    without a module recording care (no receiver), nothing is used."""
    providers = [response for _receiver, response in coverage_usage_loader.send(
        sender=None, insuree_ids=frozenset(insuree_ids)) if response is not None]

    def usage(**kwargs: Any) -> CoverageUsage:
        total = CoverageUsage()
        for provider in providers:
            total.add(provider(**kwargs))
        return total

    return usage


def facility_price(facility: HealthFacility, medical, on_date: date) -> Decimal | None:
    """The price the facility may claim on that date (its own price wins), or None when the
    item or service is not in its price list."""
    is_item = isinstance(medical, MedicalItem)
    data = load_coverage(facility.tenant_id, chf_ids=(), item_codes=[medical.code] if is_item
                         else (), service_codes=() if is_item else [medical.code],
                         facilities=[facility])
    return data.facility_price(facility, medical, on_date)


def _care_type_allowed(facility: HealthFacility | None, care_type: str | None,
                       line_care_type: str) -> tuple[bool, str]:
    if facility is not None:
        if facility.care_type == CareType.OUT_PATIENT and (
            care_type == CareType.IN_PATIENT or line_care_type == CareType.IN_PATIENT
        ):
            return False, "out-patient facility"
        if facility.care_type == CareType.IN_PATIENT and line_care_type == CareType.OUT_PATIENT:
            return False, "in-patient facility"
    if care_type and line_care_type != CareType.BOTH and line_care_type != care_type:
        return False, f"{CareType(line_care_type).label} only"
    return True, ""


def _waiting_start(links: list[InsureePolicy], insuree_policy: InsureePolicy) -> date:
    """Waiting runs from the first policy of an unbroken chain of renewals of the same product."""
    chain = sorted(
        (link for link in links if link.policy.product_id == insuree_policy.policy.product_id
         and link.effective_date is not None
         and link.effective_date <= insuree_policy.effective_date),
        key=lambda link: link.effective_date, reverse=True)
    start = insuree_policy.effective_date
    for link in chain:
        if (start - link.expiry_date).days > 1:
            break
        start = min(start, link.effective_date)
    return start


def _line_limit(line, adult: bool, visit_type: str | None) -> tuple[str, Decimal]:
    for suffix, kind in (("_e", "E"), ("_r", "R")):
        if visit_type == kind and getattr(line, f"limitation_type{suffix}"):
            value = getattr(line, f"limit_{'adult' if adult else 'child'}{suffix}")
            if value is not None:
                return getattr(line, f"limitation_type{suffix}"), value
    return line.limitation_type, line.limit_adult if adult else line.limit_child


def _covered(line, adult: bool, visit_type: str | None, unit_price: Decimal,
             quantity: Decimal, deductible: Decimal = ZERO) -> Decimal:
    """What the line pays before ceilings, in openIMIS's order: a fixed amount caps the value,
    the deductible comes off it, then co-insurance pays its percentage of the rest."""
    return _covered_after_deductible(line, adult, visit_type, unit_price, quantity,
                                     deductible)[0]


def _covered_after_deductible(line, adult: bool, visit_type: str | None, unit_price: Decimal,
                              quantity: Decimal, deductible: Decimal) -> tuple[Decimal, Decimal]:
    """(what the line pays before ceilings, what the deductible took of it)."""
    kind, limit = _line_limit(line, adult, visit_type)
    value = unit_price * quantity
    if kind == LimitationType.FIXED_AMOUNT:
        value = min(unit_price, limit) * quantity
    deducted = min(value, deductible)
    value = value - deducted
    if kind == LimitationType.CO_INSURANCE:
        value = value * limit / HUNDRED
    return value, deducted


def _scope(product, facility: HealthFacility | None, care_type: str | None) -> str:
    if product.ceiling_interpretation == CeilingInterpretation.BY_FACILITY and facility:
        return "ip" if facility.level == FacilityLevel.HOSPITAL else "op"
    return "ip" if care_type == CareType.IN_PATIENT else "op"


def _scoped_keys(prefix: str, scope: str, level: str) -> tuple[str, ...]:
    """The product fields of one level, the scoped (in-/out-patient) one first; only the
    general one when `scope` is empty (a policy summary's general deductible and ceiling)."""
    general = f"{prefix}_{level}"
    return (f"{prefix}_{scope}_{level}", general) if scope else (general,)


def _deductible_left(product, scope: str, usage: CoverageUsage) -> Decimal | None:
    """What is left of the deductible: per treatment (this claim's lines so far), insuree or
    policy, the scoped (in-/out-patient) one before the general one, the largest applying."""
    candidates = []
    for level in LEVELS:
        for key in _scoped_keys("ded", scope, level):
            amount = getattr(product, key)
            if amount is not None:
                used_key = level if key == f"ded_{level}" else f"{level}_{scope}"
                candidates.append(max(ZERO, amount - usage.deducted.get(used_key, ZERO)))
                break
    return max(candidates) if candidates else None


def _ceiling_left(product, scope: str, usage: CoverageUsage, category: str | None,
                  general: bool = True) -> tuple[Decimal, str] | None:
    """The tightest ceiling left and its name: general ones per treatment (this claim's lines so
    far), insuree and policy (unless the line is exempt), and the category's amount."""
    candidates = []
    for level in LEVELS if general else ():
        for key in _scoped_keys("max", scope, level):
            amount = getattr(product, key)
            if amount is not None:
                used_key = level if key == f"max_{level}" else f"{level}_{scope}"
                candidates.append((max(ZERO, amount - usage.remunerated.get(used_key, ZERO)),
                                   key))
                break
    amount_key = CATEGORY_LIMITS.get(category, (None, None, None))[2] if category else None
    if amount_key and getattr(product, amount_key) is not None:
        used = usage.remunerated.get(f"category_{category}", ZERO)
        candidates.append((max(ZERO, getattr(product, amount_key) - used), amount_key))
    return min(candidates, key=lambda c: c[0]) if candidates else None


def _find_medical(data: CoverageData, kind: str, code: str, on_date: date):
    """The item or service valid on the date of care, or the reason there is none:
    1 when it is no longer (or never was) valid, 9 when it becomes valid only later."""
    versions = data.medical_versions(kind, code)
    for version in versions:
        starts = version.validity_from.date()
        ends = version.validity_to.date() if version.validity_to else None
        if starts <= on_date and (ends is None or on_date <= ends):
            return version, None
    if any(v.validity_from.date() > on_date for v in versions):
        return None, RejectionReason.TARGET_DATE
    return None, RejectionReason.INVALID_ITEM_OR_SERVICE


@dataclass
class Check:
    """One check under way: what its rules read, and the answer they fill in."""

    data: CoverageData
    result: Eligibility
    insuree: Insuree
    medical: Any
    kind: str
    on_date: date
    facility: HealthFacility | None
    care_type: str | None
    visit_type: str | None
    adult: bool
    links: list[InsureePolicy]
    list_price: Decimal
    insuree_policy: InsureePolicy | None = None
    line: Any = None
    usage: CoverageUsage | None = None
    covered_quantity: Decimal = ZERO

    @property
    def category(self) -> str | None:
        return self.medical.category if self.kind == SERVICE else None


# --- Rules on the item or service itself (code 4, 2, 10) --------------------------------------


def rule_patient_category(check: Check) -> None:
    """4: the item or service must be allowed for the patient's age and gender."""
    gender = check.insuree.gender_id
    if patient_category_allows(check.medical.patient_category, gender, check.adult):
        check.result.accept("patient_category")
    else:
        label = Gender(gender).label if gender in Gender.values else gender
        check.result.refuse(RejectionReason.PATIENT_CATEGORY, "patient_category",
                            f"{'adult' if check.adult else 'child'} {label}")


def rule_price_list(check: Check) -> None:
    """2: at a facility, it must be in the facility's price list on the date (whose price wins)."""
    if check.facility is None:
        return
    price = check.data.facility_price(check.facility, check.medical, check.on_date)
    if price is None:
        check.result.refuse(RejectionReason.NOT_IN_PRICE_LIST, "price_list",
                            f"{check.medical.code} not in {check.facility.code}'s price list")
    else:
        check.list_price = price
        check.result.accept("price_list")


def rule_care_type(check: Check) -> None:
    """10: in-/out-patient care where the facility and the item or service allow it."""
    allowed, why = _care_type_allowed(check.facility, check.care_type, check.medical.care_type)
    if allowed:
        check.result.accept("care_type")
    else:
        check.result.refuse(RejectionReason.CARE_TYPE, "care_type", why)


# --- Rules on the paying policy and product line (3, 17, 16, 5, 11-15, 19) --------------------


def rule_facility_network(check: Check) -> None:
    """3: the facility must be in the product's network and under contract on the date."""
    facility, product = check.facility, check.line.product
    if facility is None:
        return
    network = check.data.networks.get(product.pk, set())
    if network and facility.pk not in network:
        check.result.refuse(RejectionReason.NOT_COVERED_BY_PRODUCT, "facility_network",
                            f"{facility.code} is not in {product.code}'s network")
    elif not facility.contracted_on(check.on_date):
        check.result.refuse(RejectionReason.NOT_COVERED_BY_PRODUCT, "facility_contract",
                            f"{facility.code} has no contract on {check.on_date}")
    else:
        check.result.accept("facility_network")


def rule_waiting_period(check: Check) -> None:
    """17: the product line's waiting period (adult or child) from the first of a chain of
    renewals must be over."""
    months = check.line.waiting_period_adult if check.adult else check.line.waiting_period_child
    if not months:
        return
    result = check.result
    result.waiting_period_end = add_months(_waiting_start(check.links, check.insuree_policy),
                                           months)
    if check.on_date < result.waiting_period_end:
        result.refuse(RejectionReason.WAITING_PERIOD, "waiting_period",
                      f"until {result.waiting_period_end}")
    else:
        result.accept("waiting_period")


def rule_quantity_limit(check: Check) -> None:
    """16: what is left of the quantity limit; less than asked is a partial approval."""
    result = check.result
    limit = check.line.limit_no_adult if check.adult else check.line.limit_no_child
    if limit is None or "quantity_limit" in result.disabled:
        return
    result.quantity_limit = limit
    result.quantity_left = max(ZERO, limit - result.quantity_used)
    if result.quantity_left <= 0:
        result.refuse(RejectionReason.QUANTITY_LIMIT, "quantity_limit",
                      f"{result.quantity_used} of {limit} used")
    else:
        check.covered_quantity = min(result.quantity, result.quantity_left)
        result.accept("quantity_limit", f"{result.quantity_left} left")


def rule_frequency(check: Check) -> None:
    """5: not the same item or service again within its frequency (days)."""
    last, frequency = check.usage.last_provided, check.medical.frequency
    if not frequency or not last:
        return
    result = check.result
    result.next_eligible_date = date.fromordinal(last.toordinal() + frequency)
    if check.on_date < result.next_eligible_date:
        result.refuse(RejectionReason.FREQUENCY, "frequency",
                      f"last given {last}, again from {result.next_eligible_date}")
    else:
        result.accept("frequency")


def rule_category_limit(check: Check) -> None:
    """11-15, 19: the product's maximum visits, admissions, consultations, surgeries, deliveries
    or antenatal visits per period."""
    if check.category not in CATEGORY_LIMITS:
        return
    count_field, reason, _amount = CATEGORY_LIMITS[check.category]
    result = check.result
    result.visits_limit = getattr(check.line.product, count_field)
    result.visits_used = int(check.usage.visits.get(check.category, 0))
    if result.visits_limit is not None and result.visits_used >= result.visits_limit:
        result.refuse(reason, "category_limit",
                      f"{result.visits_used} of {result.visits_limit} used")
    elif result.visits_limit is not None:
        result.accept("category_limit")


LINE_RULES = (rule_patient_category, rule_price_list, rule_care_type)
COVER_RULES = (rule_facility_network, rule_waiting_period, rule_quantity_limit, rule_frequency,
               rule_category_limit)


def check_eligibility(
    *,
    tenant_id: int,
    chf_id: str,
    on_date: date,
    item_code: str | None = None,
    service_code: str | None = None,
    price: Decimal | None = None,
    quantity: Decimal = Decimal("1"),
    health_facility: HealthFacility | None = None,
    care_type: str | None = None,
    visit_type: str | None = None,
    exclude: Any = None,
    data: CoverageData | None = None,
    disabled: frozenset[str] = frozenset(),
) -> Eligibility:
    """Check one item or service for one insuree on one date (see the module docstring).

    `data` is what a batch caller loaded with `load_coverage` for many checks; without it the
    registers this check needs are loaded here. `disabled` names rules (SWITCHABLE_RULES) that
    are reported as not checked instead of refusing."""
    if bool(item_code) == bool(service_code):
        raise ValueError("Give exactly one of item_code and service_code")
    if data is None:
        data = load_coverage(tenant_id, chf_ids=[chf_id],
                             item_codes=[item_code] if item_code else (),
                             service_codes=[service_code] if service_code else (),
                             facilities=[health_facility] if health_facility else ())
    result = Eligibility(on_date=on_date, quantity=Decimal(quantity),
                         disabled=frozenset(disabled) & SWITCHABLE_RULES)

    insuree = data.insurees.get(chf_id)
    if insuree is None:
        result.refuse(RejectionReason.INSUREE_INVALID, "insuree", f"no insuree {chf_id}")
        return result
    result.insuree = insuree
    result.accept("insuree", insuree.chf_id)

    kind = ITEM if item_code else SERVICE
    medical, missing = _find_medical(data, kind, item_code or service_code, on_date)
    if medical is None:
        result.refuse(missing, "item_or_service",
                      f"no {'item' if item_code else 'service'} {item_code or service_code} "
                      f"valid on {on_date}")
        return result
    result.accept("item_or_service", medical.code)

    check = Check(data=data, result=result, insuree=insuree, medical=medical, kind=kind,
                  on_date=on_date, facility=health_facility, care_type=care_type,
                  visit_type=visit_type, adult=insuree.age_on(on_date) >= data.age_of_majority,
                  links=data.insuree_policies.get(insuree.pk, []), list_price=medical.price)
    result.adult = check.adult
    for rule in LINE_RULES:
        rule(check)

    covering = [link for link in check.links if pays_on(link, on_date)]
    if not covering:
        result.refuse(RejectionReason.NO_COVERAGE, "policy", _why_uncovered(check.links, on_date))
        return _finish(result, check.list_price, price)
    result.accept("policy")

    options = [(ip, data.product_lines[(kind, ip.policy.product_id, medical.pk)])
               for ip in covering if (kind, ip.policy.product_id, medical.pk)
               in data.product_lines]
    if not options:
        result.refuse(RejectionReason.NOT_COVERED_BY_PRODUCT, "product",
                      f"no product of the insuree's policies covers {medical.code}")
        return _finish(result, check.list_price, price)
    unit_price = _unit_price(options[0][1], check.list_price, price)
    # Of several products, the one leaving the insuree the smaller share pays.
    check.insuree_policy, check.line = max(
        options, key=lambda o: _covered(o[1], check.adult, visit_type, unit_price,
                                        result.quantity)
    )
    result.insuree_policy, result.line = check.insuree_policy, check.line
    product, line, adult, category = check.line.product, check.line, check.adult, check.category
    result.accept("product", product.code)

    check.usage = usage = (data.usage or collect_usage)(
        policy=check.insuree_policy.policy, insuree=insuree,
        item=medical if kind == ITEM else None, service=medical if kind == SERVICE else None,
        on_date=on_date, exclude=exclude)
    result.quantity_used = Decimal(usage.quantity_used)
    check.covered_quantity = result.quantity
    for rule in COVER_RULES:
        rule(check)
    covered_quantity = check.covered_quantity

    result.unit_price = _money(unit_price)
    result.covered = not result.reasons
    if not result.covered:
        return _finish(result, check.list_price, price)

    result.covered_quantity = covered_quantity
    total = unit_price * result.quantity
    scope = _scope(product, health_facility, care_type)
    result.scope = scope
    result.deductible_left = _deductible_left(product, scope, usage)
    covered, result.deducted = _covered_after_deductible(
        line, adult, visit_type, unit_price, covered_quantity, result.deductible_left or ZERO)
    exclusion = line.ceiling_exclusion_adult if adult else line.ceiling_exclusion_child
    exempt = exclusion == CeilingExclusion.BOTH or exclusion == (
        CeilingExclusion.HOSPITAL if scope == "ip" else CeilingExclusion.NON_HOSPITAL)
    ceiling = _ceiling_left(product, scope, usage, category, general=not exempt)
    if ceiling is not None:
        result.ceiling_left = ceiling[0]
        if covered > ceiling[0]:
            result.exceeding_ceiling = _money(covered - ceiling[0])
            result.ceiling_hit = ceiling[1]
            covered = ceiling[0]
    result.covered_amount = _money(covered)
    result.patient_share = _money(total) - result.covered_amount
    return result


def _unit_price(line, list_price: Decimal, asked: Decimal | None) -> Decimal:
    if line.price_origin == PriceOrigin.OWN_PRICE and asked is not None:
        return Decimal(asked)
    if asked is not None:
        return min(Decimal(asked), list_price)
    return list_price


def _finish(result: Eligibility, list_price: Decimal, asked: Decimal | None) -> Eligibility:
    """A refused check: the patient would pay all of it."""
    unit = Decimal(asked) if asked is not None else list_price
    result.unit_price = _money(unit)
    result.covered = False
    result.covered_quantity = ZERO
    result.covered_amount = _money(ZERO)
    result.patient_share = _money(unit * result.quantity)
    return result


def _why_uncovered(links: list[InsureePolicy], on_date: date) -> str:
    def current(link: InsureePolicy, status: int, start: date | None) -> bool:
        return link.policy.status == status and start is not None and \
            start <= on_date <= link.expiry_date

    if any(current(link, PolicyStatus.SUSPENDED, link.effective_date) for link in links):
        return "policy suspended"
    # An idle (unpaid) policy has no effective date yet: its start date says what it would cover.
    if any(current(link, PolicyStatus.IDLE, link.start_date) for link in links):
        return "policy not yet paid (idle)"
    ended = [link.expiry_date for link in links if link.expiry_date < on_date]
    if ended:
        return f"policy expired on {max(ended)}"
    return "no policy"


# --- What an insuree's policies have left on a date (the claim page's policy panel) ---


@dataclass
class PolicyCoverage:
    """One policy of an insuree: what is left of its deductibles and ceilings (None when the
    product sets none) and what earlier care used of them for the whole policy (the family)."""

    insuree_policy: InsureePolicy
    balance: Decimal
    ded: Decimal | None = None
    ded_in_patient: Decimal | None = None
    ded_out_patient: Decimal | None = None
    ceiling: Decimal | None = None
    ceiling_in_patient: Decimal | None = None
    ceiling_out_patient: Decimal | None = None
    deducted: Decimal = ZERO
    deducted_in_patient: Decimal = ZERO
    deducted_out_patient: Decimal = ZERO
    remunerated: Decimal = ZERO
    remunerated_in_patient: Decimal = ZERO
    remunerated_out_patient: Decimal = ZERO

    @property
    def policy(self) -> Policy:
        return self.insuree_policy.policy


def _cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else _money(value)


def _summarize(link: InsureePolicy, usage: CoverageUsage) -> PolicyCoverage:
    """Left and used for one policy, with eligibility's own helpers: the general deductible and
    ceiling alone, then what applies to in-/out-patient care (scoped field, else the general)."""
    policy, product = link.policy, link.policy.product
    left = {}
    for name, scope in (("", ""), ("_in_patient", "ip"), ("_out_patient", "op")):
        ceiling = _ceiling_left(product, scope, usage, None)
        left[f"ded{name}"] = _cents(_deductible_left(product, scope, usage))
        left[f"ceiling{name}"] = _cents(ceiling[0] if ceiling else None)
    used = {}
    for name, key in (("", "policy"), ("_in_patient", "policy_ip"),
                      ("_out_patient", "policy_op")):
        used[f"deducted{name}"] = _money(Decimal(usage.deducted.get(key, ZERO)))
        used[f"remunerated{name}"] = _money(Decimal(usage.remunerated.get(key, ZERO)))
    # Contributions are not recorded here; openIMIS activates a policy once they reach its value,
    # so only an idle policy still owes it.
    balance = policy.value if policy.status == PolicyStatus.IDLE else ZERO
    return PolicyCoverage(insuree_policy=link, balance=_money(balance), **left, **used)


def policy_coverage(tenant_id: int, chf_id: str,
                    on_date: date | None = None) -> list[PolicyCoverage]:
    """The insuree's policies whose period for that insuree holds `on_date`, whatever their
    status (the claim page shows why a claim would not be covered), or all of them without a
    date; newest first. An insuree of another tenant, or none, has no policies.

    What is left is what `check_eligibility` would start from for a new claim on that date: its
    per-treatment amounts whole, what earlier claims used taken off the insuree and policy ones
    (every claim of the policy period counts, also those dated later, as deductibles and
    ceilings are per period). What care used is loaded once for the insuree through
    `coverage_usage_loader`, so the query count does not grow with the number of policies."""
    links = InsureePolicy.objects.filter(
        insuree__tenant_id=tenant_id, insuree__chf_id=chf_id, insuree__validity_to__isnull=True,
        policy__tenant_id=tenant_id, validity_to__isnull=True, policy__validity_to__isnull=True,
    ).select_related("insuree", "policy__product", "policy__officer").order_by(
        "-policy__start_date", "-policy__expiry_date", "-pk")
    if on_date is not None:
        links = links.filter(start_date__lte=on_date, expiry_date__gte=on_date)
    links = list(links)
    if not links:
        return []
    usage = load_usage({link.insuree_id for link in links})
    summaries, seen = [], set()
    for link in links:
        if link.policy_id in seen:  # a member who left and rejoined the same policy
            continue
        seen.add(link.policy_id)
        summaries.append(_summarize(link, usage(
            policy=link.policy, insuree=link.insuree, item=None, service=None, on_date=on_date,
            exclude=None)))
    return summaries
