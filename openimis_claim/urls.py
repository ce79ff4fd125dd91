from django.apps import apps
from django.urls import path

from openimis_claim import views

urlpatterns = [
    path("attach", views.download_attachment, name="claim_attachment"),
]

if apps.is_installed("reports"):
    from reports.views import pdf_response

    urlpatterns.append(path("print/", pdf_response, {"report_name": "claim_print"},
                            name="claim_print"))
