"""Template overrides: a scheme changes a report's layout without a deploy."""

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
