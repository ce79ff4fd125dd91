"""A tenant's worth of rows of every model the Django admin shows, for the admin's generated
tests: each tenant-scoped registered model gets at least one row per tenant here (the tests
fail on a model this scene leaves out, so a new admin page is covered the day it is added)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth.models import Group

from core.models import (
    Language,
    ModuleConfiguration,
    MutationLog,
    RefreshToken,
    Role,
    RoleRight,
    Tenant,
    User,
)
from core.registers.codes import LocationType
from core.registers.models import InsureePhoto, Officer
from hospital_orders.models import ImagingOrder, LaboratoryOrder
from openimis_approval.models import (
    ApprovalCommunication,
    ApprovalDocument,
    ApprovalLine,
    ApprovalRequest,
    ApprovalStatusHistory,
    ApprovalTemplate,
)
from openimis_claim.models import (
    BatchRun,
    ClaimAttachmentType,
    ClaimDedRem,
    ClaimStatusHistory,
    RelativePool,
)
from reports.models import ReportDefinition
from tests.factories import make_claim, make_claim_scene, make_location


def make_tenant_rows(tenant: Tenant, suffix: str) -> SimpleNamespace:
    """Registers (an insuree with a photo), a claim with lines, ledger and history, an
    approval request with a line and history, a role with a right, a user, a mutation log, a
    batch run, a pool, a report template, and a laboratory and an imaging order with a line
    each, all of `tenant`."""
    scene = make_claim_scene(tenant)
    region = make_location(tenant, LocationType.REGION)
    district = make_location(tenant, LocationType.DISTRICT, parent=region)
    scene.facility.location = district
    scene.facility.save(update_fields=["location"])
    scene.family.location = district
    scene.family.save(update_fields=["location"])
    scene.insuree.photo = InsureePhoto.objects.create(tenant=tenant, filename=f"{suffix}.png")
    scene.insuree.save(update_fields=["photo"])
    role = Role.objects.create(tenant=tenant, name=f"Clerks {suffix}")
    RoleRight.objects.create(role=role, right_id=111001)
    user = User.objects.create_user(username=f"member-{suffix}", password="pass-word-1",
                                    tenant=tenant, health_facility=scene.facility)
    user.roles.add(role)
    user.districts.add(district)
    officer = Officer.objects.create(tenant=tenant, code=f"O{suffix}", last_name="Officer",
                                     other_names="Olga", location=district)
    claim = make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                       icd=scene.diagnosis, items=[scene.item], services=[scene.service],
                       admin=scene.admin, code=f"ADM-{suffix}")
    ClaimStatusHistory.objects.create(claim=claim, field="status", from_status=None,
                                      to_status=claim.status, user=user)
    ClaimDedRem.objects.create(claim=claim, policy=scene.policy, insuree=scene.insuree,
                               remunerated=Decimal("1.00"))
    batch = BatchRun.objects.create(tenant=tenant, location=region, run_year=2025, run_month=3)
    pool = RelativePool.objects.create(tenant=tenant, product=scene.product, year=2025, month=3,
                                       amount=Decimal("100.00"))
    approval = ApprovalRequest.objects.create(tenant=tenant, number=f"PA-{suffix}",
                                              insuree=scene.insuree,
                                              health_facility=scene.facility,
                                              policy=scene.policy, icd=scene.diagnosis)
    ApprovalLine.objects.create(request=approval, item=scene.item, qty_requested=Decimal("1"),
                                price_requested=Decimal("2.00"))
    ApprovalStatusHistory.objects.create(request=approval, from_status="", to_status="DRAFT",
                                         user=user)
    lab_order = LaboratoryOrder.objects.create(tenant=tenant, number=f"LAB-{suffix}",
                                               insuree=scene.insuree,
                                               health_facility=scene.facility,
                                               planned_date=claim.date_from)
    lab_order.lines.create(service=scene.service)
    imaging_order = ImagingOrder.objects.create(tenant=tenant, number=f"IMG-{suffix}",
                                                insuree=scene.insuree,
                                                health_facility=scene.facility,
                                                planned_date=claim.date_from, modality="CT")
    imaging_order.lines.create(service=scene.service)
    ApprovalDocument.objects.create(request=approval, document_type="LAB_RESULT",
                                    filename=f"{suffix}.pdf", mime="application/pdf",
                                    sha256="0" * 64, content=b"%PDF-1.4", uploaded_by=user)
    ApprovalCommunication.objects.create(request=approval, communication_type="PHONE",
                                         subject=f"Call {suffix}", user=user)
    ApprovalTemplate.objects.create(tenant=tenant, name=f"Template {suffix}",
                                    product=scene.product, usage_count=1)
    log = MutationLog.objects.create(user=user, module="claim", mutation="SubmitClaimsMutation")
    report = ReportDefinition.objects.create(name="claim_print", tenant=tenant,
                                             template=f"<h1>{suffix}</h1>")
    token = RefreshToken.objects.create(user=user)
    return SimpleNamespace(**vars(scene), tenant=tenant, region=region, district=district,
                           role=role, user=user, officer=officer, claim=claim, batch=batch,
                           pool=pool, approval=approval, log=log, report=report, token=token,
                           lab_order=lab_order, imaging_order=imaging_order)


def make_global_rows() -> SimpleNamespace:
    """Deployment-wide rows: a module configuration, an attachment type, a group."""
    return SimpleNamespace(
        config=ModuleConfiguration.objects.create(module="claim", config={"x": 1}),
        attachment_type=ClaimAttachmentType.objects.create(claim_attachment_type="scan"),
        group=Group.objects.create(name="Support"),
        language=Language.objects.get(code="en"),
    )

