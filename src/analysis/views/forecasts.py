"""Forecasts (预测): where the headline series are heading and how likely each target still ahead
is to be met (the chapter's findings), fan charts with prediction intervals, the probability
table, and — folded, for the reader who wants them — the model of each series, its backtest and
the series too short to model."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import config, growth, i18n, plots
from analysis.forecast import INTERVAL_LEVELS, POOLED_MIN_OBS, forecast_table, model_label, scores_table
from analysis.i18n import t
from analysis.report import Report
from analysis.tables import fmt_number, fmt_pct, fmt_value
from analysis.views.shared import colour, entity_name, entity_row, indicator_row, no_data, source_line

COMPARATOR_SIGNS = {">=": "≥", "<=": "≤"}


def _or_sentence(rep: Report, table: pd.DataFrame, what_key: str):
    """The table, or — when it has no row — the sentence saying there is none."""
    return table if len(table) else no_data(rep, t(what_key))


def _modelled(rep: Report, entities: list[str]):
    return [f for f in rep.forecasts if f.entity in entities and f.status == "ok"]


def _number(x: float, unit: str) -> str:
    """A value as a sentence writes it: a count whole, a percentage with its sign ('2.65%')."""
    if unit == "count":
        return fmt_number(round(float(x)))
    return fmt_value(x, unit) + ("%" if plots.unit_label(unit) == "%" else "")


def _unit_words(unit: str) -> str:
    """The unit written after a number in a sentence ('' for counts and percentages)."""
    lab = plots.unit_label(unit)
    if unit == "count" or lab == "%":
        return ""
    return lab if i18n.is_chinese() else f" {lab}"


def _target_name(rep: Report, row: dict) -> str:
    """A target by name and entity: '鄂尔多斯市“…”' / '… (Ordos City (鄂尔多斯市))'."""
    return t("forecasts.target_of", target=i18n.name(row), entity=entity_name(rep, row["entity"]))


# --------------------------------------------------------------------------- findings


def headline_finding(rep: Report, entity: str, limit: int = 3) -> str:
    """Where the focal entity's headline indicators (report.yml) are heading by the horizon's
    end: the central path and the inner (80%) interval — the outer one of a short series spans
    orders of magnitude and says little — or the sentence saying none can be modelled."""
    headline = config.load().extra.get("headline_indicators") or []
    fcs = [rep.forecast_by_series.get((entity, i)) for i in headline]
    fcs = [f for f in fcs if f is not None and f.status == "ok" and not f.path.empty]
    if not fcs:
        return t("forecasts.finding_no_headline", entity=entity_name(rep, entity), min_obs=POOLED_MIN_OBS)
    items = []
    for f in fcs[:limit]:
        end = f.path.iloc[-1]
        items.append(
            t(
                "forecasts.finding_item",
                indicator=rep.label("indicators", f.indicator),
                value=_number(end["mean"], f.unit),
                lo=_number(end["lo80"], f.unit),
                hi=_number(end["hi80"], f.unit),
                unit=_unit_words(f.unit),
            )
        )
    year = int(max(f.path["year"].max() for f in fcs[:limit]))
    return t(
        "forecasts.finding_headline",
        year=year,
        entity=entity_name(rep, entity),
        items=("；" if i18n.is_chinese() else "; ").join(items),
        level=f"{INTERVAL_LEVELS[0]:.0%}",
    )


def targets_finding(rep: Report) -> str:
    """How likely the targets still ahead are to be met: the most and the least likely."""
    c = rep.card[rep.card["target_year"].astype(int) > rep.year]
    if c.empty:
        return t("forecasts.finding_no_targets_ahead", entity=entity_name(rep, rep.entity), year=rep.year)
    p = c[c["p_meet"].notna()].sort_values("p_meet", ascending=False, kind="stable")
    if p.empty:
        return t("forecasts.finding_no_probability", n=len(c))
    best, worst = p.iloc[0].to_dict(), p.iloc[-1].to_dict()
    if len(p) == 1:
        return t(
            "forecasts.finding_one_probability",
            n=len(c),
            target=_target_name(rep, best),
            p=fmt_pct(best["p_meet"], 0),
        )
    return t(
        "forecasts.finding_probabilities",
        n=len(c),
        k=len(p),
        best=_target_name(rep, best),
        p_best=fmt_pct(best["p_meet"], 0),
        worst=_target_name(rep, worst),
        p_worst=fmt_pct(worst["p_meet"], 0),
    )


def coverage_finding(rep: Report, entities: list[str]) -> str:
    """How many series are modelled and how many are too short."""
    fcs = [f for f in rep.forecasts if f.entity in entities]
    if not fcs:
        return no_data(rep, t("forecasts.what_series"))
    m = sum(f.status == "ok" for f in fcs)
    return t("forecasts.finding_coverage", n=len(fcs), m=m, k=len(fcs) - m)


def findings(rep: Report, ch) -> list[str]:
    """The chapter's opening sentences, computed from the forecasts and the scorecard."""
    return [headline_finding(rep, rep.entity), targets_finding(rep), coverage_finding(rep, ch.modelled)]


