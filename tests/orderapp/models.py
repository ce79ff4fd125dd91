from django.db import models
from django.utils import timezone

from openimis_approval.orders import ApprovableOrder


class LabOrder(ApprovableOrder):
    tenant_path = "tenant"

    tenant = models.ForeignKey("core.Tenant", on_delete=models.PROTECT, related_name="+")
    insuree = models.ForeignKey("core.Insuree", on_delete=models.PROTECT, related_name="+")
    test_code = models.CharField(max_length=20)
    ordered_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Lab order {self.test_code}"
