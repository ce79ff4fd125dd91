"""Reports rendered in the background (`renderReport`): the answer, the mutation log a client
polls, the download kept for the user who asked only, the report's right checked in the request
and again by the worker, bad input refused before anything is queued, and the keeping time.
tests/claim/test_bulk_worker.py renders one through a real Celery worker."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from graphql_jwt.shortcuts import get_token

from core import bulk
from core.codes import MutationStatus
from core.models import MutationLog, RoleRight
from reports.models import ReportOutput
from reports.tasks import prune_report_outputs
from tests.reports.test_claim_print import pdf_text
from tests.reports.test_summary_reports import PERIOD, claims, get  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("claims")]

RENDER = """mutation ($name: String!, $params: [ReportParameterInput!], $cmid: String) {
  renderReport(input: {name: $name, params: $params, clientMutationId: $cmid}) {
    clientMutationId internalId status error } }"""
POLL = """query ($cmid: String) { mutationLogs(clientMutationId: $cmid) { edges { node {
  status error uuids jsonExt progressDone progressTotal } } } }"""


def overview_params(**extra) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in {**PERIOD, **extra}.items()]


def render(gql, user, name="claims_overview", params=None, cmid="r1"):
    return gql(RENDER, {"name": name, "params": overview_params() if params is None else params,
                        "cmid": cmid}, user=user)


def poll(gql, user, cmid="r1") -> dict:
    return gql(POLL, {"cmid": cmid}, user=user).data["mutationLogs"]["edges"][0]["node"]


def download(client, url, user=None):
    headers = {"HTTP_AUTHORIZATION": f"JWT {get_token(user)}"} if user else {}
    return client.get(url, **headers)


@pytest.fixture
def viewer(make_user):
    return make_user([111001], username="viewer")


def test_without_a_broker_the_report_is_rendered_at_once_and_downloads(gql, client, viewer):
    answer = render(gql, viewer).data["renderReport"]
    log = poll(gql, viewer)

    assert answer["status"] == MutationStatus.SUCCESS
    assert log["status"] == MutationStatus.SUCCESS
    output = ReportOutput.objects.get()
    assert json.loads(log["uuids"]) == [str(output.pk)]
    assert json.loads(log["jsonExt"]) == {"url": f"/api/report/output/?uuid={output.pk}"}
    response = download(client, f"/api/report/output/?uuid={output.pk}", viewer)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == \
        'inline; filename="claims-overview-2025-03-01-2025-03-31.pdf"'
    assert pdf_text(response) == pdf_text(get(client, "claims_overview", viewer, **PERIOD))
    assert "checked 1 40.00 35.50 0.00" in pdf_text(response)


def test_the_pdf_is_the_requesting_users_only(gql, client, viewer, make_user,
                                              other_tenant):
    render(gql, viewer)
    url = json.loads(poll(gql, viewer)["jsonExt"])["url"]
    colleague = make_user([111001], username="colleague")
    stranger = make_user([111001], username="stranger", tenant=other_tenant)

    assert download(client, url).status_code == 401
    assert download(client, url, colleague).status_code == 404
    assert download(client, url, stranger).status_code == 404
    assert download(client, "/api/report/output/?uuid=not-a-uuid", viewer).status_code == 404
    RoleRight.objects.filter(right_id=111001).delete()
    viewer.refresh_from_db()
    assert download(client, url, viewer).status_code == 404


def test_without_the_reports_right_nothing_is_logged_or_rendered(gql, make_user):
    printer = make_user([111006], username="printer")

    response = render(gql, printer)

    assert response.error_messages == ["Unauthorized"]
    assert not MutationLog.objects.exists()
    assert not ReportOutput.objects.exists()


@pytest.mark.parametrize(("name", "params", "code", "message"), [
    ("no_such_report", [], "not_found", "No report no_such_report"),
    ("claims_overview", [{"name": "dateFrom", "value": "2025-03-01"}], "invalid_parameters",
     "dateTo is required (an ISO date, YYYY-MM-DD)"),
    ("claims_overview", overview_params(dateTo="2025-02-01"), "invalid_parameters",
     "dateFrom (2025-03-01) is after dateTo (2025-02-01)"),
    ("claims_overview", [*overview_params(), {"name": "dateTo", "value": "2025-04-01"}],
     "invalid_parameters", "Parameter 'dateTo' is given twice"),
    ("claims_overview", [{"name": "x", "value": "v" * 201}], "invalid_parameters",
     "A parameter's name and value are 1 to 200 characters"),
    ("claim_print", [{"name": "uuid", "value": "4f1c3c9e-1111-4b6a-9c1e-2b3a4c5d6e7f"}],
     "not_found", "Not found"),
])
def test_bad_input_is_a_clear_error_in_the_log(gql, make_user, name, params, code,
                                               message):
    user = make_user([111001, 111006], username="viewer")

    answer = render(gql, user, name, params).data["renderReport"]

    assert answer["status"] == MutationStatus.ERROR
    error = json.loads(answer["error"])[0]
    assert (error["code"], error["message"]) == (code, message)
    assert not ReportOutput.objects.exists()


@pytest.fixture
def queue(monkeypatch):
    """A broker that takes every task: the queued (log, piece) pairs."""
    sent: list[tuple[str, int]] = []
    monkeypatch.setattr(bulk, "queued", lambda: True)
    monkeypatch.setattr(bulk.run_mutation_chunk, "apply_async",
                        lambda args, **options: sent.append(tuple(args)))
    return sent


def work(sent) -> None:
    for log_id, index in sent:
        bulk.run_chunk(log_id, index)
        bulk.finish_if_done(log_id)


def test_with_a_broker_the_answer_is_received_and_a_worker_renders_it(gql, client, viewer,
                                                                      queue):
    answer = render(gql, viewer).data["renderReport"]

    assert answer["status"] == MutationStatus.RECEIVED
    assert len(queue) == 1
    assert not ReportOutput.objects.exists()
    work(queue)
    work(queue)  # delivered twice: rendered once
    log = poll(gql, viewer)
    assert log["status"] == MutationStatus.SUCCESS
    assert ReportOutput.objects.count() == 1
    url = json.loads(log["jsonExt"])["url"]
    assert "Total" in pdf_text(download(client, url, viewer))


def test_bad_parameters_are_refused_before_queueing(gql, viewer, queue):
    answer = render(gql, viewer, params=[*overview_params(dateTo="x"),
                                         {"name": "dateTo", "value": "y"}]).data["renderReport"]

    assert answer["status"] == MutationStatus.ERROR
    assert queue == []


def test_the_worker_checks_the_right_again(gql, viewer, queue):
    render(gql, viewer)
    RoleRight.objects.filter(right_id=111001).delete()

    work(queue)

    log = poll(gql, viewer)
    assert log["status"] == MutationStatus.ERROR
    assert json.loads(log["error"])[0]["code"] == "forbidden"
    assert not ReportOutput.objects.exists()


def test_kept_pdfs_are_deleted_when_their_time_is_over(gql, client, viewer):
    render(gql, viewer, cmid="old")
    render(gql, viewer, cmid="new")
    old = ReportOutput.objects.get(pk=json.loads(poll(gql, viewer, "old")["uuids"])[0])
    old.expires_at = timezone.now() - timedelta(minutes=1)
    old.save(update_fields=["expires_at"])
    out = io.StringIO()

    assert download(client, f"/api/report/output/?uuid={old.pk}", viewer).status_code == 404
    call_command("prune_report_outputs", stdout=out)
    assert out.getvalue().strip() == "1 rendered reports deleted"
    assert prune_report_outputs() == 0
    assert ReportOutput.objects.count() == 1
