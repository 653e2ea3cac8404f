"""Programme parameters: YAML with values by effective date, units, descriptions and references.

A parameter file holds one programme::

    social_pension:
      description: ...
      amount:
        description: Social pension per eligible person
        unit: riels per person per month
        indexation: none            # none, cpi, wages, gdp_per_head or fixed (with indexation_rate)
        values:
          2024-01-01: {value: 0, reference: "Not in force; set by a reform scenario"}

A leaf (a mapping with ``values``) is a parameter; any other mapping is a group. Files are
checked when loaded: units from a known list, a reference for every value, types and ranges,
no unknown keys. :meth:`ParameterTree.at` resolves every parameter for a date, applying
indexation from the value's effective date; overrides (reforms) use dotted paths, and an
unknown path gets the closest names suggested.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import datetime as dt
import difflib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

from microsim.common.schedule import schedule_years
from microsim.errors import SpecError
from microsim.common.yamlfile import parse_file_content, read_yaml
from microsim.paths import display_path, POLICIES
from microsim.engine.macro import supported_years

UNITS = {
    "riels per person per month", "riels per household per month", "riels per visit", "riels per birth",
    "riels per month", "years", "months", "visits", "share", "flag", "code", "multiple of the poverty line",
    "percent per year", "months per year", "riels per person, one-off", "riels per household, one-off",
    "elasticity", "decimal year",  # a date as a year and its fraction: 2022.75 is 1 October 2022
}
INDEXATION_RULES = ("none", "cpi", "wages", "gdp_per_head", "fixed")
WHOLE_UNITS = {"years"}  # ages and durations in years are whole numbers


def indexable(unit: str) -> bool:
    """Only amounts of money are indexed: an age or a share never moves with prices."""
    return unit.startswith("riels per")


def check_indexation(path: str, unit: str, rule, where: str) -> None:
    if rule not in INDEXATION_RULES:
        raise SpecError(f"{where}: `{path}.indexation` must be one of {list(INDEXATION_RULES)} (found {rule!r}).")
    if rule != "none" and not indexable(unit):
        raise SpecError(f"{where}: `{path}` is in {unit}; only amounts in riels can be indexed "
                        f"(found `indexation: {rule}`). Change the value itself instead.")


def check_rate(path: str, rate, where: str) -> float:
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not math.isfinite(rate) or not -50 <= rate <= 100:
        raise SpecError(f"{where}: `{path}.indexation_rate` is a percent per year between -50 and 100 "
                        f"(found {rate!r}).")
    return float(rate)
LEAF_KEYS = {"description", "unit", "values", "indexation", "indexation_rate", "indexation_lag", "allowed", "min",
             "max", "plausible", "note"}
# Units whose parameters carry a plausible range (amounts, shares, ages, durations, counts, multiples):
# a value outside it is refused unless the user says it is meant (--allow).
RANGED_UNITS = {unit for unit in UNITS if unit not in ("flag", "code", "percent per year")}
ALLOW_HINT = "Check the value; if it is meant, add --allow"


@lru_cache(maxsize=1)
def default_plausible_ranges() -> dict[str, tuple[float, float]]:
    """The plausible range of each unit (policies/plausible_ranges.yaml), for a parameter whose file
    states none (a YAML benefit an analyst wrote)."""

    path = POLICIES / "plausible_ranges.yaml"
    _, raw = read_yaml(path, "plausible ranges file")
    ranges = raw.get("by_unit") if isinstance(raw, dict) else None
    if not isinstance(ranges, dict):
        raise SpecError(f"{path}: expected `by_unit:` mapping each unit to [lowest, highest].")
    out = {}
    for unit, bounds in ranges.items():
        out[unit] = _plausible_bounds(bounds, f"{path}, unit `{unit}`")
    missing = RANGED_UNITS - set(out)
    if missing:
        raise SpecError(f"{path}: no plausible range for the unit(s) {sorted(missing)}.")
    return out


def _plausible_bounds(bounds, where: str) -> tuple[float, float]:
    if not (isinstance(bounds, (list, tuple)) and len(bounds) == 2
            and all(isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b) for b in bounds)
            and bounds[0] <= bounds[1]):
        raise SpecError(f"{where}: `plausible` must be [lowest, highest], two numbers (found {bounds!r}).")
    return float(bounds[0]), float(bounds[1])


@dataclass(frozen=True)
class Parameter:
    """One parameter as its file states it. Frozen: the parsed files are cached and shared by every
    tree loaded from them, and an override makes a changed copy (:meth:`ParameterTree.with_overrides`)."""

    path: str
    description: str
    unit: str
    values: dict  # date -> {value, reference}
    indexation: str = "none"
    indexation_rate: float = 0.0
    indexation_lag: int = 0  # years: uprating in year Y follows the index up to year Y - lag
    allowed: tuple = ()
    min: float | None = None
    max: float | None = None
    file: str = ""
    plausible: tuple[float, float] | None = None  # outside it, a value needs --allow (see RANGED_UNITS)

    @property
    def kind(self) -> type:
        first = next(iter(self.values.values()))["value"]
        return bool if isinstance(first, bool) else str if isinstance(first, str) else float

    def check_value(self, value, where: str, allow: bool = False, in_file: bool = False):
        """Raise SpecError unless ``value`` suits this parameter; return it converted. A number outside
        the plausible range is refused unless ``allow`` (the user's --allow)."""
        kind = self.kind
        if kind is bool:
            if not isinstance(value, bool):
                raise SpecError(f"{where}: `{self.path}` is true or false (found {value!r}).")
            return value
        if kind is str:
            if not isinstance(value, str) or (self.allowed and value not in self.allowed):
                raise SpecError(f"{where}: `{self.path}` must be one of {list(self.allowed)} (found {value!r}).")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError(f"{where}: `{self.path}` is a number in {self.unit} (found {value!r}).")
        if not math.isfinite(value):
            raise SpecError(f"{where}: `{self.path}` must be a finite number in {self.unit} (found {value!r}).")
        if self.unit in WHOLE_UNITS and not float(value).is_integer():
            raise SpecError(f"{where}: `{self.path}` is a whole number of {self.unit} (found {value!r}); "
                            "ages and durations are counted in whole years.")
        if self.min is not None and value < self.min:
            raise SpecError(f"{where}: `{self.path}` must be at least {self.min:g} {self.unit} (found {value}).")
        if self.max is not None and value > self.max:
            raise SpecError(f"{where}: `{self.path}` must be at most {self.max:g} {self.unit} (found {value}).")
        if self.plausible is not None and not allow and not self.plausible[0] <= value <= self.plausible[1]:
            low, high = self.plausible

            hint = ("Check the value; if it is meant, widen the parameter's `plausible` in the file" if in_file
                    else f"{ALLOW_HINT} to accept it")
            raise SpecError(f"{where}: `{self.path}` = {value:,.10g} {self.unit} is outside its plausible range, "
                            f"{low:,.10g} to {high:,.10g} ({display_path(self.file)}). {hint}.")
        # whole numbers stay integers: comparing an int16 age column with 65 stays in int16,
        # while 65.0 would convert the whole column to float64 first
        return int(value) if float(value).is_integer() and not isinstance(value, float) else value

    def entry_at(self, date: dt.date, where: str) -> tuple[dt.date, object]:
        dates = sorted(d for d in self.values if d <= date)
        if not dates:
            first = min(self.values)
            raise SpecError(f"{where}: `{self.path}` has no value on {date.isoformat()}; its first value starts "
                            f"{first.isoformat()} ({self.file}).")
        return dates[-1], self.values[dates[-1]]["value"]


def _to_date(key, where: str) -> dt.date:
    if isinstance(key, dt.datetime):
        return key.date()
    if isinstance(key, dt.date):
        return key
    try:
        return dt.date.fromisoformat(str(key))
    except ValueError:
        raise SpecError(f"{where}: `{key}` is not a date; write effective dates as YYYY-MM-DD.") from None


def _leaf(path: str, node: dict, file: str) -> Parameter:
    where = f"{file}, parameter `{path}`"
    unknown = set(node) - LEAF_KEYS
    if unknown:
        raise SpecError(f"{where}: unknown key(s) {sorted(unknown)}; expected {sorted(LEAF_KEYS)}.")
    for key in ("description", "unit", "values"):
        if key not in node:
            raise SpecError(f"{where}: missing `{key}`; every parameter states its description, unit and values.")
    if not isinstance(node["unit"], str) or node["unit"] not in UNITS:
        close = difflib.get_close_matches(str(node["unit"]), sorted(UNITS), n=1) if isinstance(node["unit"], str) else []
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise SpecError(f"{where}: unknown unit {node['unit']!r}; expected one of {sorted(UNITS)}.{hint}")
    if not isinstance(node["values"], dict) or not node["values"]:
        raise SpecError(f"{where}: `values` must map effective dates to {{value, reference}}.")
    values = {}
    for key, entry in node["values"].items():
        date = _to_date(key, where)
        if not isinstance(entry, dict) or "value" not in entry or not entry.get("reference"):
            raise SpecError(f"{where}, {date.isoformat()}: expected {{value: ..., reference: \"...\"}}; every value "
                            "needs a reference (publication, table or legal text, year) or says it is an assumption.")
        values[date] = {"value": entry["value"], "reference": str(entry["reference"])}
    for key in ("min", "max"):
        bound = node.get(key)
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, (int, float))
                                  or not math.isfinite(bound)):
            raise SpecError(f"{where}: `{key}` must be a finite number (found {bound!r}).")
    allowed = node.get("allowed", ())
    if not isinstance(allowed, (list, tuple)) or not all(isinstance(a, str) for a in allowed):
        raise SpecError(f"{where}: `allowed` must be a list of words, e.g. [universal, idpoor] (found {allowed!r}).")
    lag = node.get("indexation_lag", 0)
    if isinstance(lag, bool) or not isinstance(lag, int) or not 0 <= lag <= 5:
        raise SpecError(f"{where}: `indexation_lag` is a whole number of years, 0 to 5 (found {lag!r}).")
    rule = node.get("indexation", "none")
    check_indexation(path, node["unit"], rule, where)
    if rule == "fixed" and "indexation_rate" not in node:
        raise SpecError(f"{where}: `indexation: fixed` needs `indexation_rate` (percent per year).")
    rate = check_rate(path, node.get("indexation_rate", 0.0), where)
    plausible = None
    if node["unit"] in RANGED_UNITS:
        plausible = (_plausible_bounds(node["plausible"], where) if "plausible" in node
                     else default_plausible_ranges()[node["unit"]])
    elif "plausible" in node:
        raise SpecError(f"{where}: `plausible` is for numbers ({', '.join(sorted(RANGED_UNITS))}), not {node['unit']}.")
    p = Parameter(path=path, description=" ".join(str(node["description"]).split()), unit=node["unit"],
                  values=values, indexation=rule, indexation_rate=rate,
                  indexation_lag=int(node.get("indexation_lag", 0)),
                  allowed=tuple(node.get("allowed", ())), min=node.get("min"), max=node.get("max"), file=file,
                  plausible=plausible)
    for date, entry in values.items():
        entry["value"] = p.check_value(entry["value"], f"{where}, {date.isoformat()}", in_file=True)
    return p


