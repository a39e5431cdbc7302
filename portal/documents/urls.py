"""Included under api/v1/requests/<tracking_number>/ (before the workflow's routes)."""

from django.urls import path

from . import apis

urlpatterns = [
    path("documents/", apis.RequirementDocumentsApi.as_view(), name="request-documents"),
    path(
        "documents/<str:document_id>/",
        apis.RequirementDocumentDownloadApi.as_view(),
        name="request-document-download",
    ),
    path("checklist/", apis.RequirementsCheckApi.as_view(), name="request-checklist"),
]
