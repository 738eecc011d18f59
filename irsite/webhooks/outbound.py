"""Requests to endpoints: only to public addresses, never following a redirect, in bounded time.

An endpoint's URL is checked when it is registered and again at every delivery, since the name
may resolve elsewhere by then (DNS rebinding): the host is resolved once per request, every
address it gives must be public, and the connection goes to the address that was checked (the
name is still sent as ``Host`` and, over TLS, for SNI and the certificate). Loopback, private,
link-local, shared, reserved, multicast and unspecified addresses (IPv4-mapped ones too) are
refused unless ``IRSITE_WEBHOOKS_ALLOW_PRIVATE_URLS`` is set (the tests' receivers are local).

`http.client` follows no redirect: a 3xx is an answer like any other, recorded and not retried.
"""

import http.client
import ssl
import threading
import time
from dataclasses import dataclass

from django.conf import settings

from irsite import outbound
from irsite.outbound import AddressRefused

__all__ = ["KEPT_BYTES", "AddressRefused", "Answer", "check_url", "post"]

# What of a receiver's answer is kept (the admin shows it): enough to say what went wrong.
KEPT_BYTES = 1024


def _target(url: str) -> outbound.Target:
    target = outbound.split_url(url)
    if target.credentials:
        raise AddressRefused("Put no user name or password in the URL: requests are signed.")
    return target


def check_url(url: str) -> None:
    """Raises `AddressRefused` for a URL an endpoint may not have (at registration)."""
    target = _target(url)
    outbound.resolve(
        target.host, target.port, allow_private=settings.IRSITE_WEBHOOKS_ALLOW_PRIVATE_URLS
    )


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer (timeout, refused connection)
    error: str  # what went wrong, "" for a 2xx
    duration_ms: int
    retry: bool  # worth another attempt later (timeouts, 408, 429, 5xx, the network)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST ``body`` once. Raises `AddressRefused` if the URL may not be called now."""
    target = _target(url)
    connection = outbound.connect(
        target, allow_private=settings.IRSITE_WEBHOOKS_ALLOW_PRIVATE_URLS, timeout=timeout
    )
    started = time.monotonic()
    # Each socket operation waits at most ``timeout``; the whole request at most twice that.
    watchdog = threading.Timer(2 * timeout, connection.cut)
    watchdog.daemon = True
    watchdog.start()

    def answer(status: int | None, error: str, retry: bool) -> Answer:
        return Answer(status, error[:2000], int((time.monotonic() - started) * 1000), retry)

    try:
        connection.request(
            "POST",
            target.path,
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
