"""Base pieces of every REST API of the portal: the exception handler, input serializers, path ids,
keyset pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import Conflict, InvalidInput, NotAllowed, NotFound, RateLimited, ServiceError
from .ids import path_id
from .keyset import ListPage

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


# --- keyset pages --------------------------------------------------------------------------------

KEYSET_PARAMETERS = [
    OpenApiParameter(
        "cursor", str, required=False, description="the page after the one whose `next` gave it; omit for the first"
    ),
    OpenApiParameter("limit", int, required=False, description="rows per page"),
]


def keyset_page_output(name: str, item: serializers.Serializer) -> serializers.Serializer:
    """The schema of a keyset page of `item` rows (see keyset_response)."""
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(help_text="rows of the whole list, counted up to 1000"),
            "count_capped": serializers.BooleanField(help_text="true: the list holds more rows than `count`"),
            "next": serializers.CharField(
                allow_null=True, help_text="URL of the next page (a keyset cursor); null on the last page"
            ),
            "previous": serializers.CharField(allow_null=True, help_text="URL of the page before; null on the first"),
            "results": item,
        },
    )


def keyset_response(request: Request, *, results: Any, listed: ListPage) -> Response:
    """A page of a keyset list (core.keyset): no OFFSET, no COUNT over the whole table."""
    here = request.build_absolute_uri()
    page = listed.page
    links = {
        name: replace_query_param(here, "cursor", token) if token is not None else None
        for name, token in (("next", page.next_token), ("previous", page.previous_token))
    }
    return Response({"count": listed.total, "count_capped": listed.total_capped, **links, "results": results})


class SlaOutput(serializers.Serializer):
    working_days = serializers.IntegerField(allow_null=True, help_text="completion time of the service standard")
    started_at = serializers.DateTimeField(allow_null=True, help_text="when the file was declared complete")
    due_at = serializers.DateTimeField(allow_null=True, help_text="expected completion (working days, WITA)")
    paused = serializers.BooleanField(help_text="the file is back with the applicant; the clock is stopped")
    paused_working_hours = serializers.FloatField()
    overdue = serializers.BooleanField()
