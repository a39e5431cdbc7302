"""REST API of the tracking page: POST a tracking number and PIN, get what the page shows."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.api import InputSerializer, SlaOutput
from portal.core.http import client_ip

from . import presenters, selectors, services
from .errors import TrackingMismatch, TrackingRefused, mismatch_message
from .forms import NUMBER_FORMAT_MESSAGE, PIN_FORMAT_MESSAGE


class TrackingStepOutput(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField(help_text="role code holding the step (loket, kasi, sekcam, camat, pemohon)")
    role_label = serializers.CharField(help_text="the role in words; officers are never named")
    with_applicant = serializers.BooleanField(help_text="the step waits for the applicant")
    since = serializers.DateTimeField()


class TrackingTimelineItemOutput(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()
    role_label = serializers.CharField()
    at = serializers.DateTimeField(help_text="when the step was completed")


class TrackingSlaOutput(SlaOutput):
    paused_working_hours = serializers.FloatField(
        help_text="office hours the clock stood still, the current pause included"
    )
    expected_completion_date = serializers.DateField(allow_null=True, help_text="the due date in WITA")
    expected_completion_text = serializers.CharField(
        help_text='e.g. "Senin, 30 November 2026"; empty before the clock starts'
    )
    paused_since = serializers.DateTimeField(allow_null=True)
    paused_working_seconds = serializers.IntegerField(
        help_text="office time the clock stood still, the current pause included"
    )
    paused_working_text = serializers.CharField()


class TrackingReturnedOutput(serializers.Serializer):
    step = serializers.CharField(help_text="the step waiting for the applicant")
    since = serializers.DateTimeField()
    missing_requirements = serializers.ListField(child=serializers.CharField())
    notes = serializers.ListField(child=serializers.CharField(), help_text="the officer's notes on what to fix")


class TrackingLetterOutput(serializers.Serializer):
    title = serializers.CharField()
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()
    ready = serializers.BooleanField(help_text="false while the PDF is still being drawn")
    verification_path = serializers.CharField(help_text="public page that checks the letter is genuine")


class TrackingOutput(serializers.Serializer):
    tracking_number = serializers.CharField()
    service_code = serializers.CharField()
    service_name = serializers.CharField()
    registered_at = serializers.DateTimeField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    outcome = serializers.CharField(help_text="how the request ended; empty while it runs")
    completed_at = serializers.DateTimeField(allow_null=True)
    current_steps = TrackingStepOutput(many=True)
    timeline = TrackingTimelineItemOutput(many=True, help_text="completed steps, oldest first")
    sla = TrackingSlaOutput()
    returned = TrackingReturnedOutput(allow_null=True, help_text="set while the file is back with the applicant")
    letters = TrackingLetterOutput(many=True)


TrackingErrorOutput = inline_serializer("TrackingError", {"detail": serializers.CharField()})


class TrackingApi(APIView):
    # Anonymous by design; no session or token is read, so no CSRF token is needed either.
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    class TrackingInput(InputSerializer):
        tracking_number = serializers.CharField(max_length=selectors.TRACKING_NUMBER_MAX_LENGTH)
        pin = serializers.CharField(max_length=6, help_text="the 6-digit PIN given at registration")

        def validate_tracking_number(self, value: str) -> str:
            number = selectors.tracking_number_normalize(value)
            if not selectors.tracking_number_plausible(number):
                raise serializers.ValidationError(str(NUMBER_FORMAT_MESSAGE))
            return number

        def validate_pin(self, value: str) -> str:
            if not selectors.PIN_RE.fullmatch(value):
                raise serializers.ValidationError(str(PIN_FORMAT_MESSAGE))
            return value

    @extend_schema(
        request=TrackingInput,
        responses={
            200: TrackingOutput,
            400: OpenApiResponse(description="malformed tracking number or PIN (field errors)"),
            404: OpenApiResponse(TrackingErrorOutput, description="no request with this number and PIN"),
            429: OpenApiResponse(TrackingErrorOutput, description="too many failed tries; see Retry-After"),
        },
        auth=[],
        summary="Track a request with its tracking number and PIN (no account)",
    )
    def post(self, request: Request) -> Response:
        serializer = self.TrackingInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            instance = services.tracking_pin_check(
                tracking_number=serializer.validated_data["tracking_number"],
                pin=serializer.validated_data["pin"],
                client_ip=client_ip(request),
            )
        except TrackingRefused as exc:
            return Response(
                {"detail": exc.message()},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(exc.retry_after_seconds())},
            )
        except TrackingMismatch:
            return Response({"detail": mismatch_message()}, status=status.HTTP_404_NOT_FOUND)
        found = selectors.request_by_tracking_number(instance.tracking_number)
        return Response(TrackingOutput(presenters.tracking_public(found or instance)).data)
