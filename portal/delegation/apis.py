"""REST API of the delegation register: list, create, end. Rules live in services.py."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.api import InputSerializer
from portal.core.ids import path_id

from . import selectors, services
from .enums import DelegationKind
from .models import Delegation


class DelegationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    principal = serializers.CharField(source="principal.username")
    deputy = serializers.CharField(source="deputy.username")
    deputy_name = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=DelegationKind.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    services = serializers.ListField(child=serializers.CharField(), help_text="service codes; empty: every service")
    reason = serializers.CharField()
    state = serializers.SerializerMethodField(help_text="active, upcoming, ended (early) or past")
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    ended_by = serializers.CharField(source="ended_by.username", allow_null=True, default=None)

    def get_deputy_name(self, obj: Delegation) -> str:
        return str(obj.deputy.get_full_name() or obj.deputy.get_username())

    def get_state(self, obj: Delegation) -> str:
        return selectors.delegation_state(obj)


def _output(delegation: Delegation) -> dict[str, Any]:
    fresh = selectors.delegations_for_any().get(pk=delegation.pk)
    return dict(DelegationOutput(fresh).data)


class DelegationListCreateApi(APIView):
    class DelegationCreateInput(InputSerializer):
        deputy = serializers.CharField(max_length=150, help_text="username of a sekcam or kasi")
        kind = serializers.ChoiceField(choices=DelegationKind.choices)
        starts_on = serializers.DateField(help_text="first day (WITA), not before today")
        ends_on = serializers.DateField(help_text="last day (WITA), inclusive")
        services = serializers.ListField(
            child=serializers.CharField(max_length=64), required=False, default=list, max_length=100,
            help_text="service codes; empty or absent: every service",
        )  # fmt: skip
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
        principal = serializers.CharField(
            max_length=150, required=False, allow_blank=True, default="", help_text="camat's username (admin only)"
        )

    @extend_schema(responses=DelegationOutput(many=True), summary="Signing delegations the caller may read")
    def get(self, request: Request) -> Response:
        return Response(DelegationOutput(selectors.delegations_for(request.user), many=True).data)

    @extend_schema(request=DelegationCreateInput, responses={201: DelegationOutput}, summary="Name a deputy")
    def post(self, request: Request) -> Response:
        serializer = self.DelegationCreateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        delegation = services.delegation_create(
            actor=request.user, deputy=values["deputy"], kind=values["kind"], starts_on=values["starts_on"],
            ends_on=values["ends_on"], services=list(values["services"]), reason=values["reason"],
            principal=values["principal"] or None,
        )  # fmt: skip
        return Response(_output(delegation), status=status.HTTP_201_CREATED)


class DelegationEndApi(APIView):
    @extend_schema(request=None, responses=DelegationOutput, summary="End a delegation now")
    def post(self, request: Request, delegation_id: str) -> Response:
        value = path_id(delegation_id)
        if value is None:
            raise exceptions.NotFound()
        delegation = services.delegation_end(delegation_id=value, actor=request.user)
        return Response(_output(delegation))
