"""REST API of the satisfaction survey: the applicant answers (PIN or this browser's session), the
camat, admin and auditor read the index."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.api import InputSerializer
from portal.core.errors import NotAllowed, NotFound
from portal.core.http import client_ip
from portal.tracking.access import is_owner, request_for_applicant
from portal.tracking.errors import TrackingMismatch, TrackingRefused, mismatch_message
from portal.tracking.selectors import PIN_RE, TRACKING_NUMBER_MAX_LENGTH, request_by_tracking_number
from portal.tracking.services import tracking_pin_check

from . import selectors, services

SurveyErrorOutput = inline_serializer("SurveyError", {"detail": serializers.CharField()})


class SurveyElementOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    total = serializers.IntegerField(help_text="sum of the scores given to this element")
    nrr = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True, help_text="average score, 1..4")
    nrr_exact = serializers.FloatField(allow_null=True)


class SurveySummaryOutput(serializers.Serializer):
    service = serializers.CharField(help_text="service code; empty for all services")
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    respondents = serializers.IntegerField()
    elements = SurveyElementOutput(many=True)
    ikm = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="sum(NRR_i x 1/9) x 25 with the exact 1/9"
    )
    ikm_weight_0111 = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="the same with the regulation's rounded 0.111"
    )
    grade = serializers.CharField(help_text="A, B, C or D; empty without respondents")
    grade_label = serializers.CharField()


class SurveySubmitApi(APIView):
    """The applicant answers the survey of her completed request, once."""

    permission_classes = [AllowAny]

    class SurveySubmitInput(InputSerializer):
        tracking_number = serializers.CharField(max_length=TRACKING_NUMBER_MAX_LENGTH)
        pin = serializers.CharField(
            max_length=6, required=False, allow_blank=True,
            help_text="the tracking PIN; without it the applicant's account or this browser's tracking session",
        )  # fmt: skip
        answers = serializers.DictField(
            child=serializers.JSONField(), help_text='{"U1": 4, ..., "U9": 3}: every element, scores 1 to 4'
        )
        suggestion = serializers.CharField(
            required=False, allow_blank=True, max_length=services.SUGGESTION_MAX_LENGTH, trim_whitespace=True
        )

    class SurveySubmitOutput(serializers.Serializer):
        tracking_number = serializers.CharField()
        submitted_at = serializers.DateTimeField()

    @extend_schema(
        request=SurveySubmitInput,
        responses={
            201: SurveySubmitOutput,
            400: OpenApiResponse(description="missing or invalid answers (field errors)"),
            404: OpenApiResponse(SurveyErrorOutput, description="no request of yours with this number (and PIN)"),
            409: OpenApiResponse(SurveyErrorOutput, description="not completed yet, or already surveyed"),
            429: OpenApiResponse(SurveyErrorOutput, description="too many failed PIN tries; see Retry-After"),
        },
        summary="Answer the satisfaction survey (SKM) of a completed request",
    )
    def post(self, request: Request) -> Response:
        serializer = self.SurveySubmitInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        pin = data.get("pin") or ""
        if pin:
            if not PIN_RE.fullmatch(pin):
                return Response({"detail": mismatch_message()}, status=status.HTTP_404_NOT_FOUND)
            try:
                instance = tracking_pin_check(
                    tracking_number=data["tracking_number"], pin=pin, client_ip=client_ip(request)
                )
            except TrackingRefused as exc:
                return Response(
                    {"detail": exc.message()}, status=status.HTTP_429_TOO_MANY_REQUESTS,
                    headers={"Retry-After": str(exc.retry_after_seconds())},
                )  # fmt: skip
            except TrackingMismatch:
                return Response({"detail": mismatch_message()}, status=status.HTTP_404_NOT_FOUND)
            checked = request_by_tracking_number(instance.tracking_number)
            if checked is None:
                raise NotFound("not found")
            instance = checked
            via = services.VIA_PIN
        else:
            found = request_for_applicant(
                user=request.user, session=request._request.session, tracking_number=data["tracking_number"]
            )
            if found is None:
                raise NotFound("not found")
            instance = found
            via = services.VIA_ACCOUNT if is_owner(request.user, instance) else services.VIA_PIN
        response = services.survey_submit(
            instance=instance, answers=data["answers"], suggestion=data.get("suggestion", ""), via=via
        )
        return Response(
            self.SurveySubmitOutput(
                {"tracking_number": instance.tracking_number, "submitted_at": response.submitted_at}
            ).data,
            status=status.HTTP_201_CREATED,
        )


class SurveySummaryApi(APIView):
    """The index (IKM) of a service and period, for the camat, administrators and auditors."""

    permission_classes = [IsAuthenticated]

    class SurveySummaryQuery(serializers.Serializer):
        service = serializers.CharField(required=False, allow_blank=True, max_length=64)
        # "from" is a Python keyword: the query parameter is read into date_from.
        date_from = serializers.DateField(required=False, allow_null=True)
        to = serializers.DateField(required=False, allow_null=True)

    @extend_schema(
        parameters=[
            OpenApiParameter("service", str, description="service code; all services when left out"),
            OpenApiParameter("from", str, description="first day (YYYY-MM-DD, WITA)"),
            OpenApiParameter("to", str, description="last day (YYYY-MM-DD, WITA), inclusive"),
        ],
        responses={
            200: SurveySummaryOutput,
            400: OpenApiResponse(description="a malformed date"),
            403: OpenApiResponse(SurveyErrorOutput, description="camat, admin or auditor only"),
        },
        summary="Satisfaction index (IKM) with NRR per element and grade",
    )
    def get(self, request: Request) -> Response:
        if not selectors.may_read_summary(request.user):
            raise NotAllowed(_("Ringkasan survei hanya untuk camat, administrator, dan auditor."))
        params = {
            "service": request.query_params.get("service", ""),
            "date_from": request.query_params.get("from") or None,
            "to": request.query_params.get("to") or None,
        }
        query = self.SurveySummaryQuery(data=params)
        query.is_valid(raise_exception=True)
        summary = selectors.ikm_summary(
            service_code=query.validated_data.get("service") or None,
            date_from=query.validated_data.get("date_from"),
            date_to=query.validated_data.get("to"),
        )
        return Response(SurveySummaryOutput(summary).data)
