"""The R&D and patents chapters and the figures, in both editions: worded headers, findings that
name the right numbers, caveats computed for the focal entity, Chinese text without Latin words."""

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis import config, growth, i18n, plots
from analysis.report import build_report
from analysis.views import patents, rd
from analysis.views.shared import entity_row

ALLOWED_LATIN = {"R", "D", "GDP", "CSV"}


@pytest.fixture(scope="module")
def rep():
    plots.setup()
    return build_report()


def latin_words(text: str) -> set[str]:
    """Latin words of a text, leaving out source ids in brackets."""
    text = re.sub(r"\[[^\]]*\]", "", text)
    return set(re.findall(r"[A-Za-z]+", text)) - ALLOWED_LATIN


def test_findings_compare_the_latest_intensity_with_the_country_in_the_same_year(rep):
    need = rd.growth_needed(rep)
    obs, top = rep.obs, rep.parents()[-1]
    same = obs[
        (obs["entity"] == top)
        & (obs["indicator"] == "rd_intensity")
        & (obs["period"] == "year")
        & (obs["year"].astype(int) == need["city_year"])
    ]
    gap = abs(need["city_latest"] - float(same["value"].iloc[0]))  # same year, by hand
    first = rd.findings(rep)[0]
    assert f"{need['city_latest']:.2f}%" in first and f"({need['city_year']})" in first
    assert f"{gap:.2f} percentage points" in first and "same year" in first
    if need["country_year"] != need["city_year"]:  # the country's later figure is named with its year
        assert f"{need['country_latest']:.2f}% ({need['country_year']})" in first
    with i18n.language("zh_CN"):
        zh = rd.findings(rep)
    assert f"{need['city_latest']:.2f}%（{need['city_year']}年）" in zh[0]
    assert all(not latin_words(s) for s in zh), zh


def test_caveats_are_computed_for_the_focal_entity_only(rep):
    own = rd.caveats(rep)
    name = rep.ds.entities.set_index("entity_id").loc[rep.entity, "name_en"]
    assert own and all(name in c for c in own)
    other = next(e for e in rep.ds.entities["entity_id"] if e not in rep.ds.conflicts["entity"].tolist())
    rep_other = build_report(rep.year, other)
    text = " ".join(rd.caveats(rep_other))
    assert name not in text  # nothing about the default entity is said of another one
    with i18n.language("zh_CN"):
        assert all(not latin_words(c) for c in rd.caveats(rep))


def test_tables_have_worded_headers_and_no_true_false(rep):
    for lang in ("en", "zh_CN"):
        with i18n.language(lang):
            tabs = [
                rd.rd_display(rep, rd.rd_table(rep)),
                patents.patent_table(rep, [rep.entity, *rep.children()]),
                patents.invention_share_section(rep, (rep.children()[0], rep.entity)),
            ]
            for tab in tabs:
                assert isinstance(tab, pd.DataFrame)
                assert not any("_" in str(c) for c in tab.columns), tab.columns
                cells = {str(v) for v in tab.to_numpy().ravel()}
                assert not cells & {"True", "False"}
            if lang == "zh_CN":
                for tab in tabs:
                    assert all(not latin_words(str(c)) for c in tab.columns), tab.columns


def test_invention_share_is_the_ratio_of_the_two_counts(rep):
    zone = rep.children()[0]
    t = patents.invention_share_check(rep, zone)
    r = t.iloc[0]
    assert r["computed_share_pct"] == pytest.approx(100 * r["invention_applications"] / r["applications"])
    with i18n.language("zh_CN"):
        shown = patents.invention_share_section(rep, (zone, rep.entity))
        assert shown.iloc[0]["是否使用推算值"] in ("是", "否")


def test_patent_findings_state_the_counts(rep):
    apps = rep.obs[(rep.obs["entity"] == rep.entity) & (rep.obs["indicator"] == "patent_applications")]
    last = apps.sort_values("year").iloc[-1]
    f = patents.findings(rep)
    assert f"{int(last['value']):,}" in f[0] and str(int(last["year"])) in f[0]
    with i18n.language("zh_CN"):
        assert all(not latin_words(s) for s in patents.findings(rep))


def test_wrap_keeps_every_line_within_the_width():
    title = "Ordos High-tech Industrial Development Zone: invention patents per ten thousand employees"
    lines = plots.wrap(title, 12, 5.6).split("\n")
    assert len(lines) > 1 and "".join(lines).replace(" ", "") == title.replace(" ", "")
    assert all(plots._text_width(x, 12) <= 5.6 * 72 for x in lines)
    zh = plots.wrap("鄂尔多斯高新技术产业开发区：每万名从业人员发明专利拥有量与专利申请量对比", 12, 3)
    assert all(plots._text_width(x, 12) <= 3 * 72 for x in zh.split("\n"))


