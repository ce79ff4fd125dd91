"""Override templates see the report's plain data and nothing else: no path to the database,
settings or environment; and every render (template and PDF) is bounded in time and memory."""

import json

import pytest
from graphql_jwt.refresh_token.shortcuts import create_refresh_token
from graphql_jwt.shortcuts import get_token

from core.registers.models import Diagnosis
from openimis_claim.services import submit_claims
from reports.models import ReportDefinition
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


@pytest.mark.parametrize("pivot", [
    "claim.tenant.users.all", "claim.insuree.family.members.all", "claim.insuree.policies",
    "claim.health_facility.location.parent", "claim.health_facility.claim_admins.all",
    "claim.items.all", "claim.admin.health_facility", "lines.0.item.pricelist_details.all",
    "diagnoses.0.claim_set.all", "claim.insuree.family.head_insuree",
    "request.user.password", "user.password", "perms", "settings.SECRET_KEY", "csrf_token",
])
def test_an_override_reaches_nothing_beyond_the_claims_own_figures(client, claim, designer,
                                                                   tenant, pivot):
    ReportDefinition.objects.create(name="claim_print", tenant=tenant,
                                    template=f"<p>[{{{{ {pivot} }}}}]</p>")

    text = pdf_text(print_claim(client, claim, designer))

    assert text == "[]"


@pytest.mark.parametrize(("template", "reason"), [
    ("{% debug %}", "Invalid block tag on line 1: 'debug'"),
    ('{% include "claim/claim_print.html" %}', "Invalid block tag on line 1: 'include'"),
    ('{% extends "claim/claim_print.html" %}', "Invalid block tag on line 1: 'extends'"),
    ("{% load static %}", "Invalid block tag on line 1: 'load'"),
    ("{% url 'admin:index' %}", "Invalid block tag on line 1: 'url'"),
    ("{% csrf_token %}", "Invalid block tag on line 1: 'csrf_token'"),
    ("{{ claim|pprint }}", "Invalid filter: 'pprint'"),
    ("{{ claim.explanation|safe }}", "Invalid filter: 'safe'"),
    ("{% autoescape off %}{{ claim.explanation }}{% endautoescape %}",
     "Invalid block tag on line 1: 'autoescape'"),
])
def test_tags_and_filters_that_reach_outside_the_data_are_refused_at_save(
        gql, designer, template, reason, settings):
    settings.DEBUG = True  # `{% debug %}` dumps the context and sys.modules when DEBUG is on

    errors = save(gql, designer, template)

    assert errors == [{"message": f"The report template cannot be used: {reason}. Did you "
                                  f"forget to register or load this tag?"
                       if "tag" in reason else f"The report template cannot be used: {reason}",
                       "detail": "template", "code": "template_invalid"}]
    assert not ReportDefinition.objects.exists()


def test_now_and_templatetag_print_a_date_and_brackets_not_settings(client, claim, designer,
                                                                     tenant):
    ReportDefinition.objects.create(name="claim_print", tenant=tenant, template=(
        '<p>{% now "SECRET_KEY DATE_FORMAT" %} {% templatetag openblock %} '
        '{{ "SECRET_KEY"|date:"SECRET_KEY" }}</p>'))

    text = pdf_text(print_claim(client, claim, designer))

    assert "tests-only-secret-key" not in text
    assert "{%" in text
