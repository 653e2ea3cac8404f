"""Reading the YAML files analysts edit, with errors that name the file.

Two things plain PyYAML gets wrong for hand-edited files are fixed here:

* a key written twice in one mapping silently keeps the last value; here it is an error naming
  the key and both lines;
* ``1e5`` (no decimal point) is read as text under YAML 1.1; here it is the number 100000, as in
  YAML 1.2 and as an analyst means it.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from microsim.errors import SpecError

FLOAT_12 = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")


class DuplicateKey(yaml.YAMLError):
    def __init__(self, key, first_line: int, second_line: int):
        super().__init__(f"the key `{key}` appears twice, on lines {first_line} and {second_line}; "
                         "keep one of them (a repeated key would silently replace the first value)")


LIBYAML = hasattr(yaml, "CSafeLoader")  # libyaml's parser when PyYAML was built with it


class StrictLoader(yaml.CSafeLoader if LIBYAML else yaml.SafeLoader):
    """SafeLoader that refuses duplicated keys and reads ``1e5`` as a number (on libyaml's parser
    when PyYAML has it: the parameter files are read in milliseconds)."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                continue  # an unhashable key: let PyYAML raise its own error
            line = key_node.start_mark.line + 1
            if key in seen:
                raise DuplicateKey(key, seen[key], line)
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


StrictLoader.add_implicit_resolver("tag:yaml.org,2002:float", FLOAT_12, list("-+0123456789."))


MAX_DEPTH = 200  # far beyond any parameter file; libyaml's composer would overflow the C stack


def nesting_depth(data: bytes | str) -> int:
    """How deeply collections nest, from libyaml's event stream (no recursion, so no crash)."""
    depth = deepest = 0
    for event in yaml.parse(data, Loader=StrictLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            deepest = max(deepest, depth)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return deepest


def parse_yaml(data: bytes | str):
    """Parse YAML text with :class:`StrictLoader`; a file nested more than MAX_DEPTH deep raises
    RecursionError (as the pure-Python parser would) before libyaml's composer could crash."""
    if LIBYAML and nesting_depth(data) > MAX_DEPTH:
        raise RecursionError("nested too deeply")
    return yaml.load(data, Loader=StrictLoader)  # noqa: S506 (a SafeLoader subclass)


def read_yaml(path: str | Path, what: str) -> tuple[bytes, object]:
    """The file's bytes (for hashing) and its parsed content; ``what`` names it in errors."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SpecError(f"Cannot read the {what} {path}: {e.strerror or e}.") from e
    return data, parse_file_content(path, data, what)


def parse_file_content(path: str | Path, data: bytes, what: str):
    """Parse the bytes ``data`` of the file ``path``; ``what`` names it in errors."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"The {what} {path} is not a text file (it is not UTF-8); expected YAML.") from None
    try:
        return parse_yaml(text)
    except DuplicateKey as e:
        raise SpecError(f"The {what} {path}: {e}.") from None
    except yaml.YAMLError as e:
        raise SpecError(f"The {what} {path} is not valid YAML: {e}") from None
    except RecursionError:
        raise SpecError(f"The {what} {path} is nested too deeply to be a {what}.") from None
