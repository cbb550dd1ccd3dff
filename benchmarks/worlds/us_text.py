"""Names and bank text of the US/UK accounts-receivable world (:mod:`benchmarks.worlds.us_ar`).

Company names with American and British legal forms; the way payers and banks shorten them
(acronyms such as ``IBM CORP``, ``INTL`` / ``CORP`` / ``MFG`` abbreviations, ``&`` / ``AND``,
the 16-character ACH company name, the 18-character UK Faster Payments / Bacs fields);
the statement text of ACH (CCD / CTX with EDI 820 ``RMR`` addenda), Fedwire (``B/O``, ``OBI``),
lockbox and remote-deposit checks, Faster Payments, Bacs and CHAPS; unrelated lines.
"""

from __future__ import annotations

import random
import re

__all__ = [
    "FIRM_GROUPS",
    "abbreviate",
    "acronym",
    "bank_text",
    "company_name",
    "payer_name",
    "unrelated_line",
]

_SURNAMES = {
    "US": ("Whitfield", "Harrington", "Caldwell", "Donovan", "Prescott", "Garcia", "Nguyen",
           "Kowalski", "Patel", "O'Brien", "McAllister", "Fitzgerald", "Reyes", "Okafor",
           "Lindqvist", "Brennan", "Sullivan", "Hughes", "Baker", "Carter", "Murphy", "Schultz",
           "Delgado", "Kim", "Thompson", "Walsh", "Goldberg", "Rossi", "Jackson", "Hale"),
    "GB": ("Hargreaves", "Pemberton", "Ashworth", "Whitaker", "Thornton", "Blackwood",
           "Fairbairn", "Cartwright", "Holloway", "Ainsworth", "Singh", "Evans", "Morgan",
           "Crawford", "Hughes", "Baxter", "Walker", "Lloyd"),
}  # fmt: skip
_PLACES = {
    "US": ("Blue Ridge", "Great Lakes", "Pacific Coast", "Lone Star", "Tri-State", "Gulf Coast",
           "Mid-Atlantic", "Rocky Mountain", "Hudson Valley", "Bay Area", "Northwest",
           "Chesapeake", "Keystone", "Summit", "Pioneer", "Liberty", "Heritage", "Evergreen",
           "Cornerstone", "Golden State"),
    "GB": ("Thames Valley", "Pennine", "Cotswold", "Midlands", "Northumbria", "Severn",
           "Mersey", "Clyde", "Solent", "Chiltern", "Wessex", "Humber"),
}  # fmt: skip
_TRADES = ("Industrial Supply", "Logistics", "Manufacturing", "Medical Group", "Foods",
           "Distribution", "Construction", "Technologies", "Systems", "Services", "Electric",
           "Plumbing & Heating", "Packaging", "Tool & Die", "Auto Parts", "Building Materials",
           "Pharmaceuticals", "Office Products", "Freight Lines", "Engineering", "Associates",
           "Industries", "Products", "Laboratories")  # fmt: skip
_FORMS = {
    "US": ("Inc.", "Inc", "Corp.", "Corporation", "LLC", "L.L.C.", "Co.", "Company", "LP",
           "Incorporated", "PLLC"),
    "GB": ("Ltd", "Limited", "PLC", "LLP", "& Co Ltd"),
}  # fmt: skip
_PATTERNS = ("{s} {t} {f}", "{p} {t} {f}", "{s} & {s2} {f}", "{s} Brothers {t} {f}",
             "International {t} {f}", "American {t} {f}", "National {t} {f}",
             "The {s} Group {f}", "{s} & Sons {t} {f}", "{p} {s} {t} {f}")  # fmt: skip

#: Who pays for others: (kind_country, names as the bank shows them, country). AP platforms
#: pay vendors for many buyers; supply-chain-finance banks pay early for big buyers.
FIRM_GROUPS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("platform_US", ("AVIDXCHANGE INC", "BILL.COM LLC", "PAYMODE-X", "CORPAY SOLUTIONS",
                     "NVOICEPAY INC", "VPAY INC"), "US"),
    ("scf_US", ("CITIBANK NA SCF", "JPMORGAN CHASE BANK SCF", "TAULIA INC", "C2FO SETTLEMENT"),
     "US"),
    ("platform_GB", ("TUNGSTEN NETWORK", "BOTTOMLINE PTX", "PAYMODE-X UK"), "GB"),
    ("scf_GB", ("HSBC UK SCF", "BARCLAYS SCF", "LLOYDS BANK SCF"), "GB"),
)  # fmt: skip

