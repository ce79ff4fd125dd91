"""Rights: which integer codes exist, read from the loaded modules' configuration."""

from __future__ import annotations

from core.config import module_config
from core.modules import loaded_modules

RIGHTS_KEY_SUFFIX = "_perms"


def rights_codes(module_name: str, key: str) -> tuple[int, ...]:
    """The codes a rights key asks for, as configured now (an empty tuple: no code needed)."""
    value = module_config(module_name)[key]
    if isinstance(value, (str, int)):
        value = [value]
    return tuple(int(code) for code in value)


def all_rights() -> frozenset[int]:
    """Every code any loaded module's configuration names: what a superuser holds."""
    codes: set[int] = set()
    for module in loaded_modules():
        for key in module_config(module.module_name):
            if key.endswith(RIGHTS_KEY_SUFFIX):
                codes.update(rights_codes(module.module_name, key))
    return frozenset(codes)
