"""Module assembly: the schema and URLs come from the module list, and a module can be removed."""

import json
import os
import subprocess
import sys
from pathlib import Path

import graphene
import pytest
from django.core.exceptions import ImproperlyConfigured

from config.schema import assemble
from core.gql.policy import public, requires

ROOT = Path(__file__).resolve().parents[2]


def run_with_modules(modules: str, *command: str) -> subprocess.CompletedProcess:
    """Run a Python command as a production server with only `modules` would start."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "OPENIMIS_MODULES": modules,
        "SECRET_KEY": "probe-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    return subprocess.run(
        [sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )


def probe(modules: str) -> dict:
    result = run_with_modules(modules, "-m", "tests.modules_probe")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_schema_is_assembled_from_the_listed_modules():
    with_sample = assemble(["core", "tests.sampleapp"]).schema.graphql_schema
    without = assemble(["core"]).schema.graphql_schema

    assert {"notes", "note", "moduleConfigurations"} <= set(with_sample.query_type.fields)
    assert "createNote" in with_sample.mutation_type.fields
    assert "notes" not in without.query_type.fields
    assert "createNote" not in without.mutation_type.fields
    assert "tokenAuth" in without.mutation_type.fields


def test_every_root_field_has_a_policy_with_its_module():
    policies = assemble(["core", "tests.sampleapp"]).policies

    assert policies[("Query", "notes")].module == "sample"
    assert policies[("Query", "notes")].rights_key == "gql_query_notes_perms"
    assert policies[("Mutation", "createNote")].rights_key == "gql_mutation_create_notes_perms"
    assert policies[("Query", "moduleConfigurations")].public
    assert policies[("Mutation", "tokenAuth")].public


def test_a_root_field_without_policy_stops_the_assembly(monkeypatch):
    class Query(graphene.ObjectType):
        unguarded = graphene.String()

    monkeypatch.setattr("tests.sampleapp.schema.Query", Query)

    with pytest.raises(ImproperlyConfigured, match=r"Query\.unguarded has no policy"):
        assemble(["core", "tests.sampleapp"])


def test_a_policy_naming_an_unknown_rights_key_stops_the_assembly(monkeypatch):
    class Query(graphene.ObjectType):
        misspelt = requires("gql_query_notez_perms", graphene.String())
        open_field = public(graphene.String())

    monkeypatch.setattr("tests.sampleapp.schema.Query", Query)

    with pytest.raises(ImproperlyConfigured, match="gql_query_notez_perms"):
        assemble(["core", "tests.sampleapp"])


def test_removing_a_module_removes_its_operations_and_the_server_still_starts():
    full = probe("core,openimis_claim,openimis_approval,reports,tests.sampleapp")
    reduced = probe("core")

    assert "notes" in full["queries"]
    assert "createNote" in full["mutations"]
    assert "notes" not in reduced["queries"]
    assert "createNote" not in reduced["mutations"]
    assert "mutationLogs" in reduced["queries"]
    assert reduced["typename"] == {"data": {"__typename": "Query"}}
    assert "api/core/" in reduced["url_prefixes"]


def test_a_module_whose_requirement_is_missing_fails_the_start_up_check():
    result = run_with_modules("core,openimis_approval", "manage.py", "check")

    assert result.returncode != 0
    assert "openimis.E001" in result.stderr
    assert "openimis_approval needs openimis_claim" in result.stderr


@pytest.mark.django_db
def test_module_urls_are_mounted_under_api_and_the_module_name(client):
    assert client.get("/api/core/users/current_user/").status_code == 401
