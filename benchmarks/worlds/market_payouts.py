"""Provider payouts of the marketplace world (:mod:`benchmarks.worlds.marketplace`).

Two ways of drawing which orders a payout settles (``payout_draw``):

* ``"period"`` (the default): what real collectors do. A provider's payouts **partition** its
  charges and refunds by settlement period: a charge becomes available ``lag`` days after it
  is made, and each payout settles every charge and refund that became available since the
  provider's previous payout (Stripe's automatic payouts: the balance that became available;
  Amazon: every order of its settlement period; Adyen: its settlement cycle; PayPal: the
  balance, withdrawn on demand). Payouts follow the provider's schedule: one every
  ``window`` days (daily, weekly, every 14 days) on business days, or at irregular intervals
  for an on-demand provider. A book asks for a share of payouts among its payments; when a
  provider's schedule cannot hold that many in the statement year, its period is shortened
  (never below a day), and a daily provider's payouts start before the year;
* ``"overlapping"`` (a stress option): each payout draws its orders at random among the
  provider's recent days, several payouts of one provider sharing the same days. Which open
  orders a payout without its report settles is then not in the data (ADR 0015, 0021).

Either way a payout's orders may lack the provider's payment id, refunds of earlier orders
are netted, each charge pays the provider's fee, and the itemized report is loaded for a
share of the payouts only.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import TYPE_CHECKING

from benchmarks.worlds import market_text as txt
from benchmarks.worlds.book import PERIOD_DAYS, PERIOD_START, business_day

if TYPE_CHECKING:
    from benchmarks.worlds.marketplace import ShopBook

__all__ = ["DRAWS", "overlapping_payout", "period_payouts", "pick_provider"]

#: the ways of drawing a payout's orders (module doc); the first is the default
DRAWS = ("period", "overlapping")


def pick_provider(book: ShopBook) -> txt.Provider:
    """A provider drawn by its share of the payouts."""
    provs, weights = zip(*txt.PROVIDERS, strict=True)
    prov: txt.Provider = book.rng.choices(provs, weights=weights)[0]
    return prov


def overlapping_payout(book: ShopBook, pick: list[float]) -> int:
    """One payout whose orders are drawn among the provider's recent days (stress option)."""
    rng = book.rng
    prov = pick_provider(book)
    k = max(1, min(60, round(rng.gauss(prov.mean_orders, prov.mean_orders / 2))))
    day = business_day(book.period_day())
    last = day - prov.lag
    _settle(book, pick, prov, day, k, lambda: last - rng.randrange(prov.window), last, lambda: last)
    return 1


