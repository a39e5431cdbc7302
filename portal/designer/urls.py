from django.urls import path

from . import migration_views, views

urlpatterns = [
    path("", views.services_page, name="designer-services"),
    path("<slug:code>/pindah/", migration_views.migrate_page, name="designer-migrate"),
    path("<slug:code>/pindah/jalankan/", migration_views.migrate_submit, name="designer-migrate-submit"),
    path(
        "<slug:code>/pindah/kembalikan/<str:tracking_number>/",
        migration_views.migrate_undo,
        name="designer-migrate-undo",
    ),
]
