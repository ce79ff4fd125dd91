from django.core.management.base import BaseCommand, CommandError

from core.models import Tenant
from core.roles import SHIPPED_ROLES, seed_roles


class Command(BaseCommand):
    help = ("Create or update the roles a scheme ships (" +
            ", ".join(role.name for role in SHIPPED_ROLES) +
            ") in a tenant, with the rights the loaded modules give them, as configured now.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tenant", action="append", required=True, metavar="CODE",
                            help="The tenant's code; give it again for more tenants.")

    def handle(self, *args, **options) -> None:
        codes = options["tenant"]
        tenants = {tenant.code: tenant for tenant in Tenant.objects.filter(code__in=codes)}
        missing = [code for code in codes if code not in tenants]
        if missing:
            raise CommandError(f"No tenant {', '.join(missing)}")
        for code in dict.fromkeys(codes):
            for seeded in seed_roles(tenants[code]):
                state = "created" if seeded.created else "updated" if (
                    seeded.added or seeded.removed) else "unchanged"
                line = f"{code}: {seeded.role.name} {state}"
                if seeded.added and not seeded.created:
                    line += f"; added {', '.join(map(str, seeded.added))}"
                if seeded.removed:
                    line += f"; removed {', '.join(map(str, seeded.removed))}"
                self.stdout.write(line)
