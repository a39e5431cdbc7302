from django.urls import path

from . import apis, views

urlpatterns = [
    path("survei/<str:tracking_number>/", views.survey_page, name="survey-page"),
    path("api/v1/survey/", apis.SurveySubmitApi.as_view(), name="survey-api"),
    path("api/v1/survey/summary/", apis.SurveySummaryApi.as_view(), name="survey-summary-api"),
]
