"""The tables, figures and prose values of each chapter, computed from a Report.

Notebooks call these and display the results; nothing here prints. Every table keeps the
source id and marks derived values, so a reader can trace each number.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis import data, growth, plots, targets
from analysis.forecast import MODEL_LABELS
from analysis.report import Report
from analysis.tables import fmt_number, fmt_pct

KEY_INDICATORS = ["rd_expenditure", "rd_intensity", "high_tech_enterprises", "tech_smes",
                  "patent_applications", "invention_patent_applications", "valid_invention_patents",
                  "invention_patents_per_10k_employees"]


# --------------------------------------------------------------------------- shared pieces

def page_header(rep: Report) -> str:
    """The line every page starts with: report year and where the data ends."""
    ent = rep.label("entities", rep.entity)
    return (f"**Report year {rep.year}** · focus: {ent} · data used: observations for years up to "
            f"{rep.year} (latest: {rep.data_end}) · forecast horizon: {rep.horizon} year"
            f"{'s' if rep.horizon != 1 else ''}")


def source_line(rep: Report, source_ids) -> str:
    """'issuer, title (date)' for the sources behind a figure, shortest first."""
    src = rep.ds.sources.set_index("source_id")
    ids = []
    for s in source_ids:
        ids += [x for x in str(s).split(";") if x]
    parts = []
    for sid in dict.fromkeys(ids):
        if sid in src.index:
            r = src.loc[sid]
            issuer = str(r["issuer"]).split(" (")[0]
            parts.append(f"{issuer} ({r['publication_date']}) [{sid}]")
    if len(parts) > 4:
        parts = parts[:4] + [f"and {len(parts) - 4} more (see Data and methods)"]
    return "; ".join(parts)


def latest_values(rep: Report, entity: str, indicators: list[str]) -> pd.DataFrame:
    """Latest annual value of each indicator for an entity, with year, unit and source."""
    rows = []
    for ind in indicators:
        s = growth.series(rep.obs, entity, ind)
        if s.empty:
            continue
        last = s.iloc[-1]
        rows.append({"indicator": rep.label("indicators", ind), "entity": rep.label("entities", entity),
                     "year": int(last["year"]), "value": float(last["value"]),
                     "qualifier": last["qualifier"] if isinstance(last["qualifier"], str) else "",
                     "unit": plots.unit_label(last["unit"]),
                     "derived": "derived" if last["derived"] else "reported",
                     "source": last["source_id"]})
    return pd.DataFrame(rows, columns=["indicator", "entity", "year", "value", "qualifier", "unit",
                                       "derived", "source"])


def _line(rep: Report, entity: str, indicator: str, segment: bool = True) -> dict | None:
    s = growth.series(rep.obs, entity, indicator)
    if segment:
        s = growth.comparable_segment(s)
    if s.empty:
        return None
    return {"label": rep.label("entities", entity), "years": s["year"].astype(int).tolist(),
            "values": s["value"].tolist(), "derived": s["derived"].astype(bool).tolist(),
            "key": entity, "sources": s["source_id"].tolist()}


# --------------------------------------------------------------------------- summary

def plan_document(rep: Report) -> str:
    """Document number of the three-year action plan (from sources.csv)."""
    src = rep.ds.sources.set_index("source_id")
    plan = rep.ds.targets["source_id"].mode()
    return str(src.loc[plan.iloc[0], "doc_number"]) if len(plan) else "–"


def benchmarks(rep: Report) -> list[str]:
    """The focal entity's parents up the chain (Inner Mongolia, China for Ordos)."""
    parent = rep.ds.entities.set_index("entity_id")["parent"]
    out, e = [], rep.entity
    while isinstance(parent.get(e), str):
        e = parent[e]
        out.append(e)
    return out


