"""The reports list, template overrides through GraphQL, and printing to a file."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from core.registers.models import Diagnosis
from reports.models import ReportDefinition
from tests.factories import make_claim, make_claim_scene

pytestmark = pytest.mark.django_db

REPORTS = "{ reports { name module hasOverride } }"
SAVE = """mutation ($template: String!, $cmid: String) { saveReportOverride(input: {
  clientMutationId: $cmid, name: "claim_print", template: $template}) { status error } }"""


def test_a_user_sees_only_the_reports_they_may_run(gql, make_user):
    printer = make_user([111006], username="printer")
    nobody = make_user([], username="nobody")

    names = [r["name"] for r in gql(REPORTS, user=printer).data["reports"]]

    assert "claim_print" in names
    assert "claim_print" not in [r["name"] for r in gql(REPORTS, user=nobody).data["reports"]]


def test_an_override_is_saved_when_it_renders(gql, make_user, tenant):
    designer = make_user([131201, 111006], username="designer")

    saved = gql(SAVE, {"template": "<h1>{{ claim.code }}</h1>", "cmid": "o1"}, user=designer)
    broken = gql(SAVE, {"template": "{% if %}", "cmid": "o2"}, user=designer)

    assert saved.data["saveReportOverride"]["status"] == 2
    assert json.loads(broken.data["saveReportOverride"]["error"])[0]["code"] == \
        "template_invalid"
    assert ReportDefinition.objects.get().tenant == tenant
    assert gql(REPORTS, user=designer).data["reports"][0]["hasOverride"] is True


def test_saving_an_override_needs_its_right(gql, make_user):
    clerk = make_user([111006], username="clerk-r")

    response = gql(SAVE, {"template": "<h1>x</h1>", "cmid": "o3"}, user=clerk)

    assert response.error_messages == ["Unauthorized"]
    assert not ReportDefinition.objects.exists()


def test_print_report_writes_the_pdf(tenant, make_user, tmp_path):
    scene = make_claim_scene(tenant)
    claim = make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                       icd=Diagnosis.objects.get(code="B50"), code="FILE-1",
                       items=[scene.item])
    make_user([111006], username="printer")
    out = tmp_path / "claim.pdf"

    call_command("print_report", "claim_print", "--user", "printer",
                 "--param", f"uuid={claim.uuid}", "--out", str(out), stdout=io.StringIO())

    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Claim FILE-1" in text
    with pytest.raises(CommandError, match="may not run"):
        call_command("print_report", "claim_print", "--user", make_user([], username="x")
                     .username, "--param", f"uuid={claim.uuid}", "--out", str(out))
