"""Realistic register data at scale, deterministic for a seed and a reference date.

`seed_registers` builds a tenant's locations, price lists, facilities, items and services,
products, officers, families, insurees and policies with bulk inserts in chunks (one transaction
each), so 100,000 insurees take seconds, not minutes. `seed_demo` (core/demo.py) calls it.
"""

from __future__ import annotations

import base64
import random
import struct
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Subquery

from core.models import Tenant
from core.registers.codes import (
    CareType,
    CeilingExclusion,
    FacilityLevel,
    Gender,
    ItemType,
    LimitationType,
    LocationType,
    MaritalStatus,
    PackageType,
    PatientCategory,
    PolicyStage,
    PolicyStatus,
    PriceOrigin,
    ServiceCategory,
    ServiceType,
)
from core.registers.eligibility import add_months
from core.registers.models import (
    ConfirmationType,
    Education,
    Family,
    FamilyType,
    HealthFacility,
    IdentificationType,
    Insuree,
    InsureePhoto,
    InsureePolicy,
    ItemsPricelist,
    ItemsPricelistDetail,
    Location,
    MedicalItem,
    MedicalService,
    Officer,
    Policy,
    Product,
    ProductItem,
    ProductService,
    Profession,
    Relation,
    ServicePackageItem,
    ServicePackageService,
    ServicesPricelist,
    ServicesPricelistDetail,
)

CHUNK_FAMILIES = 4000
BATCH = 2000

ADULT_ONLY = PatientCategory.MALE | PatientCategory.FEMALE | PatientCategory.ADULT
WOMEN_ONLY = PatientCategory.FEMALE | PatientCategory.ADULT
CHILDREN_ONLY = PatientCategory.MALE | PatientCategory.FEMALE | PatientCategory.CHILD

# code, name, type, price, care type, patient category, frequency (days), max per claim, preauth
ITEMS = [
    ("0001", "Paracetamol 500 mg tablet", ItemType.DRUG, "0.10", "B", 15, None, 60, False),
    ("0002", "Amoxicillin 250 mg capsule", ItemType.DRUG, "0.25", "B", 15, None, 42, False),
    ("0003", "Amoxicillin syrup 125 mg/5 ml, 100 ml", ItemType.DRUG, "2.40", "B", CHILDREN_ONLY,
     None, 3, False),
    ("0004", "Artemether/lumefantrine 20/120 mg tablet", ItemType.DRUG, "0.45", "B", 15, 14, 24,
     False),
    ("0005", "Oral rehydration salts sachet", ItemType.DRUG, "0.30", "B", 15, None, 20, False),
    ("0006", "Zinc sulphate 20 mg tablet", ItemType.DRUG, "0.08", "B", CHILDREN_ONLY, None, 14,
     False),
    ("0007", "Metformin 500 mg tablet", ItemType.DRUG, "0.06", "O", ADULT_ONLY, 25, 90, False),
    ("0008", "Amlodipine 5 mg tablet", ItemType.DRUG, "0.09", "O", ADULT_ONLY, 25, 90, False),
    ("0009", "Ferrous sulphate + folic acid tablet", ItemType.DRUG, "0.04", "B", 15, None, 90,
     False),
    ("0010", "Ceftriaxone 1 g injection", ItemType.DRUG, "3.20", "I", 15, None, 14, False),
    ("0011", "Oxytocin 10 IU injection", ItemType.DRUG, "1.10", "I", WOMEN_ONLY, None, 4, False),
    ("0012", "Insulin glargine 100 IU/ml pen", ItemType.DRUG, "38.00", "O", 15, 28, 5, True),
    ("0013", "Salbutamol inhaler 100 mcg", ItemType.DRUG, "4.50", "O", 15, 30, 2, False),
    ("0014", "Ibuprofen 400 mg tablet", ItemType.DRUG, "0.07", "B", ADULT_ONLY, None, 60,
     False),
    ("0015", "Cotrimoxazole 480 mg tablet", ItemType.DRUG, "0.05", "B", 15, None, 60, False),
    ("0016", "Dextrose 5% infusion 500 ml", ItemType.MEDICAL_CONSUMABLE, "1.80", "I", 15, None,
     10, False),
    ("0017", "Sodium chloride 0.9% infusion 500 ml", ItemType.MEDICAL_CONSUMABLE, "1.60", "I",
     15, None, 10, False),
    ("0018", "Surgical gloves, pair", ItemType.MEDICAL_CONSUMABLE, "0.35", "B", 15, None, 40,
     False),
    ("0019", "Cannula 20G", ItemType.MEDICAL_CONSUMABLE, "0.60", "I", 15, None, 6, False),
    ("0020", "Plaster of Paris bandage 10 cm", ItemType.MEDICAL_CONSUMABLE, "2.10", "B", 15,
     None, 8, False),
    ("0021", "Trastuzumab 440 mg vial", ItemType.DRUG, "1450.00", "I", ADULT_ONLY, 21, 1, True),
    ("0022", "Erythropoietin 4000 IU injection", ItemType.DRUG, "42.00", "B", 15, 7, 4, True),
]

