"""Growth rules on short, gappy series, checked by hand."""

import math

import pytest

from analysis import growth
from conftest import obs_frame


def test_cagr_over_a_gap_uses_the_actual_years():
    assert growth.cagr(100, 121, 2019, 2021) == pytest.approx(0.10)
    assert growth.cagr(100, 200, 2015, 2020) == pytest.approx(2**0.2 - 1)


def test_cagr_undefined_cases():
    assert math.isnan(growth.cagr(0, 10, 2019, 2020))
    assert math.isnan(growth.cagr(10, 12, 2020, 2020))
    assert math.isnan(growth.cagr(-5, 10, 2019, 2020))


def test_required_cagr():
    # from 109 (2021) to 200 by 2024: (200/109)^(1/3) - 1
    assert growth.required_cagr(109, 200, 2021, 2024) == pytest.approx((200 / 109) ** (1 / 3) - 1)


def test_no_rate_across_a_series_break():
    s = obs_frame(
        [
            {"year": 2016, "value": 4418, "basis": "old"},
            {"year": 2019, "value": 3605, "basis": "new"},
            {"year": 2020, "value": 3533.7, "basis": "new"},
        ]
    )
    assert list(growth.comparable_segment(s)["year"]) == [2019, 2020]
    assert growth.period_cagr(s)["from_year"] == 2019


def test_shares_and_density():
    assert growth.share(128, 458) == pytest.approx(27.947, abs=1e-3)
    assert math.isnan(growth.share(1, 0))


def test_benchmark_gaps_in_points(ds):
    obs = growth.analysis_observations(ds)
    g = growth.benchmark_gaps(obs, "rd_intensity", "ordos_city", ["china"]).set_index("year")
    assert g.loc[2023, "gap_to_china"] == pytest.approx(0.91 - 2.65)


def test_share_table_marks_derived_inputs(ds):
    obs = growth.analysis_observations(ds)
    t = growth.share_table(obs, ("ordos_htz", "tech_smes"), ("ordos_city", "tech_smes"))
    row = t[t["year"] == 2021].iloc[0]
    assert row["uses_derived"] and row["share_pct"] == pytest.approx(30.4, abs=0.01)
