"""Summary reports through the registry (/api/report/<name>/pdf/): the claims overview and the
pre-authorization turnaround; figures in the PDF, parameters checked, rights."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from graphql_jwt.shortcuts import get_token

from openimis_approval.models import ApprovalRequest
from openimis_claim.codes import ClaimStatus
from tests.factories import make_claim, make_claim_scene, make_facility
from tests.reports.test_claim_print import pdf_text

pytestmark = pytest.mark.django_db


def get(client, name, user=None, **params):
    headers = {"HTTP_AUTHORIZATION": f"JWT {get_token(user)}"} if user else {}
    return client.get(f"/api/report/{name}/pdf/", params, **headers)


# --- Claims overview ------------------------------------------------------------------------


@pytest.fixture
def claims(tenant, other_tenant):
    scene = make_claim_scene(tenant)
    second = make_facility(tenant, code="HF2", name="Hill clinic")
    common = {"insuree": scene.insuree, "icd": scene.diagnosis}

    def claim(facility, claimed, status, approved=None, valuated=None, on=date(2025, 3, 2),
              owner=tenant, **extra):
        return make_claim(owner, health_facility=facility, claimed=Decimal(claimed),
                          status=status, approved=approved and Decimal(approved),
                          valuated=valuated and Decimal(valuated), date_claimed=on,
                          **{**common, **extra})

    claim(scene.facility, "100.00", ClaimStatus.ENTERED)
    claim(scene.facility, "40.00", ClaimStatus.CHECKED, approved="35.50")
    claim(scene.facility, "60.00", ClaimStatus.VALUATED, approved="60.00", valuated="55.25")
    claim(second, "20.00", ClaimStatus.REJECTED, approved="0.00")
    claim(second, "80.00", ClaimStatus.VALUATED, approved="70.00", valuated="70.00")
    # Outside the period, deleted, or another tenant's: not counted.
    claim(scene.facility, "999.00", ClaimStatus.ENTERED, on=date(2025, 5, 1))
    claim(scene.facility, "888.00", ClaimStatus.ENTERED, validity_to=datetime(2025, 4, 1,
                                                                               tzinfo=UTC))
    stranger_scene_facility = make_facility(other_tenant, code="HFX")
    from tests.factories import make_family_with_insurees

    _, (stranger,) = make_family_with_insurees(other_tenant)
    make_claim(other_tenant, insuree=stranger, health_facility=stranger_scene_facility,
               icd=scene.diagnosis, claimed=Decimal("777.00"), date_claimed=date(2025, 3, 2))
    return scene


PERIOD = {"dateFrom": "2025-03-01", "dateTo": "2025-03-31"}


def test_the_claims_overview_sums_by_status_and_facility(client, claims, make_user):
    response = get(client, "claims_overview", make_user([111001], username="viewer"), **PERIOD)

    assert response.status_code == 200, response.content
    assert response["Content-Disposition"] == \
        'inline; filename="claims-overview-2025-03-01-2025-03-31.pdf"'
    text = pdf_text(response)
    assert "Claimed between 2025-03-01 and 2025-03-31" in text
    assert "Health facility all" in text
    assert "rejected 1 20.00 0.00 0.00" in text
    assert "entered 1 100.00 0.00 0.00" in text
    assert "checked 1 40.00 35.50 0.00" in text
    assert "valuated 2 140.00 130.00 125.25" in text
    assert "Total 5 300.00 165.50 125.25" in text
    assert "HF1 Facility HF1 3 200.00 95.50 55.25" in text
    assert "HF2 Hill clinic 2 100.00 70.00 70.00" in text
    for outside in ("999.00", "888.00", "777.00", "HFX"):
        assert outside not in text


def test_the_claims_overview_of_one_facility(client, claims, make_user):
    text = pdf_text(get(client, "claims_overview", make_user([111001], username="viewer"),
                        healthFacilityCode="HF2", **PERIOD))

    assert "Health facility HF2 Hill clinic" in text
    assert "Total 2 100.00 70.00 70.00" in text
    assert "HF1" not in text


@pytest.mark.parametrize(("params", "message"), [
    ({}, "dateFrom is required (an ISO date, YYYY-MM-DD)"),
    ({"dateFrom": "2025-03-01"}, "dateTo is required (an ISO date, YYYY-MM-DD)"),
    ({"dateFrom": "01/03/2025", "dateTo": "2025-03-31"},
     "dateFrom must be an ISO date (YYYY-MM-DD), not '01/03/2025'"),
    ({"dateFrom": "2025-04-01", "dateTo": "2025-03-31"},
     "dateFrom (2025-04-01) is after dateTo (2025-03-31)"),
    ({"dateFrom": "2024-01-01", "dateTo": "2025-03-31"},
     "The period is 455 days; at most 366 days may be reported at once"),
    ({**PERIOD, "healthFacilityCode": "HFX"}, "No health facility HFX"),  # another tenant's
])
def test_bad_overview_parameters_are_400_with_the_reason(client, claims, make_user, params,
                                                         message):
    response = get(client, "claims_overview", make_user([111001], username="viewer"), **params)

    assert response.status_code == 400
    assert response.json() == {"detail": message}


def test_the_claims_overview_needs_its_right(client, claims, make_user):
    assert get(client, "claims_overview", **PERIOD).status_code == 401
    assert get(client, "claims_overview", make_user([111006], username="printer"),
               **PERIOD).status_code == 403


def test_a_facility_user_sees_only_its_facility(client, claims, make_user):
    user = make_user([111001], username="hf2-clerk")
    user.health_facility = claims.facility.__class__.objects.get(code="HF2")
    user.save()

    text = pdf_text(get(client, "claims_overview", user, **PERIOD))

    assert "Total 2 100.00 70.00 70.00" in text


# --- Pre-authorization turnaround -----------------------------------------------------------

START = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def decisions(tenant, other_tenant):
    scene = make_claim_scene(tenant)
    serial = iter(range(1, 100))

    def request(priority, hours_to_decide, due_hours, extended_hours=None, status="APPROVED",
                owner=tenant, decided=True, submitted=START):
        return ApprovalRequest.objects.create(
            tenant=owner, number=f"PA-{next(serial):03d}", status=status, priority=priority,
            insuree=scene.insuree, health_facility=scene.facility, submitted_at=submitted,
            due_at=submitted + timedelta(hours=due_hours),
            extended_due_at=extended_hours and submitted + timedelta(hours=extended_hours),
            decided_at=submitted + timedelta(hours=hours_to_decide) if decided else None)

    request("URGENT", 10, 72)
    request("URGENT", 80, 72, status="DENIED")  # late
    request("URGENT", 100, 72, extended_hours=120)  # late, but within the extended deadline
    request("STAT", 30, 24)  # late
    request("STAT", 2, 24)
    request("ROUTINE", 0, 168, status="SUBMITTED", decided=False)  # waiting, overdue by now
    # Decided outside the period, or another tenant's: not counted.
    request("ROUTINE", 24 * 40, 168)
    request("EMERGENCY", 0.5, 1, owner=other_tenant)
    return scene


def test_the_turnaround_counts_decisions_against_their_deadlines(client, decisions, make_user):
    response = get(client, "preauth_turnaround", make_user([112013], username="manager"),
                   dateFrom="2025-03-01", dateTo="2025-03-31")

    assert response.status_code == 200, response.content
    text = pdf_text(response)
    assert "Decided between 2025-03-01 and 2025-03-31" in text
    # priority, deadline hours, decided, within, late, no deadline, within %, median, waiting
    assert "ROUTINE 168 0 0 0 0 - - 1" in text
    assert "URGENT 72 3 2 1 0 66.7 80.0 0" in text
    assert "STAT 24 2 1 1 0 50.0 16.0 0" in text
    assert "EMERGENCY 1 0 0 0 0 - - 0" in text
    assert "Total 5 3 2 0 60.0 1" in text


def test_bad_turnaround_parameters_and_rights(client, decisions, make_user):
    manager = make_user([112013], username="manager")
    response = get(client, "preauth_turnaround", manager, dateFrom="2025-03-31",
                   dateTo="2025-03-01")
    assert response.status_code == 400
    assert response.json() == {"detail": "dateFrom (2025-03-31) is after dateTo (2025-03-01)"}
    assert get(client, "preauth_turnaround", make_user([112001, 112012], username="clerk"),
               dateFrom="2025-03-01", dateTo="2025-03-31").status_code == 403