def summary_values(rep: Report) -> dict:
    card = rep.card
    counts = targets.status_counts(card).set_index("status")["targets"]
    city = rep.entity
    vals = {
        "report_year": rep.year, "data_end": rep.data_end, "n_targets": int(len(card)),
        "n_achieved": int(counts["achieved"] + counts["claimed_achieved"]),
        "n_claimed": int(counts["claimed_achieved"]),
        "n_on_track": int(counts["on_track"]), "n_moderate": int(counts["moderate"]),
        "n_insufficient": int(counts["insufficient"]), "n_moving_away": int(counts["moving_away"]),
        "n_not_achieved": int(counts["not_achieved"]), "n_not_reported": int(counts["not_reported"]),
        "n_insufficient_data": int(counts["insufficient_data"]),
        "n_plan_targets": int((card["entity"] == "ordos_htz").sum()),
    }
    vals["enterprise_sentence"] = enterprise_sentence(rep, city)
    vals["rd_sentence"] = rd_sentence(rep, city)
    return vals


def _latest(rep: Report, entity: str, indicator: str, reported_only: bool = False):
    s = growth.series(rep.obs, entity, indicator)
    if reported_only:
        s = s[~s["derived"].astype(bool)]
    return None if s.empty else s.iloc[-1]


def _count_phrase(rep: Report, entity: str, indicator: str, noun: str) -> str:
    last = _latest(rep, entity, indicator)
    if last is None:
        return f"no reported count of {noun}"
    if last["derived"]:
        return f"about {fmt_number(round(float(last['value'])))} {noun} in {int(last['year'])} (derived, not reported)"
    return f"{fmt_number(float(last['value']))} {noun} in {int(last['year'])}"


def enterprise_sentence(rep: Report, entity: str) -> str:
    """'Ordos City had 330 national high-tech enterprises in 2024 and 701 …' from the data."""
    name = rep.ds.entities.set_index("entity_id").loc[entity, "name_en"]
    return (f"{name} had {_count_phrase(rep, entity, 'high_tech_enterprises', 'national high-tech enterprises')} "
            f"and {_count_phrase(rep, entity, 'tech_smes', 'registered tech-based SMEs')}.")


def rd_sentence(rep: Report, entity: str) -> str:
    """The latest reported R&D expenditure and intensity, and the gap to China that year."""
    exp = _latest(rep, entity, "rd_expenditure", reported_only=True)
    inten = _latest(rep, entity, "rd_intensity")
    parts = []
    if exp is not None:
        parts.append(f"Its latest reported R&D expenditure is {fmt_number(float(exp['value']))} 亿元 ({int(exp['year'])})")
    if inten is not None:
        y = int(inten["year"])
        china = growth.series(rep.obs, "china", "rd_intensity")
        c = china[china["year"] == y]
        text = (f"its latest R&D intensity is {float(inten['value']):.2f}% of GDP ({y}"
                f"{', derived' if inten['derived'] else ''})")
        if len(c):
            cv = float(c.iloc[0]["value"])
            text += f", {abs(float(inten['value']) - cv):.2f} percentage points below China's {cv:.2f}% that year"
        parts.append(text)
    if not parts:
        return "No R&D figure for the city is in the data for this report year."
    s = "; ".join(parts)
    return s[0].upper() + s[1:] + "."


def status_figure(rep: Report):
    counts = targets.status_counts(rep.card)
    counts = counts[counts["targets"] > 0]
    src = source_line(rep, rep.card["source_id"].unique())
    return plots.status_chart(counts, f"Targets by status, report year {rep.year} (目标进展)", src)


# --------------------------------------------------------------------------- R&D

def rd_table(rep: Report) -> pd.DataFrame:
    """City R&D expenditure and intensity with Inner Mongolia and China, gaps in points."""
    city = rep.entity
    gaps = growth.benchmark_gaps(rep.obs, "rd_intensity", city, ["inner_mongolia", "china"])
    exp = rep.obs[(rep.obs["indicator"] == "rd_expenditure") & (rep.obs["entity"] == city)
                  & (rep.obs["period"] == "year")][["year", "value", "derived"]]
    exp = exp.rename(columns={"value": "city_rd_expenditure", "derived": "expenditure_derived"})
    out = gaps.merge(exp.assign(year=exp["year"].astype(int)), on="year", how="outer").sort_values("year")
    ints = rep.obs[(rep.obs["indicator"] == "rd_intensity") & (rep.obs["entity"] == city)]
    derived_years = set(ints.loc[ints["derived"].astype(bool), "year"].astype(int))
    out["intensity_derived"] = out["year"].isin(derived_years)
    return out.reset_index(drop=True)


