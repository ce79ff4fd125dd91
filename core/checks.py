"""Start-up checks of the module list."""

from django.conf import settings
from django.core.checks import Error, register

from core.modules import loaded_modules


@register()
def check_module_requirements(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    listed = set(settings.OPENIMIS_MODULES)
    for module in loaded_modules():
        for needed in module.requires:
            if needed not in listed:
                errors.append(
                    Error(
                        f"Module {module.name} needs {needed}, which OPENIMIS_MODULES leaves out.",
                        hint=f"Add {needed} to OPENIMIS_MODULES or remove {module.name}.",
                        id="openimis.E001",
                    )
                )
    return errors
