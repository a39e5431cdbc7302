"""REST API of incidents (administrators): list them, retry the failed command, or cancel with a reason."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.api import InputSerializer, TextField
from portal.workflow.models import ProcessInstance
from portal.workflow.selectors import incidents
from portal.workflow.services.incidents import MAX_REASON, instance_cancel, instance_retry

from . import selectors


class IncidentOutput(serializers.Serializer):
    tracking_number = serializers.CharField(source="instance.tracking_number")
    service = serializers.CharField(source="instance.definition.code")
    version = serializers.IntegerField(source="instance.definition.version")
    active_version = serializers.IntegerField(allow_null=True, help_text="when a newer version would be retried on")
    command = serializers.CharField(help_text="the command that failed, repeated by a retry")
    step = serializers.CharField(source="step_name", help_text="the step whose completion failed, if any")
    element = serializers.CharField(help_text="the BPMN element that failed, if known")
    error = serializers.CharField()
    failed_at = serializers.DateTimeField(allow_null=True)
    attempts = serializers.IntegerField()
    actor = serializers.CharField(help_text="who gave the command; empty for a sweep")


class InstanceOutcomeOutput(serializers.Serializer):
    tracking_number = serializers.CharField()
    status = serializers.CharField()


def _admin_only(request: Request) -> None:
    if not selectors.may_handle(request.user):
        raise exceptions.PermissionDenied(_("Hanya administrator yang dapat menangani gangguan proses."))


def _incident(tracking_number: str) -> ProcessInstance:
    found = selectors.incident_of(tracking_number)
    if found is None:
        raise exceptions.NotFound(_("Tidak ada gangguan proses dengan nomor registrasi ini."))
    return found


def _outcome(instance: ProcessInstance) -> dict[str, Any]:
    return dict(InstanceOutcomeOutput(instance).data)


class IncidentListApi(APIView):
    class Pagination(LimitOffsetPagination):
        default_limit = 25
        max_limit = 100

    @extend_schema(
        responses=IncidentOutput(many=True), summary="Requests stopped by a failing diagram, oldest first (admin)",
        parameters=[OpenApiParameter("limit", int, required=False), OpenApiParameter("offset", int, required=False)],
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        _admin_only(request)
        paginator = self.Pagination()
        rows = paginator.paginate_queryset(incidents(), request, view=self) or []
        described = selectors.incidents_described(list(rows))
        return paginator.get_paginated_response(IncidentOutput(described, many=True).data)


class IncidentRetryApi(APIView):
    @extend_schema(
        request=None, responses=InstanceOutcomeOutput,
        summary="Run the failed command again on the service's active version (400 if it fails again)",
    )  # fmt: skip
    def post(self, request: Request, tracking_number: str) -> Response:
        _admin_only(request)
        retried = instance_retry(instance_id=_incident(tracking_number).pk, actor=request.user)
        return Response(_outcome(retried))


class IncidentCancelApi(APIView):
    class IncidentCancelInput(InputSerializer):
        reason = TextField(max_length=MAX_REASON, help_text="shown to the applicant")

    @extend_schema(request=IncidentCancelInput, responses=InstanceOutcomeOutput, summary="Cancel an incident")
    def post(self, request: Request, tracking_number: str) -> Response:
        _admin_only(request)
        body = self.IncidentCancelInput(data=request.data)
        body.is_valid(raise_exception=True)
        found = _incident(tracking_number)
        cancelled = instance_cancel(instance_id=found.pk, actor=request.user, reason=body.validated_data["reason"])
        return Response(_outcome(cancelled))
