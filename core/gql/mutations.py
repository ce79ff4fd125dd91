"""The base of every module mutation: rights, mutation log, signals, one transaction, retries.

A concrete mutation declares its module, its rights key and its input, and implements
`perform(user, data)` by calling a service; everything else happens here:

    class SubmitClaimsMutation(OpenIMISMutation):
        module_name = "claim"
        rights_key = "gql_mutation_submit_claims_perms"

        class Input(OpenIMISMutation.Input):
            uuids = graphene.List(graphene.String)

        @classmethod
        def perform(cls, user, data):
            return services.submit_claims(user, data["uuids"])
"""

from __future__ import annotations

import json
import logging
from typing import Any, ClassVar

import graphene
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import bulk
from core.codes import MutationStatus
from core.db import UniqueViolation, unique_violation
from core.gql.errors import MutationError, error_entry
from core.gql.outcomes import (  # noqa: F401  (their home before core.gql.outcomes)
    INTERNAL_ERROR,
    MutationOutcome,
    mutation_class,
    register_mutation,
    validation_errors,
)
from core.gql.policy import POLICY_ATTR, Policy
from core.metrics import count_mutation
from core.models import MutationLog
from core.signals import mutation_signals

logger = logging.getLogger(__name__)

ABSENT_STRINGS = frozenset({"undefined", "null"})

