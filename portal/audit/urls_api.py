from django.urls import path

from . import apis

urlpatterns = [
    path("checkpoints/latest/", apis.CheckpointLatestApi.as_view(), name="audit-checkpoint-latest"),
    path("consistency/", apis.ConsistencyApi.as_view(), name="audit-consistency"),
    path("requests/<str:tracking_number>/export/", apis.RequestExportApi.as_view(), name="audit-request-export"),
    path("verification/", apis.VerificationApi.as_view(), name="audit-verification"),
]
