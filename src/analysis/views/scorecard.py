"""Targets scorecard (目标进展评估): every target with its status in words and colour, and the
numbers behind it. The status itself is decided by ``analysis.targets``."""

from __future__ import annotations

import pandas as pd

from analysis import plots, targets, vocabulary
from analysis.report import Report
from analysis.tables import fmt_number, fmt_pct
from analysis.views.shared import entity_row, no_data, says_when_empty


def scorecard_rows(rep: Report, theme: str | None = None, plan: str | None = None) -> pd.DataFrame:
    """The scorecard's full rows (for CSV), optionally one theme or one plan (document)."""
    c = rep.card
    if theme:
        c = c[c["theme"] == theme]
    if plan:
        c = c[c["plan"] == plan]
    return c.reset_index(drop=True) if (theme or plan) else c


def plans(rep: Report) -> list[str]:
    """The plans (documents) whose targets the report assesses, in scorecard order."""
    return list(dict.fromkeys(rep.card["plan"]))


def plan_summary(rep: Report, plan: str) -> str:
    """One line per plan: how many targets and how they stand, statuses in report order."""
    counts = targets.status_counts(scorecard_rows(rep, plan=plan))
    parts = [f"{n} {label.lower()}" for label, n in zip(counts["label"], counts["targets"]) if n]
    n = int(counts["targets"].sum())
    return f"**{plan}**: {n} target{'s' if n != 1 else ''} — " + "; ".join(parts) + "."


@says_when_empty("target")
def status_table(rep: Report) -> pd.DataFrame:
    counts = targets.status_counts(rep.card)
    return pd.DataFrame({"Status": counts["label"], "Targets": counts["targets"]})


def themes(rep: Report) -> list[str]:
    """Scorecard themes in report order."""
    return sorted(rep.card["theme"].unique())


def rule_values() -> dict:
    rules = targets.rules_from_config()
    return {
        "on_track": f"{targets.ON_TRACK:.0%}",
        "moderate": f"{targets.MODERATE:.0%}",
        "min_points": str(rules["min_points"]),
        "max_data_age": str(rules["max_data_age"]),
        "scorecard_method": targets.method_text(rules),
    }


def scorecard_display(
    rep: Report, theme: str | None = None, plan: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scorecard as shown: words and colours; returns (table, cell styles)."""
    c = scorecard_rows(rep, theme, plan)
    unit = c["unit"].map(plots.unit_label)
    tab = pd.DataFrame(
        {
            "Plan (规划文件)": c["plan"],
            "Theme": c["theme"],
            "Target (目标)": c["name_en"].astype(str) + " — " + c["name_zh"].astype(str),
            "Entity": c["entity"].map(lambda e: entity_row(rep, e)["name_zh"]),
            "Target value": [
                f"{cmp} {fmt_number(v)} {u}" if not pd.isna(v) else "not stated"
                for cmp, v, u in zip(c["comparator"], c["target_value"], unit)
            ],
            "By": c["target_year"].astype(int).astype(str),
            "Latest": [
                f"{fmt_number(v)} ({int(y)})" if not pd.isna(v) else "–"
                for v, y in zip(c["latest_value"], c["latest_year"].fillna(0))
            ],
            "Required CAGR (from base)": c["required_cagr"].map(fmt_pct),
            "Actual CAGR": c["actual_cagr"].map(fmt_pct),
            "R": c["ratio"].map(lambda r: fmt_pct(r, 0)),
            "Still needed a year (from latest)": c["required_cagr_from_latest"].map(fmt_pct),
            "P(meet)": c["p_meet"].map(lambda p: fmt_pct(p, 0)),
            "Status": c["status_label"],
            "Rule": c["rule"],
        }
    )
    if theme:
        tab = tab.drop(columns=["Theme"])
    if plan:
        tab = tab.drop(columns=["Plan (规划文件)"])
    styles = pd.DataFrame("", index=tab.index, columns=tab.columns)
    status = vocabulary.load().status  # colour and text colour of each status (metadata.yaml)
    styles["Status"] = [f"background-color: {status[s].colour}; color: {status[s].text}" for s in c["status"]]
    return tab, styles


def theme_table(rep: Report, theme: str):
    """(table, cell styles) of one theme's targets, or (the sentence saying there is none, None)."""
    tab, styles = scorecard_display(rep, theme)
    if tab.empty:
        return no_data(rep, f"target of the theme '{theme}'"), None
    return tab, styles
