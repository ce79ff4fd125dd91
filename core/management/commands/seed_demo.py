import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.demo import seed_demo


class Command(BaseCommand):
    help = "Load the demo tenants and users (demo databases only: refuses when DEBUG is off)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even though DEBUG is off (the passwords are public: never on real data).",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "seed_demo creates users with public passwords; run it with DEBUG=1."
            )
        results = seed_demo()
        port = os.environ.get("PORT", "8000")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Users (demo database only):"))
        for demo, created in results:
            state = "created" if created else "kept"
            self.stdout.write(
                f"  {demo.username:<9} / {demo.password:<12} {demo.tenant_code}  {demo.what} "
                f"[{state}]"
            )
        self.stdout.write(f"GraphQL endpoint: http://127.0.0.1:{port}/api/graphql")
