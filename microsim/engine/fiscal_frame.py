"""The macro-fiscal frame and the financing options a floor's cost is set against.

``policies/macro/fiscal_frame.yaml``: revenue (tax, non-tax, other), the deficit, public debt,
the budget's lines and social protection spending, by year, each value published or labelled an
assumption; GDP and government spending are :class:`~microsim.engine.macro.Macro`'s. A year
without a value takes the nearest year's share of GDP (the later one when two are as near), as
government spending does.

``policies/macro/financing.yaml``: the financing options, each an explicit assumption (a tax
effort, a reallocation from named budget lines, the contributions a reform raises), applied in
the order listed, and the growth sensitivity. Errors name the file, the key and the year.
"""

from __future__ import annotations

import difflib
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

from microsim.common.schedule import YEAR_KEY, nearest_year, schedule_years, value_in
from microsim.common.yamlfile import parse_file_content
from microsim.engine.macro import Macro, supported_years
from microsim.errors import SpecError
from microsim.paths import POLICIES

FISCAL_FRAME = POLICIES / "macro" / "fiscal_frame.yaml"
FINANCING = POLICIES / "macro" / "financing.yaml"
REVENUE_PARTS = ("tax_revenue", "non_tax_revenue", "other_revenue")
RIEL_SERIES = ("revenue", *REVENUE_PARTS)  # billion riels
SHARE_SERIES = ("deficit", "public_debt", "social_protection_spending")  # percent of GDP
SHARE_BOUNDS = {"deficit": (-50.0, 50.0), "public_debt": (0.0, 300.0), "social_protection_spending": (0.0, 50.0)}
REVENUE_SHARE_OF_GDP = (3.0, 60.0)  # percent: a total outside is a unit error (trillions, millions)
FRAME_KEYS = (*RIEL_SERIES, *SHARE_SERIES, "budget_lines")
SERIES_KEYS = ("unit", "source", "values", "parts", "programmes", "assumption")
OPTION_KEYS = {"revenue_growth": ("tax_to_gdp_gain_pp", "share_to_social_protection"), "reallocation": ("lines",),
               "contributions": ("share",)}
PARTS_TOLERANCE = 0.01  # the parts may differ from the total by rounding: at most 1 % of it
KINDS = ("revenue_growth", "reallocation", "contributions")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _read(path: Path, what: str):
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SpecError(f"Cannot read the {what} {path}: {e.strerror or e}.") from e
    return parse_file_content(path, data, what), hashlib.sha256(data).hexdigest()


def _unknown(keys, allowed, where: str) -> None:
    """Refuse a key the file does not define (a typo would otherwise be ignored silently)."""
    for key in keys:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), [str(a) for a in allowed], n=1)
            raise SpecError(f"{where}: unknown key `{key}`" + (f"; did you mean `{close[0]}`?" if close else "")
                            + f" (expected {', '.join(f'`{a}`' for a in allowed)}).")


def _year(key, where: str) -> int:
    year = int(key) if isinstance(key, str) and YEAR_KEY.fullmatch(key) else key
    last = supported_years()[1]
    if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= last:
        raise SpecError(f"{where}: {key!r} is not a year of the frame; write years from 1990 to {last} (the last "
                        "year the model simulates), such as 2025.")
    return year


def _values(entry, where: str, positive: bool, bounds: tuple[float, float] | None = None,
            what: str = "") -> dict[int, float]:
    """A series' ``values:`` (year -> {value, source|assumption}), checked: years of the model's range,
    finite numbers, positive or within ``bounds`` (``what`` names the unit in the error)."""
    values = entry.get("values") if isinstance(entry, dict) else None
    if not isinstance(values, dict) or not values:
        raise SpecError(f"{where}: expected `values:` mapping years to numbers, e.g. `2025: {{value: 31598, "
                        "source: ...}}`.")
    out = {}
    for key, item in values.items():
        year = _year(key, where)
        value = item.get("value") if isinstance(item, dict) else item
        if not _number(value):
            raise SpecError(f"{where}, year {year}: expected a finite number (found {value!r}).")
        if positive and value <= 0:
            raise SpecError(f"{where}, year {year}: must be positive (found {value!r}).")
        if bounds is not None and not bounds[0] <= value <= bounds[1]:
            raise SpecError(f"{where}, year {year}: expected {what} from {bounds[0]:g} to {bounds[1]:g} "
                            f"(found {value!r}).")
        if not (isinstance(item, dict) and (item.get("source") or item.get("assumption"))):
            raise SpecError(f"{where}, year {year}: give the value's `source:` (or label it `assumption:`).")
        out[year] = float(value)
    return out