_READ: dict[str, tuple[tuple, str, bytes]] = {}  # path -> (its stat: size, mtime, inode), digest, bytes


def _parse_file(f: str) -> tuple[dict, dict, str]:
    """Parse and check one parameter file (cached by its path and content: an edited file is re-read);
    also return the SHA-256 of the bytes parsed, for the run's manifest. A file whose size,
    modification time and inode are unchanged since it was last read is not read again (a server
    loads the parameters on every request)."""
    try:
        stat = Path(f).stat()
        key = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        if f not in _READ or _READ[f][0] != key:
            data = Path(f).read_bytes()
            _READ[f] = (key, hashlib.sha256(data).hexdigest(), data)
    except OSError as e:
        raise SpecError(f"Cannot read the parameter file {f}: {e.strerror or e}.") from e
    _, digest, data = _READ[f]
    return (*_parse_content(f, digest, data), digest)


@lru_cache(maxsize=256)
def _parse_content(f: str, digest: str, data: bytes) -> tuple[dict, dict]:
    raw = parse_file_content(f, data, "parameter file")
    if not isinstance(raw, dict):
        raise SpecError(f"{f}: expected a mapping with one programme at the top.")
    found: dict[str, Parameter] = {}
    descriptions: dict[str, str] = {}
    _walk(raw, "", f, found, descriptions)
    return found, descriptions


