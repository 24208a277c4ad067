"""One webhook attempt against real receivers: what counts as delivered, and the log's line when not."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from dailyseg.alerts.webhook import AttemptFailed, post
from tests.alerts.conftest import Receiver, free_port

AT = datetime(2024, 3, 5, tzinfo=UTC)


def _post(url: str, timeout: float = 5) -> None:
    post(url, "secret", b'{"x":1}', event_id="e", delivery_id=1, at=AT, timeout=timeout)


@pytest.fixture
def redirecting() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_a_2xx_answer_is_delivered(listening: Receiver) -> None:
    listening.status = 204
    _post(listening.url)
    assert listening.received[0].body == b'{"x":1}'


def test_an_error_answer_a_redirect_and_a_refused_connection_are_failed_attempts(listening: Receiver, redirecting: str) -> None:
    listening.status = 503
    with pytest.raises(AttemptFailed, match=r"^HTTP 503 Service Unavailable: ok$"):
        _post(listening.url)
    with pytest.raises(AttemptFailed, match=r"^HTTP 302"):
        _post(redirecting)
    down = Receiver(free_port())
    with pytest.raises(AttemptFailed, match=r"cannot reach .*refused"):
        _post(down.url)


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        with pytest.raises(AttemptFailed, match=r"^no answer from .* within 0.3 s$"):
            _post(f"http://127.0.0.1:{silent.getsockname()[1]}/hook", timeout=0.3)
