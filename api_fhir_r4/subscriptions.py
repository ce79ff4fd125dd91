"""Rest-hook subscriptions: which changes are notified, where notifications may go, and the
receivers that record a delivery for every active subscription a change matches.

openIMIS' FHIR module notifies on insurees, facilities and invoices only; here a subscription
follows claims and pre-authorizations. The criteria a subscription may give, one of:

| criteria                                   | notified when                              |
|--------------------------------------------|--------------------------------------------|
| `Claim` or `ClaimResponse`                 | a claim's status, review or feedback status |
|                                            | changes (submitted, rejected, reviewed,    |
|                                            | feedback delivered, processed, valuated)   |
| `Claim?status=checked,rejected`            | the same, when the claim's status is then  |
|                                            | one of these (entered, checked, processed, |
|                                            | valuated, rejected)                        |
| `Claim?use=preauthorization` (or           | an approval request changes status (every  |
| `ClaimResponse?use=preauthorization`)      | move of its workflow)                      |
| `Claim?use=preauthorization&status=DENIED` | the same, when the request is then in one  |
|                                            | of these approval statuses                 |
| `...&provider=<HF code or uuid>`           | only that health facility's rows (with     |
|                                            | `Organization/` before it or not)          |

`use=claim` is the default. What is sent: for a claim, its `ClaimResponse` (as the FHIR
`ClaimResponse` resource renders it), for an approval request the Da Vinci PAS response Bundle
that `Claim/$inquire` answers; only what the subscription's creator may read, checked at each
delivery.

A change is recorded inside the transaction that makes it (a rolled-back change notifies
nobody), and a delivery task is queued once it commits. A state already notified to a
subscription is not notified again (several signals of one change, a redelivered task); two
changes of one approval before its notification went out are sent once, with the latest state.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from api_fhir_r4.errors import FhirError
from api_fhir_r4.identifiers import Named
from api_fhir_r4.models import DeliveryStatus, Subscription, SubscriptionDelivery
from core.config import module_config
from core.registers.models import HealthFacility
from core.scoping import is_uuid

logger = logging.getLogger(__name__)

CLAIM, PREAUTHORIZATION = "claim", "preauthorization"
CRITERIA_TYPES = ("Claim", "ClaimResponse")
CRITERIA_PARAMS = frozenset({"use", "status", "provider"})
MAX_HEADERS = 20
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$")
# Headers the notification itself sets, or that would change how it travels.
RESERVED_HEADERS = frozenset({"host", "content-length", "content-type", "transfer-encoding",
                              "connection", "te", "upgrade", "expect", "keep-alive",
                              "proxy-authorization", "proxy-connection", "trailer"})
CACHE_KEY = "fhir-subscriptions:{tenant_id}"
CACHE_SECONDS = 60


def claim_status_names() -> dict[str, int]:
    from openimis_claim.codes import ClaimStatus

    return {str(status.label): int(status) for status in ClaimStatus}


@dataclass(frozen=True)
class Criteria:
    """A parsed `criteria`: what kind of row, which statuses (empty: any), which facility."""

    use: str
    statuses: frozenset = frozenset()
    provider: Named | None = None


def parse_criteria(text: Any) -> Criteria:
    """The criteria, or FhirError 400 saying what is wrong with them (see the table above)."""
    if not isinstance(text, str) or not text.strip():
        raise FhirError(400, "Subscription.criteria is required", expression="criteria")
    if len(text) > 255:
        raise FhirError(400, "Subscription.criteria is longer than 255 characters",
                        expression="criteria")
    type_name, _mark, query = text.strip().partition("?")
    if type_name not in CRITERIA_TYPES:
        raise FhirError(400, f"Subscription.criteria must be on {' or '.join(CRITERIA_TYPES)}, "
                        f"not {type_name[:40]!r}", expression="criteria")
    params: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name not in CRITERIA_PARAMS:
            raise FhirError(400, f"Subscription.criteria: unknown parameter {name[:40]!r}; "
                            f"known: {', '.join(sorted(CRITERIA_PARAMS))}",
                            expression="criteria")
        if name in params or not value:
            raise FhirError(400, f"Subscription.criteria: give {name} once, with a value",
                            expression="criteria")
        params[name] = value
    use = params.get("use", CLAIM)
    if use not in (CLAIM, PREAUTHORIZATION):
        raise FhirError(400, "Subscription.criteria: use is claim or preauthorization",
                        expression="criteria")
    statuses: frozenset = frozenset()
    if "status" in params:
        asked = [part.strip() for part in params["status"].split(",") if part.strip()]
        if use == CLAIM:
            known = claim_status_names()
            unknown = [s for s in asked if s.lower() not in known]
            statuses = frozenset(known[s.lower()] for s in asked if s.lower() in known)
            choices = ", ".join(known)
        else:
            known_approval = approval_status_names()
            unknown = [s for s in asked if s.upper() not in known_approval]
            statuses = frozenset(s.upper() for s in asked if s.upper() in known_approval)
            choices = ", ".join(sorted(known_approval))
        if unknown or not statuses:
            raise FhirError(400, f"Subscription.criteria: unknown status "
                            f"{(unknown or [''])[0][:40]!r}; known: {choices}",
                            expression="criteria")
    if use == PREAUTHORIZATION and not apps.is_installed("openimis_approval"):
        raise FhirError(400, "Pre-authorization is not installed here", expression="criteria")
    provider = None
    if "provider" in params:
        key = params["provider"].removeprefix("Organization/")
        provider = Named("Organization", uuid=key) if is_uuid(key) else \
            Named("Organization", code=key)
    return Criteria(use, statuses, provider)


def approval_status_names() -> frozenset[str]:
    if not apps.is_installed("openimis_approval"):
        return frozenset()
    from openimis_approval.codes import ApprovalStatus

    return frozenset(ApprovalStatus.values)


def criteria_facility(user, criteria: Criteria) -> HealthFacility | None:
    """The facility the criteria name, among the user's (FhirError 400 when not theirs)."""
    from core.scoping import scope_queryset

    if criteria.provider is None:
        return None
    rows = scope_queryset(user, HealthFacility.objects.filter(validity_to__isnull=True))
    named = criteria.provider
    found = rows.filter(uuid=named.uuid).first() if named.uuid else \
        rows.filter(code=named.code).first()
    if found is None:
        raise FhirError(400, "Subscription.criteria: no such provider "
                        f"{(named.uuid or named.code)[:60]!r}", expression="criteria")
    if user.health_facility_id not in (None, found.pk):
        raise FhirError(400, "Subscription.criteria: a facility's user follows its own "
                        "facility only", expression="criteria")
    return found


