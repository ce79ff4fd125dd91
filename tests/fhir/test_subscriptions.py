"""Rest-hook subscriptions: CRUD on the caller's tenant only, and notifications to a real local
HTTP receiver when a claim's or an approval's status changes (tasks run in the process without
a broker): the subscription's headers, the resource as FHIR, retries recorded, nothing twice."""

from __future__ import annotations

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from api_fhir_r4 import delivery as delivery_module
from api_fhir_r4.models import Subscription, SubscriptionDelivery
from api_fhir_r4.tasks import deliver_notification
from core.models import ModuleConfiguration
from openimis_approval import services as approvals
from openimis_approval.models import ApprovalRequest
from openimis_claim import signals as claim_signals
from openimis_claim.services import submit_claims
from tests.factories import make_claim, make_claim_scene, make_facility
from tests.fhir.client import call, validate
from tests.fhir.test_pas import PAS_RIGHTS, pas_bundle

pytestmark = pytest.mark.django_db

MANAGE = 191001
CLAIM_READ = 111001


class Receiver:
    """An HTTP endpoint on 127.0.0.1 that records every request and answers the statuses it
    is given in turn (200 once they run out)."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                receiver.received.append({"path": self.path, "headers": dict(self.headers),
                                          "body": json.loads(body) if body else None})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook?from=openimis"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def private_endpoints(db):
    ModuleConfiguration.objects.create(module="api_fhir_r4", layer="be", config={
        "subscription_allow_private_endpoints": True, "subscription_max_attempts": 3,
        "subscription_retry_seconds": 1})


@pytest.fixture
def scene(tenant, make_user):
    scene = make_claim_scene(tenant)
    scene.user = make_user(superuser=True, username="officer")
    return scene


@pytest.fixture
def manager(make_user):
    return make_user([MANAGE, CLAIM_READ, *PAS_RIGHTS], username="hook-manager")


def subscription_body(endpoint: str, criteria: str = "Claim", **fields) -> dict:
    return {"resourceType": "Subscription", "status": "requested",
            "reason": "Tell the hospital system", "criteria": criteria,
            "channel": {"type": "rest-hook", "endpoint": endpoint,
                        "payload": "application/fhir+json",
                        "header": ["Authorization: Bearer hook-secret", "X-Scheme: T1"]},
            **fields}


def subscribe(client, user, endpoint: str, criteria: str = "Claim", **fields) -> dict:
    answer = call(client, "POST", "Subscription/", subscription_body(endpoint, criteria,
                                                                     **fields), user=user)
    assert answer.status == 201, answer.body
    return answer.body


def a_claim(scene, facility=None):
    return make_claim(scene.insuree.tenant, insuree=scene.insuree,
                      health_facility=facility or scene.facility, icd=scene.diagnosis,
                      items=[(scene.item, 2, "2.50")], services=[scene.service])


def submit(scene, claim, capture) -> None:
    with capture(execute=True):
        outcome = submit_claims(scene.user, [str(claim.uuid)])
    assert outcome.errors == []


# --- CRUD ------------------------------------------------------------------------------------


def test_a_subscription_is_created_read_updated_and_deleted(client, manager, private_endpoints,
                                                            receiver):
    created = call(client, "POST", "Subscription", subscription_body(
        receiver.url, "Claim?status=checked,rejected", end="2030-01-01T00:00:00+00:00"),
        user=manager)

    assert created.status == 201
    sid = created.body["id"]
    assert created.headers["Location"] == f"Subscription/{sid}"
    assert {k: v for k, v in created.body.items() if k not in ("id", "meta")} == {
        "resourceType": "Subscription", "status": "active", "reason": "Tell the hospital system",
        "criteria": "Claim?status=checked,rejected", "end": "2030-01-01T00:00:00+00:00",
        "channel": {"type": "rest-hook", "endpoint": receiver.url,
                    "payload": "application/fhir+json",
                    "header": ["Authorization: ***", "X-Scheme: ***"]}}
    assert call(client, "GET", f"Subscription/{sid}", user=manager).body == created.body
    listed = call(client, "GET", "Subscription/", user=manager, params={"status": "active"})
    assert [e["resource"]["id"] for e in listed.body["entry"]] == [sid]

    off = subscription_body(receiver.url, "Claim", status="off", id=sid)
    updated = call(client, "PUT", f"Subscription/{sid}", off, user=manager)
    assert (updated.status, updated.body["status"], updated.body["criteria"]) == \
        (200, "off", "Claim")

    assert call(client, "DELETE", f"Subscription/{sid}", user=manager).status == 204
    assert call(client, "GET", f"Subscription/{sid}", user=manager).status == 404
    assert Subscription.objects.get(uuid=sid).validity_to is not None  # kept, off


def test_subscriptions_are_the_tenants_own(client, manager, make_user, other_tenant,
                                           private_endpoints, receiver):
    mine = subscribe(client, manager, receiver.url)
    stranger = make_user([MANAGE], tenant=other_tenant)

    assert call(client, "GET", "Subscription/", user=stranger).body["total"] == 0
    for method, body in (("GET", None), ("PUT", subscription_body(receiver.url)),
                         ("DELETE", None)):
        assert call(client, method, f"Subscription/{mine['id']}", body,
                    user=stranger).status == 404
    assert Subscription.objects.get(uuid=mine["id"]).validity_to is None


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_anonymous_and_unentitled_callers_are_refused(client, make_user, manager, method,
                                                      private_endpoints, receiver):
    existing = subscribe(client, manager, receiver.url)
    path = "Subscription/" if method in ("GET", "POST") else f"Subscription/{existing['id']}"
    body = subscription_body(receiver.url) if method in ("POST", "PUT") else None

    assert call(client, method, path, body).status == 401
    assert call(client, method, path, body, user=make_user([CLAIM_READ])).status == 403
    assert Subscription.objects.count() == 1


@pytest.mark.parametrize(("change", "message"), [
    ({"criteria": "Patient"}, "Subscription.criteria must be on Claim or ClaimResponse, not "
                              "'Patient'"),
    ({"criteria": "Claim?status=lost"}, "Subscription.criteria: unknown status 'lost'; known: "
                                        "rejected, entered, checked, processed, valuated"),
    ({"criteria": "Claim?use=preauthorization&status=GONE"}, None),
    ({"criteria": "Claim?colour=red"}, None),
    ({"criteria": "Claim?provider=NOSUCH"}, "Subscription.criteria: no such provider "
                                            "'NOSUCH'"),
    ({"status": "error"}, "Subscription.status must be requested, active or off"),
    ({"reason": ""}, None),
    ({"end": "tomorrow"}, None),
    ({"channel": {"type": "rest-hook", "endpoint": "ftp://files.example.org/in"}},
     "channel.endpoint must be an http or https URL"),
    ({"channel": {"type": "rest-hook", "endpoint": "https://user:pw@hooks.example.org/"}},
     None),
    ({"channel": {"type": "rest-hook", "endpoint": "http://localhost:8000/hook"}},
     "channel.endpoint must be a public address"),
    ({"channel": {"type": "rest-hook", "endpoint": "http://10.1.2.3/hook"}},
     "channel.endpoint must be a public address"),
    ({"channel": {"type": "rest-hook", "endpoint": "http://[::1]/hook"}},
     "channel.endpoint must be a public address"),
    ({"channel": {"type": "rest-hook", "endpoint": "https://93.184.216.34/",
                  "header": ["Host: evil.example.org"]}}, "channel.header cannot set Host"),
    ({"channel": {"type": "rest-hook", "endpoint": "https://93.184.216.34/",
                  "header": ["X-Bad: one\r\nX-Injected: two"]}}, None),
    ({"channel": {"type": "email", "endpoint": "mailto:a@example.org"}},
     "Only rest-hook channels are offered here"),
    ({"channel": {"type": "rest-hook", "endpoint": "https://93.184.216.34/",
                  "payload": "application/xml"}}, None),
    ({"channel": "rest-hook"}, "Subscription.channel is required"),
])
def test_a_bad_subscription_is_refused(client, manager, scene, change, message):
    body = {**subscription_body("https://93.184.216.34/hook"), **change}

    answer = call(client, "POST", "Subscription/", body, user=manager)

    assert answer.status in (400, 422)
    if message:
        assert answer.issues == [message]
    assert Subscription.objects.count() == 0


def test_a_public_endpoint_is_accepted_without_the_private_setting(client, manager):
    assert call(client, "POST", "Subscription/", subscription_body(
        "https://93.184.216.34:8443/fhir/hook"), user=manager).status == 201


def test_header_values_are_never_shown_and_survive_a_read_and_write_back(
        client, manager, scene, private_endpoints, receiver, django_capture_on_commit_callbacks):
    created = subscribe(client, manager, receiver.url, "Claim?status=checked")
    read = call(client, "GET", f"Subscription/{created['id']}", user=manager).body
    assert "hook-secret" not in json.dumps(read)

    written = call(client, "PUT", f"Subscription/{created['id']}", read, user=manager)
    submit(scene, a_claim(scene), django_capture_on_commit_callbacks)

    assert written.status == 200
    assert Subscription.objects.get().headers == ["Authorization: Bearer hook-secret",
                                                  "X-Scheme: T1"]
    (posted,) = receiver.received
    assert posted["headers"]["Authorization"] == "Bearer hook-secret"


def test_a_masked_header_without_a_stored_value_is_refused(client, manager):
    body = subscription_body("https://93.184.216.34/hook")
    body["channel"]["header"] = ["Authorization: ***"]

    answer = call(client, "POST", "Subscription/", body, user=manager)

    assert answer.status == 400
    assert answer.issues == ["channel.header Authorization has no value to keep"]


# --- Notifications ---------------------------------------------------------------------------


def test_a_submitted_claim_is_posted_with_the_subscriptions_headers(
        client, manager, scene, private_endpoints, receiver, django_capture_on_commit_callbacks):
    subscribe(client, manager, receiver.url, "Claim?status=checked")
    claim = a_claim(scene)

    submit(scene, claim, django_capture_on_commit_callbacks)

    (posted,) = receiver.received
    assert posted["path"] == "/hook?from=openimis"
    assert posted["headers"]["Authorization"] == "Bearer hook-secret"
    assert posted["headers"]["X-Scheme"] == "T1"
    assert posted["headers"]["Content-Type"] == "application/fhir+json"
    validate(posted["body"])
    response = posted["body"] if posted["body"]["resourceType"] == "ClaimResponse" else \
        posted["body"]["entry"][0]["resource"]
    assert (response["resourceType"], response["id"]) == ("ClaimResponse", str(claim.uuid))
    row = SubscriptionDelivery.objects.get()
    assert (row.event, row.resource_type, row.resource_id, row.status, row.attempts,
            row.last_status_code) == ("claim_submitted", "Claim", str(claim.uuid),
                                      "delivered", 1, 200)


def test_only_matching_subscriptions_of_the_claims_tenant_are_told(
        client, manager, scene, tenant, make_user, other_tenant, private_endpoints, receiver,
        django_capture_on_commit_callbacks):
    make_facility(tenant, code="HF2")
    subscribe(client, manager, receiver.url, "Claim?status=rejected")
    subscribe(client, manager, receiver.url, "Claim?provider=HF2")
    subscribe(client, manager, receiver.url, "Claim?use=preauthorization")
    subscribe(client, make_user([MANAGE, CLAIM_READ], tenant=other_tenant), receiver.url)
    told = subscribe(client, manager, receiver.url,
                     f"Claim?provider=Organization/{scene.facility.uuid}")

    submit(scene, a_claim(scene), django_capture_on_commit_callbacks)

    assert len(receiver.received) == 1
    assert [str(u) for u in SubscriptionDelivery.objects.values_list("subscription__uuid",
                                                                     flat=True)] == [told["id"]]


def test_a_facility_users_subscription_hears_only_its_facility(
        client, make_user, scene, tenant, private_endpoints, receiver,
        django_capture_on_commit_callbacks):
    clerk = make_user([MANAGE, CLAIM_READ])
    clerk.health_facility = make_facility(tenant, code="HF2")
    clerk.save()
    subscribe(client, clerk, receiver.url)

    submit(scene, a_claim(scene), django_capture_on_commit_callbacks)

    assert receiver.received == []


def test_one_change_is_notified_once_whatever_signals_it_sends(
        client, manager, scene, private_endpoints, receiver, django_capture_on_commit_callbacks):
    subscribe(client, manager, receiver.url)
    scene.item.requires_preauthorization = True  # the claim's every line is refused...
    scene.item.save(update_fields=["requires_preauthorization"])
    claim = make_claim(scene.insuree.tenant, insuree=scene.insuree,
                       health_facility=scene.facility, icd=scene.diagnosis, items=[scene.item])

    submit(scene, claim, django_capture_on_commit_callbacks)  # ... rejected and submitted
    claim.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        claim_signals.claim_reviewed.send(sender=type(claim), claim=claim, user=scene.user)

    assert len(receiver.received) == 1
    assert SubscriptionDelivery.objects.get().event == "claim_rejected"


def test_an_approval_decided_is_posted_as_the_pas_response(
        client, manager, scene, private_endpoints, receiver, django_capture_on_commit_callbacks):
    subscribe(client, manager, receiver.url, "Claim?use=preauthorization&status=APPROVED")
    with django_capture_on_commit_callbacks(execute=True):
        assert call(client, "POST", "Claim/$submit", pas_bundle(), user=manager).status == 200
    assert receiver.received == []  # submitted: not what it follows
    request = ApprovalRequest.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        approvals.start_review(scene.user, [str(request.uuid)])
        approvals.decide_request(scene.user, {"uuid": str(request.uuid), "decision": "APPROVE"})

    (posted,) = receiver.received
    assert posted["headers"]["Authorization"] == "Bearer hook-secret"
    bundle = validate(posted["body"])
    response = bundle["entry"][0]["resource"]
    request.refresh_from_db()
    assert (bundle["type"], response["resourceType"], response["preAuthRef"],
            response["outcome"]) == ("collection", "ClaimResponse",
                                     request.authorization_number, "complete")
    assert [item["itemSequence"] for item in response["item"]] == [10, 20]
    assert SubscriptionDelivery.objects.get().event == "approval_status_changed"


def test_moves_of_one_transaction_are_sent_once_with_the_last_state(
        client, manager, scene, private_endpoints, receiver, django_capture_on_commit_callbacks):
    ModuleConfiguration.objects.create(module="approval", layer="be",
                                       config={"auto_approve_priorities": ["ROUTINE"]})
    subscribe(client, manager, receiver.url, "ClaimResponse?use=preauthorization")

    with django_capture_on_commit_callbacks(execute=True):
        call(client, "POST", "Claim/$submit", pas_bundle(), user=manager)

    (posted,) = receiver.received  # submitted, then approved by the rules: one notification
    assert posted["body"]["entry"][0]["resource"]["disposition"] == "APPROVED"
    assert SubscriptionDelivery.objects.get().event_key.endswith("@v2")


def retry_due() -> str:
    """What `fhir_deliver_pending --older-than-minutes 0` does once the next attempts are due
    (without a broker nothing else retries)."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    SubscriptionDelivery.objects.filter(next_attempt_at__isnull=False).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1))
    out = io.StringIO()
    call_command("fhir_deliver_pending", "--older-than-minutes", "0", stdout=out)
    return out.getvalue()


