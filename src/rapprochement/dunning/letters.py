"""Dunning letters: Jinja2 templates per language and level, rendered to text and HTML.

Templates live in ``rapprochement/dunning/templates``: ``<lang>/base.txt.j2`` and
``base.html.j2`` lay out the letter (letterhead, the customer's address block placed for a
window envelope, date, "Objet :", statement table with each invoice's level and the credits
netted, penalties, €40 indemnity, deadline; A4 print CSS for the PDF), and
``<lang>/<level template>.j2`` defines the level's macros ``subject``, ``body`` and optionally
``legal`` (the mentions a *mise en demeure* needs). Pass ``template_dir`` to override any of
them with files of the same names. Undefined variables are errors. Dates are written in full in
the customer's language with babel ("1er juillet 2019", "15 July 2019").
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_date as babel_date
from pydantic import BaseModel, ConfigDict, Field

from rapprochement.customers import Customer
from rapprochement.dunning.actions import DunningAction
from rapprochement.errors import TemplateError
from rapprochement.money import currency_exponent
from rapprochement.reasons import reason_words

__all__ = [
    "TASK_CHANNELS",
    "Creditor",
    "Letter",
    "format_date",
    "format_money",
    "level_label",
    "render_letter",
    "render_letters",
]

#: Channels that are a task for someone of the creditor's (a call, a hand-over), not a letter.
TASK_CHANNELS = frozenset({"phone", "litigation"})

_LABELS = {
    "fr": {"friendly": "Rappel avant échéance", "reminder1": "Relance 1",
           "reminder2": "Relance 2", "phone": "Appel", "formal_notice": "Mise en demeure",
           "litigation": "Contentieux"},
    "en": {"friendly": "Courtesy reminder", "reminder1": "Reminder 1", "reminder2": "Reminder 2",
           "phone": "Call", "formal_notice": "Formal notice", "litigation": "Litigation"},
}  # fmt: skip
_LOCALES = {"fr": "fr_FR", "en": "en_GB"}
_TASK_WORDS = {"fr": ("Pièces :", "Total réclamé :"), "en": ("Items:", "Total claimed:")}


class Creditor(BaseModel):
    """Who is owed: the letterhead and payment details."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field("Your company", description="Legal name.")
    address: tuple[str, ...] = Field((), description="Address lines.")
    city: str = Field("", description="City for the date line ('Paris, le ...').")
    legal_id: str | None = Field(None, description="SIREN or company registration number.")
    iban: str | None = Field(None, description="IBAN to pay to.")
    bic: str | None = Field(None, description="BIC of that account.")
    email: str | None = Field(None, description="Contact e-mail, also the SMTP sender.")
    country: str = Field("FR", description="ISO 3166 country: its public holidays.")
    phone: str | None = Field(None, description="Contact phone.")
    signatory: str | None = Field(None, description="Name and role of the signatory.")


class Letter(BaseModel):
    """A rendered letter (or task note) for one action."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action_id: str = Field(description="The action it renders.")
    customer_id: str = Field(description="Customer id.")
    channel: str = Field(description="email, letter, phone, registered_letter, litigation.")
    language: str = Field(description="fr or en.")
    subject: str = Field(description="Subject line.")
    text: str = Field(description="Plain-text body (for a task: the instructions).")
    html: str = Field(description="Self-contained HTML document (A4 print CSS).")

    @property
    def is_task(self) -> bool:
        """True for a call or a hand-over: a task list row, never a letter."""
        return self.channel in TASK_CHANNELS


def format_money(value: Decimal, currency: str, language: str = "fr") -> str:
    """``1 234,56 €`` (fr) or ``€1,234.56`` (en); other currencies by code."""
    exp = currency_exponent(currency)
    q = value.quantize(Decimal(1).scaleb(-exp), ROUND_HALF_UP)
    sign = "-" if q < 0 else ""
    digits = f"{abs(q):,.{exp}f}"
    if language == "fr":
        digits = digits.replace(",", " ").replace(".", ",")
        return f"{sign}{digits} {'€' if currency == 'EUR' else currency}"
    return f"{sign}{'€' if currency == 'EUR' else currency + ' '}{digits}"


def format_date(day: dt.date, language: str = "fr") -> str:
    """``15 juillet 2019``, ``1er juillet 2019`` (fr) or ``15 July 2019`` (en), with babel."""
    text = str(babel_date(day, format="long", locale=_LOCALES.get(language, language)))
    if language == "fr" and day.day == 1:
        text = "1er" + text[1:]
    return text


def level_label(level: str | None, language: str = "fr") -> str:
    """A level's name for readers (``Mise en demeure``); unknown levels as they are named."""
    if level is None:
        return ""
    return _LABELS.get(language, _LABELS["en"]).get(level, level)


