"""Public verification pages: anyone may check that a letter was issued and that a copy is unaltered.

The pages show only what the letter itself shows to anyone holding it: document type, number,
date, signer and capacity, and the fingerprint. Nothing about the applicant.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from . import selectors
from .forms import COPY_MAX_BYTES, CopyUploadForm, too_large_message
from .models import Letter
from .presenters import letter_public

TEMPLATE = "letters/verify.html"


def _upload_too_large(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > COPY_MAX_BYTES + 64 * 1024
    except ValueError:
        return True


def _page(request: HttpRequest, letter: Letter) -> HttpResponse:
    context: dict[str, Any] = {"letter": letter_public(letter), "form": CopyUploadForm(), "result": None}
    if request.method == "POST":
        if _upload_too_large(request):
            context["upload_error"] = too_large_message()
        else:
            form = CopyUploadForm(request.POST, request.FILES)
            context["form"] = form
            if form.is_valid():
                sha256 = selectors.sha256_of_chunks(form.cleaned_data["berkas"].chunks())
                context["result"] = {
                    "valid": selectors.letter_copy_matches(letter, sha256=sha256),
                    "sha256": sha256,
                }
    return render(request, TEMPLATE, context)


def _not_found(request: HttpRequest, *, number: str = "") -> HttpResponse:
    return render(request, TEMPLATE, {"not_found": True, "number": number}, status=404)


@require_http_methods(["GET", "HEAD", "POST"])
def verify_page(request: HttpRequest, token: str) -> HttpResponse:
    letter = selectors.letter_by_token(token)
    if letter is None:
        return _not_found(request)
    return _page(request, letter)


@require_http_methods(["GET", "HEAD", "POST"])
def verify_search(request: HttpRequest) -> HttpResponse:
    """/verifikasi/?nomor=...: the same page found by the letter's number; a search form without one."""
    number = str(request.GET.get("nomor", "")).strip()[:100]
    if not number:
        return render(request, TEMPLATE, {"search": True})
    letter = selectors.letter_by_number(number)
    if letter is None:
        return _not_found(request, number=number)
    return _page(request, letter)
