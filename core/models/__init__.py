"""Core's models module: Django finds the `core` app's models through it.

The framework's rows are defined beside it (`framework`, `configuration`, `sessions`). The shared
registers' rows are defined in `core.registers.models` and imported here only so that Django finds
them, under the `core` app label (their tables and migrations stay core's). Import a register model
from `core.registers.models`; this module does not re-export them.
"""

from core.models.configuration import FieldControl, ModuleConfiguration
from core.models.framework import (
    Language,
    MutationChunk,
    MutationLog,
    Role,
    RoleRight,
    Tenant,
    User,
)
from core.models.sessions import LoginThrottleEntry, RefreshToken
from core.registers import models as _register_models  # noqa: F401  (Django's discovery)

__all__ = [
    "FieldControl", "Language", "LoginThrottleEntry", "ModuleConfiguration", "MutationChunk",
    "MutationLog", "RefreshToken", "Role", "RoleRight", "Tenant", "User",
]
