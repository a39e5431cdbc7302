from django.urls import path

from . import views

urlpatterns = [
    path("layanan/", views.service_list, name="service-list"),
    path("layanan/<slug:code>/", views.service_page, name="service-page"),
    path("maklumat/", views.declaration_page, name="declaration"),
    path("maklumat/<slug:office>/", views.declaration_page, name="declaration-office"),
]
