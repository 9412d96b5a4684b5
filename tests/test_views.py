"""Chapter values computed from the data (what the prose and tables of the book state)."""

import pytest

from analysis.report import build_report
from analysis.tables import fmt_value
from analysis.views import enterprises, methods, patents, rd, scorecard, summary


@pytest.fixture(scope="module")
def rep2024(ds):
    return build_report(2024, ds=ds)


@pytest.fixture(scope="module")
def rep2021(ds):
    return build_report(2021, ds=ds)


def test_summary_sentences_follow_the_data(rep2024, rep2021):
    s = summary.enterprise_sentence(rep2024, "ordos_city")
    assert "330 national high-tech enterprises in 2024" in s and "701 registered tech-based SMEs in 2024" in s
    # in 2021 the city's tech SMEs exist only as a value derived from the zone's share: said so
    s21 = summary.enterprise_sentence(rep2021, "ordos_city")
    assert "about 359 registered tech-based SMEs in 2021 (derived, not reported)" in s21
    r = summary.rd_sentence(rep2024, "ordos_city")
    assert "53.2 亿元 (2023)" in r and "0.91%" in r and "1.74 percentage points below China's 2.65%" in r


def test_rd_chapter_second_sentence(rep2024, rep2021):
    # "The city's latest R&D intensity is 0.91% (2023)": observations.csv reports 0.91 for 2023
    v = rd.values(rd.growth_needed(rep2024))
    assert (v["city_latest"], v["city_year"]) == ("0.91", 2023)
    # the zone's 2.5% target is adopted in 2021; from 0.91 (2023) to 2.5 by 2024 in one year
    assert v["zone_target"] == "2.5" and v["req_to_zone"] == f"{100 * (2.5 / 0.91 - 1):.1f}%"


def test_rd_target_follows_the_as_of_rule(ds):
    # a report for 2020 cannot see a target adopted in 2021: no reference line, no required rate
    rep = build_report(2020, ds=ds)
    assert rd.intensity_target(rep) is None
    need = rd.growth_needed(rep)
    assert "req_cagr_to_zone_target" not in need and rd.values(need)["zone_target"] == "–"


def test_growth_claim_bound(rep2024):
    c = patents.growth_claim_check(rep2024, "ordos_htz")
    # 'over 30% a year since 2017' with 458 applications in 2021 → at most 458 / 1.3^4 in 2017
    assert c["patent_applications_max_start"] == pytest.approx(458 / 1.3**4)
    assert not c["checkable"]  # no 2017 count in the sources


def test_doubling_bound_is_half_the_claimed_year(rep2024):
    d = enterprises.doubling_bounds(rep2024).set_index("claim_year")
    assert sorted(d["max_baseline_if_doubled"]) == [165.0, 350.5]


def test_zone_share_computed_and_reported(rep2024):
    t = enterprises.zone_share_table(rep2024, "ordos_htz", "ordos_city")
    hte = t[(t["year"] == 2021) & t["indicator"].str.startswith("National high-tech")].iloc[0]
    assert hte["computed_share_pct"] == pytest.approx(49 / 170 * 100) and hte["reported_share_pct"] == 23.8


def test_rd_table_gaps(rep2024):
    t = rd.rd_table(rep2024).set_index("year")
    assert t.loc[2023, "gap_to_china"] == pytest.approx(0.91 - 2.65)
    assert bool(t.loc[2022, "intensity_derived"]) and not bool(t.loc[2023, "intensity_derived"])
    shown = rd.rd_display(rep2024, rd.rd_table(rep2024)).set_index("Year")
    assert shown.loc["2023", "Gap to China (pp)"] == "-1.74"
    assert shown.loc["2022", "City intensity (%)"].endswith(" (derived)")


def test_coverage_marks_partial_years(rep2024):
    cov = methods.coverage(rep2024, ["ordos_city"])
    row = cov.loc[next(i for i in cov.index if "Patent grants" in i)]
    assert row[2019] == methods.REPORTED and row[2024] == methods.PART_YEAR_ONLY  # Jan–Sep only in 2024