def clean_input(value: Any) -> Any:
    """Graphene input objects to plain data; the SPA's "undefined"/"null" strings to None."""
    if isinstance(value, dict):
        return {key: clean_input(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_input(item) for item in value]
    if isinstance(value, str) and value in ABSENT_STRINGS:
        return None
    return value


def _without(value: Any, keys: frozenset[str]) -> Any:
    """The input with secret or bulky keys dropped at any depth (nested attachments, ...)."""
    if isinstance(value, dict):
        return {k: _without(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, (list, tuple)):
        return [_without(item, keys) for item in value]
    return value


def _as_json(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _duplicate_entry(violation: UniqueViolation) -> dict[str, Any]:
    """A unique rule broken by a write the service's own checks let through (another request
    saved the same value in the meantime): named, with the fields it concerns."""
    meta = violation.model._meta
    shown = [name for name in violation.fields if name != "tenant"] or list(violation.fields)
    labels = " and ".join(str(meta.get_field(name).verbose_name) if name in
                          {f.name for f in meta.concrete_fields} else name for name in shown)
    return error_entry(f"Another {meta.verbose_name} with the same {labels} was saved first; "
                       f"reload and try again", code="duplicate", detail=", ".join(shown))


class OpenIMISMutation(graphene.relay.ClientIDMutation):
    """Base of all module mutations (see the module docstring)."""

    class Meta:
        abstract = True

    module_name: ClassVar[str]
    rights_key: ClassVar[str | None] = None
    # Input keys kept out of the stored log (secrets, file contents).
    log_exclude: ClassVar[tuple[str, ...]] = ("password", "document")
    # Bulk work over many rows: with a broker it runs in pieces on workers (core.bulk), and
    # `perform` is then called once per piece with that piece's `uuids`.
    bulk: ClassVar[bool] = False

    internal_id = graphene.String(description="The mutation log id, to poll `mutationLogs`.")
    status = graphene.Int(description="0 received, 1 error, 2 success.")
    error = graphene.JSONString(description="The error list, as in the mutation log.")

    class Input:
        client_mutation_label = graphene.String()
        client_mutation_details = graphene.List(graphene.String)

    @classmethod
    def Field(cls, *args, **kwargs) -> graphene.Field:
        mounted = super().Field(*args, **kwargs)
        setattr(mounted, POLICY_ATTR, cls.policy())
        return mounted

    @classmethod
    def __init_subclass_with_meta__(cls, **options):
        # perform(user, data) -> MutationOutcome | None is the service call; it raises
        # MutationError (or ValidationError) to veto.
        if not callable(getattr(cls, "perform", None)):
            raise ImproperlyConfigured(f"{cls.__name__} must define perform(user, data)")
        if not getattr(cls, "module_name", None):
            raise ImproperlyConfigured(f"{cls.__name__} must name its module_name")
        super().__init_subclass_with_meta__(**options)
        register_mutation(cls)

    @classmethod
    def bulk_rows(cls, user, data: dict[str, Any]) -> list[list[str]] | None:
        """The rows a bulk mutation acts on, in groups that workers decide together (one row
        per group unless a mutation says otherwise); None when it cannot be cut (it then runs
        as one piece)."""
        return [[str(uuid)] for uuid in data.get("uuids") or []]

    @classmethod
    def log_content(cls, data: dict[str, Any]) -> dict[str, Any]:
        return _as_json(_without(data, frozenset(cls.log_exclude)))

    @classmethod
    def _payload(cls, log: MutationLog) -> OpenIMISMutation:
        return cls(
            client_mutation_id=log.client_mutation_id,
            internal_id=str(log.id),
            status=log.status,
            error=log.error,
        )

    @classmethod
    def mutate_and_get_payload(cls, root, info, **raw) -> OpenIMISMutation:
        return cls._payload(cls.run(info.context.user, clean_input(raw)))

    @classmethod
    def input_rights(cls, data: dict[str, Any]) -> tuple[str, str] | None:
        """A right the input selects, besides `rights_key`, as (module, rights key): for a
        mutation whose right depends on what it is asked to do (a report's own right)."""
        return None

    @classmethod
    def policy(cls) -> Policy:
        """Who may run it: the same policy whether the call comes from GraphQL or elsewhere."""
        selects = cls.input_rights.__func__ is not OpenIMISMutation.input_rights.__func__
        return Policy(module=cls.module_name, rights_key=cls.rights_key,
                      input_rights=cls.input_rights if selects else None)

    @classmethod
    def run(cls, user, data: dict[str, Any], *, inline: bool = False) -> MutationLog:
        """Log, validate, perform and signal in one transaction, as a GraphQL call does, and
        return the log. The caller has checked the policy already (the GraphQL middleware, an
        admin action). `inline` runs a bulk mutation in this request even with a broker: for a
        caller that must answer with the outcome of a few rows (FHIR's `POST Claim`)."""
        client_mutation_id = data.get("client_mutation_id")

        log, replayed = cls._start_log(user, data, client_mutation_id)
        if replayed:
            count_mutation(log)
            return log

        signals = mutation_signals(cls.module_name)
        try:
            with transaction.atomic():
                errors = cls._validate(signals, user, data)
                if errors:
                    raise MutationError(errors=errors)
                signals.before_mutation.send(sender=cls, user=user, data=data, mutation_log=log)
                if cls.bulk and not inline and bulk.queued():
                    bulk.enqueue(cls, log, user, data)  # workers take it from here
                    return log
                outcome = cls.perform(user, data) or MutationOutcome()
                signals.after_mutation.send(
                    sender=cls, user=user, data=data, mutation_log=log, outcome=outcome
                )
                cls.finish(log, outcome.errors, outcome)
        except MutationError as exc:
            cls.finish(log, exc.errors)
        except ValidationError as exc:
            cls.finish(log, validation_errors(exc))
        except Exception as exc:
            violation = unique_violation(exc) if isinstance(exc, IntegrityError) else None
            if violation is not None:
                # Another request saved the same unique value first: a conflict the user can
                # act on, not a fault.
                cls.finish(log, [_duplicate_entry(violation)])
            else:
                logger.exception("Mutation %s failed (log %s)", cls.__name__, log.id)
                detail = f"{type(exc).__name__}: {exc}" if settings.DEBUG else None
                cls.finish(
                    log, [error_entry("Unexpected error", code=INTERNAL_ERROR, detail=detail)]
                )
        return log

    @classmethod
    def _start_log(
        cls, user, data: dict[str, Any], client_mutation_id: str | None
    ) -> tuple[MutationLog, bool]:
        """The log of this call, or of the first call with the same client id (a replay: True).

        A retry is told by the unique (user, client id) constraint rather than a lookup first:
        one statement per call, committed at once (status received) whatever the mutation
        does next."""
        fields = {
            "client_mutation_label": data.get("client_mutation_label"),
            "client_mutation_details": data.get("client_mutation_details"),
            "json_content": cls.log_content(data),
        }
        log = MutationLog(user=user, module=cls.module_name, mutation=cls.__name__,
                          client_mutation_id=client_mutation_id, **fields)
        try:
            if transaction.get_connection().in_atomic_block:
                # Inside a caller's transaction, a savepoint keeps it usable after a duplicate.
                with transaction.atomic():
                    log.save(force_insert=True)
            else:
                log.save(force_insert=True)
            return log, False
        except IntegrityError:
            pass
        # A retry, or the same client id raced in from another request. The first call's outcome
        # is answered as stored (a success, a business error, or "received" while it runs),
        # unless it failed unexpectedly: then this call takes its log over and runs, so that a
        # transient failure (the database went away) never blocks the retry. One conditional
        # UPDATE decides, so of two retries at once only one runs.
        retried = MutationLog.objects.filter(
            user=user, client_mutation_id=client_mutation_id, mutation=cls.__name__,
            status=MutationStatus.ERROR, error__0__code=INTERNAL_ERROR,
        ).update(
            status=MutationStatus.RECEIVED, error=None, finish_date_time=None, uuids=[],
            autogenerated_code=None, json_ext=None, request_date_time=timezone.now(), **fields,
        )
        log = MutationLog.objects.get(user=user, client_mutation_id=client_mutation_id)
        return log, not retried

    @classmethod
    def validate(cls, user, data: dict[str, Any]) -> list[dict[str, Any]]:
        """The mutation's own checks before anything is done or queued (then the modules'
        validate signal): a bulk mutation's input is refused here, in the request, rather than
        later on a worker."""
        return []

    @classmethod
    def _validate(cls, signals, user, data: dict[str, Any]) -> list[dict[str, Any]]:
        errors: list[dict[str, Any]] = list(cls.validate(user, data))
        for _receiver, response in signals.validate.send(sender=cls, user=user, data=data):
            if response:
                errors.extend(response)
        return errors

    @classmethod
    def finish(
        cls,
        log: MutationLog,
        errors: list[dict[str, Any]],
        outcome: MutationOutcome | None = None,
    ) -> None:
        log.status = MutationStatus.ERROR if errors else MutationStatus.SUCCESS
        log.error = _as_json(errors) if errors else None
        log.finish_date_time = timezone.now()
        if outcome is not None:
            log.uuids = [str(u) for u in outcome.uuids]
            log.autogenerated_code = outcome.autogenerated_code
            log.json_ext = _as_json(outcome.json_ext)
        log.save(
            update_fields=[
                "status", "error", "finish_date_time", "uuids", "autogenerated_code", "json_ext"
            ]
        )
        count_mutation(log)
