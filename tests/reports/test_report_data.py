"""Generated over every registered report: what its data function returns for a real scene, and
what crosses to the render process, is plain data (dicts, lists, strings, numbers, dates), so a
template has no path to a model, a queryset or the database; and the sample an override is
tried with has the data's shape. A report registered without a scene here fails the suite."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from graphql_jwt.shortcuts import get_token

from core.registers.models import Diagnosis
from openimis_approval.models import ApprovalLine, ApprovalRequest
from openimis_approval.services import decide_request
from openimis_claim.services import submit_claims
from reports import rendering
from reports.plain import ReportDataError, plain_data
from reports.registry import Report, registered_reports
from tests.factories import make_claim, make_claim_scene

pytestmark = pytest.mark.django_db

PLAIN_SCALARS = (str, int, float, bool, type(None), Decimal, date, datetime)
REPORTS = registered_reports()
PERIOD = {"dateFrom": "2025-03-01", "dateTo": "2025-03-31"}


def assert_plain(value: Any, where: str = "data") -> None:
    """Exact plain types all the way down (a subclass would bring its own methods along)."""
    if type(value) in PLAIN_SCALARS:
        return
    if type(value) is dict:
        for key, item in value.items():
            assert type(key) is str, f"{where} has a key of type {type(key).__name__}"
            assert_plain(item, f"{where}[{key!r}]")
    elif type(value) in (list, tuple):
        for n, item in enumerate(value):
            assert_plain(item, f"{where}[{n}]")
    else:
        pytest.fail(f"{where} is a {type(value).__module__}.{type(value).__qualname__}")


def shape(value: Any) -> Any:
    """The keys a template can use: dicts by key, lists by their first row."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [shape(value[0])] if value else []
    return "value"


def same_shape(sample: Any, data: Any) -> bool:
    if isinstance(data, dict) and isinstance(sample, dict):
        return sample.keys() == data.keys() and all(
            same_shape(sample[key], data[key]) for key in data)
    if isinstance(data, list) and isinstance(sample, list):
        return not data or (bool(sample) and same_shape(sample[0], data[0]))
    return (not isinstance(data, dict | list) and not isinstance(sample, dict | list)) or \
        data is None or sample is None


@pytest.fixture
def scene(tenant, make_user):
    """A submitted claim, a partly approved pre-authorization decided in the period, and a user
    holding every report's right: the params each report is run with."""
    place = make_claim_scene(tenant)
    claim = make_claim(tenant, insuree=place.insuree, health_facility=place.facility,
                       icd=Diagnosis.objects.get(code="B50"), code="PLAIN-1",
                       date_claimed=date(2025, 3, 2), explanation="Fever",
                       items=[(place.item, 10, "2.50")], services=[place.service])
    submit_claims(make_user(superuser=True, username="op"), [str(claim.uuid)])
    now = timezone.now()
    request = ApprovalRequest.objects.create(
        tenant=tenant, number="PA-PLAIN-1", status="SUBMITTED", priority="URGENT",
        insuree=place.insuree, health_facility=place.facility, icd=place.diagnosis,
        service_start_date=date(2025, 3, 10), submitted_at=now - timedelta(hours=5),
        due_at=now + timedelta(hours=67))
    line = ApprovalLine.objects.create(request=request, item=place.item,
                                       qty_requested=Decimal("10"),
                                       price_requested=Decimal("2.50"))
    officer = make_user(list(range(112001, 112014)), username="pa-officer")
    decide_request(officer, {"uuid": str(request.uuid), "decision": "PARTIAL",
                             "lines": [{"id": line.pk, "qty_approved": "6", "reason": "Six"}],
                             "effective_date": date(2025, 3, 10),
                             "expiration_date": date(2025, 4, 9)})
    ApprovalRequest.objects.filter(pk=request.pk).update(
        decided_at=datetime(2025, 3, 9, 12, tzinfo=timezone.get_current_timezone()),
        submitted_at=datetime(2025, 3, 9, 8, tzinfo=timezone.get_current_timezone()))
    user = make_user([111001, 111006, 112012, 112013], username="reader")
    return user, {
        "claim_print": {"uuid": str(claim.uuid)},
        "claims_overview": {**PERIOD, "healthFacilityCode": "HF1"},
        "approval_letter": {"uuid": str(request.uuid)},
        "preauth_turnaround": PERIOD,
    }


def test_every_registered_report_has_a_scene(scene):
    assert sorted(scene[1]) == sorted(report.name for report in REPORTS)


@pytest.mark.parametrize("report", REPORTS, ids=lambda report: report.name)
def test_the_data_function_returns_plain_data(report: Report, scene):
    user, params = scene

    assert_plain(report.data(user, params[report.name]))


@pytest.mark.parametrize("report", REPORTS, ids=lambda report: report.name)
def test_only_plain_data_crosses_to_the_render(report: Report, scene, client, monkeypatch):
    user, params = scene
    jobs = []
    real_run = rendering.run_bounded

    def spy(function, job, **bounds):
        jobs.append(job)
        return real_run(function, job, **bounds)

    monkeypatch.setattr(rendering, "run_bounded", spy)

    response = client.get(f"/api/report/{report.name}/pdf/", params[report.name],
                          HTTP_AUTHORIZATION=f"JWT {get_token(user)}")

    assert response.status_code == 200, response.content
    (job,) = jobs
    assert_plain(job.context, "context")
    assert_plain([job.template_name, job.template_source, job.max_bytes, job.language,
                  job.time_zone], "job")


@pytest.mark.parametrize("report", REPORTS, ids=lambda report: report.name)
def test_the_sample_is_plain_and_has_the_datas_shape(report: Report, scene):
    user, params = scene
    sample = report.sample()

    assert_plain(sample, "sample")
    assert same_shape(sample, report.data(user, params[report.name])), \
        (shape(sample), shape(report.data(user, params[report.name])))


def test_a_model_in_report_data_is_refused_with_the_place_it_was_found(scene):
    user, _ = scene

    with pytest.raises(ReportDataError, match=r"Report claim_print: data\['claim'\]\['by'\] is "
                                              r"a core\.models\.framework\.User; report data "
                                              r"must be plain"):
        plain_data("claim_print", {"claim": {"code": "C1", "by": user}})
    with pytest.raises(ReportDataError, match=r"data\['rows'\] is a django\.db\.models\.query"
                                              r"\.QuerySet"):
        plain_data("claim_print", {"rows": type(user).objects.all()})


def test_choices_and_safe_strings_become_their_plain_base():
    from django.utils.safestring import mark_safe

    from openimis_claim.codes import ClaimStatus, VisitType

    copied = plain_data("x", {"a": ClaimStatus.CHECKED, "b": VisitType.EMERGENCY,
                              "c": mark_safe("<b>")})

    assert copied == {"a": 4, "b": "E", "c": "<b>"}
    assert_plain(copied)
