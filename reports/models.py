"""Template overrides (a scheme changes a report's layout without a deploy) and the PDFs rendered
in the background."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReportDefinition(models.Model):
    """A template that replaces a report's default between two dates, for one tenant (or all
    tenants when empty)."""

    tenant_path = "tenant"

    name = models.CharField(max_length=100, db_index=True)
    tenant = models.ForeignKey("core.Tenant", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    template = models.TextField()
    valid_from = models.DateField(default=timezone.localdate)
    valid_to = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-valid_from", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} from {self.valid_from}"


class ReportOutput(models.Model):
    """A report rendered in the background (`renderReport`), kept for the user who asked until
    `expires_at`: a long report is not rendered inside a web request, and the PDF is in the
    database every web and worker machine shares, not on one machine's disk."""

    tenant_path = "tenant"
    workflow_fields = "__all__"  # written by the render only

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("core.Tenant", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    name = models.CharField(max_length=100)
    params = models.JSONField(default=dict)
    filename = models.CharField(max_length=255)
    pdf = models.BinaryField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} for {self.user_id} at {self.created_at:%Y-%m-%d %H:%M}"
