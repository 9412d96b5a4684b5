"""The scorecard rules, at and around every threshold."""

import math

import pandas as pd
import pytest

from analysis import targets
from analysis.forecast import forecast_series
from conftest import obs_frame


@pytest.mark.parametrize(
    "ratio,status",
    [
        (1.5, "on_track"),
        (0.95, "on_track"),
        (0.9499, "moderate"),
        (0.60, "moderate"),
        (0.5999, "insufficient"),
        (0.0, "insufficient"),
        (-0.0001, "moving_away"),
        (math.nan, "insufficient_data"),
    ],
)
def test_eurostat_categories(ratio, status):
    assert targets.assess_ratio(ratio) == status


def target(**kw):
    base = {
        "target_id": "t",
        "entity": "e",
        "indicator": "i",
        "kind": "level",
        "comparator": ">=",
        "target_value": 200.0,
        "unit": "count",
        "baseline_year": pd.NA,
        "baseline_value": pd.NA,
        "period_start": pd.NA,
        "target_year": 2024,
        "theme": "x",
        "name_en": "n",
        "name_zh": "名",
        "source_id": "s",
        "locator": "l",
        "status_claim": None,
        "status_claim_source": None,
        "status_claim_locator": None,
    }
    return {**base, **kw}


def test_passed_target_achieved_not_achieved_or_not_reported():
    obs = obs_frame([{"year": 2021, "value": 109}, {"year": 2024, "value": 210}])
    assert targets.assess_target(target(), obs, 2024)["status"] == "achieved"
    obs2 = obs_frame([{"year": 2021, "value": 109}, {"year": 2024, "value": 190}])
    assert targets.assess_target(target(), obs2, 2025)["status"] == "not_achieved"
    obs3 = obs_frame([{"year": 2021, "value": 109}, {"year": 2025, "value": 300}])
    r = targets.assess_target(target(), obs3, 2025)
    assert r["status"] == "not_reported" and "no observation for 2024" in r["rule"]


def test_eurostat_required_growth_is_from_the_base_year():
    # base 100 (2020), latest 121 (2022): actual 10% a year. Required from the BASE year:
    # (200 / 100)^(1/4) − 1 = 18.92% a year; R = 0.10 / 0.1892 = 0.529 → insufficient.
    # The growth still needed from the latest value is (200 / 121)^(1/2) − 1 = 28.56%.
    obs = obs_frame([{"year": 2020, "value": 100}, {"year": 2022, "value": 121}])
    r = targets.assess_target(target(baseline_year=2020), obs, 2022)
    assert r["actual_cagr"] == pytest.approx(0.10)
    assert r["required_cagr"] == pytest.approx(0.189207, abs=1e-6)
    assert r["ratio"] == pytest.approx(0.528521, abs=1e-6) and r["status"] == "insufficient"
    assert r["required_cagr_from_latest"] == pytest.approx(0.285649, abs=1e-6)


def test_eurostat_on_track_and_moderate_by_hand():
    # 100 (2020) → 125 (2022): 11.80% a year; needed 18.92% → R = 0.625 → moderate
    r = targets.assess_target(
        target(baseline_year=2020),
        obs_frame([{"year": 2020, "value": 100}, {"year": 2022, "value": 125}]),
        2022,
    )
    assert r["ratio"] == pytest.approx(0.6235, abs=1e-3) and r["status"] == "moderate"
    # 100 → 144 (2022): 20% a year ≥ 95% of 18.92% → on track
    r = targets.assess_target(
        target(baseline_year=2020),
        obs_frame([{"year": 2020, "value": 100}, {"year": 2022, "value": 144}]),
        2022,
    )
    assert r["ratio"] == pytest.approx(0.20 / 0.189207, abs=1e-4) and r["status"] == "on_track"


def test_declared_baseline_at_the_latest_year_is_insufficient_data():
    # the baseline year is the latest year: one point in the window, no growth rate (no silent
    # fall-back to an earlier point)
    obs = obs_frame([{"year": 2019, "value": 80}, {"year": 2021, "value": 109}])
    r = targets.assess_target(target(baseline_year=2021), obs, 2021)
    assert r["status"] == "insufficient_data" and "1 reported value since 2021" in r["rule"]


