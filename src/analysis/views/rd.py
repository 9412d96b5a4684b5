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

from analysis import growth, i18n, plots
from analysis.i18n import join, sentence_end, short_name, t
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
        same = country[country["year"].astype(int) == y]  # the country in the entity's latest year
        if len(same):
            out |= {"country_same_year": float(same.iloc[-1]["value"])}
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
    # no gap across a break in the entity's series: years before its comparable stretch are on
    # another basis (their gap is left blank; the caveats say why)
    full = growth.series(obs, city, INTENSITY)
    shown = growth.comparable_segment(full)
    if len(shown) < len(full):
        before = out["year"] < int(shown["year"].min())
        for b in rep.parents():
            out.loc[before, f"gap_to_{b}"] = math.nan
    ints = obs[(obs["indicator"] == INTENSITY) & (obs["entity"] == city)]
    derived_years = set(ints.loc[ints["derived"].astype(bool), "year"].astype(int))
    out["intensity_derived"] = out["year"].isin(derived_years)
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- display


def rd_display(rep: Report, tab: pd.DataFrame) -> pd.DataFrame:
    """The table as shown: intensities with the unit's decimals, gaps signed, derived marked."""

    def derived(text, d):
        return t("rd.derived_mark", value=text) if d is True and text != "–" else text

    name = short_name(entity_row(rep, rep.entity))
    out = {
        t("rd.col_year"): tab["year"].astype(str),
        t("rd.col_expenditure", name=name): [
            derived(fmt_number(v), d) for v, d in zip(tab["city_rd_expenditure"], tab["expenditure_derived"])
        ],
        t("rd.col_intensity", name=name): [
            derived(fmt_value(v, "percent"), bool(d))
            for v, d in zip(tab[rep.entity], tab["intensity_derived"])
        ],
    }
    for b in rep.parents():
        out[t("rd.col_benchmark", name=short_name(entity_row(rep, b)))] = tab[b].map(
            lambda v: fmt_value(v, "percent")
        )
    for b in rep.parents():
        out[t("rd.col_gap", name=short_name(entity_row(rep, b)))] = tab[f"gap_to_{b}"].map(
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
        return {"levels_sentence": no_data(rep, t("rd.what_intensity")), "growth_paragraph": ""}
    out = {"levels_sentence": t("rd.levels_sentence", name=name, value=v["city_latest"], year=v["city_year"])}
    parts = []
    tgt = intensity_target(rep)
    common = {
        "target": v["zone_target"],
        "target_year": v["zone_target_year"],
        "horizon_year": v["horizon_year"],
        "required": v["req_to_zone"],
        "name": name,
    }
    if tgt is not None and tgt["entity"] == rep.entity:
        parts.append(t("rd.own_target", **common))
    elif tgt is not None:
        own = growth.series(rep.obs, tgt["entity"], INTENSITY)
        parts.append(
            t(
                "rd.other_target",
                owner=entity_name(rep, tgt["entity"]),
                no_own="" if len(own) else t("rd.no_own_series"),
                **common,
            )
        )
    if "country_latest" in need:
        top = entity_name(rep, rep.parents()[-1])
        parts.append(
            t(
                "rd.to_country",
                top=top,
                value=v["country_latest"],
                year=v["country_year"],
                required=v["req_to_country"],
            )
        )
    text = t("rd.clause_sep").join(parts)
    text = (text[0].upper() + text[1:] + sentence_end()) if text else ""
    if not math.isnan(need.get("city_actual_cagr") or math.nan):
        text += " " + t(
            "rd.achieved", start=v["actual_from"], end=v["actual_to"], name=name, rate=v["actual"]
        )
    out["growth_paragraph"] = text.strip()
    return out


def caveats(rep: Report) -> list[str]:
    """What a reader must know about the focal entity's R&D series, computed from the data: a
    break in the intensity series (the values left out), the derived values, and the recorded
    conflicts (conflicts.csv) about its R&D indicators."""
    name = entity_name(rep, rep.entity)
    out = []
    full = growth.series(rep.obs, rep.entity, INTENSITY)
    shown = growth.comparable_segment(full)
    if len(shown) < len(full):
        first = int(shown["year"].min())
        left_out = sorted(int(y) for y in full["year"] if int(y) < first)
        out.append(t("rd.caveat_break", name=name, years=join(left_out), year=first))
    derived = sorted(int(y) for y in full.loc[full["derived"].astype(bool), "year"])
    if derived:
        out.append(t("rd.caveat_derived", name=name, years=join(derived)))
    c = rep.ds.conflicts
    if len(c):
        for r in c[c["entity"] == rep.entity].to_dict("records"):
            inds = [i for i in str(r["indicator"]).split(";") if i in (INTENSITY, EXPENDITURE)]
            if not inds or r["kind"] == "series_break":  # a break is said above, from the data
                continue
            kind = f"rd.conflict_kind_{r['kind']}"
            out.append(
                t(
                    "rd.caveat_conflict",
                    name=name,
                    indicators=join(rep.label("indicators", i) for i in inds),
                    years=str(r["years"]).replace(";", "/"),
                    kind=t(kind if kind in i18n.catalog() else "rd.conflict_kind_other"),
                    id=r["conflict_id"],
                )
            )
    return out


def caveats_box(rep: Report):
    """The caveats as a warning box (HTML in the theme's admonition style), or a sentence saying
    there is none."""
    import html

    from IPython.display import HTML

    name = entity_name(rep, rep.entity)
    items = caveats(rep)
    if not items:
        return HTML(f"<p>{html.escape(t('rd.caveats_none', name=name))}</p>")
    body = "".join(f"<li>{html.escape(x)}</li>" for x in items)
    return HTML(
        f'<div class="admonition warning"><p class="admonition-title">'
        f"{html.escape(t('rd.caveats_title', name=name))}</p><ul>{body}</ul></div>"
    )


def findings(rep: Report, ch=None) -> list[str]:
    """The chapter's opening sentences: the latest intensity against the country's, the latest
    R&D expenditure and its growth, and the growth the intensity target would need."""
    name = entity_name(rep, rep.entity)
    need = growth_needed(rep)
    v = values(need)
    if need.get("city_year") is None:
        out = [t("rd.finding_no_data", name=name, year=rep.year)]
    elif "country_same_year" in need:  # compared in the same year: the entity's latest
        gap = need["city_latest"] - need["country_same_year"]
        out = [
            t(
                "rd.finding_level",
                name=name,
                value=v["city_latest"],
                year=v["city_year"],
                gap=fmt_value(abs(gap), "pp"),
                direction=t("rd.above" if gap > 0 else "rd.below"),
                top=entity_name(rep, rep.parents()[-1]),
                top_value=fmt_value(need["country_same_year"], "percent"),
            )
        ]
        if need["country_year"] != need["city_year"]:
            out[0] += ("" if i18n.is_chinese() else " ") + t(
                "rd.finding_country_later",
                top=entity_name(rep, rep.parents()[-1]),
                value=v["country_latest"],
                year=v["country_year"],
            )
    elif "country_latest" in need:
        out = [
            t("rd.finding_level_alone", name=name, value=v["city_latest"], year=v["city_year"]),
            t(
                "rd.finding_country_later",
                top=entity_name(rep, rep.parents()[-1]),
                value=v["country_latest"],
                year=v["country_year"],
            ),
        ]
    else:
        out = [t("rd.finding_level_alone", name=name, value=v["city_latest"], year=v["city_year"])]
    exp = growth.comparable_segment(growth.series(rep.obs, rep.entity, EXPENDITURE))
    if len(exp):
        last = exp.iloc[-1]
        ach = growth.period_cagr(exp) if len(exp) > 1 else {"cagr": math.nan}
        change = (
            ""
            if math.isnan(ach.get("cagr", math.nan))
            else t("rd.expenditure_change", rate=fmt_pct(ach["cagr"]), start=ach["from_year"])
        )
        out.append(
            t(
                "rd.finding_expenditure",
                name=name,
                value=fmt_number(float(last["value"])),
                year=int(last["year"]),
                change=change,
            )
        )
    tgt = intensity_target(rep)
    if tgt is not None and need.get("city_year") is not None and "req_cagr_to_zone_target" in need:
        args = {
            "owner": entity_name(rep, tgt["entity"]),
            "target": v["zone_target"],
            "target_year": v["zone_target_year"],
            "required": v["req_to_zone"],
        }
        if math.isnan(need.get("city_actual_cagr") or math.nan):
            out.append(t("rd.finding_target_no_actual", **args))
        else:
            out.append(
                t(
                    "rd.finding_target",
                    name=name,
                    actual=v["actual"],
                    start=v["actual_from"],
                    end=v["actual_to"],
                    **args,
                )
            )
    return out


def rd_figure(rep: Report):
    """Intensity of the focal entity (latest comparable stretch) and its benchmarks, with the
    intensity target as a dashed reference line; each line's latest value labelled with its year."""
    lines = []
    for e in (rep.entity, *rep.parents()):
        ln = line(rep, e, INTENSITY, segment=(e == rep.entity))
        if ln:
            lines.append(ln | {"label": short_name(entity_row(rep, e)), "fmt": "{:.2f}%"})
    tgt = intensity_target(rep)
    srcs = [s for ln in lines for s in ln["sources"]] + ([tgt["source_id"]] if tgt is not None else [])
    notes = []
    full = growth.series(rep.obs, rep.entity, INTENSITY)
    shown = growth.comparable_segment(full)
    if len(shown) < len(full):  # a break in the series (e.g. a GDP revision): earlier values left out
        notes.append(t("rd.break_note", name=entity_name(rep, rep.entity), year=int(shown["year"].min())))
    reference = None
    if tgt is not None:
        v, y = float(tgt["target_value"]), int(tgt["target_year"])
        owner = short_name(entity_row(rep, tgt["entity"]))
        reference = {"value": v, "label": t("rd.reference_label", owner=owner, year=y, value=f"{v:g}")}
        if tgt["entity"] != rep.entity:
            notes.append(
                t(
                    "rd.reference_not_focus",
                    owner=entity_name(rep, tgt["entity"]),
                    name=entity_name(rep, rep.entity),
                )
            )
    names = [short_name(entity_row(rep, e)) for e in (rep.entity, *rep.parents())]
    return plots.series_chart(
        lines,
        t("rd.figure_title", names=join(names)),
        "percent",
        source_line(rep, srcs),
        " ".join(notes),
        reference=reference,
        report_year=rep.year,
    )
