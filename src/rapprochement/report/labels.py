"""The words of the HTML report in French and English (``label(key, lang)``)."""

from __future__ import annotations

from rapprochement.i18n import Language

__all__ = ["LABELS", "label"]

#: key → (English, French).
LABELS: dict[str, tuple[str, str]] = {
    "title": ("Reconciliation report", "Rapport de rapprochement"),
    "as_of": ("As of", "Au"),
    "last_run": ("last reconcile run", "dernier rapprochement"),
    "matched_rate": ("customer payments fully matched", "paiements clients lettrés"),
    "lines_matched": ("lines matched / booked", "lignes rapprochées / comptabilisées"),
    "amount_matched": ("amount matched", "montant rapproché"),
    "open_on": ("open on {n} invoice(s)", "ouvert sur {n} facture(s)"),
    "to_review": ("suggestions to review", "propositions à valider"),
    "matching": ("Matching", "Rapprochement"),
    "aged": ("Aged balance", "Balance âgée"),
    "late": ("Top late payers", "Principaux retards de paiement"),
    "returns": ("Returned payments", "Paiements rejetés"),
    "queue": ("Suggestion queue", "Propositions à valider"),
    "unmatched": ("Unmatched receipts", "Encaissements non rapprochés"),
    "unmatched_none": (
        "Every incoming payment is matched.",
        "Tous les encaissements sont rapprochés.",
    ),
    "customers": ("Open items per customer", "Encours par client"),
    "customers_none": ("No open item.", "Aucune facture ouverte."),
    "categories": (
        "Bank lines that are not customer payments",
        "Lignes bancaires hors encaissements clients",
    ),
    "categories_none": (
        "No line categorized by the rules.",
        "Aucune ligne catégorisée par les règles.",
    ),
    "date": ("date", "date"),
    "payer": ("payer", "payeur"),
    "amount": ("amount", "montant"),
    "text": ("text", "libellé"),
    "candidate": ("best candidate", "meilleure piste"),
    "why_not": ("why it is not matched", "pourquoi ce n'est pas rapproché"),
    "why": ("why", "pourquoi"),
    "customer": ("customer", "client"),
    "invoices": ("invoices", "factures"),
    "open_amount": ("open", "ouvert"),
    "overdue": ("overdue", "échu"),
    "oldest": ("oldest, days late", "plus ancien, jours de retard"),
    "category": ("category", "catégorie"),
    "lines": ("lines", "lignes"),
    "credits": ("credits (in)", "crédits (entrées)"),
    "debits": ("debits (out)", "débits (sorties)"),
    "no_candidate": ("no open invoice fits", "aucune facture ouverte ne correspond"),
    "pending_review": ("waiting for review", "en attente de validation"),
    "below_threshold": (
        "score {score} below {threshold}",
        "score {score} sous le seuil {threshold}",
    ),
    "rejected_before": ("rejected or undone before", "refusé ou annulé auparavant"),
    "withheld": (
        "withheld: a reading not worth a review",
        "écarté : une lecture qui ne vaut pas une revue",
    ),
    "held": (
        "held back: nothing new, or a possible duplicate",
        "retenu : rien de nouveau, ou doublon possible",
    ),
    "dso_standard": ("DSO, days (standard)", "DSO, jours (méthode standard)"),
    "dso_countback": ("DSO, days (count-back)", "DSO, jours (par épuisement)"),
    "dso_best": ("best possible DSO", "meilleur DSO possible"),
    "by_origin": ("Allocations by origin", "Lettrages par origine"),
    "count": ("count", "nombre"),
    "learned": ("payer IBANs / name aliases learned", "IBAN / noms de payeurs appris"),
    "days_past_due": ("days past due", "jours de retard"),
    "source": ("source:", "source :"),
    "name": ("name", "nom"),
    "avg_late": ("avg days late (paid)", "retard moyen, jours (payées)"),
    "returned": ("payments returned", "paiements rejetés"),
    "segment": ("segment", "segment"),
    "no_overdue": ("No overdue invoice.", "Aucune facture échue."),
    "reason": ("reason", "motif"),
    "returns_line": ("returns line", "ligne rejetée"),
    "reopened": ("invoices reopened", "factures rouvertes"),
    "no_returns": ("No returned payment.", "Aucun paiement rejeté."),
    "paid": ("paid", "payé"),
    "invoice": ("invoice", "facture"),
    "kind": ("kind", "type"),
    "nothing_to_review": ("Nothing to review.", "Rien à valider."),
    "notes": ("Notes", "Remarques"),
    "chart_aging": ("Aged balance ({ccy}, days past due)", "Balance âgée ({ccy}, jours de retard)"),
    "chart_lines": ("Bank lines", "Lignes bancaires"),
    "matched": ("matched", "rapprochées"),
    "partly": ("partly", "en partie"),
    "unmatched_short": ("unmatched", "non rapprochées"),
    "more": ("{n} more: run {cmd}.", "{n} de plus : lancez {cmd}."),
}


def label(key: str, lang: Language = "en", **values: object) -> str:
    """The ``key`` text in ``lang``, ``{name}`` fields filled from ``values``."""
    en, fr = LABELS[key]
    text = fr if lang == "fr" else en
    return text.format(**values) if values else text
