"""HTTP endpoints of core: the GraphQL endpoint, the REST current-user view, the health probes and
the Prometheus metrics."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.db import connection, transaction
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt
from graphene_django.constants import MUTATION_ERRORS_FLAG
from graphene_django.settings import graphene_settings
from graphene_django.views import GraphQLView, HttpError
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
    validate_schema,
)
from graphql_jwt.exceptions import JSONWebTokenError

from core import health, metrics
from core.auth import CROSS_SITE_CONTENT_TYPES, is_cross_site
from core.gql.execution import SyncExecutionContext
from core.gql.validation import NoIntrospection, alias_limit_rule, depth_limit_rule
from core.http import json_error, rest_endpoint

logger = logging.getLogger(__name__)

SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")

CROSS_SITE_CONTENT_TYPE_REFUSED = (
    "GraphQL requests must be sent as application/json; "
    "form and plain-text posts are refused (they can come from another site)."
)

# Errors whose message is meant for the client; anything else is an internal failure.
CLIENT_ERRORS = (GraphQLError, JSONWebTokenError, PermissionDenied, ValidationError)


class OpenIMISGraphQLView(GraphQLView):
    """graphene-django's view with the policy middleware and the request limits."""

    assembly = None

    def __init__(self, assembly=None, **kwargs) -> None:
        self.assembly = assembly or self.assembly
        # The policy and the input guard sit in front of the resolvers that need them
        # (core.gql.policy.guard_schema, at assembly): no middleware wraps every field, not
        # even graphene-django's debug middleware, which its settings add when DEBUG is on.
        kwargs.setdefault("schema", self.assembly.schema)
        kwargs.setdefault("middleware", [])
        kwargs.setdefault("execution_context_class", SyncExecutionContext)
        super().__init__(**kwargs)

    def dispatch(self, request, *args, **kwargs):
        # The view's rules replace graphql-core's defaults: keep the specification's rules.
        rules = [
            *specified_rules,
            depth_limit_rule(settings.GRAPHQL_MAX_DEPTH),
            alias_limit_rule(settings.GRAPHQL_MAX_ALIASES),
        ]
        if not settings.DEBUG:
            rules.append(NoIntrospection)
        self.validation_rules = rules
        return super().dispatch(request, *args, **kwargs)

    def parse_body(self, request):
        """The body as graphene-django reads it, but every body it cannot read is a GraphQL-style
        400 (413 when over Django's size limit): graphene-django decodes `application/graphql`
        unchecked, and Django's own refusals (a multipart body without boundary, too many
        fields) would otherwise bypass the GraphQL error format."""
        if request.method == "POST":
            # What another site's page can send: a post from an untrusted origin, and any form
            # or plain-text post (no CORS preflight guards them; the web app sends JSON).
            if is_cross_site(request):
                raise HttpError(HttpResponseForbidden(), "Cross-site request refused.")
            if self.get_content_type(request) in CROSS_SITE_CONTENT_TYPES:
                raise HttpError(HttpResponse(status=415), CROSS_SITE_CONTENT_TYPE_REFUSED)
        try:
            if self.get_content_type(request) in ("application/json", "application/graphql"):
                request.body.decode("utf-8")
            return super().parse_body(request)
        except UnicodeDecodeError:
            raise _bad_request("The request body is not valid UTF-8.") from None
        except RequestDataTooBig:
            raise HttpError(HttpResponse(status=413), "The request body is too large.") from None
        except (MultiPartParserError, SuspiciousOperation, BadRequest):
            raise _bad_request("The request body could not be read.") from None

    @staticmethod
    def get_graphql_params(request, data):
        """`query`, `variables`, `operationName` of the body or query string, each of the type
        the GraphQL-over-HTTP convention gives it, or a 400: graphene-django passes whatever JSON
        arrived (`{"query": 123}`, an object, ...) on to code that expects a string or a
        mapping."""
        query, variables, operation_name, request_id = GraphQLView.get_graphql_params(
            request, data)
        if query is not None and not isinstance(query, str):
            raise _bad_request("query must be a string: the GraphQL document.")
        if variables in (None, ""):
            variables = None
        elif not isinstance(variables, dict):
            raise _bad_request("variables must be a JSON object of variable names and values.")
        if operation_name in (None, ""):
            operation_name = None
        elif not isinstance(operation_name, str):
            raise _bad_request("operationName must be a string: the name of an operation of "
                               "the document.")
        return query, variables, operation_name, request_id

    def can_display_graphiql(self, request, data) -> bool:
        return settings.DEBUG and super().can_display_graphiql(request, data)

    def get_response(self, request, data, show_graphiql=False):
        query = self.get_graphql_params(request, data)[0]
        if query and len(query.encode()) > settings.GRAPHQL_MAX_QUERY_BYTES:
            raise HttpError(
                HttpResponse(status=413),
                f"The query document exceeds {settings.GRAPHQL_MAX_QUERY_BYTES} bytes.",
            )
        result, status = super().get_response(request, data, show_graphiql)
        executed = getattr(request, "_graphql_result", None)
        if executed is not None and _only_token_errors(executed):
            status = 401
        return result, status

    def execute_graphql_request(self, request, data, query, variables, operation_name,
                                show_graphiql=False):
        started = time.perf_counter()
        try:
            result = self._execute(request, query, variables, operation_name, show_graphiql)
        except HttpError:
            raise
        except Exception:  # a validation rule or the parser broke on hostile input
            logger.exception("GraphQL request could not be validated")
            result = ExecutionResult(data=None, errors=[GraphQLError("Invalid request.")])
        request._graphql_result = result
        if result is not None:
            metrics.observe_graphql_request(getattr(request, "_graphql_operation", None),
                                            result, time.perf_counter() - started)
        return result

    def _execute(self, request, query, variables, operation_name, show_graphiql):
        """graphene-django's execution (same checks, same answers), with the document parsed
        and validated once per text: clients send the same few documents again and again, and
        parsing and validating cost more than running most of them."""
        if not query:
            if show_graphiql:
                return None
            raise HttpError(HttpResponseBadRequest("Must provide query string."))
        schema = self.schema.graphql_schema
        schema_errors = validate_schema(schema)  # graphql-core remembers the answer
        if schema_errors:
            return ExecutionResult(data=None, errors=schema_errors)
        document, errors = DOCUMENTS.get(schema, query, self.validation_rules)
        if isinstance(document, GraphQLError):
            return ExecutionResult(errors=[document])
        operation = get_operation_ast(document, operation_name)
        request._graphql_operation = operation  # its name and kind label the metrics
        if request.method.lower() == "get" and operation is not None and \
                operation.operation != OperationType.QUERY:
            if show_graphiql:
                return None
            raise HttpError(HttpResponseNotAllowed(
                ["POST"], f"Can only perform a {operation.operation.value} operation from a "
                          f"POST request."))
        if errors:
            return ExecutionResult(data=None, errors=errors)
        options = {
            "root_value": self.get_root_value(request),
            "context_value": self.get_context(request),
            "variable_values": variables,
            "operation_name": operation_name,
            "middleware": self.get_middleware(request),
            # Resolvers here are synchronous: graphql-core need not ask every value it
            # completes whether it is awaitable.
            "is_awaitable": _never_awaitable,
        }
        if self.execution_context_class:
            options["execution_context_class"] = self.execution_context_class
        try:
            if operation is not None and operation.operation == OperationType.MUTATION and (
                    graphene_settings.ATOMIC_MUTATIONS is True
                    or connection.settings_dict.get("ATOMIC_MUTATIONS", False) is True):
                with transaction.atomic():
                    result = execute(schema, document, **options)
                    if getattr(request, MUTATION_ERRORS_FLAG, False) is True:
                        transaction.set_rollback(True)
                return result
            return execute(schema, document, **options)
        except Exception as exc:  # as graphene-django: the error goes into the answer
            return ExecutionResult(errors=[exc])

    @staticmethod
    def format_error(error):
        formatted = GraphQLView.format_error(error)
        if not settings.DEBUG and "message" in formatted:
            # "Did you mean ...?" would reveal the schema that introspection hides.
            formatted["message"] = SUGGESTION.sub("", formatted["message"])
        original = getattr(error, "original_error", None)
        if isinstance(original, ValidationError):
            # Its messages, not the repr of its dict ("{'field': ['...']}").
            formatted["message"] = "; ".join(original.messages)
        if original is not None and not isinstance(original, CLIENT_ERRORS):
            logger.error("GraphQL resolver failed", exc_info=original)
            if not settings.DEBUG:
                formatted["message"] = "Internal server error."
        return formatted


