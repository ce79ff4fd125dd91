"""The resource types, each registered by importing its module (`load`, at start-up)."""

from importlib import import_module

from django.apps import apps

# Module -> the installed app it needs (None: core only).
MODULES = {
    "api_fhir_r4.resources.organization": None,
    "api_fhir_r4.resources.practitioner": "openimis_claim",
    "api_fhir_r4.resources.medication": None,
    "api_fhir_r4.resources.activity_definition": None,
    "api_fhir_r4.resources.code_system": None,
    "api_fhir_r4.resources.patient": None,
    "api_fhir_r4.resources.coverage": None,
    "api_fhir_r4.resources.claim_response": "openimis_claim",
    "api_fhir_r4.resources.claim": "openimis_claim",
    "api_fhir_r4.resources.communication": "openimis_claim",
    "api_fhir_r4.resources.coverage_eligibility": None,
    "api_fhir_r4.resources.subscription": None,
    "api_fhir_r4.resources.pas": "openimis_approval",
}


def load() -> None:
    for module, needs in MODULES.items():
        if needs is None or apps.is_installed(needs):
            import_module(module)
