"""The mail server the benches send alerts into (`bench/fanout.py`, `bench/front.py --subscribers`):
aiosmtpd in the bench's own process, accepting every message and noting when each recipient
arrived."""

import socket
import threading
import time


class Sink:
    """aiosmtpd's handler: the recipients received, in order, and when the first and the last
    arrived (monotonic seconds)."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.first = 0.0
        self.last = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        now = time.monotonic()
        with self.lock:
            if not self.received:
                self.first = now
            self.received.extend(envelope.rcpt_tos)
            self.last = now
        return "250 OK"


def start():
    """A `Sink` served on a free port of 127.0.0.1: (sink, port, its running controller)."""
    from aiosmtpd.controller import Controller

    sink = Sink()
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return sink, port, controller
