from django.urls import path

from . import apis, views

urlpatterns = [
    path("lacak/", views.tracking_page, name="tracking"),
    path("lacak/tutup/", views.tracking_forget, name="tracking-forget"),
    path("lacak/<str:tracking_number>/", views.tracking_status_page, name="tracking-status"),
    path("lacak/<str:tracking_number>/diagram/", views.tracking_diagram, name="tracking-diagram"),
    path("api/v1/tracking/", apis.TrackingApi.as_view(), name="tracking-api"),
]
