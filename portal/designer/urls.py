from django.urls import path

from . import draft_views, migration_views, views

# /perancang/: the fixed words come first, a service's code after them.
urlpatterns = [
    path("", views.services_page, name="designer-services"),
    path("draf/<int:draft_id>/", draft_views.draft_page, name="designer-draft"),
    path("draf/<int:draft_id>/banding/", draft_views.draft_compare_page, name="designer-draft-compare"),
    path("draf/<int:draft_id>/pasang/", draft_views.draft_deploy_submit, name="designer-draft-deploy"),
    path("bagian/<slug:kind>/<slug:code>/ubah/", draft_views.edit_page, name="designer-part-edit"),
    path("bagian/<slug:kind>/<slug:code>/simpan/", draft_views.save_submit, name="designer-part-save"),
    path("<slug:code>/", views.service_page, name="designer-service"),
    path("<slug:code>/ubah/", draft_views.edit_page, name="designer-service-edit"),
    path("<slug:code>/simpan/", draft_views.save_submit, name="designer-service-save"),
    path("<slug:code>/versi/<int:version>/pakai/", views.version_activate_submit, name="designer-service-activate"),
    path("<slug:code>/pindah/", migration_views.migrate_page, name="designer-migrate"),
    path("<slug:code>/pindah/jalankan/", migration_views.migrate_submit, name="designer-migrate-submit"),
    path(
        "<slug:code>/pindah/kembalikan/<str:tracking_number>/",
        migration_views.migrate_undo,
        name="designer-migrate-undo",
    ),
]
