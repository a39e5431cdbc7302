"""Writes of the tracking page: a try with a tracking number and a PIN, counted by the throttle.

Failures hold the number from the address that tried it (slowed down after three, locked for 15
minutes after five within an hour) and that address (twenty failures within 15 minutes, any
numbers); the number itself is held from every address only after 30 failures within a day. The
last two never hold a number at an address where its PIN was given right within 30 days
(core.throttle.TRACKING). So guessing from elsewhere does not lock the applicant out.

Lock order: the ProcessInstance row the number names (select_for_update, when there is one), then
the attempt rows (core.throttle). Holding it while the recent failures are counted and the try is recorded means
parallel guesses at one request on PostgreSQL are counted one after the other; on SQLite the
IMMEDIATE write transaction serializes them the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from portal.core import throttle
from portal.workflow.models import ProcessInstance
from portal.workflow.pins import pin_matches

from .errors import TrackingMismatch, TrackingRefused
from .selectors import PIN_RE, TRACKING_NUMBER_MAX_LENGTH, tracking_number_normalize, tracking_number_plausible


def tracking_pin_check(
    *, tracking_number: Any, pin: Any, client_ip: str, now: datetime | None = None
) -> ProcessInstance:
    """The request with this number and PIN; TrackingMismatch or, after repeated failures, TrackingRefused."""
    now = now or timezone.now()
    number = tracking_number_normalize(tracking_number)
    pin = str(pin)
    client_ip = str(client_ip)[:45]
    with transaction.atomic():
        instance = None
        if tracking_number_plausible(number):
            instance = (
                ProcessInstance.objects.select_for_update()
                .filter(tracking_number=number)
                .only("id", "tracking_number", "access_pin_hash")
                .first()
            )
        key = number[:TRACKING_NUMBER_MAX_LENGTH]
        until = throttle.locked_until(throttle.TRACKING, key=key, client_ip=client_ip, now=now)
        if until is not None:
            raise TrackingRefused(until, now=now)  # no PIN is checked while locked, not even the right one
        # Recorded as a failure before the PIN is checked, so guesses sent in parallel all count.
        attempt = throttle.attempt_record(throttle.TRACKING, key=key, client_ip=client_ip, now=now)
    # An unknown number (or a request from before PINs, or a PIN that cannot be one) costs the same
    # digest, so the time taken tells nothing.
    pin_hash = instance.access_pin_hash if instance is not None else ""
    matched = pin_matches(pin if PIN_RE.fullmatch(pin) else "", pin_hash) and bool(PIN_RE.fullmatch(pin))
    if instance is None or not matched:
        throttle.attempt_failed(throttle.TRACKING, attempt)
        raise TrackingMismatch()
    throttle.attempt_succeeded(attempt)
    return instance
