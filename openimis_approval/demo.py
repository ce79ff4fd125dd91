"""Demo pre-authorization requests in every status, moved by the real services."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.demo import DemoSize, demo_system_user
from core.models import MutationLog, Tenant
from core.registers.codes import PolicyStatus, ServiceCategory
from core.registers.models import Diagnosis, HealthFacility, InsureePolicy
from core.registers.seeding import SeedResult
from openimis_approval import services
from openimis_approval.codes import ApprovalStatus, Priority, RequestType
from openimis_approval.models import (
    ApprovalCommunication,
    ApprovalDocument,
    ApprovalRequest,
    ApprovalStatusHistory,
)

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
    # Times from their own generator: the requests themselves stay what they were.
    clock = random.Random(f"{size.seed}:{tenant.code}:approval-times")  # noqa: S311
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
            steps = ["create", *PATHS[status]]
            times = timeline(clock, data["priority"], steps, demo_midnight(today))
            with happening_at(times[0]):
                request_uuid = services.create_request(user, data).uuids[0]
            for step, at in zip(steps[1:], times[1:], strict=True):
                with happening_at(at):
                    _step(user, request_uuid, step, today)
            result.add("approval requests", 1)
    return result


# Hours from one step of a demo request to the next; decisions by priority (their deadlines:
# 1 h, 24 h, 72 h, 7 days), so most are in time and some late.
DECISION_HOURS = {Priority.EMERGENCY: (0.25, 2.0), Priority.STAT: (2.0, 36.0),
                  Priority.URGENT: (6.0, 100.0), Priority.ROUTINE: (20.0, 260.0)}
STEP_HOURS = {"pending": (0.2, 2.0), "submit": (0.3, 6.0), "review": (0.5, 10.0),
              "info": (2.0, 30.0), "supply": (4.0, 48.0), "appeal": (24.0, 96.0),
              "appeal_approve": (24.0, 150.0), "appeal_deny": (24.0, 150.0),
              "cancel": (1.0, 48.0), "expire": (1.0, 2.0)}
DECISIONS = ("approve", "partial", "deny")


def demo_midnight(today) -> datetime:
    """The start of the demo's `today`: every demo event happened before it."""
    return timezone.make_aware(datetime.combine(today, datetime.min.time()))


def decision_hours(rng: random.Random, priority: str) -> float:
    """Hours from submission to decision, spread evenly on a log scale over the priority's
    range (many quick decisions, a tail of slow ones)."""
    low, high = DECISION_HOURS.get(priority, DECISION_HOURS[Priority.ROUTINE])
    return low * (high / low) ** rng.random()


def timeline(rng: random.Random, priority: str, steps: list[str], before: datetime,
             days_back: int = 40) -> list[datetime]:
    """When each step of a demo request happened: a start in working hours of the last
    `days_back` days, steps spaced as `STEP_HOURS` and `decision_hours` say, the whole shifted
    back when it would reach `before`."""
    start = before - timedelta(days=rng.randint(2, days_back), hours=24 - rng.uniform(7.5, 16))
    times, at, submitted = [start], start, start
    for step in steps[1:]:
        if step in DECISIONS:
            at = max(at, submitted + timedelta(hours=decision_hours(rng, priority)))
        else:
            at += timedelta(hours=rng.uniform(*STEP_HOURS.get(step, (0.5, 4.0))))
        if step == "submit":
            submitted = at
        times.append(at)
    overrun = times[-1] - (before - timedelta(minutes=30))
    return [t - overrun for t in times] if overrun > timedelta(0) else times


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


@contextmanager
def happening_at(at: datetime) -> Iterator[None]:
    """Demo data only: what the services and mutations inside stamp with the present (history,
    creation, submission and its deadline, decision, documents, communications, mutation logs)
    is moved to `at`, so a demo request lives over the hours and days a real one does and the
    dashboard and turnaround report show real figures. Steps must run in time order (each `at`
    later than the one before) and alone: everything stamped since the block started moves."""
    started = timezone.now()
    last_history = ApprovalStatusHistory.objects.aggregate(top=Max("pk"))["top"] or 0
    yield
    ApprovalStatusHistory.objects.filter(pk__gt=last_history).update(at=at)
    for request in ApprovalRequest.objects.filter(submitted_at__gte=started):
        shift = request.submitted_at - at  # the deadline keeps its distance to the submission
        request.submitted_at, request.due_at = at, request.due_at and request.due_at - shift
        request.extended_due_at = request.extended_due_at and request.extended_due_at - shift
        request.save(update_fields=["submitted_at", "due_at", "extended_due_at"])
    ApprovalRequest.objects.filter(created_at__gte=started).update(created_at=at)
    ApprovalRequest.objects.filter(decided_at__gte=started).update(decided_at=at)
    ApprovalDocument.objects.filter(uploaded_at__gte=started).update(uploaded_at=at)
    ApprovalCommunication.objects.filter(at__gte=started).update(at=at)
    MutationLog.objects.filter(request_date_time__gte=started).update(
        request_date_time=at, finish_date_time=at)
