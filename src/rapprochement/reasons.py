"""SEPA return and reject reason codes, in English and French: one table for every module.

The codes are ISO 20022 ``ExternalReturnReason1Code`` / ``ExternalStatusReason1Code`` values as
the EPC SEPA rulebooks use them in R-transactions (returns, rejects, refunds): camt.053/.054
``RtrInf/Rsn/Cd``, pain.002 ``StsRsnInf/Rsn/Cd``, MT940 ``/RTRN/``. The words follow the EPC
"Guidance on reason codes for SDD R-transactions" (EPC173-14) and the French banks' wording.
The return linker, dunning letters, the HTML report and the CLI all read them here.
"""

from __future__ import annotations

__all__ = ["RETURN_REASONS", "reason_text", "reason_words"]

#: code → (English, French).
RETURN_REASONS: dict[str, tuple[str, str]] = {
    "AC01": ("incorrect account number", "numéro de compte erroné"),
    "AC04": ("account closed", "compte clôturé"),
    "AC06": ("account blocked", "compte bloqué"),
    "AC13": ("debtor account is a consumer account", "compte du débiteur de particulier"),
    "AG01": ("transaction forbidden on this account", "opération interdite sur ce compte"),
    "AG02": ("invalid bank operation code", "code opération bancaire invalide"),
    "AM04": ("insufficient funds", "provision insuffisante"),
    "AM05": ("duplicate", "doublon"),
    "BE05": ("unknown creditor identifier", "identifiant créancier inconnu"),
    "CNOR": ("creditor bank not registered", "banque du créancier non joignable"),
    "DNOR": ("debtor bank not registered", "banque du débiteur non joignable"),
    "DUPL": ("duplicate payment", "paiement en double"),
    "FF01": ("invalid file format", "format de fichier invalide"),
    "FOCR": ("returned after a cancellation request", "retour suite à demande d'annulation"),
    "MD01": ("no valid mandate", "pas de mandat valide"),
    "MD02": ("mandate data missing or wrong", "données du mandat absentes ou erronées"),
    "MD06": ("refund requested by the debtor", "remboursement demandé par le débiteur"),
    "MD07": ("debtor deceased", "débiteur décédé"),
    "MS02": ("refused by the debtor", "refusé par le débiteur"),
    "MS03": ("reason not specified", "motif non communiqué"),
    "RC01": ("incorrect bank identifier (BIC)", "identifiant de banque (BIC) erroné"),
    "RR01": ("regulatory: debtor account or identity missing",
             "réglementaire : compte ou identité du débiteur manquant"),
    "RR02": ("regulatory: debtor name or address missing",
             "réglementaire : nom ou adresse du débiteur manquant"),
    "RR03": ("regulatory: creditor name or address missing",
             "réglementaire : nom ou adresse du créancier manquant"),
    "RR04": ("regulatory reason", "motif réglementaire"),
    "SL01": ("specific service of the debtor's bank",
             "service spécifique de la banque du débiteur"),
}  # fmt: skip


def reason_words(code: str | None, language: str = "en") -> str:
    """The meaning of a reason code (``"insufficient funds"`` / ``"provision insuffisante"``),
    ``""`` for an unknown code or none."""
    pair = RETURN_REASONS.get((code or "").strip().upper())
    if pair is None:
        return ""
    return pair[1] if language == "fr" else pair[0]


def reason_text(code: str | None, language: str = "en") -> str:
    """``AM04 (insufficient funds)``, the code alone when unknown, ``""`` without one."""
    if not code:
        return ""
    words = reason_words(code, language)
    return f"{code} ({words})" if words else code
