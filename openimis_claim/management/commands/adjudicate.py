"""Submit or process every claim of a tenant waiting for it, in chunks: each chunk is one
transaction, so a crash leaves each claim either fully done or untouched, and running the command
again carries on with what is left. With `--queue` the work goes to the Celery workers as the
bulk mutation does (a mutation log to follow, pieces run by any number of workers)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from core.codes import MutationStatus
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
        parser.add_argument("--queue", action="store_true",
                            help="Queue the work for the workers (needs CELERY_BROKER_URL) and "
                                 "print the mutation log to follow.")

    def handle(self, *args, step: str, tenant: str, user: str, chunk: int, limit: int | None,
               no_progress: bool, queue: bool = False, **options) -> None:
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
        if queue:
            self._queue(step, actor, uuids)
            return
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

    def _queue(self, step: str, actor: User, uuids: list[str]) -> None:
        from core import bulk
        from openimis_claim.gql.mutations import ProcessClaimsMutation, SubmitClaimsMutation

        if not bulk.queued():
            raise CommandError("--queue needs a broker (CELERY_BROKER_URL)")
        mutation = {"submit": SubmitClaimsMutation, "process": ProcessClaimsMutation}[step]
        log = mutation.run(actor, {"uuids": uuids, "client_mutation_label": f"adjudicate {step}"})
        if log.status == MutationStatus.ERROR:
            raise CommandError(f"{step}: not queued: {log.error}")
        pieces = log.chunks.count()
        self.stdout.write(f"{step}: {len(uuids):,} claims queued in {pieces} "
                          f"piece{'' if pieces == 1 else 's'}; mutation log {log.pk}")
