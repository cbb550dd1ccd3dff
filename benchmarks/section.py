"""The command line every benchmark section shares: ``python -m benchmarks.NAME --tier T``."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable

__all__ = ["section_main"]


def section_main(prog: str, tiers: Iterable[str], run: Callable[[str, int], str]) -> None:
    """Parse ``--tier`` and ``--seed`` and print the section ``run(tier, seed)`` returns."""
    ap = argparse.ArgumentParser(prog=prog)
    ap.add_argument("--tier", choices=sorted(tiers), default="quick")
    ap.add_argument("--seed", type=int, default=1000)
    args = ap.parse_args()
    print(run(args.tier, args.seed))
