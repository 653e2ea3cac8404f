"""The validator catches each class of error, in plain words, and reports all of them at once."""

import pandas as pd
import pytest

from microsim.errors import PopulationError
from microsim.population.population import Population
from microsim.population.validate import validate_tables


def problems(households, persons):
    return validate_tables(households, persons, "hh.csv", "persons.csv")[2]


def test_valid_tables_have_no_problem(tiny_tables):
    hh, pp = tiny_tables
    assert problems(hh, pp) == []
    pop = Population.from_tables(hh, pp)
    assert pop.persons["age"].dtype == "int16"
    assert list(pop.household_size) == [2, 1]


def test_missing_column(tiny_tables):
    hh, pp = tiny_tables
    found = problems(hh.drop(columns="weight"), pp)
    assert any("hh.csv" in p and "`weight` is missing" in p for p in found)


def test_unknown_column(tiny_tables):
    hh, pp = tiny_tables
    found = problems(hh.assign(income=1.0), pp)
    assert any("unknown column(s) `income`" in p for p in found)
    assert problems(hh.assign(extra_note="ok"), pp) == []  # extra_ columns are carried along


def test_wrong_type(tiny_tables):
    hh, pp = tiny_tables
    found = problems(hh, pp.assign(age=["forty", "3", "70"]))
    assert any("column `age`" in p and "not numbers" in p and "'forty'" in p for p in found)


def test_age_out_of_range(tiny_tables):
    hh, pp = tiny_tables
    found = problems(hh, pp.assign(age=[40, -1, 150]))
    assert any("column `age`: 2 row(s) are out of range" in p for p in found)


def test_negative_consumption(tiny_tables):
    hh, pp = tiny_tables
    found = problems(hh.assign(consumption_pc=[-5.0, 10.0]), pp)
    assert any("column `consumption_pc`" in p and "out of range" in p for p in found)


def test_non_positive_weight(tiny_tables):
    hh, pp = tiny_tables
    found = problems(hh.assign(weight=[0.0, 10.0]), pp)
    assert any("column `weight`" in p and "> 0" in p for p in found)


def test_category_not_allowed(tiny_tables):
    hh, pp = tiny_tables
    found = problems(hh.assign(zone=["rural", "urban"]), pp)
    assert any("column `zone`" in p and "'urban'" in p and "`other_urban`" in p for p in found)


def test_bool_not_true_false(tiny_tables):
    hh, pp = tiny_tables
    found = problems(hh, pp.assign(disabled=["yes", "maybe", "no"]))
    assert any("column `disabled`" in p and "'maybe'" in p for p in found)
    assert problems(hh, pp.assign(disabled=[1, 0, 1])) == []


def test_person_in_missing_household(tiny_tables):
    hh, pp = tiny_tables
    orphan = pd.concat([pp, pp.iloc[[2]].assign(person_id=901, household_id=9)], ignore_index=True)
    found = problems(hh, orphan)
    assert any("belong to households that do not exist" in p and "9" in p for p in found)


def test_household_without_members(tiny_tables):
    hh, pp = tiny_tables
    found = problems(hh, pp[pp.household_id == 1])
    assert any("have no members" in p and "household_id 2" in p for p in found)


def test_household_without_exactly_one_head(tiny_tables):
    hh, pp = tiny_tables
    no_head = pp.assign(relationship=["spouse", "child", "head"])
    assert any("do not have exactly one head" in p for p in problems(hh, no_head))
    two_heads = pp.assign(relationship=["head", "head", "head"])
    assert any("do not have exactly one head" in p and "2 heads" in p for p in problems(hh, two_heads))


def test_duplicated_ids(tiny_tables):
    hh, pp = tiny_tables
    found = problems(hh, pp.assign(person_id=[101, 101, 201]))
    assert any("column `person_id`: 1 duplicated identifier(s)" in p for p in found)


def test_employment_type_by_age(tiny_tables):
    hh, pp = tiny_tables
    found = problems(hh, pp.assign(employment_type=[None, "services", "inactive"]))
    assert any("aged 15 or over have no employment type" in p for p in found)
    assert any("under 15 have an employment type" in p for p in found)


def test_pregnant_man(tiny_tables):
    hh, pp = tiny_tables
    found = problems(hh, pp.assign(pregnant=[False, False, True]))
    assert any("pregnant but are not women aged 10 to 55" in p for p in found)


def test_every_problem_reported_at_once(tiny_tables):
    hh, pp = tiny_tables
    bad_hh = hh.drop(columns="idpoor").assign(weight=[-1.0, 2.0])
    bad_pp = pp.assign(age=[40, 3, 200], sex=["female", "x", "male"])
    with pytest.raises(PopulationError) as err:
        Population.from_tables(bad_hh, bad_pp, where_h="hh.csv", where_p="persons.csv")
    message = str(err.value)
    assert len(err.value.problems) == 4
    for needle in ("`idpoor` is missing", "column `weight`", "column `age`", "column `sex`"):
        assert needle in message


def test_work_columns_are_checked_against_each_other(tiny_tables):
    hh, pp = tiny_tables
    good = pp.assign(labour_status=["own_account", None, "inactive"], earnings=[500000.0, 0.0, 0.0])
    assert problems(hh, good) == []
    found = problems(hh, good.assign(labour_status=["own_account", "own_account", "employer"],
                                     earnings=[500000.0, 0.0, 100.0]))
    assert any("column `labour_status`: 1 child(ren) under 15 have a labour status" in p for p in found)
    assert any("column `labour_status`: 1 person(s) are `inactive` in one of" in p for p in found)
    assert any("column `earnings`: 1 person(s) not in work" in p for p in found)
    insured = good.assign(nssf_member=[True, False, False])
    assert any("NSSF member(s) are not `wage_employee_private`" in p for p in problems(hh, insured))
    assert any("column `earnings`" in p and "at least 0" in p or "column `earnings`" in p and ">= 0" in p
               for p in problems(hh, good.assign(earnings=[-1.0, 0.0, 0.0])))
    assert any("column `labour_status`" in p and "'farmer'" in p
               for p in problems(hh, good.assign(labour_status=["farmer", None, "inactive"])))


def test_labour_status_is_derived_for_data_without_it(tiny_tables):
    from microsim.population.labour import labour_status

    hh, pp = tiny_tables
    pp = pd.concat([pp, pd.DataFrame({"person_id": [202, 203], "household_id": [2, 2], "relationship": ["spouse", "child"],
                                      "age": [45, 20], "sex": ["female", "male"],
                                      "employment_type": ["industry_wage", "services"], "disabled": [False, False],
                                      "contributory_pension": [False, False], "in_school": [False, False],
                                      "pregnant": [False, False]})], ignore_index=True)
    pop = Population.from_tables(hh, pp.assign(nssf_member=[False, False, False, False, True]))
    derived = [None if pd.isna(v) else v for v in labour_status(pop.persons)]
    assert derived == ["own_account", None, "inactive", "wage_employee_private", "wage_employee_private"]
    assert [None if pd.isna(v) else v for v in labour_status(pop.persons.assign(nssf_member=False))][3:] == [
        "wage_employee_private", "own_account"]  # services outside the NSSF: own account
