"""The outbox: letters written to a folder with readable names, a manifest of who gets what,
a task list for calls and hand-overs, and the rows the ledger records.

:func:`write_outbox` renders every action first; when any template fails it raises
:class:`~rapprochement.errors.TemplateError` before a single file is written, so the caller
records nothing. Files go to ``<outbox>/<action_date>/``:

- ``2026-12-04_C005_mise-en-demeure.pdf`` (and ``.html``, ``.txt``): one letter per customer
  and currency (the currency is added to the name when two letters would share it);
- ``manifest.csv``: one row per letter or task: file, customer, level, channel, how it goes
  out (``email``, ``post``, ``registered_post``, ``task``), to whom, amount and deadline;
- ``tasks.csv``: calls and hand-overs to litigation (never on letterhead).

Writes are atomic (temporary file, then rename); writing the same actions again gives the same
bytes, and the manifest keeps the rows of earlier runs of the day.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapprochement.customers import Customer
from rapprochement.dunning.actions import DunningAction
from rapprochement.dunning.letters import Creditor, Letter, level_label, render_letters
from rapprochement.dunning.pdf import render_pdf
from rapprochement.errors import DunningError

__all__ = ["MANIFEST_COLUMNS", "TASK_COLUMNS", "OutboxEntry", "letter_stem", "write_outbox"]

MANIFEST_COLUMNS = (
    "file", "action_id", "customer_id", "customer_name", "level", "channel", "send_as",
    "email_to", "address", "currency", "total_claimed", "deadline",
)  # fmt: skip
TASK_COLUMNS = (
    "action_date", "customer_id", "customer_name", "contact", "phone", "email", "level",
    "currency", "total_claimed", "invoices", "subject", "instructions",
)  # fmt: skip


@dataclass(frozen=True)
class OutboxEntry:
    """One action once written: its letter, its files and how it goes out."""

    action: DunningAction
    letter: Letter
    files: tuple[Path, ...]
    send_as: str
    email_to: tuple[str, ...]

    @property
    def pdf(self) -> Path | None:
        """The PDF letter, None for a task."""
        return next((f for f in self.files if f.suffix == ".pdf"), None)

    def record(self) -> dict[str, object]:
        """The row :meth:`~rapprochement.store.Ledger.record_dunning_actions` expects; its
        payload also holds ``files``, ``subject``, ``send_as`` and ``email_to``."""
        record = self.action.to_record()
        payload = dict(record["payload"])  # type: ignore[call-overload]
        payload.update(
            files=[str(f) for f in self.files],
            subject=self.letter.subject,
            send_as=self.send_as,
            email_to=list(self.email_to),
        )
        record["payload"] = payload
        return record


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def letter_stem(action: DunningAction, language: str, *, with_currency: bool = False) -> str:
    """``2026-12-04_C005_mise-en-demeure`` (the customer id kept readable, made file-safe)."""
    customer = re.sub(r"[^A-Za-z0-9._-]+", "-", action.customer_id).strip("-.") or "customer"
    level = _slug(level_label(action.level_name, language))
    parts = [action.action_date.isoformat(), customer, level]
    if with_currency:
        parts.append(action.currency)
    return "_".join(parts)


def _send_as(letter: Letter, customer: Customer | None) -> tuple[str, tuple[str, ...]]:
    emails = customer.emails if customer else ()
    if letter.is_task:
        return "task", ()
    if letter.channel == "registered_letter":
        return "registered_post", emails  # the e-mail is a copy; the registered letter counts
    if emails:
        return "email", emails
    return "post", ()


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _csv(rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _merge(path: Path, rows: list[dict[str, object]], key: str) -> list[dict[str, object]]:
    """Earlier rows of ``path`` (a CSV of the same day) updated with ``rows`` by ``key``."""
    merged: dict[str, dict[str, object]] = {}
    if path.exists():
        with path.open(encoding="utf-8", newline="") as f:
            merged.update((str(r[key]), dict(r)) for r in csv.DictReader(f))
    merged.update((str(r[key]), r) for r in rows)
    return sorted(merged.values(), key=lambda r: (str(r.get("file", "")), str(r[key])))


def _manifest_row(e: OutboxEntry, customer: Customer | None) -> dict[str, object]:
    a = e.action
    return {
        "file": (e.pdf.name if e.pdf else "tasks.csv"),
        "action_id": a.action_id,
        "customer_id": a.customer_id,
        "customer_name": customer.name if customer else a.customer_name,
        "level": a.level_name,
        "channel": a.channel,
        "send_as": e.send_as,
        "email_to": "; ".join(e.email_to),
        "address": " / ".join(customer.address_block) if customer else "",
        "currency": a.currency,
        "total_claimed": str(a.total_claimed),
        "deadline": a.deadline.isoformat(),
    }


def _task_row(e: OutboxEntry, customer: Customer | None) -> dict[str, object]:
    a = e.action
    return {
        "action_date": a.action_date.isoformat(),
        "customer_id": a.customer_id,
        "customer_name": customer.name if customer else a.customer_name,
        "contact": (customer.contact or "") if customer else "",
        "phone": (customer.phone or "") if customer else "",
        "email": "; ".join(customer.emails) if customer else "",
        "level": a.level_name,
        "currency": a.currency,
        "total_claimed": str(a.total_claimed),
        "invoices": " ".join(a.invoice_ids),
        "subject": e.letter.subject,
        "instructions": e.letter.text,
    }


def write_outbox(
    actions: Sequence[DunningAction],
    outbox: str | Path,
    *,
    creditor: Creditor | None = None,
    customers: Mapping[str, Customer] | None = None,
    language: str | None = None,
    template_dir: str | Path | None = None,
    pdf: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> list[OutboxEntry]:
    """Render ``actions`` and write them to ``outbox`` (see the module's docstring).

    Args:
        actions: planned actions (from :func:`~rapprochement.dunning.plan_dunning`).
        outbox: folder to write to (created when missing).
        creditor: letterhead and payment details.
        customers: customer id → master data (address block, language, e-mails).
        language: force ``"fr"`` or ``"en"``; default: each customer's, else each action's.
        template_dir: templates overriding the shipped ones.
        pdf: also write each letter as PDF (WeasyPrint).
        progress: called with (letters rendered, letters) as each is rendered (a PDF takes a
            quarter of a second: a run of a thousand letters takes minutes).

    Returns:
        One :class:`OutboxEntry` per action, in the order given.

    Raises:
        TemplateError: a letter failed to render; no file was written.
        DunningError: a letter could not be written (the outbox is a file, not writable...)
            or the PDF renderer is missing.
    """
    known = customers or {}
    letters = render_letters(
        actions, creditor, customers=known, language=language, template_dir=template_dir
    )
    pdfs: list[bytes | None] = []
    for action, letter in zip(actions, letters, strict=True):
        pdfs.append(
            None
            if letter.is_task or not pdf
            else render_pdf(letter.html, title=letter.subject, day=action.action_date)
        )
        if progress is not None:
            progress(len(pdfs), len(actions))
    same_name = Counter((a.action_date, a.customer_id, a.level_name) for a in actions)
    root = Path(outbox)
    entries: list[OutboxEntry] = []
    by_day: dict[Path, tuple[list[dict[str, object]], list[dict[str, object]]]] = {}
    try:
        for action, letter, data in zip(actions, letters, pdfs, strict=True):
            folder = root / action.action_date.isoformat()
            folder.mkdir(parents=True, exist_ok=True)
            customer = known.get(action.customer_id)
            stem = letter_stem(
                action,
                letter.language,
                with_currency=same_name[(action.action_date, action.customer_id, action.level_name)]
                > 1,
            )
            files: list[Path] = []
            if not letter.is_task:
                contents = {
                    ".txt": letter.text.encode(),
                    ".html": letter.html.encode(),
                    ".pdf": data,
                }
                for suffix, content in contents.items():
                    if content is not None:
                        _write_atomic(folder / f"{stem}{suffix}", content)
                        files.append(folder / f"{stem}{suffix}")
            send_as, to = _send_as(letter, customer)
            entry = OutboxEntry(action, letter, tuple(files), send_as, to)
            entries.append(entry)
            manifest, tasks = by_day.setdefault(folder, ([], []))
            manifest.append(_manifest_row(entry, customer))
            if letter.is_task:
                tasks.append(_task_row(entry, customer) | {"action_id": action.action_id})
        for folder, (manifest, tasks) in by_day.items():
            rows = _merge(folder / "manifest.csv", manifest, "action_id")
            _write_atomic(folder / "manifest.csv", _csv(rows, MANIFEST_COLUMNS))
            if tasks:
                rows = _merge(folder / "tasks.csv", tasks, "action_id")
                _write_atomic(folder / "tasks.csv", _csv(rows, (*TASK_COLUMNS, "action_id")))
    except OSError as exc:
        raise DunningError(
            f"cannot write the letter: {exc.strerror or exc}",
            file=str(exc.filename or root),
            hint="give an outbox folder you can write to; nothing was recorded, and letters"
            " already written are written again identically on the next run",
        ) from None
    return entries
