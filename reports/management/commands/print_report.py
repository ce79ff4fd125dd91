"""Render a report to a PDF file, as a given user (their rights and tenant apply):

    manage.py print_report claim_print --user clerk --param uuid=<claim uuid> --out claim.pdf
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.models import User
from reports.registry import ReportNotFound, ReportParameterError
from reports.rendering import ReportRenderError
from reports.services import ReportForbidden, UnknownReport, render


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        parser.add_argument("report")
        parser.add_argument("--user", required=True)
        parser.add_argument("--param", action="append", default=[], help="name=value")
        parser.add_argument("--out", required=True, type=Path)

    def handle(self, *args, report: str, user: str, param: list[str], out: Path,
               **options) -> None:
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {user}")
        params = dict(item.split("=", 1) for item in param if "=" in item)
        try:
            rendered = render(actor, report, params)
        except UnknownReport as exc:
            raise CommandError(str(exc)) from None
        except ReportForbidden:
            raise CommandError(f"{user} may not run {report}") from None
        except ReportNotFound:
            raise CommandError("Not found") from None
        except (ReportParameterError, ReportRenderError) as exc:
            raise CommandError(str(exc)) from None
        out.write_bytes(rendered.pdf)
        self.stdout.write(f"{out} ({len(rendered.pdf):,} bytes)")
