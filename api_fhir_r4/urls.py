"""`/api/api_fhir_r4/`: `login/`, then every registered resource type at `Type/`, `Type` (the
OpenHIM mediators' `Claim?=`), `Type/<id>` and `Type/$operation`, with or without the trailing
slash the Android apps add."""

from django.urls import path

from api_fhir_r4 import views
from api_fhir_r4.resources.base import OPERATIONS, RESOURCES

urlpatterns = [
    path("login/", views.login, name="fhir_login"),
    path("login", views.login),
    path("metadata", views.metadata, name="fhir_metadata"),
    path("metadata/", views.metadata),
]

# A type with only operations here (`Claim/$submit` while `Claim` itself is elsewhere) is routed
# too; the view answers its other paths with 404.
for type_name in sorted(set(RESOURCES) | {type_name for type_name, _name in OPERATIONS}):
    kwargs = {"type_name": type_name}
    urlpatterns += [
        path(f"{type_name}/", views.resource, kwargs, name=f"fhir_{type_name}"),
        path(f"{type_name}", views.resource, kwargs),
        path(f"{type_name}/<str:resource_id>/", views.resource, kwargs),
        path(f"{type_name}/<str:resource_id>", views.resource, kwargs),
    ]
