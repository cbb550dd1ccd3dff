"""``rapprochement learn``: what the ledger learned from its decisions, refit it, or reset it
to the shipped scores (docs/ledger.md, ADR 0018)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from rapprochement.cli import app
from rapprochement.cli.ledger import (
    DEFAULT_DB,
    DbOption,
    JsonOption,
    kv_table,
    open_ledger,
    print_json,
)
from rapprochement.cli.output import console, literal

__all__ = ["learn_command"]


@app.command("learn")
def learn_command(
    db: DbOption = DEFAULT_DB,
    reset: Annotated[
        bool,
        typer.Option("--reset", help="Go back to the shipped scores; later decisions still teach."),
    ] = False,
    refit: Annotated[
        bool, typer.Option("--refit", help="Refit now (reconcile does it by itself).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Show what the scores learned from accepted, rejected and undone allocations.

    Each reconcile refits when decisions changed: a Bayesian update of the shipped scores, per
    feature level, that a handful of decisions moves little. The thresholds stay the shipped
    ones; only what the shipped scores leave for review is re-scored.
    """
    with open_ledger(db) as ledger:
        forgotten = ledger.reset_learning() if reset else None
        if refit and not reset:
            ledger.learn()
        shown: dict[str, Any] = ledger.learning()
    if forgotten is not None:
        shown["forgotten_decisions"] = forgotten
    if as_json:
        print_json(shown)
        return
    rows: list[tuple[str, Any]] = [("state", shown["state"])]
    if shown["state"] == "learned":
        rows += [
            ("decisions learned from", shown["decisions"]),
            ("accepted / rejected / undone",
             f"{shown['accepted']} / {shown['rejected']} / {shown['undone']}"),
            ("fitted at", shown["fitted_at"]),
            ("prior sd per level", shown["prior_sd"]),
        ]  # fmt: skip
    if forgotten is not None:
        rows.append(("decisions forgotten", forgotten))
    rows.append(("decisions since", shown["new_decisions"]))
    console().print(kv_table("What the scores learned from this ledger's decisions", rows))
    for text in shown.get("largest", []):
        console().print(literal(f"  {text}"))
    if shown.get("largest_auto"):  # learned from undone automatic allocations: only ever down
        console().print(literal("  automatic allocations undone (lowers automatic scores only):"))
        for text in shown["largest_auto"]:
            console().print(literal(f"  {text}"))