def test_without_a_broker_one_attempt_is_made_in_the_request_and_the_next_one_is_due_later(
        client, manager, scene, private_endpoints, receiver, django_capture_on_commit_callbacks):
    subscribe(client, manager, receiver.url)
    receiver.statuses = [500]

    submit(scene, a_claim(scene), django_capture_on_commit_callbacks)

    row = SubscriptionDelivery.objects.get()
    assert (len(receiver.received), row.status, row.attempts) == (1, "pending", 1)
    wait = (row.next_attempt_at - row.last_attempt_at).total_seconds()
    assert wait == 1  # subscription_retry_seconds (the fixture sets 1)
    assert retry_due() == "1 pending notification(s) queued\n"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == ("delivered", 2, None)


def test_a_failing_receiver_is_retried_and_each_attempt_recorded(
        client, manager, scene, private_endpoints, receiver, django_capture_on_commit_callbacks):
    subscription = subscribe(client, manager, receiver.url)
    receiver.statuses = [500, 500, 500]

    submit(scene, a_claim(scene), django_capture_on_commit_callbacks)
    retry_due()
    retry_due()

    assert len(receiver.received) == 3  # subscription_max_attempts
    row = SubscriptionDelivery.objects.get()
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == \
        ("failed", 3, 500, "The endpoint answered HTTP 500")
    shown = call(client, "GET", f"Subscription/{subscription['id']}", user=manager).body
    assert (shown["status"], shown["error"]) == ("error", "The endpoint answered HTTP 500")

    receiver.received.clear()
    submit(scene, a_claim(scene), django_capture_on_commit_callbacks)
    assert receiver.received == []  # in error: told nothing until resumed


