"""REST API of the process designer (roles perancang and admin): the services and shared files with
their versions, each version's source, lint, drafts, the comparison of a draft with the version in
use, deploying a draft and putting an earlier version back in use."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

import engine
from portal.core.api import InputSerializer, TextField, id_from_path

from . import selectors, services
from .models import Draft

Kind = Draft.Kind
PARTS = (Kind.DECISIONS, Kind.SHARED)


def designer_only(request: Request) -> None:
    if not selectors.may_design(request.user):
        raise exceptions.PermissionDenied(_("Hanya perancang proses dan administrator yang dapat mengelola rancangan."))


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def body_of(request: Request) -> Any:
    """The request's data; a body over the server's limit is a 413 saying the limit, not an HTML page."""
    try:
        return request.data
    except RequestDataTooBig as exc:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        message = _("Isi permintaan terlalu besar: paling banyak %(limit)s bait.") % {"limit": limit}
        raise PayloadTooLarge(message) from exc


def _part_kind(kind: str) -> str:
    if kind not in PARTS:
        raise exceptions.NotFound(_("Jenis berkas tidak dikenal."))
    return kind


# --- outputs ----------------------------------------------------------------------------------------


class DesignerVersionOutput(serializers.Serializer):
    version = serializers.IntegerField()
    sha256 = serializers.CharField(help_text="a service's: of its file with the parts it was built with")
    deployed_by = serializers.CharField(source="deployed_by_name", help_text="who deployed it")
    deployed_at = serializers.DateTimeField()
    note = serializers.CharField(help_text="why it was deployed")
    active = serializers.BooleanField(source="is_active", help_text="the version new requests start on")
    running = serializers.IntegerField(required=False, help_text="requests running on it (services only)")
    used_by = serializers.IntegerField(required=False, help_text="service versions built with it (parts only)")


class DesignerServiceOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    active_version = serializers.IntegerField(allow_null=True)
    drafts = serializers.IntegerField(help_text="drafts saved of this service")
    versions = DesignerVersionOutput(many=True, help_text="newest first")


class DesignerPartOutput(serializers.Serializer):
    kind = serializers.CharField(help_text="decisions or shared")
    code = serializers.CharField()
    active_version = serializers.IntegerField(allow_null=True)
    drafts = serializers.IntegerField()
    versions = DesignerVersionOutput(many=True, help_text="newest first")


class DesignerDefinitionsOutput(serializers.Serializer):
    services = DesignerServiceOutput(many=True)
    parts = DesignerPartOutput(many=True, help_text="decision table files and shared sub-processes")


class DesignerSourceOutput(serializers.Serializer):
    kind = serializers.CharField(help_text="service, decisions or shared")
    code = serializers.CharField()
    version = serializers.IntegerField()
    sha256 = serializers.CharField()
    source = serializers.CharField(help_text="the BPMN or DMN XML as deployed")  # type: ignore[assignment]


class DesignerProblemOutput(serializers.Serializer):
    element_id = serializers.CharField(help_text='the BPMN/DMN element; "-" for the file as a whole')
    message = serializers.CharField()
    severity = serializers.ChoiceField(choices=[s.value for s in engine.Severity])
    code = serializers.ChoiceField(choices=["lint", "unreadable"], help_text="unreadable: refused or malformed XML")
    file = serializers.CharField()


class DesignerLintOutput(serializers.Serializer):
    ok = serializers.BooleanField(help_text="no errors (warnings may remain)")
    problems = DesignerProblemOutput(many=True)


class DesignerRefusedOutput(serializers.Serializer):
    detail = serializers.CharField()
    problems = DesignerProblemOutput(many=True)


class DesignerDraftOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="service, decisions or shared")
    code = serializers.CharField()
    number = serializers.IntegerField(help_text="revision number of this file's drafts")
    based_on = serializers.IntegerField(allow_null=True, help_text="the version in use when it was started")
    author = serializers.CharField(source="author_name")
    saved_at = serializers.DateTimeField()
    note = serializers.CharField()
    sha256 = serializers.CharField()
    deployed_version = serializers.IntegerField(allow_null=True, help_text="the version it became, once deployed")
    deployed_at = serializers.DateTimeField(allow_null=True)


class DesignerDraftDetailOutput(DesignerDraftOutput):
    source = serializers.CharField()  # type: ignore[assignment]


class DesignerElementOutput(serializers.Serializer):
    id = serializers.CharField()
    kind = serializers.CharField(help_text="the element's tag: userTask, sequenceFlow, rule...")
    name = serializers.CharField()
    lane = serializers.CharField(help_text="the lane (role) of a flow node; empty otherwise")


class DesignerChangeOutput(serializers.Serializer):
    id = serializers.CharField()
    kind = serializers.CharField()
    name = serializers.CharField()
    properties = serializers.ListField(
        child=serializers.CharField(), help_text="name, type, lane, incoming, condition, timer, form:<field>..."
    )


class DesignerHintOutput(serializers.Serializer):
    field = serializers.CharField(help_text="a field of the service standard: procedure, completion_time...")
    message = serializers.CharField()


class DesignerCompareOutput(serializers.Serializer):
    draft = serializers.IntegerField()
    against_version = serializers.IntegerField(allow_null=True, help_text="the version in use; null: none yet")
    same = serializers.BooleanField()
    added = DesignerElementOutput(many=True)
    removed = DesignerElementOutput(many=True)
    changed = DesignerChangeOutput(many=True)
    steps_added = DesignerElementOutput(many=True, help_text="user and manual tasks, call activities")
    steps_removed = DesignerElementOutput(many=True)
    standard_hints = DesignerHintOutput(many=True)


class DesignerServiceVersionOutput(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.IntegerField()
    sha256 = serializers.CharField()


class DesignerDeployedOutput(serializers.Serializer):
    draft = DesignerDraftOutput(allow_null=True)
    kind = serializers.CharField(help_text="service, decisions or shared")
    code = serializers.CharField()
    version = serializers.IntegerField(help_text="the version in use now")
    sha256 = serializers.CharField()
    previous_version = serializers.IntegerField(allow_null=True)
    previous_sha256 = serializers.CharField(allow_null=True)
    deployed_by = serializers.CharField()
    note = serializers.CharField()
    services = DesignerServiceVersionOutput(many=True, help_text="services given a new version with this file")
    standard_hints = DesignerHintOutput(many=True)


def _hints(hints: Any) -> list[dict[str, str]]:
    return [{"field": field, "message": message} for field, message in hints]


def _deployed(result: services.Deployed, *, actor: Any, note: str) -> dict[str, Any]:
    row, previous = result.version, result.previous
    return {
        "draft": result.draft,
        "kind": result.kind, "code": row.code, "version": row.version, "sha256": row.sha256,
        "previous_version": previous.version if previous else None,
        "previous_sha256": previous.sha256 if previous else None,
        "deployed_by": actor.get_username(), "note": note,
        "services": [{"code": r.definition.code, "version": r.definition.version, "sha256": r.definition.sha256}
                     for r in result.services],
        "standard_hints": _hints(result.hints),
    }  # fmt: skip


# --- versions -------------------------------------------------------------------------------------


class DefinitionsApi(APIView):
    @extend_schema(responses=DesignerDefinitionsOutput, summary="Services and shared files with their versions")
    def get(self, request: Request) -> Response:
        designer_only(request)
        return Response(DesignerDefinitionsOutput(selectors.definitions_overview()).data)


def _source(kind: str, code: str, version: int) -> Response:
    found = selectors.version_source(kind, code, version)
    if found is None:
        raise exceptions.NotFound(_("Versi tidak ditemukan."))
    source, sha256 = found
    data = {"kind": kind, "code": code, "version": version, "sha256": sha256, "source": source}
    return Response(DesignerSourceOutput(data).data)


class VersionSourceApi(APIView):
    @extend_schema(responses=DesignerSourceOutput, summary="The BPMN source of one version of a service")
    def get(self, request: Request, code: str, version: int) -> Response:
        designer_only(request)
        return _source(Kind.SERVICE, code, version)


class PartVersionSourceApi(APIView):
    @extend_schema(responses=DesignerSourceOutput, summary="The source of a version of a decision table or shared file")
    def get(self, request: Request, kind: str, code: str, version: int) -> Response:
        designer_only(request)
        return _source(_part_kind(kind), code, version)


class NoteInput(InputSerializer):
    note = TextField(max_length=services.MAX_NOTE, help_text="why: recorded with the version and in the log")


def _note(request: Request) -> str:
    body = NoteInput(data=body_of(request))
    body.is_valid(raise_exception=True)
    return str(body.validated_data["note"])


class VersionActivateApi(APIView):
    @extend_schema(
        request=NoteInput, responses=DesignerDeployedOutput,
        summary="Put an earlier version of a service back in use (a roll back, recorded)",
    )  # fmt: skip
    def post(self, request: Request, code: str, version: int) -> Response:
        designer_only(request)
        note = _note(request)
        result = services.version_rollback(code=code, version=version, actor=request.user, note=note)
        return Response(DesignerDeployedOutput(_deployed(result, actor=request.user, note=note)).data)


class PartVersionActivateApi(APIView):
    @extend_schema(
        request=NoteInput, responses=DesignerDeployedOutput,
        summary="Put an earlier version of a decision table or shared file back in use (its services rebuilt)",
    )  # fmt: skip
    def post(self, request: Request, kind: str, code: str, version: int) -> Response:
        designer_only(request)
        note = _note(request)
        result = services.part_rollback(
            kind=_part_kind(kind), code=code, version=version, actor=request.user, note=note
        )
        return Response(DesignerDeployedOutput(_deployed(result, actor=request.user, note=note)).data)


# --- lint -----------------------------------------------------------------------------------------


class LintInput(InputSerializer):
    source = TextField(trim_whitespace=False, help_text="the BPMN or DMN XML")  # type: ignore[assignment]
    filename = TextField(max_length=200, help_text="sktm.bpmn, decisions/<id>.dmn or shared/<id>.bpmn")


class LintApi(APIView):
    @extend_schema(
        request=LintInput, responses={200: DesignerLintOutput},
        summary="Check a file as a deploy would (400 when it is too large or not text)",
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        designer_only(request)
        body = LintInput(data=body_of(request))
        body.is_valid(raise_exception=True)
        problems = services.file_lint(filename=body.validated_data["filename"], source=body.validated_data["source"])
        found = [services.problem_data(p) for p in problems]
        return Response(DesignerLintOutput({"ok": not engine.errors_of(problems), "problems": found}).data)


# --- drafts ---------------------------------------------------------------------------------------


class DraftCreateInput(InputSerializer):
    source = TextField(trim_whitespace=False, help_text="the BPMN or DMN XML")  # type: ignore[assignment]
    note = TextField(required=False, allow_blank=True, max_length=services.MAX_NOTE)
    based_on = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="the version it was started from (default: in use)"
    )


class DraftPages(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200


class _DraftsApi(APIView):
    """The drafts of one file (newest first), and saving a new one."""

    def listed(self, request: Request, kind: str, code: str) -> Response:
        designer_only(request)
        pages = DraftPages()
        rows = pages.paginate_queryset(selectors.drafts_of(kind, code), request, view=self) or []
        return pages.get_paginated_response(DesignerDraftOutput(rows, many=True).data)

    def created(self, request: Request, kind: str, code: str) -> Response:
        designer_only(request)
        body = DraftCreateInput(data=body_of(request))
        body.is_valid(raise_exception=True)
        given = body.validated_data
        draft = services.draft_save(
            kind=kind, code=code, source=given["source"], author=request.user, note=given.get("note", ""),
            based_on=given.get("based_on"),
        )  # fmt: skip
        return Response(DesignerDraftOutput(draft).data, status=status.HTTP_201_CREATED)


class ServiceDraftsApi(_DraftsApi):
    @extend_schema(responses=DesignerDraftOutput(many=True), summary="Drafts of a service, newest first")
    def get(self, request: Request, code: str) -> Response:
        return self.listed(request, Kind.SERVICE, code)

    @extend_schema(
        request=DraftCreateInput, responses={201: DesignerDraftOutput},
        summary="Save a draft of a service's diagram (never live until deployed)",
    )  # fmt: skip
    def post(self, request: Request, code: str) -> Response:
        return self.created(request, Kind.SERVICE, code)


class PartDraftsApi(_DraftsApi):
    @extend_schema(responses=DesignerDraftOutput(many=True), summary="Drafts of a decision table or shared file")
    def get(self, request: Request, kind: str, code: str) -> Response:
        return self.listed(request, _part_kind(kind), code)

    @extend_schema(
        request=DraftCreateInput, responses={201: DesignerDraftOutput},
        summary="Save a draft of a decision table or shared file",
    )  # fmt: skip
    def post(self, request: Request, kind: str, code: str) -> Response:
        return self.created(request, _part_kind(kind), code)


def _draft(draft_id: str) -> Draft:
    found = selectors.draft_find(id_from_path(draft_id))
    if found is None:
        raise exceptions.NotFound(_("Draf tidak ditemukan."))
    return found


class DraftApi(APIView):
    @extend_schema(responses=DesignerDraftDetailOutput, summary="One draft with its source")
    def get(self, request: Request, draft_id: str) -> Response:
        designer_only(request)
        return Response(DesignerDraftDetailOutput(_draft(draft_id)).data)


class DraftCompareApi(APIView):
    @extend_schema(responses=DesignerCompareOutput, summary="What a draft changes in the version in use")
    def get(self, request: Request, draft_id: str) -> Response:
        designer_only(request)
        draft = _draft(draft_id)
        live = selectors.live_version(draft.kind, draft.code)
        comparison, hints = services.draft_compare(draft, live)
        data = {
            "draft": draft.pk, "against_version": live.version if live is not None else None,
            "same": comparison.same, "added": comparison.added, "removed": comparison.removed,
            "changed": comparison.changed, "steps_added": comparison.steps.added,
            "steps_removed": comparison.steps.removed, "standard_hints": _hints(hints),
        }  # fmt: skip
        return Response(DesignerCompareOutput(data).data)


class DraftDeployApi(APIView):
    @extend_schema(
        request=NoteInput, responses={200: DesignerDeployedOutput, 400: DesignerRefusedOutput},
        summary="Deploy a draft as the file's new version (400 with the problems when it does not lint)",
    )  # fmt: skip
    def post(self, request: Request, draft_id: str) -> Response:
        designer_only(request)
        note = _note(request)
        result = services.draft_deploy(draft_id=_draft(draft_id).pk, actor=request.user, note=note)
        return Response(DesignerDeployedOutput(_deployed(result, actor=request.user, note=note)).data)
