"""Letters: every level in French and English, text and HTML, with what the law requires."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from rapprochement.dunning import DunningAction, default_french_policy, plan_dunning
from rapprochement.dunning.letters import Creditor, format_money, render_letter
from rapprochement.dunning.outbox import write_outbox
from rapprochement.errors import TemplateError

D = Decimal
CREDITOR = Creditor(
    name="ACME SAS", address=("1 rue de la Paix", "75002 Paris"), city="Paris",
    legal_id="123 456 789", iban="FR7630006000011234567890189", email="compta@acme.fr",
)  # fmt: skip
ITEMS = pd.DataFrame(
    [
        {"invoice_id": "FA-1", "customer_id": "C1", "customer_name": "Dupont & Fils <SARL>",
         "amount": D("1200.00"), "currency": "EUR", "issue_date": dt.date(2025, 4, 1),
         "due_date": dt.date(2025, 5, 31), "open_amount": D("1200.00")},
        {"invoice_id": "FA-2", "customer_id": "C1", "customer_name": "Dupont & Fils <SARL>",
         "amount": D("1200.00"), "currency": "EUR", "issue_date": dt.date(2025, 4, 1),
         "due_date": dt.date(2025, 5, 31), "open_amount": D("500.00")},
    ]
)  # fmt: skip


def action_at(level: str, as_of: dt.date = dt.date(2025, 7, 21)) -> DunningAction:
    """The action planned when the invoices just reached the level before ``level``."""
    policy = default_french_policy()
    idx = policy.level_index(level)
    assert idx is not None
    history = None
    if idx > 0:
        history = pd.DataFrame(
            [{"action_id": "h", "customer_id": "C1", "invoice_ids": ["FA-1", "FA-2"],
              "level": idx - 1, "action_date": dt.date(2025, 6, 1)}]
        )  # fmt: skip
    day = dt.date(2025, 5, 26) if idx == 0 else as_of
    (action,) = plan_dunning(ITEMS, history, day, policy)
    assert action.level_name == level
    return action


LEVELS = ["friendly", "reminder1", "reminder2", "phone", "formal_notice", "litigation"]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("level", LEVELS)
def test_every_level_renders_in_both_languages_with_the_invoices(language: str, level: str) -> None:
    action = action_at(level)
    letter = render_letter(action, CREDITOR, language=language)
    for text in (letter.text,) if letter.is_task else (letter.text, letter.html):
        assert "FA-1" in text
        assert "FA-2" in text
        assert format_money(action.total_claimed, "EUR", language) in text
    assert "<SARL>" in letter.text
    if letter.is_task:  # a call or a hand-over: instructions, never a letter
        assert (letter.html, level) == ("", level)
        assert CREDITOR.iban not in letter.text
        return
    assert letter.subject in letter.text
    assert "&lt;SARL&gt;" in letter.html
    assert "<SARL>" not in letter.html


def test_formal_notice_carries_the_legal_mentions() -> None:
    # 2025-07-21: FA-1 1200 x 13.15 % x 30/365 = 12.97 + 1200 x 12.15 % x 21/365 = 8.39 -> 21.36
    #             FA-2  500: 5.40 + 3.50 = 8.90; total 1700 + 30.26 + 80 = 1810.26
    letter = render_letter(action_at("formal_notice"), CREDITOR, language="fr")
    text = letter.text
    for needle in (
        "LETTRE RECOMMANDÉE AVEC ACCUSÉ DE RÉCEPTION",
        "vous mettons en demeure",
        "1 810,26 €",
        "1 700,00 € en principal",
        "30,26 € de pénalités",
        "80,00 € d'indemnité forfaitaire",
        "au plus tard le 29 juillet 2025",
        "L441-10",
        "D441-5",
        "1344 du Code civil",
        "injonction de payer",
        "FR7630006000011234567890189",
        "SIREN 123 456 789",
        "Paris, le 21 juillet 2025",
    ):
        assert needle in text, needle
    assert (
        "Registered letter"
        in render_letter(action_at("formal_notice"), CREDITOR, language="en").html
    )


def test_a_template_that_fails_names_the_action_and_nothing_is_written(tmp_path: Path) -> None:
    broken = tmp_path / "templates" / "fr"
    broken.mkdir(parents=True)
    (broken / "reminder1.j2").write_text(
        "{% macro subject(a, c) %}{{ a.no_such_field }}{% endmacro %}"
        "{% macro body(a, c) %}x{% endmacro %}",
        encoding="utf-8",
    )
    good, bad = action_at("friendly"), action_at("reminder1")
    with pytest.raises(TemplateError, match=r"(?s)reminder1.*C1.*FA-1, FA-2"):
        render_letter(bad, template_dir=tmp_path / "templates")
    outbox = tmp_path / "out"
    with pytest.raises(TemplateError):
        write_outbox([good, bad], outbox, template_dir=tmp_path / "templates")
    assert not outbox.exists()


def test_unknown_template_name_is_a_template_error() -> None:
    action = action_at("reminder1").model_copy(update={"template": "nope"})
    with pytest.raises(TemplateError, match="nope"):
        render_letter(action)


def test_outbox_writes_readable_files_and_returns_ledger_rows(tmp_path: Path) -> None:
    actions = [action_at("reminder2"), action_at("phone")]
    entries = write_outbox(actions, tmp_path, creditor=CREDITOR, pdf=False)
    letter, call = entries
    row = letter.record()
    assert row["action_id"] == actions[0].action_id
    assert row["invoice_ids"] == ["FA-1", "FA-2"]
    payload: Any = row["payload"]
    files = [Path(f) for f in payload["files"]]
    assert [f.name for f in files] == [
        "2025-07-21_C1_relance-2.txt",
        "2025-07-21_C1_relance-2.html",
    ]
    assert files[0].parent.name == "2025-07-21"
    first = files[0].read_bytes()
    write_outbox(actions, tmp_path, creditor=CREDITOR, pdf=False)
    assert files[0].read_bytes() == first
    assert (payload["send_as"], payload["email_to"]) == ("post", [])
    # the call is a task, never on letterhead
    assert (call.files, call.send_as) == ((), "task")
    tasks = (tmp_path / "2025-07-21" / "tasks.csv").read_text(encoding="utf-8")
    assert "Tâche : appeler" in tasks
    assert "ACME" not in tasks


def test_html_letter_is_one_parseable_document_with_a_row_per_invoice() -> None:
    from lxml import html as lxml_html

    letter = render_letter(action_at("formal_notice"), CREDITOR, language="fr")
    doc = lxml_html.document_fromstring(letter.html)
    assert doc.findtext(".//title") == letter.subject
    rows = doc.xpath("//table[1]/tbody/tr")
    assert [r.xpath("string(td[1])") for r in rows] == ["FA-1", "FA-2"]
    assert "1 810,26 €" in doc.xpath("string(//table[@class='totals'])")


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [
        ("fr", ("cette facture", "le numéro de"), ("ces factures", "les numéros de")),
        ("en", ("this invoice", "invoice number."), ("these invoices", "invoice numbers.")),
    ],
)
def test_a_letter_for_one_invoice_speaks_of_one_invoice(
    language: str, one: tuple[str, str], many: tuple[str, str]
) -> None:
    both = action_at("reminder1")
    single = plan_dunning(ITEMS.head(1), None, dt.date(2025, 7, 21), default_french_policy())[0]
    assert len(single.items) == 1
    for action, want, not_want in ((both, many, one), (single, one, many)):
        letter = render_letter(action, CREDITOR, language=language)
        for text in (letter.text, letter.html):
            for phrase in want:
                assert phrase in text
            assert not_want[0] not in text
