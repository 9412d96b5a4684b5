"""Enterprises (科技型企业): high-tech enterprises and tech SMEs, reported and derived side by
side, a zone's share of its city, what the doubling claims imply, and the enterprise targets."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from analysis import data, growth, i18n, plots, tables, targets
from analysis.i18n import t
from analysis.report import Report
from analysis.tables import fmt_number, fmt_pct
from analysis.views.scorecard import (  # noqa: F401  (targets)
    scorecard_display,
    scorecard_rows,
    status_word,
    theme_table,
)
from analysis.views.shared import entity_name, indicator_row, latest, line, no_data, source_line

ENTERPRISE_INDICATORS = ["high_tech_enterprises", "tech_smes", "new_high_tech_enterprises"]
SHARES = (
    ("high_tech_enterprises", "high_tech_enterprises_share_of_parent"),
    ("tech_smes", "tech_smes_share_of_parent"),
)


# --------------------------------------------------------------------------- analysis


def zone_share_table(rep: Report, zone: str, city: str) -> pd.DataFrame:
    """The zone's share of the city: reported shares vs shares computed from the two counts."""
    rows = []
    for ind, share_ind in SHARES:
        z = growth.series(rep.obs, zone, ind)
        c = growth.series(rep.obs, city, ind)
        r = growth.series(rep.obs, zone, share_ind)
        for y in sorted(set(z["year"].astype(int)) & set(c["year"].astype(int))):
            zv = float(z[z["year"] == y]["value"].iloc[0])
            crow = c[c["year"] == y].iloc[0]
            rv = r[r["year"] == y]["value"]
            rows.append(
                {
                    "indicator": rep.label("indicators", ind),
                    "year": y,
                    "zone": zv,
                    "city": float(crow["value"]),
                    "city_is_derived": bool(crow["derived"]),
                    "computed_share_pct": growth.share(zv, float(crow["value"])),
                    "reported_share_pct": float(rv.iloc[0]) if len(rv) else math.nan,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "indicator",
            "year",
            "zone",
            "city",
            "city_is_derived",
            "computed_share_pct",
            "reported_share_pct",
        ],
    )


def _claimed_multiples(rep: Report, entities: list[str] | None = None) -> pd.DataFrame:
    tg = rep.ds.targets
    sel = tg[(tg["kind"] == "multiple_of_baseline") & tg["status_claim"].notna()]
    return sel[sel["entity"].isin(entities)] if entities is not None else sel


def doubling_bounds(rep: Report, entities: list[str] | None = None) -> pd.DataFrame:
    """What the claim 'doubled by year Y' implies: the baseline is at most the value reported for
    Y divided by the multiple (derived bound), compared with what was reported nearest to the
    baseline year. Targets of `entities` only, if given."""
    rows = []
    for tg in _claimed_multiples(rep, entities).to_dict("records"):
        s = growth.series(rep.obs, tg["entity"], tg["indicator"])
        s_rep = s[~s["derived"].astype(bool)]
        claim_year = tg.get("status_claim_year")
        at = s_rep[s_rep["year"] == claim_year] if pd.notna(claim_year) else s_rep.iloc[0:0]
        base_year = int(tg["baseline_year"])
        near = s[(s["year"] >= base_year - 1) & (s["year"] <= base_year + 1)]
        at_value = float(at.iloc[-1]["value"]) if len(at) else math.nan
        rows.append(
            {
                "target": i18n.name(tg),
                "target_id": tg["target_id"],
                "claim": tg.get("status_claim") or "–",
                "value_in_claim_year": at_value,
                "claim_year": int(claim_year) if pd.notna(claim_year) else None,
                "max_baseline_if_doubled": at_value / float(tg["target_value"]) if len(at) else math.nan,
                "nearest_to_baseline": ("；" if i18n.is_chinese() else "; ").join(
                    t(
                        "enterprises.value_in_year_derived" if r["derived"] else "enterprises.value_in_year",
                        year=int(r["year"]),
                        value=fmt_number(r["value"]),
                    )
                    for r in near.to_dict("records")
                )
                or t("enterprises.none_reported"),
            }
        )
    return pd.DataFrame(rows)


def doubling_section(rep: Report, entities: list[str]):
    """The doubling-claims table for `entities` as shown, or the sentence saying there is none."""
    d = doubling_bounds(rep, entities)
    if d.empty:
        names = (" 或 " if i18n.is_chinese() else " or ").join(entity_name(rep, e) for e in entities)
        return t("enterprises.no_doubling", entities=names, year=rep.year)
    status = rep.card.set_index("target_id")["status_label"]
    return pd.DataFrame(
        {
            t("enterprises.col_target"): d["target"],
            t("enterprises.col_claim"): [
                status.get(i, d_claim) for i, d_claim in zip(d["target_id"], d["claim"])
            ],
            t("enterprises.col_claim_year"): [
                str(y) if y is not None and not pd.isna(y) else "–" for y in d["claim_year"]
            ],
            t("enterprises.col_value_in_claim_year"): d["value_in_claim_year"].map(fmt_number),
            t("enterprises.col_max_baseline"): d["max_baseline_if_doubled"].map(fmt_number),
            t("enterprises.col_nearest"): d["nearest_to_baseline"],
        }
    )


