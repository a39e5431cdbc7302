"""REST API of requests, human tasks and audit events: one small class per operation."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.selectors import is_officer, user_roles
from portal.core.api import (
    KEYSET_PARAMETERS,
    NOT_A_DICT,
    InputSerializer,
    SlaOutput,
    id_from_path,
    keyset_page_output,
    keyset_response,
)
from portal.directory.selectors import office_scope
from portal.documents.selectors import missing_requirements
from portal.letters.selectors import letters_for_instance, verification_url
from portal.tracking.access import has_tracking_access
from portal.workflow import selectors, worklists
from portal.workflow.models import HumanTask, ProcessInstance, WorkItem
from portal.workflow.services.human_tasks import (
    human_task_claim,
    human_task_complete,
    human_task_release,
)
from portal.workflow.services.message_delivery import instance_message_deliver
from portal.workflow.services.registration import request_register


class FormFieldSerializer(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    type = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]
    default = serializers.CharField(allow_null=True)
    options = inline_serializer(
        "FormOption", {"id": serializers.CharField(), "name": serializers.CharField()}, many=True
    )
    constraints = serializers.DictField(child=serializers.CharField(allow_null=True))


class HumanTaskOutput(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_number = serializers.CharField()
    service = serializers.CharField()
    bpmn_id = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()
    status = serializers.CharField()
    assignee = serializers.CharField(allow_null=True)
    applicant_name = serializers.CharField()
    desa = serializers.CharField()
    created_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()
    claimed_at = serializers.DateTimeField(allow_null=True)
    form = FormFieldSerializer(many=True)


def _overdue(due_at: Any, status: str, now: Any) -> bool:
    return bool(due_at is not None and status in ("ready", "claimed") and due_at < now)


def _task_fields(step: HumanTask) -> dict[str, Any]:
    """A step as the task API shows it (HumanTaskOutput), from its row and its request."""
    instance = step.instance
    return {
        "id": step.pk, "tracking_number": instance.tracking_number, "service": instance.definition.code,
        "bpmn_id": step.bpmn_id, "name": step.name, "role": step.role, "status": step.status,
        "assignee": step.assignee.username if step.assignee is not None else None,
        "applicant_name": instance.applicant_name, "desa": instance.applicant_village.name,
        "created_at": step.created_at, "due_at": step.due_at, "claimed_at": step.claimed_at, "form": step.form,
        "overdue": _overdue(step.due_at, step.status, timezone.now()),
    }  # fmt: skip


def _work_item_fields(item: WorkItem, form: Any, now: Any) -> dict[str, Any]:
    """An open step of a list as the task API shows it (HumanTaskOutput), from its work item."""
    return {
        "id": item.pk, "tracking_number": item.tracking_number, "service": item.service_code,
        "bpmn_id": item.bpmn_id, "name": item.name, "role": item.role, "status": item.status,
        "assignee": getattr(item, "assignee_name", None) or None if item.assignee_id else None,
        "applicant_name": item.applicant_name, "desa": item.village_name, "created_at": item.created_at,
        "due_at": item.due_at, "overdue": _overdue(item.due_at, item.status, now), "claimed_at": item.claimed_at,
        "form": form if isinstance(form, list) else [],
    }  # fmt: skip


class ApplicantInput(InputSerializer):
    nik = serializers.CharField(max_length=32)
    kk = serializers.CharField(max_length=32, required=False, allow_blank=True)
    name = serializers.CharField(max_length=200)
    desa = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(str(k)[:50] for k in data if k not in self.fields)
            if unknown:
                raise serializers.ValidationError({k: [_("Isian ini tidak dikenal.")] for k in unknown})
        return super().to_internal_value(data)


class StepOutput(serializers.Serializer):
    id = serializers.IntegerField()
    bpmn_id = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class HistoryItemOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    type = serializers.CharField()
    step = serializers.CharField()
    role = serializers.CharField()
    by = serializers.CharField()


class ApplicantOutput(serializers.Serializer):
    nik = serializers.CharField()
    kk = serializers.CharField()
    name = serializers.CharField()
    desa = serializers.CharField()
    phone = serializers.CharField()


class RequestOutput(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_number = serializers.CharField()
    service = serializers.CharField(source="definition.code")
    service_name = serializers.CharField(source="definition.name")
    version = serializers.IntegerField(source="definition.version")
    status = serializers.CharField()
    outcome = serializers.CharField(source="outcome_name")
    applicant = serializers.SerializerMethodField()
    sla = serializers.SerializerMethodField()
    data = serializers.JSONField(source="request_data")  # type: ignore[assignment]
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(SlaOutput)
    def get_sla(self, obj: ProcessInstance) -> dict[str, Any]:
        return selectors.sla_view(obj)

    @extend_schema_field(ApplicantOutput)
    def get_applicant(self, obj: ProcessInstance) -> dict[str, str]:
        return {
            "nik": obj.applicant_nik,
            "kk": obj.applicant_kk,
            "name": obj.applicant_name,
            "desa": obj.applicant_village.name,
            "phone": obj.applicant_phone,
        }


class RequestStatusOutput(RequestOutput):
    current_steps = StepOutput(many=True)


class RequestLetterOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    issued_at = serializers.DateTimeField()
    signer_name = serializers.CharField()
    pdf_url = serializers.CharField()
    verification_url = serializers.CharField()
    ready = serializers.BooleanField(help_text="false while the PDF is still being drawn")


class RequestDetailOutput(RequestStatusOutput):
    history = HistoryItemOutput(many=True)
    missing_requirements = serializers.ListField(
        child=serializers.CharField(), help_text="required documents the counter marked missing"
    )
    letters = RequestLetterOutput(many=True)


class RequestRegisteredOutput(RequestDetailOutput):
    pin = serializers.RegexField(
        r"^[0-9]{6}$",
        help_text="6-digit PIN for the public tracking page (/lacak/, POST /api/v1/tracking/) with the tracking "
        "number; shown only in this response (only its hash is stored), so hand it to the applicant now",
    )


def _request_status(instance: ProcessInstance) -> dict[str, Any]:
    data: dict[str, Any] = dict(RequestOutput(instance).data)  # type: ignore[call-overload]
    data["current_steps"] = StepOutput(selectors.request_open_steps(instance), many=True).data
    return data


def _request_detail(instance: ProcessInstance, user: Any) -> dict[str, Any]:
    data = _request_status(instance)
    data["history"] = HistoryItemOutput(
        selectors.request_history(instance, show_people=is_officer(user)), many=True
    ).data
    data["missing_requirements"] = missing_requirements(instance)
    data["letters"] = RequestLetterOutput(
        [
            {
                "id": letter.pk,
                "number": letter.number,
                "title": letter.title,
                "issued_at": letter.issued_at,
                "signer_name": letter.signer_name,
                "pdf_url": reverse("letter-pdf", kwargs={"letter_id": letter.pk}),
                "verification_url": verification_url(letter.verification_token),
                "ready": letter.rendered_at is not None,
            }
            for letter in letters_for_instance(instance)
        ],
        many=True,
    ).data
    return data


class RequestRegisterApi(APIView):
    class RegisterRequestInput(InputSerializer):
        service = serializers.CharField(max_length=64)
        applicant = ApplicantInput()
        data = serializers.DictField(required=False, default=dict, error_messages=NOT_A_DICT)  # type: ignore[assignment]
        # The kecamatan to serve it, where it takes applicants from elsewhere (default: the village's).
        office = serializers.CharField(max_length=40, required=False, allow_blank=True)

    @extend_schema(request=RegisterRequestInput, responses={201: RequestRegisteredOutput}, summary="Register a request")
    def post(self, request: Request) -> Response:
        serializer = self.RegisterRequestInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = request_register(
            service_code=serializer.validated_data["service"],
            applicant=dict(serializer.validated_data["applicant"]),
            data=serializer.validated_data["data"],
            actor=request.user,
            office=serializer.validated_data.get("office") or None,
        )
        body = {**_request_detail(instance, request.user), "pin": instance.access_pin}
        return Response(body, status=status.HTTP_201_CREATED)


class RequestDetailApi(APIView):
    @extend_schema(responses=RequestDetailOutput, summary="Status, current steps and history of a request")
    def get(self, request: Request, tracking_number: str) -> Response:
        instance = selectors.request_for_user(request.user, tracking_number)
        return Response(_request_detail(instance, request.user))


class RequestMessageApi(APIView):
    """A message to a request: who may send which one is declared in its diagram (`paten.sender`).

    Officers and the applicant's own account authenticate as usual; an applicant without an
    account sends from the browser session that opened the request with its tracking PIN (CSRF
    checked, as for any form of that session)."""

    permission_classes = [permissions.AllowAny]

    class MessageInput(InputSerializer):
        name = serializers.CharField(max_length=100)
        data = serializers.DictField(required=False, default=dict, error_messages=NOT_A_DICT)  # type: ignore[assignment]

    @extend_schema(
        request=MessageInput, responses=RequestStatusOutput, summary="Deliver a message the request waits for"
    )
    def post(self, request: Request, tracking_number: str) -> Response:
        number = str(tracking_number)[:20]
        actor = request.user if request.user.is_authenticated else None
        applicant = actor is None and has_tracking_access(request.session, number)
        if actor is None and not applicant:
            raise exceptions.NotAuthenticated(_("Masuk, atau buka permohonan dengan PIN pelacakannya dahulu."))
        if applicant:
            SessionAuthentication().enforce_csrf(request)
        serializer = self.MessageInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        delivered = instance_message_deliver(
            tracking_number=number, name=serializer.validated_data["name"], data=serializer.validated_data["data"],
            actor=actor, applicant=applicant,
        )  # fmt: skip
        return Response(_request_status(delivered.instance))


class RequestDiagramApi(APIView):
    class OutputSerializer(serializers.Serializer):
        bpmn_xml = serializers.CharField(help_text="BPMN 2.0 source of the process version the request runs on")
        done = serializers.ListField(child=serializers.CharField(), help_text="bpmn ids of steps done, timers fired")
        current = serializers.ListField(child=serializers.CharField(), help_text="bpmn ids of steps open now")

    @extend_schema(responses=OutputSerializer, summary="The request's diagram with its done and current steps")
    def get(self, request: Request, tracking_number: str) -> Response:
        instance = selectors.request_for_user(request.user, tracking_number)
        return Response(self.OutputSerializer(selectors.request_diagram(instance)).data)


class HumanTaskListApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("tracking_number", str, required=False), *KEYSET_PARAMETERS],
        responses=keyset_page_output("HumanTaskPage", HumanTaskOutput(many=True)),
        summary="Open steps the caller may act on, oldest first (keyset pages: follow `next`)",
    )
    def get(self, request: Request) -> Response:
        listed = worklists.steps_page(
            request.user, cursor=request.query_params.get("cursor"), limit=request.query_params.get("limit"),
            tracking_number=request.query_params.get("tracking_number") or None,
        )  # fmt: skip
        items = listed.rows
        forms = dict(HumanTask.objects.filter(pk__in=[i.pk for i in items]).values_list("pk", "form"))
        now = timezone.now()
        results = HumanTaskOutput([_work_item_fields(i, forms.get(i.pk), now) for i in items], many=True).data
        return keyset_response(request, results=results, listed=listed)


def _task_output(human_task: HumanTask) -> dict[str, Any]:
    fresh = HumanTask.objects.select_related(
        "instance", "instance__definition", "instance__applicant_village", "assignee"
    ).get(pk=human_task.pk)
    return dict(HumanTaskOutput(_task_fields(fresh)).data)


class HumanTaskClaimApi(APIView):
    @extend_schema(request=None, responses=HumanTaskOutput, summary="Claim a step")
    def post(self, request: Request, human_task_id: str) -> Response:
        human_task = human_task_claim(human_task_id=id_from_path(human_task_id), actor=request.user)
        return Response(_task_output(human_task))


class HumanTaskReleaseApi(APIView):
    @extend_schema(request=None, responses=HumanTaskOutput, summary="Release a claimed step")
    def post(self, request: Request, human_task_id: str) -> Response:
        human_task = human_task_release(human_task_id=id_from_path(human_task_id), actor=request.user)
        return Response(_task_output(human_task))


class HumanTaskCompleteApi(APIView):
    class CompleteStepInput(InputSerializer):
        data = serializers.DictField(required=False, default=dict, error_messages=NOT_A_DICT)  # type: ignore[assignment]

    @extend_schema(request=CompleteStepInput, responses=RequestStatusOutput, summary="Complete a step with form data")
    def post(self, request: Request, human_task_id: str) -> Response:
        serializer = self.CompleteStepInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        human_task = human_task_complete(
            human_task_id=id_from_path(human_task_id), actor=request.user, data=serializer.validated_data["data"]
        )
        return Response(_request_status(human_task.instance))  # as the command left it: no read back


class OverdueCountOutput(serializers.Serializer):
    role = serializers.CharField()
    officer = serializers.CharField(help_text="username of the officer holding the steps; empty: unclaimed")
    count = serializers.IntegerField()


class HumanTaskOverdueApi(APIView):
    @extend_schema(responses=OverdueCountOutput(many=True), summary="Overdue steps per role and officer")
    def get(self, request: Request) -> Response:
        if not user_roles(request.user) & {"camat", "sekcam", "kasi", "auditor", "admin"}:
            raise exceptions.PermissionDenied(_("Hanya pimpinan, auditor atau admin."))
        counts = worklists.overdue_counts(scope=office_scope(request.user))
        return Response(OverdueCountOutput(counts, many=True).data)


class EventOutput(serializers.Serializer):
    seq = serializers.IntegerField()
    type = serializers.CharField()
    actor = serializers.CharField(source="actor_username")
    at = serializers.DateTimeField()
    payload = serializers.JSONField()
    prev_hash = serializers.CharField()
    hash = serializers.CharField()


class InstanceEventListApi(APIView):
    @extend_schema(responses=EventOutput(many=True), summary="The event log of an instance (auditor, admin)")
    def get(self, request: Request, instance_id: str) -> Response:
        events = selectors.events_for_auditor(request.user, id_from_path(instance_id))
        return Response(EventOutput(events, many=True).data)
