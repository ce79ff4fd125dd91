"""The month's valuation (batch run) for a tenant: relative-priced lines paid from the products'
pools; refuses a period already run."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.gql.errors import MutationError
from core.models import Tenant, User
from core.registers.models import Location
from core.rights import rights_codes
from openimis_claim.services.valuation import run_valuation


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tenant", required=True, help="Tenant code.")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--month", type=int, required=True)
        parser.add_argument("--location", help="Region or district code (default: all).")
        parser.add_argument("--user", required=True, help="Acting user, with the valuation "
                                                          "right.")

    def handle(self, *args, tenant: str, year: int, month: int, location: str | None,
               user: str, **options) -> None:
        tenant_row = Tenant.objects.filter(code=tenant).first()
        actor = User.objects.filter(username=user, is_active=True).first()
        if tenant_row is None or actor is None or actor.tenant_id not in (None, tenant_row.pk):
            raise CommandError(f"No tenant {tenant} with an active user {user}")
        if not actor.has_rights(*rights_codes("claim", "gql_mutation_valuate_claim_perms")):
            raise CommandError(f"{user} may not run valuations")
        place = None
        if location:
            place = Location.objects.filter(tenant=tenant_row, code=location,
                                            validity_to__isnull=True).first()
            if place is None:
                raise CommandError(f"No location {location}")
        try:
            with transaction.atomic():
                run = run_valuation(actor, tenant_row, year, month, place)
        except MutationError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Batch run {run.pk} ({year}-{month:02d}): {run.claims_count:,} claims "
                          f"valuated, {run.valuated_total} in all")
        for product, figures in run.totals.items():
            self.stdout.write(f"  product {product}: pool {figures['pool']}, relative total "
                              f"{figures['relativeTotal']}, index {figures['index']}, "
                              f"{figures['lines']} lines")
