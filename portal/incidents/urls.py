from django.urls import path

from . import views

urlpatterns = [
    path("", views.incidents_page, name="incidents"),
    path("<str:tracking_number>/coba-lagi/", views.incident_retry_page, name="incident-retry"),
    path("<str:tracking_number>/batalkan/", views.incident_cancel_page, name="incident-cancel"),
]
