"""E-mail over STARTTLS with a login, against a real SMTP server (aiosmtpd) with a certificate made for the
test; and the refusals: no password in the clear, no plain connection when STARTTLS is required."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from dailyseg.alerts.mail import SmtpSettings, message, send
from dailyseg.alerts.webhook import AttemptFailed
from tests.alerts.conftest import Smtp, free_port


class _Secured:
    def __init__(self) -> None:
        self.seen: list[tuple[bool, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.seen.append((session.ssl is not None, bytes(session.auth_data or b"").decode() if session.authenticated else ""))
        return "250 OK"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"alerts", b"pw")
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return key, cert


@pytest.fixture
def secured(certificate: tuple[Path, Path]) -> Iterator[tuple[int, _Secured]]:
    key, cert = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = _Secured()
    controller = Controller(
        handler, hostname="127.0.0.1", port=free_port(), tls_context=context, authenticator=_authenticate, auth_require_tls=True
    )
    controller.start()
    try:
        yield controller.port, handler
    finally:
        controller.stop()


def _mail() -> Any:
    return message("alerts@dailyseg.test", "ops@x.test", "subject", "text\n")


def test_starttls_is_used_when_offered_and_the_login_goes_over_it(secured: tuple[int, _Secured], certificate: tuple[Path, Path]) -> None:
    port, handler = secured
    env = {
        "DAILYSEG_SMTP_HOST": "127.0.0.1",
        "DAILYSEG_SMTP_PORT": str(port),
        "DAILYSEG_SMTP_USER": "alerts",
        "DAILYSEG_SMTP_PASSWORD": "pw",
        "DAILYSEG_SMTP_CAFILE": str(certificate[1]),
    }
    assert send(SmtpSettings.from_env(env), _mail()) == []
    assert handler.seen == [(True, "alerts")]
    with pytest.raises(AttemptFailed, match="SMTP 535"):
        send(SmtpSettings.from_env(env | {"DAILYSEG_SMTP_PASSWORD": "wrong"}), _mail())


def test_an_untrusted_certificate_is_refused(secured: tuple[int, _Secured]) -> None:
    with pytest.raises(AttemptFailed, match="CERTIFICATE_VERIFY_FAILED"):
        send(SmtpSettings("127.0.0.1", secured[0]), _mail())


def test_no_password_in_the_clear_and_starttls_when_required(smtp: Smtp) -> None:
    with pytest.raises(AttemptFailed, match="the password is not sent in the clear"):
        send(SmtpSettings.from_env(smtp.env | {"DAILYSEG_SMTP_USER": "alerts", "DAILYSEG_SMTP_PASSWORD": "pw"}), _mail())
    with pytest.raises(AttemptFailed, match="does not offer STARTTLS"):
        send(SmtpSettings.from_env(smtp.env | {"DAILYSEG_SMTP_STARTTLS": "require"}), _mail())
    assert smtp.mailbox.messages == []
    with pytest.raises(AttemptFailed, match="must be auto or require"):
        SmtpSettings.from_env(smtp.env | {"DAILYSEG_SMTP_STARTTLS": "sometimes"})
