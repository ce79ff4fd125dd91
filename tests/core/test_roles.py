"""The roles a scheme ships (`core.roles`): rights named by the modules' keys, resolved from
module configuration when seeded; `seed_roles` creates or repairs a tenant's roles; the demo
users hold them."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.checks import check_role_rights
from core.demo import DemoSize, seed_demo
from core.models import ModuleConfiguration, Role, RoleRight, User
from core.modules import module_by_name
from core.roles import CLERK, MEDICAL_OFFICER, SCHEME_ADMIN, VIEWER, role_rights, seed_roles

pytestmark = pytest.mark.django_db

REGISTER_READS = {101001, 101101, 101201, 121001, 121501}
# The defaults, spelt out once here so that a change to a role is a visible change to a test.
EXPECTED = {
    CLERK: {111001, 111002, 111005, 111006, 111007, 111008, 111010,
            112001, 112002, 112003, 112004, 112005, 112008, 112010, 112012, *REGISTER_READS},
    MEDICAL_OFFICER: {111001, 111005, 111006, 111008, 111009, 111010, 111011, 111101,
                      112001, 112006, 112007, 112009, 112010, 112012, 112013, *REGISTER_READS},
    VIEWER: {111001, 112001},
    SCHEME_ADMIN: {111001, 112001, 112011, 112013, 121701, 122001, 121801, 131201, 191001,
                   *REGISTER_READS},
}


def held(tenant, name: str) -> set[int]:
    return set(RoleRight.objects.filter(role__tenant=tenant, role__name=name)
               .values_list("right_id", flat=True))


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_role_holds_its_default_rights(key):
    assert role_rights(key) == EXPECTED[key]


def test_the_clerk_may_see_a_request_through_to_appeal_or_cancellation():
    """Issue 18: the demo clerk was refused documents, communications, appeals and cancelling."""
    assert {112004, 112008, 112010} <= role_rights(CLERK)
    assert not {112006, 112007, 112009, 112011} & role_rights(CLERK)


def test_a_renumbered_right_is_seeded_with_its_configured_code(tenant):
    ModuleConfiguration.objects.create(module="approval", layer="be", config={
        "gql_mutation_submit_appeal_perms": ["912008"]})

    seed_roles(tenant)

    assert 912008 in held(tenant, "Claim administrator")
    assert 112008 not in held(tenant, "Claim administrator")


def test_seeding_creates_the_roles_then_changes_nothing(tenant):
    first = seed_roles(tenant)
    second = seed_roles(tenant)

    assert [(s.role.name, s.created) for s in first] == [
        ("Claim administrator", True), ("Medical officer", True), ("Viewer", True),
        ("Scheme administrator", True)]
    assert [(s.created, s.added, s.removed) for s in second] == [(False, (), ())] * 4
    assert Role.objects.filter(tenant=tenant, is_system=True).count() == 4
    assert held(tenant, "Viewer") == EXPECTED[VIEWER]


def test_seeding_repairs_a_role_and_leaves_other_tenants_alone(tenant, other_tenant):
    seed_roles(tenant)
    theirs = Role.objects.create(tenant=other_tenant, name="Viewer")
    RoleRight.objects.create(role=theirs, right_id=999999)
    viewer = Role.objects.get(tenant=tenant, name="Viewer")
    viewer.rights.filter(right_id=112001).delete()
    RoleRight.objects.create(role=viewer, right_id=111011)
    viewer.validity_to = "2025-01-01T00:00Z"
    viewer.save()

    (repaired,) = [s for s in seed_roles(tenant) if s.key == VIEWER]

    assert (repaired.added, repaired.removed) == ((112001,), (111011,))
    viewer.refresh_from_db()
    assert viewer.validity_to is None
    assert held(tenant, "Viewer") == EXPECTED[VIEWER]
    assert set(theirs.rights.values_list("right_id", flat=True)) == {999999}


def test_the_command_seeds_the_named_tenants(tenant, other_tenant):
    out = StringIO()

    call_command("seed_roles", "--tenant", "T1", "--tenant", "T2", stdout=out)
    call_command("seed_roles", "--tenant", "T1", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[:4] == ["T1: Claim administrator created", "T1: Medical officer created",
                         "T1: Viewer created", "T1: Scheme administrator created"]
    assert lines[-4:] == ["T1: Claim administrator unchanged", "T1: Medical officer unchanged",
                          "T1: Viewer unchanged", "T1: Scheme administrator unchanged"]
    assert held(other_tenant, "Medical officer") == EXPECTED[MEDICAL_OFFICER]


def test_the_command_refuses_an_unknown_tenant(tenant):
    with pytest.raises(CommandError, match="No tenant NOPE"):
        call_command("seed_roles", "--tenant", "T1", "--tenant", "NOPE", stdout=StringIO())
    assert not Role.objects.exists()


def test_a_misspelt_key_or_role_fails_the_start_up_check(monkeypatch):
    claims = module_by_name("claim")
    monkeypatch.setattr(claims, "ROLE_RIGHTS", {"clerk": ("gql_query_claimz_perms",),
                                                "nurse": ()})

    errors = check_role_rights()

    assert [e.id for e in errors] == ["openimis.E003", "openimis.E003"]
    assert "'gql_query_claimz_perms'" in errors[0].msg + errors[1].msg
    assert "'nurse'" in errors[0].msg + errors[1].msg


def test_the_shipped_modules_pass_the_check():
    assert check_role_rights() == []


def test_the_demo_users_hold_the_shipped_roles(settings):
    settings.DEBUG = True

    seed_demo(DemoSize(insurees=50, facilities=2, claims=0))

    clerk = User.objects.get(username="clerk")
    assert [role.name for role in clerk.roles.all()] == ["Claim administrator"]
    assert clerk.rights == EXPECTED[CLERK]
    assert User.objects.get(username="reviewer").rights == EXPECTED[MEDICAL_OFFICER]
    assert User.objects.get(username="viewer").rights == EXPECTED[VIEWER]
    admin2 = User.objects.get(username="admin2")
    assert {112007, 112011, 111011} <= admin2.rights
    assert Role.objects.filter(tenant=admin2.tenant, is_system=True).count() == 4
