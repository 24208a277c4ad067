"""One e-mail attempt, by SMTP (the standard library's smtplib), configured from the environment.

    DAILYSEG_SMTP_HOST      the server (required to send e-mail)
    DAILYSEG_SMTP_PORT      its port (default 25; 587 is usual for submission with STARTTLS)
    DAILYSEG_SMTP_USER      with DAILYSEG_SMTP_PASSWORD: log in (only ever over an encrypted connection)
    DAILYSEG_SMTP_PASSWORD
    DAILYSEG_SMTP_FROM      the sender's address (default dailyseg@ the local host name)
    DAILYSEG_SMTP_STARTTLS  "auto" (default): encrypt when the server offers STARTTLS; "require": refuse a
                            server that does not offer it
    DAILYSEG_SMTP_CAFILE    certificates to trust for the server, beside the system's (a private CA)

Credentials come from the environment only, never from the command line or the store. A password is never
sent in the clear: a user set without an encrypted connection is a failed attempt that says so.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Literal

from dailyseg.alerts.webhook import TIMEOUT_SECONDS, AttemptFailed

ENV = "DAILYSEG_SMTP_"
StartTls = Literal["auto", "require"]


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str = ""
    starttls: StartTls = "auto"
    cafile: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SmtpSettings:
        """The settings in `env` (os.environ); AttemptFailed naming the variable that is missing or wrong."""
        host = env.get(ENV + "HOST", "").strip()
        if not host:
            raise AttemptFailed(f"e-mail is not configured: set {ENV}HOST (and {ENV}PORT, {ENV}FROM) to send it")
        try:
            port = int(env.get(ENV + "PORT", "25"))
        except ValueError:
            raise AttemptFailed(f"{ENV}PORT must be a port number, not {env[ENV + 'PORT']!r}") from None
        mode = env.get(ENV + "STARTTLS", "auto").strip().lower()
        if mode not in ("auto", "require"):
            raise AttemptFailed(f"{ENV}STARTTLS must be auto or require, not {mode!r}")
        starttls: StartTls = "require" if mode == "require" else "auto"
        sender = env.get(ENV + "FROM", "").strip() or f"dailyseg@{socket.getfqdn()}"
        user = env.get(ENV + "USER") or None
        return cls(host, port, user, env.get(ENV + "PASSWORD"), sender, starttls, env.get(ENV + "CAFILE") or None)


def message(sender: str, to: str, subject: str, text: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    mail["Date"], mail["Message-ID"] = formatdate(localtime=False), make_msgid(domain="dailyseg")
    mail.set_content(text)
    return mail


def _tls(settings: SmtpSettings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if settings.cafile:
        context.load_verify_locations(settings.cafile)
    return context


def send(settings: SmtpSettings, mail: EmailMessage, *, timeout: float = TIMEOUT_SECONDS) -> list[str]:
    """Hand `mail` to the server: STARTTLS when offered (or required), log in when configured. The addresses
    the server refused while taking the others: sending again would repeat the mail to those it took."""
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=timeout) as server:
            server.ehlo()
            encrypted = server.has_extn("starttls")
            if encrypted:
                server.starttls(context=_tls(settings))
                server.ehlo()
            elif settings.starttls == "require":
                raise AttemptFailed(f"{settings.host}:{settings.port} does not offer STARTTLS, which {ENV}STARTTLS=require asks for")
            if settings.user:
                if not encrypted:
                    raise AttemptFailed(f"{settings.host}:{settings.port} offers no STARTTLS: the password is not sent in the clear")
                server.login(settings.user, settings.password or "")
            refused: dict[str, Any] = server.send_message(mail)
    except smtplib.SMTPResponseException as answer:
        text = answer.smtp_error.decode("utf-8", "replace") if isinstance(answer.smtp_error, bytes) else str(answer.smtp_error)
        raise AttemptFailed(f"SMTP {answer.smtp_code}: {' '.join(text.split())}") from None
    except smtplib.SMTPRecipientsRefused as every:
        raise AttemptFailed(f"every recipient was refused: {', '.join(sorted(every.recipients))}") from None
    except (smtplib.SMTPException, OSError, ssl.SSLError) as broken:
        raise AttemptFailed(f"cannot send through {settings.host}:{settings.port}: {broken or type(broken).__name__}") from None
    return sorted(refused)
