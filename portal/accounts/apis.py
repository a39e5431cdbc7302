"""API tokens: log in for one (slowed down against password guessing like the login page), list
one's own, revoke one, log out. Rules live in services.py."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from portal.core.api import id_from_path
from portal.core.http import client_ip
from portal.core.text import PrintableText

from . import selectors, services
from .throttle import LoginLocked, login_check, login_record


class TokenOutput(serializers.Serializer):
    id = serializers.IntegerField()
    prefix = serializers.CharField(help_text="the first characters of the key, to tell tokens apart")
    label = serializers.CharField()  # type: ignore[assignment]
    user_agent = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True, help_text="to within a few minutes")
    expires_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    current = serializers.SerializerMethodField(help_text="the token this request was made with")

    def get_current(self, obj: Any) -> bool:
        return bool(obj == self.context.get("current"))


class TokenObtainApi(APIView):
    authentication_classes: list[type] = []
    permission_classes: list[type] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    class TokenObtainInput(AuthTokenSerializer):
        label = serializers.CharField(  # type: ignore[assignment]
            max_length=100, required=False, allow_blank=True, default="", validators=[PrintableText()],
            help_text="a name for the token, shown in the list of tokens",
        )  # fmt: skip

    class TokenIssuedOutput(serializers.Serializer):
        token = serializers.CharField(help_text="send as  Authorization: Token <token>; shown this once")
        id = serializers.IntegerField()
        expires_at = serializers.DateTimeField()

    @extend_schema(
        request=TokenObtainInput, responses=TokenIssuedOutput, auth=[],
        summary="Exchange username and password for an API token (valid for PATEN_TOKEN_HOURS)",
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        username, password = data.get("username"), data.get("password")
        is_try = isinstance(username, str) and isinstance(password, str) and bool(username and password)
        address = client_ip(request._request)
        try:
            login_check(username=str(username or ""), client_ip=address)
        except LoginLocked as exc:
            return Response(
                {"detail": exc.message}, status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(exc.retry_after)},
            )  # fmt: skip
        serializer = self.TokenObtainInput(data=request.data, context={"request": request})
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            if is_try:
                login_record(username=str(username), client_ip=address, succeeded=False)
            raise
        login_record(username=str(username), client_ip=address, succeeded=True)
        issued = services.api_token_issue(
            user=serializer.validated_data["user"], label=serializer.validated_data["label"],
            user_agent=str(request.META.get("HTTP_USER_AGENT") or ""),
        )  # fmt: skip
        return Response({"token": issued.key, "id": issued.token.pk, "expires_at": issued.token.expires_at})


class TokenListApi(APIView):
    @extend_schema(responses=TokenOutput(many=True), summary="The caller's API tokens that still work")
    def get(self, request: Request) -> Response:
        tokens = selectors.api_tokens_active(request.user, now=timezone.now())
        return Response(TokenOutput(tokens, many=True, context={"current": request.auth}).data)


class TokenRevokeApi(APIView):
    @extend_schema(request=None, responses=TokenOutput, summary="Revoke one of the caller's API tokens now")
    def post(self, request: Request, token_id: str) -> Response:
        token = services.api_token_revoke(user=request.user, token_id=id_from_path(token_id))
        return Response(TokenOutput(token, context={"current": request.auth}).data)


class LogoutApi(APIView):
    class LogoutOutput(serializers.Serializer):
        tokens_revoked = serializers.IntegerField()

    @extend_schema(request=None, responses=LogoutOutput, summary="Log out: every API token of the caller ends")
    def post(self, request: Request) -> Response:
        ended = services.api_tokens_revoke_all(user=request.user)
        logout(request._request)  # and the browser session, when the call came with one
        return Response({"tokens_revoked": ended})
