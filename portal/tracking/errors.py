"""What a tracking attempt can end in besides access; messages are the same for every caller."""

from __future__ import annotations

import math
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _


def mismatch_message() -> str:
    # One message whether the number is unknown or the PIN wrong: the page must not tell which.
    return _("Nomor registrasi atau PIN tidak cocok.")


class TrackingMismatch(Exception):
    """No request has this number with this PIN (or none has this number at all)."""


class TrackingRefused(Exception):
    """Too many failed tries lately: no PIN is checked until `until`."""

    def __init__(self, until: datetime, *, now: datetime) -> None:
        self.until, self.now = until, now
        super().__init__(until.isoformat())

    def retry_after_seconds(self) -> int:
        return max(1, math.ceil((self.until - self.now).total_seconds()))

    def message(self) -> str:
        until = timezone.localtime(self.until)
        if until.date() != timezone.localtime(self.now).date():
            return _(
                "Terlalu banyak percobaan yang gagal. Demi keamanan, pelacakan ditutup sementara; "
                "silakan coba lagi setelah %(date)s pukul %(time)s WITA."
            ) % {"date": date_format(until, "j F Y"), "time": time_format(until, "H.i")}
        return _(
            "Terlalu banyak percobaan yang gagal. Demi keamanan, pelacakan ditutup sementara; "
            "silakan coba lagi setelah pukul %(time)s WITA."
        ) % {"time": time_format(until, "H.i")}