def _paragraphs(value: str) -> list[str]:
    parts = value.split("\n\n")  # Markup.split keeps Markup, so HTML escaping is preserved
    return [p.strip() for p in parts if p.strip()]


@functools.lru_cache(maxsize=16)
def _environment(template_dir: str | None, *, html: bool) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        loaders.append(jinja2.FileSystemLoader(template_dir))
    loaders.append(jinja2.PackageLoader("rapprochement.dunning", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.filters["money"] = format_money
    env.filters["ldate"] = format_date
    env.filters["paragraphs"] = _paragraphs
    env.filters["reason"] = reason_words
    env.filters["label"] = level_label
    return env


def _render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    return env.get_template(name).render(context)


def _subject(env: jinja2.Environment, action: DunningAction, ctx: dict[str, Any]) -> str:
    module: Any = env.get_template(f"{ctx['lang']}/{action.template}.j2").make_module(ctx)
    return str(module.subject(action, ctx["c"])).strip()


def _describe(action: DunningAction) -> str:
    return (
        f"action {action.action_id} (customer {action.customer_id}, level {action.level_name}, "
        f"invoices {', '.join(action.invoice_ids)})"
    )


def _task(env: jinja2.Environment, action: DunningAction, ctx: dict[str, Any]) -> str:
    """A task's instructions: the level's body, then the invoices and the amount claimed."""
    lang = ctx["lang"]
    module: Any = env.get_template(f"{lang}/{action.template}.j2").make_module(ctx)
    words = _TASK_WORDS.get(lang, _TASK_WORDS["en"])
    items = "; ".join(
        f"{i.invoice_id} ({format_date(i.due_date, lang)}, "
        f"{format_money(i.open_amount, action.currency, lang)})"
        for i in action.items
    )
    total = format_money(action.total_claimed, action.currency, lang)
    return f"{str(module.body(action, ctx['c'])).strip()}\n\n{words[0]} {items}\n{words[1]} {total}"


def render_letter(
    action: DunningAction,
    creditor: Creditor | None = None,
    *,
    customer: Customer | None = None,
    language: str | None = None,
    template_dir: str | Path | None = None,
) -> Letter:
    """Render ``action`` with its level's template to text and HTML.

    Args:
        action: a planned action.
        creditor: letterhead and payment details (default: a placeholder).
        customer: the customer's master data: the address block, and the language.
        language: ``"fr"`` or ``"en"``; default: the customer's, else the action's.
        template_dir: a folder whose templates override the shipped ones.

    Raises:
        TemplateError: the template is missing or fails to render; the message names the
            action, the customer and the invoices.
    """
    lang = language or (customer.language if customer else None) or action.language
    to = customer.address_block if customer else (action.customer_name,)
    ctx: dict[str, Any] = {
        "a": action, "c": creditor or Creditor(), "lang": lang, "to": to, "who": customer,
    }  # fmt: skip
    try:
        folder = None if template_dir is None else str(template_dir)
        text_env = _environment(folder, html=False)
        html_env = _environment(folder, html=True)
        subject = _subject(text_env, action, ctx)
        if action.channel in TASK_CHANNELS:
            text, html = _task(text_env, action, ctx), ""
        else:
            text = _render(text_env, f"{lang}/base.txt.j2", ctx)
            html = _render(html_env, "base.html.j2", ctx)
    except jinja2.TemplateError as exc:
        raise TemplateError(
            f"cannot render template {lang}/{action.template}: "
            f"{type(exc).__name__}: {exc.message or exc}",
            file=getattr(exc, "filename", None) or f"{lang}/{action.template}.j2",
            location=_describe(action),
            hint="check the template name in the policy and the variables the template uses",
        ) from exc
    return Letter(
        action_id=action.action_id,
        customer_id=action.customer_id,
        channel=action.channel,
        language=lang,
        subject=subject,
        text=text,
        html=html,
    )


def render_letters(
    actions: Iterable[DunningAction],
    creditor: Creditor | None = None,
    *,
    customers: Mapping[str, Customer] | None = None,
    language: str | None = None,
    template_dir: str | Path | None = None,
) -> Sequence[Letter]:
    """Render every action; the first failure raises :class:`TemplateError` (all or nothing)."""
    known = customers or {}
    return [
        render_letter(
            a,
            creditor,
            customer=known.get(a.customer_id),
            language=language,
            template_dir=template_dir,
        )
        for a in actions
    ]
