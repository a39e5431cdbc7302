from django.urls import path

from . import views

urlpatterns = [
    path("", views.search_page, name="audit-search"),
    path("<str:tracking_number>/", views.log_page, name="audit-log"),
]
