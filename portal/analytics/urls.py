from django.urls import path

from . import apis

urlpatterns = [
    path("eventlog/", apis.EventLogExportApi.as_view(), name="analytics-eventlog"),
]