def rd_display(tab: pd.DataFrame, city: str) -> pd.DataFrame:
    return pd.DataFrame({
        "Year": tab["year"].astype(str),
        "City R&D expenditure (亿元)": [fmt_number(v) + (" (derived)" if d is True else "")
                                       for v, d in zip(tab["city_rd_expenditure"], tab["expenditure_derived"])],
        "City intensity (%)": [("–" if pd.isna(v) else f"{v:.2f}") + (" (derived)" if d and not pd.isna(v) else "")
                               for v, d in zip(tab[city], tab["intensity_derived"])],
        "Inner Mongolia (%)": tab["inner_mongolia"].map(lambda v: "–" if pd.isna(v) else f"{v:.2f}"),
        "China (%)": tab["china"].map(lambda v: "–" if pd.isna(v) else f"{v:.2f}"),
        "Gap to IM (pp)": tab["gap_to_inner_mongolia"].map(lambda v: "–" if pd.isna(v) else f"{v:+.2f}"),
        "Gap to China (pp)": tab["gap_to_china"].map(lambda v: "–" if pd.isna(v) else f"{v:+.2f}"),
    })


def rd_needed(rep: Report) -> dict:
    """Growth the city's intensity would need to reach the zone's 2.5% target level, and the
    national level, by the target year (an illustration of scale: the target is the zone's)."""
    city = rep.entity
    s = growth.comparable_segment(growth.series(rep.obs, city, "rd_intensity"))
    tgt = rep.ds.targets.set_index("target_id").loc["htz_rd_intensity_2_5"]
    china = growth.series(rep.obs, "china", "rd_intensity")
    out = {"zone_target": float(tgt["target_value"]), "zone_target_year": int(tgt["target_year"])}
    if s.empty:
        return out | {"city_latest": math.nan, "city_year": None}
    last = s.iloc[-1]
    y, v = int(last["year"]), float(last["value"])
    horizon_year = max(int(tgt["target_year"]), y + 1)
    out |= {"city_latest": v, "city_year": y, "horizon_year": horizon_year,
            "req_cagr_to_zone_target": growth.required_cagr(v, out["zone_target"], y, horizon_year)}
    if not china.empty:
        c = china.iloc[-1]
        out |= {"china_latest": float(c["value"]), "china_year": int(c["year"]),
                "req_cagr_to_china": growth.required_cagr(v, float(c["value"]), y, horizon_year)}
    ach = growth.period_cagr(s)
    out["city_actual_cagr"] = ach["cagr"]
    out["city_actual_from"], out["city_actual_to"] = ach["from_year"], ach["to_year"]
    return out


def rd_values(need: dict) -> dict:
    """Prose values of the R&D chapter (formatted)."""
    num = lambda k, d=2: f"{need[k]:.{d}f}" if need.get(k) is not None and not pd.isna(need.get(k)) else "–"  # noqa: E731
    return {"city_latest": num("city_latest"), "city_year": need.get("city_year") or "–",
            "zone_target": f"{need['zone_target']:g}", "zone_target_year": need["zone_target_year"],
            "horizon_year": need.get("horizon_year", "–"),
            "req_to_zone": fmt_pct(need.get("req_cagr_to_zone_target")),
            "req_to_china": fmt_pct(need.get("req_cagr_to_china")),
            "china_latest": num("china_latest"), "china_year": need.get("china_year", "–"),
            "actual": fmt_pct(need.get("city_actual_cagr")),
            "actual_from": need.get("city_actual_from") or "–", "actual_to": need.get("city_actual_to") or "–"}


