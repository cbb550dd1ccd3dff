"""The starter rule set: French banks' wording and common bank transaction codes.

Conservative by design: a rule names a counterparty, a wording banks use, or a code, never an
amount alone, and customer-side text (remittance) is read only for unambiguous banking phrases.
Account codes follow the French PCG (627 bank charges, 421 payroll, 431 URSSAF, 445 VAT,
164 loans, 580 internal transfers, 511 card receipts, 401 suppliers). Users extend or override
it (a rule of the same id replaces the starter's).
"""

from __future__ import annotations

from typing import Any

from rapprochement.rules.load import load_rules
from rapprochement.rules.model import RuleSet

__all__ = ["STARTER_RULES", "starter_rules"]

#: The starter rules as data (see :func:`starter_rules`).
STARTER_RULES: tuple[dict[str, Any], ...] = (
    {
        "id": "own-account-transfer",
        "category": "internal_transfer",
        "account_code": "580",
        "priority": 300,
        "iban": ["own"],
        "description": "counterparty is another account of the ledger",
    },
    {
        "id": "fr-virement-interne",
        "category": "internal_transfer",
        "account_code": "580",
        "priority": 120,
        "text": r"\bVIR(EMENT)? (INTERNE|DE COMPTE A COMPTE|ENTRE COMPTES)\b",
    },
    {
        "id": "fr-urssaf",
        "category": "social_charges",
        "account_code": "431",
        "priority": 120,
        "direction": "out",
        "name": r"\b(URSSAF|MSA|RETRAITE|PREVOYANCE|AGIRC|ARRCO)\b",
    },
    {
        "id": "fr-urssaf-text",
        "category": "social_charges",
        "account_code": "431",
        "priority": 110,
        "direction": "out",
        "text": r"\bURSSAF\b",
    },
    {
        "id": "fr-dgfip",
        "category": "tax",
        "account_code": "445",
        "priority": 120,
        "name": r"\b(DGFIP|DIRECTION GENERALE DES FINANCES|TRESOR PUBLIC|SIE |IMPOTS)\b",
    },
    {
        "id": "fr-tax-text",
        "category": "tax",
        "account_code": "445",
        "priority": 110,
        "text": r"\b(DGFIP|REMBOURSEMENT (DE )?CREDIT (DE )?TVA|CREDIT DE TVA|IMPOTS?\.GOUV|"
        r"TVA [0-9]{2}/?[0-9]{2,4}|CFE|IMPOT SUR LES SOCIETES)\b",
    },
    {
        "id": "fr-loan",
        "category": "loan",
        "account_code": "164",
        "priority": 120,
        "text": r"\b(VERSEMENT|DEBLOCAGE|ECHEANCE|REMBOURSEMENT) (DE |DU )?PRET\b",
    },
    {
        "id": "fr-loan-lender",
        "category": "loan",
        "account_code": "164",
        "priority": 110,
        "name": r"\bBPI ?FRANCE\b",
        "text": r"\bPRET\b",
    },
    {
        "id": "fr-bank-fees",
        "category": "fees",
        "account_code": "627",
        "priority": 100,
        "direction": "out",
        "text": r"\b(FRAIS|COMMISSIONS?|COTISATION|AGIOS|INTERETS DEBITEURS|"
        r"ABONNEMENT (BANQUE|BANCAIRE|OFFRE))\b",
    },
    {
        "id": "fr-card-settlement",
        "category": "card_settlement",
        "account_code": "511",
        "priority": 110,
        "direction": "in",
        "text": r"\b(REMISE (CARTE|CB|TPE)|ENCAISSEMENT CB|TELECOLLECTE)\b",
    },
    {
        "id": "fr-card-debit",
        "category": "card_settlement",
        "account_code": "401",
        "priority": 110,
        "direction": "out",
        "text": r"\b(PRLV CARTE|PRELEVEMENT CARTE|FACTURETTE CB|PAIEMENT CB|CARTE X?[0-9]{4})\b",
    },
    {
        "id": "fr-payroll",
        "category": "payroll",
        "account_code": "421",
        "priority": 110,
        "direction": "out",
        "text": r"\b(SALAIRE|PAIE|ACOMPTE SUR SALAIRE)\b",
    },
    {
        "id": "code-fees",
        "category": "fees",
        "account_code": "627",
        "priority": 150,
        "direction": "out",
        "bank_codes": [
            "camt:*/*/CHRG",
            "camt:*/*/FEES",
            "camt:*/*/COMM",
            "camt:ACMT/MDOP/*",
            "mt940:NCHG",
            "mt940:NCOM",
            "gvc:805",
            "gvc:808",
            "ofx:FEE",
            "ofx:SRVCHG",
        ],
    },
    {
        "id": "code-payroll",
        "category": "payroll",
        "account_code": "421",
        "priority": 150,
        "direction": "out",
        "bank_codes": ["camt:PMNT/ICDT/SALA", "camt:PMNT/RCDT/SALA"],
    },
    {
        "id": "code-card",
        "category": "card_settlement",
        "account_code": "511",
        "priority": 150,
        "bank_codes": [
            "camt:PMNT/CCRD/*",
            "camt:PMNT/MCRD/*",
            "ofx:POS",
            "mt940:NPOS",
        ],
    },
    {
        "id": "code-loan",
        "category": "loan",
        "account_code": "164",
        "priority": 150,
        "bank_codes": ["camt:LDAS/*/*", "mt940:NLDP"],
    },
)


def starter_rules() -> RuleSet:
    """The starter rule set (French banks, common bank transaction codes)."""
    return load_rules(list(STARTER_RULES), name="starter rules")