def period_payouts(book: ShopBook, pick: list[float], counts: dict[str, int]) -> None:
    """``counts[provider key]`` payouts of each provider, partitioning its charges by
    settlement period (module doc); records each provider's last cut-off in
    ``book.cutoff`` (charges after it are not paid out yet)."""
    rng = book.rng
    for prov, _ in txt.PROVIDERS:
        count = counts.get(prov.key, 0)
        if not count:
            continue
        cycle = max(1, min(prov.window, PERIOD_DAYS // count))
        days = _payout_days(book, prov, count, cycle)
        starts = [days[0] - cycle, *days[:-1]]  # each payout settles what its predecessor left
        per_day = prov.mean_orders * len(days) / (days[-1] - starts[0])  # orders per day
        for day, prev in zip(days, starts, strict=True):
            first, last = prev - prov.lag + 1, day - prov.lag  # charge days it settles
            span = last - first + 1
            k = max(1, min(60, round(rng.gauss(per_day * span, per_day * span / 2))))

            def when(first: int = first, span: int = span) -> int:
                return first + rng.randrange(span)

            _settle(book, pick, prov, day, k, when, first, when)
        book.cutoff[prov.key] = days[-1] - prov.lag


def _payout_days(book: ShopBook, prov: txt.Provider, count: int, cycle: int) -> list[int]:
    """The business days of a provider's ``count`` payouts, ending with the statement year:
    every ``cycle`` days, or at irregular intervals averaging ``cycle`` (on demand)."""
    rng = book.rng
    steps = [rng.randint(1, 2 * cycle - 1) if prov.on_demand else cycle for _ in range(count)]
    day, out = PERIOD_START, []
    for step in steps:
        day = business_day(day + step)
        out.append(day)
    # whole weeks keep the weekdays: the last payout in the statement year's last week
    shift = (PERIOD_START + PERIOD_DAYS - 1 - out[-1]) // 7 * 7
    return [d + shift for d in out]


def _settle(
    book: ShopBook,
    pick: list[float],
    prov: txt.Provider,
    day: int,
    k: int,
    charge_day: Callable[[], int],
    earliest: int,
    refund_day: Callable[[], int],
) -> None:
    """The payout on ``day`` of ``k`` orders charged on ``charge_day()``, refunds of orders
    charged before ``earliest`` netted on ``refund_day()``; its bank line, report and truth."""
    rng, rates = book.rng, book.rates
    lines: list[tuple[str, int, str]] = []
    rows: list[tuple[int, int]] = []
    fees = 0
    for _ in range(k):
        s = book.consumers[bisect.bisect_right(pick, rng.random() * pick[-1])]
        if rng.random() < 0.05 and book.b2b:
            s = rng.choice(book.b2b)
        cents = book.b2b_amount() if s.b2b else book.consumer_amount(s)
        charge = prov.charge_id(rng)
        ref = None if rng.random() < rates["missing_reference"] else charge
        inv = book.order(s, cents, charge_day(), ref)
        fee = min(cents - 1, (cents * prov.pct_bp + 5000) // 10000 + prov.fixed)
        fees += fee
        rows.append((inv, cents - fee))
        memo = f"charge order {book.inv_id[inv]}" if rng.random() < 0.6 else "charge"
        lines.append((charge, cents, memo))
        book.paid[prov.key].append(inv)
    total = sum(p for _, p in rows)
    tags = {"payout", f"via_{prov.key}"}
    for _ in range(sum(rng.random() < rates["refund"] for _ in range(k))):
        orig = _refundable(book, prov.key, k, earliest)
        if orig < 0:
            break
        gross = book.inv_amount[orig]
        back = gross if rng.random() < 0.7 else max(100, gross * rng.randint(20, 80) // 100)
        if total - back <= 0:
            break
        refund_id = (
            "re_3" + prov.charge_id(rng)[4:] if prov.key == "stripe" else prov.charge_id(rng)
        )
        when = refund_day()
        cn = book.invoice(
            book.inv_rec[orig], f"{book.inv_id[orig]}-R1", -back, when, when, "EUR", refund_id
        )
        rows.append((cn, -back))
        lines.append((refund_id, -back, f"refund order {book.inv_id[orig]}"))
        total -= back
        tags.add("refund_netted")
    tx = book.add_tx(
        day, total, "EUR", rng.choice(prov.names), book.provider_iban[prov.key],
        prov.payout_text(rng),
    )  # fmt: skip
    if rng.random() < prov.report:
        for ref, cents, memo in lines:
            book.remit(tx, ref, cents, memo)
        book.remit(tx, "FEES", -fees, f"{prov.key} fees")
        tags.add("provider_report")
    else:
        tags.add("no_report")
    kind = "grouped" if len(rows) > 1 else "fee"
    for inv, cents in rows:
        book.pay(tx, inv, cents, kind, tags)


def _refundable(book: ShopBook, key: str, k: int, before: int) -> int:
    """An order paid out earlier by provider ``key``, issued before ``before`` and not yet
    refunded (-1 when a few tries find none)."""
    pool = book.paid[key]
    for _ in range(5):
        if len(pool) <= k:
            return -1
        inv = pool[book.rng.randrange(len(pool) - k)]
        if inv not in book.refunded and book.inv_issue[inv] < before:
            book.refunded.add(inv)
            return inv
    return -1