def rd_figure(rep: Report):
    lines = [ln for ln in (_line(rep, e, "rd_intensity", segment=(e == rep.entity))
                           for e in (rep.entity, "inner_mongolia", "china")) if ln]
    tgt = rep.ds.targets.set_index("target_id").loc["htz_rd_intensity_2_5"]
    src = source_line(rep, [s for ln in lines for s in ln["sources"]] + [tgt["source_id"]])
    note = ("City values before the 2018 GDP revision are not shown (different GDP basis). "
            "The dashed line is the High-tech Zone's target, not the city's.")
    return plots.series_chart(
        lines, "R&D intensity: Ordos, Inner Mongolia and China (R&D经费投入强度)", "percent", src, note,
        reference={"value": float(tgt["target_value"]),
                   "label": f"High-tech Zone target for {int(tgt['target_year'])} (高新区目标): ≥{float(tgt['target_value']):g}%"})


# --------------------------------------------------------------------------- patents

PATENT_INDICATORS = ["patent_applications", "invention_patent_applications",
                     "utility_model_applications", "patent_grants", "invention_patent_grants",
                     "valid_patents", "valid_invention_patents", "invention_patents_per_10k_employees",
                     "invention_patents_per_10k_people"]


def patent_table(rep: Report, entities: list[str]) -> pd.DataFrame:
    """Every patent figure for the entities, any period (partial years marked)."""
    obs = rep.obs
    sel = obs[obs["indicator"].isin(PATENT_INDICATORS) & obs["entity"].isin(entities)]
    sel = sel.sort_values(["entity", "indicator", "year"])
    return pd.DataFrame({
        "Entity": sel["entity"].map(lambda e: rep.label("entities", e)),
        "Indicator": sel["indicator"].map(lambda i: rep.label("indicators", i)),
        "Year": sel["year"].astype(int),
        "Period": sel["period"].map(lambda p: "full year" if p == "year" else p.replace("_", " ")),
        "Value": sel["value"],
        "Unit": sel["unit"].map(plots.unit_label),
        "Source": sel["source_id"],
    }).reset_index(drop=True)


def invention_share_check(rep: Report, entity: str) -> pd.DataFrame:
    """Invention share of applications: computed from the counts vs the reported share."""
    t = growth.share_table(rep.obs, (entity, "invention_patent_applications"), (entity, "patent_applications"))
    rep_share = growth.series(rep.obs, entity, "invention_share_of_patent_applications")[["year", "value"]]
    t = t.merge(rep_share.rename(columns={"value": "reported_share_pct"}), on="year", how="left")
    t["year"] = t["year"].astype(int)
    return t.rename(columns={"value_part": "invention_applications", "value_whole": "applications",
                             "share_pct": "computed_share_pct"})


def growth_claim_check(rep: Report, entity: str) -> dict:
    """The zone's claim of 'over 30% average growth since 2017' against the counts we have."""
    obs = rep.view.observations
    claim = obs[(obs["entity"] == entity) & (obs["indicator"] == "patent_applications_avg_growth")]
    if claim.empty:
        return {"available": False}
    c = claim.iloc[0]
    start, end, rate = int(c["period_start"]), int(c["year"]), float(c["value"]) / 100
    out = {"available": True, "rate_pct": float(c["value"]), "start": start, "end": end,
           "source": c["source_id"]}
    for ind in ("patent_applications", "invention_patent_applications"):
        s = growth.series(rep.obs, entity, ind)
        at_end = s[s["year"] == end]
        at_start = s[s["year"] == start]
        if at_end.empty:
            continue
        v_end = float(at_end.iloc[-1]["value"])
        out[f"{ind}_end"] = v_end
        # derived: the largest start-year count consistent with the claimed lower bound
        out[f"{ind}_max_start"] = v_end / (1 + rate) ** (end - start)
        out[f"{ind}_start_reported"] = float(at_start.iloc[-1]["value"]) if not at_start.empty else None
    out["checkable"] = any(out.get(f"{i}_start_reported") is not None
                           for i in ("patent_applications", "invention_patent_applications"))
    return out


