"""R&D intensity (研发投入强度): the focal entity's R&D expenditure and intensity against its
benchmarks (the parents up the chain in entities.csv), the R&D-intensity target as a reference,
and the growth the intensity would need.

Reading the chapter's second sentence ("The city's latest R&D intensity is …% (year)") backwards:
``values`` formats ``growth_needed(rep)["city_latest"]``, which is the last point of the focal
entity's ``rd_intensity`` series in ``rep.obs`` (``growth.series`` then
``growth.comparable_segment``: the latest stretch on one GDP basis); ``rep.obs`` is built by
``report.build_report`` from ``data.as_of`` → ``derive.with_derived`` (intensity = R&D ÷ GDP where
no intensity is reported) → ``data.preferred`` (one value per point) over the rows of
``data/observations.csv``.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis import growth, plots
from analysis.report import Report
from analysis.tables import fmt_number, fmt_pct, fmt_value
from analysis.views.shared import entity_name, entity_row, line, no_data, source_line

INTENSITY, EXPENDITURE = "rd_intensity", "rd_expenditure"


# --------------------------------------------------------------------------- analysis


def intensity_target(rep: Report) -> pd.Series | None:
    """The R&D-intensity level target of the focal entity or one of its zones (as of the report
    year), or None."""
    t = rep.ds.targets
    sel = t[
        (t["indicator"] == INTENSITY)
        & (t["kind"] == "level")
        & t["entity"].isin([rep.entity, *rep.children()])
        & t["target_value"].notna()
    ]
    return None if sel.empty else sel.iloc[0]


def growth_needed(rep: Report) -> dict:
    """Growth the focal entity's intensity would need to reach the intensity target's level, and
    the country's latest level, by the target year (an illustration of scale when the target is a
    zone's), with the growth it achieved over its latest comparable stretch."""
    s = growth.comparable_segment(growth.series(rep.obs, rep.entity, INTENSITY))
    tgt = intensity_target(rep)
    top = rep.parents()[-1:]  # the country
    country = growth.series(rep.obs, top[0], INTENSITY) if top else pd.DataFrame()
    out = {"zone_target": math.nan, "zone_target_year": None}
    if tgt is not None:
        out |= {"zone_target": float(tgt["target_value"]), "zone_target_year": int(tgt["target_year"])}
    if s.empty:
        return out | {"city_latest": math.nan, "city_year": None}
    last = s.iloc[-1]
    y, v = int(last["year"]), float(last["value"])
    out |= {"city_latest": v, "city_year": y}
    horizon_year = max(out["zone_target_year"] or rep.year + rep.horizon, y + 1)
    out["horizon_year"] = horizon_year
    if tgt is not None:
        out["req_cagr_to_zone_target"] = growth.required_cagr(v, out["zone_target"], y, horizon_year)
    if not country.empty:
        c = country.iloc[-1]
        out |= {
            "country_latest": float(c["value"]),
            "country_year": int(c["year"]),
            "req_cagr_to_country": growth.required_cagr(v, float(c["value"]), y, horizon_year),
        }
    ach = growth.period_cagr(s)
    out["city_actual_cagr"] = ach["cagr"]
    out["city_actual_from"], out["city_actual_to"] = ach["from_year"], ach["to_year"]
    return out


def rd_table(rep: Report) -> pd.DataFrame:
    """Focal entity's R&D expenditure and intensity with its benchmarks, gaps in points."""
    city, obs = rep.entity, rep.obs
    gaps = growth.benchmark_gaps(obs, INTENSITY, city, rep.parents())
    exp = obs[(obs["indicator"] == EXPENDITURE) & (obs["entity"] == city) & (obs["period"] == "year")][
        ["year", "value", "derived"]
    ]
    exp = exp.rename(columns={"value": "city_rd_expenditure", "derived": "expenditure_derived"})
    out = gaps.merge(exp.assign(year=exp["year"].astype(int)), on="year", how="outer").sort_values("year")
    ints = obs[(obs["indicator"] == INTENSITY) & (obs["entity"] == city)]
    derived_years = set(ints.loc[ints["derived"].astype(bool), "year"].astype(int))
    out["intensity_derived"] = out["year"].isin(derived_years)
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- display


def rd_display(rep: Report, tab: pd.DataFrame) -> pd.DataFrame:
    """The table as shown: intensities with the unit's decimals, gaps signed, derived marked."""

    def derived(text, d):
        return text + (" (derived)" if d is True and text != "–" else "")

    out = {
        "Year": tab["year"].astype(str),
        "City R&D expenditure (亿元)": [
            derived(fmt_number(v), d) for v, d in zip(tab["city_rd_expenditure"], tab["expenditure_derived"])
        ],
        "City intensity (%)": [
            derived(fmt_value(v, "percent"), bool(d))
            for v, d in zip(tab[rep.entity], tab["intensity_derived"])
        ],
    }
    for b in rep.parents():
        out[f"{entity_row(rep, b)['name_en']} (%)"] = tab[b].map(lambda v: fmt_value(v, "percent"))
    for b in rep.parents():
        out[f"Gap to {entity_row(rep, b)['name_en']} (pp)"] = tab[f"gap_to_{b}"].map(
            lambda v: fmt_value(v, "pp", signed=True)
        )
    return pd.DataFrame(out)