_ABBR = {"INTERNATIONAL": "INTL", "CORPORATION": "CORP", "COMPANY": "CO", "INCORPORATED": "INC",
         "MANUFACTURING": "MFG", "INDUSTRIES": "INDS", "INDUSTRIAL": "INDL", "SERVICES": "SVCS",
         "SYSTEMS": "SYS", "ASSOCIATES": "ASSOC", "BROTHERS": "BROS", "DISTRIBUTION": "DIST",
         "TECHNOLOGIES": "TECH", "NATIONAL": "NATL", "AMERICAN": "AMER", "MEDICAL": "MED",
         "CONSTRUCTION": "CONSTR", "ENGINEERING": "ENGG", "BUILDING": "BLDG",
         "MATERIALS": "MATLS", "PRODUCTS": "PRODS", "PHARMACEUTICALS": "PHARMA",
         "LIMITED": "LTD", "SUPPLY": "SUP", "FREIGHT": "FRT", "LABORATORIES": "LABS",
         "MOUNTAIN": "MTN", "PACKAGING": "PKG", "LOGISTICS": "LOGIST"}  # fmt: skip
_FORM_WORDS = {"INC", "CORP", "CORPORATION", "LLC", "CO", "COMPANY", "LP", "INCORPORATED",
               "PLLC", "LTD", "LIMITED", "PLC", "LLP"}  # fmt: skip
_SMALL = {"THE", "AND", "&", "OF"}


def company_name(rng: random.Random, country: str) -> str:
    """A US or British (``GB``) company name with its legal form."""
    s, s2 = rng.sample(_SURNAMES[country], 2)
    return rng.choice(_PATTERNS).format(
        s=s, s2=s2, p=rng.choice(_PLACES[country]), t=rng.choice(_TRADES),
        f=rng.choice(_FORMS[country]),
    ).replace("& Co Ltd", "& Co. Ltd")  # fmt: skip


def _words(name: str) -> list[str]:
    return re.sub(r"[^A-Z0-9&' ]", " ", name.upper().replace("L.L.C.", "LLC")).split()


def acronym(name: str) -> str:
    """Initials of the significant words plus the abbreviated legal form: ``International
    Business Machines Corporation`` → ``IBM CORP``; ``Blue Ridge Logistics LLC`` → ``BRL LLC``."""
    words = _words(name)
    form = [w for w in words if w in _FORM_WORDS][-1:]
    core = [w for w in words if w not in _FORM_WORDS and w not in _SMALL]
    return " ".join(["".join(w[0] for w in core), *[_ABBR.get(f, f) for f in form]])


def abbreviate(rng: random.Random, name: str) -> str:
    """Upper case with the usual abbreviations (``INTL``, ``MFG``...), ``&`` kept, written
    ``AND`` or dropped, punctuation gone."""
    amp = rng.choice(("&", "AND", ""))
    out = [_ABBR.get(w, w) if rng.random() < 0.8 else w for w in _words(name)]
    return " ".join(amp if w == "&" else w for w in out if (w != "&" or amp)).replace("'", "")


def payer_name(rng: random.Random, name: str, channel: str, short: bool) -> str:
    """How the bank shows payer ``name`` on ``channel``; ``short``: the payer goes by its
    acronym. ACH company names are cut at 16 characters, UK Faster Payments / Bacs at 18,
    Fedwire / CHAPS at 35; lockbox checks often carry no name at all."""
    if channel == "check" and rng.random() < 0.45:
        return ""
    base = acronym(name) if short else abbreviate(rng, name) if rng.random() < 0.6 else name
    if channel == "check":
        return base.title() if rng.random() < 0.5 else base.upper()
    limit = {"ach": 16, "fps": 18, "bacs": 18}.get(channel, 35)
    return base.upper()[:limit].strip()


def _yymmdd(rng: random.Random) -> str:
    return f"26{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"


