"""Chapter values computed from the data (what the prose and tables of the book state)."""

import pytest

from analysis import i18n, vocabulary
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
    assert shown.loc["2022", "R&D intensity of Ordos City (%)"].endswith(" (derived)")


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
    assert styles["Status"].iloc[first].startswith("background-color: #9e9e9e; color: black")
    # symbol and words (metadata.yaml: '?' and 'Not reported'), so it reads in black and white too
    assert tab["Status"].iloc[first] == "? Not reported"
    # status and the latest value first: they stay in view on a narrow screen; six columns fit a
    # 1400 px page, the numbers behind a status share one cell, every column stays in the CSV
    assert list(tab.columns) == [
        "Status",
        "Latest (year)",
        "Target",
        "Target value (by)",
        "Progress (targets still ahead)",
        "Basis of the status",
    ]
    row = rep2024.card.index[rep2024.card["status"] == "insufficient"][0]
    assert tab["Progress (targets still ahead)"].iloc[row].startswith("R = ")
    assert "<br>still needed: " in tab["Progress (targets still ahead)"].iloc[row]


def test_multiple_of_baseline_shows_the_level_in_the_indicators_unit():
    import pandas as pd

    # doubling a 2022 value of 1,589 enterprises: the level is 3,178 enterprises, not '3,178 multiple'
    row = {"kind": "multiple_of_baseline", "comparator": ">=", "target_value": 3178.0, "unit": "multiple"}
    row |= {"baseline_value": 1589.0, "baseline_year": 2022}
    count = vocabulary.load().unit_label("count")
    assert scorecard.target_level(row, "count") == f"≥ 3,178 {count} (2 × 2022 value)"
    assert (
        "multiple"
        not in scorecard.target_level({**row, "baseline_value": float("nan")}, "count").split("(")[0]
    )
    with i18n.language("zh_CN"):
        zh_count = vocabulary.load().unit_label("count")
        assert scorecard.target_level(row, "count") == f"≥ 3,178 {zh_count}（2022年值的2倍）"
        assert "倍数" not in vocabulary.load().unit_label("count")
    level = {"kind": "level", "comparator": "<=", "target_value": 100.0, "unit": "rank"}
    assert scorecard.target_level(level | {"baseline_value": pd.NA}).startswith("≤ 100")


def test_plan_names_in_both_editions():
    from types import SimpleNamespace

    import pandas as pd

    card = pd.DataFrame(
        {"plan": ["规划甲", "规划乙"], "plan_en": ["Plan A", None], "status": ["achieved"] * 2}
    )
    rep = SimpleNamespace(card=card)
    assert scorecard.plan_name(rep, "规划甲") == "Plan A (规划甲)"
    assert scorecard.plan_name(rep, "规划乙") == "规划乙"  # no English title: the official one alone
    with i18n.language("zh_CN"):
        assert scorecard.plan_name(rep, "规划甲") == "规划甲"


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
    chip = scorecard.status_chip
    assert (
        scorecard.plan_summary(rep, "Plan A")
        == f"**Plan A**: 3 targets — {chip('achieved')} 1; {chip('on_track')} 2."
    )
    assert scorecard.plan_summary(rep, "Plan B") == f"**Plan B**: 1 target — {chip('not_reported')} 1."
    # a chip carries symbol, words and the status colour of metadata.yaml
    assert "✓ Achieved" in chip("achieved") and "background-color: #2e7d32; color: white" in chip("achieved")
    with i18n.language("zh_CN"):
        zh = scorecard.plan_summary(rep, "Plan A")
        assert zh == f"**Plan A**：共3项目标——{chip('achieved')}1项；{chip('on_track')}2项。"
        assert "✓ 已实现" in zh and "↑ 进展顺利" in zh


