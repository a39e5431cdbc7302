"""HTTP helpers every app uses: who is calling, the public address, and private file responses."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from rest_framework.settings import api_settings


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind proxies the address the nearest trusted one saw; an IPv6 client by its /64.

    X-Forwarded-For is read only when REST_FRAMEWORK["NUM_PROXIES"] says how many proxies to trust
    (as DRF's throttles do): otherwise anyone could send a new address with every try.
    """
    address = str(request.META.get("REMOTE_ADDR") or "")
    hops = api_settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if hops and forwarded:
        hops_seen = [part.strip() for part in str(forwarded).split(",")]
        address = hops_seen[-min(hops, len(hops_seen))]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:45]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        # One home or phone gets a whole /64: counting single addresses would count nothing.
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


# An id no table reaches, put where a list's row id goes and replaced by each row's.
_ROW_ID = 7_340_032_000_017


def url_of_rows(name: str) -> Callable[[int], str]:
    """`reverse(name, args=[pk])` for every row of a list, reversed once: a page of fifty rows would
    otherwise resolve the pattern fifty times."""
    head, found, tail = reverse(name, args=[_ROW_ID]).rpartition(str(_ROW_ID))
    if not found:
        raise ValueError(f"the URL {name!r} does not show its argument as it is")
    return lambda pk: f"{head}{int(pk)}{tail}"


def public_url(path: str = "/") -> str:
    """The address citizens reach `path` at: what receipts, letters and their QR codes print.

    PATEN_PUBLIC_URL, or by default the loopback address on the port `make run` serves.
    """
    return str(settings.PATEN_PUBLIC_URL).rstrip("/") + "/" + path.lstrip("/")


def private_file_response(content: bytes, *, filename: str, content_type: str, attachment: bool = True) -> HttpResponse:
    """A stored file for the one caller allowed to see it: never cached, never sniffed, never run."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(attachment, filename) or "attachment"
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
