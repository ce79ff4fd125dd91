from django.urls import path

from reports import views

urlpatterns = [
    path("output/", views.output_response, name="report_output"),
    path("<str:report_name>/pdf/", views.pdf_response, name="report_pdf"),
]
