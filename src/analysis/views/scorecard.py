"""Targets scorecard (目标进展评估): every target with its status in words and colour, and the
numbers behind it. The status itself is decided by ``analysis.targets``."""

from __future__ import annotations

import pandas as pd

from analysis import i18n, plots, targets, vocabulary
from analysis.i18n import t
from analysis.report import Report
from analysis.tables import fmt_number, fmt_pct, fmt_value
from analysis.views.shared import entity_name, entity_row, no_data


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


COMPARATORS = {">=": "≥", "<=": "≤"}


def status_chip(status: str) -> str:
    """A status as an inline chip: symbol and words on the status colour (metadata.yaml)."""
    v = vocabulary.load().status[status]
    return (
        f'<span class="status-chip" style="background-color: {v.colour}; color: {v.text}; '
        f'padding: 0 0.3em; border-radius: 0.2em; white-space: nowrap">{v.marked}</span>'
    )


def status_word(status: str) -> str:
    """A status in words, without its symbol, as it reads inside a sentence ('on track' /
    '进展顺利'); tables, charts and chips keep the symbol."""
    word = vocabulary.load().status[status].label
    return word if i18n.is_chinese() else word[:1].lower() + word[1:]


def _parts(rows: pd.DataFrame, chips: bool = True) -> str:
    """How many targets have each status: chips (symbol, words, colour) for a plan's line, the
    status words alone inside a sentence."""
    counts = targets.status_counts(rows)
    return t("scorecard.part_sep").join(
        t("scorecard.plan_part", status=status_chip(s), n=n)
        if chips
        else t("scorecard.findings_part", status=status_word(s), n=n)
        for s, n in zip(counts["status"], counts["targets"])
        if n
    )


def plan_summary(rep: Report, plan: str) -> str:
    """One line per plan: how many targets and how they stand, statuses in report order, each as
    a chip with symbol, words and colour."""
    rows = scorecard_rows(rep, plan=plan)
    return t("scorecard.plan_summary", plan=plan_name(rep, plan), n=len(rows), parts=_parts(rows))


def findings(rep: Report, ch=None) -> list[str]:
    """The scorecard's opening: targets decided by their year's figure, targets still ahead, the
    largest plan in one line, and which targets were not achieved."""
    c = rep.card
    if c.empty:
        return [t("scorecard.findings_no_targets", entity=entity_name(rep, rep.entity), year=rep.year)]
    n = targets.status_counts(c).set_index("status")["targets"]
    out = [
        t(
            "scorecard.findings_counts",
            n=len(c),
            year=rep.year,
            achieved=int(n["achieved"] + n["claimed_achieved"]),
            claimed=int(n["claimed_achieved"]),
            not_achieved=int(n["not_achieved"]),
            not_reported=int(n["not_reported"]),
        )
    ]
    decided = ("achieved", "claimed_achieved", "not_achieved")
    ahead = c[(c["target_year"].astype(int) > rep.year) & ~c["status"].isin(decided)]
    if len(ahead):
        a = targets.status_counts(ahead).set_index("status")["targets"]
        out.append(
            t(
                "scorecard.findings_ahead",
                m=len(ahead),
                on_track=int(a["on_track"]),
                moderate=int(a["moderate"]),
                behind=int(a["insufficient"] + a["moving_away"]),
                insufficient_data=int(a["insufficient_data"] + a["not_reported"]),
            )
        )
    else:
        out.append(t("scorecard.findings_none_ahead", year=rep.year))
    sizes = c["plan"].value_counts(sort=False)
    biggest = sizes.idxmax()
    if len(sizes) > 1:
        rows = scorecard_rows(rep, plan=biggest)
        out.append(
            t(
                "scorecard.findings_plan",
                plan=plan_name(rep, biggest),
                n=len(rows),
                parts=_parts(rows, chips=False),
            )
        )
    failed = c[c["status"] == "not_achieved"]
    if len(failed):
        names = [target_name(r) for r in failed.to_dict("records")]
        items = (
            i18n.join(names)
            if len(names) <= 3
            else t("scorecard.findings_more", items=i18n.join(names[:3]), n=len(names) - 3)
        )
        out.append(t("scorecard.findings_not_achieved", items=items))
    return out[:4]


def target_name(row: dict) -> str:
    """A target's name in the edition: Chinese only in the Chinese edition, 'English (中文)' in
    the English one."""
    return i18n.name({"name_en": row["name_en"], "name_zh": row["name_zh"]})


def status_table(rep: Report) -> pd.DataFrame | str:
    """How many targets have each status (statuses with none left out), or the sentence saying
    there is no target."""
    counts = targets.status_counts(rep.card)
    counts = counts[counts["targets"] > 0].reset_index(drop=True)
    if counts.empty:
        return no_data(rep, t("scorecard.what_target"))
    return pd.DataFrame(
        {t("scorecard.col_status"): counts["label"], t("scorecard.col_targets"): counts["targets"]}
    )


def status_table_styles(rep: Report) -> pd.DataFrame:
    """The status cells of :func:`status_table` in the status colours."""
    counts = targets.status_counts(rep.card)
    counts = counts[counts["targets"] > 0].reset_index(drop=True)
    status = vocabulary.load().status
    return pd.DataFrame(
        {
            t("scorecard.col_status"): [
                f"background-color: {status[s].colour}; color: {status[s].text}" for s in counts["status"]
            ],
            t("scorecard.col_targets"): "",
        }
    )


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


