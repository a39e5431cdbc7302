from django.urls import path

from . import apis

urlpatterns = [
    path("", apis.ApprovalListDecideApi.as_view(), name="approvals-api"),
]
