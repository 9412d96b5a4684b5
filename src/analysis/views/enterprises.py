"""Enterprises (科技型企业): high-tech enterprises and tech SMEs, reported and derived side by
side, a zone's share of its city, what the doubling claims imply, and the enterprise targets."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis import data, growth, plots
from analysis.report import Report
from analysis.tables import fmt_number
from analysis.views.scorecard import scorecard_display, scorecard_rows  # noqa: F401  (the chapter's targets)
from analysis.views.shared import indicator_row, line, source_line

ENTERPRISE_INDICATORS = ["high_tech_enterprises", "tech_smes", "new_high_tech_enterprises"]
SHARES = (("high_tech_enterprises", "high_tech_enterprises_share_of_parent"),
          ("tech_smes", "tech_smes_share_of_parent"))


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
            rows.append({"indicator": rep.label("indicators", ind), "year": y, "zone": zv,
                         "city": float(crow["value"]), "city_is_derived": bool(crow["derived"]),
                         "computed_share_pct": growth.share(zv, float(crow["value"])),
                         "reported_share_pct": float(rv.iloc[0]) if len(rv) else math.nan})
    return pd.DataFrame(rows, columns=["indicator", "year", "zone", "city", "city_is_derived",
                                       "computed_share_pct", "reported_share_pct"])


def doubling_bounds(rep: Report) -> pd.DataFrame:
    """What the claim 'doubled by year Y' implies: the baseline is at most the value reported for
    Y divided by the multiple (derived bound), compared with what was reported nearest to the
    baseline year."""
    rows = []
    tg = rep.ds.targets
    for t in tg[(tg["kind"] == "multiple_of_baseline") & tg["status_claim"].notna()].to_dict("records"):
        s = growth.series(rep.obs, t["entity"], t["indicator"])
        s_rep = s[~s["derived"].astype(bool)]
        claim_year = t.get("status_claim_year")
        at = s_rep[s_rep["year"] == claim_year] if pd.notna(claim_year) else s_rep.iloc[0:0]
        base_year = int(t["baseline_year"])
        near = s[(s["year"] >= base_year - 1) & (s["year"] <= base_year + 1)]
        at_value = float(at.iloc[-1]["value"]) if len(at) else math.nan
        rows.append({
            "target": f"{t['name_en']} ({t['name_zh']})",
            "claim": t.get("status_claim") or "–",
            "value_in_claim_year": at_value,
            "claim_year": int(claim_year) if pd.notna(claim_year) else None,
            "max_baseline_if_doubled": at_value / float(t["target_value"]) if len(at) else math.nan,
            "nearest_to_baseline": "; ".join(
                f"{int(r['year'])}: {fmt_number(r['value'])}{' (derived)' if r['derived'] else ''}"
                for r in near.to_dict("records")) or "none reported",
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- display

def enterprise_table(rep: Report, entities: list[str]) -> pd.DataFrame:
    """High-tech enterprises and tech SMEs by entity and year: reported and derived side by side."""
    allobs = data.without_excluded(data.with_source_info(rep.candidates, rep.ds), rep.ds)
    sel = allobs[allobs["indicator"].isin(ENTERPRISE_INDICATORS)
                 & allobs["entity"].isin(entities) & (allobs["period"] == "year")]
    sel = sel.sort_values(["indicator", "entity", "year", "derived"])
    chosen = set(rep.obs["obs_id"])
    return pd.DataFrame({
        "Indicator": sel["indicator"].map(lambda i: rep.label("indicators", i)),
        "Entity": sel["entity"].map(lambda e: rep.label("entities", e)),
        "Year": sel["year"].astype(int),
        "Value": sel["value"],
        "Kind": np.where(sel["derived"].astype(bool), "derived: " + sel["formula"].fillna(""), "reported"),
        "Used in the report": np.where(sel["obs_id"].isin(chosen), "yes", "no (another source is preferred)"),
        "Source": sel["source_id"],
    }).reset_index(drop=True)


def enterprise_figure(rep: Report, indicator: str, entities: list[str]):
    """One count over the years for each entity; derived values hollow."""
    lines = [ln for ln in (line(rep, e, indicator) for e in entities) if ln]
    src = source_line(rep, [s for ln in lines for s in ln["sources"]])
    name = indicator_row(rep, indicator)
    return plots.series_chart(lines, f"{name['name_en']} ({name['name_zh']})", "count", src,
                              note="Hollow markers are values derived from a reported share or growth rate.")
