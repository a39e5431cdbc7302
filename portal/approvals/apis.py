"""REST API of the camat's approvals inbox: list it, decide one or many steps."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.api import KEYSET_PARAMETERS, InputSerializer, keyset_page_output, keyset_response
from portal.core.keyset import page_size
from portal.workflow import worklists

from . import selectors, services

MAX_PAGE_SIZE = 100


class ApprovalDraftOutput(serializers.Serializer):
    title = serializers.CharField()
    number = serializers.CharField()
    text = serializers.ListField(child=serializers.CharField(), help_text="the body, one line per paragraph or row")
    signature_lines = serializers.ListField(child=serializers.CharField())
    signer_name = serializers.CharField()


class ApprovalItemOutput(serializers.Serializer):
    human_task_id = serializers.IntegerField()
    tracking_number = serializers.CharField()
    service = serializers.CharField()
    service_name = serializers.CharField()
    step = serializers.CharField()
    applicant_name = serializers.CharField()
    desa = serializers.CharField()
    created_at = serializers.DateTimeField()
    waiting_seconds = serializers.IntegerField()
    due_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()
    bulk_approvable = serializers.BooleanField(help_text="false: decide on the step's own page")
    on_behalf_of = serializers.CharField(allow_null=True, help_text="the camat's username under a delegation")
    draft = ApprovalDraftOutput(allow_null=True, help_text="the letter approval would issue, marked DRAF")


class ApprovalResultOutput(serializers.Serializer):
    human_task_id = serializers.IntegerField()
    ok = serializers.BooleanField()
    detail = serializers.CharField()
    tracking_number = serializers.CharField()
    letter_number = serializers.CharField(help_text="number of the letter issued, if any")


def _draft_lines(draft: Any) -> list[str]:
    lines = []
    for block in draft.paragraphs():
        if "fields" in block:
            lines += [f"{label}: {value}" for label, value in block["fields"]]
        else:
            lines.append(block["text"])
    return lines


def item_output(item: dict[str, Any]) -> dict[str, Any]:
    step, instance, draft = item["step"], item["instance"], item["draft"]
    delegation = item["delegation"]
    return {
        "human_task_id": step.pk,
        "tracking_number": instance.tracking_number,
        "service": instance.definition.code,
        "service_name": instance.definition.name,
        "step": step.name,
        "applicant_name": instance.applicant_name,
        "desa": instance.applicant_village.name,
        "created_at": step.created_at,
        "waiting_seconds": item["waiting_seconds"],
        "due_at": step.due_at,
        "overdue": item["overdue"],
        "bulk_approvable": bool(item["plan"] is not None and item["plan"].bulk_approvable),
        "on_behalf_of": delegation.principal.get_username() if delegation is not None else None,
        "draft": None
        if draft is None
        else {
            "title": draft.document.title,
            "number": draft.document.number,
            "text": _draft_lines(draft),
            "signature_lines": list(draft.document.signature_lines),
            "signer_name": draft.document.signer_name,
        },
    }


class ApprovalListDecideApi(APIView):
    class ApprovalDecisionInput(InputSerializer):
        human_task_ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1), min_length=1, max_length=100
        )
        decision = serializers.ChoiceField(choices=[("approve", "approve"), ("return", "return")])
        reason = serializers.CharField(
            max_length=500, required=False, allow_blank=True, default="", help_text="required to send back"
        )

    @extend_schema(
        responses=keyset_page_output("ApprovalPage", ApprovalItemOutput(many=True)),
        summary="Steps waiting for the camat's decision, oldest first (keyset pages: follow `next`)",
        parameters=KEYSET_PARAMETERS,
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        query = request.query_params
        limit = page_size(query.get("limit"), default=selectors.PAGE_SIZE, maximum=MAX_PAGE_SIZE)
        listed = worklists.approvals_page(request.user, cursor=query.get("cursor"), limit=limit)
        items = selectors.inbox_items_of(request.user, selectors.approvals_of([item.pk for item in listed.rows]))
        results = ApprovalItemOutput([item_output(i) for i in items], many=True).data
        return keyset_response(request, results=results, listed=listed)

    @extend_schema(
        request=ApprovalDecisionInput, responses=ApprovalResultOutput(many=True),
        summary="Approve or send back steps; one result per step",
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        serializer = self.ApprovalDecisionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        results = services.approvals_decide(
            human_task_ids=list(values["human_task_ids"]), decision=values["decision"], reason=values["reason"],
            actor=request.user,
        )  # fmt: skip
        return Response(ApprovalResultOutput([r.__dict__ for r in results], many=True).data)
