"""Demo pre-authorization requests in every status, moved by the real services."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.demo import DemoSize, demo_system_user
from core.models import Tenant
from core.registers.codes import PolicyStatus, ServiceCategory
from core.registers.models import Diagnosis, HealthFacility, InsureePolicy
from core.registers.seeding import SeedResult
from openimis_approval import services
from openimis_approval.codes import ApprovalStatus, Priority, RequestType
from openimis_approval.models import ApprovalRequest

S = ApprovalStatus
# Every status, and the services that lead there from a new draft.
PATHS = {
    S.DRAFT: [],
    S.PENDING_SUBMISSION: ["pending"],
    S.SUBMITTED: ["submit"],
    S.UNDER_REVIEW: ["submit", "review"],
    S.INFO_REQUESTED: ["submit", "review", "info"],
    S.APPROVED: ["submit", "review", "approve"],
    S.PARTIALLY_APPROVED: ["submit", "review", "partial"],
    S.DENIED: ["submit", "review", "deny"],
    S.APPEAL_SUBMITTED: ["submit", "review", "deny", "appeal"],
    S.APPEAL_APPROVED: ["submit", "review", "deny", "appeal", "appeal_approve"],
    S.APPEAL_DENIED: ["submit", "review", "deny", "appeal", "appeal_deny"],
    S.EXPIRED: ["submit", "review", "approve", "expire"],
    S.CANCELLED: ["cancel"],
}
REQUEST_TYPES = {ServiceCategory.SURGERY: RequestType.PROCEDURE,
                 ServiceCategory.HOSPITALIZATION: RequestType.ADMISSION,
                 ServiceCategory.OTHER: RequestType.RADIOLOGY}


def seed_approvals(tenant: Tenant, size: DemoSize) -> SeedResult:
    """About one request per ten demo claims (at least one per status; none without demo
    claims) for insurees with active policies, for items and services needing approval. A
    tenant with requests is left alone."""
    result = SeedResult()
    if size.claims <= 0 or ApprovalRequest.objects.filter(tenant=tenant).exists():
        return result
    rng = random.Random(f"{size.seed}:{tenant.code}:approvals")  # noqa: S311 - demo data
    today = size.today or timezone.localdate()
    covered = list(InsureePolicy.objects.filter(
        policy__tenant=tenant, policy__status=PolicyStatus.ACTIVE, effective_date__lte=today,
        expiry_date__gte=today).select_related("insuree").order_by("pk"))
    facilities = [f for f in HealthFacility.objects.filter(tenant=tenant).order_by("code")
                  .prefetch_related("items_pricelist__details__item",
                                    "services_pricelist__details__service")
                  if f.items_pricelist_id and f.services_pricelist_id]
    if not covered or not facilities:
        return result
    diagnoses = list(Diagnosis.objects.filter(code__in=["K35", "O82", "N18", "M54", "C50",
                                                        "S72", "I63"]).order_by("code"))
    user = demo_system_user(tenant)
    count = max(len(PATHS), size.claims // 10)
    statuses = list(PATHS)
    with transaction.atomic():
        for n in range(count):
            status = statuses[n % len(statuses)]
            facility = rng.choice(facilities)
            needing = [d.service for d in facility.services_pricelist.details.all()
                       if d.service.requires_preauthorization] + \
                      [d.item for d in facility.items_pricelist.details.all()
                       if d.item.requires_preauthorization]
            if not needing:
                continue
            medical = rng.choice(needing)
            link = rng.choice(covered)
            start = today - timedelta(days=rng.randint(0, 40))
            is_service = hasattr(medical, "category")
            data = {
                "insuree_id": link.insuree_id, "health_facility_id": facility.pk,
                "priority": rng.choice(Priority.values),
                "request_type": REQUEST_TYPES.get(medical.category, RequestType.PROCEDURE)
                if is_service else RequestType.PHARMACY,
                "icd_id": rng.choice(diagnoses).pk if diagnoses else None,
                "service_start_date": start, "service_end_date": start + timedelta(days=7),
                "service_description": medical.name,
                "clinical_justification": "Demo request: clinically indicated",
                "lines": [{("service_id" if is_service else "item_id"): medical.pk,
                           "qty_requested": rng.randint(1, 3) * 2}],
            }
            outcome = services.create_request(user, data)
            request_uuid = outcome.uuids[0]
            for step in PATHS[status]:
                _step(user, request_uuid, step, today)
            result.add("approval requests", 1)
    return result


def _step(user, request_uuid: str, step: str, today) -> None:
    if step == "pending":
        request = ApprovalRequest.objects.get(uuid=request_uuid)
        services.move(request, S.PENDING_SUBMISSION, user, "waiting for documents")
        request.save()
    elif step == "submit":
        services.submit_requests(user, [request_uuid])
    elif step == "review":
        services.start_review(user, [request_uuid])
    elif step == "info":
        services.request_info(user, request_uuid, "Please send the latest results")
    elif step in ("approve", "partial"):
        request = ApprovalRequest.objects.get(uuid=request_uuid)
        line = request.lines.get()
        lines = [{"id": line.pk, "qty_approved": line.qty_requested / 2}] \
            if step == "partial" else None
        services.decide_request(user, {"uuid": request_uuid, "decision": step.upper()
                                       if step == "partial" else "APPROVE", "lines": lines})
    elif step == "deny":
        services.decide_request(user, {"uuid": request_uuid, "decision": "DENY",
                                       "denial_reason": "Not medically necessary at this stage",
                                       "denial_code": "MN01"})
    elif step == "appeal":
        services.submit_appeal(user, request_uuid, "New evidence from the specialist")
    elif step in ("appeal_approve", "appeal_deny"):
        services.decide_appeal(user, {"uuid": request_uuid,
                                      "decision": "APPROVE" if step == "appeal_approve"
                                      else "DENY", "reason": "Reviewed by the appeal board"})
    elif step == "expire":
        request = ApprovalRequest.objects.get(uuid=request_uuid)
        services.move(request, S.EXPIRED, user, "expired")
        request.expiration_date = today - timedelta(days=1)
        request.save()
    elif step == "cancel":
        services.cancel_requests(user, [request_uuid], "Care no longer needed")