def test_a_receiver_that_recovers_gets_it_on_a_later_attempt(
        client, manager, scene, private_endpoints, receiver, django_capture_on_commit_callbacks):
    subscribe(client, manager, receiver.url)
    receiver.statuses = [503]

    submit(scene, a_claim(scene), django_capture_on_commit_callbacks)
    retry_due()

    assert len(receiver.received) == 2
    row = SubscriptionDelivery.objects.get()
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == \
        ("delivered", 2, 200, "")


def test_a_delivered_notification_is_not_sent_twice(
        client, manager, scene, private_endpoints, receiver, django_capture_on_commit_callbacks):
    subscribe(client, manager, receiver.url)
    submit(scene, a_claim(scene), django_capture_on_commit_callbacks)
    row = SubscriptionDelivery.objects.get()

    deliver_notification.delay(row.pk)  # a redelivered message
    assert delivery_module.attempt(row.pk) is None

    assert len(receiver.received) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("delivered", 1)


def test_an_unreachable_endpoint_is_an_attempt_that_failed(
        client, manager, scene, private_endpoints, receiver, django_capture_on_commit_callbacks):
    subscribe(client, manager, "http://127.0.0.1:9/closed")

    submit(scene, a_claim(scene), django_capture_on_commit_callbacks)
    retry_due()
    retry_due()

    row = SubscriptionDelivery.objects.get()
    assert (row.status, row.attempts, row.last_status_code) == ("failed", 3, None)
    assert row.last_error.startswith("No answer from the endpoint")


