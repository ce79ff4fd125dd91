"""Module configuration as stored in the database: the rows `core.config` reads.

In a file of their own, importing nothing of the project: the accessor (`core.config`) imports
them, the rights (`core.rights`) read the accessor and the user (`core.models.framework`) asks the
rights, so these rows sitting beside the user would close a circle.
"""

from __future__ import annotations

from django.db import models


class ModuleConfiguration(models.Model):
    """A module's settings as stored in the database, merged over its `DEFAULT_CFG`.

    `layer` is `be` (back end, never sent to clients) or `fe` (front end; sent to anyone by
    `moduleConfigurations` when `is_exposed`).
    """

    tenant_path = None  # deployment-wide

    class Layer(models.TextChoices):
        BACKEND = "be", "back end"
        FRONTEND = "fe", "front end"

    module = models.CharField(max_length=64)
    layer = models.CharField(max_length=2, choices=Layer.choices, default=Layer.BACKEND)
    version = models.CharField(max_length=10, blank=True)
    config = models.JSONField(default=dict, blank=True)
    is_exposed = models.BooleanField(default=False)
    is_disabled_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["module", "layer"], name="core_module_config_layer")
        ]

    def __str__(self) -> str:
        return f"{self.module} ({self.layer})"


class FieldControl(models.Model):
    """Front-end field visibility (`controls { field usage }` in `moduleConfigurations`)."""

    tenant_path = None

    module_configuration = models.ForeignKey(
        ModuleConfiguration, on_delete=models.CASCADE, related_name="controls"
    )
    field = models.CharField(max_length=250)
    usage = models.CharField(max_length=1)  # openIMIS: M mandatory, O optional, H hidden

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["module_configuration", "field"], name="core_fc_field")
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.usage}"
