import os
import time
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core.demo import DemoSize, seed_demo


class Command(BaseCommand):
    help = ("Load the demo tenants, users and registers (demo databases only: refuses when "
            "DEBUG is off). Deterministic for a --seed and --today.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--insurees", type=int, default=300,
                            help="Insurees of the first tenant (the second gets a tenth).")
        parser.add_argument("--facilities", type=int, default=12)
        parser.add_argument("--claims", type=int, default=200,
                            help="Demo claims of the first tenant, in every status (the second "
                                 "gets a tenth); added by the claims module when it is loaded.")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--today", type=date.fromisoformat, default=None,
                            help="Reference date of policies (default: today), YYYY-MM-DD.")
        parser.add_argument("--no-progress", action="store_true")
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
        size = DemoSize(insurees=options["insurees"], facilities=options["facilities"],
                        claims=options["claims"], seed=options["seed"], today=options["today"])
        total = size.insurees + size.second_tenant().insurees
        started = time.perf_counter()
        with tqdm(total=total, unit=" insurees", disable=options["no_progress"],
                  file=self.stderr._out, leave=False) as bar:
            users, seeded = seed_demo(size, progress=bar.update)
        elapsed = time.perf_counter() - started
        for tenant_code, result in seeded.items():
            if not result.total:
                self.stdout.write(f"{tenant_code}: demo data kept as it was.")
                continue
            counts = ", ".join(f"{n:,} {name}" for name, n in result.counts.items())
            self.stdout.write(f"{tenant_code}: {counts}")
        rows = sum(r.total for r in seeded.values())
        if rows:
            self.stdout.write(f"{rows:,} rows in {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s)")
        port = os.environ.get("PORT", "8000")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Users (demo database only):"))
        for demo, created in users:
            state = "created" if created else "kept"
            self.stdout.write(
                f"  {demo.username:<9} / {demo.password:<12} {demo.tenant_code}  {demo.what} "
                f"[{state}]"
            )
        self.stdout.write(f"GraphQL endpoint: http://127.0.0.1:{port}/api/graphql")
