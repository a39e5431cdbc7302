"""REST API of the auditor (role auditor, or an administrator; read-only but for running a verification):
the latest signed checkpoint, consistency proofs between checkpoints, one request's history
exported with its inclusion proofs, and verification runs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.directory.selectors import office_scope

from . import proofs, selectors
from .checkpoints import KeyMissing, verifier
from .models import VerificationRun
from .services import record_viewed, verification_run


def _auditor(request: Request) -> None:
    if not selectors.may_audit(request.user):
        raise exceptions.PermissionDenied(_("Hanya auditor dan administrator yang dapat membaca log audit."))


class KeyUnavailable(exceptions.APIException):
    status_code = 503
    default_code = "signing_key_missing"


def _key() -> str:
    try:
        return verifier()
    except KeyMissing as exc:
        raise KeyUnavailable(str(exc)) from exc


class CheckpointOutput(serializers.Serializer):
    size = serializers.IntegerField(help_text="leaves in the tree")
    root_hash = serializers.CharField(help_text="hex SHA-256 of the RFC 6962 tree")
    issued_at = serializers.DateTimeField()
    note = serializers.CharField(help_text="the C2SP signed note: keep it outside the system")
    verifier_key = serializers.CharField(help_text="the Ed25519 key that verifies the note (name+hash+key)")


class CheckpointLatestApi(APIView):
    @extend_schema(responses=CheckpointOutput, summary="The latest signed checkpoint of the audit log")
    def get(self, request: Request) -> Response:
        _auditor(request)
        checkpoint = proofs.latest_checkpoint()
        if checkpoint is None:
            raise exceptions.NotFound(_("Belum ada titik periksa."))
        data = {"size": checkpoint.size, "root_hash": checkpoint.root_hash, "issued_at": checkpoint.issued_at,
                "note": checkpoint.note, "verifier_key": _key()}  # fmt: skip
        return Response(CheckpointOutput(data).data)


class ConsistencyOutput(serializers.Serializer):
    old_size = serializers.IntegerField(source="from")
    new_size = serializers.IntegerField(source="to")
    proof = serializers.ListField(child=serializers.CharField(), help_text="hex hashes, RFC 6962 PROOF(m, D[n])")


class ConsistencyApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("from", int, required=True), OpenApiParameter("to", int, required=True)],
        responses=ConsistencyOutput, summary="A consistency proof between two tree sizes",
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        _auditor(request)
        try:
            old, new = int(request.query_params.get("from", "")), int(request.query_params.get("to", ""))
            proof = proofs.consistency(old, new)
        except ValueError as exc:
            raise exceptions.ValidationError({"detail": _("Ukuran pohon tidak sah: %(why)s") % {"why": exc}}) from exc
        return Response(ConsistencyOutput({"from": old, "to": new, "proof": proof}).data)


class RequestExportApi(APIView):
    @extend_schema(responses={200: dict[str, Any]}, summary="One request's history with its inclusion proofs")
    def get(self, request: Request, tracking_number: str) -> Response:
        _auditor(request)
        instance = selectors.request_in_scope(tracking_number, scope=office_scope(request.user))
        if instance is None:
            raise exceptions.NotFound(_("Permohonan tidak ditemukan."))
        record_viewed(viewer=request.user, instance=instance, what="export")
        response = Response(proofs.request_export(instance))
        response["Content-Disposition"] = f'attachment; filename="{instance.tracking_number}.audit.json"'
        return response


class VerificationOutput(serializers.Serializer):
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField()
    trigger = serializers.CharField()
    requests = serializers.IntegerField()
    events = serializers.IntegerField()
    leaves = serializers.IntegerField()
    checkpoints = serializers.IntegerField()
    ok = serializers.BooleanField()
    findings = serializers.ListField(child=serializers.CharField())


class VerificationApi(APIView):
    @extend_schema(responses=VerificationOutput, summary="The last verification run")
    def get(self, request: Request) -> Response:
        _auditor(request)
        run = VerificationRun.objects.order_by("-started_at", "-id").first()
        if run is None:
            raise exceptions.NotFound(_("Log audit belum pernah diperiksa."))
        return Response(VerificationOutput(run).data)

    @extend_schema(request=None, responses=VerificationOutput, summary="Verify the whole log now")
    def post(self, request: Request) -> Response:
        _auditor(request)
        _key()
        run, _report = verification_run(trigger=request.user.get_username())
        return Response(VerificationOutput(run).data)
