"""Reading the YAML files analysts edit, with errors that name the file."""

from __future__ import annotations

from pathlib import Path

import yaml

from microsim.errors import SpecError


def read_yaml(path: str | Path, what: str) -> tuple[bytes, object]:
    """The file's bytes (for hashing) and its parsed content; ``what`` names it in errors."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SpecError(f"Cannot read the {what} {path}: {e.strerror or e}.") from e
    try:
        return data, yaml.safe_load(data)
    except yaml.YAMLError as e:
        raise SpecError(f"The {what} {path} is not valid YAML: {e}") from e
