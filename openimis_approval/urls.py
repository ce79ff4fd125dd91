from django.apps import apps
from django.urls import path

from openimis_approval import views

urlpatterns = [
    path("document", views.download_document, name="approval_document"),
]

if apps.is_installed("reports"):
    from reports.views import pdf_response

    urlpatterns.append(path("print/", pdf_response, {"report_name": "approval_letter"},
                            name="approval_print"))
