"""docs/programmes/: one page per programme, regenerated from the parameter files, the modules and
validation/; a stale page fails here."""

from microsim.engine.system import load_system
from microsim.population.io import read_population
from microsim.paths import DEFAULT_POPULATION, HOME
from microsim.reporting.programme_docs import build

PAGES = build(read_population(DEFAULT_POPULATION))


def test_every_programme_has_a_page_and_the_pages_are_current():
    modules, _ = load_system()
    assert set(PAGES) == {f"{name}.md" for name in modules} | {"README.md"}
    for file, text in PAGES.items():
        shipped = HOME / "docs" / "programmes" / file
        assert shipped.exists() and shipped.read_text() == text, \
            f"docs/programmes/{file} is stale: run `microsim policies --write-docs`"


def test_a_page_says_who_what_from_when_and_what_the_model_cannot_see():
    page = PAGES["family_package_hiv.md"]
    for part in ("## Who receives what", "## What the model cannot see", "## Parameters: values by date",
                 "28,000", "Cambodianess", "## In the model, 2026", "not in the population"):
        assert part in page, part
    assert "## Against published figures" in PAGES["contributory_pensions.md"]
    assert "not in force" in PAGES["social_pension.md"]
