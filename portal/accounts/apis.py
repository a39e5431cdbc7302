"""Token login for API clients, slowed down against password guessing like the login page."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from portal.core.http import client_ip

from .throttle import LoginLocked, login_check, login_record


class TokenObtainApi(ObtainAuthToken):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=AuthTokenSerializer,
        responses=inline_serializer("TokenOutput", {"token": serializers.CharField()}),
        summary="Exchange username and password for an API token",
        auth=[],
    )
    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
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
        try:
            response = super().post(request, *args, **kwargs)
        except ValidationError:
            if is_try:
                login_record(username=str(username), client_ip=address, succeeded=False)
            raise
        login_record(username=str(username), client_ip=address, succeeded=True)
        return response