def patent_values(rep: Report, claim: dict) -> dict:
    """Prose values of the patents chapter."""
    def years(entity):
        s = rep.obs[(rep.obs["entity"] == entity) & (rep.obs["indicator"] == "patent_applications")
                    & (rep.obs["period"] == "year")]
        return ", ".join(str(int(y)) for y in sorted(s["year"])) or "no year"
    zone = rep.children()
    out = {"city_patent_years": years(rep.entity), "zone_patent_years": years(zone[0]) if zone else "no year"}
    if claim.get("available"):
        out |= {"claim_rate": fmt_number(claim["rate_pct"]), "claim_start": claim["start"],
                "claim_max_start": fmt_number(round(claim.get("patent_applications_max_start", math.nan))),
                "claim_max_start_inv": fmt_number(round(claim.get("invention_patent_applications_max_start", math.nan))),
                "claim_verdict": ("The sources give a count for the start year, so the claim is checked in the table above."
                                  if claim["checkable"] else
                                  f"No count for {claim['start']} is in the sources, so the claim cannot be checked directly.")}
    else:
        out |= {k: "–" for k in ("claim_rate", "claim_start", "claim_max_start", "claim_max_start_inv")}
        out["claim_verdict"] = "The claim is not in the data for this report year."
    dens = growth.series(rep.obs, zone[0], "invention_patents_per_10k_employees") if zone else pd.DataFrame()
    out["zone_density"] = fmt_number(float(dens.iloc[-1]["value"])) if len(dens) else "–"
    out["zone_density_year"] = int(dens.iloc[-1]["year"]) if len(dens) else "–"
    return out


def patent_figure(rep: Report, entities: list[str]):
    obs = rep.obs
    rows = obs[obs["indicator"].isin(["patent_applications", "invention_patent_applications"])
               & obs["entity"].isin(entities) & (obs["period"] == "year")].sort_values(["entity", "year", "indicator"])
    labels, values, colours, srcs = [], [], [], []
    for r in rows.to_dict("records"):
        ent = rep.ds.entities.set_index("entity_id").loc[r["entity"], "name_zh"]
        kind = "all" if r["indicator"] == "patent_applications" else "invention"
        labels.append(f"{ent}\n{int(r['year'])} {kind}")
        values.append(float(r["value"]))
        colours.append(plots.PALETTE.get(r["entity"]) if kind == "all" else "#9ecae1")
        srcs.append(r["source_id"])
    return plots.bar_chart(labels, values, "Patent applications, all and invention (专利申请量)", "count",
                           source_line(rep, srcs),
                           note="Only the years the sources report are shown; city and zone years differ.",
                           colours=colours)


# --------------------------------------------------------------------------- enterprises

