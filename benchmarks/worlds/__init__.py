"""Worlds: independently designed labeled books, each with its own customers, naming habits,
reference styles, payment methods and noise rates, all producing the same
:class:`~benchmarks.generator.Dataset` (the column contract of :mod:`benchmarks.generator`).

>>> from benchmarks.worlds import WORLDS, generate_world
>>> sorted(WORLDS)
['eu_sme', 'marketplace', 'us_ar']
>>> ds = generate_world("us_ar", seed=1000, n=2000)   # doctest: +SKIP

* ``eu_sme``: the French/EU SME book of :mod:`benchmarks.generator`, hard difficulty;
* ``us_ar``: US/UK accounts receivable (:mod:`benchmarks.worlds.us_ar`);
* ``marketplace``: an online seller paid through payment providers and a marketplace
  (:mod:`benchmarks.worlds.marketplace`).

``n`` is the number of customer-payment bank lines (a provider's payout is one, however many
orders it settles); unrelated bank lines come on top. A seed fully determines a world's frames.
"""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.generator import Dataset, generate
from benchmarks.worlds import marketplace, us_ar

__all__ = ["WORLDS", "generate_world"]


def _eu_sme(seed: int, n: int) -> Dataset:
    return generate(seed, n, "hard")


#: world name → generator(seed, n_payments) → Dataset.
WORLDS: dict[str, Callable[[int, int], Dataset]] = {
    "eu_sme": _eu_sme,
    "us_ar": us_ar.generate,
    "marketplace": marketplace.generate,
}


def generate_world(name: str, seed: int, n: int) -> Dataset:
    """The labeled book of world ``name`` with ``n`` customer payments, from ``seed``.

    Raises:
        ValueError: unknown world or ``n < 1``.
    """
    if name not in WORLDS:
        raise ValueError(f"unknown world {name!r}; known: {', '.join(sorted(WORLDS))}")
    return WORLDS[name](seed, n)
