"""The enterprises and forecasts chapters in both editions: findings state the numbers they are
built from (hand-made inputs or counts read off the data files), tables have worded headers, and
the Chinese edition writes no Latin words beyond the allowed ones (R&D, %, source ids)."""

import math
import re
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis import forecast, i18n
from analysis.report import build_report
from analysis.views import enterprises, forecasts


def latin_words(text: str) -> list[str]:
    """Latin words in a Chinese text, leaving out what the standard allows: 'R&D' and source ids
    (lower-case words joined by underscores)."""
    text = re.sub(r"R&D|\b[a-z0-9]+(?:_[a-z0-9]+)+\b", "", str(text))
    return re.findall(r"[A-Za-z]{2,}", text)


def snake_case(headers) -> list[str]:
    return [h for h in headers if re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", str(h))]


@pytest.fixture(scope="module")
def reports(ds):
    """The 2024 report of the default entity in each edition (the report holds words)."""
    out = {}
    for lang in ("en", "zh_CN"):
        with i18n.language(lang):
            out[lang] = build_report(2024, ds=ds)
    return out


def chapter(rep):
    zones = rep.children()
    return SimpleNamespace(
        focus=[rep.entity, *zones],
        modelled=[rep.entity, *zones, *rep.parents()],
        pair=(zones[0], rep.entity) if zones else None,
    )


# --------------------------------------------------------------------------- forecasts


def card_rows(ds):
    """Three targets still ahead (by 2026, report year 2024), two with a probability, and one
    that has passed (2023), by hand."""
    base = {"entity": "ordos_city", "kind": "level", "target_value": 1.0, "indicator": "rd_intensity"}
    return pd.DataFrame(
        [
            base | {"name_en": "Target A", "name_zh": "甲目标", "target_year": 2026, "p_meet": 0.9},
            base | {"name_en": "Target B", "name_zh": "乙目标", "target_year": 2026, "p_meet": 0.2},
            base | {"name_en": "Target C", "name_zh": "丙目标", "target_year": 2026, "p_meet": math.nan},
            base | {"name_en": "Target D", "name_zh": "丁目标", "target_year": 2023, "p_meet": 0.99},
        ]
    )


def test_target_finding_names_the_most_and_least_likely_target(ds):
    rep = SimpleNamespace(year=2024, entity="ordos_city", ds=ds, card=card_rows(ds))
    text = forecasts.targets_finding(rep)
    assert text == (
        "Of the 3 targets still ahead, 2 have a probability from the growth model: the most likely "
        "to be met is “Target A (甲目标)” of Ordos City (鄂尔多斯市) (90%), the least likely "
        "“Target B (乙目标)” of Ordos City (鄂尔多斯市) (20%)."
    )
    with i18n.language("zh_CN"):
        zh = forecasts.targets_finding(rep)
    assert (
        "尚未到期的3项目标中，2项" in zh
        and "鄂尔多斯市“甲目标”（90%）" in zh
        and "鄂尔多斯市“乙目标”（20%）" in zh
    )
    assert latin_words(zh) == []


def test_target_finding_without_probabilities_or_targets_ahead(ds):
    card = card_rows(ds).assign(p_meet=math.nan)
    rep = SimpleNamespace(year=2024, entity="ordos_city", ds=ds, card=card)
    assert forecasts.targets_finding(rep).startswith("None of the 3 targets still ahead has a probability")
    rep = SimpleNamespace(year=2030, entity="ordos_city", ds=ds, card=card)
    assert forecasts.targets_finding(rep) == (
        "No target of Ordos City (鄂尔多斯市) or its zones and benchmarks has a target year after 2030."
    )


def fake_forecast(indicator, unit, path=None, status="ok", n_obs=3, entity="ordos_city"):
    return SimpleNamespace(
        entity=entity,
        indicator=indicator,
        unit=unit,
        status=status,
        n_obs=n_obs,
        path=path,
        scores=pd.DataFrame(),
    )


def test_headline_finding_states_the_central_path_and_the_inner_interval():
    path = pd.DataFrame(
        {
            "year": [2025, 2026, 2027],
            "mean": [1.0, 1.1, 1.2],
            "lo80": [0.9, 0.85, 0.8],
            "hi80": [1.2, 1.5, 1.7],
            "lo95": [0.8, 0.7, 0.64],
            "hi95": [1.3, 1.8, 2.24],
        }
    )
    fc = fake_forecast("rd_intensity", "percent", path)
    names = {"rd_intensity": "R&D intensity"}
    rep = SimpleNamespace(
        forecast_by_series={("ordos_city", "rd_intensity"): fc},
        label=lambda kind, key: names[key],
        ds=build_report.__globals__["data"].load(),
    )
    text = forecasts.headline_finding(rep, "ordos_city")
    assert text == (
        "By 2027, the central path of Ordos City (鄂尔多斯市) reaches: R&D intensity 1.20% (0.80%–1.70%) "
        "(in brackets the 80% prediction interval)."
    )
    with i18n.language("zh_CN"):
        names["rd_intensity"] = "研发投入强度"
        zh = forecasts.headline_finding(rep, "ordos_city")
    assert zh == "按中心路径，到2027年鄂尔多斯市：研发投入强度约1.20%（0.80%–1.70%）（括号内为80%预测区间）。"
    rep.forecast_by_series = {}
    assert "has the 2 annual observations a forecast needs" in forecasts.headline_finding(rep, "ordos_city")


def test_too_short_series_are_grouped_by_entity_and_reason():
    fcs = [
        fake_forecast("a", "count", status="too_short", n_obs=1),
        fake_forecast("b", "count", status="too_short", n_obs=1),
        fake_forecast("c", "count", status="too_short", n_obs=0),  # every value set aside
        fake_forecast("d", "count", status="too_short", n_obs=1, entity="ordos_htz"),
        fake_forecast("e", "count", status="ok", n_obs=4),
    ]
    labels = {"ordos_city": "City", "ordos_htz": "Zone", "a": "A", "b": "B", "c": "C", "d": "D"}
    rep = SimpleNamespace(forecasts=fcs, label=lambda kind, key: labels[key])
    t = forecasts.too_short(rep, ["ordos_city", "ordos_htz"])
    assert t.values.tolist() == [
        ["City", "fewer than 2 annual observations", 2, "A; B"],
        ["City", t.iloc[1, 1], 1, "C"],
        ["Zone", "fewer than 2 annual observations", 1, "D"],
    ]
    assert t.iloc[1, 1].startswith("every value set aside")
    assert forecasts.n_too_short(rep, ["ordos_city"]) == 3
    with i18n.language("zh_CN"):
        zh = forecasts.too_short(rep, ["ordos_city", "ordos_htz"])
        assert list(zh.columns) == ["对象", "未预测原因", "序列数", "指标"]
        assert zh.iloc[0, 1] == "年度观测值少于2个" and zh.iloc[0, 3] == "A、B"
        assert forecasts.fold_summaries(rep, ["ordos_city"])["too_short"] == "3条序列未作预测（按对象列出）"


def test_forecast_chapter_tables_are_worded_in_both_editions(reports):
    for lang, rep in reports.items():
        ch = chapter(rep)
        with i18n.language(lang):
            shown = [
                forecasts.forecast_overview(rep, ch.modelled),
                forecasts.backtest_table(rep, ch.modelled),
                forecasts.too_short(rep, ch.modelled),
                forecasts.probability_table(rep),
            ]
            for tab in shown:
                assert isinstance(tab, pd.DataFrame) and len(tab)
                assert snake_case(tab.columns) == []
                assert not any(tab[c].dtype == bool for c in tab.columns)
                assert not tab.astype(str).isin(["True", "False"]).any().any()
                if lang == "zh_CN":
                    for h in tab.columns:
                        assert latin_words(h) == [], h
            if lang == "zh_CN":
                for s in forecasts.findings(rep, ch):
                    assert latin_words(s) == [], s
                for col in ("模型", "选用理由"):
                    for v in shown[0][col]:
                        assert latin_words(v) == [], v
                for v in shown[3]["实现概率"]:
                    assert latin_words(v) == [], v


def test_probability_text_for_a_series_with_no_observation():
    row = {"p_meet": math.nan, "target_value": 10.0, "kind": "level", "entity": "x", "indicator": "y"}
    rep = SimpleNamespace(forecast_by_series={})
    assert forecasts._probability_text(rep, row) == "none: no annual observation"
    rep = SimpleNamespace(
        forecast_by_series={("x", "y"): fake_forecast("y", "count", status="too_short", n_obs=1)}
    )
    assert forecasts._probability_text(rep, row) == "none: 1 annual observation, too few to model"
    with i18n.language("zh_CN"):
        assert forecasts._probability_text(rep, row) == "无：仅1个年度观测值，不足以建模"


def test_forecast_texts_in_chinese_name_no_latin_words():
    with i18n.language("zh_CN"):
        for model in forecast.MODEL_ORDER:
            assert latin_words(forecast.model_label(model)) == [], model
        sf = forecast.forecast_series("e", "i", "count", [2020], [5.0], 2027)
        assert sf.rule == "仅1个观测值，少于2个，序列过短，不作预测"
        sf = forecast.forecast_series("e", "i", "count", [2020, 2022, 2023], [5.0, 6.0, 8.0], 2027)
        assert sf.status == "ok" and "对数尺度上的带漂移随机游走" in sf.rule and latin_words(sf.rule) == []
    sf = forecast.forecast_series("e", "i", "count", [2020], [5.0], 2027)
    assert sf.rule == "1 observation: fewer than 2, too short to model; no forecast"


# --------------------------------------------------------------------------- enterprises


def test_enterprise_findings_state_the_counts_and_the_zone_share(reports):
    # data/observations.csv: the city reports 330 high-tech enterprises in 2024 and 8 in 2016,
    # 701 tech SMEs in 2024; the zone 49 high-tech enterprises in 2021 against the city's 170
    rep = reports["en"]
    ch = chapter(rep)
    counts = enterprises.counts_finding(rep, rep.entity)
    assert counts.startswith("Ordos City (鄂尔多斯市) has 330 National high-tech enterprises")
    assert "(2024; 8 in 2016)" in counts and "701 Tech-based SMEs" in counts
    share = enterprises.share_finding(rep, ch.pair)
    assert f"holds {100 * 49 / 170:.1f}% of the National high-tech enterprises" in share and "(2021)" in share
    assert enterprises.doubling_finding(rep, ch.focus).startswith("2 doubling targets are claimed as met")
    with i18n.language("zh_CN"):
        zh = reports["zh_CN"]
        items = enterprises.findings(zh, chapter(zh))
    assert items[0].startswith("鄂尔多斯市高新技术企业数（有效期内）为330（2024年；2016年为8）")
    assert f"{100 * 49 / 170:.1f}%（2021年）" in items[1]
    assert items[3] == "来源称2项倍增目标已实现，但基期值未公布，无法核实。"
    for s in items:
        assert latin_words(s) == [], s


def test_enterprise_targets_finding_counts_each_status(reports):
    rep = reports["en"]
    theme = enterprises.enterprise_theme(rep)
    rows = rep.card[rep.card["theme"] == theme]
    text = enterprises.targets_finding(rep)
    assert text.startswith(f"Of the {len(rows)} enterprise targets: ")
    n_on_track = int((rows["status"] == "on_track").sum())
    # statuses in words inside a sentence, without the symbols of tables and charts
    assert (f"{n_on_track} on track" in text) == (n_on_track > 0) and "↑" not in text


def test_enterprise_tables_have_worded_headers_in_chinese(reports):
    rep = reports["zh_CN"]
    ch = chapter(rep)
    with i18n.language("zh_CN"):
        counts = enterprises.enterprise_table(rep, ch.focus)
        share = enterprises.zone_share_section(rep, ch.pair)
        doubling = enterprises.doubling_section(rep, ch.focus)
        paragraph = enterprises.doubling_paragraph(rep, ch.focus)
    for tab in (counts, share, doubling):
        assert snake_case(tab.columns) == [] and all(latin_words(h) == [] for h in tab.columns)
    assert set(counts["是否采用"]) <= {"是", "否（采用其他来源）"}
    assert all(latin_words(k) == [] for k in counts["公布值或推算值"])
    assert "358.6（推算值）" in set(share["全市"])  # the city's 2021 SME count, derived
    assert sorted(doubling["若已翻番，基期值至多为"]) == ["165", "350.5"]  # 330 / 2, 701 / 2
    assert "无法核实" in paragraph and latin_words(paragraph) == []


def test_a_city_without_zones_gets_sentences_not_tables(ds):
    with i18n.language("zh_CN"):
        rep = build_report(2024, "hohhot", ds=ds)
        ch = chapter(rep)
        assert ch.pair is None
        assert enterprises.zone_share_section(rep, ch.pair) == "2024年度的数据中没有呼和浩特市的园区。"
        assert enterprises.share_finding(rep, ch.pair) == ""
        items = [s for s in enterprises.findings(rep, ch) if s]
        assert items and all(latin_words(s) == [] for s in items)


def test_fan_charts_cover_the_focus_and_the_benchmark_series_with_a_target():
    ok = [
        fake_forecast("a", "count", entity="city"),
        fake_forecast("b", "count", entity="region"),
        fake_forecast("c", "count", entity="region"),
        fake_forecast("d", "count", entity="region", status="too_short", n_obs=1),
    ]
    card = pd.DataFrame({"entity": ["region", "region"], "indicator": ["c", "d"]})
    rep = SimpleNamespace(forecasts=ok, card=card)
    drawn = forecasts.charted(rep, ["city", "region"], ["city"])
    assert [(f.entity, f.indicator) for f in drawn] == [("city", "a"), ("region", "c")]
    assert len(forecasts.charted(rep, ["city", "region"])) == 3  # no focus given: every modelled series


def test_counts_table_folds_under_its_row_count(reports):
    rep = reports["en"]
    focus = chapter(rep).focus
    n = len(enterprises.enterprise_table(rep, focus))
    assert enterprises.counts_fold(rep, focus).endswith(f"with its source ({n} rows)")
    with i18n.language("zh_CN"):
        assert (
            enterprises.counts_fold(reports["zh_CN"], focus)
            == f"历年各数值明细：公布值与推算值及其来源（{n}行）"
        )
