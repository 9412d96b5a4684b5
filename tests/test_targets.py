"""The scorecard rules, at and around every threshold."""
import math

import pandas as pd
import pytest

from analysis import targets
from analysis.forecast import forecast_series
from conftest import obs_frame


@pytest.mark.parametrize("ratio,status", [
    (1.5, "on_track"), (0.95, "on_track"), (0.9499, "moderate"), (0.60, "moderate"),
    (0.5999, "insufficient"), (0.0, "insufficient"), (-0.0001, "moving_away"), (math.nan, "insufficient_data"),
])
def test_eurostat_categories(ratio, status):
    assert targets.assess_ratio(ratio) == status


def target(**kw):
    base = {"target_id": "t", "entity": "e", "indicator": "i", "kind": "level", "comparator": ">=",
            "target_value": 200.0, "unit": "count", "baseline_year": pd.NA, "baseline_value": pd.NA,
            "period_start": pd.NA, "target_year": 2024, "theme": "x", "name_en": "n", "name_zh": "名",
            "source_id": "s", "locator": "l", "status_claim": None, "status_claim_source": None,
            "status_claim_locator": None}
    return {**base, **kw}


def test_passed_target_achieved_not_achieved_or_not_reported():
    obs = obs_frame([{"year": 2021, "value": 109}, {"year": 2024, "value": 210}])
    assert targets.assess_target(target(), obs, 2024)["status"] == "achieved"
    obs2 = obs_frame([{"year": 2021, "value": 109}, {"year": 2024, "value": 190}])
    assert targets.assess_target(target(), obs2, 2025)["status"] == "not_achieved"
    obs3 = obs_frame([{"year": 2021, "value": 109}, {"year": 2025, "value": 300}])
    r = targets.assess_target(target(), obs3, 2025)
    assert r["status"] == "not_reported" and "no observation for 2024" in r["rule"]


def test_target_ahead_uses_required_and_actual_growth():
    # 100 (2020) → 121 (2022): actual 10% a year; 121 → 200 by 2024 needs 28.6% a year
    obs = obs_frame([{"year": 2020, "value": 100}, {"year": 2022, "value": 121}])
    r = targets.assess_target(target(), obs, 2022)
    req = (200 / 121) ** 0.5 - 1
    assert r["actual_cagr"] == pytest.approx(0.10) and r["required_cagr"] == pytest.approx(req)
    assert r["ratio"] == pytest.approx(0.10 / req) and r["status"] == "insufficient"


def test_target_ahead_with_one_observation_is_insufficient_data():
    obs = obs_frame([{"year": 2022, "value": 121}])
    assert targets.assess_target(target(), obs, 2022)["status"] == "insufficient_data"


def test_target_already_met_is_on_track():
    obs = obs_frame([{"year": 2021, "value": 150}, {"year": 2022, "value": 250}])
    assert targets.assess_target(target(), obs, 2022)["status"] == "on_track"


def test_moving_away():
    obs = obs_frame([{"year": 2020, "value": 150}, {"year": 2022, "value": 120}])
    assert targets.assess_target(target(), obs, 2022)["status"] == "moving_away"


def test_rank_target_lower_is_better():
    t = target(kind="rank", comparator="<=", target_value=100.0)
    improving = obs_frame([{"year": 2020, "value": 170}, {"year": 2022, "value": 130}])  # -12.6%/yr vs -12.3% needed
    r = targets.assess_target(t, improving, 2022)
    assert r["ratio"] > 0.95 and r["status"] == "on_track"
    worsening = obs_frame([{"year": 2020, "value": 120}, {"year": 2022, "value": 130}])
    assert targets.assess_target(t, worsening, 2022)["status"] == "moving_away"