# --------------------------------------------------------------------------- tables


def forecast_overview(rep: Report, entities: list[str]):
    tab = forecast_table([f for f in rep.forecasts if f.entity in entities])
    tab = tab[tab["status"] == "ok"]
    out = pd.DataFrame(
        {
            t("forecasts.col_entity"): tab["entity"].map(lambda e: rep.label("entities", e)),
            t("forecasts.col_series"): tab["indicator"].map(lambda i: rep.label("indicators", i)),
            t("forecasts.col_n_obs"): tab["n_obs"].astype(int),
            t("forecasts.col_years"): tab["first_year"].astype(int).astype(str)
            + "–"
            + tab["last_year"].astype(int).astype(str),
            t("forecasts.col_n_derived"): tab["n_derived"].astype(int),
            t("forecasts.col_model"): tab["model"].map(model_label),
            t("forecasts.col_why"): tab["rule"],
            t("forecasts.col_mae"): tab["mae"],
            t("forecasts.col_mase"): tab["mase"],
        }
    ).reset_index(drop=True)
    return _or_sentence(rep, out, "forecasts.what_model")


def too_short(rep: Report, entities: list[str]):
    """The series without a forecast, one row per entity and reason, listing the indicators."""
    rows: dict = {}
    for f in rep.forecasts:
        if f.entity not in entities or f.status == "ok":
            continue
        reason = (
            t("forecasts.reason_set_aside")
            if f.n_obs == 0
            else t("forecasts.reason_few", min_obs=POOLED_MIN_OBS)
        )
        rows.setdefault((f.entity, reason), []).append(rep.label("indicators", f.indicator))
    sep = "、" if i18n.is_chinese() else "; "
    cols = [
        t("forecasts.col_entity"),
        t("forecasts.col_reason"),
        t("forecasts.col_n_series"),
        t("forecasts.col_series"),
    ]
    out = pd.DataFrame(
        [
            [rep.label("entities", e), reason, len(names), sep.join(names)]
            for (e, reason), names in rows.items()
        ],
        columns=cols,
    )
    return _or_sentence(rep, out, "forecasts.what_too_short")


def n_too_short(rep: Report, entities: list[str]) -> int:
    return sum(f.entity in entities and f.status != "ok" for f in rep.forecasts)


def backtest_table(rep: Report, entities: list[str]):
    sc = scores_table([f for f in rep.forecasts if f.entity in entities])
    inner, outer = INTERVAL_LEVELS
    out = pd.DataFrame(
        {
            t("forecasts.col_entity"): sc["entity"].map(lambda e: rep.label("entities", e)),
            t("forecasts.col_series"): sc["indicator"].map(lambda i: rep.label("indicators", i)),
            t("forecasts.col_candidate"): sc["model"].map(model_label),
            # the report's model is fixed, not chosen by this backtest; its prior is pooled from
            # data up to the report year, so its rows here are not fully out of sample (the
            # pseudo-real-time test with priors recomputed at each origin: benchmarks/calibration.py)
            t("forecasts.col_used"): np.where(sc["chosen"].astype(bool), t("forecasts.used_mark"), ""),
            t("forecasts.col_n_forecasts"): sc["n_forecasts"].astype(int),
            t("forecasts.col_mae"): sc["mae"],
            t("forecasts.col_mase"): sc["mase"],
            t("forecasts.col_coverage", level=f"{inner:.0%}"): sc["coverage80"].map(lambda x: fmt_pct(x, 0)),
            t("forecasts.col_coverage", level=f"{outer:.0%}"): sc["coverage95"].map(lambda x: fmt_pct(x, 0)),
        }
    ).reset_index(drop=True)
    return _or_sentence(rep, out, "forecasts.what_backtest")


