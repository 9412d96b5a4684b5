"""Forecast rules: the pooled model's posterior by hand and by simulation, the too-short rule,
the previous model-choice rule (kept for the calibration benchmark), determinism."""

import math

import numpy as np
import pytest

from analysis import forecast


def fc(values, years=None, unit="count", end=None, method="selected", **kw):
    years = years or list(range(2010, 2010 + len(values)))
    return forecast.forecast_series(
        "e", "i", unit, years, values, end or (years[-1] + 3 if years else 2030), method=method, **kw
    )


def test_pooled_posterior_by_hand():
    # log values 0 (2020) and 0.2 (2022): one change d = 0.2 over g = 2 years.
    # prior m0 = 0, k0 = 1, a0 = 1, b0 = 0.01 → k_n = 3, m_n = 0.2/3, a_n = 1.5,
    # b_n = 0.01 + (0.2²/2 + 0 − 3·(0.2/3)²)/2 = 0.0133333; one year on: loc 0.2 + 0.0666667,
    # scale² = (b_n/a_n)(1 + 1/3) = 0.0118519, Student-t with 3 df.
    prior = forecast.Prior(0.0, 1.0, 1.0, 0.01)
    m = forecast.fit_model("pooled", [2020, 2022], [1.0, math.exp(0.2)], prior, "log")
    d = m.dist(2023)
    assert d.loc == pytest.approx(0.2666667, abs=1e-6) and d.df == pytest.approx(3.0)
    assert d.scale == pytest.approx(math.sqrt(0.0118519), abs=1e-6)
    assert d.cdf(math.exp(0.2666667)) == pytest.approx(0.5, abs=1e-6)


def test_a_gap_carries_its_length_of_variance():
    # one change over a two-year gap is two years of evidence for the drift (k_n = k0 + 2) and
    # its mean change per year is half the step
    prior = forecast.Prior(0.0, 1.0, 2.0, 0.02)
    gap = forecast.fit_model("pooled", [2020, 2022], [1.0, math.exp(0.2)], prior, "log")
    assert gap.kn == pytest.approx(3.0) and gap.mn == pytest.approx(0.2 / 3)


def test_pooled_priors_by_hand():
    # indicator x, log scale, yearly steps: series A changes (0.1, 0.3), B (0.2), C (0.0, 0.4).
    # Pooled drift: (0.1 + 0.3 + 0.2 + 0.0 + 0.4) / 5 years = 0.2 (the same for the whole scale).
    # Residual variances around each series' own drift: A 0.02 (1 df), C 0.08 (1 df), B none;
    # their geometric mean is 0.04 (the arithmetic one would be 0.05).
    e = math.exp
    pri = forecast.pooled_priors(
        [
            ("x", "log", [2020, 2021, 2022], [1.0, e(0.1), e(0.4)]),
            ("x", "log", [2020, 2021], [2.0, 2.0 * e(0.2)]),
            ("x", "log", [2020, 2021, 2022], [3.0, 3.0, 3.0 * e(0.4)]),
        ]
    )
    p = pri[("x", "log")]
    assert p.m0 == pytest.approx(0.2)
    s2 = (2 * 0.04 + forecast.PRIOR_DF * 0.04) / (2 + forecast.PRIOR_DF)
    assert p.b0 / p.a0 == pytest.approx(s2)


def test_simulated_series_are_covered_at_the_stated_rates():
    """Series drawn from the model (drift and scale from the prior, irregular gaps): the 80% and
    95% intervals must cover the next value at their rates, within 3 binomial standard errors."""
    rng = np.random.default_rng(20261122)
    prior = forecast.Prior(0.08, 2.0, 3.0, 3.0 * 0.01)
    n, pits = 1500, []
    for _ in range(n):
        sigma2 = 1.0 / rng.gamma(prior.a0, 1.0 / prior.b0)
        mu = rng.normal(prior.m0, math.sqrt(sigma2 / prior.k0))
        years = np.cumsum(rng.integers(1, 3, size=rng.integers(3, 7))) + 2010
        z = [0.0]
        for g in np.diff(years):
            z.append(z[-1] + rng.normal(mu * g, math.sqrt(sigma2 * g)))
        h = int(rng.integers(1, 4))
        z_next = z[-1] + rng.normal(mu * h, math.sqrt(sigma2 * h))
        m = forecast.fit_model("pooled", years, np.exp(z), prior, "log")
        pits.append(m.dist(int(years[-1]) + h).cdf(math.exp(z_next)))
    pits = np.array(pits)
    for level in (0.80, 0.95):
        cover = np.mean((pits > (1 - level) / 2) & (pits < 1 - (1 - level) / 2))
        assert abs(cover - level) < 3 * math.sqrt(level * (1 - level) / n), (level, cover)
    assert abs(pits.mean() - 0.5) < 3 * math.sqrt(1 / 12 / n)


