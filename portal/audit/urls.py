from django.urls import path

from . import views

urlpatterns = [
    path("", views.search_page, name="audit-search"),
    path("titik-periksa/", views.checkpoints_page, name="audit-checkpoints"),
    path("titik-periksa/<int:pk>.txt", views.checkpoint_download, name="audit-checkpoint-download"),
    path("titik-periksa/periksa/", views.verify_now, name="audit-verify-now"),
    path("<str:tracking_number>/", views.log_page, name="audit-log"),
    path("<str:tracking_number>/riwayat.pdf", views.history_pdf, name="audit-history-pdf"),
]