def _card(statuses, years=None, plans=None):
    """A scorecard made by hand: one row per status."""
    from types import SimpleNamespace

    import pandas as pd

    n = len(statuses)
    card = pd.DataFrame(
        {
            "plan": plans or ["Plan A"] * n,
            "theme": ["t"] * n,
            "status": statuses,
            "target_year": years or [2024] * n,
            "name_en": [f"Target {i}" for i in range(n)],
            "name_zh": [f"目标{i}" for i in range(n)],
        }
    )
    return SimpleNamespace(card=card, year=2024, data_end=2024, entity="x")


def test_headline_counts_the_four_groups_by_hand():
    # achieved 2 (one claimed), on track 1, behind 3 (moderate, moving away, not achieved), unknown 2
    rep = _card(
        ["achieved", "claimed_achieved", "on_track", "moderate", "moving_away", "not_achieved"]
        + ["not_reported", "insufficient_data"]
    )
    assert summary.headline_counts(rep) == {"n": 8, "achieved": 2, "on_track": 1, "behind": 3, "unknown": 2}
    assert summary.headline(rep) == (
        "For report year 2024 (data up to 2024), of 8 targets: 2 achieved, 1 on track, 3 behind or not "
        "achieved, 2 unknown (not reported or insufficient data)."
    )
    with i18n.language("zh_CN"):
        assert summary.headline(rep) == (
            "2024年度（数据截至2024年）共评估8项目标：已实现2项，进展顺利1项，进展滞后或未实现3项，"
            "无法判定（未报告或数据不足）2项。"
        )
        text = summary.text_values(rep)
        assert text["n_targets_text"] == "8" and text["n_unknown_text"] == "2"


def test_scorecard_findings_count_by_hand():
    # two plans; of the targets ahead (2025) and undecided: 1 on track, 1 moderate, 1 insufficient data
    rep = _card(
        ["achieved", "not_achieved", "not_reported", "on_track", "moderate", "insufficient_data"],
        years=[2024, 2024, 2024, 2025, 2025, 2025],
        plans=["Plan A", "Plan A", "Plan A", "Plan A", "Plan B", "Plan B"],
    )
    f = scorecard.findings(rep)
    assert f[0] == (
        "Of 6 targets for report year 2024: 1 achieved (0 of them on the word of an official source "
        "only), 1 not achieved, and 1 without a figure for their target year in the sources (not reported)."
    )
    assert f[1] == (
        "Of the 3 targets whose year is still ahead: 1 on track, 1 with moderate progress, 0 with "
        "insufficient progress or moving away, and 1 with too few figures for a status."
    )
    # statuses in words inside a sentence; symbols only in tables, charts and chips
    assert f[2] == (
        "The plan with most targets, Plan A, sets 4: 1 achieved; 1 on track; 1 not achieved; 1 not reported."
    )
    assert f[3] == "Not achieved: Target 1 (目标1)."
    with i18n.language("zh_CN"):
        zh = scorecard.findings(rep)
        assert zh[3] == "未实现的目标：目标1。"
        assert zh[1].startswith("目标年份未到的3项目标中，进展顺利1项，进展一般1项")
        assert zh[2] == "目标最多的规划文件为Plan A，共4项：已实现1项；进展顺利1项；未实现1项；未报告1项。"
        assert not any(sym in "".join(zh) for sym in "✓×?↑↘→")


def test_summary_findings_in_both_editions(rep2024):
    import re

    en = summary.findings(rep2024)
    n = summary.headline_counts(rep2024)
    assert sum(v for k, v in n.items() if k != "n") == n["n"] == len(rep2024.card)
    assert en[0].startswith(f"For report year 2024 the report assesses {n['n']} quantitative targets")
    # the city's patent applications end in 2019 (observations.csv): older than two years, flagged
    assert en[3] == (
        "2 of the key indicators shown have their latest figure more than 2 years before the report "
        "year (Ordos City: 2, latest 2019); they are marked † in the table."
    )
    with i18n.language("zh_CN"):
        zh = summary.findings(rep2024)
        assert zh[1] == "鄂尔多斯市：2024年国家高新技术企业330家；2024年入库科技型中小企业701家。"
        assert "研发投入强度为0.91%（2023年）" in zh[2] and "低1.74个百分点" in zh[2]
        assert zh[3] == (
            "关键指标中有2项最新数值早于报告年度2年以上（鄂尔多斯市2项，最新为2019年），表中以 † 标注。"
        )
        for sentence in zh:  # Chinese only: Latin letters only in R&D
            assert not re.findall(r"[A-Za-z]+", sentence.replace("R&D", "")), sentence


