"""Information requests past their deadline are denied or flagged for review, as the approval
setting `info_request_expiry` says (run hourly; the periodic job's twin)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.models import User
from openimis_approval.services import expire_info_requests


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", required=True, help="Acting user, recorded in history.")

    def handle(self, *args, user: str, **options) -> None:
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {user}")
        with transaction.atomic():
            count = expire_info_requests(actor)
        self.stdout.write(f"{count} information requests past their deadline settled")
