"""Networks of work locations and the address a request comes from (article 15).

The vault may be used only from a reported work location, so a location names the network ranges
(CIDR) its machines use, and a request's client address decides which location it comes from.
Behind a reverse proxy only the one header the operator configured is believed: any other header is
written by the client and can be forged.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.conf import settings

from itaku.lib.errors import UserError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Broader ranges than these cannot describe one work location (a /7 is 33 million IPv4 addresses).
NARROWEST_ALLOWED_PREFIX = {4: 8, 6: 32}
_SHOWN = 40  # characters of a bad value repeated in an error message


def _shown(value: str) -> str:
    return value if len(value) <= _SHOWN else value[:_SHOWN] + "…"


def _parse_line(value: str) -> tuple[str, str] | Network:
    """The network on one line, or the (ja, en) reason it is refused."""
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError:
        pass
    else:
        minimum = NARROWEST_ALLOWED_PREFIX[network.version]
        if network.prefixlen < minimum:
            return (
                f"範囲が広すぎます（IPv{network.version} はプレフィックス長 /{minimum} 以上の範囲にしてください）。",
                f"the range is too broad (IPv{network.version} ranges must be /{minimum} or narrower).",
            )
        return network
    try:
        loose = ipaddress.ip_network(value, strict=False)
    except ValueError:
        pass
    else:
        return (
            f"ホスト部のビットが立っています。ネットワークアドレスは {loose} ではありませんか。",
            f"host bits are set; did you mean {loose}?",
        )
    try:
        ipaddress.ip_address(value.partition("/")[0])
    except ValueError:
        return (
            "IPv4・IPv6 の CIDR 表記（例: 192.0.2.0/24、2001:db8::/48）ではありません。",
            "not an IPv4 or IPv6 network in CIDR notation (e.g. 192.0.2.0/24, 2001:db8::/48).",
        )
    # The address is fine (a bare one would have parsed as /32 or /128), so the prefix or netmask is not.
    return (
        "プレフィックス長が不正です（IPv4 は 0〜32、IPv6 は 0〜128）。",
        "the prefix length is invalid (0–32 for IPv4, 0–128 for IPv6).",
    )


def sort_key(network: str) -> tuple[int, int, int]:
    """IPv4 before IPv6, then by address and prefix: the order networks are stored and shown in."""
    parsed = ipaddress.ip_network(network)
    return parsed.version, int(parsed.network_address), parsed.prefixlen


def sorted_networks(networks: Iterable[str]) -> list[str]:
    return sorted(networks, key=sort_key)


def parse_networks(text: str) -> list[str]:
    """Normalised CIDR strings from text typed one range per line, in the order given.

    Full-width characters are folded (NFKC), surrounding spaces and blank lines ignored; a single
    address means its own /32 or /128. Every bad line is named in one UserError, so nothing is saved
    half-right: host bits set, ranges broader than /8 (IPv4) or /32 (IPv6), garbage, and a range that
    repeats or lies inside another line.
    """
    problems: list[tuple[str, str]] = []
    found: list[tuple[int, Network]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        value = unicodedata.normalize("NFKC", raw).strip()
        if not value:
            continue
        result = _parse_line(value)
        if isinstance(result, tuple):
            shown = _shown(value)
            problems.append((f"{number}行目「{shown}」: {result[0]}", f"line {number} ({shown}): {result[1]}"))
            continue
        clash = next(
            (n for n, other in found if other.version == result.version and other.overlaps(result)), None,
        )
        if clash is not None:
            problems.append((
                f"{number}行目「{result}」: {clash}行目の範囲と重なっています。範囲は一度だけ書いてください。",
                f"line {number} ({result}): overlaps the range on line {clash}; list each range once.",
            ))
            continue
        found.append((number, result))
    if problems:
        raise UserError(
            "ネットワークの記載に誤りがあります。" + " ".join(ja for ja, _ in problems),
            "The networks are not valid: " + " ".join(en for _, en in problems),
        )
    return [str(network) for _, network in found]


def parse_address(value: str) -> Address:
    """One client address; an IPv4 address seen through IPv6 (::ffff:192.0.2.1) counts as IPv4."""
    address = ipaddress.ip_address(value.strip())
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _meta_key(header: str) -> str:
    """Accept the setting as a META key (HTTP_X_REAL_IP) or as a header name (X-Real-IP)."""
    key = header.strip().upper().replace("-", "_")
    return key if key.startswith("HTTP_") or key == "REMOTE_ADDR" else f"HTTP_{key}"


def client_address(request: Any) -> str:
    """The address the request came from, as the trusted proxy (or the socket) saw it.

    With `settings.TRUSTED_CLIENT_ADDRESS_HEADER` set, only that header counts; a list
    (X-Forwarded-For style) yields its last entry, the one the trusted proxy appended, since earlier
    entries are whatever the client sent. Without it, REMOTE_ADDR. A missing or malformed value raises
    ValueError (a UserError): the caller refuses rather than guess.
    """
    header = settings.TRUSTED_CLIENT_ADDRESS_HEADER
    key = _meta_key(header) if header.strip() else "REMOTE_ADDR"
    raw = request.META.get(key, "")
    value = raw.split(",")[-1].strip() if raw else ""
    try:
        return str(parse_address(value))
    except ValueError:
        raise UserError(
            f"接続元アドレスを判定できません（{key} がないか不正です）。",
            f"The client address cannot be determined ({key} is missing or malformed).",
        ) from None


def contains(networks: Iterable[str], address: Address) -> Network | None:
    """The narrowest of `networks` that holds `address`, or None."""
    matches = [n for n in (ipaddress.ip_network(s) for s in networks) if n.version == address.version
               and address in n]
    return max(matches, key=lambda n: n.prefixlen, default=None)
