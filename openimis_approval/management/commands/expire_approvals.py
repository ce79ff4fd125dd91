"""Granted approvals past their expiration date become EXPIRED (run daily; the periodic job's
twin)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.models import User
from openimis_approval.services import expire_approvals


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", required=True, help="Acting user, recorded in history.")
        parser.add_argument("--on", type=date.fromisoformat, default=None,
                            help="The day to expire for (default: today), YYYY-MM-DD.")

    def handle(self, *args, user: str, on: date | None, **options) -> None:
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {user}")
        with transaction.atomic():
            count = expire_approvals(actor, on)
        self.stdout.write(f"{count} approvals expired")
