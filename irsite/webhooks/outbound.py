"""Requests to endpoints: only to public addresses, never following a redirect, in bounded time.

An endpoint's URL is checked when it is registered and again at every delivery, since the name
may resolve elsewhere by then (DNS rebinding): the host is resolved once per request, every
address it gives must be public, and the connection goes to the address that was checked (the
name is still sent as ``Host`` and, over TLS, for SNI and the certificate). Loopback, private,
link-local, shared, reserved, multicast and unspecified addresses (IPv4-mapped ones too) are
refused unless ``IRSITE_WEBHOOKS_ALLOW_PRIVATE_URLS`` is set (the tests' receivers are local).

`http.client` follows no redirect: a 3xx is an answer like any other, recorded and not retried.
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

# What of a receiver's answer is kept (the admin shows it): enough to say what went wrong.
KEPT_BYTES = 1024


class AddressRefused(Exception):
    """The URL may not be called; the message says why."""


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not (address.is_multicast or address.is_reserved)


def _parts(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise AddressRefused("An endpoint's URL starts with https:// (or http://) and a host.")
    if parts.username or parts.password:
        raise AddressRefused("Put no user name or password in the URL: requests are signed.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise AddressRefused(f"The URL's port is not valid: {exc}") from exc
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, parts.hostname, port, path


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` names now, each checked: refused if one is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused(f"The host {host} cannot be found ({exc}).") from exc
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    if not settings.IRSITE_WEBHOOKS_ALLOW_PRIVATE_URLS:
        for address in addresses:
            if not is_public(address):
                raise AddressRefused(
                    f"{host} is at {address}, a loopback, private or link-local address: "
                    "webhooks go to public addresses only."
                )
    return addresses


def check_url(url: str) -> None:
    """Raises `AddressRefused` for a URL an endpoint may not have (at registration)."""
    _scheme, host, port, _path = _parts(url)
    resolve(host, port)


class _Pinned(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to by then."""

    address: str
    raw: socket.socket | None = None

    def connect(self) -> None:
        self.sock = self.raw = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    address: str
    raw: socket.socket | None = None

    def connect(self) -> None:
        self.raw = socket.create_connection((self.address, self.port), self.timeout)
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.raw, server_hostname=self.host)


def _cut(connection: "_Pinned | _PinnedTLS") -> None:
    """The whole request's bound: a receiver that answers a byte at a time (each read within
    the socket's timeout) is cut off all the same."""
    if connection.raw is not None:
        with contextlib.suppress(OSError):
            connection.raw.shutdown(socket.SHUT_RDWR)


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer (timeout, refused connection)
    error: str  # what went wrong, "" for a 2xx
    duration_ms: int
    retry: bool  # worth another attempt later (timeouts, 408, 429, 5xx, the network)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST ``body`` once. Raises `AddressRefused` if the URL may not be called now."""
    scheme, host, port, path = _parts(url)
    address = resolve(host, port)[0]
    connection: _Pinned | _PinnedTLS
    if scheme == "https":
        connection = _PinnedTLS(host, port, timeout=timeout)
    else:
        connection = _Pinned(host, port, timeout=timeout)
    connection.address = str(address)
    started = time.monotonic()
    # Each socket operation waits at most ``timeout``; the whole request at most twice that.
    watchdog = threading.Timer(2 * timeout, _cut, args=(connection,))
    watchdog.daemon = True
    watchdog.start()

    def answer(status: int | None, error: str, retry: bool) -> Answer:
        return Answer(status, error[:2000], int((time.monotonic() - started) * 1000), retry)

    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "irsite-webhooks/1",
                **headers,
            },
        )
        response = connection.getresponse()
        kept = response.read(KEPT_BYTES).decode("utf-8", "replace")
    except TimeoutError:
        return answer(None, f"No answer within {timeout:g} s.", True)
    except ssl.SSLError as exc:
        return answer(None, f"TLS: {exc}", True)
    except (OSError, http.client.HTTPException) as exc:
        return answer(None, f"{type(exc).__name__}: {exc}", True)
    finally:
        watchdog.cancel()
        connection.close()
    if time.monotonic() - started >= 2 * timeout:
        return answer(None, f"No whole answer within {2 * timeout:g} s.", True)
    status = response.status
    if 200 <= status < 300:
        return answer(status, "", False)
    if 300 <= status < 400:
        where = response.getheader("Location", "")
        return answer(status, f"Redirect to {where} not followed. {kept}", False)
    return answer(
        status, f"{status} {response.reason}: {kept}", status in {408, 429} or status >= 500
    )
