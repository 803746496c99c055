"""The client's address behind reverse proxies: the one rule that throttles and audit use.

REMOTE_ADDR is the peer that connected. When that peer is one of settings.TRUSTED_PROXIES,
X-Forwarded-For is read from its right end (each proxy appends the address it saw) past
every trusted proxy; the first address that is not one is the client. Whatever an
untrusted peer writes in X-Forwarded-For is never read, so it cannot choose its own address
to dodge the per-address limit or to blame someone else in the audit trail.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from functools import cache

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def parse(value: str) -> Address | None:
    """An address as a proxy writes it: bare, or with a port (198.51.100.7:4711,
    [2001:db8::7]:443); None for anything else ("unknown", a name, garbage)."""
    text = value.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_address(meta: Mapping[str, str]) -> str | None:
    """The client's address from a request's META or a WSGI environ."""
    client = parse(meta.get("REMOTE_ADDR") or "")
    if client is None:
        return None
    trusted = _networks(tuple(settings.TRUSTED_PROXIES))
    hops = meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if trusted else []
    while hops and any(client in network for network in trusted):
        hop = parse(hops.pop())
        if hop is None:
            break  # a malformed entry: nothing written left of it can be believed
        client = hop
    return str(client)