# --- Where notifications may go --------------------------------------------------------------


def private_endpoints_allowed() -> bool:
    return bool(module_config("api_fhir_r4")["subscription_allow_private_endpoints"])


def address_allowed(address: str) -> bool:
    """A public address (not loopback, private, link-local, multicast or reserved), unless the
    module allows private endpoints (a hospital's own network; the tests' local receiver)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified or ip.is_multicast:
        return False
    return ip.is_global or private_endpoints_allowed()


def check_endpoint(url: Any) -> str:
    """The endpoint URL if a notification may go there: http or https, a host, no credentials
    in it, and not a private or local address (a name is resolved again at each delivery,
    whose address is checked then). FhirError 400 otherwise."""
    where = "channel.endpoint"
    if not isinstance(url, str) or not url.strip():
        raise FhirError(400, "Subscription.channel.endpoint is required", expression=where)
    url = url.strip()
    if len(url) > 500:
        raise FhirError(400, "channel.endpoint is longer than 500 characters", expression=where)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FhirError(400, "channel.endpoint is not a URL", expression=where) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FhirError(400, "channel.endpoint must be an http or https URL",
                        expression=where)
    if parts.username or parts.password:
        raise FhirError(400, "channel.endpoint must not carry credentials: send them in "
                        "channel.header", expression=where)
    if port == 0:
        raise FhirError(400, "channel.endpoint has no usable port", expression=where)
    host = parts.hostname.rstrip(".").lower()
    try:
        literal = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        literal = None
    local_name = host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
    if (literal is not None and not address_allowed(host)) or \
            (local_name and not private_endpoints_allowed()):
        raise FhirError(400, "channel.endpoint must be a public address", expression=where)
    return url


# What a header's value reads as: headers carry the subscriber's secrets (a bearer token), which
# are sent to the endpoint and never shown back.
MASK = "***"


def masked_headers(headers: list[str]) -> list[str]:
    return [f"{header.partition(':')[0]}: {MASK}" for header in headers]


def check_headers(headers: Any, kept: list[str] | None = None) -> list[str]:
    """`channel.header` as "Name: value" strings: no line breaks, no header the notification
    sets itself. FhirError 400 otherwise. A value given as the mask keeps the value stored in
    `kept` for that name: a subscription read and written back keeps its secrets."""
    where = "channel.header"
    stored = {h.partition(":")[0].strip().lower(): h.partition(":")[2].strip()
              for h in kept or []}
    if headers is None:
        return []
    if not isinstance(headers, list) or len(headers) > MAX_HEADERS:
        raise FhirError(400, f"channel.header must be a list of at most {MAX_HEADERS} "
                        f"\"Name: value\" strings", expression=where)
    checked = []
    for header in headers:
        if not isinstance(header, str) or len(header) > 2000:
            raise FhirError(400, "channel.header entries are \"Name: value\" strings",
                            expression=where)
        name, colon, value = header.partition(":")
        name, value = name.strip(), value.strip()
        if not colon or not HEADER_NAME.match(name) or any(c in value for c in "\r\n\0"):
            raise FhirError(400, f"channel.header {header[:40]!r} is not \"Name: value\"",
                            expression=where)
        if name.lower() in RESERVED_HEADERS:
            raise FhirError(400, f"channel.header cannot set {name}", expression=where)
        if value == MASK:
            if name.lower() not in stored:
                raise FhirError(400, f"channel.header {name} has no value to keep",
                                expression=where)
            value = stored[name.lower()]
        checked.append(f"{name}: {value}")
    return checked


# --- Matching changes to subscriptions -------------------------------------------------------


@dataclass(frozen=True)
class Active:
    """An active subscription as the receivers need it (cached per tenant)."""

    pk: int
    criteria: Criteria
    facility_id: int | None
    creator_facility_id: int | None
    end: Any


def forget_subscriptions(tenant_id: int) -> None:
    """Drop the tenant's cached subscriptions now and once the change commits."""
    key = CACHE_KEY.format(tenant_id=tenant_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def active_subscriptions(tenant_id: int) -> list[Active]:
    """The tenant's active subscriptions with their criteria parsed, cached: a batch of claims
    asks once per claim, and most tenants have none."""
    key = CACHE_KEY.format(tenant_id=tenant_id)
    found = cache.get(key)
    if found is not None:
        return found
    found = []
    with transaction.atomic():  # a savepoint: a failure here leaves the caller's work usable
        rows = list(Subscription.objects.filter(tenant_id=tenant_id, status="active",
                                                validity_to__isnull=True)
                    .select_related("created_by").order_by("pk"))
    codes = {}
    for row in rows:
        try:
            criteria = parse_criteria(row.criteria)
        except FhirError:
            continue  # accepted under an older table; it matches nothing now
        facility_id = None
        if criteria.provider is not None:
            named = criteria.provider
            lookup = {"uuid": named.uuid} if named.uuid else {"code": named.code}
            cache_key = tuple(lookup.items())
            if cache_key not in codes:
                codes[cache_key] = HealthFacility.objects.filter(
                    tenant_id=tenant_id, validity_to__isnull=True, **lookup) \
                    .values_list("pk", flat=True).first() or -1
            facility_id = codes[cache_key]
        creator = row.created_by
        if creator is None or not creator.is_active:
            continue
        found.append(Active(row.pk, criteria, facility_id, creator.health_facility_id,
                            row.end))
    cache.set(key, found, CACHE_SECONDS)
    return found


def matching(tenant_id: int, use: str, status, facility_id: int) -> list[int]:
    """The subscriptions of the tenant a change of this kind, status and facility matches."""
    now = timezone.now()
    return [active.pk for active in active_subscriptions(tenant_id)
            if active.criteria.use == use
            and (not active.criteria.statuses or status in active.criteria.statuses)
            and active.facility_id in (None, facility_id)
            and active.creator_facility_id in (None, facility_id)
            and (active.end is None or active.end > now)]


def record(subscription_ids: list[int], event: str, resource_type: str, resource_id: str,
           state: str, coalesce: bool) -> None:
    """A pending delivery per subscription for this state of the row, in the caller's
    transaction, queued when it commits. With `coalesce`, a delivery of the same row not yet
    attempted (nor being attempted) takes the new state instead: it sends the row as it is
    when it goes out."""
    key = f"{resource_type}/{resource_id}@{state}"[:120]
    for subscription_id in subscription_ids:
        deliveries = SubscriptionDelivery.objects.filter(subscription_id=subscription_id)
        if deliveries.filter(event_key=key).exists():
            continue
        waiting = deliveries.filter(resource_type=resource_type, resource_id=resource_id,
                                    status=DeliveryStatus.PENDING, attempts=0) \
            .select_for_update(skip_locked=True).first() if coalesce else None
        if waiting is not None:
            waiting.event, waiting.event_key = event, key
            waiting.save(update_fields=["event", "event_key"])
            continue
        delivery = SubscriptionDelivery.objects.create(
            subscription_id=subscription_id, event=event, event_key=key,
            resource_type=resource_type, resource_id=resource_id)
        transaction.on_commit(lambda pk=delivery.pk: queue_delivery(pk), robust=True)


def queue_delivery(delivery_id: int) -> None:
    """Hand a delivery to the workers (run in the process without a broker). A broker that
    cannot take it leaves the delivery pending, logged; `fhir_deliver_pending` sends it."""
    from api_fhir_r4.tasks import deliver_notification

    try:
        deliver_notification.apply_async((delivery_id,), retry=False,
                                         queue=getattr(settings, "CELERY_TASK_DEFAULT_QUEUE",
                                                       None))
    except Exception as exc:  # kombu's errors differ by transport
        if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
            raise
        logger.warning("Notification %s not queued: %s", delivery_id, exc)


def notify(event: str, tenant_id: int, use: str, status, facility_id: int, resource_type: str,
           resource_id: str, state: str, coalesce: bool) -> None:
    """What every receiver does: find the matching subscriptions (from the cache: no query
    for a tenant without any), and record their deliveries in a savepoint. It never breaks
    the change it observes: an error is logged (a notification is not worth refusing a claim
    for)."""
    try:
        ids = matching(tenant_id, use, status, facility_id)
        if ids:
            with transaction.atomic():
                record(ids, event, resource_type, resource_id, state, coalesce)
    except Exception:
        logger.exception("Recording a FHIR notification of %s %s failed", resource_type,
                         resource_id)


CLAIM_EVENTS = ("claim_submitted", "claim_rejected", "claim_reviewed",
                "claim_feedback_delivered", "claim_processed", "claim_valuated")


def _claim_receiver(event: str):
    def on_claim(sender, claim, **kwargs) -> None:
        notify(event, claim.tenant_id, CLAIM, claim.status, claim.health_facility_id, "Claim",
               str(claim.uuid), f"{claim.status}.{claim.review_status}.{claim.feedback_status}",
               coalesce=False)

    on_claim.__name__ = f"on_{event}"
    return on_claim


def on_approval_status_changed(sender, request, to_status, **kwargs) -> None:
    notify("approval_status_changed", request.tenant_id, PREAUTHORIZATION, to_status,
           request.health_facility_id, "ApprovalRequest", str(request.uuid),
           f"v{request.version}", coalesce=True)


_RECEIVERS: list = []  # strong references: the signals hold weak ones


def connect() -> None:
    """Called by the module's `ready()`: claims always, approvals when installed."""
    from openimis_claim import signals as claim_signals

    for event in CLAIM_EVENTS:
        receiver = _claim_receiver(event)
        _RECEIVERS.append(receiver)
        getattr(claim_signals, event).connect(receiver, dispatch_uid=f"api_fhir_r4-{event}")
    if apps.is_installed("openimis_approval"):
        from openimis_approval.signals import approval_status_changed

        approval_status_changed.connect(on_approval_status_changed,
                                        dispatch_uid="api_fhir_r4-approval")


def subscriptions_of(user):
    """The subscriptions a user reaches (tenant scoped, deleted ones hidden)."""
    from core.scoping import scope_queryset

    return scope_queryset(user, Subscription.objects.filter(validity_to__isnull=True))

