"""Sending letters by e-mail: one message per letter, the PDF attached, over SMTP.

Settings come from a file (TOML or JSON: ``host``, ``port``, ``sender``, ``username``,
``password``, ``starttls``, ``ssl``, ``timeout``) or from the environment
(``RAPPROCHEMENT_SMTP_HOST``, ``_PORT``, ``_SENDER``, ``_USERNAME``, ``_PASSWORD``,
``_STARTTLS``, ``_SSL``, ``_TIMEOUT``); the environment wins, so the password need not be in
the file. Every message carries ``Date`` and ``Message-ID`` headers (the Message-ID is what the
ledger records), the letter as plain text and the PDF attached.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import smtplib
import tomllib
from collections.abc import Callable, Mapping, Sequence
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rapprochement.dunning.outbox import OutboxEntry
from rapprochement.errors import ConfigError, DunningError, SendError

__all__ = ["SmtpSettings", "build_message", "load_smtp_settings", "send_entries"]

_ENV = "RAPPROCHEMENT_SMTP_"


class SmtpSettings(BaseModel):
    """How to reach the mail server."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(description="SMTP server host name.")
    port: int = Field(587, description="Port: 587 (STARTTLS), 465 (TLS) or 25.")
    sender: str = Field(description="From address.")
    username: str | None = Field(None, description="Login, when the server needs one.")
    password: str | None = Field(None, description="Password (better in the environment).")
    starttls: bool = Field(True, description="Upgrade the connection with STARTTLS.")
    ssl: bool = Field(False, description="TLS from the start (port 465).")
    timeout: float = Field(30.0, description="Socket timeout in seconds.")


def load_smtp_settings(
    path: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> SmtpSettings:
    """Settings from ``path`` (TOML or JSON) overridden by ``RAPPROCHEMENT_SMTP_*`` variables.

    Raises:
        ConfigError: the file cannot be read, or host or sender is missing, or a value is bad.
    """
    env = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    where = str(path) if path is not None else "environment"
    if path is not None:
        p = Path(path)
        try:
            raw = p.read_bytes()
            data = json.loads(raw) if p.suffix == ".json" else tomllib.loads(raw.decode())
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read SMTP settings: {exc}", file=where,
                              hint='TOML such as host = "smtp.example.com"') from None  # fmt: skip
        data = dict(data.get("smtp", data))
    for field in SmtpSettings.model_fields:
        value = env.get(_ENV + field.upper())
        if value is not None:
            data[field] = value
    try:
        return SmtpSettings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(
            f"SMTP settings: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}",
            file=where,
            hint=f"give host and sender in --smtp FILE or {_ENV}HOST and {_ENV}SENDER",
        ) from None


def build_message(
    entry: OutboxEntry, settings: SmtpSettings, *, now: dt.datetime | None = None
) -> EmailMessage:
    """The e-mail for ``entry``: From, To, Subject, Date, Message-ID, the text, the PDF."""
    if not entry.email_to:
        raise DunningError(f"no e-mail address for customer {entry.action.customer_id}",
                           hint="add one with `rapprochement customers import`")  # fmt: skip
    when = now or dt.datetime.now(dt.UTC)
    domain = settings.sender.rpartition("@")[2] or "localhost"
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = ", ".join(entry.email_to)
    msg["Subject"] = entry.letter.subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<{entry.action.action_id}.{secrets.token_hex(6)}@{domain}>"
    msg["X-Rapprochement-Action"] = entry.action.action_id
    msg.set_content(entry.letter.text)
    if entry.pdf is not None:
        msg.add_attachment(
            entry.pdf.read_bytes(), maintype="application", subtype="pdf",
            filename=entry.pdf.name,
        )  # fmt: skip
    return msg


def _connect(s: SmtpSettings) -> smtplib.SMTP:
    smtp: smtplib.SMTP
    if s.ssl:
        smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout)
    else:
        smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        if s.starttls:
            smtp.starttls()
    if s.username:
        smtp.login(s.username, s.password or "")
    return smtp


def send_entries(
    entries: Sequence[OutboxEntry],
    settings: SmtpSettings,
    *,
    on_sent: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Send every entry that goes out by e-mail (``email_to`` not empty) over one connection.

    Returns:
        One record per message sent (``action_id, customer_id, message_id, recipients,
        subject, sent_at, files``), as :meth:`Ledger.record_sent_messages` takes them.

    Raises:
        SendError: the server could not be reached or refused a message; its ``sent`` lists
            the messages that went out before.
    """
    sent: list[dict[str, Any]] = []
    todo = [e for e in entries if e.email_to]
    if not todo:
        return sent
    try:
        with _connect(settings) as smtp:
            for entry in todo:
                now = dt.datetime.now(dt.UTC)
                msg = build_message(entry, settings, now=now)
                smtp.send_message(msg)
                record = {
                    "action_id": entry.action.action_id,
                    "customer_id": entry.action.customer_id,
                    "message_id": str(msg["Message-ID"]),
                    "recipients": list(entry.email_to),
                    "subject": entry.letter.subject,
                    "sent_at": now.replace(tzinfo=None),
                    "files": [str(f) for f in entry.files if f.suffix == ".pdf"],
                }
                sent.append(record)
                if on_sent is not None:
                    on_sent(record)
    except (OSError, smtplib.SMTPException) as exc:
        error = SendError(
            f"sending stopped after {len(sent)} of {len(todo)} message(s): {exc}",
            file=f"smtp://{settings.host}:{settings.port}",
            hint="check the SMTP settings; the letters are in the outbox and the messages "
            "sent are recorded",
        )
        error.sent = list(sent)
        raise error from exc
    return sent
