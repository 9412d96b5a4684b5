"""Every derived value recomputes from its inputs, by the rule its indicator names."""

import pytest

from analysis import derive


@pytest.fixture(scope="module")
def derived(ds):
    return derive.derived_values(ds)


def _inputs(ds, row):
    ids = row["locator"].removeprefix("derived from ").split(", ")
    return ds.observations.set_index("obs_id").loc[ids]


def test_every_derived_value_recomputes_from_its_inputs(ds, derived):
    ind = ds.indicators.set_index("indicator_id")
    assert len(derived) > 0
    for row in derived.to_dict("records"):
        inp = _inputs(ds, row)
        rel = {i: ind.loc[i, "relation"] for i in inp["indicator"]}
        if row["indicator"] == "rd_intensity" and set(inp["indicator"]) == {"rd_expenditure", "gdp"}:
            v = inp.set_index("indicator")["value"]
            expected = v["rd_expenditure"] / v["gdp"] * 100
        else:
            ((rate_id, r),) = [(i, x) for i, x in rel.items() if isinstance(x, str)]
            rate = inp[inp["indicator"] == rate_id]["value"].iloc[0]
            level = inp[inp["indicator"] != rate_id]["value"].iloc[0]
            expected = {
                "share_of_parent": level / (rate / 100),
                "share_of_indicator": level / (rate / 100),
                "yoy_growth_rate": level / (1 + rate / 100),
                "yoy_increase": level - rate,
                "yoy_change_pp": level - rate,
            }[r]
            if r.startswith("yoy"):
                assert row["year"] == inp[inp["indicator"] == rate_id]["year"].iloc[0] - 1
        assert row["value"] == pytest.approx(expected), row["formula"]
        assert row["derived"] is True and row["formula"]


def _one(derived, entity, indicator, year):
    d = derived[
        (derived["entity"] == entity) & (derived["indicator"] == indicator) & (derived["year"] == year)
    ]
    assert len(d) >= 1
    return d


def test_city_enterprises_implied_by_the_zones_share(derived):
    # 49 high-tech enterprises = 23.8% of the city; 109 tech SMEs = 30.4%
    assert _one(derived, "ordos_city", "high_tech_enterprises", 2021)["value"].iloc[0] == pytest.approx(
        205.88, abs=0.01
    )
    assert _one(derived, "ordos_city", "tech_smes", 2021)["value"].iloc[0] == pytest.approx(358.55, abs=0.01)


def test_previous_year_implied_by_a_growth_rate(derived):
    # 109 tech SMEs, +41.6% → 76.98 in 2020 (a whole number, 77, is consistent with the rounding)
    row = _one(derived, "ordos_htz", "tech_smes", 2020).iloc[0]
    assert row["value"] == pytest.approx(76.977, abs=0.001) and row["note"] == ""
    # 49, +220% → 15.31: no whole number fits, and the note says so
    row = _one(derived, "ordos_htz", "high_tech_enterprises", 2020).iloc[0]
    assert row["value"] == pytest.approx(15.3125) and "No whole number" in row["note"]


def test_intensity_derived_only_where_none_is_reported(ds, derived):
    d = derived[(derived["indicator"] == "rd_intensity") & (derived["entity"] == "ordos_city")]
    assert list(d["year"]) == [2022]  # 2023 is reported (0.91%), 2015 too
    assert d["value"].iloc[0] == pytest.approx(44.1 / 5613.4 * 100)


def test_planned_research_assistant_posts(derived):
    assert _one(derived, "ordos_htz", "research_assistant_posts_planned", 2021)["value"].iloc[
        0
    ] == pytest.approx(259 / 1.3)


def test_set_aside_rows_are_not_used_as_inputs(ds, derived):
    # the review's 53.2 dated 2024 (o0042) would imply a 2023 value from a 2024 growth rate: never
    assert not derived["locator"].str.contains("o0042").any()
