"""REST API for moving running requests between versions of a service (roles perancang and admin):
the dry run's verdict on each running request, moving a list of them or all safe ones (each in its
own transaction), and undoing a move while nothing new has happened on the request."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.api import InputSerializer
from portal.workflow.migration_plans import migration_dry_run, version_of
from portal.workflow.models import ProcessDefinition, ProcessInstance
from portal.workflow.services.migration import instance_migration_revert, instances_migrate

from .apis import body_of, designer_only

MAX_LISTED = 5000


class VerdictOutput(serializers.Serializer):
    tracking_number = serializers.CharField()
    waiting = serializers.ListField(child=serializers.CharField(), help_text="the steps it waits at, by name")
    safe = serializers.BooleanField(help_text="everything it waits at is unchanged in the target version")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="why it may not move")


class DryRunOutput(serializers.Serializer):
    code = serializers.CharField()
    from_version = serializers.IntegerField()
    to_version = serializers.IntegerField()
    safe = serializers.IntegerField(help_text="how many may move")
    requests = VerdictOutput(many=True, help_text="every running request of the source version, oldest first")


class MigrateInput(InputSerializer):
    from_version = serializers.IntegerField(min_value=1)
    to_version = serializers.IntegerField(min_value=1)
    requests = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, max_length=MAX_LISTED,
        help_text="tracking numbers to move; omit with all_safe",
    )  # fmt: skip
    all_safe = serializers.BooleanField(required=False, default=False, help_text="move every safe request")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("requests")) == bool(attrs.get("all_safe")):
            raise serializers.ValidationError("give either requests or all_safe: true")
        return attrs


class MigrateOutput(serializers.Serializer):
    moved = serializers.ListField(child=serializers.CharField(), help_text="tracking numbers moved")
    refused = serializers.DictField(child=serializers.CharField(), help_text="tracking number -> why it did not move")


class RevertOutput(serializers.Serializer):
    tracking_number = serializers.CharField()
    version = serializers.IntegerField(help_text="the version it runs on again")


def _pair(code: str, source: Any, target: Any) -> tuple[ProcessDefinition, ProcessDefinition]:
    try:
        return version_of(code, int(source)), version_of(code, int(target))
    except (TypeError, ValueError) as exc:
        raise exceptions.ValidationError({"detail": "from and to must be version numbers"}) from exc


class MigrationApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("from", int, required=True), OpenApiParameter("to", int, required=True)],
        responses=DryRunOutput, summary="Dry run: each running request of version `from` with its verdict",
    )  # fmt: skip
    def get(self, request: Request, code: str) -> Response:
        designer_only(request)
        source, target = _pair(code, request.query_params.get("from"), request.query_params.get("to"))
        verdicts = migration_dry_run(source, target)
        rows = [{"tracking_number": v.tracking_number, "waiting": list(v.waiting), "safe": v.safe,
                 "reasons": list(v.reasons)} for v in verdicts]  # fmt: skip
        answer = {"code": code, "from_version": source.version, "to_version": target.version,
                  "safe": sum(1 for v in verdicts if v.safe), "requests": rows}  # fmt: skip
        return Response(DryRunOutput(answer).data)

    @extend_schema(
        request=MigrateInput, responses=MigrateOutput,
        summary="Move the requests named (or all safe ones), each in its own transaction",
    )  # fmt: skip
    def post(self, request: Request, code: str) -> Response:
        designer_only(request)
        body = MigrateInput(data=body_of(request))
        body.is_valid(raise_exception=True)
        given = body.validated_data
        source, target = _pair(code, given["from_version"], given["to_version"])
        if given.get("all_safe"):
            ids = [v.instance_id for v in migration_dry_run(source, target) if v.safe]
        else:
            ids = list(ProcessInstance.objects.filter(definition=source, tracking_number__in=given["requests"])
                       .values_list("pk", flat=True))  # fmt: skip
        report = instances_migrate(instance_ids=ids, to_definition_id=target.pk, actor=request.user)
        named = set(given.get("requests") or [])
        for number in sorted(named - set(report.moved) - set(report.refused)):
            report.refused[number] = f"not a running request of {code} version {source.version}"
        return Response(MigrateOutput({"moved": report.moved, "refused": report.refused}).data)


class MigrationRevertApi(APIView):
    @extend_schema(request=None, responses=RevertOutput, summary="Undo a request's last move (409 once it moved on)")
    def post(self, request: Request, tracking_number: str) -> Response:
        designer_only(request)
        instance = ProcessInstance.objects.filter(tracking_number=str(tracking_number)[:20]).first()
        if instance is None:
            raise exceptions.NotFound()
        back = instance_migration_revert(instance_id=instance.pk, actor=request.user)
        return Response(
            RevertOutput({"tracking_number": back.tracking_number, "version": back.definition.version}).data
        )
