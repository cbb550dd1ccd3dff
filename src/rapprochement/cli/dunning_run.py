"""``rapprochement dunning run``: write the day's letters (PDF, HTML, text), a manifest and a
task list to the outbox; with ``--send``, e-mail them and record everything in the ledger.

Without ``--send`` (``--dry-run``, the default) the letters are written for review and nothing
is sent or recorded, so a later ``--send`` run plans the same letters. With ``--send``: the
letters are written, the actions recorded (letters to post and tasks are yours to do), then the
e-mails sent one by one and each message recorded (Message-ID, recipients, date). When
sending stops midway, the messages already sent are recorded and the exit code says so;
``dunning send --date DAY`` sends the rest later.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from rapprochement.cli import EXIT_PROBLEMS, err_console
from rapprochement.cli.dunning import (
    AsOfOption,
    LedgerLike,
    PolicyOption,
    ScoredOption,
    as_of_date,
    dunning_app,
    non_business_day,
    open_ledger,
    plan_from,
    policy_for,
    print_actions,
)
from rapprochement.cli.ledger import DEFAULT_DB, DbOption, output_language
from rapprochement.cli.output import console, line
from rapprochement.cli.progress import stages
from rapprochement.dunning.actions import DunningAction
from rapprochement.dunning.letters import Creditor, Letter
from rapprochement.dunning.mailer import SmtpSettings, load_smtp_settings, send_entries
from rapprochement.dunning.outbox import OutboxEntry, write_outbox
from rapprochement.errors import ConfigError, DunningError, SendError

__all__ = ["run_command", "send_command", "unsent_entries"]


def _creditor(path: Path | None) -> Creditor:
    if path is None:
        raise typer.BadParameter(
            "required: the letters would be signed 'Your company' with no IBAN to pay to",
            param_hint="--creditor",
        )
    try:
        return Creditor.model_validate_json(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot read creditor: {exc}",
            file=str(path),
            hint='a JSON object such as {"name": "ACME SAS", "iban": "FR76...", "city": "Paris",'
            ' "address": ["1 rue de la Paix", "75002 Paris"]}',
        ) from None


def _say(text: str) -> None:
    """The last line of a run, once the work is committed: should it fail to print (a closed
    pipe), stderr says what was done and the exit code is 1, never a bare traceback."""
    try:
        console().print(line(text))
    except OSError as exc:
        why = exc.strerror or str(exc)
        err_console.print(line(f"dunning run: done ({text}); the summary was not shown: {why}"))
        raise typer.Exit(EXIT_PROBLEMS) from None


def _summary(entries: list[OutboxEntry]) -> str:
    ways = {"email": 0, "post": 0, "registered_post": 0, "task": 0}
    for e in entries:
        ways[e.send_as] += 1
    return (
        f"{ways['email']} by e-mail, {ways['post']} to post, {ways['registered_post']} "
        f"registered letter(s) to post, {ways['task']} task(s)"
    )


def _send(
    ledger: LedgerLike, entries: list[OutboxEntry], settings: SmtpSettings | None
) -> tuple[int, int]:
    """Record the actions, then send and record the e-mails; (actions, messages) recorded."""
    recorded = ledger.record_dunning_actions([e.record() for e in entries]) if entries else 0
    if settings is None:
        return recorded, 0
    return recorded, _mail(ledger, entries, settings)


def _mail(ledger: LedgerLike, entries: list[OutboxEntry], settings: SmtpSettings) -> int:
    """Send the entries' e-mails and record each message sent, also when sending stops."""
    try:
        sent = send_entries(entries, settings)
    except SendError as exc:
        ledger.record_sent_messages(exc.sent)
        raise
    return ledger.record_sent_messages(sent)


