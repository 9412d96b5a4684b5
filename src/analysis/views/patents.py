"""Patents (专利): every patent figure in the sources, the invention share computed and
reported, and a check of a zone's claim of fast average growth."""

from __future__ import annotations

import math

import pandas as pd

from analysis import growth, plots
from analysis.report import Report
from analysis.tables import fmt_number
from analysis.views.shared import colour, entity_name, entity_row, no_data, source_line

PATENT_INDICATORS = [
    "patent_applications",
    "invention_patent_applications",
    "utility_model_applications",
    "patent_grants",
    "invention_patent_grants",
    "valid_patents",
    "valid_invention_patents",
    "invention_patents_per_10k_employees",
    "invention_patents_per_10k_people",
]
CLAIM_INDICATOR = "patent_applications_avg_growth"
COUNTS = ("patent_applications", "invention_patent_applications")
INVENTION_COLOUR = "#9ecae1"


# --------------------------------------------------------------------------- analysis


def growth_claim_check(rep: Report, entity: str) -> dict:
    """An 'over X% average growth since year S' claim against the counts we have.

    If the claim holds, the count in the start year was at most end / (1 + X)^(end − S): a
    derived bound, given for all applications and for invention applications.
    """
    obs = rep.ds.observations
    claim = obs[(obs["entity"] == entity) & (obs["indicator"] == CLAIM_INDICATOR)]
    if claim.empty:
        return {"available": False}
    c = claim.iloc[0]
    start, end, rate = int(c["period_start"]), int(c["year"]), float(c["value"]) / 100
    out = {
        "available": True,
        "rate_pct": float(c["value"]),
        "start": start,
        "end": end,
        "source": c["source_id"],
    }
    for ind in COUNTS:
        s = growth.series(rep.obs, entity, ind)
        at_end = s[s["year"] == end]
        at_start = s[s["year"] == start]
        if at_end.empty:
            continue
        v_end = float(at_end.iloc[-1]["value"])
        out[f"{ind}_end"] = v_end
        out[f"{ind}_max_start"] = v_end / (1 + rate) ** (end - start)
        out[f"{ind}_start_reported"] = float(at_start.iloc[-1]["value"]) if not at_start.empty else None
    out["checkable"] = any(out.get(f"{i}_start_reported") is not None for i in COUNTS)
    return out


def invention_share_check(rep: Report, entity: str) -> pd.DataFrame:
    """Invention share of applications: computed from the counts vs the reported share."""
    t = growth.share_table(
        rep.obs, (entity, "invention_patent_applications"), (entity, "patent_applications")
    )
    rep_share = growth.series(rep.obs, entity, "invention_share_of_patent_applications")[["year", "value"]]
    t = t.merge(rep_share.rename(columns={"value": "reported_share_pct"}), on="year", how="left")
    t["year"] = t["year"].astype(int)
    return t.rename(
        columns={
            "value_part": "invention_applications",
            "value_whole": "applications",
            "share_pct": "computed_share_pct",
        }
    )


# --------------------------------------------------------------------------- display


def patent_table(rep: Report, entities: list[str]) -> pd.DataFrame:
    """Every patent figure for the entities, any period (partial years marked)."""
    obs = rep.obs
    sel = obs[obs["indicator"].isin(PATENT_INDICATORS) & obs["entity"].isin(entities)]
    sel = sel.sort_values(["entity", "indicator", "year"])
    if sel.empty:
        return no_data(rep, "patent figure", entities[0])
    return pd.DataFrame(
        {
            "Entity": sel["entity"].map(lambda e: rep.label("entities", e)),
            "Indicator": sel["indicator"].map(lambda i: rep.label("indicators", i)),
            "Year": sel["year"].astype(int),
            "Period": sel["period"].map(lambda p: "full year" if p == "year" else p.replace("_", " ")),
            "Value": sel["value"],
            "Unit": sel["unit"].map(plots.unit_label),
            "Source": sel["source_id"],
        }
    ).reset_index(drop=True)


