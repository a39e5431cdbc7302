from django.urls import path

from . import apis

urlpatterns = [
    path("verify/<str:token>/", apis.LetterVerifyApi.as_view(), name="letter-verify-api"),
    path("<str:letter_id>/pdf/", apis.LetterPdfApi.as_view(), name="letter-pdf"),
]