@dunning_app.command("run")
def run_command(
    as_of: AsOfOption = None,
    db: DbOption = DEFAULT_DB,
    policy: PolicyOption = None,
    outbox: Annotated[Path, typer.Option("--outbox", help="Folder for the letters.")] = Path(
        "outbox"
    ),
    creditor: Annotated[
        Path | None,
        typer.Option(
            "--creditor",
            help="Creditor JSON: your letterhead and how to pay you (name, address, city,"
            " country, legal_id, iban, bic, email, phone, signatory). Required.",
        ),
    ] = None,
    language: Annotated[
        str | None, typer.Option("--language", help="fr or en (default: each customer's).")
    ] = None,
    send: Annotated[
        bool,
        typer.Option(
            "--send/--dry-run",
            help="--send: e-mail the letters (SMTP) and record the run in the ledger;"
            " --dry-run (default): write the letters for review, send and record nothing.",
        ),
    ] = False,
    smtp: Annotated[
        Path | None,
        typer.Option(
            "--smtp",
            help="SMTP settings (TOML or JSON: host, port, sender, username, starttls, ssl);"
            " RAPPROCHEMENT_SMTP_* variables override them (e.g. the password).",
        ),
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Write PDF letters.")] = True,
    scored: ScoredOption = False,
) -> None:
    """Write the letters due on --as-of to the outbox (PDF, HTML, text, manifest.csv, tasks.csv);
    with --send, e-mail them and record the actions and messages.

    The actions are printed first, then the letters written; a letter that fails to render or
    to be written stops the run before anything is recorded or sent. Nothing is planned on a
    weekend or public holiday of the creditor's country.
    """
    day = as_of_date(as_of)
    if language not in (None, "fr", "en"):
        raise typer.BadParameter("use fr or en", param_hint="--language")
    who = _creditor(creditor)
    with open_ledger(db) as ledger:
        plan_policy = policy_for(policy, language, who.country)
        actions = plan_from(ledger, day, plan_policy, scored)
        print_actions(actions, day, "due", output_language(language))  # before any write
        note = non_business_day(day, plan_policy)
        if note:
            _say(note)
        customers = ledger.customer_records()
        with stages(err_console) as shown:
            shown.stage(f"writing {len(actions)} letter(s) and task(s)", total=len(actions))
            entries = write_outbox(
                actions,
                outbox,
                creditor=who,
                customers=customers,
                language=language,
                pdf=pdf,
                progress=lambda done, total: shown.count(done, total),
            )
        if not send:
            _say(
                f"dry run: {len(entries)} letter(s) and task(s) in {outbox} ({_summary(entries)});"
                " nothing sent or recorded (--send to send and record)"
            )
            return
        needs_mail = any(e.email_to for e in entries)
        settings = load_smtp_settings(smtp) if needs_mail else None
        recorded, sent = _send(ledger, entries, settings)
    _say(f"{recorded} recorded, {sent} e-mail(s) sent ({_summary(entries)}), letters in {outbox}")


def unsent_entries(ledger: LedgerLike, day: dt.date) -> list[OutboxEntry]:
    """The actions recorded on ``day`` that go out by e-mail and have no message recorded
    (a ``--send`` run the SMTP server stopped), as outbox entries built from their payload and
    the files the run wrote (the letters are sent as they were written).

    Raises:
        DunningError: a letter's files are no longer in the outbox.
    """
    history = ledger.dunning_history()
    done = set(ledger.sent_messages()["action_id"])
    out: list[OutboxEntry] = []
    for rec in history.to_dict("records"):
        payload = rec["payload"]
        if rec["action_date"] != day or rec["action_id"] in done or not payload.get("email_to"):
            continue
        fields = {k: v for k, v in payload.items() if k in DunningAction.model_fields}
        action = DunningAction.model_validate(fields)
        files = tuple(Path(f) for f in payload.get("files", []))
        missing = [f for f in files if not f.exists()]
        if missing or not files:
            raise DunningError(
                f"the letter of {action.action_id} is no longer in the outbox",
                file=str(missing[0]) if missing else None,
                hint="restore the outbox folder of that day, or send that letter by hand",
            )
        by_suffix = {f.suffix: f for f in files}
        letter = Letter(
            action_id=action.action_id,
            customer_id=action.customer_id,
            channel=action.channel,
            language=action.language,
            subject=str(payload.get("subject", "")),
            text=by_suffix[".txt"].read_text(encoding="utf-8") if ".txt" in by_suffix else "",
            html=by_suffix[".html"].read_text(encoding="utf-8") if ".html" in by_suffix else "",
        )
        out.append(OutboxEntry(action, letter, files, str(payload.get("send_as", "email")),
                               tuple(payload["email_to"])))  # fmt: skip
    return out


@dunning_app.command("send")
def send_command(
    day: Annotated[str, typer.Option("--date", help="Day of the run to finish, YYYY-MM-DD.")],
    db: DbOption = DEFAULT_DB,
    smtp: Annotated[Path | None, typer.Option("--smtp", help="SMTP settings (as for run).")] = None,
) -> None:
    """E-mail the letters a `run --send` of --date recorded but could not send (the SMTP
    server stopped it): the letters in the outbox, each message recorded; letters already
    sent are not sent again."""
    when = as_of_date(day)
    with open_ledger(db) as ledger:
        entries = unsent_entries(ledger, when)
        if not entries:
            _say(f"nothing to send for {when}")
            return
        recorded = _mail(ledger, entries, load_smtp_settings(smtp))
    _say(f"{recorded} e-mail(s) sent for {when}")
