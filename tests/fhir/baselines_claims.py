"""Baseline bodies of the claim-side writes for the generated hostile-body tests
(`tests.fhir.test_generated.BASELINES`), built on that test's world."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.fhir.android_bodies import claim_body, code_ref, feedback_body


def _claim(world) -> dict[str, Any]:
    scene = world.scene
    return claim_body(code="GEN-FHIR-1", chf_id=scene.insuree.chf_id, hf=scene.facility.code,
                      admin=scene.admin.code, guarantee="G-1",
                      items=((scene.item.code, 2, 2.5),), services=((scene.service.code, 1, 10),))


def _communication(world) -> dict[str, Any]:
    claim = world.claims[1]  # checked, selected for feedback
    return feedback_body(str(claim.uuid), chf_id=world.scene.insuree.chf_id)


def _eligibility(world) -> dict[str, Any]:
    scene = world.scene
    return {"resourceType": "CoverageEligibilityRequest", "status": "active",
            "purpose": ["benefits"], "patient": {"reference": f"Patient/{scene.insuree.chf_id}"},
            "servicedDate": "2025-03-01", "provider": code_ref("Organization",
                                                               scene.facility.code),
            "item": [{"category": {"coding": [{"code": "item"}]},
                      "productOrService": {"text": scene.item.code}}]}


CLAIM_BASELINES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "Claim": _claim,
    "Communication": _communication,
    "CoverageEligibilityRequest": _eligibility,
}
