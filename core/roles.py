"""The roles a scheme ships: hospital clerk, medical officer, viewer and scheme administrator.

Core names the roles; each module says, in its `apps.py` (`OpenIMISModule.ROLE_RIGHTS`), which
of its rights keys each role gets. The codes are read from module configuration when a role is
seeded, so a scheme that renumbers a right in `ModuleConfiguration` seeds the new code, and a
module left out of `OPENIMIS_MODULES` adds nothing. `seed_roles` (the management command of the
same name, and the demo) creates or updates a tenant's Role rows to match."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from core.models import Role, RoleRight, Tenant
from core.modules import loaded_modules
from core.rights import rights_codes


@dataclass(frozen=True)
class ShippedRole:
    key: str  # what modules' ROLE_RIGHTS name
    name: str  # the Role row's name in each tenant
    what: str


CLERK = "clerk"
MEDICAL_OFFICER = "medical_officer"
VIEWER = "viewer"
SCHEME_ADMIN = "scheme_admin"

SHIPPED_ROLES: tuple[ShippedRole, ...] = (
    ShippedRole(CLERK, "Claim administrator",
                "hospital clerk of one facility: claims, and pre-authorization requests from "
                "creation to appeal, with their documents and communications"),
    ShippedRole(MEDICAL_OFFICER, "Medical officer",
                "scheme reviewer: claim review, feedback and processing; reviews, decides and "
                "hears appeals of pre-authorization requests"),
    ShippedRole(VIEWER, "Viewer", "reads claims and pre-authorization requests, changes nothing"),
    ShippedRole(SCHEME_ADMIN, "Scheme administrator",
                "the scheme's configuration: users, roles, approval templates, report "
                "templates, statistics; reads claims and requests, decides nothing"),
)


def shipped_role(key: str) -> ShippedRole:
    for role in SHIPPED_ROLES:
        if role.key == key:
            return role
    raise LookupError(f"No shipped role {key!r}")


def role_rights(key: str) -> frozenset[int]:
    """The codes role `key` holds: every loaded module's rights keys for it, as configured now."""
    shipped_role(key)
    codes: set[int] = set()
    for module in loaded_modules():
        for rights_key in module.ROLE_RIGHTS.get(key, ()):
            codes.update(rights_codes(module.module_name, rights_key))
    return frozenset(codes)


@dataclass(frozen=True)
class SeededRole:
    key: str
    role: Role
    created: bool
    added: tuple[int, ...]
    removed: tuple[int, ...]


@transaction.atomic
def seed_roles(tenant: Tenant) -> list[SeededRole]:
    """Create the shipped roles in `tenant`, or bring existing ones (same name) back to their
    rights: missing codes added, others removed, a deleted role restored. Running it twice
    changes nothing the second time."""
    seeded = []
    for shipped in SHIPPED_ROLES:
        role, created = Role.objects.select_for_update().get_or_create(
            tenant=tenant, name=shipped.name, defaults={"is_system": True})
        if role.validity_to is not None or not role.is_system:
            role.validity_to, role.is_system = None, True
            role.save(update_fields=["validity_to", "is_system"])
        wanted = role_rights(shipped.key)
        held = set(role.rights.values_list("right_id", flat=True))
        added, removed = sorted(wanted - held), sorted(held - wanted)
        RoleRight.objects.bulk_create([RoleRight(role=role, right_id=code) for code in added])
        if removed:
            role.rights.filter(right_id__in=removed).delete()
        seeded.append(SeededRole(shipped.key, role, created, tuple(added), tuple(removed)))
    return seeded
