"""The claim print: the right claim, amounts and reasons in the PDF; rights, tenants, safety."""

import io
from decimal import Decimal

import pytest
from graphql_jwt.shortcuts import get_token
from pypdf import PdfReader

from core.registers.models import Diagnosis
from openimis_claim.services import submit_claims
from reports.models import ReportDefinition
from tests.factories import make_claim, make_claim_scene, make_item

pytestmark = pytest.mark.django_db


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


@pytest.fixture
def claim(tenant, make_user):
    scene = make_claim_scene(tenant)
    outside = make_item(tenant, code="XRAY", name="X-ray film", price=Decimal("7.00"))
    claim = make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                       icd=Diagnosis.objects.get(code="B50"), code="PRINT-1",
                       items=[(scene.item, 10, "2.50"), (outside, 1, "7.00")],
                       services=[(scene.service, 1, "12.00")])
    submit_claims(make_user(superuser=True, username="op"), [str(claim.uuid)])
    return claim


def get(client, claim, user=None, **headers):
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = f"JWT {get_token(user)}"
    return client.get(f"/api/claim/print/?uuid={claim.uuid}", **headers)


def test_the_claim_form_shows_the_claim_its_amounts_and_reasons(client, claim, make_user):
    response = get(client, claim, make_user([111006], username="printer"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="claim-PRINT-1.pdf"'
    text = pdf_text(response)
    assert "Claim PRINT-1" in text
    assert "B50 Plasmodium falciparum malaria" in text
    assert "checked" in text
    assert "rejected: not in the facility's price list" in text
    assert "44.00" in text  # claimed: 10 x 2.50 + 7.00 + 12.00
    assert "35.00" in text  # approved: 10 x 2.50 + 10.00


def test_the_cookie_works_as_well_as_the_header(client, claim, make_user):
    make_user([111006], username="cookie-user", password="pass-word-1")
    client.post("/api/graphql", content_type="application/json", data={
        "query": 'mutation { tokenAuth(username: "cookie-user", password: "pass-word-1") '
                 '{ token } }'})

    assert get(client, claim).status_code == 200


def test_anonymous_is_401_without_the_right_403_and_another_tenant_404(
        client, claim, make_user, other_tenant):
    assert get(client, claim).status_code == 401
    assert get(client, claim, make_user([111001], username="no-print")).status_code == 403
    stranger = make_user([111006], username="stranger", tenant=other_tenant)
    assert get(client, claim, stranger).status_code == 404


def test_an_override_template_replaces_the_layout(client, claim, make_user, tenant):
    ReportDefinition.objects.create(name="claim_print", tenant=tenant,
                                    template="<h1>Scheme form {{ claim.code }}</h1>")

    text = pdf_text(get(client, claim, make_user([111006], username="printer")))

    assert "Scheme form PRINT-1" in text


def test_a_hostile_override_reads_no_file_and_calls_no_network(client, claim, make_user,
                                                                tenant):
    # The render runs in a child process: tests/reports/test_template_sandbox.py spies on the
    # network inside the render itself.
    ReportDefinition.objects.create(name="claim_print", tenant=tenant, template="""
      <link rel="stylesheet" href="file:///etc/passwd">
      <style>@import url("http://example.org/x.css");
        body::after { content: url("file:///etc/hostname"); }</style>
      <img src="file:///etc/passwd"><img src="http://169.254.169.254/latest/meta-data/">
      <iframe src="file:///etc/passwd"></iframe><object data="file:///etc/passwd"></object>
      <h1>Claim {{ claim.code }}</h1>{% include "/etc/passwd" %}""")

    response = get(client, claim, make_user([111006], username="printer"))

    assert response.status_code == 400
    assert b"cannot be used" in response.content
    assert b"root:" not in response.content


def test_a_hostile_override_without_includes_renders_without_outside_content(
        client, claim, make_user, tenant, caplog):
    ReportDefinition.objects.create(name="claim_print", tenant=tenant, template="""
      <link rel="stylesheet" href="file:///etc/passwd">
      <style>@import url("http://example.org/x.css");</style>
      <img src="file:///etc/passwd"><img src="http://169.254.169.254/latest/meta-data/">
      <object data="file:///etc/passwd"></object><h1>Claim {{ claim.code }}</h1>""")

    response = get(client, claim, make_user([111006], username="printer"))

    text = pdf_text(response)
    assert "Claim PRINT-1" in text
    assert "root:" not in text
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refused) == 1
    for url in ("file:///etc/passwd", "http://example.org/x.css",
                "http://169.254.169.254/latest/meta-data/"):
        assert url in refused[0]


def test_data_is_escaped(client, claim, make_user, tenant):
    ReportDefinition.objects.create(name="claim_print", tenant=tenant,
                                    template="<h1>{{ claim.explanation }}</h1>")
    claim.explanation = "<b>bold</b> & <i>Hello</i>"
    claim.save()

    text = pdf_text(get(client, claim, make_user([111006], username="printer")))

    assert "<b>bold</b> & <i>Hello</i>" in text