def test_cumulative_target_sums_the_additions():
    t = target(kind="cumulative", target_value=90.0, period_start=2022, indicator="new")
    obs = obs_frame([{"indicator": "new", "year": 2022, "value": 30}, {"indicator": "new", "year": 2023, "value": 35},
                     {"indicator": "new", "year": 2024, "value": 20}])
    r = targets.assess_target(t, obs, 2024)
    assert r["latest_value"] == 85 and r["status"] == "not_achieved"
    obs_more = obs_frame([{"indicator": "new", "year": 2022, "value": 50}, {"indicator": "new", "year": 2023, "value": 45}])
    assert targets.assess_target(t, obs_more, 2024)["status"] == "achieved"  # met even with 2024 missing
    gap = obs_frame([{"indicator": "new", "year": 2022, "value": 30}, {"indicator": "new", "year": 2024, "value": 20}])
    assert targets.assess_target(t, gap, 2024)["status"] == "not_reported"
    # ahead: 30 a year so far vs (90 − 30) / 2 = 30 needed → R = 100% → on track
    r = targets.assess_target(t, obs_frame([{"indicator": "new", "year": 2022, "value": 30}]), 2022)
    assert r["ratio"] == pytest.approx(1.0) and r["status"] == "on_track"


def test_annual_minimum():
    t = target(kind="annual_minimum", target_value=2.0, period_start=2022, unit="100m_cny")
    ok = obs_frame([{"year": y, "value": 2.5} for y in (2022, 2023, 2024)])
    assert targets.assess_target(t, ok, 2024)["status"] == "achieved"
    low = obs_frame([{"year": 2022, "value": 2.5}, {"year": 2023, "value": 1.5}, {"year": 2024, "value": 3}])
    assert targets.assess_target(t, low, 2024)["status"] == "not_achieved"
    missing = obs_frame([{"year": 2022, "value": 2.5}])
    assert targets.assess_target(t, missing, 2024)["status"] == "not_reported"


def test_claim_used_only_when_the_data_cannot_decide():
    t = target(kind="multiple_of_baseline", target_value=2.0, baseline_year=2020, target_year=2025,
               status_claim="achieved early", status_claim_source="s2", status_claim_locator="q")
    no_base = obs_frame([{"year": 2024, "value": 330}])
    r = targets.assess_target(t, no_base, 2024)
    assert r["status"] == "claimed_achieved" and r["latest_value"] == 330 and pd.isna(r["target_value"])
    with_base = obs_frame([{"year": 2020, "value": 200}, {"year": 2024, "value": 330}])
    r = targets.assess_target(t, with_base, 2024)
    assert r["target_value"] == 400 and r["status"] != "claimed_achieved"


def test_probability_comes_from_the_forecast():
    obs = obs_frame([{"year": y, "value": v} for y, v in [(2018, 100), (2019, 110), (2020, 121), (2021, 133)]])
    fc = forecast_series("e", "i", "count", obs["year"], obs["value"], 2024)
    r = targets.assess_target(target(), obs, 2021, {("e", "i"): fc})
    assert 0 < r["p_meet"] < 1


def test_shipped_scorecard_covers_every_target(ds):
    from analysis.report import build_report
    rep = build_report(2024, ds=ds)
    assert set(rep.card["target_id"]) == set(ds.targets["target_id"])
    assert rep.card["status"].isin(targets.STATUS_LABELS).all()
    # the zone's end-2024 results are not in the sources: never guessed
    plan = rep.card[rep.card["source_id"] == "s_plan_2021_342"]
    assert (plan["status"] == "not_reported").all()


def test_shipped_scorecard_as_of_2021_by_hand(ds):
    """Tech SMEs in the zone: 109 in 2021, 2020 derived as 109 / 1.416; target 200 by 2024."""
    from analysis.report import build_report
    row = build_report(2021, ds=ds).card.set_index("target_id").loc["htz_tech_smes_200"]
    assert row["latest_value"] == 109 and row["latest_year"] == 2021
    assert row["actual_cagr"] == pytest.approx(0.416)
    assert row["required_cagr"] == pytest.approx((200 / 109) ** (1 / 3) - 1)
    assert row["status"] == "on_track" and bool(row["uses_derived"])


def test_probability_table_says_why_there_is_none(ds):
    from analysis.views import forecasts as views
    from analysis.report import build_report
    t = views.probability_table(build_report(2024, ds=ds))
    doubling = t[t["Target"].str.contains("Double the number of high-tech")]
    assert doubling["P(meet target)"].iloc[0].startswith("none: the level to reach is unknown")