def doubling_paragraph(rep: Report, entities: list[str]) -> str:
    """What the doubling claims say and why they cannot be checked, from targets.csv; '' if none."""
    claims = _claimed_multiples(rep, entities)
    if claims.empty:
        return ""
    names = ("；" if i18n.is_chinese() else "; ").join(
        t("enterprises.target_of", target=i18n.name(r), entity=entity_name(rep, r["entity"]))
        for r in claims.to_dict("records")
    )
    no_base = claims["baseline_value"].isna()
    text = t("enterprises.doubling_claimed", targets=names)
    if no_base.any():
        text += t(
            "enterprises.doubling_unverifiable_all"
            if no_base.all()
            else "enterprises.doubling_unverifiable_some"
        )
    return text


def zone_share_section(rep: Report, pair: tuple[str, str] | None):
    """The zone's share of its city for a chapter's ``(zone, city)``, or the sentence saying
    why there is none."""
    if pair is None:
        return no_data(rep, t("enterprises.what_zone"))
    z = zone_share_table(rep, *pair)
    if z.empty:
        return no_data(rep, t("enterprises.what_zone_and_city_count"), pair[0])
    return pd.DataFrame(
        {
            t("enterprises.col_indicator"): z["indicator"],
            t("enterprises.col_year"): z["year"].astype(str),
            t("enterprises.col_zone"): z["zone"].map(fmt_number),
            t("enterprises.col_city"): [
                t("enterprises.derived_value", value=fmt_number(v)) if d else fmt_number(v)
                for v, d in zip(z["city"], z["city_is_derived"])
            ],
            t("enterprises.col_computed_share"): z["computed_share_pct"].map(lambda x: fmt_pct(x / 100)),
            t("enterprises.col_reported_share"): z["reported_share_pct"].map(lambda x: fmt_pct(x / 100)),
        }
    )


# --------------------------------------------------------------------------- display


def enterprise_table(rep: Report, entities: list[str]) -> pd.DataFrame:
    """High-tech enterprises and tech SMEs by entity and year: reported and derived side by side."""
    allobs = data.without_excluded(data.with_source_info(rep.candidates, rep.ds), rep.ds)
    sel = allobs[
        allobs["indicator"].isin(ENTERPRISE_INDICATORS)
        & allobs["entity"].isin(entities)
        & (allobs["period"] == "year")
    ]
    sel = sel.sort_values(["indicator", "entity", "year", "derived"])
    if sel.empty:
        return no_data(rep, t("enterprises.what_counts"), entities[0])
    chosen = set(rep.obs["obs_id"])
    return pd.DataFrame(
        {
            t("enterprises.col_indicator"): sel["indicator"].map(lambda i: rep.label("indicators", i)),
            t("enterprises.col_entity"): sel["entity"].map(lambda e: rep.label("entities", e)),
            t("enterprises.col_year"): sel["year"].astype(int).astype(str),
            t("enterprises.col_value"): sel["value"].map(fmt_number),
            t("enterprises.col_kind"): [
                t("enterprises.kind_derived", formula=_formula(f)) if d else t("enterprises.kind_reported")
                for d, f in zip(sel["derived"].astype(bool), sel["formula"])
            ],
            t("enterprises.col_used"): np.where(
                sel["obs_id"].isin(chosen), t("enterprises.used_yes"), t("enterprises.used_no")
            ),
            t("enterprises.col_source"): tables.source_links(sel["source_id"]),
        }
    ).reset_index(drop=True)


def _formula(formula) -> str:
    """A derivation as the table shows it: the arithmetic ('49 / 23.8% = 205.9'); the English
    edition adds the words after it, which name series by their ids."""
    if not isinstance(formula, str):
        return ""
    if not i18n.is_chinese():
        return formula
    m = re.match(r"^(.*?=\s*[-+\d.,%]+)", formula)
    return m.group(1) if m else formula


def enterprise_figure(rep: Report, indicator: str, entities: list[str]):
    """One count over the years for each entity; derived values hollow."""
    lines = [ln for ln in (line(rep, e, indicator) for e in entities) if ln]
    name = i18n.name(indicator_row(rep, indicator))
    if not lines:
        return no_data(rep, t("enterprises.what_count_of", indicator=name), entities[0])
    src = source_line(rep, [s for ln in lines for s in ln["sources"]])
    return plots.series_chart(lines, name, "count", src, note=t("enterprises.hollow_note"))


