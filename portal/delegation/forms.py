"""The page form for naming a deputy; the rules are checked by services.delegation_create."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.enums import RoleCode
from portal.workflow.selectors import active_definitions

from .enums import DelegationKind
from .selectors import deputy_candidates


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


class DelegationForm(forms.Form):
    principal = forms.ChoiceField(label=_("Camat yang melimpahkan"), required=False)
    deputy = forms.ChoiceField(label=_("Penerima pelimpahan"))
    kind = forms.ChoiceField(label=_("Jenis"), choices=DelegationKind.choices, widget=forms.RadioSelect)
    starts_on = forms.DateField(
        label=_("Mulai tanggal"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("Sampai tanggal"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    services = forms.MultipleChoiceField(
        label=_("Layanan"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Kosongkan untuk semua layanan."),
    )  # fmt: skip
    reason = forms.CharField(
        label=_("Alasan"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, with_principal: bool = False, office: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deputy"].choices = [("", "---------")] + [  # type: ignore[attr-defined]
            (u.username, f"{_name(u)} ({u.username})") for u in deputy_candidates(office)
        ]
        self.fields["services"].choices = [  # type: ignore[attr-defined]
            (d.code, d.name) for d in active_definitions()
        ]
        if with_principal:
            camats = get_user_model().objects.filter(is_active=True, groups__name=RoleCode.CAMAT).order_by("username")
            self.fields["principal"].choices = [(u.username, _name(u)) for u in camats]  # type: ignore[attr-defined]
            self.fields["principal"].required = True
        else:
            del self.fields["principal"]
        today = timezone.localdate()
        self.fields["starts_on"].initial = today
        self.fields["ends_on"].initial = today
        self.fields["kind"].initial = DelegationKind.ATAS_NAMA