def test_latest_label_flags_a_dated_year():
    age = config.stale_after_years()
    assert plots.latest_label("1.0%", 2024, 2024) == "1.0% (2024)"
    assert "dated" in plots.latest_label("1.0%", 2024 - age - 1, 2024)
    with i18n.language("zh_CN"):
        assert "数据较旧" in plots.latest_label("1.0%", 2024 - age - 1, 2024)
        assert "数据较旧" not in plots.latest_label("1.0%", 2024 - age, 2024)


def test_fan_chart_draws_derived_history_hollow_and_names_it():
    path = pd.DataFrame(
        {"year": [2024], "mean": [2.0], "lo80": [1.5], "hi80": [2.5], "lo95": [1.0], "hi95": [3.0]}
    )
    plots.setup()
    with i18n.language("zh_CN"):
        fig = plots.fan_chart(
            [2021, 2022, 2023], [1.0, 1.2, 1.5], path, "标题", "percent", "来源", derived=[False, True, False]
        )
        labels = [t.get_text() for lg in fig.legends for t in lg.get_texts()]
        assert "推算值" in labels
        hollow = [ln for ln in fig.axes[0].lines if ln.get_markerfacecolor() == "white"]
        assert len(hollow) == 1 and list(hollow[0].get_xdata()) == [2022]
        assert plots.caption(fig)[0] == "资料来源：来源"
        assert fig.axes[0].get_xlabel() == "年份"
    plt.close("all")


def test_no_gap_is_computed_across_a_break_in_the_intensity_series(rep):
    full = growth.series(rep.obs, rep.entity, "rd_intensity")
    shown = growth.comparable_segment(full)
    tab = rd.rd_table(rep)
    before = tab["year"] < int(shown["year"].min())
    for b in rep.parents():
        assert tab.loc[before, f"gap_to_{b}"].isna().all()
        after = tab[~before & tab[rep.entity].notna() & tab[b].notna()]
        assert (after[f"gap_to_{b}"] - (after[rep.entity] - after[b])).abs().max() < 1e-9


def test_invention_share_table_has_every_entity_with_both_counts(rep):
    pair = (rep.children()[0], rep.entity)
    shown = patents.invention_share_section(rep, pair)
    obs = rep.obs[rep.obs["period"] == "year"]
    for e in pair:
        inv = obs[(obs["entity"] == e) & (obs["indicator"] == "invention_patent_applications")]
        allc = obs[(obs["entity"] == e) & (obs["indicator"] == "patent_applications")]
        for y in set(inv["year"].astype(int)) & set(allc["year"].astype(int)):
            share = (
                100
                * float(inv[inv["year"] == y]["value"].iloc[0])
                / float(allc[allc["year"] == y]["value"].iloc[0])
            )
            name = i18n.short_name(entity_row(rep, e))
            row = shown[(shown["Entity"] == name) & (shown["Year"] == str(y))]
            assert len(row) == 1 and row.iloc[0]["Invention share, computed (%)"] == f"{share:.1f}"


def test_fan_chart_of_a_count_never_goes_below_zero_and_keeps_the_history_readable():
    # a short count series whose outer band spans orders of magnitude (as a pooled model gives)
    path = pd.DataFrame(
        {
            "year": [2022, 2023],
            "mean": [155.0, 220.0],
            "lo80": [70.0, 64.0],
            "hi80": [345.0, 5000.0],
            "lo95": [30.0, 17.0],
            "hi95": [811.0, 280000.0],
        }
    )
    plots.setup()
    fig = plots.fan_chart(
        [2020, 2021],
        [77.0, 109.0],
        path,
        "t",
        "count",
        "s",
        target={"year": 2023, "value": 200, "label": "x"},
    )
    lo, hi = fig.axes[0].get_ylim()
    assert lo == 0
    assert hi == pytest.approx(
        1.3 * 2 * 220.0
    )  # CLIP_FACTOR × INNER_REACH × the highest of mean/target/history
    assert "80% and 95%" in plots.caption(fig)[1]
    assert "109" in [tx.get_text() for tx in fig.axes[0].texts]
    plt.close("all")


def test_legend_columns_fit_the_figure():
    plots.setup()
    assert plots.legend_columns(["a", "b"]) == 2
    long = "内蒙古自治区（最新0.93%，2023年）"
    # two columns of this label and its symbol are wider than the figure: one column
    assert (
        2 * (plots._text_width(long, plots.MIN_FONT) + plots.LEGEND_HANDLE_PT) > plots.FIGSIZE[0] * 72 * 0.96
    )
    assert plots.legend_columns([long, "中国"]) == 1