def test_stale_data_is_insufficient_data():
    obs = obs_frame([{"year": 2015, "value": 100}, {"year": 2018, "value": 150}])
    r = targets.assess_target(target(target_year=2026), obs, 2023, rules={"max_data_age": 3})
    assert r["status"] == "insufficient_data" and "more than 3 years" in r["rule"]
    r = targets.assess_target(target(target_year=2026), obs, 2021, rules={"max_data_age": 3})
    assert r["status"] != "insufficient_data"


def test_inconsistent_and_doubtful_values_stay_out():
    obs = obs_frame(
        [
            {
                "year": 2020,
                "value": 34.06,
                "derived": True,
                "note": "No whole number is consistent with the growth rate as rounded",
            },
            {"year": 2021, "value": 109},
        ]
    )
    assert targets.assess_target(target(), obs, 2021)["status"] == "insufficient_data"
    low = obs_frame([{"year": 2019, "value": 104, "confidence": "low"}, {"year": 2021, "value": 170}])
    assert targets.assess_target(target(), low, 2021)["status"] == "insufficient_data"


def test_over_qualifier_is_a_lower_bound():
    over = obs_frame([{"year": 2024, "value": 250, "qualifier": "over"}])
    assert targets.assess_target(target(), over, 2024)["status"] == "achieved"  # > 250 ≥ 200
    below = obs_frame([{"year": 2024, "value": 150, "qualifier": "over"}])
    r = targets.assess_target(target(), below, 2024)
    assert r["status"] == "insufficient_data" and "over 150" in r["rule"]  # > 150: cannot decide


def test_target_ahead_with_one_observation_is_insufficient_data():
    obs = obs_frame([{"year": 2022, "value": 121}])
    assert targets.assess_target(target(), obs, 2022)["status"] == "insufficient_data"


def test_target_already_met_is_on_track():
    obs = obs_frame([{"year": 2021, "value": 150}, {"year": 2022, "value": 250}])
    assert targets.assess_target(target(), obs, 2022)["status"] == "on_track"


def test_moving_away():
    obs = obs_frame([{"year": 2020, "value": 150}, {"year": 2022, "value": 120}])  # 150 < 200: falling
    assert targets.assess_target(target(), obs, 2022)["status"] == "moving_away"


def test_rank_target_lower_is_better():
    t = target(kind="rank", comparator="<=", target_value=100.0)
    improving = obs_frame(
        [{"year": 2020, "value": 170}, {"year": 2022, "value": 130}]
    )  # -12.6%/yr vs -12.3% needed
    r = targets.assess_target(t, improving, 2022)
    assert r["ratio"] > 0.95 and r["status"] == "on_track"
    worsening = obs_frame([{"year": 2020, "value": 120}, {"year": 2022, "value": 130}])
    assert targets.assess_target(t, worsening, 2022)["status"] == "moving_away"


def test_cumulative_target_sums_the_additions():
    t = target(kind="cumulative", target_value=90.0, period_start=2022, indicator="new")
    obs = obs_frame(
        [
            {"indicator": "new", "year": 2022, "value": 30},
            {"indicator": "new", "year": 2023, "value": 35},
            {"indicator": "new", "year": 2024, "value": 20},
        ]
    )
    r = targets.assess_target(t, obs, 2024)
    assert r["latest_value"] == 85 and r["status"] == "not_achieved"
    obs_more = obs_frame(
        [{"indicator": "new", "year": 2022, "value": 50}, {"indicator": "new", "year": 2023, "value": 45}]
    )
    assert targets.assess_target(t, obs_more, 2024)["status"] == "achieved"  # met even with 2024 missing
    gap = obs_frame(
        [{"indicator": "new", "year": 2022, "value": 30}, {"indicator": "new", "year": 2024, "value": 20}]
    )
    assert targets.assess_target(t, gap, 2024)["status"] == "not_reported"
    # ahead: 30 and 30 a year so far vs (90 − 60) / 1 = 30 needed → R = 100% → on track
    two = obs_frame(
        [{"indicator": "new", "year": 2022, "value": 30}, {"indicator": "new", "year": 2023, "value": 30}]
    )
    r = targets.assess_target(t, two, 2023)
    assert r["ratio"] == pytest.approx(1.0) and r["status"] == "on_track"
    # one year reported is not enough for a status
    one = obs_frame([{"indicator": "new", "year": 2022, "value": 30}])
    assert targets.assess_target(t, one, 2022)["status"] == "insufficient_data"
    # met early: achieved, not "on track with R = ∞"
    early = obs_frame(
        [{"indicator": "new", "year": 2022, "value": 60}, {"indicator": "new", "year": 2023, "value": 40}]
    )
    r = targets.assess_target(t, early, 2023)
    assert r["status"] == "achieved" and "met early" in r["rule"] and r["p_meet"] == 1.0


