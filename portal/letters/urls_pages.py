from django.urls import path

from . import views

urlpatterns = [
    path("", views.verify_search, name="letter-verify-search"),
    path("<str:token>/", views.verify_page, name="letter-verify-page"),
]
