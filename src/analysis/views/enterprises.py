"""Enterprises (科技型企业): high-tech enterprises and tech SMEs, reported and derived side by
side, a zone's share of its city, what the doubling claims imply, and the enterprise targets."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis import data, growth, plots
from analysis.report import Report
from analysis.tables import fmt_number
from analysis.views.scorecard import scorecard_display, scorecard_rows, theme_table  # noqa: F401  (targets)
from analysis.views.shared import entity_name, indicator_row, line, no_data, source_line

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
    for t in _claimed_multiples(rep, entities).to_dict("records"):
        s = growth.series(rep.obs, t["entity"], t["indicator"])
        s_rep = s[~s["derived"].astype(bool)]
        claim_year = t.get("status_claim_year")
        at = s_rep[s_rep["year"] == claim_year] if pd.notna(claim_year) else s_rep.iloc[0:0]
        base_year = int(t["baseline_year"])
        near = s[(s["year"] >= base_year - 1) & (s["year"] <= base_year + 1)]
        at_value = float(at.iloc[-1]["value"]) if len(at) else math.nan
        rows.append(
            {
                "target": f"{t['name_en']} ({t['name_zh']})",
                "claim": t.get("status_claim") or "–",
                "value_in_claim_year": at_value,
                "claim_year": int(claim_year) if pd.notna(claim_year) else None,
                "max_baseline_if_doubled": at_value / float(t["target_value"]) if len(at) else math.nan,
                "nearest_to_baseline": "; ".join(
                    f"{int(r['year'])}: {fmt_number(r['value'])}{' (derived)' if r['derived'] else ''}"
                    for r in near.to_dict("records")
                )
                or "none reported",
            }
        )
    return pd.DataFrame(rows)


def doubling_section(rep: Report, entities: list[str]):
    """The doubling-claims table for `entities`, or the sentence saying there is none."""
    t = doubling_bounds(rep, entities)
    if len(t):
        return t
    names = " or ".join(entity_name(rep, e) for e in entities)
    return f"No target of {names} to double a count is claimed as met in the data for report year {rep.year}."


def doubling_paragraph(rep: Report, entities: list[str]) -> str:
    """What the doubling claims say and why they cannot be checked, from targets.csv; '' if none."""
    t = _claimed_multiples(rep, entities)
    if t.empty:
        return ""
    names = "; ".join(
        f"{r['name_en']} ({r['name_zh']}) of {entity_name(rep, r['entity'])}" for r in t.to_dict("records")
    )
    no_base = t["baseline_value"].isna()
    text = f"The sources say these targets have been met: {names}."
    if no_base.any():
        text += (
            " The baseline of "
            + ("these targets" if no_base.all() else "some of them")
            + " is not published in the sources, so the claim cannot be verified; the table shows "
            "the largest baseline consistent with it and the values reported nearest to the "
            "baseline year."
        )
    return text


def zone_share_section(rep: Report, pair: tuple[str, str] | None):
    """The zone's share of its city for a chapter's ``(zone, city)``, or the sentence saying
    why there is none."""
    if pair is None:
        return no_data(rep, "zone")
    t = zone_share_table(rep, *pair)
    return t if len(t) else no_data(rep, "count for both the zone and its city", pair[0])


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
        return no_data(rep, "count of high-tech enterprises or tech-based SMEs", entities[0])
    chosen = set(rep.obs["obs_id"])
    return pd.DataFrame(
        {
            "Indicator": sel["indicator"].map(lambda i: rep.label("indicators", i)),
            "Entity": sel["entity"].map(lambda e: rep.label("entities", e)),
            "Year": sel["year"].astype(int),
            "Value": sel["value"],
            "Kind": np.where(
                sel["derived"].astype(bool), "derived: " + sel["formula"].fillna(""), "reported"
            ),
            "Used in the report": np.where(
                sel["obs_id"].isin(chosen), "yes", "no (another source is preferred)"
            ),
            "Source": sel["source_id"],
        }
    ).reset_index(drop=True)


def enterprise_figure(rep: Report, indicator: str, entities: list[str]):
    """One count over the years for each entity; derived values hollow."""
    lines = [ln for ln in (line(rep, e, indicator) for e in entities) if ln]
    if not lines:
        row = indicator_row(rep, indicator)
        return no_data(rep, f"count of {row['name_en']} ({row['name_zh']})", entities[0])
    src = source_line(rep, [s for ln in lines for s in ln["sources"]])
    name = indicator_row(rep, indicator)
    return plots.series_chart(
        lines,
        f"{name['name_en']} ({name['name_zh']})",
        "count",
        src,
        note="Hollow markers are values derived from a reported share or growth rate.",
    )