# code, name, category, price, care type, patient category, frequency, max per claim, preauth
SERVICES = [
    ("C001", "General outpatient consultation", ServiceCategory.CONSULTATION, "6.00", "O", 15,
     None, 2, False),
    ("C002", "Specialist consultation", ServiceCategory.CONSULTATION, "15.00", "O", 15, None, 2,
     False),
    ("V001", "Follow-up visit", ServiceCategory.VISIT, "3.00", "O", 15, None, 2, False),
    ("A001", "Antenatal care visit", ServiceCategory.ANTENATAL, "5.00", "O", WOMEN_ONLY, 21, 1,
     False),
    ("D001", "Normal delivery", ServiceCategory.DELIVERY, "60.00", "I", WOMEN_ONLY, 180, 1, False),
    ("S001", "Caesarean section", ServiceCategory.SURGERY, "420.00", "I", WOMEN_ONLY, 180, 1, True),
    ("S002", "Appendectomy", ServiceCategory.SURGERY, "380.00", "I", 15, None, 1, True),
    ("S003", "Hernia repair", ServiceCategory.SURGERY, "300.00", "I", 15, None, 1, True),
    ("S004", "Cataract surgery, one eye", ServiceCategory.SURGERY, "250.00", "I", ADULT_ONLY, 90,
     1, True),
    ("H001", "Admission, general ward, per day", ServiceCategory.HOSPITALIZATION, "18.00", "I",
     15, None, 30, False),
    ("H002", "Intensive care, per day", ServiceCategory.HOSPITALIZATION, "140.00", "I", 15, None,
     14, True),
    ("O001", "Full blood count", ServiceCategory.OTHER, "4.00", "B", 15, None, 2, False),
    ("O002", "Malaria rapid diagnostic test", ServiceCategory.OTHER, "1.50", "B", 15, None, 2,
     False),
    ("O003", "Urinalysis", ServiceCategory.OTHER, "2.00", "B", 15, None, 2, False),
    ("O004", "Chest X-ray", ServiceCategory.OTHER, "12.00", "B", 15, None, 1, False),
    ("O005", "Obstetric ultrasound", ServiceCategory.OTHER, "14.00", "O", WOMEN_ONLY, 28, 1,
     False),
    ("O006", "CT scan, head", ServiceCategory.OTHER, "160.00", "B", 15, 30, 1, True),
    ("O007", "MRI, lumbar spine", ServiceCategory.OTHER, "280.00", "B", 15, 90, 1, True),
    ("O008", "Haemodialysis session", ServiceCategory.OTHER, "95.00", "B", 15, 2, 1, True),
    ("O009", "Physiotherapy session", ServiceCategory.OTHER, "8.00", "O", 15, 2, 1, False),
    ("O010", "HbA1c test", ServiceCategory.OTHER, "9.00", "O", ADULT_ONLY, 80, 1, False),
]

# Package services (openIMIS "P" and "F" service types): code, name, category, care type, type,
# manual price (None: priced at its contents), contents (item or service code, quantity).
PACKAGES = [
    ("P001", "Uncomplicated malaria package", ServiceCategory.CONSULTATION, "O",
     PackageType.PACKAGE, None,
     [("C001", 1), ("O002", 1), ("0004", 24), ("0001", 12)]),
    ("F001", "Normal delivery package", ServiceCategory.DELIVERY, "I", PackageType.FIXED_PACKAGE,
     None, [("D001", 1), ("H001", 2), ("0011", 1), ("0018", 4), ("0019", 1), ("0017", 2)]),
    ("P002", "Wound dressing package", ServiceCategory.OTHER, "B", PackageType.PACKAGE, "9.50",
     [("V001", 1), ("0018", 2), ("0020", 1)]),
]

