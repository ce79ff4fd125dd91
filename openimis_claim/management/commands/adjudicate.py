"""Submit or process every claim of a tenant waiting for it, in chunks: each chunk is one
transaction, so a crash leaves each claim either fully done or untouched, and running the command
again carries on with what is left."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from core.models import Tenant, User
from core.rights import rights_codes
from openimis_claim.codes import ClaimStatus
from openimis_claim.models import Claim
from openimis_claim.services import process_claims, submit_claims

STEPS = {
    "submit": (submit_claims, ClaimStatus.ENTERED, "gql_mutation_submit_claims_perms"),
    "process": (process_claims, ClaimStatus.CHECKED, "gql_mutation_process_claims_perms"),
}


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        parser.add_argument("step", choices=sorted(STEPS))
        parser.add_argument("--tenant", required=True, help="Tenant code.")
        parser.add_argument("--user", required=True,
                            help="Acting user (recorded in history); needs the step's right.")
        parser.add_argument("--chunk", type=int, default=2000)
        parser.add_argument("--limit", type=int, default=None, help="At most this many claims.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, step: str, tenant: str, user: str, chunk: int, limit: int | None,
               no_progress: bool, **options) -> None:
        service, status, rights_key = STEPS[step]
        tenant_row = Tenant.objects.filter(code=tenant).first()
        if tenant_row is None:
            raise CommandError(f"No tenant {tenant}")
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None or (actor.tenant_id not in (None, tenant_row.pk)):
            raise CommandError(f"No active user {user} in tenant {tenant}")
        if not actor.has_rights(*rights_codes("claim", rights_key)):
            raise CommandError(f"{user} may not {step} claims")
        waiting = Claim.objects.filter(tenant=tenant_row, status=status,
                                       validity_to__isnull=True).order_by("pk")
        uuids = [str(u) for u in waiting.values_list("uuid", flat=True)[:limit]]
        problems = 0
        with tqdm(total=len(uuids), unit=" claims", disable=no_progress,
                  file=self.stderr._out) as bar:
            for start in range(0, len(uuids), chunk):
                part = uuids[start:start + chunk]
                with transaction.atomic():
                    outcome = service(actor, part)
                problems += len(outcome.errors)
                bar.update(len(part))
        done = Claim.objects.filter(uuid__in=uuids).exclude(status=status)
        self.stdout.write(f"{step}: {done.count():,} of {len(uuids):,} claims moved on; "
                          f"{problems:,} refused")
