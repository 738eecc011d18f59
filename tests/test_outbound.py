"""The one outbound-address rule (`irsite.outbound`): what webhooks, the EDGAR poller and
events' reader links share."""

import ipaddress
import socket
import threading

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from events.models import validate_outbound_url
from irsite import outbound

NOT_PUBLIC = st.one_of(
    st.ip_addresses(network="127.0.0.0/8"),  # loopback
    st.ip_addresses(network="::1/128"),
    st.ip_addresses(network="10.0.0.0/8"),  # private
    st.ip_addresses(network="172.16.0.0/12"),
    st.ip_addresses(network="192.168.0.0/16"),
    st.ip_addresses(network="fc00::/7"),
    st.ip_addresses(network="169.254.0.0/16"),  # link-local (cloud metadata)
    st.ip_addresses(network="fe80::/10"),
    st.ip_addresses(network="100.64.0.0/10"),  # shared (CGNAT)
    st.ip_addresses(network="224.0.0.0/4"),  # multicast
    st.ip_addresses(network="ff00::/8"),
    st.ip_addresses(network="240.0.0.0/4"),  # reserved
    st.sampled_from([ipaddress.IPv4Address(0), ipaddress.IPv6Address(0)]),  # unspecified
    st.ip_addresses(v=4)  # IPv4-mapped IPv6 of any non-public IPv4 address
    .filter(lambda a: not outbound.is_public(a))
    .map(lambda a: ipaddress.ip_address(f"::ffff:{a}")),
)


def literal(address: outbound.IPAddress) -> str:
    return f"[{address}]" if address.version == 6 else str(address)


@given(NOT_PUBLIC)
@hypothesis_settings(max_examples=300, deadline=None)
def test_no_loopback_private_link_local_shared_multicast_or_unspecified_address_passes(address):
    assert not outbound.is_public(address)
    with pytest.raises(outbound.AddressRefused, match="public addresses only"):
        outbound.resolve(str(address), 443)
    with pytest.raises(outbound.AddressRefused):
        outbound.refuse_local_host(literal(address))
    with pytest.raises(ValidationError, match="public internet"):
        validate_outbound_url(f"https://{literal(address)}/webcast")


@given(NOT_PUBLIC)
@hypothesis_settings(max_examples=50, deadline=None)
def test_the_tests_setting_lets_a_private_address_through(address):
    assert outbound.resolve(str(address), 443, allow_private=True) == [address]


@pytest.mark.parametrize(
    "address",
    ["93.184.215.14", "8.8.8.8", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "::ffff:8.8.8.8"],
)
def test_a_public_address_passes(address):
    assert outbound.is_public(ipaddress.ip_address(address))
    assert outbound.resolve(address, 443) == [ipaddress.ip_address(address)]
    outbound.refuse_local_host(address)


@pytest.mark.parametrize("host", ["localhost", "intranet.local", "db.internal", "a.localhost"])
def test_a_local_name_is_refused_without_asking_dns(host):
    with pytest.raises(outbound.AddressRefused, match="local name"):
        outbound.refuse_local_host(host)


@pytest.mark.parametrize("url", ["ftp://example.com/", "file:///etc/passwd", "https:///x"])
def test_a_url_that_is_not_http_with_a_host_is_refused(url):
    with pytest.raises(outbound.AddressRefused):
        outbound.split_url(url)


def test_the_connection_goes_to_the_checked_address_and_names_the_host():
    """The name is sent as Host while the socket goes to the address checked, so DNS answering
    otherwise a moment later changes nothing."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    received: list[bytes] = []

    def answer() -> None:
        connection, _ = listener.accept()
        received.append(connection.recv(65536))
        connection.sendall(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
        connection.close()

    threading.Thread(target=answer, daemon=True).start()
    target = outbound.split_url(f"http://ir.example.com:{port}/hook?x=1")
    connection = outbound.PinnedHTTP(target.host, target.port, "127.0.0.1", timeout=5)
    connection.request("GET", target.path)
    assert connection.getresponse().status == 204
    connection.close()
    listener.close()
    assert received[0].startswith(b"GET /hook?x=1 HTTP/1.1\r\n")
    assert f"Host: ir.example.com:{port}\r\n".encode() in received[0]
