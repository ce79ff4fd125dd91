"""One accessor for module settings: `DEFAULT_CFG` merged with the module's database row.

Read at call time (never copied onto classes at start-up) and cached in Django's shared cache, so a
change saved in the admin or the database takes effect on the next request in every worker.
"""

from __future__ import annotations

import copy
from typing import Any

from django.core.cache import cache
from django.db import transaction

from core.modules import module_by_name

CACHE_PREFIX = "openimis:module-config:"
CACHE_SECONDS = 300


def _cache_key(module_name: str, layer: str) -> str:
    return f"{CACHE_PREFIX}{layer}:{module_name}"


def stored_config(module_name: str, layer: str = "be") -> dict[str, Any]:
    """The JSON stored for a module and layer, or {} (cached)."""
    # The model's own file, not the `core.models` package: the user model asks the rights,
    # which read this accessor (see `core.models.configuration`).
    from core.models.configuration import ModuleConfiguration

    key = _cache_key(module_name, layer)
    stored = cache.get(key)
    if stored is None:
        row = (
            ModuleConfiguration.objects.filter(module=module_name, layer=layer)
            .values_list("config", flat=True)
            .first()
        )
        stored = row if isinstance(row, dict) else {}
        cache.set(key, stored, CACHE_SECONDS)
    return stored


def module_config(module_name: str) -> dict[str, Any]:
    """The module's effective back-end settings: defaults with the stored values over them."""
    merged = copy.deepcopy(module_by_name(module_name).DEFAULT_CFG)
    merged.update(stored_config(module_name, "be"))
    return merged


def module_setting(module_name: str, key: str) -> Any:
    config = module_config(module_name)
    if key not in config:
        raise KeyError(f"Module {module_name!r} has no setting {key!r}")
    return config[key]


def clear_module_config_cache(module_name: str, layer: str) -> None:
    """Forget the cached row now and again after commit (a reader may re-cache the old value
    between the save and the commit)."""
    key = _cache_key(module_name, layer)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
