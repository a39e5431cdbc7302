from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficeCalendarConfig(AppConfig):
    name = "portal.officecalendar"
    label = "officecalendar"
    verbose_name = _("Kalender kerja kantor")

    def ready(self) -> None:
        # BPMN helpers such as working_days(2) count with the office's own calendar (overrides,
        # Ramadan hours) in every process that runs the portal: web, worker, commands.
        from .services import calendar_changes_watch, install_office_calendar

        install_office_calendar()
        calendar_changes_watch()
