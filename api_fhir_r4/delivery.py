"""Sending one notification: render what the subscriber may read now, POST it to the endpoint
with the subscription's headers, and record the attempt.

A delivery is attempted under its row lock, so two workers given the same task (a redelivered
message) never both send it, and one that is delivered or failed is left alone. The endpoint's
name is resolved at each attempt and every address it gives must be public (unless the module
allows private endpoints); the connection goes to the address that was checked, so a name that
changes between the check and the connection cannot lead elsewhere. Redirects are not followed.
"""

from __future__ import annotations

import json
import logging
import socket
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import urllib3
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from api_fhir_r4.errors import FhirError
from api_fhir_r4.identifiers import CODE_CODE, IG, UUID_CODE, identifier
from api_fhir_r4.models import (
    DeliveryStatus,
    Subscription,
    SubscriptionDelivery,
    SubscriptionStatus,
)
from api_fhir_r4.resources.base import RESOURCES, Context
from api_fhir_r4.subscriptions import address_allowed, forget_subscriptions, queue_delivery
from core.config import module_config
from core.rights import rights_codes
from core.scoping import scope_queryset

logger = logging.getLogger(__name__)

USER_AGENT = "openIMIS-FHIR-R4-rest-hook"
MAX_WAIT_SECONDS = 3600
# ClaimResponse.outcome by claim status (openIMIS' FHIR module).
CLAIM_OUTCOMES = {1: "complete", 2: "queued", 4: "partial", 8: "partial", 16: "complete"}


class DeliveryError(Exception):
    """This attempt failed; a later one may succeed."""


class Undeliverable(DeliveryError):
    """No attempt can succeed: the subscriber may no longer read what changed."""


def _require(user, rights) -> None:
    for module, key in rights:
        if not user.has_rights(*rights_codes(module, key)):
            raise Undeliverable("The subscription's creator no longer holds the right to read "
                                "what it notifies")


def _context(subscription: Subscription) -> Context:
    """A request-like context for rendering outside a request: the subscription's creator,
    and the base URL it was made at."""
    user = subscription.created_by
    if user is None or not user.is_active:
        raise Undeliverable("The subscription's creator can no longer sign in")
    parts = urlsplit(subscription.base_url)
    request = HttpRequest()
    request.method = "GET"
    request.user = user
    request.META.update({"SERVER_NAME": parts.hostname or "localhost",
                         "SERVER_PORT": str(parts.port or (443 if parts.scheme == "https"
                                                           else 80)),
                         "wsgi.url_scheme": parts.scheme or "http"})
    return Context(request, user, subscription.base_url)


def claim_notification(ctx: Context, claim_uuid: str) -> dict[str, Any]:
    """The claim's ClaimResponse as the `ClaimResponse` resource renders it, or, where that
    resource is not installed, a Bundle with a minimal one."""
    handler = RESOURCES.get("ClaimResponse")
    if handler is not None:
        _require(ctx.user, handler.read_rights)
        try:
            row = handler.find(ctx, claim_uuid)
        except FhirError:
            raise Undeliverable("The claim is not the subscriber's to read") from None
        return handler.render_page([row], ctx)[0]
    from openimis_claim.models import Claim

    _require(ctx.user, (("claim", "gql_query_claims_perms"),))
    claim = scope_queryset(ctx.user, Claim.objects.filter(validity_to__isnull=True)) \
        .select_related("insuree", "health_facility", "tenant").filter(uuid=claim_uuid).first()
    if claim is None:
        raise Undeliverable("The claim is not the subscriber's to read")
    resource = {
        "resourceType": "ClaimResponse",
        "id": str(claim.uuid),
        "identifier": [identifier(UUID_CODE, claim.uuid), identifier(CODE_CODE, claim.code)],
        "status": "active",
        "type": {"coding": [{"system": f"{IG}/CodeSystem/claim-visit-type",
                             "code": claim.visit_type}]},
        "use": "claim",
        "patient": {"reference": f"Patient/{claim.insuree.uuid}", "type": "Patient",
                    "identifier": identifier(CODE_CODE, claim.insuree.chf_id)},
        "created": timezone.now().isoformat(),
        "insurer": {"type": "Organization", "display": claim.tenant.name},
        "requestor": {"reference": f"Organization/{claim.health_facility.uuid}",
                      "type": "Organization",
                      "identifier": identifier(CODE_CODE, claim.health_facility.code)},
        "request": {"reference": f"Claim/{claim.uuid}", "type": "Claim"},
        "outcome": CLAIM_OUTCOMES.get(claim.status, "queued"),
        "disposition": claim.get_status_display(),
    }
    return {"resourceType": "Bundle", "type": "collection",
            "timestamp": timezone.now().isoformat(),
            "entry": [{"fullUrl": ctx.url("ClaimResponse", claim.uuid), "resource": resource}]}


def approval_notification(ctx: Context, request_uuid: str) -> dict[str, Any]:
    """The Da Vinci PAS response Bundle of the approval request, as `Claim/$inquire` answers."""
    from api_fhir_r4.resources.pas import INQUIRE_RIGHTS, response_bundle
    from openimis_approval.access import visible_requests

    _require(ctx.user, INQUIRE_RIGHTS)
    request = visible_requests(ctx.user).select_related(
        "insuree", "health_facility", "tenant").filter(uuid=request_uuid).first()
    if request is None:
        raise Undeliverable("The approval request is not the subscriber's to read")
    return response_bundle(request, ctx)


