"""Core code tables (one place each; everything else imports them)."""

from django.db import models


class MutationStatus(models.IntegerChoices):
    RECEIVED = 0, "received"
    ERROR = 1, "error"
    SUCCESS = 2, "success"
