"""Demo tenants, facilities, roles and users (DESIGN.md section 10); `seed_demo` calls this."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from django.db import transaction
from django.utils.module_loading import import_string

from core.models import Role, RoleRight, Tenant, User
from core.modules import loaded_modules
from core.registers.models import HealthFacility
from core.registers.seeding import Progress, SeedResult, seed_registers
from core.rights import all_rights
from core.roles import CLERK, MEDICAL_OFFICER, VIEWER, seed_roles

ADMIN_PASSWORD = "admin123"
DEMO_PASSWORD = "demo-pass-1"
# The demo users holding a role a scheme ships (core.roles), and the second tenant's user who
# holds every right there.
DEMO_ROLES = {"clerk": CLERK, "reviewer": MEDICAL_OFFICER, "viewer": VIEWER}
EVERY_RIGHT_ROLE = "Every right (demo)"


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    tenant_code: str
    what: str


DEMO_USERS = (
    DemoUser("Admin", ADMIN_PASSWORD, "DEMO1", "everything (superuser of the demo)"),
    DemoUser("clerk", DEMO_PASSWORD, "DEMO1",
             "claim administrator of HF001 (Moshi hospital): claims, approval requests"),
    DemoUser("reviewer", DEMO_PASSWORD, "DEMO1", "medical officer: review, decide, process"),
    DemoUser("viewer", DEMO_PASSWORD, "DEMO1", "search claims and approvals"),
    DemoUser("admin2", DEMO_PASSWORD, "DEMO2", "every right, second tenant only"),
)


def _role(tenant: Tenant, name: str, rights) -> Role:
    role, _ = Role.objects.get_or_create(tenant=tenant, name=name)
    RoleRight.objects.bulk_create(
        [RoleRight(role=role, right_id=r) for r in rights], ignore_conflicts=True
    )
    return role


def _user(username: str, password: str, tenant: Tenant, **fields) -> tuple[User, bool]:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = User(username=username, tenant=tenant, **fields)
    user.set_password(password)
    user.save()
    return user, True


@dataclass(frozen=True)
class DemoSize:
    insurees: int = 300
    facilities: int = 12
    claims: int = 200
    seed: int = 42
    today: date | None = None

    def second_tenant(self) -> DemoSize:
        """The second tenant's share: a tenth of the people and claims, a quarter of the
        facilities."""
        return replace(self, insurees=max(50, self.insurees // 10),
                       facilities=max(2, self.facilities // 4), claims=self.claims // 10)


def demo_system_user(tenant: Tenant) -> User:
    """The tenant's user that demo generators act as when they call services: no password and
    no roles, so nobody can log in as it; history rows name it."""
    user, created = User.objects.get_or_create(
        username=f"system-{tenant.code.lower()}",
        defaults={"tenant": tenant, "last_name": "System", "other_names": "Demo data"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def seed_demo(size: DemoSize | None = None, progress: Progress | None = None
              ) -> tuple[list[tuple[DemoUser, bool]], dict[str, SeedResult]]:
    """Create what is missing; rows that exist are kept as they are (same data on every run).

    The first tenant gets `size.insurees` insurees, the second a tenth of them (at least 50),
    so isolation between tenants shows in every list. After the registers and users, every
    loaded module that names a `demo_seeder` (core.modules.OpenIMISModule) adds its own demo
    data per tenant, in module order; its row counts join the tenant's result."""
    size = size or DemoSize()
    size = replace(size, today=size.today or date.today())
    with transaction.atomic():
        first, _ = Tenant.objects.get_or_create(code="DEMO1",
                                                defaults={"name": "Demo health scheme"})
        second, _ = Tenant.objects.get_or_create(code="DEMO2", defaults={"name": "Second scheme"})
    tenants = ((first, size, ""), (second, size.second_tenant(), "B"))
    seeded = {
        tenant.code: seed_registers(tenant, insurees=share.insurees, facilities=share.facilities,
                                    seed=share.seed, today=share.today, code_prefix=prefix,
                                    progress=progress)
        for tenant, share, prefix in tenants
    }
    users = _demo_users(first, second)
    for module in loaded_modules():
        if module.demo_seeder:
            seeder = import_string(module.demo_seeder)
            for tenant, share, _prefix in tenants:
                for name, count in seeder(tenant, share).counts.items():
                    seeded[tenant.code].add(name, count)
    return users, seeded


@transaction.atomic
def _demo_users(first: Tenant, second: Tenant) -> list[tuple[DemoUser, bool]]:
    hospital = HealthFacility.objects.filter(tenant=first, code="HF001").first()
    shipped = {seeded.key: seeded.role for seeded in seed_roles(first)}
    seed_roles(second)
    roles = {username: shipped[key] for username, key in DEMO_ROLES.items()}
    roles["admin2"] = _role(second, EVERY_RIGHT_ROLE, sorted(all_rights()))
    tenants = {"DEMO1": first, "DEMO2": second}
    results = []
    for demo in DEMO_USERS:
        fields = {"last_name": demo.username.capitalize(), "other_names": "Demo"}
        if demo.username == "Admin":
            fields.update(is_superuser=True, is_staff=True)
        if demo.username == "clerk":
            fields["health_facility"] = hospital
        user, created = _user(demo.username, demo.password, tenants[demo.tenant_code], **fields)
        if demo.username in roles:
            user.roles.add(roles[demo.username])
        results.append((demo, created))
    return results
