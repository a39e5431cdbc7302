from django.urls import path

from . import apis

urlpatterns = [
    path("", apis.IncidentListApi.as_view(), name="incident-list"),
    path("<str:tracking_number>/retry/", apis.IncidentRetryApi.as_view(), name="incident-retry-api"),
    path("<str:tracking_number>/cancel/", apis.IncidentCancelApi.as_view(), name="incident-cancel-api"),
]