def test_scorecard_display_reads_without_colour(rep2024):
    tab, styles = scorecard.scorecard_display(rep2024)
    assert len(tab) == len(rep2024.card)
    assert tab["Status"].str.len().min() > 0 and styles["Status"].str.contains("background-color").all()
    # grey with black words for 'not reported', as metadata.yaml says
    first = list(rep2024.card["status"]).index("not_reported")
    assert styles["Status"].iloc[first] == "background-color: #9e9e9e; color: black"
    assert tab["Status"].iloc[first] == "Not reported"


def test_one_formatter_uses_the_units_decimals():
    assert fmt_value(2.6, "percent") == "2.60" and fmt_value(-0.123, "pp", signed=True) == "-0.12"
    assert fmt_value(0.5, "pp", signed=True) == "+0.50" and fmt_value(float("nan"), "percent") == "–"
    assert fmt_value(12345.0, "count") == "12,345" and fmt_value(53.2, "100m_cny") == "53.2"


def test_report_sees_only_its_year(ds):
    rep = build_report(2021, ds=ds)
    assert rep.ds.observations["year"].max() == 2021 and rep.ds.as_of == 2021
    assert (rep.ds.targets["adopted_year"] <= 2021).all()
    assert rep.parents() == ["inner_mongolia", "china"] and rep.children() == ["ordos_htz"]


def test_open_chapter_is_the_whole_setup(tmp_path):
    from analysis import tables
    from analysis.views import open_chapter

    ch = open_chapter(2021, None, None, tmp_path, "en")  # None: report.yml's entity and horizon
    try:
        assert ch.rep.year == 2021 and ch.rep.entity == "ordos_city" and ch.rep.horizon == 3
        assert ch.focus == ["ordos_city", "ordos_htz"]
        assert ch.modelled == ["ordos_city", "ordos_htz", "inner_mongolia", "china"]
        assert ch.header.data.startswith("**Report year 2021** · focus: Ordos City (鄂尔多斯市)")
        assert tables.write_csv(tables.pd.DataFrame({"a": [1]}), "t") == tmp_path / "t.csv"
    finally:
        tables.set_downloads(None)


def test_rd_paragraphs_name_whose_target_it_is(rep2024):
    # the 2.5% intensity target belongs to the zone (targets.csv), the 0.91% (2023) to the city
    p = rd.paragraphs(rep2024)
    assert p["levels_sentence"] == "The latest R&D intensity of Ordos City (鄂尔多斯市) is 0.91% (2023)."
    assert p["growth_paragraph"].startswith(
        "The target of an R&D intensity of at least 2.5% by 2024 is that of Ordos High-tech Industrial "
        "Development Zone (鄂尔多斯高新技术产业开发区), not of Ordos City (鄂尔多斯市)"
    )
    assert f"grow {100 * (2.5 / 0.91 - 1):.1f}% a year" in p["growth_paragraph"]


def test_doubling_paragraph_only_where_a_doubling_is_claimed(rep2024):
    # the city's two 十四五 doubling targets carry a claim in targets.csv; Hohhot has no target at all
    text = enterprises.doubling_paragraph(rep2024, ["ordos_city", "ordos_htz"])
    assert text.count(" of Ordos City (鄂尔多斯市)") == 2 and "cannot be verified" in text
    assert enterprises.doubling_paragraph(rep2024, ["hohhot"]) == ""


def test_each_plan_gets_a_one_line_summary_of_its_statuses():
    """Three targets of one plan, one of another: counted by hand, statuses in report order."""
    from types import SimpleNamespace

    import pandas as pd

    card = pd.DataFrame(
        {
            "plan": ["Plan A", "Plan A", "Plan B", "Plan A"],
            "theme": ["t", "t", "t", "t"],
            "status": ["on_track", "achieved", "not_reported", "on_track"],
        }
    )
    rep = SimpleNamespace(card=card)
    assert scorecard.plans(rep) == ["Plan A", "Plan B"]
    assert scorecard.plan_summary(rep, "Plan A") == "**Plan A**: 3 targets — 1 achieved; 2 on track."
    assert scorecard.plan_summary(rep, "Plan B") == "**Plan B**: 1 target — 1 not reported."
