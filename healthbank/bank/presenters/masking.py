"""What the portal shows of other people and of where someone was: masked as the seed masks
names on screen (甄○康), and a network address without its last part (the host)."""

from __future__ import annotations

import ipaddress


def masked_name(name: str) -> str:
    """As the seed shows a name on screen: 甄○康; a two-character name keeps its first."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "○"
    return name[0] + "○" * (len(name) - 2) + name[-1]


def masked_address(address: str | None) -> str:
    """203.0.113.* for IPv4 (the last octet hidden), 2001:db8:1:2:* for IPv6 (the interface
    part hidden): enough to tell a network one knows from a strange one, not the device."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "—"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv4Address):
        return ".".join(str(ip).split(".")[:3]) + ".*"
    groups = [group.lstrip("0") or "0" for group in ip.exploded.split(":")[:4]]
    return ":".join(groups) + ":*"