@dataclass(frozen=True)
class FiscalFrame:
    """The frame's series (billion riels or percent of GDP, by year) and budget lines (shares of
    government spending), read from ``path``; amounts in riels come from :meth:`amount`."""

    path: Path
    sha256: str
    series: dict  # name -> {year: value}, in the file's unit
    lines: dict  # budget line -> {"label": str, "values": {year: share of spending}}

    def amount(self, name: str, year: int, macro: Macro) -> float:
        """A series in riels in ``year``: published there, else the nearest year's share of GDP."""
        values = self.series[name]
        if year in values:
            return values[year] * 1e9
        nearest = nearest_year(values, year)
        return values[nearest] * 1e9 / macro.gdp(nearest) * macro.gdp(year)

    def share_of_gdp(self, name: str, year: int) -> float:
        """A series given in percent of GDP, in ``year`` (the nearest year's when not published)."""
        values = self.series[name]
        return values[year] if year in values else values[nearest_year(values, year)]

    def line_share(self, line: str, year: int) -> float:
        """A budget line's share of government spending in ``year`` (the nearest year's)."""
        values = self.lines[line]["values"]
        return values[year] if year in values else values[nearest_year(values, year)]


def check_frame(raw, path: Path) -> tuple[dict, dict]:
    """The frame's series and budget lines, checked; errors name the file, the key and the year."""
    if not isinstance(raw, dict):
        raise SpecError(f"{path}: expected a mapping of series (revenue, tax_revenue, ..., budget_lines).")
    missing = [n for n in (*RIEL_SERIES, "social_protection_spending", "budget_lines") if n not in raw]
    if missing:
        raise SpecError(f"{path}: missing {', '.join(f'`{m}`' for m in missing)} (see policies/macro/fiscal_frame.yaml).")
    _unknown(raw, FRAME_KEYS, str(path))
    series = {}
    for name in (*RIEL_SERIES, *SHARE_SERIES):
        if name not in raw:
            continue
        entry, where = raw[name], f"{path}, `{name}`"
        if not isinstance(entry, dict) or "unit" not in entry:
            raise SpecError(f"{where}: expected `unit:`, `source:` and `values:`.")
        _unknown(entry, SERIES_KEYS, where)
        if name in SHARE_BOUNDS:
            series[name] = _values(entry, where, False, SHARE_BOUNDS[name], "percent of GDP")
        else:
            series[name] = _values(entry, where, True)
    for year, total in series["revenue"].items():
        parts = [series[p].get(year) for p in REVENUE_PARTS]
        if all(p is not None for p in parts) and abs(sum(parts) - total) > PARTS_TOLERANCE * total:
            raise SpecError(f"{path}, `revenue`, year {year}: its parts ({', '.join(REVENUE_PARTS)}) add up to "
                            f"{sum(parts):,.0f} billion riels, not {total:,.0f}; correct one of them.")
    block = raw["budget_lines"]
    if not isinstance(block, dict) or not isinstance(block.get("lines"), dict) or not block["lines"]:
        raise SpecError(f"{path}, `budget_lines`: expected `lines:` naming each line with its `values:` "
                        "(shares of government spending).")
    _unknown(block, SERIES_KEYS + ("lines",), f"{path}, `budget_lines`")
    lines = {}
    for line, entry in block["lines"].items():
        where = f"{path}, `budget_lines.lines.{line}`"
        if not isinstance(entry, dict):
            raise SpecError(f"{where}: expected `label:` and `values:`.")
        _unknown(entry, ("label", "values"), where)
        lines[str(line)] = {"label": str(entry.get("label", line)),
                            "values": _values(entry, where, False, (0.0, 1.0), "a share of government spending")}
    for year in sorted({y for entry in lines.values() for y in entry["values"]}):
        total = sum(entry["values"].get(year, 0.0) for entry in lines.values())
        if total > 1 + 1e-9:
            raise SpecError(f"{path}, `budget_lines`, year {year}: the lines' shares of spending add up to "
                            f"{total:.3f}, more than the whole budget (1).")
    return series, lines


