from django.urls import path

from . import views

urlpatterns = [
    path("", views.delegations_page, name="delegations"),
    path("<int:delegation_id>/akhiri/", views.delegation_end_page, name="delegation-end"),
]
