"""Who is trying: the client address the throttle counts by."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest
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