REGIONS = ["Kilima", "Pwani"]
DISTRICTS = {"Kilima": ["Moshi", "Hai", "Rombo"], "Pwani": ["Bagamoyo", "Kibaha", "Mafia"]}
MALE_NAMES = ["Juma", "Baraka", "Hamisi", "Daudi", "Emmanuel", "Said", "Petro", "Joseph",
              "Elia", "Hassani", "Yusufu", "Amani", "Omari", "Rashidi", "Frank", "Godfrey",
              "Idrisa", "Musa", "Nassoro", "Salim", "Tumaini", "Zuberi", "Kassim", "Issa"]
FEMALE_NAMES = ["Amina", "Neema", "Rehema", "Zawadi", "Mwanaisha", "Grace", "Happiness",
                "Upendo", "Fatuma", "Halima", "Esther", "Mary", "Asha", "Saida", "Mariam",
                "Tatu", "Imani", "Joyce", "Rukia", "Subira", "Winfrida", "Zainabu", "Anna"]
LAST_NAMES = ["Mushi", "Mollel", "Kimaro", "Swai", "Lyimo", "Massawe", "Temba", "Shirima",
              "Mrema", "Ngowi", "Kweka", "Minja", "Mchome", "Urassa", "Makundi", "Mbwambo",
              "Mfinanga", "Kileo", "Mosha", "Tarimo", "Mwakyusa", "Hassan", "Bakari", "Mohamed",
              "Athumani", "Salehe", "Juma", "Mwinyi", "Kombo", "Chande", "Nyirenda", "Banda"]
# Family size 1..8, weighted like a rural scheme (most families 3-5 people).
FAMILY_SIZE_WEIGHTS = [8, 12, 18, 20, 17, 12, 8, 5]
# Policy status of a family's current policy.
POLICY_STATUS_WEIGHTS = [(PolicyStatus.ACTIVE, 80), (PolicyStatus.EXPIRED, 8),
                         (PolicyStatus.SUSPENDED, 5), (PolicyStatus.IDLE, 7)]