def payload(delivery: SubscriptionDelivery) -> bytes | None:
    """The body of the notification (None: the subscription asked for none)."""
    subscription = delivery.subscription
    if not subscription.payload:
        return None
    ctx = _context(subscription)
    if delivery.resource_type == "Claim":
        body = claim_notification(ctx, delivery.resource_id)
    elif delivery.resource_type == "ApprovalRequest":
        body = approval_notification(ctx, delivery.resource_id)
    else:
        raise Undeliverable(f"Nothing notifies a {delivery.resource_type}")
    return json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False).encode()


def send(subscription: Subscription, body: bytes | None, timeout: float) -> int:
    """POST `body` to the subscription's endpoint; its HTTP status (DeliveryError when no
    answer came)."""
    parts = urlsplit(subscription.endpoint)
    https = parts.scheme == "https"
    host = parts.hostname or ""
    port = parts.port or (443 if https else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise DeliveryError(f"{host} cannot be resolved: {exc}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not addresses or not all(address_allowed(address) for address in addresses):
        raise DeliveryError(f"{host} is not a public address")
    headers = {"Host": parts.netloc, "User-Agent": USER_AGENT}
    for line in subscription.headers or []:
        name, _colon, value = line.partition(":")
        headers[name.strip()] = value.strip()
    if body is not None:
        headers["Content-Type"] = subscription.payload
    pool_class = urllib3.HTTPSConnectionPool if https else urllib3.HTTPConnectionPool
    extra = {"server_hostname": host, "assert_hostname": host,
             "cert_reqs": "CERT_REQUIRED"} if https else {}
    pool = pool_class(addresses[0], port, timeout=urllib3.Timeout(connect=timeout, read=timeout),
                      retries=False, maxsize=1, **extra)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        response = pool.urlopen("POST", path, body=body or b"", headers=headers,
                                redirect=False, assert_same_host=False,
                                preload_content=False)
        response.read(4096)
        response.release_conn()
        return response.status
    except urllib3.exceptions.HTTPError as exc:
        raise DeliveryError(f"No answer from the endpoint: {type(exc).__name__}") from None
    finally:
        pool.close()


def _stopped(subscription: Subscription) -> str:
    """Why the subscription takes no notification now ("" when it does)."""
    if subscription.validity_to is not None:
        return "The subscription was deleted"
    if subscription.status != SubscriptionStatus.ACTIVE:
        return f"The subscription is {subscription.status}"
    if subscription.end is not None and subscription.end <= timezone.now():
        return "The subscription has ended"
    return ""


def wait_before(attempts: int) -> int:
    """Seconds before the next attempt: the configured first wait, doubled each time."""
    first = int(module_config("api_fhir_r4")["subscription_retry_seconds"])
    return min(MAX_WAIT_SECONDS, first * 2 ** max(0, attempts - 1))


def attempt(delivery_id: int) -> int | None:
    """One attempt of a pending delivery, recorded. The seconds to wait before the next
    attempt, or None when there is none to make (delivered, failed for good, or not this
    worker's: delivered already or being attempted elsewhere)."""
    config = module_config("api_fhir_r4")
    with transaction.atomic():
        delivery = SubscriptionDelivery.objects.select_for_update(skip_locked=True, of=("self",)) \
            .select_related("subscription__created_by").filter(pk=delivery_id).first()
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None
        subscription = delivery.subscription
        stopped = _stopped(subscription)
        if stopped:
            delivery.status, delivery.last_error = DeliveryStatus.FAILED, stopped
            delivery.save(update_fields=["status", "last_error"])
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = timezone.now()
        status_code, error, final = None, "", False
        try:
            status_code = send(subscription, payload(delivery),
                               float(config["subscription_timeout_seconds"]))
            if not 200 <= status_code < 300:
                error = f"The endpoint answered HTTP {status_code}"
        except Undeliverable as exc:
            error, final = str(exc), True
        except DeliveryError as exc:
            error = str(exc)
        except Exception as exc:  # rendering failed: a fault here, retried like the others
            logger.exception("Notification %s could not be prepared", delivery_id)
            error = f"The notification could not be prepared ({type(exc).__name__})"
        delivery.last_status_code, delivery.last_error = status_code, error[:2000]
        wait = None
        delivery.next_attempt_at = None
        if not error:
            delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, timezone.now()
        elif final or delivery.attempts >= int(config["subscription_max_attempts"]):
            delivery.status = DeliveryStatus.FAILED
            subscription.status, subscription.error = SubscriptionStatus.ERROR, error[:2000]
            subscription.updated_at = timezone.now()
            subscription.save(update_fields=["status", "error", "updated_at"])
            forget_subscriptions(subscription.tenant_id)
            logger.warning("Subscription %s in error after %d attempt(s): %s",
                           subscription.uuid, delivery.attempts, error)
        else:
            wait = wait_before(delivery.attempts)
            delivery.next_attempt_at = delivery.last_attempt_at + timedelta(seconds=wait)
        delivery.save(update_fields=["attempts", "last_attempt_at", "last_status_code",
                                     "last_error", "status", "delivered_at", "next_attempt_at"])
    return wait


def deliver_due(grace: timedelta) -> int:
    """Queue the pending deliveries due for more than `grace`: never tried, or whose next
    attempt is past. With workers a retry is on its way and `grace` (minutes) only catches
    the lost ones (a broker down at commit, a purged queue); without a broker (`make demo`)
    nothing retries by itself and a grace of 0 sends what is due. Idempotent: a delivery sent
    meanwhile is not sent again."""
    since = timezone.now() - grace
    due = SubscriptionDelivery.objects.filter(status=DeliveryStatus.PENDING).filter(
        Q(attempts=0, created_at__lte=since) | Q(next_attempt_at__lte=since))
    count = 0
    for delivery_id in due.values_list("pk", flat=True).order_by("pk"):
        queue_delivery(delivery_id)
        count += 1
    return count
