from django.urls import path

from . import views

urlpatterns = [
    path("", views.approvals_page, name="approvals"),
    path("<int:human_task_id>/draf.pdf", views.draft_pdf, name="approval-draft-pdf"),
]
