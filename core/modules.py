"""The module contract: what an openIMIS-style module declares about itself in `apps.py`."""

from __future__ import annotations

from typing import Any, ClassVar

from django.apps import AppConfig, apps
from django.conf import settings


class OpenIMISModule(AppConfig):
    """Base AppConfig of every module.

    `module_name` is the short name used for URLs (`/api/<module_name>/`) and for the
    `ModuleConfiguration` rows; `DEFAULT_CFG` holds rights codes and options, merged at call time
    with the database row by `core.config.module_config`; `requires` lists modules that must be
    loaded too (checked at start-up); `demo_seeder` is the dotted path of the module's demo data
    generator, `(tenant, size: core.demo.DemoSize) -> core.registers.seeding.SeedResult`, which
    `seed_demo` calls per tenant after the registers and users (see `core.demo.seed_demo`);
    `ROLE_RIGHTS` says which of the module's rights keys each role a scheme ships holds
    (`{"clerk": ("gql_query_claims_perms", ...)}`, role keys of `core.roles.SHIPPED_ROLES`).
    """

    module_name: ClassVar[str]
    DEFAULT_CFG: ClassVar[dict[str, Any]] = {}
    requires: ClassVar[tuple[str, ...]] = ("core",)
    demo_seeder: ClassVar[str | None] = None
    ROLE_RIGHTS: ClassVar[dict[str, tuple[str, ...]]] = {}
    default_auto_field = "django.db.models.BigAutoField"


def loaded_modules(names: list[str] | None = None) -> list[OpenIMISModule]:
    """The module AppConfigs in `settings.OPENIMIS_MODULES` order (or those of `names`)."""
    names = settings.OPENIMIS_MODULES if names is None else names
    found = []
    for config in apps.get_app_configs():
        if isinstance(config, OpenIMISModule) and config.name in names:
            found.append(config)
    found.sort(key=lambda c: names.index(c.name))
    return found


def module_by_name(module_name: str) -> OpenIMISModule:
    for config in loaded_modules():
        if config.module_name == module_name:
            return config
    raise LookupError(f"No loaded openIMIS module is called {module_name!r}")
