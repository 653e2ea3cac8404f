"""Reading and writing populations.

A population on disk is a folder: ``households.parquet`` and ``persons.parquet`` (or ``.csv``)
and ``metadata.yaml``. Survey microdata in other layouts (Stata ``.dta``, CSV, Parquet with the
survey's own variable names and codes) is read through a mapping file (YAML) that says which
variable is which schema column; see docs/data-schema.md.

Writes are atomic: everything goes to a temporary folder beside the target, which is renamed
into place only when complete, so a failed write never leaves a half-written population.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import yaml

from microsim.errors import MicrosimError, SpecError
from microsim.population import derived
from microsim.population.population import Population
from microsim.common.yamlfile import read_yaml

FORMAT = "microsim-population/1"
TABLE_FILES = ("households", "persons")


# ---- atomic output folders -------------------------------------------------------------------
def _check_output_path(path: Path, what: str) -> None:
    """Refuse an output path whose parent is an ordinary file, or that is itself a file."""
    if path.exists() and not path.is_dir():
        raise MicrosimError(f"The output {path} is an ordinary file, not a folder; a {what} is a folder. "
                            "Choose another --out (nothing was written).")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise MicrosimError(f"Cannot write the {what} {path}: {parent} is an ordinary file, not a folder. "
                                    "Choose another --out (nothing was written).")
            break


def _check_replaceable(path: Path, overwrite: bool, owned, what: str) -> None:
    """The output path is not under a file; if it exists, --overwrite was given and it holds only
    what this program wrote there."""
    _check_output_path(path, what)
    if path.exists():
        if not overwrite:
            raise MicrosimError(f"The {what} {path} already exists. Choose another --out, or add --overwrite to "
                                "replace it.")
        problem = owned(path) if owned is not None else ""
        if problem:
            raise MicrosimError(f"The folder {path} is not replaced: {problem}. Its files could be yours: choose "
                                "another --out, or move them away (nothing was written).")


def preflight_output(path: str | os.PathLike, overwrite: bool = False, owned=None, what: str = "output folder") -> None:
    """Check before any work that ``path`` can be written (and replaced, if it exists) as
    :func:`atomic_folder` will: a long computation never ends in an error about its output."""
    path = Path(path)
    _check_replaceable(path, overwrite, owned, what)
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is not None and not os.access(parent, os.W_OK | os.X_OK):
        raise MicrosimError(f"Cannot write the {what} {path}: {parent} is not writable. Choose a folder you can "
                            "write to with --out (nothing was written).")


@contextmanager
def atomic_folder(path: str | os.PathLike, overwrite: bool = False, owned=None, what: str = "output folder"):
    """Yield a temporary folder; on success move it to ``path``; on any error (or interruption)
    remove it, so nothing half-written is ever left.

    An existing ``path`` is replaced only with ``overwrite`` and, when ``owned`` is given, only if
    ``owned(path)`` finds nothing but what this program wrote there (it returns what else it found,
    or why the folder is not ours; empty when it may be replaced): a folder holding the user's own
    files is never deleted. The old folder is removed only once the new one is complete.
    """
    path = Path(path)
    _check_replaceable(path, overwrite, owned, what)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    except OSError as e:
        raise MicrosimError(f"Cannot write the {what} {path}: {e.strerror or e} (in {path.parent}). Choose a "
                            "folder you can write to with --out (nothing was written).") from None
    tmp.chmod(0o755)  # mkdtemp makes it private; the result is an ordinary folder
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    try:
        if path.exists():
            old = path.with_name(f".{path.name}.old-{os.getpid()}")
            path.rename(old)
        tmp.rename(path)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not path.exists():
            old.rename(path)
        raise MicrosimError(f"Cannot write the {what} {path}: {e.strerror or e}.") from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def preflight_file(path: str | os.PathLike, overwrite: bool, option: str) -> Path:
    """Check before any work that the single file ``path`` (given with ``option``, e.g. ``--csv``)
    can be written: not a folder, not under an ordinary file, and an existing file only with
    ``--overwrite``. Returns the path."""
    path = Path(path)
    if path.is_dir():
        raise MicrosimError(f"{option} {path} is a folder; give a file name (nothing was written).")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise MicrosimError(f"{option} {path}: {parent} is an ordinary file, not a folder; choose another "
                                    f"{option} (nothing was written).")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise MicrosimError(f"{option} {path}: {parent} is not writable; choose a folder you can write to "
                                    "(nothing was written).")
            break
    if path.exists() and not overwrite:
        raise MicrosimError(f"{option} {path} already exists. Choose another file name, or add --overwrite to "
                            "replace it (nothing was written).")
    return path


def write_file_atomically(path: Path, write, option: str) -> None:
    """Write one file through ``write(temporary_path)`` beside ``path``, then move it into place: an
    interrupted or failed write leaves the old file (or none), never half of a new one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(handle)
    except OSError as e:
        raise MicrosimError(f"Cannot write {option} {path}: {e.strerror or e}.") from None
    tmp = Path(name)
    try:
        write(tmp)
        tmp.chmod(0o644)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise MicrosimError(f"Cannot write {option} {path}: {e.strerror or e}.") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


