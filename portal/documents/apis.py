"""REST API of a request's requirement documents and the counter's checklist."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.api import NOT_A_DICT, InputSerializer, TextField
from portal.core.errors import InvalidInput, NotFound
from portal.core.http import private_file_response
from portal.core.ids import path_id
from portal.core.uploads import BoundedUploadHandler
from portal.workflow.models import ProcessInstance

from . import selectors, services
from .content import download_name

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


def _document_id(raw: str) -> int:
    """A database id written one way only: ASCII digits, no sign, spaces or leading zeros."""
    value = path_id(raw)
    if value is None:
        raise NotFound("not found")
    return value


class RequirementDocumentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    uploaded_by = serializers.CharField(help_text="username; empty for citizens")


class RequirementItemOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]
    status = serializers.CharField(help_text="received, missing or unchecked")
    note = serializers.CharField()
    documents = RequirementDocumentOutput(many=True)


class RequirementChecklistOutput(serializers.Serializer):
    tracking_number = serializers.CharField()
    requirements = RequirementItemOutput(many=True)
    missing = serializers.ListField(
        child=serializers.CharField(), help_text="names of the required items marked missing: what to bring"
    )


def _checklist(instance: ProcessInstance, user: Any) -> dict[str, Any]:
    items = selectors.checklist_for(instance, show_people=selectors.checklist_show_people(user))
    body = {
        "tracking_number": instance.tracking_number,
        "requirements": items,
        "missing": selectors.missing_from_checklist(items),
    }
    return dict(RequirementChecklistOutput(body).data)


def _document_output(document: Any, user: Any) -> dict[str, Any]:
    show_people = selectors.checklist_show_people(user)
    return dict(
        RequirementDocumentOutput(
            {
                "id": document.pk,
                "original_name": document.original_name,
                "content_type": document.content_type,
                "size": document.size,
                "sha256": document.sha256,
                "uploaded_at": document.uploaded_at,
                "uploaded_by": user.get_username() if show_people else "",
            }
        ).data
    )


_REQUIREMENT_ERRORS: dict[str, str | StrPromise] = {
    "required": _lazy("Pilih persyaratan yang dilengkapi dengan berkas ini."),
    "blank": _lazy("Pilih persyaratan yang dilengkapi dengan berkas ini."),
    "invalid": _lazy("Kode persyaratan harus berupa teks."),
    "max_length": _lazy("Kode persyaratan paling banyak {max_length} karakter."),
    "null": _lazy("Pilih persyaratan yang dilengkapi dengan berkas ini."),
}
_FILE_ERRORS: dict[str, str | StrPromise] = {
    "required": _lazy("Pilih berkas yang diunggah (multipart/form-data, isian 'file')."),
    "invalid": _lazy("Isian 'file' harus berupa berkas yang diunggah (multipart/form-data)."),
    "no_name": _lazy("Berkas tidak memiliki nama."),
    "empty": _lazy("Berkas kosong. Pilih berkas yang berisi dokumen."),
    "null": _lazy("Pilih berkas yang diunggah (multipart/form-data, isian 'file')."),
}


class RequirementDocumentsApi(APIView):
    """GET: the checklist with the files of each requirement. POST: upload one file for a requirement."""

    class DocumentUploadInput(InputSerializer):
        requirement = TextField(
            max_length=64, error_messages=_REQUIREMENT_ERRORS, help_text="a requirement code of the service"
        )
        file = serializers.FileField(
            allow_empty_file=True, use_url=False, error_messages=_FILE_ERRORS, help_text="PDF, JPEG or PNG"
        )

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        # Bound what an upload may cost before anything reads the body.
        if request.method == "POST" and not hasattr(request, "_files"):
            request.upload_handlers = [BoundedUploadHandler(request, limit=services.max_bytes())]
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        operation_id="request_documents_list",
        responses=RequirementChecklistOutput,
        summary="Requirement checklist and uploaded documents",
    )
    def get(self, request: Request, tracking_number: str) -> Response:
        instance = selectors.request_for_documents(request.user, tracking_number)
        return Response(_checklist(instance, request.user))

    @extend_schema(
        operation_id="request_document_upload",
        request={"multipart/form-data": DocumentUploadInput},
        responses={201: RequirementDocumentOutput},
        summary="Upload a document (PDF, JPEG or PNG) for one requirement",
    )
    def post(self, request: Request, tracking_number: str) -> Response:
        instance = selectors.request_for_documents(request.user, tracking_number)
        if not str(request.content_type).lower().startswith("multipart/form-data"):
            raise InvalidInput({"file": [_("Kirim berkas sebagai multipart/form-data (isian 'file').")]})
        try:
            data = request.data
        except exceptions.ParseError as exc:
            message = _("Isi multipart/form-data tidak dapat dibaca; kirim ulang berkas.")
            raise InvalidInput({"file": [message]}) from exc
        serializer = self.DocumentUploadInput(data=data)
        serializer.is_valid(raise_exception=True)
        document = services.document_upload(
            instance=instance,
            requirement_code=serializer.validated_data["requirement"],
            uploaded_file=serializer.validated_data["file"],
            actor=request.user,
        )
        return Response(_document_output(document, request.user), status=status.HTTP_201_CREATED)


class RequirementDocumentDownloadApi(APIView):
    """The stored file, as an attachment of its detected type; 404 for anyone who may not see it."""

    renderer_classes = [JSONRenderer]  # errors are JSON; the file itself bypasses rendering

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # A client asking for application/pdf still gets its errors (as JSON) instead of a 406.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="request_document_download",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="unknown, or not yours"),
        },
        summary="Download an uploaded document",
    )
    def get(self, request: Request, tracking_number: str, document_id: str) -> HttpResponse:
        document_pk = _document_id(document_id)
        instance = selectors.request_for_documents(request.user, tracking_number)
        document = selectors.document_for_user(request.user, instance=instance, document_id=document_pk)
        content = selectors.document_content(document)
        extension = document.file_path.rsplit(".", 1)[-1]
        filename = download_name(document.original_name, extension)
        return private_file_response(content, filename=filename, content_type=document.content_type)


@extend_schema_field({"type": "object", "additionalProperties": {"type": "string", "enum": ["received", "missing"]}})
class _StatusMapField(serializers.DictField):
    """requirement code -> status; codes and statuses are checked (in Indonesian) by the service."""


class RequirementsCheckApi(APIView):
    """The counter marks requirements received or missing (role loket)."""

    class RequirementsCheckInput(InputSerializer):
        items = _StatusMapField(
            allow_empty=False,
            error_messages={**NOT_A_DICT, "empty": _lazy("Isi status paling sedikit satu persyaratan.")},
            help_text='requirement code -> "received" or "missing"',
        )
        note = TextField(
            max_length=services.NOTE_MAX_LENGTH,
            required=False,
            allow_blank=True,
            default="",
            error_messages={
                "invalid": _lazy("Catatan harus berupa teks."),
                "max_length": _lazy("Catatan paling banyak {max_length} karakter."),
                "null": _lazy("Catatan harus berupa teks."),
            },
        )

    @extend_schema(
        operation_id="request_requirements_check",
        request=RequirementsCheckInput,
        responses=RequirementChecklistOutput,
        summary="Check the requirements (loket)",
    )
    def post(self, request: Request, tracking_number: str) -> Response:
        instance = selectors.request_for_documents(request.user, tracking_number)
        serializer = self.RequirementsCheckInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.requirements_check(
            instance=instance,
            items=serializer.validated_data["items"],
            actor=request.user,
            note=serializer.validated_data["note"],
        )
        return Response(_checklist(instance, request.user))
