from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "portal.letters"
    label = "letters"
    verbose_name = "Surat"