def plan_name(rep: Report, plan: str) -> str:
    """A plan's title in the edition: the official Chinese title in the Chinese edition,
    'English (中文)' in the English one (targets.csv ``plan_en``)."""
    rows = rep.card[rep.card["plan"] == plan]
    en = rows["plan_en"].iloc[0] if "plan_en" in rows and len(rows) else None
    if not isinstance(en, str) or not en or en == plan:
        return plan  # no English title: the official one alone
    return i18n.name({"name_en": en, "name_zh": plan})


def target_level(row: dict, indicator_unit: str | None = None) -> str:
    """The level a target asks for, in words: '≥ 375 亿元'. A multiple of the baseline is shown as
    the level it means, in the indicator's unit, with the multiple and base year beside it."""
    if pd.isna(row["target_value"]):
        return t("scorecard.not_stated")
    cmp = COMPARATORS.get(row["comparator"], row["comparator"])
    if row["kind"] == "multiple_of_baseline":
        unit = plots.unit_label(indicator_unit) if indicator_unit else ""
        if pd.isna(row.get("baseline_value")):
            return t(
                "scorecard.target_multiple_level",
                cmp=cmp,
                value=fmt_value(row["target_value"], indicator_unit or ""),
                unit=unit,
            )
        return t(
            "scorecard.target_multiple",
            cmp=cmp,
            value=fmt_value(row["target_value"], indicator_unit or ""),
            unit=unit,
            k=fmt_number(row["target_value"] / row["baseline_value"]),
            year=int(row["baseline_year"]),
        )
    return t(
        "scorecard.target_level",
        cmp=cmp,
        value=fmt_value(row["target_value"], row["unit"]),
        unit=plots.unit_label(row["unit"]),
    )


def progress_cell(row: dict) -> str:
    """The numbers behind a status still ahead, one per line: R, growth still needed a year and
    the probability of meeting the target; '–' when none applies."""
    parts = []
    if not pd.isna(row["ratio"]):
        parts.append(t("scorecard.progress_ratio", ratio=fmt_pct(row["ratio"], 0)))
    need = row["required_cagr_from_latest"]
    if not pd.isna(need):
        # a latest value already at the level: no growth is "needed" (a negative rate would say so
        # in a way that reads as a decline being required)
        reached = need <= 0 if row.get("comparator", ">=") == ">=" else need >= 0
        parts.append(
            t("scorecard.progress_level_reached")
            if reached
            else t("scorecard.progress_still_needed", rate=fmt_pct(need))
        )
    if not pd.isna(row["p_meet"]):
        parts.append(t("scorecard.progress_p_meet", p=fmt_pct(row["p_meet"], 0)))
    return "<br>".join(parts) or "–"


def scorecard_display(
    rep: Report, theme: str | None = None, plan: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scorecard as shown: status and latest value first (they stay in view on a phone), then
    the target, what it asks for and by when, one cell with the numbers behind a status still
    ahead, and the basis of the status as wrapped text. Every other column is in the CSV
    (:func:`scorecard_rows`). Returns (table, cell styles)."""
    c = scorecard_rows(rep, theme, plan)
    units = rep.ds.indicators.set_index("indicator_id")["unit"]
    col = {k: t(f"scorecard.col_{k}") for k in ("status", "latest", "target", "level", "progress", "rule")}
    rows = c.to_dict("records")
    tab = pd.DataFrame(
        {
            col["status"]: [targets.status_label(s) for s in c["status"]],
            col["latest"]: [
                t(
                    "scorecard.latest_value",
                    value=fmt_value(r["latest_value"], units.get(r["indicator"], r["unit"])),
                    year=int(r["latest_year"]),
                )
                if not pd.isna(r["latest_value"])
                else "–"
                for r in rows
            ],
            col["target"]: [
                t(
                    "scorecard.target_with_entity",
                    target=target_name(r),
                    entity=i18n.short_name(entity_row(rep, r["entity"])),
                )
                for r in rows
            ],
            col["level"]: [
                t(
                    "scorecard.level_by",
                    level=target_level(r, units.get(r["indicator"])),
                    year=int(r["target_year"]),
                )
                for r in rows
            ],
            col["progress"]: [progress_cell(r) for r in rows],
            col["rule"]: c["rule"].fillna("–"),
        },
        index=pd.RangeIndex(len(c)),
    )
    styles = pd.DataFrame("", index=tab.index, columns=tab.columns)
    status = vocabulary.load().status  # colour and text colour of each status (metadata.yaml)
    styles[col["status"]] = [
        f"background-color: {status[s].colour}; color: {status[s].text}; min-width: 6em" for s in c["status"]
    ]
    # widths that fit a 1400 px page without a cut column: the words wrap, the status stays whole
    styles[col["target"]] = "min-width: 10em"
    styles[col["level"]] = "min-width: 7em"
    styles[col["progress"]] = "min-width: 8em"
    styles[col["rule"]] = "min-width: 11em"
    return tab, styles


def theme_table(rep: Report, theme: str):
    """(table, cell styles) of one theme's targets, or (the sentence saying there is none, None)."""
    tab, styles = scorecard_display(rep, theme)
    if tab.empty:
        return no_data(rep, t("scorecard.what_theme_target", theme=targets.theme_label(theme))), None
    return tab, styles