def _never_awaitable(_value: Any) -> bool:
    return False


class DocumentCache:
    """Parsed and validated documents by their text and the limits they were validated under,
    the most recently used kept (`GRAPHQL_DOCUMENT_CACHE` of them). A document is never changed
    by running it, so one parse serves every request that sends the same text."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple, tuple] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, schema, query: str, rules) -> tuple[DocumentNode | GraphQLError, list]:
        key = (id(schema), query, settings.DEBUG, settings.GRAPHQL_MAX_DEPTH,
               settings.GRAPHQL_MAX_ALIASES)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        try:
            document = parse(query)
        except GraphQLError as exc:
            found = (exc, [])
        else:
            found = (document, validate(schema, document, rules,
                                        graphene_settings.MAX_VALIDATION_ERRORS))
        with self._lock:
            self._entries[key] = found
            while len(self._entries) > settings.GRAPHQL_DOCUMENT_CACHE:
                self._entries.popitem(last=False)
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


DOCUMENTS = DocumentCache()


def _bad_request(message: str) -> HttpError:
    """A 400 that graphene-django's dispatch answers as `{"errors": [{"message": ...}]}`."""
    return HttpError(HttpResponseBadRequest(), message)


def _only_token_errors(result: ExecutionResult) -> bool:
    """A refused or missing token with nothing else answered: the client must log in (401)."""
    if not result.errors:
        return False
    if not all(
        isinstance(getattr(e, "original_error", None), JSONWebTokenError) for e in result.errors
    ):
        return False
    return not result.data or all(value is None for value in result.data.values())