def test_a_private_address_is_not_posted_to_once_the_setting_is_off(
        client, manager, scene, private_endpoints, receiver, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    subscribe(client, manager, receiver.url)
    ModuleConfiguration.objects.filter(module="api_fhir_r4").update(config={
        "subscription_max_attempts": 1})
    cache.clear()

    submit(scene, a_claim(scene), django_capture_on_commit_callbacks)

    assert receiver.received == []
    assert SubscriptionDelivery.objects.get().last_error == "127.0.0.1 is not a public address"


def test_what_the_creator_may_no_longer_read_is_not_sent(
        client, manager, scene, private_endpoints, receiver, django_capture_on_commit_callbacks):
    subscribe(client, manager, receiver.url)
    manager.roles.all().delete()

    submit(scene, a_claim(scene), django_capture_on_commit_callbacks)

    assert receiver.received == []
    row = SubscriptionDelivery.objects.get()
    assert (row.status, row.attempts) == ("failed", 1)
    assert "no longer holds the right" in row.last_error


def test_a_rolled_back_change_notifies_nobody(client, manager, scene, private_endpoints,
                                              receiver, django_capture_on_commit_callbacks):
    from django.db import transaction

    subscribe(client, manager, receiver.url)
    claim = a_claim(scene)

    def submit_then_give_up() -> None:
        with transaction.atomic():
            submit_claims(scene.user, [str(claim.uuid)])
            raise RuntimeError("the caller gives up")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        submit_then_give_up()

    assert receiver.received == []
    assert SubscriptionDelivery.objects.count() == 0


def test_a_notification_whose_task_was_lost_is_sent_by_the_command(
        client, manager, scene, private_endpoints, receiver):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    subscribe(client, manager, receiver.url)
    submit_claims(scene.user, [str(a_claim(scene).uuid)])  # committed callbacks never run here
    SubscriptionDelivery.objects.update(created_at=timezone.now() - timedelta(minutes=30))

    out = io.StringIO()
    call_command("fhir_deliver_pending", stdout=out)

    assert out.getvalue() == "1 pending notification(s) queued\n"
    assert len(receiver.received) == 1
    assert SubscriptionDelivery.objects.get().status == "delivered"
