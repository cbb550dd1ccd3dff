"""Company names for the synthetic receivables book: French and European legal forms, accents,
and the ways a bank mangles a payer name (case, accents stripped, legal form dropped or moved,
abbreviations, truncation at 35 / 70 characters).

Everything takes a :class:`random.Random` so that a seed fully determines the output.
"""

from __future__ import annotations

import random
import unicodedata
from functools import lru_cache

__all__ = [
    "ACCOUNTANTS",
    "COUNTRY_WEIGHTS",
    "FACTORS",
    "LEGAL_FORMS",
    "bank_variant",
    "company_name",
    "strip_accents",
]

#: Country of a customer, weighted like a French SME's export mix.
COUNTRY_WEIGHTS: dict[str, float] = {
    "FR": 0.58, "BE": 0.09, "DE": 0.08, "ES": 0.05, "IT": 0.05, "NL": 0.04,
    "CH": 0.04, "LU": 0.03, "PT": 0.02, "AT": 0.01, "GB": 0.01,
}  # fmt: skip

#: Legal forms by country (as written in the customer master).
LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "FR": ("SARL", "SAS", "SA", "EURL", "SASU", "SNC", "SCI"),
    "BE": ("SRL", "SA", "BV", "NV", "SPRL"),
    "DE": ("GmbH", "GmbH & Co. KG", "AG", "KG", "e.K."),
    "ES": ("S.L.", "S.A.", "S.L.U."),
    "IT": ("S.r.l.", "S.p.A.", "S.n.c."),
    "NL": ("B.V.", "N.V."),
    "CH": ("AG", "SA", "Sàrl", "GmbH"),
    "LU": ("S.à r.l.", "S.A."),
    "PT": ("Lda", "S.A."),
    "AT": ("GmbH", "AG"),
    "GB": ("Ltd", "PLC", "LLP"),
}

_SURNAMES: dict[str, tuple[str, ...]] = {
    "FR": (
        "Dupont", "Lefèvre", "Martin", "Bernard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
        "Laurent", "Lefebvre", "Michel", "Garçon", "Fournier", "Girard", "Bonnet", "Mercier",
        "Rousseau", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand",
        "Gauthier", "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Hénin", "Mathieu",
        "Gaillard", "Lemaître", "Brun", "Roussel", "Faure", "André", "Mérieux", "Bérard",
        "Châtelain", "Noël", "Thibault", "Delaunay", "Aubry", "Benoît", "Côté", "Pâris",
        "Leclère", "Béranger",
    ),
    "BE": ("Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Dubois",
           "Lambert", "Dupuis", "Wouters", "De Smet", "Van Damme", "Goossens", "Lemaire"),
    "DE": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
           "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann"),
    "ES": ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez",
           "Pérez", "Gómez", "Núñez", "Peña", "Ibáñez"),
    "IT": ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
           "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca"),
    "NL": ("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser",
           "Smit", "Meijer", "de Boer"),
    "CH": ("Müller", "Meier", "Schmid", "Keller", "Weber", "Huber", "Favre", "Rochat",
           "Gerber", "Brunner"),
    "LU": ("Schmit", "Muller", "Weber", "Hoffmann", "Wagner", "Thill", "Kremer", "Reuter"),
    "PT": ("Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Conceição", "Gonçalves"),
    "AT": ("Gruber", "Huber", "Bauer", "Wagner", "Pichler", "Steiner", "Moser", "Mayer"),
    "GB": ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies"),
}  # fmt: skip

_ACTIVITIES: dict[str, tuple[str, ...]] = {
    "FR": ("Transports", "Boulangerie", "Menuiserie", "Électricité", "Plomberie", "Imprimerie",
           "Bâtiment", "Distribution", "Conseil", "Informatique", "Matériaux", "Logistique",
           "Pharmacie", "Garage", "Restauration", "Emballages", "Négoce", "Chaudronnerie"),
    "BE": ("Transport", "Bouwbedrijf", "Constructions", "Brasserie", "Logistics"),
    "DE": ("Maschinenbau", "Logistik", "Elektrotechnik", "Handel", "Bau", "Metallbau"),
    "ES": ("Transportes", "Construcciones", "Distribuciones", "Suministros"),
    "IT": ("Trasporti", "Costruzioni", "Meccanica", "Forniture", "Impianti"),
    "NL": ("Techniek", "Logistiek", "Bouw", "Handel"),
    "CH": ("Technik", "Horlogerie", "Transports", "Bau"),
    "LU": ("Constructions", "Services", "Logistique"),
    "PT": ("Transportes", "Construções", "Comércio"),
    "AT": ("Bau", "Handel", "Technik"),
    "GB": ("Logistics", "Engineering", "Supplies", "Consulting"),
}  # fmt: skip