def patent_values(
    rep: Report, claim: dict, zone: str | None = None, entities: list[str] | None = None
) -> dict:
    """Prose values of the patents chapter: which years have full-year counts, the paragraph on
    the zone's growth claim and the one on its patent density (empty when there is nothing)."""

    def years(entity):
        s = rep.obs[
            (rep.obs["entity"] == entity)
            & (rep.obs["indicator"] == "patent_applications")
            & (rep.obs["period"] == "year")
        ]
        return ", ".join(str(int(y)) for y in sorted(s["year"])) or "no year"

    entities = entities or [rep.entity, *([zone] if zone else [])]
    have = [f"{entity_name(rep, e)} for {years(e)}" for e in entities if years(e) != "no year"]
    out = {
        "patent_years_sentence": (
            "Full-year counts of patent applications exist for " + " and for ".join(have) + "."
            if have
            else no_data(rep, "full-year count of patent applications")
        )
    }
    if claim.get("available"):
        name = entity_name(rep, zone)
        verdict = (
            "The sources give a count for the start year, so the claim is checked in the table above."
            if claim["checkable"]
            else f"No count for {claim['start']} is in the sources, so the claim cannot be checked directly."
        )
        mx = fmt_number(round(claim.get("patent_applications_max_start", math.nan)))
        mx_inv = fmt_number(round(claim.get("invention_patent_applications_max_start", math.nan)))
        out["claim_paragraph"] = (
            f"{name} reports that its patent applications have grown by more than "
            f"{fmt_number(claim['rate_pct'])}% a year since {claim['start']} [{claim['source']}]. {verdict} "
            f"If the claim holds, it filed at most {mx} applications ({mx_inv} invention applications) "
            f"in {claim['start']} — a derived bound that next year's analyst can check against its "
            "torch statistics."
        )
    else:
        out["claim_paragraph"] = no_data(
            rep, "claim of average growth of patent applications", zone or rep.entity
        )
    dens = growth.series(rep.obs, zone, "invention_patents_per_10k_employees") if zone else pd.DataFrame()
    out["density_paragraph"] = (
        ""
        if not len(dens)
        else (
            f"The {fmt_number(float(dens.iloc[-1]['value']))} invention patents per ten thousand employees "
            f"(每万名从业人员发明专利拥有量, {int(dens.iloc[-1]['year'])}) of {entity_name(rep, zone)} use "
            "employees of its enterprises as the denominator; figures per ten thousand *residents* are a "
            "different measure and are not compared with it."
        )
    )
    return out


def zone_values(rep: Report, pair: tuple[str, str] | None = None, entities: list[str] | None = None) -> dict:
    """The prose values of the chapter, with the claim of the zone of `pair` (a chapter's
    ``(zone, city)``; default: the focal entity's first child) checked."""
    if pair is None and rep.children():
        pair = (rep.children()[0], rep.entity)
    zone = pair[0] if pair else None
    return patent_values(rep, growth_claim_check(rep, zone) if zone else {"available": False}, zone, entities)


def invention_share_section(rep: Report, pair: tuple[str, str] | None):
    """The invention-share check for the zone of `pair` (else the focal entity), or the
    sentence saying there is no figure for it."""
    entity = pair[0] if pair else rep.entity
    t = invention_share_check(rep, entity)
    return t if len(t) else no_data(rep, "count of invention patent applications", entity)


def patent_figure(rep: Report, entities: list[str]):
    """Applications, all and invention, for the years the sources report."""
    obs = rep.obs
    rows = obs[
        obs["indicator"].isin(list(COUNTS)) & obs["entity"].isin(entities) & (obs["period"] == "year")
    ].sort_values(["entity", "year", "indicator"])
    if rows.empty:
        return no_data(rep, "full-year count of patent applications", entities[0])
    labels, values, colours, srcs = [], [], [], []
    for r in rows.to_dict("records"):
        ent = entity_row(rep, r["entity"])["name_zh"]
        kind = "all" if r["indicator"] == "patent_applications" else "invention"
        labels.append(f"{ent}\n{int(r['year'])} {kind}")
        values.append(float(r["value"]))
        colours.append(colour(rep, r["entity"]) if kind == "all" else INVENTION_COLOUR)
        srcs.append(r["source_id"])
    return plots.bar_chart(
        labels,
        values,
        "Patent applications, all and invention (专利申请量)",
        "count",
        source_line(rep, srcs),
        note="Only the years the sources report are shown; city and zone years differ.",
        colours=colours,
    )
