"""REST API of letters: the public check of a letter (and of a copy of it) and the PDF for authorised users."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.api import InputSerializer
from portal.core.http import private_file_response
from portal.core.ids import path_id

from . import selectors
from .errors import LetterFileCorrupt, LetterNotReady
from .forms import COPY_MAX_BYTES, too_large_message
from .presenters import letter_public

NotFoundOutput = inline_serializer(
    "LetterNotFoundOutput", {"valid": serializers.BooleanField(), "detail": serializers.CharField()}
)


class LetterPublicOutput(serializers.Serializer):
    valid = serializers.BooleanField(help_text="true: a letter with this token was issued")
    title = serializers.CharField()
    number = serializers.CharField()
    issued_on = serializers.DateField()
    signer_name = serializers.CharField()
    signer_capacity = serializers.CharField()
    signature_lines = serializers.ListField(child=serializers.CharField())
    sha256 = serializers.CharField()
    ready = serializers.BooleanField(help_text="false while the PDF is still being drawn")


def _not_found() -> Response:
    return Response({"valid": False, "detail": _("Surat tidak terdaftar.")}, status=status.HTTP_404_NOT_FOUND)


class LetterVerifyApi(APIView):
    """Public: no login. GET tells whether the letter exists; POST whether an uploaded copy is unaltered."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser]

    class LetterCopyInput(InputSerializer):
        file = serializers.FileField(help_text="the PDF to compare, at most 5 MB")

    class LetterCopyOutput(LetterPublicOutput):
        valid = serializers.BooleanField(help_text="true: the uploaded file is byte for byte the issued PDF")
        uploaded_sha256 = serializers.CharField()

    @extend_schema(
        responses={200: LetterPublicOutput, 404: NotFoundOutput}, auth=[], summary="Public check of a letter"
    )
    def get(self, request: Request, token: str) -> Response:
        letter = selectors.letter_by_token(token)
        if letter is None:
            return _not_found()
        return Response(LetterPublicOutput({**letter_public(letter), "valid": True}).data)

    @extend_schema(
        request=LetterCopyInput,
        responses={
            200: LetterCopyOutput,
            400: OpenApiResponse(description="no file, or larger than 5 MB"),
            404: NotFoundOutput,
        },
        auth=[],
        summary="Check an uploaded copy of a letter against the issued PDF",
    )
    def post(self, request: Request, token: str) -> Response:
        letter = selectors.letter_by_token(token)
        if letter is None:
            return _not_found()
        try:
            too_large = int(request.META.get("CONTENT_LENGTH") or 0) > COPY_MAX_BYTES + 64 * 1024
        except ValueError:
            too_large = True
        if too_large:
            raise exceptions.ValidationError({"file": [too_large_message()]})
        serializer = self.LetterCopyInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > COPY_MAX_BYTES:
            raise exceptions.ValidationError({"file": [too_large_message()]})
        sha256 = selectors.sha256_of_chunks(upload.chunks())
        valid = selectors.letter_copy_matches(letter, sha256=sha256)
        return Response(
            self.LetterCopyOutput({**letter_public(letter), "valid": valid, "uploaded_sha256": sha256}).data
        )


class LetterPdfApi(APIView):
    """The issued PDF: officers, auditors, admins and the applicant of the request; 404 for anyone else."""

    renderer_classes = [JSONRenderer]  # errors are JSON; the PDF itself bypasses rendering

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # A client asking for application/pdf still gets its errors (as JSON) instead of a 406.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: OpenApiResponse(description="not found")},
        summary="Download the PDF of an issued letter",
    )
    def get(self, request: Request, letter_id: str) -> HttpResponse:
        letter_pk = path_id(letter_id)
        if letter_pk is None:
            raise exceptions.NotFound()
        letter = selectors.letter_for_user(request.user, letter_pk)
        try:
            content = selectors.letter_pdf_bytes(letter)
        except LetterNotReady as exc:
            return Response({"detail": str(exc.message)}, status=409, headers={"Retry-After": "5"})
        except LetterFileCorrupt as exc:
            raise exceptions.APIException(str(exc.message)) from exc
        filename = re.sub(r"[^A-Za-z0-9.-]+", "-", letter.number).strip("-") + ".pdf"
        return private_file_response(content, filename=filename, content_type="application/pdf")