def _walk(node: dict, prefix: str, file: str, out: dict, descriptions: dict):
    for key, child in node.items():
        if key in ("label", "entity", "eligibility") and prefix and not prefix.count(".") \
                and {"entity", "eligibility"} <= set(node):  # only in a YAML benefit's definition
            continue  # a YAML benefit's definition (microsim.engine.yaml_benefits), not parameters
        if key in ("description", "note", "limits"):
            # a group's text: its description; `limits` says what the model cannot see (programme pages)
            descriptions[prefix if key == "description" else f"{prefix}#{key}"] = " ".join(str(child).split())
            continue
        path = f"{prefix}.{key}" if prefix else str(key)
        if not isinstance(child, dict):
            raise SpecError(f"{file}, `{path}`: expected a parameter (description, unit, values) or a group.")
        if "values" in child:
            out[path] = _leaf(path, child, file)
        else:
            _walk(child, path, file, out, descriptions)


class ParameterTree:
    """Every programme's parameters, loaded from YAML and validated."""

    def __init__(self, parameters: dict[str, Parameter], descriptions: dict[str, str],
                 overridden: dict | None = None, file_digests: dict | None = None):
        self.parameters = parameters
        self.descriptions = descriptions
        self.file_digests = dict(file_digests or {})  # parameter file -> SHA-256 of the bytes parsed
        self.overridden = dict(overridden or {})  # parameter path -> date the override takes effect (None: always)

    @classmethod
    def load(cls, files) -> "ParameterTree":
        params, descriptions, digests = {}, {}, {}
        for f in files:
            found, found_desc, digests[str(f)] = _parse_file(str(f))  # shared: parameters are frozen
            descriptions.update(found_desc)
            clash = set(found) & set(params)
            if clash:
                raise SpecError(f"{f}: parameter(s) {sorted(clash)} are already defined in another file.")
            params.update(found)
        return cls(params, descriptions, file_digests=digests)

    def with_overrides(self, overrides: dict, where: str, date: dt.date | None = None,
                       allow: bool = False) -> "ParameterTree":
        """A copy where each ``path: value`` replaces the parameter's value from ``date`` on.

        ``path.indexation`` and ``path.indexation_rate`` change a parameter's indexation rule.
        Without ``date``, the value replaces every dated value (it holds at all dates). A value
        outside the parameter's plausible range is refused unless ``allow``.

        A value may be a schedule by year, ``{2026: 80, 2028: 75}`` (a reform phased in): each value
        takes effect on 1 January of its year, whatever ``date``, and before the first year the
        parameter keeps the values it had (:func:`phase_in`; the years are those the shipped macro
        series can simulate, :func:`~microsim.engine.macro.supported_years`).
        """
        params = dict(self.parameters)  # parameters are copied only when an override changes them
        overridden = dict(self.overridden)
        made_fixed, rate_given = set(), set()
        for path, value in (overrides or {}).items():
            if not isinstance(path, str):
                raise SpecError(f"{where}: `{path!r}` is not a parameter name; write `programme.parameter: value`.")
            attr = None
            if path not in params and path.rsplit(".", 1)[-1] in ("indexation", "indexation_rate", "indexation_lag"):
                path, attr = path.rsplit(".", 1)
            if path not in params:
                close = difflib.get_close_matches(path, list(params), n=3, cutoff=0.5)
                hint = f" Did you mean {', '.join(close)}?" if close else " See `microsim policies` for the names."
                raise SpecError(f"{where}: unknown parameter `{path}`.{hint}")
            p = params[path]
            overridden[path] = date
            if attr is not None and isinstance(value, dict):
                raise SpecError(f"{where}: `{path}.{attr}` takes one value, not a schedule by year; phase in the "
                                f"amounts themselves (`{path}: {{2026: ..., 2028: ...}}`).")
            if attr == "indexation":
                check_indexation(path, p.unit, value, where)
                if value == "fixed" and self.parameters[path].indexation != "fixed":
                    made_fixed.add(path)
                change = {"indexation": value}
            elif attr == "indexation_rate":
                change = {"indexation_rate": check_rate(path, value, where)}
                rate_given.add(path)
            elif attr == "indexation_lag":
                if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
                    raise SpecError(f"{where}: `{path}.indexation_lag` is a whole number of years, 0 to 5 "
                                    f"(found {value!r}).")
                change = {"indexation_lag": value}
            elif isinstance(value, dict):
                schedule = phase_in(p, value, where, allow, supported_years())
                overridden[path] = min(schedule)
                change = {"values": {d: e for d, e in p.values.items() if d < min(schedule)} | schedule}
            else:
                value = p.check_value(value, where, allow)
                entry = {"value": value, "reference": f"Override in {where}"}
                if date is None:
                    change = {"values": {min(p.values): entry}}
                else:
                    change = {"values": {d: e for d, e in p.values.items() if d < date} | {date: entry}}
            params[path] = dataclasses.replace(p, **change)  # the parsed parameter is shared: never changed
        for path in sorted(made_fixed - rate_given):
            raise SpecError(f"{where}: `{path}.indexation: fixed` needs `{path}.indexation_rate` (percent per year).")
        return ParameterTree(params, self.descriptions, overridden, self.file_digests)

    def at(self, date: dt.date, macro=None, where: str = "parameters") -> SimpleNamespace:
        """Every parameter's value on ``date``, as nested attributes (``p.social_pension.amount``).

        Numbers with an indexation rule are uprated from their value's effective year to
        ``date``'s year with the macro series.
        """
        root = SimpleNamespace()
        missing = []
        for path, p in self.parameters.items():
            if not any(d <= date for d in p.values):
                missing.append(path)  # an error only if an active module uses it (see missing_for)
                continue
            value = self.value_at(path, date, macro, where)
            node = root
            parts = path.split(".")
            for part in parts[:-1]:
                if not hasattr(node, part):
                    setattr(node, part, SimpleNamespace())
                node = getattr(node, part)
            setattr(node, parts[-1], value)
        root._missing = missing
        return root

    def value_at(self, path: str, date: dt.date, macro=None, where: str = "parameters"):
        """One parameter's value on ``date``: its entry in force, a number with an indexation rule
        uprated from the entry's effective year to ``date``'s year with the macro series."""
        p = self.parameters[path]
        start, value = p.entry_at(date, where)
        if p.kind is float and p.indexation != "none" and start.year != date.year:
            value = value * index_factor(p, start.year, date.year, macro, where)
        return value

    def missing_for(self, prefix: str, resolved: SimpleNamespace) -> list[str]:
        """Parameters under ``prefix`` that have no value on the resolved date."""
        return [m for m in getattr(resolved, "_missing", []) if m.startswith(prefix + ".")]

    def references(self, date: dt.date) -> dict[str, dict]:
        """Each parameter's value entry (value and reference) in force on ``date``."""
        out = {}
        for path, p in self.parameters.items():
            if not any(d <= date for d in p.values):
                continue  # not yet in force (a programme that starts later)
            start, _ = p.entry_at(date, "parameters")
            out[path] = {"effective": start.isoformat(), **p.values[start], "unit": p.unit,
                         "indexation": p.indexation, "description": p.description}
        return out


