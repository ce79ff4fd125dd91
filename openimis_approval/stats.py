"""Dashboard and the published metrics (CMS-0057-F style): counts, deadlines, decision times."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from openimis_approval.codes import AWAITING_DECISION, GRANTED, ApprovalStatus, Priority

S = ApprovalStatus
WAITING = AWAITING_DECISION


def _hours(rows) -> list[float]:
    return [(decided - submitted).total_seconds() / 3600 for submitted, decided in rows
            if submitted and decided]


def dashboard(requests) -> dict:
    """`requests`: the caller's scoped queryset of valid requests."""
    now, today = timezone.now(), timezone.localdate()
    by_status = dict(requests.values_list("status").annotate(n=Count("pk")).order_by())
    overdue = sum(1 for request in requests.filter(status__in=WAITING)
                  if request.is_overdue(now))
    expiring = requests.filter(status__in=GRANTED, expiration_date__gte=today,
                               expiration_date__lte=today + timedelta(days=7)).count()
    times = defaultdict(list)
    for priority, submitted, decided in requests.filter(decided_at__isnull=False).values_list(
            "priority", "submitted_at", "decided_at"):
        times[priority].extend(_hours([(submitted, decided)]))
    return {
        "by_status": [{"status": s, "count": by_status.get(s, 0)} for s in S.values],
        "overdue": overdue, "expiring_soon": expiring,
        "median_decision_hours": [
            {"priority": p, "hours": round(statistics.median(times[p]), 2) if times[p] else None}
            for p in Priority.values],
    }


def metrics(requests, date_from: date, date_to: date) -> list[dict]:
    """Per priority, for requests submitted in the period."""
    rows = defaultdict(list)
    for request in requests.filter(submitted_at__date__gte=date_from,
                                   submitted_at__date__lte=date_to).prefetch_related("history"):
        rows[request.priority].append(request)
    result = []
    for priority in Priority.values:
        mine = rows.get(priority, [])
        reached = [{h.to_status for h in r.history.all()} for r in mine]
        hours = _hours((r.submitted_at, r.decided_at) for r in mine)
        result.append({
            "priority": priority, "total": len(mine),
            "approved": sum(1 for seen in reached if seen & {S.APPROVED, S.PARTIALLY_APPROVED}),
            "denied": sum(1 for seen in reached if S.DENIED in seen),
            "approved_after_appeal": sum(1 for seen in reached if S.APPEAL_APPROVED in seen),
            "extended": sum(1 for r in mine if r.extensions),
            "average_decision_hours": round(statistics.mean(hours), 2) if hours else None,
            "median_decision_hours": round(statistics.median(hours), 2) if hours else None,
        })
    return result


def turnaround(requests, date_from: date, date_to: date) -> list[dict]:
    """Per priority, the decisions made in the period against their deadline (the extended one
    when there is one): decided, within the deadline, late, without a deadline, and the median
    hours from submission to decision; and the requests submitted by the period's end still
    waiting now past their deadline. Counts by aggregate queries; hours in Python."""
    decided = requests.filter(decided_at__date__gte=date_from, decided_at__date__lte=date_to)
    counts = {row["priority"]: row for row in decided.annotate(
        deadline=Coalesce("extended_due_at", "due_at")).values("priority").annotate(
        decided=Count("pk"), within=Count("pk", filter=Q(decided_at__lte=F("deadline"))),
        late=Count("pk", filter=Q(decided_at__gt=F("deadline"))),
        no_deadline=Count("pk", filter=Q(deadline__isnull=True))).order_by()}
    waiting = dict(requests.filter(status__in=WAITING, submitted_at__date__lte=date_to).annotate(
        deadline=Coalesce("extended_due_at", "due_at")).filter(
        deadline__lt=timezone.now()).values_list("priority").annotate(n=Count("pk")).order_by())
    times = defaultdict(list)
    for priority, submitted, decided_at in decided.values_list("priority", "submitted_at",
                                                               "decided_at"):
        times[priority].extend(_hours([(submitted, decided_at)]))
    result = []
    for priority in Priority.values:
        row = counts.get(priority, {})
        hours = times[priority]
        result.append({
            "priority": priority, "decided": row.get("decided", 0),
            "within": row.get("within", 0), "late": row.get("late", 0),
            "no_deadline": row.get("no_deadline", 0),
            "within_percent": round(100 * row["within"] / row["decided"], 1)
            if row.get("decided") else None,
            "median_decision_hours": round(statistics.median(hours), 2) if hours else None,
            "waiting_overdue": waiting.get(priority, 0),
        })
    return result
