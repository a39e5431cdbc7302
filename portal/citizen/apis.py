"""The online submission through the API: what /ajukan/ does, for an app or a kiosk."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.apis import ApplicantInput
from portal.core.api import NOT_A_DICT, InputSerializer
from portal.core.http import client_ip
from portal.workflow.selectors import sla_view

from . import selectors, services


class SubmissionApi(APIView):
    """Anyone without an account (rate-limited per address), or a citizen's account; not officers."""

    permission_classes = [AllowAny]

    class SubmissionInput(InputSerializer):
        service = serializers.CharField(max_length=64)
        applicant = ApplicantInput()
        data = serializers.DictField(required=False, default=dict, error_messages=NOT_A_DICT)  # type: ignore[assignment]

    @extend_schema(
        request=SubmissionInput,
        responses={
            201: inline_serializer(
                "OnlineSubmissionOutput",
                {
                    "tracking_number": serializers.CharField(),
                    "pin": serializers.CharField(help_text="Shown this once; needed to track without an account."),
                    "service": serializers.CharField(),
                    "status": serializers.CharField(),
                    "sla": serializers.DictField(),
                },
            )
        },
        summary="Submit a request online (no account needed)",
    )
    def post(self, request: Request) -> Response:
        if not selectors.may_submit_online(request.user):
            detail = _("Petugas mendaftarkan permohonan melalui loket, bukan pengajuan daring.")
            return Response({"detail": detail}, status=status.HTTP_403_FORBIDDEN)
        serializer = self.SubmissionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            instance = services.online_request_submit(
                service_code=serializer.validated_data["service"],
                applicant=dict(serializer.validated_data["applicant"]),
                data=serializer.validated_data["data"],
                documents={},
                user=request.user,
                client_ip=client_ip(request._request),
            )
        except services.SubmissionRefused as exc:
            return Response({"detail": str(exc.message)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        body = {
            "tracking_number": instance.tracking_number,
            "pin": instance.access_pin,
            "service": instance.definition.code,
            "status": instance.status,
            "sla": sla_view(instance),
        }
        return Response(body, status=status.HTTP_201_CREATED)
