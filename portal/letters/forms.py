"""The upload form of the public verification page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

COPY_MAX_BYTES = 5 * 1024 * 1024


def too_large_message() -> str:
    return _("Berkas terlalu besar; paling besar %(mb)d MB.") % {"mb": COPY_MAX_BYTES // (1024 * 1024)}


class CopyUploadForm(forms.Form):
    berkas = forms.FileField(
        label=_lazy("Salinan surat (PDF)"),
        error_messages={"required": _lazy("Pilih berkas PDF yang akan dicocokkan."),
                        "empty": _lazy("Berkas yang diunggah kosong.")},
    )  # fmt: skip

    def clean_berkas(self) -> Any:
        upload = self.cleaned_data["berkas"]
        if upload.size > COPY_MAX_BYTES:
            raise forms.ValidationError(too_large_message())
        return upload
