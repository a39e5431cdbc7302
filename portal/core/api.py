"""Base pieces of every REST API of the portal: the exception handler, input serializers, path ids."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import Conflict, InvalidInput, NotAllowed, NotFound, RateLimited, ServiceError
from .ids import path_id

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map service errors to HTTP statuses; DRF handles its own exceptions."""
    if isinstance(exc, InvalidInput):
        return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, NotAllowed):
        return Response({"detail": str(exc.message)}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Conflict):
        return Response({"detail": str(exc.message)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, NotFound):
        return Response({"detail": _("Tidak ditemukan.")}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
        return Response({"detail": str(exc.message)}, status=status.HTTP_429_TOO_MANY_REQUESTS, headers=headers)
    if isinstance(exc, ServiceError):  # ProcessFailed and the apps' own refusals
        return Response({"detail": str(exc.message)}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


NOT_A_DICT: dict[str, str | StrPromise] = {"not_a_dict": _lazy('Harus berupa objek JSON, bukan "{input_type}".')}


class InputSerializer(serializers.Serializer):
    """Base of request bodies: DRF's generic messages, said in Indonesian."""

    default_error_messages = {"invalid": _lazy("Data tidak valid: harus berupa objek JSON, bukan {datatype}.")}


class TextField(serializers.CharField):
    """Text only: DRF's CharField would turn 5 into "5"."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


def id_from_path(raw: str) -> int:
    """A database id from the URL, written one way only; 404 for anything else."""
    value = path_id(raw)
    if value is None:
        raise exceptions.NotFound()
    return value
