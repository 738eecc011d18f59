"""Response headers and the client address sign-in throttling counts by, for production."""

import ipaddress
from collections.abc import Callable

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


class ContentSecurityPolicyMiddleware:
    """`Content-Security-Policy` on every response: strict for the public, laxer for the admin.

    Public templates carry no inline script or style, so their policy has no 'unsafe-inline';
    the admin (staff only, signed in) runs Django's and the rich-text editor's inline code.
    A view that allows same-origin framing (`xframe_options_sameorigin`, as the email sign-up
    frame does) gets `frame-ancestors 'self'`: browsers obey the CSP over X-Frame-Options, so
    the policy's `'none'` would block the frame the view meant to allow.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix = reverse("admin:index")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith(self.admin_prefix)
            policy = settings.IRSITE_CSP_ADMIN if admin else settings.IRSITE_CSP
            if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN":
                policy = with_directive(policy, "frame-ancestors 'self'")
            response["Content-Security-Policy"] = policy
        return response


def with_directive(policy: str, directive: str) -> str:
    """``policy`` with ``directive`` in place of the directive of the same name."""
    name = directive.split()[0]
    kept = [d.strip() for d in policy.split(";") if d.strip() and d.split()[0] != name]
    return "; ".join([*kept, directive])


def _from_proxy(address: str) -> bool:
    """Whether the socket's peer is one of the proxies (``FORWARDED_ALLOW_IPS``: addresses or
    networks, ``*`` for any), the only peers whose X-Forwarded-For is believed."""
    allowed = settings.IRSITE_PROXY_ADDRESSES
    if "*" in allowed:
        return True
    try:
        peer = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(peer in ipaddress.ip_network(net, strict=False) for net in allowed)


def client_ip(request: HttpRequest) -> str:
    """The address a sign-in came from, as the last trusted proxy saw it.

    With TRUSTED_PROXIES=0 (no proxy) it is the socket's peer; with n proxies it is the n-th
    address from the right of X-Forwarded-For, which the client cannot forge, but only when the
    request came from a proxy: anyone who reaches an app server directly could otherwise write
    a new address into X-Forwarded-For for every guess and never be locked out.
    """
    proxies = settings.IRSITE_TRUSTED_PROXIES
    peer = request.META.get("REMOTE_ADDR", "")
    if not proxies or not _from_proxy(peer):
        return peer
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if len(forwarded) >= proxies:
        return forwarded[-proxies]
    return peer


class AxesBackend(AxesStandaloneBackend):
    """Axes' lockout check, for sign-ins that come with a request.

    `authenticate()` without a request (a command, the test client's `login()`) has no address
    to throttle; axes would refuse it outright, so it is left to the next backend.
    """

    def authenticate(self, request: HttpRequest | None, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)
