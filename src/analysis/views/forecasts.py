"""Forecasts (预测): the model chosen for each series and why, backtests, fan charts with
prediction intervals, and the probability of meeting each target still ahead."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import growth, plots
from analysis.forecast import INTERVAL_LEVELS, MODEL_LABELS, forecast_table, scores_table
from analysis.report import Report
from analysis.tables import fmt_number, fmt_pct
from analysis.views.shared import colour, entity_row, indicator_row, says_when_empty, source_line


@says_when_empty("forecast model")
def forecast_overview(rep: Report, entities: list[str]) -> pd.DataFrame:
    t = forecast_table([f for f in rep.forecasts if f.entity in entities])
    t = t[t["status"] == "ok"]
    return pd.DataFrame(
        {
            "Entity": t["entity"].map(lambda e: rep.label("entities", e)),
            "Series": t["indicator"].map(lambda i: rep.label("indicators", i)),
            "Observations": t["n_obs"].astype(int),
            "Years": t["first_year"].astype(int).astype(str) + "–" + t["last_year"].astype(int).astype(str),
            "Derived points": t["n_derived"].astype(int),
            "Model": t["model"].map(MODEL_LABELS),
            "Why": t["rule"],
            "MAE": t["mae"],
            "MASE": t["mase"],
        }
    ).reset_index(drop=True)


@says_when_empty("series too short to model")
def too_short(rep: Report, entities: list[str]) -> pd.DataFrame:
    rows = [
        {
            "Entity": rep.label("entities", f.entity),
            "Series": rep.label("indicators", f.indicator),
            "Annual observations": f.n_obs,
            "Reason": f.rule,
        }
        for f in rep.forecasts
        if f.entity in entities and f.status != "ok"
    ]
    return pd.DataFrame(rows, columns=["Entity", "Series", "Annual observations", "Reason"])


@says_when_empty("backtest")
def backtest_table(rep: Report, entities: list[str]) -> pd.DataFrame:
    t = scores_table([f for f in rep.forecasts if f.entity in entities])
    return pd.DataFrame(
        {
            "Entity": t["entity"].map(lambda e: rep.label("entities", e)),
            "Series": t["indicator"].map(lambda i: rep.label("indicators", i)),
            "Candidate": t["model"].map(MODEL_LABELS),
            # the report's model is fixed, not chosen by this backtest; its prior is pooled from
            # data up to the report year, so its rows here are not fully out of sample (the
            # pseudo-real-time test with priors recomputed at each origin: benchmarks/calibration.py)
            "Used in the report": np.where(t["chosen"], "✔ report's model (prior from all data)", ""),
            "Forecasts evaluated": t["n_forecasts"].astype(int),
            "MAE": t["mae"],
            "MASE": t["mase"],
            "80% coverage": t["coverage80"].map(lambda x: fmt_pct(x, 0)),
            "95% coverage": t["coverage95"].map(lambda x: fmt_pct(x, 0)),
        }
    ).reset_index(drop=True)


def fan_figures(rep: Report, entities: list[str]) -> list:
    figs = []
    card = rep.card
    for f in rep.forecasts:
        if f.entity not in entities or f.status != "ok":
            continue
        tgt = card[
            (card["entity"] == f.entity)
            & (card["indicator"] == f.indicator)
            & card["target_value"].notna()
            & card["kind"].isin(["level", "share", "rank"])
        ]
        target = None
        if len(tgt):
            t = tgt.iloc[0]
            year = int(t["target_year"])
            target = {
                "year": year,
                "value": float(t["target_value"]),
                "label": f"target {t['comparator']} {fmt_number(t['target_value'])} ({year})",
            }
        s = growth.comparable_segment(growth.series(rep.obs, f.entity, f.indicator))
        name, ent = indicator_row(rep, f.indicator), entity_row(rep, f.entity)
        note = f"Model: {MODEL_LABELS[f.model]} — {f.rule}."
        figs.append(
            plots.fan_chart(
                f.years,
                f.values,
                f.path,
                f"{ent['name_en']}: {name['name_en']} ({ent['name_zh']} {name['name_zh']})",
                f.unit,
                source_line(rep, s["source_id"]),
                target=target,
                note=note,
                colour=colour(rep, f.entity),
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


@says_when_empty("target with a year still ahead")
def probability_table(rep: Report) -> pd.DataFrame:
    c = rep.card[rep.card["target_year"].astype(int) > rep.year]
    return pd.DataFrame(
        {
            "Target": c["name_en"].astype(str) + " (" + c["name_zh"].astype(str) + ")",
            "By": c["target_year"].astype(int).astype(str),
            "Status": c["status_label"],
            "P(meet target)": [_probability_text(rep, r) for r in c.to_dict("records")],
        }
    ).reset_index(drop=True)


def _probability_text(rep: Report, row: dict) -> str:
    """The probability, or why there is none."""
    if not pd.isna(row["p_meet"]):
        return fmt_pct(row["p_meet"], 0)
    if pd.isna(row["target_value"]):
        return "none: the level to reach is unknown (baseline not reported)"
    if row["kind"] in ("cumulative", "annual_minimum"):
        return "none: fewer than two years of the period reported"
    fc = rep.forecast_by_series.get((row["entity"], row["indicator"]))
    if fc is None or fc.status != "ok":
        n = 0 if fc is None else fc.n_obs
        return f"none: {n} annual observation{'s' if n != 1 else ''}, too few to model"
    return "none"
