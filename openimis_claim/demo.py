"""Demo claims in every status, for `seed_demo` (core calls `seed_claims` per tenant through the
module's `demo_seeder`; core never imports this module).

Claims are entered in bulk, like a facility's paper backlog typed in at once, then moved on by
the real services (submit, feedback and review selection, feedback, review, process, valuate)
as the tenant's demo system user, so prices, verdicts, amounts and history are what the
workflow makes of them. Every random choice is drawn before any service runs, from one stream
seeded with the demo seed and the tenant code; dates follow `size.today` (history rows and
stamps are dated on the claim's own timeline), so the same seed and day give the same rows.
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from core.demo import DemoSize, demo_system_user
from core.models import Tenant, User
from core.registers.codes import CareType, FacilityLevel, Gender, PolicyStatus, RejectionReason
from core.registers.models import (
    Diagnosis,
    HealthFacility,
    InsureePolicy,
    ItemsPricelistDetail,
    MedicalItem,
    MedicalService,
    Officer,
    ServicesPricelistDetail,
)
from core.registers.seeding import FEMALE_NAMES, LAST_NAMES, MALE_NAMES, SeedResult
from openimis_claim.codes import (
    ClaimCareType,
    ClaimStatus,
    LineStatus,
    PatientCondition,
    VisitType,
)
from openimis_claim.models import (
    Claim,
    ClaimAdmin,
    ClaimItem,
    ClaimService,
    ClaimStatusHistory,
    ClaimVersion,
)
from openimis_claim.services import (
    deliver_claim_feedback,
    move_selection,
    process_claims,
    save_claim_review,
    submit_claims,
    valuate_claims,
)

BATCH = 100
STAY = 0  # quantity of a ward-day line: the nights of the stay
CODE_LENGTH = ClaimAdmin._meta.get_field("code").max_length

# Final status aimed at (rejections also happen on their own at submission and processing).
TARGETS = [(ClaimStatus.REJECTED, 8), (ClaimStatus.ENTERED, 14), (ClaimStatus.CHECKED, 22),
           (ClaimStatus.PROCESSED, 12), (ClaimStatus.VALUATED, 44)]
# Days before today the care may have started, per target: older claims went further.
AGE_DAYS = {ClaimStatus.ENTERED: (1, 21), ClaimStatus.CHECKED: (10, 60),
            ClaimStatus.REJECTED: (15, 200), ClaimStatus.PROCESSED: (25, 150),
            ClaimStatus.VALUATED: (30, 330)}
# Feedback and review plans: idle (None), skipped, selected (and left so; processing bypasses
# it), delivered.
SELECTION_WEIGHTS = {
    ClaimStatus.CHECKED: ({None: 45, "skip": 10, "select": 25, "deliver": 20},
                          {None: 40, "skip": 15, "select": 25, "deliver": 20}),
    ClaimStatus.PROCESSED: ({None: 60, "skip": 10, "select": 10, "deliver": 20},
                            {None: 55, "skip": 15, "select": 10, "deliver": 20}),
    ClaimStatus.REJECTED: ({None: 80, "deliver": 20}, {"reject": 1}),
}
SELECTION_WEIGHTS[ClaimStatus.VALUATED] = SELECTION_WEIGHTS[ClaimStatus.PROCESSED]
COMORBIDITIES = ("I10", "E11.9", "D64.9", "B54")


@dataclass(frozen=True)
class Scenario:
    """A reason to seek care and what the facility gives for it: services and items as
    (code, least, most) quantities (`STAY`: one per night)."""

    diagnoses: tuple[str, ...]
    services: tuple[tuple[str, int, int], ...]
    items: tuple[tuple[str, int, int], ...]
    weight: int
    nights: tuple[int, int] | None = None  # in-patient: nights of the stay
    genders: str = "MF"
    ages: tuple[int, int] = (0, 120)
    levels: str = "DCH"

    def fits(self, gender: str, age: int) -> bool:
        return (gender in self.genders or gender == Gender.OTHER) and \
            self.ages[0] <= age <= self.ages[1]

    @property
    def ward_days(self) -> bool:
        return any(quantity == STAY for _, quantity, _ in self.services)


SCENARIOS = (
    Scenario(("B50", "B54"), (("O002", 1, 1), ("C001", 1, 1)), (("0004", 12, 24),
                                                                 ("0001", 10, 20)), 18),
    Scenario(("J06.9", "J02.9"), (("C001", 1, 1),), (("0002", 15, 21), ("0001", 10, 18)), 14),
    Scenario(("A09", "E86.0"), (("C001", 1, 1),), (("0005", 4, 10), ("0006", 10, 14)), 8,
             ages=(0, 12)),
    Scenario(("I10",), (("V001", 1, 1),), (("0008", 30, 90),), 7, ages=(35, 120)),
    Scenario(("E11.9",), (("C002", 1, 1), ("O010", 1, 1)), (("0007", 60, 90),), 5,
             ages=(35, 120), levels="CH"),
    Scenario(("N39.0",), (("C001", 1, 1), ("O003", 1, 1)), (("0015", 10, 20),), 6),
    Scenario(("D64.9",), (("C001", 1, 1), ("O001", 1, 1)), (("0009", 30, 90),), 4),
    Scenario(("Z34",), (("A001", 1, 1), ("O005", 1, 1)), (("0009", 30, 60),), 6, genders="F",
             ages=(18, 45)),
    Scenario(("J45",), (("C001", 1, 1),), (("0013", 1, 2),), 3, ages=(5, 120)),
    # A repeat prescription: the pharmacy dispenses, no consultation.
    Scenario(("Z76",), (), (("0008", 30, 90), ("0007", 60, 90)), 10, ages=(35, 120)),
    Scenario(("S52",), (("C001", 1, 1), ("O004", 1, 1)), (("0020", 2, 4), ("0014", 10, 20)), 3,
             ages=(18, 120), levels="CH"),
    Scenario(("R51.9", "M54.9"), (("C001", 1, 1),), (("0014", 10, 20), ("0001", 10, 20)), 4,
             ages=(18, 120)),
    Scenario(("J18.9",), (("H001", STAY, STAY), ("O004", 1, 1), ("O001", 1, 1)),
             (("0010", 3, 10), ("0017", 2, 6), ("0019", 1, 2)), 6, nights=(2, 6), levels="CH"),
    Scenario(("B50",), (("H001", STAY, STAY), ("O001", 1, 1)),
             (("0016", 2, 6), ("0019", 1, 2), ("0001", 10, 20)), 4, nights=(1, 4), levels="CH"),
    Scenario(("O80",), (("D001", 1, 1), ("H001", STAY, STAY)), (("0011", 1, 2), ("0018", 2, 6)),
             5, nights=(1, 2), genders="F", ages=(18, 45), levels="CH"),
    Scenario(("O82",), (("S001", 1, 1), ("H001", STAY, STAY)),
             (("0010", 3, 6), ("0016", 2, 6), ("0019", 1, 2)), 2, nights=(3, 5), genders="F",
             ages=(18, 45), levels="H"),
    Scenario(("K35",), (("S002", 1, 1), ("H001", STAY, STAY)), (("0010", 3, 6), ("0017", 2, 6)),
             2, nights=(2, 4), levels="H"),
    Scenario(("K40",), (("S003", 1, 1), ("H001", STAY, STAY)), (("0014", 10, 20),), 1,
             nights=(1, 2), ages=(18, 120), levels="H"),
    Scenario(("H25.9",), (("S004", 1, 1),), (("0014", 6, 12),), 1, nights=(0, 1),
             ages=(50, 120), levels="H"),
)


@dataclass
class Planned:
    """One demo claim before it is saved: the claim, its lines, what happens to it, and when."""

    claim: Claim
    lines: list[ClaimItem | ClaimService]
    target: int
    feedback: str | None
    review: str | None
    answers: dict
    cuts: list[Decimal | None]  # per line: quantity the medical officer approves instead
    times: dict[str, datetime] = field(default_factory=dict)


def seed_claims(tenant: Tenant, size: DemoSize) -> SeedResult:
    """`size.claims` claims for the tenant (plus claim administrators for its facilities).
    A tenant that has claims already is left as it is."""
    result = SeedResult()
    if Claim.objects.filter(tenant=tenant).exists():
        return result
    with transaction.atomic():
        ClaimSeeder(tenant, size, result).run()
    return result


class ClaimSeeder:
    def __init__(self, tenant: Tenant, size: DemoSize, result: SeedResult) -> None:
        self.tenant = tenant
        self.count = size.claims
        self.today = size.today or date.today()
        # Demo data: a seeded, reproducible stream is the point, not secrecy.
        self.rng = random.Random(f"{size.seed}:{tenant.code}:claims")  # noqa: S311
        self.result = result
        self.user: User | None = None
        self.prices: dict = {}

    # --- registers -----------------------------------------------------------------------
    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def claim_admins(self, facilities: list[HealthFacility]) -> dict[int, list[ClaimAdmin]]:
        """One or two per facility (two at hospitals); users working at a facility (the demo
        clerk at HF001) become its first administrator, coded with their login as in openIMIS
        (the web app knows the logged-in administrator by `code == username`); the others are
        CA0001, CA0002, ..."""
        staff = {}
        for user in User.objects.filter(tenant=self.tenant, health_facility__isnull=False,
                                        claim_admin__isnull=True).order_by("pk"):
            staff.setdefault(user.health_facility_id, user)
        existing = defaultdict(list)
        for admin in ClaimAdmin.objects.filter(tenant=self.tenant, validity_to__isnull=True) \
                .order_by("pk"):
            existing[admin.health_facility_id].append(admin)
        taken = set(ClaimAdmin.objects.filter(tenant=self.tenant).values_list("code", flat=True))
        logins = {user.username for user in staff.values()
                  if len(user.username) <= CODE_LENGTH and user.username not in taken}
        taken |= logins
        numbers = (f"CA{n:04d}" for n in itertools.count(1))
        made = []
        for facility in facilities:
            if existing[facility.pk]:
                continue
            for n in range(2 if facility.level == FacilityLevel.HOSPITAL else 1):
                user = staff.pop(facility.pk, None) if n == 0 else None
                code = user.username if user and user.username in logins else \
                    next(number for number in numbers if number not in taken)
                taken.add(code)
                female = self.rng.random() < 0.6
                made.append(ClaimAdmin(
                    tenant=self.tenant, uuid=self._uuid(), code=code,
                    health_facility=facility, user=user,
                    last_name=user.last_name if user else self.rng.choice(LAST_NAMES),
                    other_names=user.other_names if user else self.rng.choice(
                        FEMALE_NAMES if female else MALE_NAMES),
                    phone=f"+255 7{self.rng.randint(10, 99)} {self.rng.randint(100000, 999999)}"))
        ClaimAdmin.objects.bulk_create(made)
        self.result.add("claim admins", len(made))
        for admin in made:
            existing[admin.health_facility_id].append(admin)
        return existing

    def _prices(self, facilities) -> dict[tuple[str, int], dict[str, tuple[object, Decimal]]]:
        """Per price list: code -> (item or service, the price the facility asks)."""
        prices: dict = defaultdict(dict)
        for model, key, medical_model, lists in (
                (ItemsPricelistDetail, "item", MedicalItem,
                 {f.items_pricelist_id for f in facilities}),
                (ServicesPricelistDetail, "service", MedicalService,
                 {f.services_pricelist_id for f in facilities})):
            medical = {m.pk: m for m in medical_model.objects.filter(
                tenant=self.tenant, validity_to__isnull=True)}
            for detail in model.objects.filter(pricelist_id__in=lists, valid_to__isnull=True) \
                    .order_by("valid_from", "pk"):
                row = medical.get(getattr(detail, f"{key}_id"))
                if row is not None:
                    price = detail.price_overrule if detail.price_overrule is not None \
                        else row.price
                    prices[(key, detail.pricelist_id)][row.code] = (row, price)
        return prices

    # --- planning --------------------------------------------------------------------------
    def _weighted(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _at(self, day: date) -> datetime:
        day = min(day, self.today)
        return datetime(day.year, day.month, day.day, self.rng.randint(7, 16),
                        self.rng.randint(0, 59), tzinfo=UTC)

    def _lines(self, scenario: Scenario, facility, nights: int) -> list:
        wanted = [("service", *s) for s in scenario.services] + \
            [("item", *i) for i in scenario.items]
        chosen = [line for n, line in enumerate(wanted)
                  if n == 0 or line[2] == STAY or self.rng.random() < 0.85]
        if self.rng.random() < 0.1:
            chosen.append(self.rng.choice([("item", "0001", 10, 20), ("service", "O001", 1, 1),
                                           ("item", "0018", 2, 4)]))
        offer = {"item": self.prices[("item", facility.items_pricelist_id)],
                 "service": self.prices[("service", facility.services_pricelist_id)]}
        if self.rng.random() < 0.06:  # an odd line: may not suit the patient or the visit
            kind = self.rng.choice(["item", "service"])
            if offer[kind]:
                chosen = [*chosen[:4], (kind, self.rng.choice(sorted(offer[kind])), 1, 3)]
        chosen = chosen[:5]
        lines, seen = [], set()
        for kind, code, least, most in chosen:
            if code not in offer[kind] or (kind, code) in seen:
                continue
            seen.add((kind, code))
            medical, price = offer[kind][code]
            quantity = max(nights, 1) if least == STAY else self.rng.randint(least, most)
            if medical.maximum_amount is not None:  # the web app saves no more per claim
                quantity = min(quantity, int(medical.maximum_amount))
            if self.rng.random() < 0.05:  # asks more than the price list: adjusted down
                price = (price * Decimal("1.1")).quantize(Decimal("0.01"))
            model = ClaimItem if kind == "item" else ClaimService
            lines.append(model(qty_provided=Decimal(quantity), price_asked=price,
                               **{kind: medical}))
        return lines

    def _plan(self, covers, scenarios_for, facilities, admins, diagnoses, officers):
        target = self._weighted(dict(TARGETS))
        oldest, newest = AGE_DAYS[target]
        for _attempt in range(30):
            insuree_id, dob, gender, fsp_id, effective, expiry = self.rng.choice(covers)
            first = max(self.today - timedelta(days=newest), effective, dob)
            last = min(self.today - timedelta(days=oldest), expiry)
            if first <= last:
                break
        else:
            return None
        date_from = first + timedelta(days=self.rng.randint(0, (last - first).days))
        age = date_from.year - dob.year - ((date_from.month, date_from.day) < (dob.month,
                                                                                 dob.day))
        fitting = scenarios_for(gender, age, target == ClaimStatus.PROCESSED)
        scenario = self.rng.choices(fitting, weights=[s.weight for s in fitting])[0]
        nights = self.rng.randint(*scenario.nights) if scenario.nights else 0
        places = [f for f in facilities if f.level in scenario.levels and
                  (not scenario.nights or f.care_type != CareType.OUT_PATIENT)] or facilities
        own = [f for f in places if f.pk == fsp_id]
        facility = own[0] if own and self.rng.random() < 0.65 else self.rng.choice(places)
        lines = self._lines(scenario, facility, nights)
        if not lines:
            return None
        date_to = min(date_from + timedelta(days=nights), self.today)
        date_claimed = min(date_to + timedelta(days=self.rng.randint(0, 5)), self.today)
        visit_type = VisitType.OTHER
        refer_from = None
        if scenario.nights and self.rng.random() < 0.35:
            visit_type = VisitType.EMERGENCY
        elif facility.level == FacilityLevel.HOSPITAL and self.rng.random() < 0.2:
            smaller = [f for f in facilities if f.level != FacilityLevel.HOSPITAL]
            if smaller:
                visit_type, refer_from = VisitType.REFERRAL, self.rng.choice(smaller)
        preauthorized = any((ln.item if isinstance(ln, ClaimItem) else ln.service)
                            .requires_preauthorization for ln in lines)
        icd = diagnoses.get(self.rng.choice(scenario.diagnoses))
        second = diagnoses.get(self.rng.choice(COMORBIDITIES)) \
            if age >= 35 and self.rng.random() < 0.15 else None
        claim = Claim(
            tenant=self.tenant, uuid=self._uuid(), insuree_id=insuree_id,
            health_facility=facility, admin=self.rng.choice(admins[facility.pk]),
            date_from=date_from, date_to=date_to, date_claimed=date_claimed,
            icd=icd or diagnoses["R50.9"], icd_1=second if second != icd else None,
            visit_type=visit_type, refer_from=refer_from,
            care_type=ClaimCareType.IN_PATIENT if scenario.nights else
            ClaimCareType.OUT_PATIENT,
            patient_condition=(PatientCondition.REFERRED if self.rng.random() < 0.08
                               else PatientCondition.HEALED) if scenario.nights else "",
            pre_authorization=preauthorized,
            guarantee_id=f"PA{date_from:%y%m}{self.rng.randint(1000, 9999)}"
            if preauthorized else "",
            audit_user=self.user, validity_from=self._at(date_claimed),
        )
        feedback_weights, review_weights = SELECTION_WEIGHTS.get(target, ({None: 1}, {None: 1}))
        feedback, review = self._weighted(feedback_weights), self._weighted(review_weights)
        answers = {"officer_id": self.rng.choice(officers) if officers else None,
                   "care_rendered": self.rng.random() < 0.96,
                   "payment_asked": self.rng.random() < 0.12,
                   "drug_prescribed": any(isinstance(ln, ClaimItem) for ln in lines),
                   "drug_received": self.rng.random() < 0.9,
                   "asessment": self._weighted({5: 30, 4: 35, 3: 20, 2: 8, 1: 4, 0: 2, -1: 1})}
        cuts = [(line.qty_provided * Decimal("0.6")).quantize(Decimal("1"))
                if line.qty_provided > 2 and self.rng.random() < 0.25 else None
                for line in lines]
        planned = Planned(claim, lines, target, feedback, review, answers, cuts)
        submitted = date_claimed + timedelta(days=self.rng.randint(0, 3))
        selected = submitted + timedelta(days=self.rng.randint(1, 3))
        fed = selected + timedelta(days=self.rng.randint(2, 10))
        reviewed = selected + timedelta(days=self.rng.randint(1, 7))
        processed = max(fed, reviewed) + timedelta(days=self.rng.randint(1, 10))
        valuated = processed + timedelta(days=self.rng.randint(3, 20))
        earlier = claim.validity_from
        for name, day in (("submit", submitted), ("select", selected), ("feedback", fed),
                          ("review", reviewed), ("process", processed),
                          ("valuate", valuated)):
            # Days past today are today; never before the step that comes first.
            earlier = planned.times[name] = max(self._at(day), earlier)
        planned.answers["feedback_date"] = planned.times["feedback"].date()
        return planned

    def plan(self, facilities, admins) -> list[Planned]:
        covers = list(InsureePolicy.objects.filter(
            policy__tenant=self.tenant, policy__status=PolicyStatus.ACTIVE,
            policy__validity_to__isnull=True, validity_to__isnull=True,
            effective_date__isnull=False, insuree__validity_to__isnull=True,
        ).order_by("insuree__chf_id", "pk").values_list(
            "insuree_id", "insuree__dob", "insuree__gender", "insuree__health_facility_id",
            "effective_date", "expiry_date"))
        if not covers or not facilities:
            return []
        codes = {code for s in SCENARIOS for code in s.diagnoses} | set(COMORBIDITIES) | \
            {"R50.9"}
        diagnoses = {d.code: d for d in Diagnosis.objects.filter(code__in=codes)}
        if "R50.9" not in diagnoses:
            return []
        officers = list(Officer.objects.filter(tenant=self.tenant, validity_to__isnull=True)
                        .order_by("code").values_list("pk", flat=True))

        def scenarios_for(gender, age, ward_days):
            fitting = [s for s in SCENARIOS if s.fits(gender, age)]
            with_stay = [s for s in fitting if s.ward_days]
            return (with_stay if ward_days and with_stay else fitting) or list(SCENARIOS)

        planned = [self._plan(covers, scenarios_for, facilities, admins, diagnoses, officers)
                   for _ in range(self.count)]
        planned = [p for p in planned if p is not None]
        # Codes count up with the date claimed at each facility, as the clerks typed them.
        planned.sort(key=lambda p: (p.claim.date_claimed, p.claim.validity_from))
        serial = defaultdict(int)
        for p in planned:
            serial[p.claim.health_facility.pk] += 1
            p.claim.code = f"C{serial[p.claim.health_facility.pk]:07d}"
        return planned

    # --- the workflow ----------------------------------------------------------------------
    def enter(self, planned: list[Planned]) -> None:
        for p in planned:
            p.claim.claimed = sum((ln.qty_provided * ln.price_asked for ln in p.lines),
                                  Decimal("0"))
        Claim.objects.bulk_create([p.claim for p in planned], batch_size=500)
        for p in planned:
            for line in p.lines:
                line.claim = p.claim
        for model in (ClaimItem, ClaimService):
            model.objects.bulk_create([ln for p in planned for ln in p.lines
                                       if isinstance(ln, model)], batch_size=500)
        self.result.add("claims", len(planned))
        self.result.add("claim lines", sum(len(p.lines) for p in planned))

    def _statuses(self, planned: list[Planned]) -> dict[int, int]:
        return dict(Claim.objects.filter(pk__in=[p.claim.pk for p in planned])
                    .values_list("pk", "status"))

    def _step(self, planned: list[Planned], stage: str, call: Callable[[list[Planned]], None],
              ) -> None:
        """Run `call` on the claims in batches and date the history rows and earlier versions
        it wrote on each claim's own timeline (`stage`)."""
        if not planned:
            return
        dated = ((ClaimStatusHistory, "at"), (ClaimVersion, "validity_to"))
        for start in range(0, len(planned), BATCH):
            batch = planned[start:start + BATCH]
            marks = {model: model.objects.aggregate(top=Max("pk"))["top"] or 0
                     for model, _stamp in dated}
            call(batch)
            when = {p.claim.pk: p.times[stage] for p in batch}
            for model, stamp in dated:
                rows = list(model.objects.filter(pk__gt=marks[model], claim_id__in=when)
                            .only("pk", "claim_id"))
                for row in rows:
                    setattr(row, stamp, when[row.claim_id])
                model.objects.bulk_update(rows, [stamp], batch_size=500)

    def _bulk(self, service, *args) -> Callable[[list[Planned]], None]:
        def call(batch: list[Planned]) -> None:
            outcome = service(self.user, [str(p.claim.uuid) for p in batch], *args)
            if outcome.errors:
                raise RuntimeError(f"demo claims: {service.__name__} refused {outcome.errors}")
        return call

    def _review(self, batch: list[Planned]) -> None:
        status = {}
        for model in (ClaimItem, ClaimService):
            status.update({(model, pk): s for pk, s in model.objects.filter(
                claim_id__in=[p.claim.pk for p in batch]).values_list("pk", "status")})
        for p in batch:
            rows = {"items": [], "services": []}
            passed = [ln for ln in p.lines if status[(type(ln), ln.pk)] == LineStatus.PASSED]
            for line, cut in zip(p.lines, p.cuts, strict=True):
                key = "items" if isinstance(line, ClaimItem) else "services"
                if p.review == "reject":
                    rows[key].append({"id": line.pk, "status": LineStatus.REJECTED,
                                      "rejection_reason":
                                          RejectionReason.REJECTED_BY_MEDICAL_OFFICER,
                                      "justification": "Not supported by the diagnosis"})
                elif cut is not None and line in passed:
                    rows[key].append({"id": line.pk, "qty_approved": cut,
                                      "justification": "Quantity cut to the treatment "
                                                       "protocol"})
            adjustment = "Not medically justified" if p.review == "reject" else (
                "Quantities cut to the protocol" if any(rows.values()) else "")
            save_claim_review(self.user, str(p.claim.uuid), {**rows, "adjustment": adjustment})

    def _feedback(self, batch: list[Planned]) -> None:
        for p in batch:
            deliver_claim_feedback(self.user, str(p.claim.uuid), p.answers)

    def _stamp(self, planned: list[Planned], fields: Iterable[str]) -> None:
        claims = []
        for p in planned:
            claim = Claim(pk=p.claim.pk, submit_stamp=p.times["submit"],
                          process_stamp=p.times["process"],
                          date_processed=p.times["process"].date())
            claims.append(claim)
        Claim.objects.bulk_update(claims, list(fields), batch_size=500)

    def workflow(self, planned: list[Planned]) -> None:
        moving = [p for p in planned if p.target != ClaimStatus.ENTERED]
        self._step(moving, "submit", self._bulk(submit_claims))
        self._stamp(moving, ["submit_stamp"])
        status = self._statuses(moving)
        checked = [p for p in moving if status[p.claim.pk] == ClaimStatus.CHECKED]
        for field_name, plan in (("feedback_status", "feedback"), ("review_status", "review")):
            for action, plans in (("select", ("select", "deliver", "reject")), ("skip", ("skip",))):
                chosen = [p for p in checked if getattr(p, plan) in plans]
                self._step(chosen, "select", self._bulk(move_selection, field_name, action))
        self._step([p for p in checked if p.feedback == "deliver"], "feedback", self._feedback)
        self._step([p for p in checked if p.review in ("deliver", "reject")], "review",
                   self._review)
        status = self._statuses(checked)
        going = [p for p in checked if status[p.claim.pk] == ClaimStatus.CHECKED and
                 p.target in (ClaimStatus.PROCESSED, ClaimStatus.VALUATED)]
        self._step(going, "process", self._bulk(process_claims))
        self._stamp(going, ["process_stamp", "date_processed"])
        status = self._statuses(going)
        self._step([p for p in going if p.target == ClaimStatus.VALUATED and
                    status[p.claim.pk] == ClaimStatus.PROCESSED], "valuate",
                   self._bulk(valuate_claims))

    def run(self) -> None:
        facilities = list(HealthFacility.objects.filter(tenant=self.tenant,
                                                        validity_to__isnull=True)
                          .order_by("code"))
        admins = self.claim_admins(facilities)
        if self.count <= 0:
            return
        self.user = demo_system_user(self.tenant)
        self.prices = self._prices(facilities)
        planned = self.plan(facilities, admins)
        self.enter(planned)
        self.workflow(planned)
