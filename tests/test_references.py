"""Every number names its source inside the repository's own files: no reference to a brief or a
file outside the repository."""

import re

import pytest

from microsim.engine.system import load_system
from microsim.paths import HOME

DATA_FILES = sorted([*(HOME / "policies").rglob("*.yaml"), *(HOME / "synthetic_data").glob("*.yaml"),
                     *(HOME / "synthetic_data" / "targets").glob("*.yaml")])
OUTSIDE = re.compile(r"DOMAIN|\.\./|shared/|seeds/")
DOCUMENT = re.compile(r"[\w./-]+\.md\b")


@pytest.mark.parametrize("path", DATA_FILES, ids=[str(p.relative_to(HOME)) for p in DATA_FILES])
def test_no_data_file_cites_a_file_outside_the_repository(path):
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        assert not OUTSIDE.search(line), f"{path.name}:{number}: {line.strip()}"
        for document in DOCUMENT.findall(line):  # a document cited must be one of the repository's own
            assert (HOME / document).exists(), f"{path.name}:{number}: {document} is not in the repository"


def test_every_parameter_value_has_a_reference_naming_a_source_or_an_assumption():
    _, tree = load_system()
    for path, parameter in tree.parameters.items():
        for date, entry in parameter.values.items():
            reference = entry["reference"]
            assert len(reference) >= 12, (path, date, reference)


def test_no_document_or_code_cites_the_brief_or_files_outside_the_repository():
    """Docs, code and scripts name sources by what they are, never the project brief (DOMAIN.md) or a
    path outside the repository."""
    files = [*HOME.glob("*.md"), *(HOME / "docs").rglob("*.md"), *(HOME / "microsim").rglob("*.py"),
             *(HOME / "benchmarks").glob("*.*"), *(HOME / "tools").glob("*.py"), *(HOME / "validation").glob("*.yaml")]
    for path in files:
        text = path.read_text(errors="ignore")
        assert "DOMAIN.md" not in text and "/work/" not in text and "../shared/bench/" not in text, path
