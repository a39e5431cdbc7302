"""REST API of process analytics: the event log of a service and period, streamed as XES or CSV."""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from .eventlog import log_chunks
from .params import export_check, export_parse


class EventLogExportApi(APIView):
    """Camat and sekcam (their own kecamatan), auditors, administrators and the regency's leadership."""

    renderer_classes = [JSONRenderer]  # errors are JSON; the log itself bypasses rendering

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # `format` names the log's format here, not a renderer: errors still come as JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format", str, required=True, enum=["xes", "csv"], description="XES (IEEE 1849-2016) or CSV"
            ),
            OpenApiParameter("service", str, description="service code; every service when left out"),
            OpenApiParameter("from", OpenApiTypes.DATE, description="first day of registration (WITA), inclusive"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="last day of registration (WITA), inclusive"),
            OpenApiParameter(
                "kecamatan", str, description="office slug or code; a camat or sekcam gets only their own office"
            ),
        ],
        responses={
            (200, "application/xml"): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.BINARY,
            400: OpenApiResponse(description="a bad parameter (errors by parameter name)"),
            403: OpenApiResponse(description="not a reader of the log, or another office than one's own"),
        },
        summary="The event log of a service and period for process mining (one trace per request)",
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        scope = export_check(request.user)
        params = request.query_params
        export = export_parse(
            fmt=params.get("format", ""), service=params.get("service", ""), date_from=params.get("from", ""),
            date_to=params.get("to", ""), kecamatan=params.get("kecamatan", ""), scope=scope,
        )  # fmt: skip
        chunks = log_chunks(export.query, fmt=export.fmt, title=export.title)
        response = StreamingHttpResponse(chunks, content_type=f"{export.content_type}; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, export.filename) or "attachment"
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