def values(need: dict) -> dict:
    """Prose values of the R&D chapter (formatted)."""

    def pct(k):
        return fmt_value(need.get(k), "percent")

    return {
        "city_latest": pct("city_latest"),
        "city_year": need.get("city_year") or "–",
        "zone_target": "–" if math.isnan(need["zone_target"]) else f"{need['zone_target']:g}",
        "zone_target_year": need["zone_target_year"] or "–",
        "horizon_year": need.get("horizon_year", "–"),
        "req_to_zone": fmt_pct(need.get("req_cagr_to_zone_target")),
        "req_to_country": fmt_pct(need.get("req_cagr_to_country")),
        "country_latest": pct("country_latest"),
        "country_year": need.get("country_year", "–"),
        "actual": fmt_pct(need.get("city_actual_cagr")),
        "actual_from": need.get("city_actual_from") or "–",
        "actual_to": need.get("city_actual_to") or "–",
    }


def paragraphs(rep: Report, need: dict | None = None) -> dict:
    """The chapter's two computed paragraphs: the latest level, and the growth needed (whose
    target it is, the country's level, the growth achieved); each names the entities it is about."""
    need = need or growth_needed(rep)
    v = values(need)
    name = entity_name(rep, rep.entity)
    if need.get("city_year") is None:
        return {"levels_sentence": no_data(rep, "R&D intensity"), "growth_paragraph": ""}
    out = {
        "levels_sentence": f"The latest R&D intensity of {name} is {v['city_latest']}% ({v['city_year']})."
    }
    parts = []
    tgt = intensity_target(rep)
    if tgt is not None and tgt["entity"] == rep.entity:
        parts.append(
            f"The target of {name} is an R&D intensity of at least {v['zone_target']}% by "
            f"{v['zone_target_year']}: to reach it by {v['horizon_year']} the intensity would "
            f"need to grow {v['req_to_zone']} a year"
        )
    elif tgt is not None:
        own = growth.series(rep.obs, tgt["entity"], INTENSITY)
        parts.append(
            f"The target of an R&D intensity of at least {v['zone_target']}% by "
            f"{v['zone_target_year']} is that of {entity_name(rep, tgt['entity'])}, not of {name}"
            + ("" if len(own) else ", and no R&D intensity of its own is in the sources")
            + f". As a measure of scale only: for the intensity of {name} to reach that level by "
            f"{v['horizon_year']}, it would need to grow {v['req_to_zone']} a year"
        )
    if "country_latest" in need:
        top = entity_name(rep, rep.parents()[-1])
        parts.append(
            f"to reach the latest level of {top} ({v['country_latest']}%, {v['country_year']}) the "
            f"intensity would need {v['req_to_country']} a year"
        )
    text = "; ".join(parts)
    text = (text[0].upper() + text[1:] + ".") if text else ""
    if not math.isnan(need.get("city_actual_cagr") or math.nan):
        text += (
            f" Between {v['actual_from']} and {v['actual_to']} the intensity of {name} grew "
            f"{v['actual']} a year."
        )
    out["growth_paragraph"] = text.strip()
    return out


def rd_figure(rep: Report):
    """Intensity of the focal entity (latest comparable stretch) and its benchmarks, with the
    intensity target as a dashed reference line."""
    lines = [
        ln
        for ln in (line(rep, e, INTENSITY, segment=(e == rep.entity)) for e in (rep.entity, *rep.parents()))
        if ln
    ]
    tgt = intensity_target(rep)
    srcs = [s for ln in lines for s in ln["sources"]] + ([tgt["source_id"]] if tgt is not None else [])
    notes = []
    full = growth.series(rep.obs, rep.entity, INTENSITY)
    shown = growth.comparable_segment(full)
    if len(shown) < len(full):  # a break in the series (e.g. a GDP revision): earlier values left out
        first = int(shown["year"].min())
        notes.append(
            f"Values of {entity_row(rep, rep.entity)['name_en']} before {first} are on another basis "
            f"and are not shown."
        )
    reference = None
    if tgt is not None:
        v, y = float(tgt["target_value"]), int(tgt["target_year"])
        owner = entity_row(rep, tgt["entity"])
        reference = {
            "value": v,
            "label": f"{owner['name_en']} target for {y} ({owner['name_zh']}目标): ≥{v:g}%",
        }
        if tgt["entity"] != rep.entity:
            notes.append(
                f"The dashed line is the target of {entity_name(rep, tgt['entity'])}, not of the focus."
            )
    names = [entity_row(rep, e)["name_en"] for e in (rep.entity, *rep.parents())]
    return plots.series_chart(
        lines,
        f"R&D intensity: {', '.join(names)} (R&D经费投入强度)",
        "percent",
        source_line(rep, srcs),
        " ".join(notes),
        reference=reference,
    )