def check_against_gdp(frame: FiscalFrame, macro: Macro) -> None:
    """Revenue and its parts in billion riels, not another unit: each published value a plausible
    share of the model's GDP of its year (total revenue 3-60 %, each part at most 60 %)."""
    lo, hi = REVENUE_SHARE_OF_GDP
    first, last = supported_years(macro)
    for name in RIEL_SERIES:
        for year, value in frame.series[name].items():
            if not first <= year <= last:
                continue
            share = value * 1e9 / macro.gdp(year) * 100
            floor = lo if name == "revenue" else 0.0  # a part (other revenue: 0.5 %) may be small; the total not
            if not floor <= share <= hi:
                raise SpecError(f"{frame.path}, `{name}`, year {year}: {value:,.0f} billion riels is {share:.1f} % of "
                                f"the model's GDP ({macro.gdp(year) / 1e9:,.0f} billion riels, {macro.path}); expected "
                                f"billion riels, {lo:g} to {hi:g} % of GDP for revenue.")


def load_frame(path: str | Path | None = None) -> FiscalFrame:
    """The frame of ``path`` (default policies/macro/fiscal_frame.yaml), checked."""
    path = Path(path) if path else FISCAL_FRAME
    raw, digest = _read(path, "fiscal frame")
    series, lines = check_frame(raw, path)
    return FiscalFrame(path=path, sha256=digest, series=series, lines=lines)


@dataclass(frozen=True)
class FinancingOption:
    """One way to pay for the floor, an assumption. ``kind`` is revenue_growth (``path``: extra
    tax revenue in percentage points of GDP by year; ``share``: the part for social protection),
    reallocation (``lines``: budget line -> share of the line moved, by year) or contributions
    (``share``: of the extra contributions, earmarked). Paths are (year, value) pairs."""

    name: str
    kind: str
    label: str
    assumption: str
    share: float = 1.0
    path: tuple = ()
    lines: tuple = ()  # (line, ((year, share), ...)), ...

    def gain_pp(self, year: int) -> float:
        return float(value_in(list(self.path), year, 0.0))

    def line_shares(self, year: int) -> dict[str, float]:
        return {line: float(value_in(list(pairs), year, 0.0)) for line, pairs in self.lines}


@dataclass(frozen=True)
class Financing:
    path: Path
    sha256: str
    options: tuple[FinancingOption, ...]
    growth_shifts_pp: tuple[float, ...]  # real growth shifts of the sensitivity (percentage points a year)
    growth_assumption: str


def _share(value, where: str, key: str) -> float:
    if not _number(value) or not 0 <= value <= 1:
        raise SpecError(f"{where}: `{key}` is a share from 0 to 1 (found {value!r}).")
    return float(value)


def _path(schedule, where: str, key: str, check) -> tuple:
    pairs = schedule_years(schedule, where, key, supported_years())
    for year, value in pairs:
        check(value, f"{where}, year {year}")
    return tuple((year, float(value)) for year, value in pairs)


