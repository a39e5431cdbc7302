from django.urls import path

from . import apis

urlpatterns = [
    path("token/", apis.TokenObtainApi.as_view(), name="auth-token"),
    path("tokens/", apis.TokenListApi.as_view(), name="auth-token-list"),
    path("tokens/<str:token_id>/revoke/", apis.TokenRevokeApi.as_view(), name="auth-token-revoke"),
    path("logout/", apis.LogoutApi.as_view(), name="auth-logout"),
]
