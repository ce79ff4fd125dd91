"""The registers' code tables (one place each; everything else imports them)."""

from django.db import models


class LocationType(models.TextChoices):
    REGION = "R", "region"
    DISTRICT = "D", "district"
    MUNICIPALITY = "W", "municipality"
    VILLAGE = "V", "village"


# The parent type each location type must have (openIMIS: R > D > W > V).
LOCATION_PARENT_TYPE = {
    LocationType.REGION: None,
    LocationType.DISTRICT: LocationType.REGION,
    LocationType.MUNICIPALITY: LocationType.DISTRICT,
    LocationType.VILLAGE: LocationType.MUNICIPALITY,
}


class FacilityLevel(models.TextChoices):
    DISPENSARY = "D", "dispensary"
    HEALTH_CENTRE = "C", "health centre"
    HOSPITAL = "H", "hospital"


class CareType(models.TextChoices):
    IN_PATIENT = "I", "in-patient"
    OUT_PATIENT = "O", "out-patient"
    BOTH = "B", "both"


class ItemType(models.TextChoices):
    DRUG = "D", "drug"
    MEDICAL_CONSUMABLE = "M", "medical consumable"


class ServiceType(models.TextChoices):
    PREVENTIVE = "P", "preventive"
    CURATIVE = "C", "curative"


class PackageType(models.TextChoices):
    """openIMIS' service package types. A simple service is claimed at its price. A package
    bundles items and services (`ServicePackageItem`, `ServicePackageService`, each with a
    quantity and a price) and is claimed as what was given of them at their package prices (P),
    or the same capped at the quantities the package holds (F); a package with a manual price
    (`MedicalService.manual_price`) is claimed at the price entered instead."""

    SIMPLE = "S", "simple service"
    PACKAGE = "P", "package"
    FIXED_PACKAGE = "F", "fixed-price package"


class ServiceCategory(models.TextChoices):
    """Drives the per-period maximums; priority S > D > A > H > C > O > V (ADJUDICATION.md)."""

    SURGERY = "S", "surgery"
    DELIVERY = "D", "delivery"
    ANTENATAL = "A", "antenatal"
    HOSPITALIZATION = "H", "hospitalization"
    CONSULTATION = "C", "consultation"
    OTHER = "O", "other"
    VISIT = "V", "visit"


SERVICE_CATEGORY_PRIORITY = "SDAHCOV"


class PatientCategory(models.IntegerChoices):
    """Bit flags as openIMIS stores them: a patient qualifies when the mask holds both their
    gender bit and their age bit (5 adult men, 10 girls, 15 everyone)."""

    MALE = 1, "male"
    FEMALE = 2, "female"
    ADULT = 4, "adult"
    CHILD = 8, "child"


PATIENT_CATEGORY_ALL = 15


class Gender(models.TextChoices):
    MALE = "M", "male"
    FEMALE = "F", "female"
    OTHER = "O", "other"


class MaritalStatus(models.TextChoices):
    MARRIED = "M", "married"
    SINGLE = "S", "single"
    DIVORCED = "D", "divorced"
    WIDOWED = "W", "widowed"


class InsureeStatus(models.TextChoices):
    """openIMIS: an insuree is active, or inactive or dead from `status_date` on (with a
    reason from `InsureeStatusReason`)."""

    ACTIVE = "AC", "active"
    INACTIVE = "IN", "inactive"
    DEAD = "DE", "dead"


class PolicyStatus(models.IntegerChoices):
    IDLE = 1, "idle"
    ACTIVE = 2, "active"
    SUSPENDED = 4, "suspended"
    EXPIRED = 8, "expired"


class PolicyStage(models.TextChoices):
    NEW = "N", "new"
    RENEWAL = "R", "renewal"


class LimitationType(models.TextChoices):
    """How a product pays a line: a percentage of the price, or up to a fixed amount."""

    CO_INSURANCE = "C", "co-insurance (%)"
    FIXED_AMOUNT = "F", "fixed amount"


class PriceOrigin(models.TextChoices):
    PRICE_LIST = "P", "facility price list"
    OWN_PRICE = "O", "price claimed"
    RELATIVE = "R", "relative (valued per period)"


class CeilingInterpretation(models.TextChoices):
    """Whether in-/out-patient ceilings follow the claim (I) or the facility level (H)."""

    BY_CLAIM = "I", "by claim care type"
    BY_FACILITY = "H", "by facility level"


class CeilingExclusion(models.TextChoices):
    """openIMIS: which general ceilings a line is exempt from (blank: none). Per-category
    amount ceilings (surgery, delivery, ...) apply regardless."""

    NONE = "", "counts against every ceiling"
    HOSPITAL = "H", "exempt from in-patient ceilings"
    NON_HOSPITAL = "N", "exempt from out-patient ceilings"
    BOTH = "B", "exempt from all general ceilings"


class RejectionReason(models.IntegerChoices):
    """Why a claim line (or an eligibility check) fails: openIMIS codes, plus 30-31 of ours.

    Kept with the registers because eligibility (registers) and adjudication (claims) both
    answer with it."""

    REJECTED_BY_MEDICAL_OFFICER = -1, "rejected by the medical officer"
    ACCEPTED = 0, "accepted"
    INVALID_ITEM_OR_SERVICE = 1, "item or service not valid on the date of care"
    NOT_IN_PRICE_LIST = 2, "not in the facility's price list"
    NOT_COVERED_BY_PRODUCT = 3, "no product covers it"
    PATIENT_CATEGORY = 4, "not allowed for the patient's age or gender"
    FREQUENCY = 5, "given again too soon (frequency)"
    INSUREE_INVALID = 7, "insuree or family not valid"
    TARGET_DATE = 9, "not yet valid, or claimed before the date of care"
    CARE_TYPE = 10, "care type not allowed at this facility"
    MAX_HOSPITALIZATIONS = 11, "maximum hospital admissions reached"
    MAX_VISITS = 12, "maximum visits reached"
    MAX_CONSULTATIONS = 13, "maximum consultations reached"
    MAX_SURGERIES = 14, "maximum surgeries reached"
    MAX_DELIVERIES = 15, "maximum deliveries reached"
    QUANTITY_LIMIT = 16, "quantity over the product's limit"
    WAITING_PERIOD = 17, "waiting period not over"
    MAX_ANTENATAL = 19, "maximum antenatal visits reached"
    INVALID_CLAIM = 20, "invalid claim"
    NO_COVERAGE = 21, "no policy covers the date of care"
    PREAUTHORIZATION_REQUIRED = 30, "pre-authorization required but none valid"
    PREAUTHORIZATION_USED_UP = 31, "pre-authorization quantity used up"
