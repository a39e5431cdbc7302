from django.urls import path

from . import apis, views

urlpatterns = [
    path("ajukan/", views.submit_page, name="citizen-submit"),
    path("api/v1/submissions/", apis.SubmissionApi.as_view(), name="citizen-submit-api"),
    path("ajukan/terkirim/", views.submitted_page, name="citizen-submitted"),
    path("ajukan/<str:tracking_number>/lengkapi/", views.returned_fix_page, name="citizen-fix"),
    path("permohonan-saya/", views.my_requests_page, name="my-requests"),
    path("permohonan-saya/<str:tracking_number>/", views.my_request_open, name="my-request-open"),
    path("permohonan-saya/<str:tracking_number>/surat/<int:letter_id>/", views.letter_download, name="citizen-letter"),
]
