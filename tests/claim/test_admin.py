"""Support staff can open the claim admin pages."""

import pytest

from core.registers.models import Diagnosis
from tests.factories import make_claim, make_claim_scene

pytestmark = pytest.mark.django_db


def test_claim_admin_pages_open(client, tenant, make_user):
    scene = make_claim_scene(tenant)
    claim = make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                       icd=Diagnosis.objects.get(code="B50"), items=[scene.item], code="ADM1")
    staff = make_user(superuser=True)
    staff.is_staff = True
    staff.save()
    client.force_login(staff)

    listing = client.get("/admin/claim/claim/?q=ADM1")
    page = client.get(f"/admin/claim/claim/{claim.pk}/change/")

    assert listing.status_code == 200
    assert b"ADM1" in listing.content
    assert page.status_code == 200
    assert client.get("/admin/claim/batchrun/").status_code == 200
