from django.apps import apps
from django.urls import path

urlpatterns = []

if apps.is_installed("reports"):
    from reports.views import pdf_response

    urlpatterns.append(path("print/", pdf_response, {"report_name": "approval_letter"},
                            name="approval_print"))
