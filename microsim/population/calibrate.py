"""Calibrate household weights to published targets (Deville and Sarndal 1992).

Find weights ``w = d * F(X @ lam)`` close to the design weights ``d`` that meet every target
exactly: ``X.T @ w = T``. ``F`` is the derivative of the inverse of the distance function:

* ``linear`` (chi-square distance): F(u) = 1 + u, truncated to [L, U] when bounds are given;
* ``raking`` (multiplicative): F(u) = exp(u), then clipped to [L, U] if bounds are given;
* ``logit`` (bounded): F(u) = (L (U - 1) + U (1 - L) e^{A u}) / ((U - 1) + (1 - L) e^{A u}),
  A = (U - L) / ((1 - L)(U - 1)): always inside (L, U).

``lam`` solves the dual by Newton's method: g(lam) = X.T (d F(X lam)) - T,
J = X.T diag(d F'(X lam)) X, step = J^+ g (least squares, so consistent redundant targets, such
as age shares that add up to one, do no harm), with a backtracking line search. One pass over X
per iteration; no loop over households. See docs/calibration.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from microsim.common.determinism import one_blas_thread
from microsim.errors import MicrosimError
from microsim.population.targets import target_matrix, SHARES
from microsim.paths import display_path
from pathlib import Path

METHODS = ("linear", "raking", "logit")


class CalibrationError(MicrosimError):
    """The targets cannot be met within the bounds; the message names them and what to relax."""


@dataclass
class CalibrationResult:
    weights: np.ndarray
    converged: bool
    iterations: int
    max_scaled_residual: float
    lam: np.ndarray
    prescale: float = 1.0  # factor applied to the design weights before calibrating


def prescale_factor(d: np.ndarray, X: np.ndarray, T: np.ndarray) -> float:
    """One factor bringing the design weights to the level of the count targets (T > 0).

    The geometric mean of target / estimate over count targets: design weights on any scale
    (survey weights normalised to the sample size, say) then start at the population's level,
    the bounds keep their meaning, and the result does not depend on the design weights' scale.
    """
    level = T > 0
    if not np.any(level):
        return 1.0
    estimate = d @ X[:, level]
    ok = estimate > 0
    if not np.any(ok):
        return 1.0
    return float(np.exp(np.mean(np.log(T[level][ok] / estimate[ok]))))


def distance(method: str, bounds: tuple[float, float] | None):
    """(F, F') for a distance function; F maps u = x'lam to the weight ratio w / d."""
    if method == "linear":
        if bounds is None:
            return (lambda u: 1.0 + u), (lambda u: np.ones_like(u))
        lo, hi = bounds
        return (lambda u: np.clip(1.0 + u, lo, hi)), (lambda u: ((1.0 + u > lo) & (1.0 + u < hi)).astype(float))
    if method == "raking":
        if bounds is None:
            return (lambda u: np.exp(np.minimum(u, 700))), (lambda u: np.exp(np.minimum(u, 700)))
        lo, hi = bounds
        lo_u, hi_u = np.log(lo), np.log(hi)
        return ((lambda u: np.exp(np.clip(u, lo_u, hi_u))),
                (lambda u: np.where((u > lo_u) & (u < hi_u), np.exp(np.clip(u, lo_u, hi_u)), 0.0)))
    if method == "logit":
        if bounds is None:
            raise CalibrationError("The logit method needs bounds, e.g. --bounds 0.25 4.")
        lo, hi = bounds
        a = (hi - lo) / ((1 - lo) * (hi - 1))

        def f(u):
            e = np.exp(np.clip(a * u, -700, 700))
            return (lo * (hi - 1) + hi * (1 - lo) * e) / ((hi - 1) + (1 - lo) * e)

        def fprime(u, v=None):
            # the derivative written through f itself: f' = A (f - L)(U - f) / (U - L)
            v = f(u) if v is None else v
            return a * (v - lo) * (hi - v) / (hi - lo)

        return f, fprime
    raise CalibrationError(f"Unknown calibration method {method!r}; expected one of {list(METHODS)}.")


def check_bounds(method: str, bounds) -> tuple[float, float] | None:
    if bounds is None:
        return None
    lo, hi = float(bounds[0]), float(bounds[1])
    if not (0 <= lo < 1 < hi):
        raise CalibrationError(f"--bounds must satisfy 0 <= lower < 1 < upper (ratios to the design weight); "
                               f"got {lo} and {hi}.")
    return lo, hi


def solve(d: np.ndarray, X: np.ndarray, T: np.ndarray, scale: np.ndarray, method: str = "logit",
          bounds: tuple[float, float] | None = (0.25, 4.0), tol: float = 1e-10, max_iter: int = 100
          ) -> CalibrationResult:
    """Calibrated weights for design weights ``d`` so that ``X.T @ w`` equals ``T``.

    ``scale`` (one per target, > 0) expresses residuals in the target's own units; convergence
    is reached when every ``|X.T w - T| / scale`` is below ``tol``.
    """
    bounds = check_bounds(method, bounds)
    F, Fp = distance(method, bounds)
    prescale = prescale_factor(d, X, T)
    d = d * prescale
    lam = np.zeros(X.shape[1])
    u = np.zeros(X.shape[0])

    def residual(u):
        w = d * F(u)
        g = X.T @ w - T
        return w, g, g / scale

    def slope(u, w):
        return Fp(u, w / d) if method == "logit" else Fp(u)

    chunk = 1 << 16
    buffer = np.empty((min(chunk, X.shape[0]), X.shape[1]))  # rows of X scaled by sqrt(v), reused

    def jacobian(v):
        # J = X' diag(v) X with v >= 0, as sum over row chunks of (X_c sqrt v_c)'(X_c sqrt v_c):
        # numpy uses a symmetric rank-k update, and a small buffer stays in cache
        J = np.zeros((X.shape[1], X.shape[1]))
        root = np.sqrt(v)
        for start in range(0, X.shape[0], chunk):  # chunks of 65,536 rows, not households
            stop = min(start + chunk, X.shape[0])
            b = buffer[: stop - start]
            np.multiply(X[start:stop], root[start:stop, None], out=b)
            J += b.T @ b
        return J

    w, g, r = residual(u)
    norm = float(np.max(np.abs(r))) if r.size else 0.0
    ss = float(r @ r)
    it = 0
    for it in range(1, max_iter + 1):
        if norm < tol:
            return CalibrationResult(w, True, it - 1, norm, lam, prescale)
        J = jacobian(d * slope(u, w))
        step = np.linalg.lstsq(J, g, rcond=None)[0]
        if not np.all(np.isfinite(step)) or not np.any(step):
            break
        t = 1.0
        for _ in range(40):  # backtracking: accept the first step that lowers the squared residuals
            lam_new = lam - t * step
            u_new = X @ lam_new
            w_new, g_new, r_new = residual(u_new)
            ss_new = float(r_new @ r_new)
            if ss_new < ss or float(np.max(np.abs(r_new))) < tol:
                break
            t /= 2
        else:
            break
        lam, u, w, g, r, ss = lam_new, u_new, w_new, g_new, r_new, ss_new
        norm = float(np.max(np.abs(r)))
    return CalibrationResult(w, norm < tol, it, norm, lam, prescale)


def single_target_ranges(d: np.ndarray, X: np.ndarray, T: np.ndarray, bounds) -> tuple[np.ndarray, np.ndarray]:
    """For each target alone, the lowest and highest ``X.T w`` reachable with w in [L d, U d]."""
    lo, hi = bounds if bounds is not None else (0.0, np.inf)
    total = d @ X
    absolute = np.array([d @ np.abs(X[:, k]) for k in range(X.shape[1])])  # one column at a time
    pos, neg = (total + absolute) / 2, (total - absolute) / 2  # d-weighted sums of X's positive and negative parts
    with np.errstate(invalid="ignore"):
        low = lo * pos + hi * neg if np.isfinite(hi) else np.where(neg < 0, -np.inf, lo * pos)
        high = hi * pos + lo * neg if np.isfinite(hi) else np.where(pos > 0, np.inf, lo * neg)
    return low, high


def explain_failure(names: list[str], kinds: list[str], d, X, T, scale, result: CalibrationResult | None,
                    bounds, method) -> str:
    """A plain-words account of which targets cannot be met, and what to relax."""
    low, high = single_target_ranges(d, X, T, bounds)
    lines = []
    impossible = [k for k in range(len(names)) if T[k] < low[k] - 1e-9 * scale[k] or T[k] > high[k] + 1e-9 * scale[k]]
    bound_text = f"weights between {bounds[0]:g} and {bounds[1]:g} times the design weight" if bounds else "any weights"
    for k in impossible:
        empty = not np.any(X[:, k])
        if empty:
            lines.append(f"  - {names[k]}: no sample household is in this group, so no weighting can reach it.")
        elif kinds[k] in SHARES:
            lines.append(f"  - {names[k]}: with {bound_text} the group's {kinds[k]} can only be moved by "
                         f"{low[k] / scale[k] * 100:+.2f} to {high[k] / scale[k] * 100:+.2f} percentage points; "
                         f"it needs {-(d @ X[:, k]) / scale[k] * 100:+.2f}.")
        else:
            lines.append(f"  - {names[k]}: reachable range {low[k]:,.0f} to {high[k]:,.0f}, target {T[k]:,.0f}.")
    if lines:
        head = "These targets cannot be met, each on its own, with " + bound_text + ":"
        tail = ("Relax: widen --bounds (e.g. 0.1 10), drop or correct these targets, or use data whose "
                "sample has members in every targeted group.")
        return "\n".join([head, *lines, tail])
    assert result is not None
    r = (X.T @ result.weights - T) / scale
    order = np.argsort(-np.abs(r))
    worst = [k for k in order if abs(r[k]) > 1e-8][:8]
    lines = [f"  - {names[k]}: still off by "
             + (f"{r[k] * 100:+.3f} percentage points" if kinds[k] in SHARES else f"{r[k] * 100:+.3f} %")
             for k in worst]
    return "\n".join([
        f"The targets cannot all be met together with {bound_text} (method {method}; stopped after "
        f"{result.iterations} iterations). The largest misses:",
        *lines,
        "Each is reachable alone, so some targets contradict each other within these bounds (for example a "
        "national rate that the zone rates and zone populations already fix). Relax: widen --bounds, or drop "
        "one of the conflicting targets.",
    ])


def diagnostics(d: np.ndarray, w: np.ndarray) -> dict:
    """Weight ratio range and deciles, Kish design effect and effective sample size."""
    ratio = w / d
    n = len(w)
    deff = float(n * np.sum(w ** 2) / np.sum(w) ** 2)
    return {
        "households": n,
        "weight_ratio_min": float(ratio.min()),
        "weight_ratio_max": float(ratio.max()),
        "weight_ratio_deciles": [float(q) for q in np.quantile(ratio, np.linspace(0.1, 0.9, 9))],
        "kish_design_effect": deff,
        "effective_sample_size": float(n / deff),
        "design_kish_design_effect": float(n * np.sum(d ** 2) / np.sum(d) ** 2),
    }


def target_table(names, tables, kinds, published, X, T, scale_before, scale_after, d, w, units, sources) -> pd.DataFrame:
    """Every target with its value before (design weights) and after calibration, and the error."""
    rows = []
    d_x, w_x = d @ X, w @ X
    for k, name in enumerate(names):
        if kinds[k] in SHARES:
            before = published[k] + d_x[k] / scale_before[k]
            after = published[k] + w_x[k] / scale_after[k]
            rows.append({"target": name, "table": tables[k], "kind": kinds[k], "published": published[k],
                         "before": before, "after": after, "error_before_pp": (before - published[k]) * 100,
                         "error_after_pp": (after - published[k]) * 100, "relative_error_after": np.nan,
                         "unit": units[k], "source": sources[k]})
        else:
            before, after = d_x[k], w_x[k]
            rows.append({"target": name, "table": tables[k], "kind": "count", "published": published[k],
                         "before": before, "after": after, "error_before_pp": np.nan, "error_after_pp": np.nan,
                         "relative_error_after": after / T[k] - 1 if T[k] else np.nan,
                         "unit": units[k], "source": sources[k]})
    return pd.DataFrame(rows)


@dataclass
class Calibration:
    """A calibrated population's weights and everything the report shows."""

    weights: np.ndarray
    table: pd.DataFrame
    diagnostics: dict
    result: CalibrationResult
    method: str
    bounds: tuple[float, float] | None
    targets_path: str
    targets_sha256: str

    @property
    def max_rate_error_pp(self) -> float:
        errs = self.table["error_after_pp"].abs()
        return float(errs.max()) if errs.notna().any() else 0.0

    @property
    def max_count_relative_error(self) -> float:
        errs = self.table["relative_error_after"].abs()
        return float(errs.max()) if errs.notna().any() else 0.0

    def metadata(self) -> dict:
        return {
            "method": self.method,
            "bounds": list(self.bounds) if self.bounds else None,
            "targets": self.targets_path,
            "targets_sha256": self.targets_sha256,
            "iterations": self.result.iterations,
            "max_rate_error_pp": self.max_rate_error_pp,
            "max_count_relative_error": self.max_count_relative_error,
            "kish_design_effect": round(self.diagnostics["kish_design_effect"], 4),
            "weight_ratio_range": [round(self.diagnostics["weight_ratio_min"], 4),
                                   round(self.diagnostics["weight_ratio_max"], 4)],
            "design_weight_prescale": self.diagnostics["design_weight_prescale"],
        }


@one_blas_thread
def calibrate_population(pop, targets, method: str = "logit", bounds=(0.25, 4.0), tol: float = 1e-10,
                         max_iter: int = 100) -> Calibration:
    """Weights for ``pop`` (a Population) meeting ``targets`` (a TargetSet), or CalibrationError."""

    if method not in METHODS:
        raise CalibrationError(f"Unknown calibration method {method!r}; expected one of {list(METHODS)}.")
    bounds = check_bounds(method, bounds)
    d = pop.households["weight"].to_numpy().astype(np.float64)
    tm = target_matrix(pop, targets)
    X, T = tm.X, tm.T
    scale = tm.scale(d)
    names = targets.names
    kinds = [t.kind for t in targets.targets]
    d0 = d * prescale_factor(d, X, T)  # what the bounds apply to (see prescale_factor)
    low, high = single_target_ranges(d0, X, T, bounds)
    if np.any((T < low - 1e-9 * scale) | (T > high + 1e-9 * scale)):
        raise CalibrationError(explain_failure(names, kinds, d0, X, T, scale, None, bounds, method))
    result = solve(d, X, T, scale, method, bounds, tol, max_iter)
    if not result.converged:
        raise CalibrationError(explain_failure(names, kinds, d0, X, T, scale, result, bounds, method))
    w = result.weights
    scale_after = tm.scale(w)
    table = target_table(names, [t.table for t in targets.targets], kinds, [t.value for t in targets.targets],
                         X, T, scale, scale_after, d, w, [t.unit for t in targets.targets],
                         [t.source for t in targets.targets])
    dg = diagnostics(d0, w) | {"design_weight_prescale": result.prescale}

    return Calibration(w, table, dg, result, method, bounds, display_path(targets.path), targets.sha256)


def apply(pop, cal: Calibration, command: str | None = None):
    """A new Population with the calibrated weights and the calibration recorded in its metadata."""
    meta = dict(pop.metadata)
    meta["calibration"] = cal.metadata() | ({"command": command} if command else {})
    return pop.reweighted(cal.weights, meta)


def write_report(cal: Calibration, folder, population_label: str) -> None:
    """calibration_report.md and calibration_targets.csv in ``folder``."""

    folder = Path(folder)
    (folder / "calibration_report.md").write_text(report_markdown(cal, population_label), encoding="utf-8")
    cal.table.to_csv(folder / "calibration_targets.csv", index=False, lineterminator="\n", float_format="%.10g")


def report_markdown(cal: Calibration, population_label: str) -> str:
    """The calibration report an analyst reads (also written next to the population)."""
    dg = cal.diagnostics
    t = cal.table
    lines = [
        "# Calibration report",
        "",
        f"Population: `{population_label}`. Targets: `{cal.targets_path}` (sha256 {cal.targets_sha256[:12]}).",
        f"Method: {cal.method}, weight ratio bounds {list(cal.bounds) if cal.bounds else 'none'}; "
        f"converged in {cal.result.iterations} Newton iterations.",
        "",
        "## Summary",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| targets | {len(t)} |",
        f"| largest error, rates (percentage points) | {cal.max_rate_error_pp:.2e} |",
        f"| largest error, counts (relative) | {cal.max_count_relative_error:.2e} |",
        f"| design weights scaled to the count targets by | {dg['design_weight_prescale']:.6f} |",
        f"| weight ratio (calibrated / scaled design), min - max | {dg['weight_ratio_min']:.3f} - {dg['weight_ratio_max']:.3f} |",
        f"| Kish design effect (1 = equal weights) | {dg['kish_design_effect']:.3f} |",
        f"| effective sample size (households) | {dg['effective_sample_size']:,.0f} of {dg['households']:,} |",
        "",
        "Weight ratio deciles (10 % ... 90 %): " + ", ".join(f"{q:.2f}" for q in dg["weight_ratio_deciles"]),
        "",
        "## Targets",
        "",
        "Rates and ratios in %, counts in persons or households. *Before* uses the design weights.",
        "",
        "| table | target | published | before | after | error before | error after |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for _, r in t.iterrows():
        if r["kind"] in SHARES:
            lines.append(f"| {r['table']} | {r['target']} | {r['published'] * 100:.2f} | {r['before'] * 100:.2f} | "
                         f"{r['after'] * 100:.2f} | {r['error_before_pp']:+.2f} pp | {r['error_after_pp']:+.1e} pp |")
        else:
            rel_before = r["before"] / r["published"] - 1 if r["published"] else np.nan
            lines.append(f"| {r['table']} | {r['target']} | {r['published']:,.0f} | {r['before']:,.0f} | "
                         f"{r['after']:,.0f} | {rel_before * 100:+.2f} % | {r['relative_error_after']:+.1e} |")
    lines += [
        "",
        "## Reading this report",
        "",
        "- *Error after* should be zero to rounding: calibration never returns weights that miss a target.",
        "- The **Kish design effect** n * sum(w^2) / (sum w)^2 says how much the unequal weights inflate the",
        "  variance of estimates; the **effective sample size** is the sample size divided by it.",
        "- Ratios at the bounds mean the targets pull hard on some households; widening the bounds",
        "  trades closeness to the design weights for fit.",
        "",
        "Sources of every target are in the CSV next to this report and in the targets file.",
        "",
    ]
    return "\n".join(lines)
