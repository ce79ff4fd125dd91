"""`Subscription` (FHIR R4, rest-hook): a tenant's subscriptions to claim and approval changes
(`api_fhir_r4.subscriptions` has the criteria and the rules for endpoints and headers).

Search, read, create (POST), update (PUT) and delete (DELETE), all with the module's
subscriptions right, on the caller's tenant only. A subscription asked for as `requested` or
`active` is active at once (no handshake); `off` stops it; the server sets `error` when a
notification could not be delivered, and a PUT with `active` resumes it. A deleted
subscription is kept, off, with its deliveries, and no longer shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from api_fhir_r4 import subscriptions
from api_fhir_r4.errors import FhirError
from api_fhir_r4.models import Subscription, SubscriptionStatus
from api_fhir_r4.resources.base import Context, FhirResource, register

RIGHTS = (("api_fhir_r4", "gql_mutation_subscriptions_perms"),)
FHIR_JSON = "application/fhir+json"


def _end(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        end = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise FhirError(400, "Subscription.end must be an instant with a time zone",
                        expression="end") from None
    if timezone.is_naive(end):
        raise FhirError(400, "Subscription.end must be an instant with a time zone",
                        expression="end")
    return end


def _short_text(body: dict[str, Any], name: str, required: bool = False) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip() or len(value) > 255:
        raise FhirError(400, f"Subscription.{name} is required, up to 255 characters",
                        expression=name)
    return value.strip()


@register
class SubscriptionResource(FhirResource):
    type_name = "Subscription"
    read_rights = RIGHTS
    write_rights = RIGHTS
    search_params = frozenset({"status", "url", "criteria"})

    def rows(self, ctx: Context) -> QuerySet:
        rows = subscriptions.subscriptions_of(ctx.user)
        if ctx.params.get("status"):
            rows = rows.filter(status=ctx.params["status"])
        if ctx.params.get("url"):
            rows = rows.filter(endpoint=ctx.params["url"])
        if ctx.params.get("criteria"):
            rows = rows.filter(criteria=ctx.params["criteria"])
        return rows.order_by("pk")

    def render(self, row: Subscription, ctx: Context) -> dict[str, Any]:
        channel: dict[str, Any] = {"type": "rest-hook", "endpoint": row.endpoint}
        if row.payload:
            channel["payload"] = row.payload
        if row.headers:
            channel["header"] = subscriptions.masked_headers(row.headers)
        resource: dict[str, Any] = {
            "resourceType": "Subscription",
            "id": str(row.uuid),
            "meta": {"lastUpdated": row.updated_at.isoformat()},
            "status": row.status,
            "reason": row.reason,
            "criteria": row.criteria,
            "channel": channel,
        }
        if row.end is not None:
            resource["end"] = row.end.isoformat()
        if row.error:
            resource["error"] = row.error
        return resource

    def _apply(self, ctx: Context, row: Subscription, body: dict[str, Any]) -> None:
        """The client's fields onto `row`, checked (FhirError 400 naming the element)."""
        if body.get("resourceType") != "Subscription":
            raise FhirError(400, "The body must be a Subscription", expression="resourceType")
        status = body.get("status")
        if status not in (SubscriptionStatus.REQUESTED, SubscriptionStatus.ACTIVE,
                          SubscriptionStatus.OFF):
            raise FhirError(400, "Subscription.status must be requested, active or off",
                            expression="status")
        criteria = subscriptions.parse_criteria(body.get("criteria"))
        subscriptions.criteria_facility(ctx.user, criteria)
        channel = body.get("channel")
        if not isinstance(channel, dict):
            raise FhirError(400, "Subscription.channel is required", expression="channel")
        if channel.get("type") != "rest-hook":
            raise FhirError(422, "Only rest-hook channels are offered here",
                            expression="channel.type")
        payload = channel.get("payload")
        if payload not in (None, FHIR_JSON):
            raise FhirError(422, f"channel.payload must be {FHIR_JSON} (or absent: a "
                            f"notification without a body)", expression="channel.payload")
        row.status = SubscriptionStatus.OFF if status == SubscriptionStatus.OFF else \
            SubscriptionStatus.ACTIVE
        row.reason = _short_text(body, "reason", required=True)
        row.criteria = body["criteria"].strip()
        row.endpoint = subscriptions.check_endpoint(channel.get("endpoint"))
        row.headers = subscriptions.check_headers(channel.get("header"), kept=row.headers)
        row.payload = payload or ""
        row.end = _end(body.get("end"))
        row.error = ""
        row.updated_at = timezone.now()

    def create(self, ctx: Context, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if ctx.user.tenant_id is None:
            raise FhirError(422, "A subscription belongs to a scheme: sign in as one of its "
                            "users")
        row = Subscription(tenant_id=ctx.user.tenant_id, created_by=ctx.user,
                           base_url=ctx.base_url)
        self._apply(ctx, row, body)
        row.save()
        subscriptions.forget_subscriptions(row.tenant_id)
        return 201, self.render(row, ctx)

    def update(self, ctx: Context, resource_id: str,
               body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        row = self.find(ctx, resource_id)
        if body.get("id") not in (None, str(row.uuid)):
            raise FhirError(400, "Subscription.id differs from the id in the URL",
                            expression="id")
        self._apply(ctx, row, body)
        row.save()
        subscriptions.forget_subscriptions(row.tenant_id)
        return 200, self.render(row, ctx)

    def delete(self, ctx: Context, resource_id: str) -> None:
        row = self.find(ctx, resource_id)
        row.status = SubscriptionStatus.OFF
        row.validity_to = row.updated_at = timezone.now()
        row.save(update_fields=["status", "validity_to", "updated_at"])
        subscriptions.forget_subscriptions(row.tenant_id)