def test_key_indicators_show_the_year_and_flag_old_figures(rep2024):
    tab = summary.key_indicators(rep2024, ["ordos_city"])
    latest = dict(zip(tab["Indicator"], tab["Latest value (year)"]))
    assert latest["National high-tech enterprises (stock) (高新技术企业数（有效期内）)"] == "330 (2024)"
    assert latest["Patent applications (专利申请量)"] == "2,817 (2019) †"  # 2024 − 2019 > 2 years
    assert summary.key_indicators_note(rep2024, ["ordos_city"]).startswith(
        "† latest figure more than 2 years"
    )
    with i18n.language("zh_CN"):
        zh = summary.key_indicators(rep2024, ["ordos_city"])
        assert list(zh.columns) == ["指标", "最新值（年份）", "单位", "地区", "数据类型", "来源"]
        assert "330（2024年）" in set(zh["最新值（年份）"]) and set(zh["数据类型"]) <= {"报告值", "推算值"}


def test_peer_table_is_six_readable_columns(rep2024):
    import re

    _, tab = summary.peer_comparison(rep2024)
    assert list(tab.columns) == ["Indicator", "Rank", "Latest value (year)", "First", "Note", "Source"]
    latest = dict(zip(tab["Indicator"], tab["Latest value (year)"]))
    # R&D intensity with the percent unit's two decimals, never four (0.7856 → 0.79)
    intensity = next(v for k, v in latest.items() if k.startswith("R&D intensity"))
    assert re.match(r"^\d+\.\d{2} % \(\d{4}\)", intensity), intensity
    # a derived count is a whole number (no '358.6 firms')
    for v in tab["Latest value (year)"]:
        if "count" in v:
            assert re.match(r"^[\d,]+ count", v), v
    # values not used get their unit's decimals too (no '205.882')
    assert not any(re.search(r"\d\.\d{3}", n) for n in tab["Note"])
    styles = summary.peer_table_styles(tab)
    assert styles["Rank"].eq("white-space: nowrap").all() and styles["Note"].str.contains("min-width").all()
    first = dict(zip(tab["Indicator"], tab["First"]))
    smes = next(v for k, v in first.items() if k.startswith("Tech-based SMEs"))
    assert re.fullmatch(r".+: [\d,]+", smes), smes  # a whole number of enterprises, derived or not
    with i18n.language("zh_CN"):
        _, zh = summary.peer_comparison(rep2024)
        assert list(zh.columns) == ["指标", "排名", "最新值（年份）", "第一名", "说明", "来源"]
        for cell in zh["说明"]:  # Chinese only: source ids in brackets are the only Latin text
            assert not re.findall(r"[A-Za-z]+", re.sub(r"（[A-Za-z0-9_]+）", "", cell)), cell


def test_a_target_level_already_reached_is_said_so_not_given_a_negative_rate():
    row = {
        "ratio": float("nan"),
        "required_cagr_from_latest": -0.063,
        "p_meet": float("nan"),
        "comparator": ">=",
    }
    assert scorecard.progress_cell(row) == "the latest value already meets the level"
    row["required_cagr_from_latest"] = 0.05
    assert scorecard.progress_cell(row) == "still needed: 5.0% a year"
    with i18n.language("zh_CN"):
        row["required_cagr_from_latest"] = -0.091
        assert scorecard.progress_cell(row) == "最新值已达到目标水平"
