from django.apps import AppConfig


class SurveyConfig(AppConfig):
    name = "portal.survey"
    label = "survey"
    verbose_name = "Survei kepuasan masyarakat (SKM)"
