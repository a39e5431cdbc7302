"""Public JSON of the catalogue (the same data as the public pages) and refusal counts."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.catalogue import selectors
from portal.directory.models import Office
from portal.directory.selectors import office_serving

from .presenters import service_detail, service_summary


class RequirementOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]


class AuthorityOutput(serializers.Serializer):
    status = serializers.CharField()
    status_label = serializers.CharField()
    office = serializers.CharField()
    legal_basis = serializers.CharField()
    legal_basis_date = serializers.DateField(allow_null=True)
    in_force_from = serializers.DateField(allow_null=True)
    in_force_until = serializers.DateField(allow_null=True)
    note = serializers.CharField()


class ServiceSummaryOutput(serializers.Serializer):
    code = serializers.CharField()
    kecamatan = serializers.CharField(help_text="the kecamatan whose authority row is shown; empty: the regency's")
    name = serializers.CharField()
    kind = serializers.CharField()
    summary = serializers.CharField()
    version = serializers.IntegerField(allow_null=True)
    completion_time = serializers.JSONField()
    fee = serializers.JSONField()
    authority = AuthorityOutput()
    online = serializers.BooleanField(help_text="whether a request can be registered (a process is deployed)")


class ProcedureStepOutput(serializers.Serializer):
    bpmn_id = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()
    role_label = serializers.CharField()


class ServiceDetailOutput(ServiceSummaryOutput):
    requirements = RequirementOutput(many=True)
    procedure = serializers.ListField(child=serializers.CharField())
    steps = ProcedureStepOutput(many=True)
    product = serializers.CharField()
    complaints = serializers.CharField()
    service_hours = serializers.CharField()
    management = serializers.DictField()


KECAMATAN = OpenApiParameter(
    "kecamatan", str, required=False,
    description="a kecamatan's slug or Kemendagri code: its own authority row where it has one",
)  # fmt: skip


def _chosen_office(request: Request) -> Office | None:
    value = request.query_params.get("kecamatan", "")
    office = office_serving(value) if value else None
    if value and office is None:
        raise exceptions.NotFound(_("Kecamatan tidak ditemukan."))
    return office


class ServiceListApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        parameters=[KECAMATAN], responses=ServiceSummaryOutput(many=True), summary="Published services (public)",
        auth=[],
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        office = _chosen_office(request)
        return Response([service_summary(s, office) for s in selectors.services_published()])


class ServiceDetailApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        parameters=[KECAMATAN], responses=ServiceDetailOutput, summary="A service's published standard (public)",
        auth=[],
    )  # fmt: skip
    def get(self, request: Request, code: str) -> Response:
        office = _chosen_office(request)
        service = selectors.service_find(code)
        if service is None:
            raise exceptions.NotFound(_("Layanan tidak ditemukan."))
        return Response(service_detail(service, office))


class RefusalCountOutput(serializers.Serializer):
    service = serializers.CharField()
    name = serializers.CharField()
    month = serializers.CharField()
    count = serializers.IntegerField()


class RefusalCountApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("year", int, required=False)],
        responses=RefusalCountOutput(many=True),
        summary="Requests refused for lack of authority, per service and month (camat, auditor, admin)",
    )
    def get(self, request: Request) -> Response:
        if not user_roles(request.user) & {RoleCode.CAMAT, RoleCode.AUDITOR, RoleCode.ADMIN, RoleCode.SEKCAM}:
            raise exceptions.PermissionDenied(_("Hanya camat, sekcam, auditor atau admin."))
        raw_year = request.query_params.get("year")
        year = None
        if raw_year:
            if not raw_year.isascii() or not raw_year.isdigit() or not 2000 <= int(raw_year) <= 2100:
                raise exceptions.ValidationError({"year": [_("Tahun tidak valid.")]})
            year = int(raw_year)
        return Response(selectors.refusals_by_month(year=year))
