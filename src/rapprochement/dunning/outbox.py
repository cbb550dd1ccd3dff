"""The outbox: rendered letters written to a folder, and the rows the ledger records.

:func:`write_outbox` renders every action first; when any template fails it raises
:class:`~rapprochement.errors.TemplateError` before a single file is written, so the caller
records nothing. Files are ``<outbox>/<action_date>/<action_id>.txt`` and ``.html``, written
atomically (temporary file, then rename); re-writing the same action gives the same bytes.
E-mail goes out only when an :class:`SmtpSender` is given and the action's channel is e-mail.
"""

from __future__ import annotations

import os
import smtplib
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from rapprochement.dunning.letters import Creditor, Letter, render_letters
from rapprochement.dunning.planner import DunningAction
from rapprochement.errors import DunningError

__all__ = ["SmtpSender", "SmtpSettings", "write_outbox"]


class SmtpSettings(BaseModel):
    """How to reach the mail server; sending happens only when these are given."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(description="SMTP server host name.")
    port: int = Field(587, description="Port: 587 (STARTTLS), 465 (TLS) or 25.")
    sender: str = Field(description="From address.")
    username: str | None = Field(None, description="Login, when the server needs one.")
    password: str | None = Field(None, description="Password (read it from the environment).")
    starttls: bool = Field(True, description="Upgrade the connection with STARTTLS.")
    timeout: float = Field(30.0, description="Socket timeout in seconds.")


class SmtpSender:
    """Send letters as multipart (text + HTML) e-mails through one SMTP server."""

    def __init__(self, settings: SmtpSettings) -> None:
        """Keep the settings; nothing connects until :meth:`send`."""
        self.settings = settings

    def message(self, letter: Letter, to: str) -> EmailMessage:
        """The e-mail for ``letter`` addressed to ``to``."""
        msg = EmailMessage()
        msg["From"] = self.settings.sender
        msg["To"] = to
        msg["Subject"] = letter.subject
        msg["X-Rapprochement-Action"] = letter.action_id
        msg.set_content(letter.text)
        msg.add_alternative(letter.html, subtype="html")
        return msg

    def send(self, letter: Letter, to: str) -> None:
        """Send one letter.

        Raises:
            DunningError: the server refused the message or could not be reached.
        """
        s = self.settings
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as smtp:
                if s.starttls:
                    smtp.starttls()
                if s.username:
                    smtp.login(s.username, s.password or "")
                smtp.send_message(self.message(letter, to))
        except (OSError, smtplib.SMTPException) as exc:
            raise DunningError(
                f"could not send {letter.action_id} to {to}: {exc}",
                file=f"smtp://{s.host}:{s.port}",
                hint="check the SMTP settings; the letter is still in the outbox",
            ) from exc


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_outbox(
    actions: Sequence[DunningAction],
    outbox: str | Path,
    *,
    creditor: Creditor | None = None,
    language: str | None = None,
    template_dir: str | Path | None = None,
    sender: SmtpSender | None = None,
    emails: Mapping[str, str] | None = None,
) -> list[dict[str, object]]:
    """Render ``actions``, write them to ``outbox`` and return the ledger rows.

    Args:
        actions: planned actions (from :func:`~rapprochement.dunning.plan_dunning`).
        outbox: folder to write to (created when missing).
        creditor: letterhead and payment details.
        language: force ``"fr"`` or ``"en"``; default: each action's.
        template_dir: templates overriding the shipped ones.
        sender: when given, e-mail-channel letters are also sent.
        emails: customer id → e-mail address, for ``sender``.

    Returns:
        One dict per action (:meth:`DunningAction.to_record`) whose ``payload`` also holds
        ``files`` (paths written), ``subject`` and ``sent_to`` (address, or None).

    Raises:
        TemplateError: a letter failed to render; no file was written.
        DunningError: a letter could not be written (the outbox is a file, not writable...).
    """
    letters = render_letters(actions, creditor, language=language, template_dir=template_dir)
    root = Path(outbox)
    records: list[dict[str, object]] = []
    for action, letter in zip(actions, letters, strict=True):
        folder = root / action.action_date.isoformat()
        txt, html = folder / f"{action.action_id}.txt", folder / f"{action.action_id}.html"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _write_atomic(txt, letter.text)
            _write_atomic(html, letter.html)
        except OSError as exc:
            raise DunningError(
                f"cannot write the letter: {exc.strerror or exc}",
                file=str(exc.filename or folder),
                hint="give an outbox folder you can write to; nothing was recorded, and letters"
                " already written are written again identically on the next run",
            ) from None
        sent_to = None
        if sender is not None and action.channel == "email" and emails is not None:
            sent_to = emails.get(action.customer_id)
            if sent_to:
                sender.send(letter, sent_to)
        record = action.to_record()
        payload = dict(record["payload"])  # type: ignore[call-overload]
        payload.update(files=[str(txt), str(html)], subject=letter.subject, sent_to=sent_to)
        record["payload"] = payload
        records.append(record)
    return records
