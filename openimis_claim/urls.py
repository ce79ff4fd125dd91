from django.urls import path

from openimis_claim import views

urlpatterns = [
    path("attach", views.download_attachment, name="claim_attachment"),
]
