"""The resource types, each registered by importing its module (`load`, at start-up)."""

from importlib import import_module

from django.apps import apps

# Module -> the installed app it needs (None: core only).
MODULES = {
    "api_fhir_r4.resources.organization": None,
    "api_fhir_r4.resources.subscription": None,
    "api_fhir_r4.resources.pas": "openimis_approval",
}


def load() -> None:
    for module, needs in MODULES.items():
        if needs is None or apps.is_installed(needs):
            import_module(module)
