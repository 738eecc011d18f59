"""A TCP proxy whose link can be cut: one app server's road to Redis in `bench/redis_cut.py`.

While the link is cut, nothing gets through in either direction and nobody is told: bytes on
open connections are swallowed, and new connections are accepted but never reach the other
side, as when a switch or a route between two hosts fails (the client only learns of it by its
own timeouts). When the link comes back, the connections that lived through the cut are closed
(their peers have given up on them) and new ones are forwarded again.
"""

import contextlib
import socket
import threading


class _Pair:
    def __init__(self, client: socket.socket, upstream: socket.socket | None) -> None:
        self.client, self.upstream = client, upstream
        self.dead = upstream is None

    def close(self) -> None:
        for sock in (self.client, self.upstream):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    sock.close()


class LinkCutProxy:
    """Listens on ``listen_port`` and forwards to ``target_port`` on 127.0.0.1."""

    def __init__(self, listen_port: int, target_port: int) -> None:
        self.target_port = target_port
        self.server = socket.create_server(("127.0.0.1", listen_port), reuse_port=False)
        self.port = self.server.getsockname()[1]
        self.is_cut = False
        self.pairs: set[_Pair] = set()
        self.lock = threading.Lock()
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        with self.lock:
            self.is_cut = True
            for pair in self.pairs:
                pair.dead = True

    def restore(self) -> None:
        with self.lock:
            self.is_cut = False
            dead = [p for p in self.pairs if p.dead]
            self.pairs.difference_update(dead)
        for pair in dead:
            pair.close()

    def close(self) -> None:
        self.stopping = True
        with contextlib.suppress(OSError):
            self.server.close()
        with self.lock:
            pairs, self.pairs = list(self.pairs), set()
        for pair in pairs:
            pair.close()

    def _accept(self) -> None:
        while not self.stopping:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            with self.lock:
                cut = self.is_cut
            upstream = None
            if not cut:
                try:
                    upstream = socket.create_connection(("127.0.0.1", self.target_port), 2)
                    upstream.settimeout(None)
                except OSError:
                    client.close()
                    continue
            pair = _Pair(client, upstream)
            with self.lock:
                self.pairs.add(pair)
            threading.Thread(target=self._pump, args=(pair, client, upstream), daemon=True).start()
            if upstream is not None:
                threading.Thread(
                    target=self._pump, args=(pair, upstream, client), daemon=True
                ).start()

    def _pump(self, pair: _Pair, source: socket.socket, sink: socket.socket | None) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            if pair.dead or sink is None:
                continue  # the link is cut: the bytes are lost on the way
            try:
                sink.sendall(data)
            except OSError:
                break
        with self.lock:
            self.pairs.discard(pair)
        pair.close()
