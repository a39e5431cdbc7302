"""Forms of the shared pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.accounts.throttle import LoginLocked, login_check, login_record
from portal.core.http import client_ip


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Nama pengguna atau kata sandi salah. Perhatikan huruf besar dan kecil."),
        "inactive": _("Akun ini tidak aktif. Hubungi administrator kecamatan."),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].label = _("Nama pengguna")
        self.fields["password"].label = _("Kata sandi")

    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "")
        address = client_ip(self.request) if self.request is not None else ""
        try:
            login_check(username=username, client_ip=address)
        except LoginLocked as exc:
            raise ValidationError(exc.message, code="locked") from exc
        try:
            cleaned = super().clean()
        except ValidationError:
            login_record(username=username, client_ip=address, succeeded=False)
            raise
        if username and self.cleaned_data.get("password"):
            login_record(username=username, client_ip=address, succeeded=True)
        return cleaned