def enterprise_table(rep: Report, entities: list[str]) -> pd.DataFrame:
    """High-tech enterprises and tech SMEs by entity and year: reported and derived side by side."""
    allobs = data.with_source_info(rep.candidates, rep.view)
    allobs = allobs[~allobs["obs_id"].isin(data.excluded_obs_ids(rep.view))]
    sel = allobs[allobs["indicator"].isin(["high_tech_enterprises", "tech_smes", "new_high_tech_enterprises"])
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


def zone_share_table(rep: Report, zone: str, city: str) -> pd.DataFrame:
    """The zone's share of the city: reported shares vs shares computed from the two counts."""
    rows = []
    for ind, share_ind in (("high_tech_enterprises", "high_tech_enterprises_share_of_parent"),
                           ("tech_smes", "tech_smes_share_of_parent")):
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
    """What the claim 'doubled by year Y' implies: the 2020 baseline is at most half the value
    reported for Y (derived bound), compared with what was reported nearest to 2020."""
    rows = []
    tg = rep.view.targets
    for t in tg[(tg["kind"] == "multiple_of_baseline") & tg["status_claim"].notna()].to_dict("records"):
        s = growth.series(rep.obs, t["entity"], t["indicator"])
        s_rep = s[~s["derived"].astype(bool)]
        claim_year = t.get("status_claim_year")
        at = s_rep[s_rep["year"] == claim_year] if pd.notna(claim_year) else s_rep.iloc[0:0]
        base_year = int(t["baseline_year"])
        near = s[(s["year"] >= base_year - 1) & (s["year"] <= base_year + 1)]
        rows.append({
            "target": f"{t['name_en']} ({t['name_zh']})",
            "claim": t.get("status_claim") or "–",
            "value_in_claim_year": float(at.iloc[-1]["value"]) if len(at) else math.nan,
            "claim_year": int(claim_year) if pd.notna(claim_year) else None,
            "max_baseline_if_doubled": float(at.iloc[-1]["value"]) / float(t["target_value"]) if len(at) else math.nan,
            "nearest_to_baseline": "; ".join(f"{int(r['year'])}: {fmt_number(r['value'])}{' (derived)' if r['derived'] else ''}"
                                             for r in near.to_dict("records")) or "none reported",
        })
    return pd.DataFrame(rows)


def enterprise_figure(rep: Report, indicator: str, entities: list[str]):
    lines = [ln for ln in (_line(rep, e, indicator) for e in entities) if ln]
    src = source_line(rep, [s for ln in lines for s in ln["sources"]])
    name = rep.ds.indicators.set_index("indicator_id").loc[indicator]
    return plots.series_chart(lines, f"{name['name_en']} ({name['name_zh']})", "count", src,
                              note="Hollow markers are values derived from a reported share or growth rate.")


# --------------------------------------------------------------------------- scorecard

def scorecard_rows(rep: Report, theme: str | None = None) -> pd.DataFrame:
    """The scorecard's full rows (for CSV), optionally one theme."""
    c = rep.card
    return c[c["theme"] == theme].reset_index(drop=True) if theme else c


def status_table(rep: Report) -> pd.DataFrame:
    counts = targets.status_counts(rep.card)
    return pd.DataFrame({"Status": counts["label"], "Targets": counts["targets"]})


def themes(rep: Report) -> list[str]:
    """Scorecard themes in report order."""
    return sorted(rep.card["theme"].unique())


def rule_values() -> dict:
    rules = targets.rules_from_config()
    return {"on_track": f"{targets.ON_TRACK:.0%}", "moderate": f"{targets.MODERATE:.0%}",
            "min_points": str(rules["min_points"]), "max_data_age": str(rules["max_data_age"]),
            "scorecard_method": targets.method_text(rules)}


def scorecard_display(rep: Report, theme: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scorecard as shown: words and colours; returns (table, cell styles)."""
    c = scorecard_rows(rep, theme)
    unit = c["unit"].map(plots.unit_label)
    tab = pd.DataFrame({
        "Plan (规划文件)": c["plan"],
        "Theme": c["theme"],
        "Target (目标)": c["name_en"] + " — " + c["name_zh"],
        "Entity": c["entity"].map(lambda e: rep.ds.entities.set_index("entity_id").loc[e, "name_zh"]),
        "Target value": [f"{cmp} {fmt_number(v)} {u}" if not pd.isna(v) else "not stated"
                         for cmp, v, u in zip(c["comparator"], c["target_value"], unit)],
        "By": c["target_year"].astype(int).astype(str),
        "Latest": [f"{fmt_number(v)} ({int(y)})" if not pd.isna(v) else "–"
                   for v, y in zip(c["latest_value"], c["latest_year"].fillna(0))],
        "Required CAGR (from base)": c["required_cagr"].map(fmt_pct),
        "Actual CAGR": c["actual_cagr"].map(fmt_pct),
        "R": c["ratio"].map(lambda r: fmt_pct(r, 0)),
        "Still needed a year (from latest)": c["required_cagr_from_latest"].map(fmt_pct),
        "P(meet)": c["p_meet"].map(lambda p: fmt_pct(p, 0)),
        "Status": c["status_label"],
        "Rule": c["rule"],
    })
    if theme:
        tab = tab.drop(columns=["Theme"])
    styles = pd.DataFrame("", index=tab.index, columns=tab.columns)
    styles["Status"] = [f"background-color: {plots.STATUS_COLOURS[s]}; color: {'white' if s in ('achieved', 'on_track', 'not_achieved', 'moving_away') else 'black'}"
                        for s in c["status"]]
    return tab, styles


# --------------------------------------------------------------------------- forecasts

def forecast_overview(rep: Report, entities: list[str]) -> pd.DataFrame:
    from analysis.forecast import forecast_table
    t = forecast_table([f for f in rep.forecasts if f.entity in entities])
    t = t[t["status"] == "ok"]
    return pd.DataFrame({
        "Entity": t["entity"].map(lambda e: rep.label("entities", e)),
        "Series": t["indicator"].map(lambda i: rep.label("indicators", i)),
        "Observations": t["n_obs"].astype(int),
        "Years": t["first_year"].astype(int).astype(str) + "–" + t["last_year"].astype(int).astype(str),
        "Derived points": t["n_derived"].astype(int),
        "Model": t["model"].map(MODEL_LABELS),
        "Why": t["rule"],
        "MAE": t["mae"], "MASE": t["mase"],
    }).reset_index(drop=True)


def too_short(rep: Report, entities: list[str]) -> pd.DataFrame:
    rows = [{"Entity": rep.label("entities", f.entity), "Series": rep.label("indicators", f.indicator),
             "Annual observations": f.n_obs, "Reason": f.rule}
            for f in rep.forecasts if f.entity in entities and f.status != "ok"]
    return pd.DataFrame(rows, columns=["Entity", "Series", "Annual observations", "Reason"])


def backtest_table(rep: Report, entities: list[str]) -> pd.DataFrame:
    from analysis.forecast import scores_table
    t = scores_table([f for f in rep.forecasts if f.entity in entities])
    return pd.DataFrame({
        "Entity": t["entity"].map(lambda e: rep.label("entities", e)),
        "Series": t["indicator"].map(lambda i: rep.label("indicators", i)),
        "Candidate": t["model"].map(MODEL_LABELS),
        "Chosen": np.where(t["chosen"], "✔ chosen", ""),
        "Forecasts evaluated": t["n_forecasts"].astype(int),
        "MAE": t["mae"], "MASE": t["mase"],
        "80% coverage": t["coverage80"].map(lambda x: fmt_pct(x, 0)),
        "95% coverage": t["coverage95"].map(lambda x: fmt_pct(x, 0)),
    }).reset_index(drop=True)


def fan_figures(rep: Report, entities: list[str]) -> list:
    figs = []
    for f in rep.forecasts:
        if f.entity not in entities or f.status != "ok":
            continue
        tgt = rep.card[(rep.card["entity"] == f.entity) & (rep.card["indicator"] == f.indicator)
                       & rep.card["target_value"].notna() & rep.card["kind"].isin(["level", "share", "rank"])]
        target = None
        if len(tgt):
            t = tgt.iloc[0]
            target = {"year": int(t["target_year"]), "value": float(t["target_value"]),
                      "label": f"target {t['comparator']} {fmt_number(t['target_value'])} ({int(t['target_year'])})"}
        s = growth.comparable_segment(growth.series(rep.obs, f.entity, f.indicator))
        name = rep.ds.indicators.set_index("indicator_id").loc[f.indicator]
        ent = rep.ds.entities.set_index("entity_id").loc[f.entity]
        note = f"Model: {MODEL_LABELS[f.model]} — {f.rule}."
        figs.append(plots.fan_chart(
            f.years, f.values, f.path,
            f"{ent['name_en']}: {name['name_en']} ({ent['name_zh']} {name['name_zh']})",
            f.unit, source_line(rep, s["source_id"]), target=target, note=note, key=f.entity))
    return figs


def forecast_values(rep: Report, entities: list[str]) -> dict:
    from analysis.forecast import INTERVAL_LEVELS

    fcs = [f for f in rep.forecasts if f.entity in entities]
    inner, outer = INTERVAL_LEVELS
    return {"n_series": len(fcs), "n_modelled": sum(f.status == "ok" for f in fcs),
            "level_inner": f"{inner:.0%}", "level_outer": f"{outer:.0%}"}


def probability_table(rep: Report) -> pd.DataFrame:
    c = rep.card[rep.card["target_year"].astype(int) > rep.year]
    return pd.DataFrame({
        "Target": c["name_en"] + " (" + c["name_zh"] + ")",
        "By": c["target_year"].astype(int).astype(str),
        "Status": c["status_label"],
        "P(meet target)": [_probability_text(rep, r) for r in c.to_dict("records")],
    }).reset_index(drop=True)


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


# --------------------------------------------------------------------------- data and methods

def coverage(rep: Report, entities: list[str], families=("rd", "patents", "enterprises", "economy")) -> pd.DataFrame:
    """1 = reported full year, 2 = derived only, 3 = part-year or point-in-time only, 0 = none;
    rows 'entity · indicator', columns years."""
    allobs = rep.candidates[~rep.candidates["obs_id"].isin(data.excluded_obs_ids(rep.view))]
    fam = rep.ds.indicators.set_index("indicator_id")
    keep = fam[fam["family"].isin(families) & fam["measure"].isin(["flow", "stock", "ratio", "share"])].index
    sel = allobs[allobs["entity"].isin(entities) & allobs["indicator"].isin(keep)]
    years = list(range(int(sel["year"].min()), rep.year + 1)) if not sel.empty else []
    rows = {}
    for (e, i), g in sel.groupby(["entity", "indicator"], sort=True):
        ent = rep.ds.entities.set_index("entity_id").loc[e, "name_zh"]
        label = f"{ent} · {fam.loc[i, 'name_en']}"
        row = []
        for y in years:
            gy = g[g["year"] == y]
            full = gy[gy["period"] == "year"]
            if gy.empty:
                row.append(0)
            elif full.empty:
                row.append(3)
            else:
                row.append(1 if (~full["derived"].astype(bool)).any() else 2)
        rows[label] = row
    return pd.DataFrame.from_dict(rows, orient="index", columns=years)


def coverage_figure(rep: Report, entities: list[str]):
    cov = coverage(rep, entities)
    return plots.coverage_chart(cov, f"Which figures exist for which years (data coverage, up to {rep.year})",
                                "data/observations.csv (all sources); derived values computed by src/analysis/derive.py")


def sources_table(rep: Report) -> pd.DataFrame:
    s = rep.ds.sources
    n = rep.ds.observations.groupby("source_id").size()
    return pd.DataFrame({"Id": s["source_id"], "Title": s["title"], "Issuer": s["issuer"],
                         "Document no.": s["doc_number"].fillna("–"), "Published": s["publication_date"],
                         "Type": s["type"].str.replace("_", " "), "Rows": s["source_id"].map(n).fillna(0).astype(int),
                         "URL or copy": s["url"].fillna(s["local_copy"]).fillna("–")})


def derived_table(rep: Report) -> pd.DataFrame:
    d = rep.candidates[rep.candidates["derived"].astype(bool)].reset_index(drop=True)
    return pd.DataFrame({"Entity": d["entity"], "Indicator": d["indicator"], "Year": d["year"].astype(int),
                         "Value": d["value"], "Formula": d["formula"], "Inputs": d["locator"],
                         "Note": d["note"].fillna("")})


def conflicts_table(rep: Report) -> pd.DataFrame:
    c = rep.ds.conflicts
    return pd.DataFrame({"Conflict": c["conflict_id"], "Kind": c["kind"].str.replace("_", " "),
                         "Entity": c["entity"], "What the sources say": c["description"],
                         "What the report does": c["resolution"],
                         "Rows set aside": c["exclude_obs_ids"].fillna("–")})


def disagreements_table(rep: Report) -> pd.DataFrame:
    """Points for which sources (or a derivation) give different values, beyond rounding (1%)."""
    d = data.disagreements(rep.candidates, rep.view)
    d = d.sort_values(["entity", "indicator", "year", "period", "derived"])
    chosen = set(rep.obs["obs_id"])
    return pd.DataFrame({"Entity": d["entity"], "Indicator": d["indicator"], "Year": d["year"].astype(int),
                         "Value": d["value"],
                         "Kind": np.where(d["derived"].astype(bool), "derived", "reported"),
                         "Source": d["source_id"],
                         "Used": np.where(d["obs_id"].isin(chosen), "yes", "no")}).reset_index(drop=True)
