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


@register()
def check_admin_scoping(app_configs=None, **kwargs) -> list[Error]:
    """Every Django admin page builds on the tenant-scoped base, so a module cannot add one that
    shows every tenant's rows or edits workflow state by accident."""
    from django.contrib import admin

    from core.admin_base import TenantInlineMixin, TenantModelAdmin

    errors = []
    for model, model_admin in admin.site._registry.items():
        classes = [(type(model_admin), TenantModelAdmin)]
        classes += [(inline, TenantInlineMixin) for inline in model_admin.inlines]
        for cls, base in classes:
            if not issubclass(cls, base):
                errors.append(Error(
                    f"{cls.__module__}.{cls.__name__} (admin of {model._meta.label}) does not "
                    f"build on core.admin_base.{base.__name__}.",
                    hint="Subclass TenantModelAdmin / TenantTabularInline, which scope rows and "
                         "choices to the user's tenant.",
                    id="openimis.E002",
                ))
    return errors


@register()
def check_role_rights(app_configs=None, **kwargs) -> list[Error]:
    """A module's `ROLE_RIGHTS` names roles core ships and rights keys of its own configuration:
    a misspelt key would otherwise seed a role silently short of a right."""
    from core.roles import SHIPPED_ROLES

    roles = {role.key for role in SHIPPED_ROLES}
    errors = []
    for module in loaded_modules():
        for role, keys in module.ROLE_RIGHTS.items():
            unknown = [f"role {role!r}"] if role not in roles else []
            unknown += [f"rights key {key!r}" for key in keys
                        if not key.endswith("_perms") or key not in module.DEFAULT_CFG]
            errors += [Error(f"{module.name}.ROLE_RIGHTS names an unknown {what}.",
                             hint=f"Roles: {', '.join(sorted(roles))}; rights keys: the "
                                  "module's DEFAULT_CFG keys ending in _perms.",
                             id="openimis.E003") for what in unknown]
    return errors