_FR_PATTERNS = (
    "{act} {sur}",
    "{sur} & Fils",
    "{sur} et Associés",
    "Établissements {sur}",
    "{sur} {act}",
    "Société Nouvelle {sur}",
    "{sur}-{sur2}",
    "{ini} {act}",
    "{act} du {place}",
)
_PLACES = ("Rhône", "Littoral", "Périgord", "Val de Loire", "Léman", "Sud-Ouest", "Grand Est",
           "Morbihan", "Forez", "Béarn", "Vercors", "Midi")  # fmt: skip

#: Reverse-factoring banks and factors that pay suppliers on behalf of their clients.
FACTORS: tuple[str, ...] = (
    "BNP PARIBAS FACTOR", "EUROFACTOR", "CA LEASING & FACTORING", "NATIXIS FACTOR",
    "BPCE FACTOR", "SOCIETE GENERALE FACTORING", "CGA FACTORING", "LIBEO PAIEMENTS",
)  # fmt: skip
#: Accountancy firms paying invoices for small clients.
ACCOUNTANTS: tuple[str, ...] = (
    "Cabinet Fiducial Expertise", "In Extenso Conseil", "KPMG Entreprises Paiements",
    "Cabinet Lefèvre Expertise Comptable", "Cogep Audit & Conseil", "Exco Sud-Ouest",
)  # fmt: skip

_LEGAL_WORDS = frozenset(
    w.upper().replace(".", "") for forms in LEGAL_FORMS.values() for f in forms for w in f.split()
)


@lru_cache(maxsize=65536)
def strip_accents(text: str) -> str:
    """``text`` with diacritics removed (``"Lefèvre Sàrl"`` → ``"Lefevre Sarl"``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ß", "ss")


def company_name(rng: random.Random, country: str) -> str:
    """A plausible company name with its legal form for ``country`` (as in the customer master)."""
    surnames = _SURNAMES.get(country, _SURNAMES["FR"])
    acts = _ACTIVITIES.get(country, _ACTIVITIES["FR"])
    sur = rng.choice(surnames)
    if country == "FR":
        base = rng.choice(_FR_PATTERNS).format(
            act=rng.choice(acts),
            sur=sur,
            sur2=rng.choice(surnames),
            ini="".join(rng.choice("ABCDEGLMPRST") for _ in range(rng.randint(2, 4))),
            place=rng.choice(_PLACES),
        )
    elif rng.random() < 0.5:
        base = f"{sur} {rng.choice(acts)}"
    else:
        base = sur if rng.random() < 0.5 else f"{sur} & {rng.choice(surnames)}"
    form = rng.choice(LEGAL_FORMS.get(country, LEGAL_FORMS["FR"]))
    return f"{form} {base}" if country == "FR" and rng.random() < 0.3 else f"{base} {form}"


@lru_cache(maxsize=65536)
def _drop_legal_form(name: str) -> str:
    words = [w for w in name.split() if w.upper().replace(".", "") not in _LEGAL_WORDS]
    return " ".join(words) or name


@lru_cache(maxsize=65536)
def _abbreviate(name: str) -> str:
    words = _drop_legal_form(name).split()
    if len(words) < 2:
        return name
    return " ".join([words[0], *(w[0] + "." for w in words[1:] if w[0].isalpha())])


def bank_variant(rng: random.Random, name: str, *, truncate_p: float = 0.0) -> tuple[str, bool]:
    """How a bank may show ``name`` as the payer: case, accents, legal form, abbreviation, cut.

    Returns the shown name and whether it was truncated.

    ``truncate_p`` is the probability of a truncation at 35 or 70 characters (applied after
    padding the name with the address the way some banks glue it to the name field).
    """
    r = rng.random()
    if r < 0.35:
        out = strip_accents(name).upper()
    elif r < 0.55:
        out = strip_accents(_drop_legal_form(name)).upper()
    elif r < 0.65:
        out = _drop_legal_form(name)
    elif r < 0.75:
        out = strip_accents(_abbreviate(name)).upper()
    elif r < 0.85:
        out = strip_accents(name.replace("&", "ET").replace("Établissements", "ETS")).upper()
    else:
        out = name
    if truncate_p and rng.random() < truncate_p:
        limit = 35 if rng.random() < 0.7 else 70
        if len(out) <= limit:  # banks glue the address to the name, then cut
            street = f"{rng.randint(1, 180)} RUE {strip_accents(rng.choice(_PLACES)).upper()}"
            out = f"{out} {street} ZI NORD 69000 LYON CEDEX 03 FRANCE BP 1234"
        return out[:limit].rstrip(), True
    return out, False
