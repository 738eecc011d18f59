"""Outbound addresses: what the site may call or send readers to, and connections pinned to it.

One rule for every request the site makes (webhooks, the EDGAR poller) and every link an
editor gives readers (an event's webcast): the host must be on the public internet. Loopback,
private, link-local, shared (CGNAT), reserved, multicast and unspecified addresses are refused,
IPv4-mapped IPv6 ones judged by the IPv4 address they carry.

A request resolves its host once, checks every address the name gives, and connects to the
address it checked (`PinnedHTTP`, `PinnedHTTPS`): a name that resolves elsewhere a moment later
(DNS rebinding) cannot lead it inside the network. The name is still sent as ``Host`` and, over
TLS, for SNI and the certificate. Callers pass ``allow_private`` from their own setting (the
tests' servers are on 127.0.0.1).
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit


class AddressRefused(Exception):
    """The URL may not be called; the message says why."""


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names that never leave the machine or the company's network, whatever DNS says of them.
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal")


def is_public(address: IPAddress) -> bool:
    """True for an address on the public internet (a mapped IPv4 one judged as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not (address.is_multicast or address.is_reserved)


def refuse_local_host(host: str) -> None:
    """Without asking DNS: refuses a local name (``localhost``, ``*.local``, ``*.internal``) or
    an address literal that is not public. For links readers follow, which the site never
    calls itself."""
    host = host.lower().strip("[]")
    if host == "localhost" or host.endswith(_LOCAL_SUFFIXES):
        raise AddressRefused(f"{host} is a local name, not on the public internet.")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return
    if not is_public(address):
        raise AddressRefused(f"{host} is not a public address.")


def resolve(host: str, port: int, *, allow_private: bool = False) -> list[IPAddress]:
    """Every address ``host`` names now, in DNS's order: refused if one is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise AddressRefused(f"The host {host} cannot be found ({exc}).") from exc
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise AddressRefused(
                    f"{host} is at {address}, a non-public address (loopback, private, "
                    "link-local, shared or reserved): requests go to public addresses only."
                )
    return addresses


@dataclass(frozen=True)
class Target:
    """An http(s) URL taken apart: what a pinned connection needs."""

    scheme: str
    host: str
    port: int
    path: str  # with the query string
    credentials: bool  # a user name or password in the URL


def split_url(url: str) -> Target:
    """``url`` as a `Target`; `AddressRefused` for anything but http(s) with a host."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise AddressRefused("The URL must start with https:// (or http://) and a host.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise AddressRefused(f"The URL's port is not valid: {exc}") from exc
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname, port, path, bool(parts.username or parts.password))


class PinnedHTTP(http.client.HTTPConnection):
    """Connects to ``address`` (the one checked), whatever ``host`` resolves to by then."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address
        self.raw: socket.socket | None = None

    def connect(self) -> None:
        self.sock = self.raw = socket.create_connection((self.address, self.port), self.timeout)

    def cut(self) -> None:
        """Ends the connection from another thread: a bound on the whole request (a peer
        answering a byte at a time keeps each read within the socket's timeout)."""
        if self.raw is not None:
            with contextlib.suppress(OSError):
                self.raw.shutdown(socket.SHUT_RDWR)


class PinnedHTTPS(PinnedHTTP):
    """TLS to the checked address; the certificate is checked against ``host``."""

    default_port = http.client.HTTPS_PORT

    def connect(self) -> None:
        super().connect()
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


def connect(target: Target, *, allow_private: bool, timeout: float) -> PinnedHTTP:
    """A connection (not yet opened) to the first checked address of ``target``'s host."""
    address = str(resolve(target.host, target.port, allow_private=allow_private)[0])
    kind = PinnedHTTPS if target.scheme == "https" else PinnedHTTP
    return kind(target.host, target.port, address, timeout)
