"""Per tenant, approval decisions past their deadline and follow-ups due (run hourly; the
periodic job's twin). Reads only: the lists and the dashboard show both from live data."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core.models import User
from openimis_approval.services import deadlines_passed


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", required=True,
                            help="Acting user: the tenants counted are those it reaches.")

    def handle(self, *args, user: str, **options) -> None:
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {user}")
        rows = deadlines_passed(actor)
        for row in rows:
            self.stdout.write(f"{row.tenant}: {row.overdue_decisions} decisions overdue, "
                              f"{row.follow_ups_due} follow-ups due")
        if not rows:
            self.stdout.write("No decision overdue, no follow-up due")
