"""A real HTTP receiver for webhook tests: a server thread on a free port of 127.0.0.1 that
records every request with its arrival time and verifies its signature the way a receiver
does, with the Standard Webhooks package (`standardwebhooks`); the webhook tests' fixtures
(`webhooks_env`, `receiver`, `run`; registered by conftest.py's `pytest_plugins`) and an
endpoint registered for it."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from standardwebhooks import Webhook, WebhookVerificationError

from irsite.webhooks import actions
from irsite.webhooks.models import Endpoint

from .conftest import at


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.time() when it arrived
    answered: int = 0
    # Which of the receiver's secrets verified it (None: none did).
    verified_with: str | None = None

    @property
    def message_id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """``answers[path]``: the statuses to answer in turn (then 200); ``hold[path]``: an event
    the first request to that path waits for before answering (to kill a worker meanwhile);
    ``delay``: seconds to wait before answering."""

    secrets: dict[str, str] = field(default_factory=dict)  # path -> secret (whsec_...)
    extra_secrets: dict[str, list[str]] = field(default_factory=dict)
    answers: dict[str, list[int]] = field(default_factory=dict)
    hold: dict[str, threading.Event] = field(default_factory=dict)
    holding: dict[str, threading.Event] = field(default_factory=dict)
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                item = Received(
                    self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.time()
                )
                item.verified_with = receiver.verify(item)
                receiver.received.append(item)
                if (event := receiver.hold.pop(self.path, None)) is not None:
                    receiver.holding.setdefault(self.path, threading.Event()).set()
                    event.wait(30)
                if receiver.delay:
                    time.sleep(receiver.delay)
                queue = receiver.answers.get(self.path) or []
                item.answered = queue.pop(0) if queue else 200
                self.send_response(item.answered)
                if item.answered in {301, 302, 307, 308}:
                    self.send_header("Location", "/moved")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def verify(self, item: Received) -> str | None:
        for secret in [self.secrets.get(item.path), *self.extra_secrets.get(item.path, [])]:
            if secret is None:
                continue
            try:
                Webhook(secret).verify(item.body, item.headers)
            except WebhookVerificationError:
                continue
            return secret
        return None

    def on(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def stop(self) -> None:
        for event in self.hold.values():
            event.set()
        self.server.shutdown()
        self.server.server_close()


REGISTERED = at(2026, 11, 26, 9, 0, 0)


@pytest.fixture
def webhooks_env(settings):
    """The settings webhook tests run under (their modules use it for every test)."""
    settings.SITE_URL = "https://ir.example.com"
    settings.IRSITE_WEBHOOKS_ALLOW_PRIVATE_URLS = True  # the receiver is on 127.0.0.1
    settings.IRSITE_WEBHOOKS_RETRY_SECONDS = 0  # retries are due at once (the worker runs once)
    settings.IRSITE_WEBHOOKS_TIMEOUT_SECONDS = 0.5


@pytest.fixture
def receiver():
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def run(worker):
    return worker


def register(receiver: Receiver, path: str, user, events=("release.live",)) -> Endpoint:
    with time_machine.travel(REGISTERED, tick=False):
        endpoint, secret = actions.register_endpoint(
            user, url=receiver.url(path), events=events, description=path
        )
    receiver.secrets[path] = secret
    return endpoint


def verified(secret: str, item) -> dict:
    """What a receiver's `standardwebhooks` reads, verified at the moment it arrived (it
    refuses a timestamp more than five minutes off its clock)."""
    with time_machine.travel(item.at, tick=False):
        return Webhook(secret).verify(item.body, item.headers)