def phase_in(p: Parameter, schedule: dict, where: str, allow: bool, years: tuple[int, int]) -> dict:
    """A schedule by year (``{2026: 80, 2028: 75}``) as dated entries of ``p``: each value checked
    like any override and taking effect on 1 January of its year. Years are whole numbers within
    ``years`` and increase (:func:`~microsim.common.schedule.schedule_years`); a number indexed by a
    rule is in riels of its own year (uprated from it)."""
    pairs = schedule_years(schedule, where, p.path, years)
    text = ", ".join(f"{year}: {value}" for year, value in schedule.items())
    return {dt.date(year, 1, 1): {"value": p.check_value(value, f"{where}, year {year}", allow),
                                  "reference": f"Phased in by {where} ({text})"} for year, value in pairs}


def index_factor(p: Parameter, from_year: int, to_year: int, macro, where: str) -> float:
    """Uprating factor of parameter ``p`` between two years under its indexation rule."""
    if p.indexation == "none" or from_year == to_year:
        return 1.0
    if p.indexation == "fixed":
        return (1 + p.indexation_rate / 100) ** (to_year - from_year)
    if macro is None:
        raise SpecError(f"{where}: `{p.path}` is indexed ({p.indexation}) but no macro series were given.")
    from_year, to_year = from_year - p.indexation_lag, to_year - p.indexation_lag
    if from_year == to_year:
        return 1.0
    if p.indexation == "gdp_per_head" and "gdp_per_head_growth" not in macro.raw:
        return macro.gdp_per_head_index(to_year, from_year)
    series = {"cpi": "cpi_inflation", "wages": "wage_growth", "gdp_per_head": "gdp_per_head_growth"}[p.indexation]
    if series not in macro.raw:
        raise SpecError(f"{where}: `{p.path}` is indexed to {p.indexation}, but {macro.path} has no `{series}` "
                        "series. Add it (annual % changes with sources) or choose another rule "
                        f"({', '.join(INDEXATION_RULES)}).")
    return macro.growth_index(series, to_year, from_year)
