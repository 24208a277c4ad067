"""Real receivers on this machine for the alert tests: an HTTP server that records each POST, and an SMTP
server (aiosmtpd) that keeps each message; and a store holding filings with deficiencies."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from dailyseg.store import Store
from dailyseg.store.synthetic import daily_filing

FIRM = "Acme Futures LLC"
FIRM_ID = "acme-futures"
DAY = date(2024, 3, 4)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1:`port`, answering `status`; stopped until `start`."""

    port: int
    status: int = 200
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outer.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(outer.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A receiver that is down: call `start()` to bring it up."""
    held = Receiver(free_port())
    yield held
    held.stop()


@pytest.fixture
def listening(receiver: Receiver) -> Receiver:
    receiver.start()
    return receiver


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


@dataclass(frozen=True)
class Smtp:
    port: int
    mailbox: _Mailbox

    @property
    def env(self) -> dict[str, str]:
        return {"DAILYSEG_SMTP_HOST": "127.0.0.1", "DAILYSEG_SMTP_PORT": str(self.port), "DAILYSEG_SMTP_FROM": "alerts@dailyseg.test"}


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield Smtp(controller.port, mailbox)
    finally:
        controller.stop()


@pytest.fixture
def deficient(store_url: str) -> Iterator[Store]:
    """A store with one filing of FIRM on DAY that is deficient in each of its three statements."""
    with Store.open(store_url) as store:
        store.ingest_filing(daily_filing(FIRM, DAY, requirement=Decimal(1000), funds=Decimal(900)), source="deficient.json")
        yield store
