from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "portal.web"
    label = "web"
    verbose_name = _("Halaman portal")

    def ready(self) -> None:
        from django.contrib import admin

        # The admin's home says when requests are stopped by a failing diagram (and links to them).
        admin.site.index_template = "web/admin_index.html"