def test_annual_minimum():
    t = target(kind="annual_minimum", target_value=2.0, period_start=2022, unit="100m_cny")
    ok = obs_frame([{"year": y, "value": 2.5} for y in (2022, 2023, 2024)])
    assert targets.assess_target(t, ok, 2024)["status"] == "achieved"
    low = obs_frame([{"year": 2022, "value": 2.5}, {"year": 2023, "value": 1.5}, {"year": 2024, "value": 3}])
    assert targets.assess_target(t, low, 2024)["status"] == "not_achieved"
    missing = obs_frame([{"year": 2022, "value": 2.5}])
    assert targets.assess_target(t, missing, 2024)["status"] == "not_reported"
    # a year below the minimum fails the target before its end: not "moving away"
    failed = obs_frame([{"year": 2022, "value": 1.0}])
    r = targets.assess_target(t, failed, 2022)
    assert r["status"] == "not_achieved" and r["p_meet"] == 0.0


def test_claim_used_only_when_the_data_cannot_decide():
    t = target(
        kind="multiple_of_baseline",
        target_value=2.0,
        baseline_year=2020,
        target_year=2025,
        status_claim="achieved early",
        status_claim_source="s2",
        status_claim_locator="q",
    )
    no_base = obs_frame([{"year": 2024, "value": 330}])
    r = targets.assess_target(t, no_base, 2024)
    assert r["status"] == "claimed_achieved" and r["latest_value"] == 330 and pd.isna(r["target_value"])
    with_base = obs_frame([{"year": 2020, "value": 200}, {"year": 2024, "value": 330}])
    r = targets.assess_target(t, with_base, 2024)
    assert r["target_value"] == 400 and r["status"] != "claimed_achieved"


def test_probability_comes_from_the_forecast():
    # 100 → 133 over 2018–2021 (10% a year), flat prior; the median path reaches 133·1.1^3 ≈ 177
    # by 2024: below 200, so P(meet 200) < 0.5; 150 is below the median, so P(meet 150) > 0.5
    pts = [(2018, 100), (2019, 110), (2020, 121), (2021, 133)]
    obs = obs_frame([{"year": y, "value": v} for y, v in pts])
    fc = forecast_series("e", "i", "count", obs["year"], obs["value"], 2024)
    hi = targets.assess_target(target(), obs, 2021, {("e", "i"): fc})["p_meet"]
    lo = targets.assess_target(target(target_value=150.0), obs, 2021, {("e", "i"): fc})["p_meet"]
    assert hi < 0.5 < lo


def test_share_probability_has_no_mass_above_100():
    pts = [(2019, 90), (2020, 95), (2021, 98)]
    obs = obs_frame([{"year": y, "value": v, "unit": "percent"} for y, v in pts])
    fc = forecast_series("e", "i", "percent", obs["year"], obs["value"], 2030, measure="share")
    assert fc.prob_meets(2030, 100.0) == 0.0 and fc.path["hi95"].max() < 100


def test_shipped_scorecard_covers_every_target(ds):
    from analysis.report import build_report

    rep = build_report(2024, ds=ds)
    adopted = ds.targets[ds.targets["adopted_year"] <= 2024]
    assert set(rep.card["target_id"]) == set(adopted["target_id"])  # plans adopted later wait
    assert rep.card["status"].isin(targets.STATUS_LABELS).all()
    # the zone's end-2024 results are not in the sources: never guessed
    plan = rep.card[rep.card["source_id"] == "s_plan_2021_342"]
    assert (plan["status"] == "not_reported").all()


def test_shipped_scorecard_as_of_2021_by_hand(ds):
    """Tech SMEs in the zone: 109 in 2021 (baseline year 2021); the 2020 stock derived from
    '同比增长220%' is not a whole number and stays out, so there is no growth rate: insufficient data."""
    from analysis.report import build_report

    row = build_report(2021, ds=ds).card.set_index("target_id").loc["htz_tech_smes_200"]
    assert row["latest_value"] == 109 and row["latest_year"] == 2021
    assert row["status"] == "insufficient_data" and pd.isna(row["actual_cagr"])
    assert row["required_cagr_from_latest"] == pytest.approx((200 / 109) ** (1 / 3) - 1)


