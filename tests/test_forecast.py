"""Forecast rules: intervals, bounds, the too-short rule, model choice, determinism."""
import math

import numpy as np
import pytest

from analysis import forecast


def fc(values, years=None, unit="count", end=None):
    years = years or list(range(2010, 2010 + len(values)))
    return forecast.forecast_series("e", "i", unit, years, values, end or (years[-1] + 3 if years else 2030))


@pytest.mark.parametrize("values,unit", [
    ([8, 104, 170, 330], "count"),
    ([0.79, 0.91, 0.95, 1.02, 1.1], "percent"),
    ([10298, 11847, 13016, 14170, 15677, 17606, 19678, 22144, 24393, 27956, 30783, 33357, 36327], "100m_cny"),
    ([5, 3, 4, 2, 1], "count"),
])
def test_interval_ordering(values, unit):
    f = fc(values, unit=unit)
    p = f.path
    assert f.status == "ok" and len(p) == 3
    assert (p["lo95"] <= p["lo80"]).all() and (p["lo80"] <= p["mean"]).all()
    assert (p["mean"] <= p["hi80"]).all() and (p["hi80"] <= p["hi95"]).all()


def test_counts_never_negative_and_percentages_bounded():
    falling = fc([50, 30, 12, 3], unit="count", end=2020)
    assert (falling.path[["mean", "lo80", "lo95"]] >= 0).all().all()
    near_top = fc([90, 95, 98, 99.5], unit="percent", end=2020)
    assert (near_top.path[["mean", "hi80", "hi95"]] <= 100).all().all()


def test_too_short_series_get_a_reason_not_an_exception():
    for values in ([], [5.0], [5.0, 6.0]):
        f = fc(values, years=list(range(2020, 2020 + len(values))) if values else [])
        assert f.status == "too_short" and f.path.empty and "too short" in f.rule
        assert math.isnan(f.prob_meets(2030, 1.0))


def test_three_observations_use_drift_not_evaluated():
    f = fc([10, 20, 30])
    assert f.model == "drift" and "not evaluated" in f.rule and f.scores.empty


def test_rolling_origin_prefers_a_trend_on_a_trending_series():
    f = fc([100 * 1.2 ** k for k in range(6)])
    assert f.model == "log_linear"
    assert set(f.scores["model"]) == {"naive", "drift", "log_linear"}
    naive = f.scores.set_index("model").loc["naive", "mae"]
    assert f.scores.set_index("model").loc["log_linear", "mae"] < naive


def test_backtest_is_one_step_from_each_origin():
    f = fc([1, 2, 4, 8, 16], years=[2015, 2016, 2018, 2019, 2021])
    bt = f.backtest[f.backtest["model"] == "naive"]
    assert list(bt["year"]) == [2019, 2021] and list(bt["origin_year"]) == [2018, 2019]
    assert list(bt["abs_error"]) == [4, 8]
    # MASE is scaled by the in-sample mean absolute one-step change: (1+2+4+8)/4
    assert f.scores.set_index("model").loc["naive", "mase"] == pytest.approx(6 / (15 / 4))


def test_long_regular_series_add_ets_and_arima_candidates():
    values = [10298, 11847, 13016, 14170, 15677, 17606, 19678, 22144, 24393, 27956, 30783, 33357, 36327]
    f = fc(values)
    assert {"ets_damped", "arima_drift"} <= set(f.scores["model"])
    assert "initial window 6" in f.rule


def test_gappy_long_series_do_not_use_ets():
    years = [2012, 2013, 2015, 2016, 2018, 2019, 2020, 2022, 2023]
    f = fc([float(y - 2000) for y in years], years=years)
    assert "ets_damped" not in set(f.scores["model"])


def test_deterministic():
    values = [10298, 11847, 13016, 14170, 15677, 17606, 19678, 22144, 24393, 27956, 30783, 33357, 36327]
    a, b = fc(values), fc(values)
    assert a.model == b.model
    assert np.array_equal(a.path.to_numpy(), b.path.to_numpy())
    assert a.scores.equals(b.scores)


def test_probability_is_monotone_in_the_threshold():
    f = fc([100, 110, 121, 133])
    ps = [f.prob_meets(2015, t) for t in (100, 140, 160, 200, 400)]
    assert all(x >= y for x, y in zip(ps, ps[1:])) and ps[0] > 0.5 > ps[-1]
    assert f.prob_meets(2015, 140, "<=") == pytest.approx(1 - f.prob_meets(2015, 140))


def test_entity_forecasts_cover_every_annual_series(ds):
    from analysis import data, growth
    obs = growth.analysis_observations(data.as_of(ds, 2024))
    fcs = forecast.entity_forecasts(obs, ds.indicators, "china", 2027)
    names = {f.indicator for f in fcs}
    assert {"rd_expenditure", "rd_intensity"} <= names
    assert all(f.status == "ok" for f in fcs if f.indicator in ("rd_expenditure", "rd_intensity"))
