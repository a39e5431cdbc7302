"""makemessages that also finds text marked with `_lazy` (the portal's name for gettext_lazy beside `_`)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