@dataclass
class SeedResult:
    """Rows created per model, for the command's report and the benchmark."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    @property
    def total(self) -> int:
        return sum(self.counts.values())


Progress = Callable[[int], None]


def _chf_id(sequence: int) -> str:
    """Nine digits: eight of sequence and a Luhn check digit, so typos are caught at the desk."""
    body = f"{sequence:08d}"
    total = 0
    for position, digit in enumerate(reversed(body)):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


class RegisterSeeder:
    """One tenant's registers from one random stream (see the module docstring)."""

    def __init__(self, tenant: Tenant, *, seed: int, today: date, code_prefix: str = "") -> None:
        self.tenant = tenant
        # Demo data: a seeded, reproducible stream is the point, not secrecy.
        self.rng = random.Random(f"{seed}:{tenant.code}")  # noqa: S311
        # Details added later (packages, insuree profiles) draw from their own stream, so the
        # rows seeded before them, and the demo claims built on those, stay as they were.
        self.details_rng = random.Random(f"{seed}:{tenant.code}:details")  # noqa: S311
        self.today = today
        self.prefix = code_prefix
        self.result = SeedResult()
        # Items and services have been in the register long before any policy seeded here.
        self.registered_since = datetime(today.year - 5, 1, 1, tzinfo=UTC)

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _money(self, value: str | Decimal, spread: float = 0.0) -> Decimal:
        amount = Decimal(value)
        if spread:
            amount *= Decimal(str(round(1 + self.rng.uniform(-spread, spread), 3)))
        return amount.quantize(Decimal("0.01"))

    # --- reference data ----------------------------------------------------------------------
    def locations(self) -> dict[str, list[Location]]:
        made: dict[str, list[Location]] = {t: [] for t in LocationType.values}
        for r, region_name in enumerate(REGIONS, start=1):
            region = Location.objects.create(tenant=self.tenant, uuid=self._uuid(),
                                             code=f"R{r}", name=region_name,
                                             type=LocationType.REGION)
            made["R"].append(region)
            for d, district_name in enumerate(DISTRICTS[region_name], start=1):
                district = Location.objects.create(
                    tenant=self.tenant, uuid=self._uuid(), code=f"R{r}D{d}",
                    name=district_name, type=LocationType.DISTRICT, parent=region)
                made["D"].append(district)
                for w in range(1, 4):
                    ward = Location.objects.create(
                        tenant=self.tenant, uuid=self._uuid(), code=f"{district.code}W{w}",
                        name=f"{district_name} ward {w}", type=LocationType.MUNICIPALITY,
                        parent=district)
                    made["W"].append(ward)
                    villages = [Location(tenant=self.tenant, uuid=self._uuid(),
                                         code=f"{ward.code}V{v}",
                                         name=f"{self.rng.choice(LAST_NAMES)} village",
                                         type=LocationType.VILLAGE, parent=ward)
                                for v in range(1, 5)]
                    made["V"].extend(Location.objects.bulk_create(villages))
        self.result.add("locations", sum(len(v) for v in made.values()))
        return made

    def medical(self) -> tuple[list[MedicalItem], list[MedicalService]]:
        items = MedicalItem.objects.bulk_create([
            MedicalItem(tenant=self.tenant, uuid=self._uuid(), code=code, name=name, type=kind,
                        validity_from=self.registered_since,
                        price=Decimal(price), care_type=care, patient_category=category,
                        frequency=frequency, maximum_amount=maximum, package="unit",
                        quantity=Decimal("1"), requires_preauthorization=preauth)
            for code, name, kind, price, care, category, frequency, maximum, preauth in ITEMS
        ])
        services = MedicalService.objects.bulk_create([
            MedicalService(tenant=self.tenant, uuid=self._uuid(), code=code, name=name,
                           category=category, validity_from=self.registered_since,
                           type=(ServiceType.PREVENTIVE if category in "AV"
                                 else ServiceType.CURATIVE),
                           price=Decimal(price), care_type=care, patient_category=patients,
                           frequency=frequency, maximum_amount=maximum,
                           requires_preauthorization=preauth)
            for code, name, category, price, care, patients, frequency, maximum, preauth
            in SERVICES
        ])
        self.result.add("medical items", len(items))
        self.result.add("medical services", len(services))
        return items, services

    def packages(self, items, services, pricelists, products) -> list[MedicalService]:
        """The package services of `PACKAGES`, priced at their contents' register prices
        (unless manual), on every price list and covered by every product like the services."""
        by_code = {m.code: m for m in [*items, *services]}
        packages = []
        for code, name, category, care, kind, manual, contents in PACKAGES:
            total = sum((by_code[c].price * qty for c, qty in contents), Decimal("0"))
            packages.append(MedicalService(
                tenant=self.tenant, uuid=uuid.UUID(int=self.details_rng.getrandbits(128),
                                                    version=4),
                code=code, name=name, category=category, type=ServiceType.CURATIVE,
                validity_from=self.registered_since, care_type=care, packagetype=kind,
                manual_price=manual is not None,
                price=Decimal(manual) if manual is not None else total.quantize(Decimal("0.01")),
                maximum_amount=Decimal("1")))
        MedicalService.objects.bulk_create(packages)
        item_lines, service_lines = [], []
        for package, (*_, contents) in zip(packages, PACKAGES, strict=True):
            for c, qty in contents:
                medical = by_code[c]
                if isinstance(medical, MedicalItem):
                    item_lines.append(ServicePackageItem(
                        parent=package, item=medical, qty_provided=Decimal(qty),
                        price_asked=medical.price, pcp_date=self.registered_since))
                else:
                    service_lines.append(ServicePackageService(
                        parent=package, service=medical, qty_provided=Decimal(qty),
                        price_asked=medical.price, scp_date=self.registered_since))
        ServicePackageItem.objects.bulk_create(item_lines)
        ServicePackageService.objects.bulk_create(service_lines)
        ServicesPricelistDetail.objects.bulk_create([
            ServicesPricelistDetail(pricelist=service_list, service=package)
            for _item_list, service_list in pricelists.values() for package in packages])
        ProductService.objects.bulk_create([
            ProductService(product=product, service=package,
                           limitation_type=LimitationType.CO_INSURANCE,
                           limit_adult=Decimal("100"), limit_child=Decimal("100"))
            for product in products for package in packages])
        self.result.add("medical services", len(packages))
        self.result.add("package lines", len(item_lines) + len(service_lines))
        return packages

    def pricelists(self, districts, items, services):
        """One item and one service price list per district; about a third of the prices
        differ from the register (the facility's own price wins)."""
        lists = {}
        for district in districts:
            item_list = ItemsPricelist.objects.create(
                tenant=self.tenant, uuid=self._uuid(), name=f"{district.name} items",
                location=district, date=self.today.replace(month=1, day=1))
            service_list = ServicesPricelist.objects.create(
                tenant=self.tenant, uuid=self._uuid(), name=f"{district.name} services",
                location=district, date=self.today.replace(month=1, day=1))
            item_details = [
                ItemsPricelistDetail(
                    pricelist=item_list, item=item,
                    price_overrule=(self._money(item.price, 0.2) if self.rng.random() < 0.33
                                    else None))
                for item in items if self.rng.random() < 0.95 or not item.requires_preauthorization
            ]
            service_details = [
                ServicesPricelistDetail(
                    pricelist=service_list, service=service,
                    price_overrule=(self._money(service.price, 0.2) if self.rng.random() < 0.33
                                    else None))
                for service in services
            ]
            ItemsPricelistDetail.objects.bulk_create(item_details)
            ServicesPricelistDetail.objects.bulk_create(service_details)
            self.result.add("price lists", 2)
            self.result.add("price list lines", len(item_details) + len(service_details))
            lists[district.pk] = (item_list, service_list)
        return lists

    def facilities(self, count: int, districts, pricelists) -> list[HealthFacility]:
        """Per district one hospital first, then health centres and dispensaries."""
        facilities = []
        for n in range(count):
            district = districts[n % len(districts)]
            rank = n // len(districts)
            level = (FacilityLevel.HOSPITAL if rank == 0 else
                     FacilityLevel.HEALTH_CENTRE if rank % 3 == 1 else FacilityLevel.DISPENSARY)
            kind = {FacilityLevel.HOSPITAL: ("District Hospital", CareType.BOTH),
                    FacilityLevel.HEALTH_CENTRE: ("Health Centre", CareType.BOTH),
                    FacilityLevel.DISPENSARY: ("Dispensary", CareType.OUT_PATIENT)}[level]
            item_list, service_list = pricelists[district.pk]
            facilities.append(HealthFacility(
                tenant=self.tenant, uuid=self._uuid(), code=f"{self.prefix}HF{n + 1:03d}",
                name=f"{district.name} {kind[0]}" + (f" {rank}" if rank else ""), level=level,
                care_type=kind[1], location=district, phone=f"+255 7{self.rng.randint(10, 99)} "
                f"{self.rng.randint(100000, 999999)}",
                contract_start_date=self.today.replace(month=1, day=1) - timedelta(days=365),
                contract_end_date=self.today.replace(month=12, day=31) + timedelta(days=365),
                items_pricelist=item_list, services_pricelist=service_list))
        created = HealthFacility.objects.bulk_create(facilities)
        self.result.add("health facilities", len(created))
        return created

    def products(self, items, services) -> list[Product]:
        start = self.today.replace(month=1, day=1) - timedelta(days=3 * 365)
        end = self.today.replace(month=12, day=31) + timedelta(days=3 * 365)
        basic = Product.objects.create(
            tenant=self.tenant, uuid=self._uuid(), code=f"{self.prefix}BFC",
            name="Basic family cover",
            date_from=start, date_to=end, lump_sum=Decimal("2000.00"), member_count=8,
            max_no_visits=12, max_no_consultations=10, max_no_hospitalizations=2,
            max_no_surgeries=1, max_no_deliveries=1, max_no_antenatal=4,
            max_amount_surgery=Decimal("600.00"), max_amount_hospitalization=Decimal("800.00"),
            ded_op_treatment=Decimal("1.00"), max_policy=Decimal("2000.00"),
            max_ip_insuree=Decimal("900.00"))
        plus = Product.objects.create(
            tenant=self.tenant, uuid=self._uuid(), code=f"{self.prefix}PLUS",
            name="Family cover plus", date_from=start, date_to=end, lump_sum=Decimal("5000.00"),
            member_count=8, max_no_visits=24, max_no_consultations=20,
            max_no_hospitalizations=4, max_no_surgeries=2, max_no_deliveries=1,
            max_no_antenatal=8, max_amount_surgery=Decimal("1500.00"),
            ded_policy=Decimal("10.00"), max_policy=Decimal("5000.00"))
        lines = []
        for product, share in ((basic, Decimal("80")), (plus, Decimal("100"))):
            for item in items:
                lines.append(ProductItem(
                    product=product, item=item, limitation_type=LimitationType.CO_INSURANCE,
                    limit_adult=share, limit_child=Decimal("100"),
                    limit_no_adult=item.maximum_amount * 6 if item.maximum_amount else None,
                    limit_no_child=item.maximum_amount * 6 if item.maximum_amount else None,
                    ceiling_exclusion_child=(CeilingExclusion.HOSPITAL
                                             if item.care_type == CareType.IN_PATIENT
                                             else CeilingExclusion.NONE)))
            for service in services:
                surgery = service.category == ServiceCategory.SURGERY
                delivery = service.category == ServiceCategory.DELIVERY
                # Ward and intensive-care days are paid from the period's hospital budget:
                # relative prices, valued when the period is closed (claims wait, processed).
                stay = service.category == ServiceCategory.HOSPITALIZATION
                lines.append(ProductService(
                    product=product, service=service,
                    price_origin=PriceOrigin.RELATIVE if stay else PriceOrigin.PRICE_LIST,
                    limitation_type=(LimitationType.FIXED_AMOUNT if surgery
                                     else LimitationType.CO_INSURANCE),
                    limit_adult=service.price if surgery else share,
                    limit_child=service.price if surgery else Decimal("100"),
                    waiting_period_adult=9 if delivery else 3 if surgery else None,
                    waiting_period_child=3 if surgery else None))
        ProductItem.objects.bulk_create([ln for ln in lines if isinstance(ln, ProductItem)])
        ProductService.objects.bulk_create([ln for ln in lines if isinstance(ln, ProductService)])
        self.result.add("products", 2)
        self.result.add("product lines", len(lines))
        return [basic, plus]

    def officers(self, districts, villages) -> list[Officer]:
        officers = Officer.objects.bulk_create([
            Officer(tenant=self.tenant, uuid=self._uuid(), code=f"{self.prefix}E{n + 1:03d}",
                    last_name=self.rng.choice(LAST_NAMES),
                    other_names=self.rng.choice(MALE_NAMES + FEMALE_NAMES),
                    dob=date(self.rng.randint(1965, 1995), self.rng.randint(1, 12),
                             self.rng.randint(1, 28)),
                    phone=f"+255 75{self.rng.randint(1000000, 9999999)}", location=district)
            for n, district in enumerate(districts)
        ])
        through = Officer.villages.through
        through.objects.bulk_create([
            through(officer_id=officer.pk, location_id=village.pk)
            for officer in officers for village in villages
            if village.parent.parent_id == officer.location_id
        ])
        self.result.add("officers", len(officers))
        return officers

    # --- people ------------------------------------------------------------------------------
    def _dob(self, min_age: int, max_age: int) -> date:
        return self.today - timedelta(days=self.rng.randint(min_age * 365, max_age * 365 + 364))

    def _family_members(self) -> Iterator[tuple[str, str, date]]:
        size = self.rng.choices(range(1, 9), weights=FAMILY_SIZE_WEIGHTS)[0]
        head_gender = Gender.MALE if self.rng.random() < 0.7 else Gender.FEMALE
        yield head_gender, self._dob(20, 75)
        if size > 1 and self.rng.random() < 0.85:
            size -= 1
            yield (Gender.FEMALE if head_gender == Gender.MALE else Gender.MALE,
                   self._dob(18, 70))
        for _ in range(size - 1):
            roll = self.rng.random()
            gender = Gender.MALE if self.rng.random() < 0.5 else Gender.FEMALE
            yield gender, (self._dob(0, 17) if roll < 0.8 else self._dob(60, 90))

    def people(self, insurees: int, villages, facilities, products, officers,
               progress: Progress | None = None) -> None:
        sequence = 10_000_000 + Insuree.objects.filter(tenant=self.tenant).count()
        profiles = InsureeProfiles(self.details_rng, self.today, officers)
        made = 0
        while made < insurees:
            families, members = [], []
            while len(families) < CHUNK_FAMILIES and made < insurees:
                village = self.rng.choice(villages)
                family = Family(tenant=self.tenant, uuid=self._uuid(), location=village,
                                poverty=self.rng.random() < 0.15,
                                address=f"Plot {self.rng.randint(1, 400)}, {village.name}")
                last_name = self.rng.choice(LAST_NAMES)
                family_members = []
                for index, (gender, dob) in enumerate(self._family_members()):
                    if made >= insurees:
                        break
                    sequence += 1
                    made += 1
                    names = MALE_NAMES if gender == Gender.MALE else FEMALE_NAMES
                    insuree = Insuree(
                        tenant=self.tenant, uuid=self._uuid(), chf_id=_chf_id(sequence),
                        last_name=last_name, other_names=self.rng.choice(names), dob=dob,
                        gender_id=gender, head=index == 0, current_village=village,
                        phone=(f"+255 7{self.rng.randint(10, 99)} "
                               f"{self.rng.randint(100000, 999999)}" if index == 0 else ""),
                        health_facility=self.rng.choice(facilities) if facilities else None)
                    profiles.describe(insuree, family, index)
                    family_members.append(insuree)
                profiles.describe_family(family)
                families.append(family)
                members.append(family_members)
            self._save_chunk(families, members, products, officers)
            if progress:
                progress(sum(len(m) for m in members))

    def _policy_dates(self, status: PolicyStatus) -> tuple[date, date]:
        if status == PolicyStatus.EXPIRED:
            start = self.today - timedelta(days=self.rng.randint(380, 700))
        elif status == PolicyStatus.IDLE:
            start = self.today + timedelta(days=self.rng.randint(0, 30))
        else:
            start = self.today - timedelta(days=self.rng.randint(0, 330))
        return start, add_months(start, 12) - timedelta(days=1)

    @transaction.atomic
    def _save_chunk(self, families, members, products, officers) -> None:
        Family.objects.bulk_create(families, batch_size=BATCH)
        insurees = []
        for family, family_members in zip(families, members, strict=True):
            for insuree in family_members:
                insuree.family_id = family.pk
                insurees.append(insuree)
        photos = [i.photo for i in insurees if i.photo is not None]
        InsureePhoto.objects.bulk_create(photos, batch_size=BATCH)
        Insuree.objects.bulk_create(insurees, batch_size=BATCH)
        Family.objects.filter(pk__in=[f.pk for f in families]).update(
            head_insuree=Subquery(Insuree.objects.filter(family=OuterRef("pk"), head=True)
                                  .values("pk")[:1]))
        policies, covered = [], []
        statuses, weights = zip(*POLICY_STATUS_WEIGHTS, strict=True)
        for family, family_members in zip(families, members, strict=True):
            product = products[0] if self.rng.random() < 0.75 else products[1]
            officer = self.rng.choice(officers) if officers else None
            status = self.rng.choices(statuses, weights=weights)[0]
            start, expiry = self._policy_dates(status)
            renewal = status == PolicyStatus.ACTIVE and self.rng.random() < 0.3
            if renewal:
                earlier_start = add_months(start, -12)
                policies.append(self._policy(family, product, officer, PolicyStatus.EXPIRED,
                                             earlier_start, start - timedelta(days=1),
                                             PolicyStage.NEW))
                covered.append(family_members)
            policies.append(self._policy(family, product, officer, status, start, expiry,
                                         PolicyStage.RENEWAL if renewal else PolicyStage.NEW))
            covered.append(family_members)
        Policy.objects.bulk_create(policies, batch_size=BATCH)
        links = [
            InsureePolicy(insuree_id=insuree.pk, policy_id=policy.pk,
                          enrollment_date=policy.enroll_date, start_date=policy.start_date,
                          effective_date=policy.effective_date, expiry_date=policy.expiry_date)
            for policy, family_members in zip(policies, covered, strict=True)
            for insuree in family_members
        ]
        InsureePolicy.objects.bulk_create(links, batch_size=BATCH)
        self.result.add("families", len(families))
        self.result.add("insurees", len(insurees))
        self.result.add("insuree photos", len(photos))
        self.result.add("policies", len(policies))
        self.result.add("insuree policies", len(links))

    def _policy(self, family, product, officer, status, start, expiry, stage) -> Policy:
        return Policy(
            tenant=self.tenant, uuid=self._uuid(), family=family, product=product,
            officer=officer, enroll_date=start - timedelta(days=self.rng.randint(0, 20)),
            start_date=start,
            effective_date=None if status == PolicyStatus.IDLE else start,
            expiry_date=expiry, status=status, stage=stage, value=product.lump_sum / 10)


