"""The officers' pages: /kerja/ (worklist and steps) and /loket/ (the counter's registration)."""

from django.urls import path

from . import counter_views, views

urlpatterns = [
    path("kerja/", views.worklist, name="worklist"),
    path("kerja/langkah/<str:human_task_id>/", views.step, name="step"),
    path("kerja/langkah/<str:human_task_id>/ambil/", views.step_claim, name="step-claim"),
    path("kerja/langkah/<str:human_task_id>/lepas/", views.step_release, name="step-release"),
    path("kerja/langkah/<str:human_task_id>/unggah/", views.step_upload, name="step-upload"),
    path(
        "kerja/permohonan/<str:tracking_number>/dokumen/<str:document_id>/",
        views.document_download,
        name="officework-document",
    ),
    path("loket/daftar/", counter_views.counter_register_page, name="counter-register"),
    path("loket/tanda-terima/<str:tracking_number>/", counter_views.counter_receipt, name="counter-receipt"),
    path(
        "loket/tanda-terima/<str:tracking_number>/pin-baru/",
        counter_views.counter_pin_reissue,
        name="counter-pin-reissue",
    ),
]
