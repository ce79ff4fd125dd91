"""The framework's code tables (the registers' own: `core.registers.codes`)."""

from django.db import models


class MutationStatus(models.IntegerChoices):
    RECEIVED = 0, "received"
    ERROR = 1, "error"
    SUCCESS = 2, "success"