# A tiny PNG (a grey square) stands for an enrolment photo: the demo shows where photos go
# without carrying real faces.
DEMO_PHOTO = base64.b64encode(
    b"\x89PNG\r\n\x1a\n" + b"".join(
        struct.pack(">I", len(data)) + kind + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        for kind, data in (
            (b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0)),
            (b"IDAT", zlib.compress(b"".join(b"\x00" + b"\xa0" * 8 for _ in range(8)))),
            (b"IEND", b""),
        ))
).decode()


class InsureeProfiles:
    """What an enrolment officer records beyond name and birth date: relation to the head,
    marital status, education, profession, identity document, card and photo; and the
    family's type and poverty confirmation. Drawn from the code tables as seeded
    (`core.migrations.0006`), from their own random stream. Everyone stays active: a status
    change is the scheme's decision, not a demo's."""

    def __init__(self, rng: random.Random, today: date, officers: list[Officer]) -> None:
        self.rng = rng
        self.today = today
        self.officers = officers
        self.educations = list(Education.objects.order_by("sort_order"))
        self.professions = {p.profession: p for p in Profession.objects.all()}
        self.relations = {r.relation: r for r in Relation.objects.all()}
        self.id_types = list(IdentificationType.objects.order_by("sort_order"))
        self.family_types = {t.code: t for t in FamilyType.objects.all()}
        self.confirmations = [c for c in ConfirmationType.objects.order_by("sort_order")
                              if c.is_confirmation_number_required]

    def describe_family(self, family: Family) -> None:
        family.family_type = self.family_types.get("H")
        if family.poverty and self.confirmations:
            family.confirmation_type = self.rng.choice(self.confirmations)
            family.confirmation_no = f"{self.rng.randint(10**7, 10**8 - 1)}"

    def describe(self, insuree: Insuree, family: Family, index: int) -> None:
        age = insuree.age_on(self.today)
        adult = age >= 18
        insuree.relationship = (None if index == 0 else
                                self.relations.get("Spouse" if index == 1 and adult
                                                   else "Son/Daughter" if not adult
                                                   else "Father/Mother"))
        insuree.marital = (self.rng.choice([MaritalStatus.MARRIED] * 6
                                           + [MaritalStatus.SINGLE, MaritalStatus.WIDOWED,
                                              MaritalStatus.DIVORCED])
                           if adult else MaritalStatus.SINGLE)
        if self.educations and age >= 3:
            # Nursery, primary, secondary by age; adults mostly primary, some further.
            level = self.rng.choice([1, 1, 1, 2, 2, 3]) if adult else min(age // 7, 2)
            insuree.education = self.educations[min(level, len(self.educations) - 1)]
        insuree.profession = (self.professions.get(self.rng.choice(
            ["Farmer", "Farmer", "Farmer", "Housewife", "Self-employed", "Employee"]))
            if adult else self.professions.get("Student") if age >= 6 else None)
        if adult and self.id_types and self.rng.random() < 0.6:
            insuree.type_of_id = self.rng.choice(self.id_types)
            insuree.passport = f"{insuree.type_of_id.code}{self.rng.randint(10**7, 10**8 - 1)}"
        insuree.card_issued = self.rng.random() < 0.85
        insuree.current_address = family.address if self.rng.random() < 0.9 else ""
        if self.rng.random() < 0.7:
            taken = self.today - timedelta(days=self.rng.randint(30, 900))
            officer = self.rng.choice(self.officers) if self.officers else None
            insuree.photo = InsureePhoto(
                tenant=insuree.tenant, uuid=uuid.UUID(int=self.rng.getrandbits(128), version=4),
                folder=f"{taken:%Y/%m}", filename=f"{insuree.chf_id}_{taken:%Y%m%d}.png",
                photo=DEMO_PHOTO, officer=officer, date=taken)


def seed_registers(tenant: Tenant, *, insurees: int, facilities: int, seed: int, today: date,
                   code_prefix: str = "", progress: Progress | None = None) -> SeedResult:
    """Fill an empty tenant's registers. A tenant that has insurees already is left as it is
    (re-running the demo keeps the same data)."""
    seeder = RegisterSeeder(tenant, seed=seed, today=today, code_prefix=code_prefix)
    if Insuree.objects.filter(tenant=tenant).exists():
        return seeder.result
    with transaction.atomic():
        locations = seeder.locations()
        items, services = seeder.medical()
        pricelists = seeder.pricelists(locations["D"], items, services)
        facility_rows = seeder.facilities(max(facilities, 1), locations["D"], pricelists)
        products = seeder.products(items, services)
        officers = seeder.officers(locations["D"], locations["V"])
        seeder.packages(items, services, pricelists, products)
    seeder.people(insurees, locations["V"], facility_rows, products, officers, progress)
    return seeder.result
