"""The applicant's tracking PIN: six random digits, stored only as a keyed digest.

A digest keyed with the deployment's secret key (HMAC-SHA256, with a salt per request) rather
than a slow password hash: the throttle on the tracking page already stops guessing online, and a
copy of the database alone cannot be searched for PINs without the key. It costs microseconds,
so registering and tracking stay fast.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

_SCHEME = "hmac-sha256"
_PURPOSE = "paten.tracking-pin"


def pin_new() -> tuple[str, str]:
    """A fresh PIN and what is stored in its place."""
    pin = f"{secrets.randbelow(1_000_000):06d}"
    return pin, pin_digest(pin)


def pin_digest(pin: str, *, salt: str | None = None, secret: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    mac = salted_hmac(f"{_PURPOSE}:{salt}", pin, secret=secret or settings.SECRET_KEY, algorithm="sha256")
    return f"{_SCHEME}${salt}${mac.hexdigest()}"


def pin_matches(pin: str, stored: str) -> bool:
    """Whether `pin` is the one behind `stored` (under the current or a previous secret key)."""
    scheme, _, rest = stored.partition("$")
    salt, _, _digest = rest.partition("$")
    if scheme != _SCHEME or not salt:
        pin_digest(pin, salt="0" * 16)  # the same work either way
        return False
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(constant_time_compare(pin_digest(pin, salt=salt, secret=key), stored) for key in keys)
