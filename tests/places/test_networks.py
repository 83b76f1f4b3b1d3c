"""parse_networks: CIDR ranges typed one a line, normalised, or refused with the line and the reason."""

from __future__ import annotations

import pytest

from itaku.lib.errors import UserError
from itaku.places.network import parse_networks, sorted_networks


def refusal(text: str) -> UserError:
    with pytest.raises(UserError) as caught:
        parse_networks(text)
    return caught.value


def test_ipv4_and_ipv6_are_normalised_in_order() -> None:
    assert parse_networks("10.1.0.0/16\n2001:DB8:0:0::/48\n192.0.2.7") == [
        "10.1.0.0/16", "2001:db8::/48", "192.0.2.7/32",
    ]


def test_netmask_notation_becomes_a_prefix() -> None:
    assert parse_networks("192.0.2.0/255.255.255.0") == ["192.0.2.0/24"]


def test_whitespace_blank_lines_and_full_width_input() -> None:
    text = "\r\n  192.0.2.0/24  \r\n\r\n\t\n　１９８．５１．１００．０／２４　\n"
    assert parse_networks(text) == ["192.0.2.0/24", "198.51.100.0/24"]
    assert parse_networks("") == []
    assert parse_networks(" \n\n ") == []


def test_host_bits_set_suggests_the_network() -> None:
    error = refusal("192.0.2.0/24\n10.0.0.5/24")
    assert "2行目「10.0.0.5/24」" in error.message_ja
    assert "10.0.0.0/24" in error.message_ja
    assert "line 2 (10.0.0.5/24): host bits are set; did you mean 10.0.0.0/24?" in error.message_en


def test_host_bits_set_in_ipv6() -> None:
    error = refusal("2001:db8::1/64")
    assert "line 1 (2001:db8::1/64): host bits are set; did you mean 2001:db8::/64?" in error.message_en


@pytest.mark.parametrize(("value", "version", "minimum"), [
    ("0.0.0.0/0", 4, 8), ("10.0.0.0/7", 4, 8), ("::/0", 6, 32), ("2001::/16", 6, 32),
])
def test_too_broad_ranges_are_refused(value: str, version: int, minimum: int) -> None:
    error = refusal(value)
    assert f"line 1 ({value}): the range is too broad (IPv{version} ranges must be /{minimum} or narrower)" \
        in error.message_en
    assert "範囲が広すぎます" in error.message_ja


def test_the_broadest_allowed_ranges_pass() -> None:
    assert parse_networks("10.0.0.0/8\n2001:db8::/32") == ["10.0.0.0/8", "2001:db8::/32"]


def test_garbage_names_each_line() -> None:
    error = refusal("192.0.2.0/24\nhonsha-lan\n\n10.0.0.0/33\n# office\n192.0.2.300/32")
    assert "line 2 (honsha-lan): not an IPv4 or IPv6 network in CIDR notation" in error.message_en
    assert "line 4 (10.0.0.0/33): the prefix length is invalid (0–32 for IPv4, 0–128 for IPv6)" in error.message_en
    assert "line 5 (# office): not an IPv4 or IPv6 network" in error.message_en
    assert "line 6 (192.0.2.300/32): not an IPv4 or IPv6 network" in error.message_en
    assert "line 1" not in error.message_en
    for number in (2, 4, 5, 6):
        assert f"{number}行目" in error.message_ja


def test_a_long_bad_value_is_shortened_in_the_message() -> None:
    error = refusal("x" * 500)
    assert "x" * 40 + "…" in error.message_en
    assert "x" * 41 not in error.message_en


def test_repeated_and_nested_ranges_are_refused() -> None:
    error = refusal("192.0.2.0/24\n192.0.2.128/25\n10.0.0.0/8\n10.0.0.0/8\n2001:db8::/32")
    assert "line 2 (192.0.2.128/25): overlaps the range on line 1" in error.message_en
    assert "line 4 (10.0.0.0/8): overlaps the range on line 3" in error.message_en
    assert "line 5" not in error.message_en


def test_sorted_networks_orders_by_version_then_address() -> None:
    assert sorted_networks(["2001:db8::/32", "192.0.2.0/24", "10.0.0.0/8", "9.0.0.0/8"]) == [
        "9.0.0.0/8", "10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32",
    ]
