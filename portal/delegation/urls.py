from django.urls import path

from . import apis

urlpatterns = [
    path("", apis.DelegationListCreateApi.as_view(), name="delegation-list-api"),
    path("<str:delegation_id>/end/", apis.DelegationEndApi.as_view(), name="delegation-end-api"),
]
