import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("paten")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["tasks.timers", "tasks.letters", "tasks.notifications", "tasks.core"], related_name=None)
