"""URLs: `/api/graphql`, the health probes, `/metrics`, then each loaded module's own URLs under
`/api/<module>/`."""

from importlib import import_module

from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from graphql_jwt.decorators import jwt_cookie

from config.schema import assembly
from core.modules import loaded_modules
from core.views import OpenIMISGraphQLView, health_live, health_ready, prometheus_metrics

# CSRF for the GraphQL endpoint is enforced by the policy layer, per mutation, when the caller
# authenticates with a cookie (a header token cannot be forged cross-site). Every answer sets the
# `csrftoken` cookie when missing: the web app expects one before it logs in.
graphql_view = csrf_exempt(ensure_csrf_cookie(
    jwt_cookie(OpenIMISGraphQLView.as_view(assembly=assembly, graphiql=True))
))

urlpatterns = [
    path("api/graphql", graphql_view, name="graphql"),
    path("api/graphql/", graphql_view),
    path("api/health/live", health_live, name="health-live"),
    path("api/health/ready", health_ready, name="health-ready"),
    # Not under /api/: for the monitoring system, from allowed networks or with its token.
    path("metrics", prometheus_metrics, name="metrics"),
    path("admin/", admin.site.urls),
]

for module in loaded_modules():
    try:
        module_urls = import_module(f"{module.name}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"{module.name}.urls":
            raise
        continue
    urlpatterns.append(path(f"api/{module.module_name}/", include(module_urls)))

# Errors Django answers before (or instead of) a view: JSON under /api/, HTML pages elsewhere.
handler400 = "core.http.bad_request"
handler403 = "core.http.permission_denied"
handler404 = "core.http.page_not_found"
handler500 = "core.http.server_error"
