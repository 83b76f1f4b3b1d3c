"""client_address: REMOTE_ADDR, or the one trusted proxy header; forged headers are ignored."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from itaku.lib.errors import UserError
from itaku.places.network import client_address

factory = RequestFactory()


def request(remote: str = "192.0.2.10", **headers: str):
    return factory.get("/", REMOTE_ADDR=remote, **headers)


@override_settings(TRUSTED_CLIENT_ADDRESS_HEADER="")
def test_without_a_header_the_socket_address_counts() -> None:
    assert client_address(request("192.0.2.10")) == "192.0.2.10"
    assert client_address(request("2001:DB8::1")) == "2001:db8::1"


@override_settings(TRUSTED_CLIENT_ADDRESS_HEADER="")
def test_forged_forwarding_headers_are_ignored_when_not_configured() -> None:
    forged = request("192.0.2.10", HTTP_X_FORWARDED_FOR="198.51.100.7", HTTP_X_REAL_IP="198.51.100.8")
    assert client_address(forged) == "192.0.2.10"


@override_settings(TRUSTED_CLIENT_ADDRESS_HEADER="HTTP_X_REAL_IP")
def test_the_configured_header_counts_and_others_do_not() -> None:
    proxied = request("10.9.9.9", HTTP_X_REAL_IP="198.51.100.8", HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert client_address(proxied) == "198.51.100.8"


@override_settings(TRUSTED_CLIENT_ADDRESS_HEADER="HTTP_X_FORWARDED_FOR")
def test_a_list_yields_the_entry_the_trusted_proxy_appended() -> None:
    # The client sent "203.0.113.66" itself; the proxy appended the address it saw.
    proxied = request("10.9.9.9", HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.8")
    assert client_address(proxied) == "198.51.100.8"


@override_settings(TRUSTED_CLIENT_ADDRESS_HEADER="X-Real-IP")
def test_the_setting_may_name_the_header_as_sent() -> None:
    assert client_address(request("10.9.9.9", HTTP_X_REAL_IP="198.51.100.8")) == "198.51.100.8"


@override_settings(TRUSTED_CLIENT_ADDRESS_HEADER="HTTP_X_REAL_IP")
def test_ipv4_through_ipv6_counts_as_ipv4() -> None:
    assert client_address(request("10.9.9.9", HTTP_X_REAL_IP="::ffff:198.51.100.8")) == "198.51.100.8"


@override_settings(TRUSTED_CLIENT_ADDRESS_HEADER="HTTP_X_REAL_IP")
@pytest.mark.parametrize("value", [None, "", "unknown", "198.51.100.8:4431", "198.51.100.8, ", "<script>"])
def test_a_missing_or_malformed_header_is_refused_not_replaced_by_remote_addr(value: str | None) -> None:
    headers = {} if value is None else {"HTTP_X_REAL_IP": value}
    with pytest.raises(ValueError) as caught:
        client_address(request("192.0.2.10", **headers))
    assert isinstance(caught.value, UserError)
    assert "HTTP_X_REAL_IP" in caught.value.message_en
    assert "script" not in str(caught.value)


@override_settings(TRUSTED_CLIENT_ADDRESS_HEADER="")
def test_a_missing_socket_address_is_refused() -> None:
    bare = factory.get("/")
    del bare.META["REMOTE_ADDR"]
    with pytest.raises(ValueError):
        client_address(bare)
