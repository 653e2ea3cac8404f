"""Population folders (Parquet, CSV), atomic writes and survey files read through a mapping."""

import pandas as pd
import pytest
import yaml

from microsim.errors import MicrosimError, PopulationError, SpecError
from microsim.population.io import read_population, write_population


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_round_trip_keeps_every_value(small_population, tmp_path, fmt):
    out = write_population(small_population, tmp_path / "pop", fmt=fmt)
    back = read_population(out)
    pd.testing.assert_frame_equal(back.households, small_population.households)
    pd.testing.assert_frame_equal(back.persons, small_population.persons)
    assert back.content_hash() == small_population.content_hash() == back.metadata["content_sha256"]


def test_refuses_to_overwrite_and_failed_write_leaves_nothing(small_population, tmp_path, monkeypatch):
    target = tmp_path / "pop"
    write_population(small_population, target)
    with pytest.raises(MicrosimError, match="already exists"):
        write_population(small_population, target)

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", boom)
    with pytest.raises(OSError):
        write_population(small_population, tmp_path / "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pop"]  # no half-written folder, no temp left
    with pytest.raises(OSError):
        write_population(small_population, target, overwrite=True)
    assert read_population(target).content_hash() == small_population.content_hash()  # old one intact


def test_reading_a_folder_with_bad_data_names_file_and_column(small_population, tmp_path):
    folder = write_population(small_population, tmp_path / "pop", fmt="csv")
    persons = pd.read_csv(folder / "persons.csv")
    persons.loc[0, "age"] = 130
    persons.to_csv(folder / "persons.csv", index=False)
    with pytest.raises(PopulationError) as err:
        read_population(folder)
    assert "persons.csv, column `age`: 1 row(s) are out of range" in str(err.value)


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(MicrosimError, match="No population at"):
        read_population(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(MicrosimError, match="has no households.parquet or households.csv"):
        read_population(tmp_path / "empty")


def _survey_files(pop, folder):
    """Write a population as a CSES-like survey would: its own names, codes and units."""
    hh = pop.households
    survey_hh = pd.DataFrame({
        "hhid": hh["household_id"].astype("int32"),
        "urbrur": hh["zone"].cat.codes.astype("int8") + 1,
        "hhwgt": hh["weight"],
        "pcexp_day": hh["consumption_pc"] / 30.0,
        "idpoor_lvl": hh["idpoor"],
    })
    p = pop.persons
    survey_p = pd.DataFrame({
        "pid": p["person_id"], "hhid": p["household_id"].astype("int32"),
        "rel": p["relationship"].cat.codes.astype("int8") + 1, "age": p["age"],
        "sex": (p["sex"] == "female").astype("int8") + 1,
        "emp": p["employment_type"].cat.codes.astype("int8"),  # -1 where empty
        "dis": p["disabled"].astype("int8"), "pens": p["contributory_pension"].astype("int8"),
        "school": p["in_school"].astype("int8"), "preg": p["pregnant"].astype("int8"),
    })
    survey_hh.to_stata(folder / "hh.dta", write_index=False)
    survey_p.to_stata(folder / "members.dta", write_index=False)
    rel = ["head", "spouse", "child", "grandchild", "parent", "other_relative", "non_relative"]
    emp = ["agriculture_self_employed", "industry_wage", "services", "unemployed", "inactive"]
    mapping = {
        "households": {
            "file": "hh.dta",
            "columns": {"household_id": "hhid", "zone": "urbrur", "weight": "hhwgt",
                        "consumption_pc": "pcexp_day", "idpoor": "idpoor_lvl"},
            "values": {"zone": {1: "phnom_penh", 2: "other_urban", 3: "rural"}},
            "multiply": {"consumption_pc": 30.0},
            "constants": {"poverty_line": float(hh["poverty_line"].iloc[0])},
        },
        "persons": {
            "file": "members.dta",
            "columns": {"person_id": "pid", "household_id": "hhid", "relationship": "rel", "age": "age",
                        "sex": "sex", "employment_type": "emp", "disabled": "dis",
                        "contributory_pension": "pens", "in_school": "school", "pregnant": "preg"},
            "values": {"relationship": {i + 1: r for i, r in enumerate(rel)},
                       "sex": {1: "male", 2: "female"},
                       "employment_type": {**{i: e for i, e in enumerate(emp)}, -1: None}},
        },
    }
    (folder / "mapping.yaml").write_text(yaml.safe_dump(mapping))
    return folder / "mapping.yaml"


def test_stata_round_trip_through_a_mapping(small_population, tmp_path):
    mapping = _survey_files(small_population, tmp_path)
    back = read_population(mapping)
    contract = ["household_id", "zone", "weight", "idpoor", "poverty_line"]
    pd.testing.assert_frame_equal(back.households[contract], small_population.households[contract])
    pd.testing.assert_series_equal(back.households["consumption_pc"], small_population.households["consumption_pc"],
                                   rtol=1e-12)
    cols = ["person_id", "household_id", "relationship", "age", "sex", "employment_type", "disabled",
            "contributory_pension", "in_school", "pregnant"]
    pd.testing.assert_frame_equal(back.persons[cols], small_population.persons[cols])


def test_mapping_naming_a_missing_variable(small_population, tmp_path):
    mapping = _survey_files(small_population, tmp_path)
    spec = yaml.safe_load(mapping.read_text())
    spec["households"]["columns"]["weight"] = "hh_weight_typo"
    mapping.write_text(yaml.safe_dump(spec))
    with pytest.raises(SpecError, match=r"section `households`: columns.weight names variable 'hh_weight_typo'"):
        read_population(mapping)


def test_recoding_survey_codes_for_whole_columns():
    from microsim.population.io import _recode

    codes = pd.Series([1.0, 2, "3", 9, None], dtype=object)
    got = _recode(codes, {1: "phnom_penh", 2: "other_urban", "3": "rural"})
    assert list(got[:3]) == ["phnom_penh", "other_urban", "rural"]
    assert got[3] == 9 and got[4] is None  # no entry: passed through, for the validator to name
    assert list(_recode(pd.Series(["m", "f"]), {"m": "male", "f": "female"})) == ["male", "female"]
