"""Weighted statistics and poverty measures, against hand calculations."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from microsim.common import weighted
from microsim.common.poverty import fgt


def test_fgt_by_hand():
    cons = np.array([50.0, 100.0, 150.0, 200.0])
    line = np.full(4, 100.0)
    w = np.array([1.0, 1.0, 1.0, 1.0])
    assert fgt(cons, line, w, 0) == 0.25  # 100 is not below the line
    assert fgt(cons, line, w, 1) == 0.5 / 4
    assert fgt(cons, line, w, 2) == 0.25 / 4


def test_gini_known_values():
    assert weighted.gini(np.full(5, 3.0), np.ones(5)) == 0.0
    # two people, one has everything: Gini with the trapezoid formula is 1/2
    assert np.isclose(weighted.gini(np.array([0.0, 10.0]), np.ones(2)), 0.5)
    # weights equal to duplicating rows
    x = np.array([1.0, 2.0, 7.0])
    assert np.isclose(weighted.gini(x, np.array([2.0, 1.0, 1.0])), weighted.gini(np.array([1.0, 1.0, 2.0, 7.0]), np.ones(4)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(1, 1e6), st.floats(0.1, 100)), min_size=2, max_size=40), st.randoms())
def test_statistics_do_not_depend_on_row_order(rows, rnd):
    x = np.array([r[0] for r in rows])
    w = np.array([r[1] for r in rows])
    order = list(range(len(rows)))
    rnd.shuffle(order)
    line = np.full(len(rows), 5e5)
    assert np.isclose(weighted.gini(x, w), weighted.gini(x[order], w[order]))
    for a in (0, 1, 2):
        assert np.isclose(fgt(x, line, w, a), fgt(x[order], line[order], w[order], a))


def test_rate_by_group():
    flag = np.array([1, 0, 1, 1], bool)
    codes = np.array([0, 0, 1, -1])
    w = np.array([1.0, 3.0, 2.0, 5.0])
    rates = weighted.rate_by_group(flag, codes, w, 3)
    assert rates[0] == 0.25 and rates[1] == 1.0 and np.isnan(rates[2])


def test_the_weighted_median_is_the_value_at_half_the_weight():
    values = np.array([5.0, 1.0, 3.0, 9.0])
    assert weighted.median(values, np.array([1.0, 1.0, 1.0, 1.0])) == 3.0  # cumulative 1, 2: half reached at 3
    assert weighted.median(values, np.array([1.0, 1.0, 1.0, 10.0])) == 9.0  # the heavy value holds half alone
    assert weighted.median(values[::-1].copy(), np.array([10.0, 1.0, 1.0, 1.0])) == 9.0  # row order does not matter
