"""Delivery channels. Email goes through Django's mail backends; SMS and WhatsApp are adapters
at the edge of the world, with a default that only logs (a gateway adapter replaces it)."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class Channel(Protocol):
    """`key` names the message, the same on every attempt to deliver it: a worker that dies after
    the gateway took a message but before its row says so tries again with the same key, and a
    gateway that takes an idempotency key (a client reference) delivers it once."""

    def send(self, *, recipient: str, subject: str, body: str, key: str) -> None: ...


class EmailChannel:
    def send(self, *, recipient: str, subject: str, body: str, key: str) -> None:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient], fail_silently=False)


class LoggingChannel:
    """Writes the message to the log instead of a gateway: the default for SMS and WhatsApp."""

    def __init__(self, name: str = "sms") -> None:
        self.name = name

    def send(self, *, recipient: str, subject: str, body: str, key: str) -> None:
        log.info("%s to %s: %s", self.name, recipient, body)


def channel_for(name: str) -> Channel:
    """The configured channel (PATEN_NOTIFICATION_CHANNELS maps a name to a class path)."""
    path = settings.PATEN_NOTIFICATION_CHANNELS.get(name)
    if not path:
        raise LookupError(f"no notification channel '{name}'")
    channel: Channel = import_string(path)()
    return channel
