"""Override templates see the report's plain data and nothing else: no path to the database,
settings or environment; and every render (template and PDF) is bounded in time and memory."""

import json

import pytest
from graphql_jwt.refresh_token.shortcuts import create_refresh_token
from graphql_jwt.shortcuts import get_token

from core.models import Diagnosis
from openimis_claim.services import submit_claims
from tests.factories import make_claim, make_claim_scene
from tests.reports.test_claim_print import pdf_text

pytestmark = pytest.mark.django_db

SAVE = """mutation ($name: String!, $template: String!, $cmid: String) {
  saveReportOverride(input: {clientMutationId: $cmid, name: $name, template: $template}) {
    status error } }"""

# The template of the security review: from the claim to every user of every tenant, their
# password hashes and refresh tokens.
USERS_THROUGH_THE_CLAIM = (
    "{% with l=claim.tenant.users.all.0.language %}{% for x in l.user_set.all %}"
    "{{x.username}}|{{x.password}}{% for r in x.refresh_tokens.all %}{{r.token}}{% endfor %}"
    "{% endfor %}{% endwith %}")


@pytest.fixture
def claim(tenant, make_user):
    scene = make_claim_scene(tenant)
    claim = make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                       icd=Diagnosis.objects.get(code="B50"), code="SAFE-1",
                       items=[(scene.item, 2, "2.50")], services=[(scene.service, 1, "10.00")])
    submit_claims(make_user(superuser=True, username="op"), [str(claim.uuid)])
    return claim


@pytest.fixture
def designer(make_user):
    """A tenant's administrator: may override templates and print claims."""
    return make_user([131201, 111006], username="tenant-admin")


def save(gql, user, template, name="claim_print", cmid="o1"):
    answer = gql(SAVE, {"name": name, "template": template, "cmid": cmid}, user=user)
    assert not answer.errors, answer.errors
    payload = answer.data["saveReportOverride"]
    return json.loads(payload["error"]) if payload["error"] else []


def print_claim(client, claim, user):
    return client.get(f"/api/claim/print/?uuid={claim.uuid}",
                      HTTP_AUTHORIZATION=f"JWT {get_token(user)}")


def test_an_override_cannot_reach_users_password_hashes_or_refresh_tokens(
        client, gql, claim, designer, make_user, other_tenant):
    root = make_user(superuser=True, tenant=None, username="platform-root")
    token = create_refresh_token(root).token
    make_user([111006], tenant=other_tenant, username="other-scheme-clerk")

    assert save(gql, designer, USERS_THROUGH_THE_CLAIM) == []
    response = print_claim(client, claim, designer)

    assert response.status_code == 200
    text = pdf_text(response).replace(" ", "")  # the PDF breaks long words
    for secret in ("platform-root", "other-scheme-clerk", "tenant-admin", "md5$", "|", token):
        assert secret not in text