def user_json(user) -> dict:
    """The logged-in user as the web app reads it (`i_user.rights`, `i_user.health_facility_id`)."""
    return {
        "id": user.pk,
        "uuid": str(user.uuid),
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "other_names": user.other_names,
        "email": user.email,
        "is_superuser": user.is_superuser,
        "tenant": (
            {"id": user.tenant_id, "uuid": str(user.tenant.uuid), "code": user.tenant.code}
            if user.tenant_id
            else None
        ),
        "i_user": {
            "id": user.pk,
            "uuid": str(user.uuid),
            "last_name": user.last_name,
            "other_names": user.other_names,
            "language": user.language_id,
            "health_facility_id": user.health_facility_id,
            "rights": sorted(user.rights),
        },
    }


@rest_endpoint("GET")
def current_user(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return json_error(401, "Authentication credentials were not provided.")
    return JsonResponse(user_json(request.user))


@csrf_exempt
@rest_endpoint("GET")
def health_live(request: HttpRequest) -> JsonResponse:
    """The process answers: nothing else is asked (a restart would not mend a dependency)."""
    return JsonResponse({"status": health.OK})


@csrf_exempt
@rest_endpoint("GET")
def health_ready(request: HttpRequest) -> JsonResponse:
    """May this process take traffic: 200 when every dependency answers, else 503."""
    state = health.readiness()
    return JsonResponse(state.as_json(), status=200 if state.ok else 503)


@csrf_exempt
def prometheus_metrics(request: HttpRequest) -> HttpResponse:
    """The metrics in Prometheus' text format, to allowed clients only; anyone else gets the
    404 of a path that does not exist."""
    if request.method not in ("GET", "HEAD") or not metrics.metrics_allowed(request):
        raise Http404
    body, content_type = metrics.render_metrics()
    return HttpResponse(body, content_type=content_type)