# --------------------------------------------------------------------------- targets


def enterprise_theme(rep: Report) -> str | None:
    """The scorecard theme of the enterprise targets: the theme most targets on the enterprise
    counts belong to (targets.csv), or None when no target concerns them."""
    tg = rep.ds.targets
    themes = tg[tg["indicator"].isin(ENTERPRISE_INDICATORS)]["theme"].dropna()
    return None if themes.empty else str(themes.value_counts().index[0])


def targets_section(rep: Report):
    """(table, cell styles, CSV rows) of the enterprise targets, or (the sentence saying there is
    none, None, None)."""
    theme = enterprise_theme(rep)
    if theme is None or not (rep.card["theme"] == theme).any():
        return no_data(rep, t("enterprises.what_targets")), None, None
    tab, styles = theme_table(rep, theme)
    return tab, styles, scorecard_rows(rep, theme=theme)


def caption(key: str) -> str:
    """A table's caption in the edition's language (labels/enterprises.yml ``caption_<key>``)."""
    return t(f"enterprises.caption_{key}")


# --------------------------------------------------------------------------- findings


def counts_finding(rep: Report, entity: str) -> str:
    """The latest counts of the entity's high-tech enterprises and tech SMEs, each with its year
    and the earliest count of the same series."""
    items = []
    for ind, _ in SHARES:
        last = latest(rep, entity, ind)
        if last is None:
            continue
        s = growth.comparable_segment(growth.series(rep.obs, entity, ind))
        first = s.iloc[0] if len(s) > 1 else None
        values = {
            "indicator": rep.label("indicators", ind),
            "value": fmt_number(round(float(last["value"]))),
            "year": int(last["year"]),
        }
        if first is not None and int(first["year"]) < int(last["year"]):
            items.append(
                t(
                    "enterprises.finding_count_since",
                    **values,
                    first_value=fmt_number(round(float(first["value"]))),
                    first_year=int(first["year"]),
                )
            )
        else:
            items.append(t("enterprises.finding_count", **values))
    if not items:
        return no_data(rep, t("enterprises.what_counts"), entity)
    items_text = "；".join(items) if i18n.is_chinese() else i18n.join(items)
    return t("enterprises.finding_counts", entity=entity_name(rep, entity), items=items_text)


def share_finding(rep: Report, pair: tuple[str, str] | None) -> str:
    """The zone's latest share of the city's count, computed from the two counts; '' when there
    is no zone or no year with both counts."""
    if pair is None:
        return ""
    z = zone_share_table(rep, *pair)
    if z.empty:
        return ""
    last = z.sort_values("year", kind="stable").groupby("indicator", sort=False).tail(1)
    items = [
        t(
            "enterprises.finding_share_item",
            indicator=r["indicator"],
            share=fmt_pct(r["computed_share_pct"] / 100),
            year=int(r["year"]),
        )
        for r in last.to_dict("records")
    ]
    return t(
        "enterprises.finding_share",
        zone=entity_name(rep, pair[0]),
        city=entity_name(rep, pair[1]),
        items=i18n.join(items),
    )


def targets_finding(rep: Report) -> str:
    """How the enterprise targets stand: the count in each status."""
    theme = enterprise_theme(rep)
    rows = rep.card[rep.card["theme"] == theme] if theme is not None else rep.card.iloc[0:0]
    if rows.empty:
        return no_data(rep, t("enterprises.what_targets"))
    counts = targets.status_counts(rows)
    parts = [  # status words alone in a sentence: symbols belong to tables and charts
        t("enterprises.status_count", status=status_word(s), n=int(n))
        for s, n in zip(counts["status"], counts["targets"])
        if n
    ]
    return t("enterprises.finding_targets", n=len(rows), statuses=i18n.join(parts))


def doubling_finding(rep: Report, entities: list[str]) -> str:
    """The doubling claims that cannot be checked (their baseline is not published); '' if none."""
    claims = _claimed_multiples(rep, entities)
    n = int(claims["baseline_value"].isna().sum())
    return t("enterprises.finding_doubling", n=n) if n else ""


def findings(rep: Report, ch) -> list[str]:
    """The chapter's opening sentences, computed from the data."""
    return [
        counts_finding(rep, rep.entity),
        share_finding(rep, ch.pair),
        targets_finding(rep),
        doubling_finding(rep, ch.focus),
    ]


def counts_fold(rep: Report, entities: list[str]) -> str:
    """The one-line summary the counts table is folded under (the figures above show the series)."""
    tab = enterprise_table(rep, entities)
    n = len(tab) if isinstance(tab, pd.DataFrame) else 0
    return t("enterprises.fold_counts", n=n)
