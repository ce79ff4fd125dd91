from django.urls import path

from core import views

urlpatterns = [
    path("users/current_user/", views.current_user, name="current_user"),
]
