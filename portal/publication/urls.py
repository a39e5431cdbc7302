from django.urls import path

from . import apis

urlpatterns = [
    path("", apis.ServiceListApi.as_view(), name="api-service-list"),
    path("refusals/", apis.RefusalCountApi.as_view(), name="api-service-refusals"),
    path("<slug:code>/", apis.ServiceDetailApi.as_view(), name="api-service-detail"),
]