def test_counts_never_negative_and_percentages_bounded():
    falling = fc([50, 30, 12, 3], unit="count", end=2020)
    assert (falling.path[["mean", "lo80", "lo95"]] >= 0).all().all()
    near_top = fc([90, 95, 98, 99.5], unit="percent", end=2020)
    assert (near_top.path[["mean", "hi80", "hi95"]] <= 100).all().all()


def test_too_short_series_get_a_reason_not_an_exception():
    for values in ([], [5.0]):
        f = fc(values, years=list(range(2020, 2020 + len(values))) if values else [], method="pooled")
        assert f.status == "too_short" and f.path.empty and "too short" in f.rule
        assert math.isnan(f.prob_meets(2030, 1.0))
    for values in ([], [5.0], [5.0, 6.0]):
        f = fc(values, years=list(range(2020, 2020 + len(values))) if values else [])
        assert f.status == "too_short" and f.path.empty and "too short" in f.rule
        assert math.isnan(f.prob_meets(2030, 1.0))


def test_three_observations_use_drift_not_evaluated():
    f = fc([10, 20, 30])
    assert f.model == "drift" and "not evaluated" in f.rule and f.scores.empty


def test_rolling_origin_prefers_a_trend_on_a_trending_series():
    f = fc([100 * 1.2**k for k in range(6)])
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
    f = fc([100, 110, 121, 133], method="pooled")
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


def test_a_series_whose_values_are_all_set_aside_gets_a_reason(ds):
    """A reported series of low-confidence values only is not modelled, and says so."""
    from analysis import data, growth

    obs = growth.analysis_observations(data.as_of(ds, 2024))
    china = (obs["entity"] == "china") & (obs["indicator"] == "rd_expenditure")
    assert china.sum() >= 5
    obs.loc[china, "confidence"] = "low"
    fcs = {f.indicator: f for f in forecast.entity_forecasts(obs, ds.indicators, "china", 2027)}
    assert fcs["rd_expenditure"].status != "ok" and fcs["rd_expenditure"].rule == forecast.set_aside_rule()
    assert fcs["rd_expenditure"].path.empty and fcs["rd_intensity"].status == "ok"


def test_joint_paths_match_the_bivariate_normal_of_a_random_walk():
    """With the posterior pinned (huge a_n and k_n), the model is a random walk with known drift and
    variance: the values one and two years ahead are jointly normal on the log scale with
    covariance [[s², s²], [s², 2s²]]. P(both ≥ c) from the drawn paths must match that, and differ
    from the product of the two marginal probabilities (the years are not independent)."""
    from scipy import stats

    m = forecast.Pooled(scale="log")
    m.t_last, m.z_last, m.mn, m.kn = 2024, math.log(100.0), 0.05, 1e12
    s2 = 0.1**2
    m.an = 1e7
    m.bn = m.an * s2
    m.df = 2 * m.an
    c = 100.0
    mean = [m.z_last + m.mn, m.z_last + 2 * m.mn]
    cov = [[s2, s2], [s2, 2 * s2]]
    truth = stats.multivariate_normal(mean=[-x for x in mean], cov=cov).cdf([-math.log(c)] * 2)
    draws = m.paths([2025, 2026], n=40_000, seed=1)
    p = float((draws >= c).all(axis=1).mean())
    se = math.sqrt(truth * (1 - truth) / 40_000)
    assert abs(p - truth) < 4 * se
    marg = [1 - stats.norm.cdf(math.log(c), loc=mu, scale=math.sqrt(v)) for mu, v in zip(mean, [s2, 2 * s2])]
    assert truth - marg[0] * marg[1] > 10 * se  # the correlation matters here