def bank_text(
    rng: random.Random,
    channel: str,
    name: str,
    refs: list[str],
    amounts: list[int],
    memo: str = "",
) -> str:
    """Statement text of a receipt on ``channel`` (``ach``, ``ctx``, ``wire``, ``check``,
    ``fps``, ``bacs``, ``chaps``) quoting ``refs`` (may be empty) with the ``amounts`` paid on
    each (cents; the CTX addenda carry them)."""
    joined = " ".join(refs)
    if channel in ("ach", "ctx"):
        descr = rng.choice(("PAYMENTS", "VENDOR PMT", "AP PMT", "EDI PYMNTS"))
        head = (f"ORIG CO NAME:{name} ORIG ID:{rng.randrange(10**9, 10**10)} "
                f"DESC DATE:{_yymmdd(rng)} CO ENTRY DESCR:{descr} ")  # fmt: skip
        if channel == "ctx" and refs:
            rmr = "\\".join(
                f"RMR*IV*{r}**{a / 100:.2f}" for r, a in zip(refs, amounts, strict=True)
            )
            return (head + f"SEC:CTX TRACE#:{rng.randrange(10**14, 10**15)} {rmr}\\")[:400]
        ind = refs[0][:15] if refs and rng.random() < 0.6 else str(rng.randrange(10**5, 10**6))
        info = f" PMT INFO:{joined} {memo}"[:90].rstrip() if refs or memo else ""
        return (head + f"SEC:CCD TRACE#:{rng.randrange(10**14, 10**15)} IND ID:{ind}"
                f"{info}").strip()  # fmt: skip
    if channel == "wire":
        obi = f"/OBI={joined} {memo}"[:145].rstrip() if refs or memo else ""
        bank = rng.choice(("BANK OF AMERICA NA", "WELLS FARGO NA", "PNC BANK", "US BANK NA"))
        return (f"FEDWIRE CREDIT VIA: {bank}"
                f"/{rng.randrange(10**8, 10**9)} B/O: {name} REF: CHASE NYC/CTR/BNF=HARBOR "
                f"SUPPLY{obi} IMAD: 0{rng.randint(1, 9)}{rng.randint(10, 28)}B1QGC0"
                f"{rng.randint(1, 8)}C00{rng.randint(1000, 9999)}")  # fmt: skip
    if channel == "check":
        if rng.random() < 0.5:
            return f"LOCKBOX DEPOSIT 7731 CHECK {rng.randrange(1000, 99999)}"
        return f"REMOTE DEPOSIT CHECK #{rng.randrange(1000, 99999)} {joined[:30]}".strip()
    ref18 = (joined or memo)[:18]
    if channel == "fps":
        return f"FASTER PAYMENTS RECEIPT REF {ref18} FROM {name}".replace("REF  ", "")
    if channel == "bacs":
        return f"BACS CREDIT {name} {ref18}".strip()
    return f"CHAPS TRANSFER IN {name} REF {joined} {memo}".strip()


_UNRELATED = {
    "USD": (("ADP PAYROLL", "ADP PAYROLL FEES ADP - FEES {n}", 20000, 90000, False),
            ("ADP WAGE PAY", "ADP WAGE PAY WAGE PAY {n}", 1500000, 9000000, False),
            ("IRS", "IRS USATAXPYMT {n}", 100000, 4000000, False),
            ("", "MERCHANT BANKCARD DEPOSIT {n}", 5000, 900000, True),
            ("AMERICAN EXPRESS", "AMEX EPAYMENT ACH PMT {n}", 20000, 500000, True),
            ("", "ONLINE TRANSFER FROM CHK ...{n}", 500000, 5000000, True),
            ("", "SERVICE CHARGES FOR ACCOUNT {n}", 1500, 40000, False),
            ("", "INTEREST PAYMENT", 100, 90000, True),
            ("BLUE CROSS", "BCBS PREMIUM {n}", 200000, 1500000, False)),
    "GBP": (("HMRC", "HMRC PAYE {n}", 200000, 3000000, False),
            ("HMRC", "HMRC VAT {n}", 100000, 4000000, False),
            ("WORLDPAY", "WORLDPAY SETTLEMENT {n}", 5000, 600000, True),
            ("", "BANK CHARGES {n}", 500, 20000, False),
            ("", "TRANSFER FROM 40-11-62 {n}", 100000, 3000000, True)),
}  # fmt: skip


def unrelated_line(rng: random.Random, currency: str) -> tuple[str, str, int]:
    """(counterparty name, text, signed cents) of a bank line that is no customer payment."""
    who, text, lo, hi, credit = rng.choice(_UNRELATED[currency])
    cents = rng.randint(lo, hi)
    return who, text.format(n=rng.randrange(10**6, 10**7)), cents if credit else -cents
