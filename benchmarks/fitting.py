"""The statistics of :mod:`benchmarks.train`: the regression, the calibration map and the
thresholds, on arrays (numpy / scipy only; no engine here).

* :func:`fit_logistic`: an L2-regularized logistic regression over one-hot feature levels,
  shrunk toward a centre (zero, or prior weights such as the shipped ones) and, optionally,
  under order constraints between levels (:func:`order_pairs`: a stronger piece of evidence
  never weighs less than a weaker one of the same feature, so that a world where a level is
  rare or confounded cannot flip it; ADR 0027).
* :func:`isotonic`: the calibration map (pool adjacent violators).
* :func:`precision_threshold`, :func:`auto_threshold`: the lowest cutoff whose allocations are
  right often enough, by a point estimate or by a lower confidence bound (Wilson) that grows
  with the number of allocations it rests on.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from scipy.optimize import minimize

__all__ = [
    "ORDERS",
    "auto_threshold",
    "fit_logistic",
    "isotonic",
    "order_pairs",
    "precision_threshold",
    "wilson_lower",
]

#: Orders between the levels of a feature that hold in any book (ADR 0027): each tuple runs
#: from the strongest evidence that a hypothesis is right to the weakest; a level weighs at
#: least as much as every level after it. Levels outside a chain (``collector``, ``unknown``
#: dates, the amount's discount or fee) are free.
ORDERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "name": (("exact", "high", "medium", "low"),),
    "iban": (("known", "unknown", "other"),),
    "date": (("on_time", "late", "very_late"), ("on_time", "early", "before_issue")),
    "rivals": (("0", "1", "2+"),),
    "inv_rivals": (("0", "1"), ("0", "2+")),
    "named_outside": (("0", "1"), ("0", "2+")),
    "size": (("1", "2-3", "4+"),),
    "amount": (("exact", "partial"), ("over_small", "over", "over_large")),
}


def order_pairs(
    cols: list[tuple[str, str]], orders: dict[str, tuple[tuple[str, ...], ...]] = ORDERS
) -> list[tuple[int, int]]:
    """Constraints ``beta[i] >= beta[j]`` over the design columns ``cols`` (``(feature,
    level)``, the intercept being column 0, a baseline level column ``-1``: its weight is 0)."""
    index = {c: k + 1 for k, c in enumerate(cols)}
    out: list[tuple[int, int]] = []
    for f, chains in orders.items():
        for chain in chains:
            for a, b in itertools.pairwise(chain):
                i, j = index.get((f, a), -1), index.get((f, b), -1)
                if i != j:
                    out.append((i, j))
    return out


def _newton(
    x: np.ndarray[Any, Any],
    y: np.ndarray[Any, Any],
    pen: np.ndarray[Any, Any],
    center: np.ndarray[Any, Any],
    iters: int,
) -> np.ndarray[Any, Any]:
    beta = center.copy()
    for _ in range(iters):
        z = np.clip(x @ beta, -30, 30)
        p = 1 / (1 + np.exp(-z))
        grad = x.T @ (p - y) + pen * (beta - center)
        h = (x * (p * (1 - p))[:, None]).T @ x + np.diag(pen)
        step = np.linalg.solve(h, grad)
        beta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return beta


def fit_logistic(
    x: np.ndarray[Any, Any],
    y: np.ndarray[Any, Any],
    l2: float = 1.0,
    iters: int = 50,
    *,
    center: np.ndarray[Any, Any] | None = None,
    order: list[tuple[int, int]] | None = None,
) -> np.ndarray[Any, Any]:
    """L2-regularized logistic regression (the intercept is not penalized): Newton's method,
    the penalty ``l2 * (beta - center)²`` (``center`` None: zero); with ``order`` (pairs
    ``(i, j)``: ``beta[i] >= beta[j]``, ``-1`` a baseline weighing 0), the Newton solution
    when it keeps them, else the constrained optimum (SLSQP from it)."""
    c = np.zeros(x.shape[1]) if center is None else np.asarray(center, dtype=np.float64)
    pen = np.full(x.shape[1], l2)
    pen[0] = 1e-6
    beta = _newton(x, y, pen, c, iters)
    if not order or _violation(beta, order) <= 1e-9:
        return beta

    def loss(b: np.ndarray[Any, Any]) -> tuple[float, np.ndarray[Any, Any]]:
        z = x @ b
        nll = float(np.sum(np.logaddexp(0.0, z) - y * z))
        p = 1 / (1 + np.exp(-np.clip(z, -30, 30)))
        d = b - c
        return nll + 0.5 * float(np.sum(pen * d * d)), x.T @ (p - y) + pen * d

    a = np.zeros((len(order), x.shape[1]))
    for k, (i, j) in enumerate(order):
        if i >= 0:
            a[k, i] += 1.0
        if j >= 0:
            a[k, j] -= 1.0
    res = minimize(
        loss,
        _project(beta, order),
        jac=True,
        method="SLSQP",
        constraints=[{"type": "ineq", "fun": lambda b: a @ b, "jac": lambda _b: a}],
        options={"maxiter": 500, "ftol": 1e-10},
    )
    out: np.ndarray[Any, Any] = res.x
    return out


def _violation(beta: np.ndarray[Any, Any], order: list[tuple[int, int]]) -> float:
    def w(i: int) -> float:
        return 0.0 if i < 0 else float(beta[i])

    return max((w(j) - w(i) for i, j in order), default=0.0)


def _project(beta: np.ndarray[Any, Any], order: list[tuple[int, int]]) -> np.ndarray[Any, Any]:
    """A feasible start near ``beta``: each violated pair is met by lowering the weaker level
    (repeated until none is left; the orders are chains, so this ends)."""
    b = beta.copy()
    for _ in range(len(order) + 1):
        moved = False
        for i, j in order:
            top = 0.0 if i < 0 else b[i]
            if j >= 0 and b[j] > top:
                b[j] = top
                moved = True
        if not moved:
            break
    return b


def wilson_lower(right: np.ndarray[Any, Any], n: np.ndarray[Any, Any], z: float) -> Any:
    """Wilson score lower bound of a share ``right / n`` at ``z`` standard errors (z = 0: the
    share itself)."""
    n = np.asarray(n, dtype=np.float64)
    p = np.asarray(right, dtype=np.float64) / n
    if z <= 0:
        return p
    z2 = z * z
    centre = p + z2 / (2 * n)
    half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (centre - half) / (1 + z2 / n)


def precision_threshold(
    scores: np.ndarray[Any, Any], right: np.ndarray[Any, Any], target: float, z: float = 0.0
) -> float:
    """Lowest cutoff t such that allocations scoring >= t (ties included) are right at least
    ``target`` of the time (with ``z`` > 0: the Wilson lower bound of their share right at
    ``z`` standard errors, :func:`wilson_lower`); 1.0 when none is."""
    if not len(scores):
        return 1.0
    order = np.argsort(-scores, kind="stable")
    s, r = scores[order], right[order]
    cum_right = np.cumsum(r)
    # the last index of each run of equal scores: a cutoff keeps the whole run
    last = np.flatnonzero(np.r_[s[1:] != s[:-1], True])
    prec = wilson_lower(cum_right[last], last + 1.0, z)
    ok = np.flatnonzero(prec >= target)
    if not len(ok):
        return 1.0
    # the lowest cutoff whose whole prefix still meets the target
    return float(s[last[ok[-1]]])


def auto_threshold(
    scores: np.ndarray[Any, Any],
    right: np.ndarray[Any, Any],
    worlds: np.ndarray[Any, Any],
    target: float,
    world_target: float = 0.997,
    z: float = 0.0,
) -> tuple[float, dict[str, float]]:
    """The auto threshold at which automatic allocations are right at least ``target`` of the
    time on the pooled training allocations *and* at least ``world_target`` on those of each
    world separately (the highest of the pooled and per-world thresholds; ADR 0022), with each
    world's own; ``z``: the per-world share right is its Wilson lower bound (ADR 0027).

    A pooled target is met by averaging: a world whose allocations are many and easy hides one
    whose high scores are overconfident, and a new user's book is one world, not the mix."""
    pooled = precision_threshold(scores, right, target)
    names = sorted(set(worlds.tolist()) - {""})
    by_world = {
        str(w): round(
            precision_threshold(scores[worlds == w], right[worlds == w], world_target, z), 6
        )
        for w in names
    }
    return max([pooled, *by_world.values()]), by_world


