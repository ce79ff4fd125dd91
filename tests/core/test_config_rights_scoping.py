"""Module configuration, rights and tenant scoping."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.config import module_config
from core.models import FieldControl, ModuleConfiguration, User
from core.registers.models import HealthFacility
from core.rights import all_rights
from core.scoping import scope_queryset
from tests.sampleapp.models import Note

pytestmark = pytest.mark.django_db

NOTES = "{ notes(first: 10, orderBy: \"title\") { totalCount edges { node { title } } } }"
NOTE = 'query ($uuid: String) { note(uuid: $uuid) { title } }'
MODULE_CONFIGURATIONS = """
{ moduleConfigurations { module layer config controls { field usage } } }
"""


def titles(response):
    return [e["node"]["title"] for e in response.data["notes"]["edges"]]


def test_module_config_merges_the_stored_row_over_the_defaults():
    ModuleConfiguration.objects.create(
        module="sample", layer="be", config={"gql_query_notes_perms": ["900009"], "extra": 1}
    )

    config = module_config("sample")

    assert config == {
        "gql_query_notes_perms": ["900009"],
        "gql_mutation_create_notes_perms": ["900002"],
        "extra": 1,
    }


def test_a_rights_change_in_the_database_applies_on_the_next_request(gql, make_user, tenant):
    Note.objects.create(tenant=tenant, title="Visible")
    old_right = make_user([900001])
    new_right = make_user([900009])
    assert titles(gql(NOTES, user=old_right)) == ["Visible"]  # cached now

    ModuleConfiguration.objects.create(
        module="sample", layer="be", config={"gql_query_notes_perms": ["900009"]}
    )

    assert gql(NOTES, user=old_right).error_messages == ["Unauthorized"]
    assert titles(gql(NOTES, user=new_right)) == ["Visible"]


def test_an_empty_rights_list_admits_any_user_of_the_tenant(gql, make_user, tenant):
    ModuleConfiguration.objects.create(
        module="sample", layer="be", config={"gql_query_notes_perms": []}
    )
    Note.objects.create(tenant=tenant, title="Open")

    assert titles(gql(NOTES, user=make_user())) == ["Open"]


def test_module_configurations_answers_anonymously_with_exposed_front_end_rows(gql, snapshot):
    exposed = ModuleConfiguration.objects.create(
        module="claim", layer="fe", is_exposed=True, config={"claimForm": {"showAdjustment": True}}
    )
    FieldControl.objects.create(module_configuration=exposed, field="claim.guaranteeId", usage="H")
    ModuleConfiguration.objects.create(module="insuree", layer="fe", is_exposed=False, config={})
    ModuleConfiguration.objects.create(
        module="claim", layer="be", is_exposed=True, config={"secret": "do-not-leak"}
    )

    response = gql(MODULE_CONFIGURATIONS)

    assert response.status_code == 200
    assert "do-not-leak" not in json.dumps(response.body)
    assert json.loads(response.data["moduleConfigurations"][0]["config"]) == {
        "claimForm": {"showAdjustment": True}
    }
    snapshot.assert_match(response.data)


def test_has_rights_needs_every_code(make_user):
    user = make_user([111001, 111002])

    assert user.has_rights(111001)
    assert user.has_rights("111001", 111002)
    assert not user.has_rights(111001, 111007)


def test_superusers_hold_every_configured_right(make_user):
    admin = make_user(superuser=True)

    assert admin.has_rights(111001, 112013, 900002)
    assert {111001, 111101, 112001, 112013, 121801, 900001} <= set(admin.rights)
    assert admin.rights == all_rights()


def test_inactive_users_hold_no_rights(make_user):
    user = make_user([111001])
    user.is_active = False

    assert not user.has_rights(111001)


def test_lists_show_only_the_callers_tenant(gql, make_user, tenant, other_tenant):
    Note.objects.create(tenant=tenant, title="Ours")
    Note.objects.create(tenant=other_tenant, title="Theirs")

    response = gql(NOTES, user=make_user([900001]))

    assert response.data["notes"]["totalCount"] == 1
    assert titles(response) == ["Ours"]


def test_a_single_row_of_another_tenant_is_not_found(gql, make_user, other_tenant):
    theirs = Note.objects.create(tenant=other_tenant, title="Theirs")

    response = gql(NOTE, {"uuid": str(theirs.uuid)}, user=make_user([900001]))

    assert response.data == {"note": None}


def test_a_relay_node_of_another_tenant_is_not_reachable_by_parent(gql, make_user, tenant,
                                                                    other_tenant):
    theirs = Note.objects.create(tenant=other_tenant, title="Theirs")
    Note.objects.create(tenant=tenant, title="Ours", parent=theirs)

    response = gql(
        "{ notes(first: 5) { edges { node { title parent { title } } } } }",
        user=make_user([900001]),
    )

    assert response.data["notes"]["edges"] == [{"node": {"title": "Ours", "parent": None}}]


def test_platform_superuser_without_tenant_sees_every_tenant(make_user, tenant, other_tenant):
    Note.objects.create(tenant=tenant, title="A")
    Note.objects.create(tenant=other_tenant, title="B")
    operator = make_user(superuser=True, tenant=None)

    assert scope_queryset(operator, Note.objects.all()).count() == 2


def test_a_user_without_tenant_who_is_not_superuser_sees_nothing(make_user, tenant):
    Note.objects.create(tenant=tenant, title="A")
    stray = make_user([900001], tenant=None)

    assert scope_queryset(stray, Note.objects.all()).count() == 0


def test_anonymous_sees_nothing(tenant):
    from django.contrib.auth.models import AnonymousUser

    Note.objects.create(tenant=tenant, title="A")

    assert scope_queryset(AnonymousUser(), Note.objects.all()).count() == 0


def test_a_model_without_tenant_path_is_refused(make_user):
    from django.contrib.auth.models import Group

    with pytest.raises(ImproperlyConfigured, match="tenant_path"):
        scope_queryset(make_user(), Group.objects.all())


def test_health_facilities_are_scoped_too(make_user, tenant, other_tenant):
    HealthFacility.objects.create(tenant=tenant, code="HF1", name="Ours")
    HealthFacility.objects.create(tenant=other_tenant, code="HF2", name="Theirs")

    visible = scope_queryset(make_user(), HealthFacility.objects.all())

    assert list(visible.values_list("code", flat=True)) == ["HF1"]


def test_user_rows_are_scoped_by_tenant(make_user, other_tenant):
    me = make_user(username="me")
    make_user(username="stranger", tenant=other_tenant)

    assert list(scope_queryset(me, User.objects.all()).values_list("username", flat=True)) == [
        "me"
    ]