def check_financing(raw, path: Path, frame: FiscalFrame, digest: str = "") -> Financing:
    """The financing options, checked against ``frame``'s budget lines; errors name the file, the
    option, the key and the year."""
    if not isinstance(raw, dict) or not isinstance(raw.get("options"), list) or not raw["options"]:
        raise SpecError(f"{path}: expected `options:`, a list of financing options (see policies/macro/financing.yaml).")
    _unknown(raw, ("options", "growth_sensitivity_pp"), str(path))
    options, names, labels = [], set(), set()
    for i, entry in enumerate(raw["options"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
            raise SpecError(f"{path}, option {i + 1}: expected a mapping with `name:`, `kind:` and `assumption:`.")
        name = entry["name"]
        where = f"{path}, option `{name}`"
        if name in names:
            raise SpecError(f"{where}: two options have this name; name each once.")
        kind = entry.get("kind")
        if kind not in KINDS:
            raise SpecError(f"{where}: `kind` is one of {', '.join(KINDS)} (found {kind!r}).")
        _unknown(entry, ("name", "kind", "label", "assumption", *OPTION_KEYS[kind]), where)
        if not entry.get("assumption"):
            raise SpecError(f"{where}: every option is an assumption; say what it assumes in `assumption:`.")
        label = str(entry.get("label", name))
        if label in labels:
            raise SpecError(f"{where}: two options have the label {label!r}; the tables and the report tell them "
                            "apart by it.")
        names.add(name)
        labels.add(label)
        common = {"name": name, "kind": kind, "label": label, "assumption": str(entry["assumption"])}
        if kind == "revenue_growth":
            def gain(value, at):
                if not _number(value) or not -10 <= value <= 20:
                    raise SpecError(f"{at}: `tax_to_gdp_gain_pp` is percentage points of GDP, from -10 to 20 "
                                    f"(found {value!r}).")
            options.append(FinancingOption(**common, share=_share(entry.get("share_to_social_protection"), where,
                                                                  "share_to_social_protection"),
                                           path=_path(entry.get("tax_to_gdp_gain_pp"), where, "tax_to_gdp_gain_pp", gain)))
        elif kind == "reallocation":
            lines = entry.get("lines")
            if not isinstance(lines, dict) or not lines:
                raise SpecError(f"{where}: `lines` maps budget lines of {frame.path} ({', '.join(frame.lines)}) to the "
                                "share of each moved, by year: `lines: {capital_spending: {2027: 0.02}}`.")
            checked = []
            for line, schedule in lines.items():
                if line not in frame.lines:
                    raise SpecError(f"{where}: unknown budget line `{line}`; {frame.path} has "
                                    f"{', '.join(f'`{k}`' for k in frame.lines)}.")

                def moved(value, at, line=line):
                    _share(value, at, f"lines.{line}")
                checked.append((line, _path(schedule, where, f"lines.{line}", moved)))
            options.append(FinancingOption(**common, lines=tuple(checked)))
        else:
            options.append(FinancingOption(**common, share=_share(entry.get("share", 1.0), where, "share")))
    _moved_at_most_once(options, path)
    sensitivity = raw.get("growth_sensitivity_pp", {"values": [], "assumption": ""})
    shifts = sensitivity.get("values") if isinstance(sensitivity, dict) else None
    if not isinstance(shifts, list) or not all(_number(s) and -5 <= s <= 5 for s in shifts):
        raise SpecError(f"{path}, `growth_sensitivity_pp`: expected `values:`, a list of shifts of real growth in "
                        f"percentage points a year from -5 to 5, e.g. [-1.0, 1.0] (found {shifts!r}).")
    _unknown(sensitivity, ("values", "assumption"), f"{path}, `growth_sensitivity_pp`")
    return Financing(path=path, sha256=digest, options=tuple(options), growth_shifts_pp=tuple(float(s) for s in shifts),
                     growth_assumption=str(sensitivity.get("assumption", "")))


def _moved_at_most_once(options: list[FinancingOption], path: Path) -> None:
    """No budget line gives more than itself: the shares of it the options move add up to at most 1."""
    first, last = supported_years()
    years = range(first, last + 1)
    lines = {line for o in options for line, _ in o.lines}
    for line in sorted(lines):
        for year in years:
            total = sum(o.line_shares(year).get(line, 0.0) for o in options)
            if total > 1 + 1e-9:
                raise SpecError(f"{path}: the options move {total:.2f} of `{line}` in {year}, more than the whole line "
                                "(at most 1 in all).")


def load_financing(frame: FiscalFrame, path: str | Path | None = None) -> Financing:
    """The financing options of ``path`` (default policies/macro/financing.yaml), checked against
    ``frame``'s budget lines."""
    path = Path(path) if path else FINANCING
    raw, digest = _read(path, "financing file")
    return check_financing(raw, path, frame, digest)
