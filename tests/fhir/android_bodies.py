"""Bodies as openIMIS' Android apps POST them (contract §2.1 and §6): the same element paths,
identifier systems, category texts and extension urls, our own values."""

from __future__ import annotations

from typing import Any

IG = "https://openimis.github.io/openimis_fhir_r4_ig"
ID_SYS = f"{IG}/CodeSystem/openimis-identifiers"


def code_ref(type_name: str, value: str) -> dict[str, Any]:
    """`PostNewClaimRequest.code()`: a reference by business code, no `reference` string."""
    return {"type": type_name, "identifier": {"value": value, "type": {"coding": [
        {"system": ID_SYS, "code": "Code"}]}}}


def claim_body(*, code: str = "CLM0001", chf_id: str = "111111111", hf: str = "HF1",
               admin: str | None = "CA1", guarantee: str | None = None,
               items: tuple = (("AMOX", 2, 2.5),), services: tuple = (("CONS", 1, 10),),
               icds: tuple = ("B50",), start: str = "2025-03-01", end: str = "2025-03-01",
               created: str = "2025-03-02", visit: str = "O") -> dict[str, Any]:
    """Variant A/B of the Claims app: medications first, then services, sequence 1..n."""
    lines, total = [], 0.0
    for kind, url, entries in (("item", "Medication", items),
                               ("service", "ActivityDefinition", services)):
        for medical, quantity, price in entries:
            lines.append({"category": {"text": kind},
                          "extension": [{"url": url, "valueReference": code_ref(url, medical)}],
                          "productOrService": {"text": medical}, "quantity": {"value": quantity},
                          "sequence": len(lines) + 1,
                          "unitPrice": {"currency": "$", "value": price}})
            total += price
    body: dict[str, Any] = {
        "resourceType": "Claim",
        "billablePeriod": {"start": start, "end": end},
        "created": created,
        "type": {"coding": [{"system": f"{IG}/CodeSystem-claim-visit-type.html", "code": visit,
                             "display": {"E": "Emergency", "R": "Referral"}.get(visit,
                                                                                 "Other")}]},
        "identifier": [{"type": {"coding": [{"system": ID_SYS, "code": "Code"}]}, "value": code}],
        "diagnosis": [{"sequence": n, "diagnosisCodeableConcept": {"coding": [
            {"system": f"{IG}/CodeSystem/diagnosis-ICD10-level1", "code": icd}]}}
            for n, icd in enumerate(icds, start=1)],
        "item": lines,
        "patient": code_ref("Patient", chf_id),
        "priority": {"coding": [{"code": "normal"}]},
        "provider": code_ref("Organization", hf),
        "status": "active",
        "total": {"currency": "$", "value": total},
        "use": "claim",
    }
    if admin:
        body["enterer"] = code_ref("Practitioner", admin)
    if guarantee:
        body["insurance"] = [{"coverage": code_ref("Coverage", guarantee), "focal": True,
                              "sequence": 1}]
    return body


def claim_body_variant_c(**kwargs) -> dict[str, Any]:
    """The oldest variant: `Type/<code>` reference strings everywhere."""
    body = claim_body(**kwargs)
    for key, type_name in (("patient", "Patient"), ("provider", "Organization"),
                           ("enterer", "Practitioner")):
        if key in body:
            body[key] = {"reference": f"{type_name}/{body[key]['identifier']['value']}"}
    for line in body["item"]:
        ext = line["extension"][0]
        ext["valueReference"] = {"reference": f"{ext['url']}/"
                                              f"{ext['valueReference']['identifier']['value']}"}
    return body


FEEDBACK_CODES = ("CareRendered", "PaymentAsked", "DrugPrescribed", "DrugReceived", "Asessment")


def feedback_body(claim_uuid: str, chf_id: str = "111111111",
                  answers: tuple = ("yes", "no", "yes", "yes", "4")) -> dict[str, Any]:
    """`PostNewFeedbackRequest` of the Policies app."""
    return {
        "resourceType": "Communication",
        "status": "completed",
        "about": [{"reference": f"Claim/{claim_uuid}"}],
        "subject": code_ref("Patient", chf_id),
        "payload": [{"extension": [{
            "url": f"{IG}/StructureDefinition/communication-payload-type",
            "valueCodeableConcept": {"coding": [{"system": f"{IG}/CodeSystem/feedback-payload",
                                                 "code": code}]}}],
            "contentString": answer} for code, answer in zip(FEEDBACK_CODES, answers,
                                                              strict=True)],
    }
