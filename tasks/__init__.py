"""Celery application of the portal. Tasks are thin: ids and primitives in, one service call."""

from .celery import app

__all__ = ["app"]