def fold_summaries(rep: Report, entities: list[str]) -> dict:
    """The one-line summaries the folded tables sit under."""
    ok = _modelled(rep, entities)
    n_bt = sum(not f.scores.empty for f in ok)
    return {
        "models": t("forecasts.fold_models", n=len(ok)),
        "backtests": t("forecasts.fold_backtests", n=n_bt),
        "too_short": t("forecasts.fold_too_short", n=n_too_short(rep, entities)),
    }


# --------------------------------------------------------------------------- figures


def charted(rep: Report, entities: list[str], focus: list[str] | None = None) -> list:
    """The series drawn as fan charts: every modelled series of the `focus` entities, and of the
    other `entities` (the benchmarks) those a target concerns."""
    targeted = set(zip(rep.card["entity"], rep.card["indicator"]))
    return [
        f
        for f in _modelled(rep, entities)
        if focus is None or f.entity in focus or (f.entity, f.indicator) in targeted
    ]


def fan_figures(rep: Report, entities: list[str], focus: list[str] | None = None) -> list:
    figs = []
    card = rep.card
    for f in charted(rep, entities, focus):
        tgt = card[
            (card["entity"] == f.entity)
            & (card["indicator"] == f.indicator)
            & card["target_value"].notna()
            & card["kind"].isin(["level", "share", "rank"])
        ]
        target = None
        if len(tgt):
            row = tgt.iloc[0]
            year = int(row["target_year"])
            target = {
                "year": year,
                "value": float(row["target_value"]),
                "label": t(
                    "forecasts.target_marker",
                    comparator=COMPARATOR_SIGNS.get(row["comparator"], row["comparator"]),
                    value=fmt_number(row["target_value"]),
                    year=year,
                ),
            }
        s = growth.comparable_segment(growth.series(rep.obs, f.entity, f.indicator))
        ind, ent = indicator_row(rep, f.indicator), entity_row(rep, f.entity)
        derived_by_year = dict(zip(s["year"].astype(int), s["derived"].astype(bool)))
        figs.append(
            plots.fan_chart(
                f.years,
                f.values,
                f.path,
                t("forecasts.fan_title", entity=i18n.short_name(ent), indicator=i18n.name(ind)),
                f.unit,
                source_line(rep, s["source_id"]),
                target=target,
                note=t("forecasts.fan_note", model=model_label(f.model)),
                colour=colour(rep, f.entity),
                derived=[derived_by_year.get(int(y), False) for y in f.years],
                levels=INTERVAL_LEVELS,
            )
        )
    return figs


def forecast_values(rep: Report, entities: list[str]) -> dict:
    fcs = [f for f in rep.forecasts if f.entity in entities]
    inner, outer = INTERVAL_LEVELS
    return {
        "n_series": len(fcs),
        "n_modelled": sum(f.status == "ok" for f in fcs),
        "level_inner": f"{inner:.0%}",
        "level_outer": f"{outer:.0%}",
    }


def probability_table(rep: Report):
    c = rep.card[rep.card["target_year"].astype(int) > rep.year]
    rows = c.to_dict("records")
    out = pd.DataFrame(
        {
            t("forecasts.col_target"): [i18n.name(r) for r in rows],
            t("forecasts.col_entity"): [rep.label("entities", r["entity"]) for r in rows],
            t("forecasts.col_by"): c["target_year"].astype(int).astype(str).tolist(),
            t("forecasts.col_status"): c["status_label"].tolist(),
            t("forecasts.col_p_meet"): [_probability_text(rep, r) for r in rows],
        }
    )
    return _or_sentence(rep, out, "forecasts.what_target_ahead")


def _probability_text(rep: Report, row: dict) -> str:
    """The probability, or why there is none."""
    if not pd.isna(row["p_meet"]):
        return fmt_pct(row["p_meet"], 0)
    if pd.isna(row["target_value"]):
        return t("forecasts.p_none_level_unknown")
    if row["kind"] in ("cumulative", "annual_minimum"):
        return t("forecasts.p_none_period")
    fc = rep.forecast_by_series.get((row["entity"], row["indicator"]))
    if fc is None or fc.status != "ok":
        n = 0 if fc is None else fc.n_obs
        return t("forecasts.p_none_too_few", n=n) if n else t("forecasts.p_none_no_obs")
    return t("forecasts.p_none")


def caption(key: str) -> str:
    """A table's caption in the edition's language (labels/forecasts.yml ``caption_<key>``)."""
    return t(f"forecasts.caption_{key}")