def isotonic(
    x: np.ndarray[Any, Any], y: np.ndarray[Any, Any], min_count: int = 30
) -> list[tuple[float, float]]:
    """Knots ``(x, p)`` of the isotonic (non-decreasing) regression of 0/1 ``y`` on ``x``
    (pool adjacent violators), blocks of at least ``min_count`` observations, each block's
    share right smoothed by half an observation each way (never exactly 0 or 1)."""
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    blocks: list[list[float]] = []  # [sum_x, sum_y, n]
    for xv, yv in zip(xs.tolist(), ys.tolist(), strict=True):
        blocks.append([xv, yv, 1.0])
        while len(blocks) > 1 and (
            blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]
            or blocks[-2][2] < min_count
        ):
            sx, sy, n = blocks.pop()
            blocks[-1][0] += sx
            blocks[-1][1] += sy
            blocks[-1][2] += n
    if len(blocks) > 1 and blocks[-1][2] < min_count:
        sx, sy, n = blocks.pop()
        blocks[-1] = [blocks[-1][0] + sx, blocks[-1][1] + sy, blocks[-1][2] + n]
    knots: list[tuple[float, float]] = []
    for sx, sy, n in blocks:
        p = (sy + 0.5) / (n + 1.0)
        if knots:
            p = max(p, knots[-1][1])
        knots.append((round(sx / n, 4), round(p, 6)))
    # strictly increasing positions (rounding may merge two)
    out: list[tuple[float, float]] = []
    for k in knots:
        if out and k[0] <= out[-1][0]:
            out[-1] = (out[-1][0], max(out[-1][1], k[1]))
        else:
            out.append(k)
    return out