POPULATION_FILES = {"households.parquet", "households.csv", "persons.parquet", "persons.csv", "metadata.yaml",
                    "calibration_report.md", "calibration_targets.csv", derived.FILE}


def foreign_files(folder: Path, ours: set[str]) -> list[str]:
    """Files under ``folder`` (relative paths, at any depth) that are not in ``ours``; anything but a
    file (a link, a socket) counts as foreign too. Empty folders are not counted."""
    found = {str(p.relative_to(folder)) for p in folder.rglob("*") if not p.is_dir() or p.is_symlink()}
    return sorted(found - ours)


def population_folder_problem(path: Path) -> str:
    """'' when ``path`` is a population folder this program wrote and holds nothing else."""
    try:
        meta = yaml.safe_load((Path(path) / "metadata.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        meta = None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        return "it was not written by microsim (it has no metadata.yaml of ours)"
    extra = foreign_files(Path(path), POPULATION_FILES)
    return f"besides the population it holds {', '.join(extra[:5])}" + (" ..." if len(extra) > 5 else "") if extra else ""


# ---- population folders ----------------------------------------------------------------------
def write_population(pop: Population, path: str | os.PathLike, fmt: str = "parquet",
                     overwrite: bool = False, extra=None) -> Path:
    """Write ``pop`` as a population folder (``fmt`` parquet or csv) atomically; return the path.

    ``extra``, if given, is called with the temporary folder to add files (e.g. a report) that
    must appear together with the population or not at all.
    """
    if fmt not in ("parquet", "csv"):
        raise MicrosimError(f"Unknown format {fmt!r}; expected parquet or csv.")
    meta = dict(pop.metadata)
    meta["format"] = FORMAT
    meta["content_sha256"] = pop.content_hash()
    meta["households"] = pop.n_households
    meta["persons"] = pop.n_persons
    with atomic_folder(path, overwrite, owned=population_folder_problem, what="population folder") as tmp:
        for name, df in (("households", pop.households), ("persons", pop.persons)):
            if fmt == "parquet":
                df.to_parquet(tmp / f"{name}.parquet", index=False, compression="zstd")
            else:
                df.to_csv(tmp / f"{name}.csv", index=False, lineterminator="\n")
        derived.write(pop, tmp)  # member counts and consumption order of a large population
        with open(tmp / "metadata.yaml", "w", encoding="utf-8") as f:
            yaml.safe_dump(meta, f, sort_keys=False, allow_unicode=True)
        if extra is not None:
            extra(tmp)
    return Path(path)


def _table_file(folder: Path, name: str) -> Path:
    found = [folder / f"{name}{ext}" for ext in (".parquet", ".csv") if (folder / f"{name}{ext}").exists()]
    if len(found) > 1:
        raise MicrosimError(f"The population folder {folder} has both {name}.parquet and {name}.csv, so it is not "
                            "clear which to read. Keep one of them (nothing was read).")
    if found:
        return found[0]
    raise MicrosimError(f"The population folder {folder} has no {name}.parquet or {name}.csv. "
                        "A population folder holds households and persons tables (see docs/data-schema.md).")


def _read_table(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path, columns=columns)
        if path.suffix == ".csv":
            return pd.read_csv(path, usecols=columns, keep_default_na=True, low_memory=False)
        if path.suffix == ".dta":
            return pd.read_stata(path, columns=columns, convert_categoricals=False)
    except (OSError, ValueError, KeyError) as e:
        raise MicrosimError(f"Cannot read {path}: {e}") from e
    raise MicrosimError(f"Cannot read {path}: expected a .parquet, .csv or .dta file.")


def read_population(path: str | os.PathLike) -> Population:
    """Read and validate a population folder, or survey files described by a mapping ``.yaml``."""
    path = Path(path)
    if not path.exists():
        raise MicrosimError(f"No population at {path}: expected a population folder "
                            "(households and persons tables) or a mapping file (.yaml).")
    if path.is_file():
        if path.suffix in (".yaml", ".yml"):
            return read_mapped(path)
        raise MicrosimError(f"{path} is a file; expected a population folder or a mapping file (.yaml).")
    meta_file = path / "metadata.yaml"
    meta = {}
    if meta_file.exists():
        try:
            meta = yaml.safe_load(meta_file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as e:
            raise MicrosimError(f"Cannot read {meta_file}: {e}") from e
    hh_file, p_file = _table_file(path, "households"), _table_file(path, "persons")
    with ThreadPoolExecutor(2) as pool:  # Parquet decoding releases the GIL: both tables at once
        households, persons = pool.map(_read_table, (hh_file, p_file))
    pop = Population.from_tables(households, persons, meta,
                                 where_h=str(hh_file), where_p=str(p_file), source=str(path))
    derived.read(pop, path)  # stored member counts and consumption order, if made from these columns
    return pop


# ---- survey files through a mapping ----------------------------------------------------------
MAPPING_KEYS = {"file", "columns", "values", "multiply", "constants"}


def _code_text(values: pd.Series) -> pd.Series:
    """Codes as text, with whole numbers written without a decimal part (Stata gives 1.0 for 1)."""
    numeric = pd.to_numeric(values, errors="coerce")
    whole = numeric.notna() & (numeric == numeric.round())
    text = values.astype(str)
    return text.where(~whole, numeric.round().astype("Int64").astype(str))


def _recode(values: pd.Series, recode: dict) -> pd.Series:
    """Survey codes -> schema values, for whole columns; codes without an entry pass through."""
    keys = _code_text(pd.Series(list(recode.keys()), dtype=object))
    lookup = dict(zip(keys, recode.values()))
    text = _code_text(values)
    known = text.isin(list(lookup))
    return values.astype(object).where(~known, text.map(lookup))


def _apply_mapping(raw: pd.DataFrame, spec: dict, where: str) -> pd.DataFrame:
    out = {}
    for target, source in (spec.get("columns") or {}).items():
        if source not in raw.columns:
            raise SpecError(f"{where}: columns.{target} names variable {source!r}, which is not in the file "
                            f"(it has {', '.join(map(str, list(raw.columns)[:30]))}).")
        s = raw[source]
        recode = (spec.get("values") or {}).get(target)
        if recode:
            s = _recode(s, recode)
        factor = (spec.get("multiply") or {}).get(target)
        if factor is not None:
            s = pd.to_numeric(s, errors="coerce") * float(factor)
        out[target] = s.reset_index(drop=True)
    df = pd.DataFrame(out)
    for target, value in (spec.get("constants") or {}).items():
        df[target] = value
    return df


def _check_mapping_section(spec: dict, where: str) -> None:
    """Types of a mapping section: file a path; columns, multiply, constants mappings; values mappings of codes."""
    if not isinstance(spec["file"], str) or not spec["file"]:
        raise SpecError(f"{where}: `file` must be the data file's path, e.g. `file: cses_households.dta` "
                        f"(found {spec['file']!r}).")
    for key, example in (("columns", "zone: urban_rural"), ("values", "zone: {1: phnom_penh}"),
                         ("multiply", "consumption_pc: 30"), ("constants", "province: unknown")):
        if spec.get(key) is not None and not isinstance(spec[key], dict):
            raise SpecError(f"{where}: `{key}` must be a mapping of schema columns, e.g. `{example}` "
                            f"(found {type(spec[key]).__name__}).")
    for target, source in (spec.get("columns") or {}).items():
        if not isinstance(source, (str, int)) or isinstance(source, bool):
            raise SpecError(f"{where}: columns.{target} must name a variable of the data file (found {source!r}).")
    for target, factor in (spec.get("multiply") or {}).items():
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not math.isfinite(factor):
            raise SpecError(f"{where}: multiply.{target} must be a finite number, e.g. 30 to turn daily "
                            f"amounts into monthly ones (found {factor!r}).")
        if target not in (spec.get("columns") or {}):
            raise SpecError(f"{where}: multiply.{target} names a column that `columns` does not map; add "
                            f"`{target}: <variable>` under `columns`.")
    for target, recode in (spec.get("values") or {}).items():
        if not isinstance(recode, dict):
            raise SpecError(f"{where}: values.{target} must map survey codes to schema values, e.g. "
                            f"`{{1: phnom_penh, 2: other_urban}}` (found {recode!r}).")


def read_mapped(mapping_file: str | os.PathLike) -> Population:
    """Read survey microdata through a mapping file (see docs/data-schema.md, "Your own data")."""
    mapping_file = Path(mapping_file)
    _, mapping = read_yaml(mapping_file, "mapping file")
    if not isinstance(mapping, dict) or not {"households", "persons"} <= set(mapping):
        raise SpecError(f"{mapping_file}: expected two sections, `households:` and `persons:`, each with "
                        "`file:` and `columns:` (see docs/data-schema.md).")
    tables = {}
    for name in TABLE_FILES:
        spec = mapping[name]
        where = f"{mapping_file}, section `{name}`"
        if not isinstance(spec, dict) or "file" not in spec:
            raise SpecError(f"{where}: expected `file:` (the data file) and `columns:` (schema column: variable).")
        unknown = set(spec) - MAPPING_KEYS
        if unknown:
            raise SpecError(f"{where}: unknown key(s) {sorted(unknown)}; expected {sorted(MAPPING_KEYS)}.")
        _check_mapping_section(spec, where)
        try:
            data_file = (mapping_file.parent / spec["file"]).resolve()
        except (ValueError, OSError) as e:
            raise SpecError(f"{where}: `file` {spec['file']!r} is not a usable path ({e}).") from None
        if not data_file.exists():
            raise SpecError(f"{where}: file {spec['file']!r} not found (looked for {data_file}).")
        raw = _read_table(data_file)
        tables[name] = (_apply_mapping(raw, spec, where), str(data_file))
    (hh, wh), (pp, wp) = tables["households"], tables["persons"]
    meta = {"generator": "survey microdata", "mapping": str(mapping_file), "calibration": "none"}
    return Population.from_tables(hh, pp, meta, where_h=wh, where_p=wp, source=str(mapping_file))