def test_shipped_scorecard_groups_by_plan_and_gives_every_probability(ds):
    from analysis.report import build_report

    card = build_report(2024, ds=ds).card
    assert card["plan"].notna().all() and card["plan"].nunique() >= 4
    # every target still ahead with at least two values in its series has a probability
    ahead = card[
        (card["target_year"] > 2024) & card["kind"].isin(["level", "share"]) & card["target_value"].notna()
    ]
    for r in ahead.to_dict("records"):
        n = len(
            ds.observations[
                (ds.observations["entity"] == r["entity"])
                & (ds.observations["indicator"] == r["indicator"])
                & (ds.observations["period"] == "year")
                & (ds.observations["year"] <= 2024)
            ]
        )
        if n >= 3:
            assert not pd.isna(r["p_meet"]), r["target_id"]


def test_method_text_names_the_rules():
    text = targets.method_text({"min_points": 2, "max_data_age": 3})
    assert "Eurostat" in text and "from the base year" in text and "3 years" in text
    from analysis import i18n

    with i18n.language("zh_CN"):
        zh = targets.method_text({"min_points": 2, "max_data_age": 3})
        assert "欧盟统计局" in zh and "95%" in zh and "60%" in zh and "至少有2个报告值" in zh
        assert "不超过3年" in zh


def test_the_basis_of_a_status_is_written_in_the_edition_language():
    from analysis import i18n

    assert targets.theme_label("R&D") == "R&D" and targets.theme_label("No such theme") == "No such theme"
    with i18n.language("zh_CN"):
        assert targets.theme_label("Talent") == "人才"
        assert i18n.t("targets.passed_no_obs", ty=2024) == "目标年份（2024年）已过，但没有2024年的观测值"
        assert targets._years([2022, 2023]) == "2022、2023"


def test_probability_table_says_why_there_is_none(ds):
    from analysis.report import build_report
    from analysis.views import forecasts as views

    t = views.probability_table(build_report(2024, ds=ds))
    doubling = t[t["Target"].str.contains("“十四五”高新技术企业倍增")]  # the English name carries the Chinese
    assert doubling["Probability of meeting it"].iloc[0].startswith("none: the level to reach is unknown")


@pytest.mark.parametrize("pooled", [False, True])
def test_status_and_probability_never_contradict_on_a_grid(pooled):
    """Synthetic grid of growth paths, noise, lengths, gaps and targets: no 'on track' while
    P(meet) < 0.3 and no 'moving away' while P(meet) > 0.7. With ``pooled`` the prior is the
    report's own (``pooled_priors``) from a panel: the series and three other entities whose
    growth differs from it by up to ±3 points a year. Noise is at least 2% a year: on a noise-free
    series the predictive distribution is nearly a point, and a pace of 95–99% of the required
    one (Eurostat's 'on track') then means a near-certain small shortfall."""
    import itertools

    import numpy as np

    from analysis.forecast import pooled_priors

    bad = []
    for growth, noise, n, tgt_mult, gap in itertools.product(
        (-0.10, -0.02, 0.0, 0.05, 0.12, 0.25), (0.02, 0.05, 0.15), (2, 3, 5), (0.8, 1.2, 1.6, 2.5), (1, 2)
    ):
        rng = np.random.default_rng(int(1000 * (growth + 1)) + int(100 * noise) + n)
        years = [2024 - gap * k for k in range(n)][::-1]

        def path(g, years=years, rng=rng, noise=noise):
            return [100 * (1 + g) ** (y - years[0]) * float(np.exp(rng.normal(0, noise))) for y in years]

        vals = path(growth)
        prior = None
        if pooled:
            panel = [("i", "log", years, vals)]
            panel += [("i", "log", years, path(growth + dg)) for dg in (-0.03, 0.0, 0.03)]
            prior = pooled_priors(panel)[("i", "log")]
        obs = obs_frame([{"year": y, "value": v} for y, v in zip(years, vals)])
        t = target(target_value=100 * tgt_mult, target_year=2028, baseline_year=years[0])
        fc = forecast_series("e", "i", "count", years, vals, 2028, prior=prior)
        r = targets.assess_target(t, obs, 2024, {("e", "i"): fc})
        if (r["status"] == "on_track" and r["p_meet"] < 0.3) or (
            r["status"] == "moving_away" and r["p_meet"] > 0.7
        ):
            bad.append((growth, noise, n, tgt_mult, gap, r["status"], round(r["p_meet"], 3)))
    assert not bad, bad
