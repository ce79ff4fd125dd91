"""What the register resources (Practitioner, Medication, ActivityDefinition, Patient, Coverage)
write alike: money as the Android apps read it, references by business code, contact points,
search tokens, and who an item or a service is for."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from api_fhir_r4.identifiers import CODE_CODE, IG, identifier, reference
from core.config import module_config
from core.registers.codes import CareType, PatientCategory

CENTS = Decimal("0.01")
USAGE_CONTEXT_TYPE = "http://terminology.hl7.org/CodeSystem/usage-context-type"
GENDER_SYSTEM = "http://hl7.org/fhir/administrative-gender"
AGE_SYSTEM = f"{IG}/CodeSystem/usage-context-age-type"
ACT_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
# openIMIS care types as FHIR encounter classes (the venue a service or item is for).
VENUES = {CareType.IN_PATIENT: ("IMP", "inpatient encounter"),
          CareType.OUT_PATIENT: ("AMB", "ambulatory")}


def currency() -> str:
    """The currency every Money carries: openIMIS keeps amounts without one, and the Claims
    app's catalogue sync fails on a price whose `currency` is missing."""
    return str(module_config("api_fhir_r4")["currency"])


def money(amount: Decimal, currency_code: str) -> dict[str, Any]:
    """A JSON number is all FHIR Money can hold, so the Decimal becomes a float only here, once
    rounded to cents: Python writes the shortest text that reads back as the same double, which
    is the exact amount for anything below 2**53 cents."""
    return {"value": float(Decimal(amount).quantize(CENTS)), "currency": currency_code}


def unit_price(amount: Decimal, currency_code: str, url: str) -> dict[str, Any]:
    """The price extension: clients take the first extension that has a `valueMoney`."""
    return {"url": url, "valueMoney": money(amount, currency_code)}


def code_reference(type_name: str, row, code: str) -> dict[str, Any]:
    """A reference by uuid that also names the row by its business code: the Android apps read
    `identifier.value` (typed Code), never the reference string."""
    return {**reference(type_name, row, code), "identifier": identifier(CODE_CODE, code)}


def telecom(phone: str, email: str, use: str) -> list[dict[str, str]]:
    return [{"system": system, "value": value, "use": use}
            for system, value in (("phone", phone), ("email", email)) if value]


def token(value: str) -> str:
    """The code of a FHIR token search (`system|code` or a bare `code`)."""
    return value.rsplit("|", 1)[-1]


def fhir_datetime(moment: datetime) -> str:
    """`yyyy-MM-ddTHH:mm:ss` and the UTC offset: the Claims app parses the first 19 characters,
    FHIR wants the zone of a time."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _usage(code: str, system: str, codes: list[tuple[str, str]]) -> dict[str, Any]:
    return {"code": {"system": USAGE_CONTEXT_TYPE, "code": code},
            "valueCodeableConcept": {"coding": [{"system": system, "code": c, "display": d}
                                                for c, d in codes]}}


def usage_contexts(patient_category: int, care_type: str) -> list[tuple[str, dict[str, Any]]]:
    """Who may get an item or service, as (name, UsageContext): genders and ages from the
    patient category's bit flags (openIMIS `PatientCategory`), the venue from the care type
    (none when both)."""
    genders = [(code, code) for flag, code in ((PatientCategory.MALE, "male"),
                                               (PatientCategory.FEMALE, "female"))
               if patient_category & flag]
    ages = [(code, code) for flag, code in ((PatientCategory.ADULT, "adult"),
                                            (PatientCategory.CHILD, "child"))
            if patient_category & flag]
    found = []
    if genders:
        found.append(("Gender", _usage("gender", GENDER_SYSTEM, genders)))
    if ages:
        found.append(("Age", _usage("age", AGE_SYSTEM, ages)))
    if care_type in VENUES:
        found.append(("CareType", _usage("venue", ACT_CODE_SYSTEM, [VENUES[care_type]])))
    return found


def frequency_timing(days: int | None) -> dict[str, Any] | None:
    """openIMIS' frequency (days before the same insuree may get it again) as a Timing."""
    if not days:
        return None
    return {"repeat": {"frequency": 1, "period": days, "periodUnit": "d"}}
