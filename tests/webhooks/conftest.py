"""A real HTTP receiver on 127.0.0.1 for the webhook tests: it checks each request's
signature with the endpoint's secret, records it, and answers from a script of statuses."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from webhooks.signing import verify


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    verified: bool

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    secret: str = ""
    # The statuses to answer, in turn; the last one repeats.
    statuses: list[int] = field(default_factory=lambda: [200])
    answer: bytes = b"ok"
    redirect_to: str = ""
    requests: list[Received] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    receiver: Receiver

    def do_POST(self):
        receiver = self.server.receiver
        body = self.rfile.read(int(self.headers["Content-Length"]))
        header = self.headers.get("X-SalesTrack-Signature", "")
        # The test's clock (freeze_time patches timezone.now for every thread).
        now = int(timezone.now().timestamp())
        verified = verify(receiver.secret, header, body, now=now)
        receiver.requests.append(Received(self.path, dict(self.headers), body, verified))
        index = min(len(receiver.requests), len(receiver.statuses)) - 1
        status = receiver.statuses[index]
        self.send_response(status)
        if receiver.redirect_to:
            self.send_header("Location", receiver.redirect_to)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(receiver.answer)))
        self.end_headers()
        self.wfile.write(receiver.answer)

    def log_message(self, *args):
        pass  # quiet


@pytest.fixture
def receiver(settings):
    """A running receiver; webhooks may call 127.0.0.1 in these tests."""
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.receiver = Receiver(url=f"http://127.0.0.1:{server.server_port}/hooks/salestrack")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.receiver
    server.shutdown()
    server.server_close()
