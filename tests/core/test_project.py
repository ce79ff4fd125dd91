"""Project-level promises: the committed schema, settings safety, the demo data."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from core.demo import DEMO_USERS
from core.models import User

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "a-long-random-production-key-0123456789-abcdefghijklmnop"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if k not in ("OPENIMIS_MODULES", "SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE")}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env},
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_committed_schema_matches_the_code(tmp_path):
    """Regenerate with `make schema` and review the diff: it is the API change."""
    out = tmp_path / "schema.graphql"

    result = manage("graphql_schema", "--schema", "config.schema.schema", "--out", str(out),
                    DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert out.read_text() == (ROOT / "schema.graphql").read_text(), (
        "schema.graphql is stale: run `make schema` and commit the reviewed diff"
    )


def test_start_up_refuses_a_missing_secret_key_without_debug():
    result = manage("check", DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_start_up_refuses_the_well_known_development_key_without_debug():
    result = manage("check", DEBUG="0",
                    SECRET_KEY="django-insecure-openimis-claims-development-only")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_deploy_check_reports_nothing_unsilenced():
    result = manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="0",
                    SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="claims.example.org")

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("METRICS_ALLOWED_NETWORKS", "10.0.0.0/8,intranet", "'intranet' is not a network"),
    ("LOG_FORMAT", "xml", "LOG_FORMAT must be json or text"),
])
def test_start_up_refuses_a_misspelt_observability_setting(variable, value, message):
    result = manage("check", DEBUG="0", SECRET_KEY=GOOD_KEY, **{variable: value})

    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.django_db
def test_seed_demo_creates_the_demo_users_once(settings):
    settings.DEBUG = True

    # Demo claims (and the claims module's system user) are tests/claim/test_demo_claims.py's.
    call_command("seed_demo", "--claims", "0", stdout=open(os.devnull, "w"))
    call_command("seed_demo", "--claims", "0", stdout=open(os.devnull, "w"))

    users = {u.username: u for u in User.objects.select_related("tenant")}
    assert set(users) == {d.username for d in DEMO_USERS}
    assert users["Admin"].is_superuser
    assert users["Admin"].check_password("admin123")
    assert users["clerk"].check_password("demo-pass-1")
    assert users["clerk"].health_facility.code == "HF001"
    assert users["clerk"].has_rights(111001, 111002, 111007)
    assert not users["clerk"].has_rights(111011)
    assert users["viewer"].rights == {111001, 112001}
    assert users["admin2"].tenant.code == "DEMO2"
    assert not users["admin2"].is_superuser
    assert users["admin2"].has_rights(111001, 111011, 112007)


@pytest.mark.django_db
def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_demo_admin_logs_in_with_a_cookie_and_current_user_lists_rights(client, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--claims", "0", stdout=open(os.devnull, "w"))

    response = client.post(
        "/api/graphql",
        data={"query": 'mutation { tokenAuth(username: "Admin", password: "admin123") '
                       '{ token refreshExpiresIn } }'},
        content_type="application/json",
    )
    assert response.json()["data"]["tokenAuth"]["token"]
    assert response.cookies["JWT"]["httponly"]

    me = client.get("/api/core/users/current_user/").json()

    assert me["username"] == "Admin"
    assert me["tenant"]["code"] == "DEMO1"
    assert {111001, 111101, 112001, 112013} <= set(me["i_user"]["rights"])
    assert me["i_user"]["health_facility_id"] is None
