"""Reading the YAML files analysts edit, with errors that name the file.

Two things plain PyYAML gets wrong for hand-edited files are fixed here:

* a key written twice in one mapping silently keeps the last value; here it is an error naming
  the key and both lines;
* ``1e5`` (no decimal point) is read as text under YAML 1.1; here it is the number 100000, as in
  YAML 1.2 and as an analyst means it.
"""

from __future__ import annotations

import calendar
import re
from pathlib import Path

import yaml

from microsim.errors import SpecError

FLOAT_12 = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")


class DuplicateKey(yaml.YAMLError):
    def __init__(self, key, first_line: int, second_line: int):
        super().__init__(f"the key `{key}` appears twice, on lines {first_line} and {second_line}; "
                         "keep one of them (a repeated key would silently replace the first value)")


class ImpossibleDate(yaml.YAMLError):
    """A value written as a date (YYYY-MM-DD) that no calendar has, such as 2026-13-01 or 2019-02-30."""

    def __init__(self, text: str, line: int, why: str, key=None, is_key: bool = False):
        self.text, self.line, self.why, self.key, self.is_key = text, line, why, key, is_key
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.is_key:
            where = f"the key `{self.text}` (line {self.line}) is not a date"
        elif self.key is not None:
            where = f"the key `{self.key}` has `{self.text}` (line {self.line}), which is not a date"
        else:
            where = f"`{self.text}` (line {self.line}) is not a date"
        return f"{where}: {self.why}; expected a date written YYYY-MM-DD, such as 2026-01-01"


DATE_TEXT = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")


def _why_impossible(text: str) -> str | None:
    """Why ``text`` (which YAML reads as a timestamp) names no day, or None if it is a real one."""
    found = DATE_TEXT.match(text)
    if not found:
        return None
    year, month, day = (int(part) for part in found.groups())
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if year < 1:
        return "years start at 1"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{calendar.month_name[month]} {year} has {days} days"
    return None


LIBYAML = hasattr(yaml, "CSafeLoader")  # libyaml's parser when PyYAML was built with it


class StrictLoader(yaml.CSafeLoader if LIBYAML else yaml.SafeLoader):
    """SafeLoader that refuses duplicated keys and reads ``1e5`` as a number (on libyaml's parser
    when PyYAML has it: the parameter files are read in milliseconds)."""

    def construct_yaml_timestamp(self, node):
        why = _why_impossible(str(node.value))
        if why:
            raise ImpossibleDate(str(node.value), node.start_mark.line + 1, why)
        return super().construct_yaml_timestamp(node)

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:timestamp":
                why = _why_impossible(str(key_node.value))
                if why:
                    raise ImpossibleDate(str(key_node.value), key_node.start_mark.line + 1, why, is_key=True)
            if isinstance(value_node, yaml.ScalarNode) and value_node.tag == "tag:yaml.org,2002:timestamp":
                why = _why_impossible(str(value_node.value))
                if why:  # named by its key here; a date in a list is named by its line alone
                    raise ImpossibleDate(str(value_node.value), value_node.start_mark.line + 1, why,
                                         key=getattr(key_node, "value", None))
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


StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", StrictLoader.construct_yaml_timestamp)
StrictLoader.add_implicit_resolver("tag:yaml.org,2002:float", FLOAT_12, list("-+0123456789."))


MAX_DEPTH = 200  # far beyond any parameter file; libyaml's composer would overflow the C stack


def _deeper(events, limit: int) -> bool:
    depth = 0
    for event in events:
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > limit:
                return True
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return False


def nested_deeper_than(data: bytes | str, limit: int) -> bool:
    """Whether collections nest more than ``limit`` deep, read from the parser's event stream (no
    recursion, so no crash). Recent libyaml releases refuse deep nesting themselves, in words that
    change between releases (and scan ahead of the events, so the count cannot stop first): when
    libyaml refuses the file, the pure-Python parser, which has no nesting limit and does not
    recurse, counts again, so a too-deep file is this module's refusal whichever PyYAML is
    installed, and any other error is the parser's."""
    try:
        return _deeper(yaml.parse(data, Loader=StrictLoader), limit)
    except yaml.YAMLError:
        if not LIBYAML:
            raise
        return _deeper(yaml.parse(data, Loader=yaml.SafeLoader), limit)


def describe_yaml_error(error: yaml.YAMLError) -> str:
    """One sentence for a YAML syntax error: the problem, where (line and column, from 1) and what
    the parser was reading, without PyYAML's multi-line layout and its "<unicode string>"."""
    if not isinstance(error, yaml.MarkedYAMLError):
        return " ".join(str(error).split())
    parts = [" ".join((error.problem or "a syntax error").split())]
    if error.problem_mark is not None:
        parts.append(f"at line {error.problem_mark.line + 1}, column {error.problem_mark.column + 1}")
    if error.context:
        context = " ".join(error.context.split())
        if error.context_mark is not None:
            context += f" (begun at line {error.context_mark.line + 1}, column {error.context_mark.column + 1})"
        parts.append(context)
    return " ".join(parts)


def parse_yaml(data: bytes | str):
    """Parse YAML text with :class:`StrictLoader`; a file nested more than MAX_DEPTH deep raises
    RecursionError (as the pure-Python parser would) before libyaml's composer could crash."""
    if LIBYAML and nested_deeper_than(data, MAX_DEPTH):
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
    except (DuplicateKey, ImpossibleDate) as e:
        raise SpecError(f"The {what} {path}: {e}.") from None
    except yaml.YAMLError as e:
        raise SpecError(f"The {what} {path} is not valid YAML: {describe_yaml_error(e)}.") from None
    except RecursionError:
        raise SpecError(f"The {what} {path} nests lists or mappings more than {MAX_DEPTH} deep: it cannot be "
                        f"a {what}; expected a YAML mapping a few levels deep.") from None
