"""Patents (专利): every patent figure in the sources, the invention share computed and
reported, and a check of a zone's claim of fast average growth."""

from __future__ import annotations

import math

import pandas as pd

from analysis import growth, i18n, plots, tables
from analysis.i18n import join, short_name, t
from analysis.report import Report
from analysis.tables import fmt_number, fmt_pct
from analysis.views.shared import colour, entity_name, entity_row, indicator_row, no_data, source_line

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
    # every year with both counts or with a reported share
    t = t.merge(rep_share.rename(columns={"value": "reported_share_pct"}), on="year", how="outer")
    t["uses_derived"] = t["uses_derived"].fillna(False).astype(bool)
    t = t.sort_values("year")
    t["year"] = t["year"].astype(int)
    return t.rename(
        columns={
            "value_part": "invention_applications",
            "value_whole": "applications",
            "share_pct": "computed_share_pct",
        }
    )


# --------------------------------------------------------------------------- display


def period_label(period: str) -> str:
    """A period of observations.csv in words ('全年', 'January–September')."""
    key = f"patents.period_{period}"
    return t(key) if key in i18n.catalog() else str(period).replace("_", " ")


def patent_table(rep: Report, entities: list[str]) -> pd.DataFrame:
    """Every patent figure for the entities, any period (partial years marked)."""
    obs = rep.obs
    sel = obs[obs["indicator"].isin(PATENT_INDICATORS) & obs["entity"].isin(entities)]
    sel = sel.sort_values(["entity", "indicator", "year"])
    if sel.empty:
        return no_data(rep, t("patents.what_patent_figure"), entities[0])
    return pd.DataFrame(
        {
            t("patents.col_entity"): sel["entity"].map(lambda e: rep.label("entities", e)),
            t("patents.col_indicator"): sel["indicator"].map(lambda i: rep.label("indicators", i)),
            t("patents.col_year"): sel["year"].astype(int),
            t("patents.col_period"): sel["period"].map(period_label),
            t("patents.col_value"): sel["value"],
            t("patents.col_unit"): sel["unit"].map(plots.unit_label),
            t("patents.col_source"): tables.source_links(sel["source_id"]),
        }
    ).reset_index(drop=True)


def invention_share_display(t_: pd.DataFrame, rep: Report | None = None) -> pd.DataFrame:
    """The invention-share check as shown: worded headers, shares with one decimal, yes/no; with
    `rep` and an ``entity`` column, the entity by name first."""

    def pct(v):
        return "–" if pd.isna(v) else f"{v:.1f}"

    lead = {}
    if rep is not None and "entity" in t_:
        lead = {t("patents.col_entity"): t_["entity"].map(lambda e: short_name(entity_row(rep, e)))}
    return pd.DataFrame(
        {
            **lead,
            t("patents.col_year"): t_["year"].astype(int).astype(str),
            t("patents.col_invention"): t_["invention_applications"].map(fmt_number),
            t("patents.col_applications"): t_["applications"].map(fmt_number),
            t("patents.col_computed_share"): t_["computed_share_pct"].map(pct),
            t("patents.col_reported_share"): t_["reported_share_pct"].map(pct),
            t("patents.col_uses_derived"): t_["uses_derived"].map(
                lambda d: t("patents.mark_yes") if bool(d) else t("patents.mark_no")
            ),
        }
    )


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
        return join(int(y) for y in sorted(s["year"]))

    entities = entities or [rep.entity, *([zone] if zone else [])]
    have = [t("patents.years_of", name=entity_name(rep, e), years=years(e)) for e in entities if years(e)]
    out = {
        "patent_years_sentence": (
            t("patents.years_sentence", items=t("patents.years_sep").join(have))
            if have
            else no_data(rep, t("patents.what_full_year_count"))
        )
    }
    if claim.get("available"):
        verdict = (
            t("patents.claim_checkable")
            if claim["checkable"]
            else t("patents.claim_not_checkable", start=claim["start"])
        )
        out["claim_paragraph"] = t(
            "patents.claim_paragraph",
            name=entity_name(rep, zone),
            rate=fmt_number(claim["rate_pct"]),
            start=claim["start"],
            source=claim["source"],
            verdict=verdict,
            max_all=fmt_number(round(claim.get("patent_applications_max_start", math.nan))),
            max_inv=fmt_number(round(claim.get("invention_patent_applications_max_start", math.nan))),
        )
    else:
        out["claim_paragraph"] = no_data(rep, t("patents.what_claim"), zone or rep.entity)
    dens = growth.series(rep.obs, zone, "invention_patents_per_10k_employees") if zone else pd.DataFrame()
    out["density_paragraph"] = (
        ""
        if not len(dens)
        else t(
            "patents.density_paragraph",
            value=fmt_number(float(dens.iloc[-1]["value"])),
            year=int(dens.iloc[-1]["year"]),
            name=entity_name(rep, zone),
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
    """The invention-share check for every entity of `pair` (else the focal entity) and every
    year with both counts or a reported share, with an entity column; or the sentence saying
    there is no figure."""
    entities = list(dict.fromkeys(pair)) if pair else [rep.entity]
    parts = [invention_share_check(rep, e).assign(entity=e) for e in entities]
    tab = pd.concat([p for p in parts if len(p)] or [pd.DataFrame()], ignore_index=True)
    if tab.empty:
        return no_data(rep, t("patents.what_invention_count"), entities[0])
    return invention_share_display(tab, rep)


def patent_figure(rep: Report, entities: list[str]):
    """Applications, all and invention, for the years the sources report: one row per entity and
    year, in the entity's colour (invention applications a lighter shade of it)."""
    obs = rep.obs
    rows = obs[obs["indicator"].isin(list(COUNTS)) & obs["entity"].isin(entities) & (obs["period"] == "year")]
    if rows.empty:
        return no_data(rep, t("patents.what_full_year_count"), entities[0])
    order = {e: i for i, e in enumerate(entities)}
    keys = sorted(
        {(r["entity"], int(r["year"])) for r in rows.to_dict("records")}, key=lambda k: (order[k[0]], k[1])
    )
    val = {(r["entity"], int(r["year"]), r["indicator"]): float(r["value"]) for r in rows.to_dict("records")}
    groups = [t("patents.group_label", name=short_name(entity_row(rep, e)), year=y) for e, y in keys]
    series = [
        {
            "label": short_name(indicator_row(rep, ind)),
            "values": [val.get((e, y, ind), math.nan) for e, y in keys],
            "alpha": alpha,
        }
        for ind, alpha in zip(COUNTS, (1.0, 0.45))
    ]
    return plots.grouped_bar_chart(
        groups,
        series,
        t("patents.figure_title"),
        "count",
        source_line(rep, rows["source_id"]),
        colours=[colour(rep, e) for e, _ in keys],
        note=t("patents.figure_note"),
    )


def findings(rep: Report, ch=None) -> list[str]:
    """The chapter's opening sentences: the latest full-year applications of each entity shown
    (with the invention share), else its latest patent figure of any kind; the zone's growth
    claim and whether it can be checked; the zone's patent density."""
    entities = ch.focus if ch is not None else [rep.entity]
    pair = ch.pair if ch is not None else None
    out = []
    for e in entities[:2]:
        name = entity_name(rep, e)
        apps = growth.series(rep.obs, e, "patent_applications")
        if len(apps):
            last = apps.iloc[-1]
            y, v = int(last["year"]), float(last["value"])
            inv = growth.series(rep.obs, e, "invention_patent_applications")
            inv = inv[inv["year"].astype(int) == y]
            if len(inv) and v > 0:
                iv = float(inv.iloc[-1]["value"])
                out.append(
                    t(
                        "patents.finding_applications",
                        name=name,
                        value=fmt_number(v),
                        year=y,
                        invention=fmt_number(iv),
                        share=fmt_pct(iv / v),
                    )
                )
            else:
                out.append(t("patents.finding_applications_only", name=name, value=fmt_number(v), year=y))
            continue
        any_ = rep.obs[(rep.obs["entity"] == e) & rep.obs["indicator"].isin(PATENT_INDICATORS)]
        if len(any_):
            r = any_.sort_values("year").iloc[-1]
            out.append(
                t(
                    "patents.finding_latest",
                    name=name,
                    indicator=rep.label("indicators", r["indicator"]),
                    value=fmt_number(float(r["value"])),
                    year=int(r["year"]),
                    period=period_label(r["period"]),
                )
            )
        elif e == rep.entity:
            out.append(t("patents.finding_no_data", name=name, year=rep.year))
    zone = pair[0] if pair else None
    if zone:
        claim = growth_claim_check(rep, zone)
        if claim.get("available"):
            key = "patents.finding_claim_checkable" if claim["checkable"] else "patents.finding_claim"
            out.append(
                t(key, name=entity_name(rep, zone), rate=fmt_number(claim["rate_pct"]), start=claim["start"])
            )
        dens = growth.series(rep.obs, zone, "invention_patents_per_10k_employees")
        if len(dens) and len(out) < 4:
            out.append(
                t(
                    "patents.finding_density",
                    name=entity_name(rep, zone),
                    value=fmt_number(float(dens.iloc[-1]["value"])),
                    year=int(dens.iloc[-1]["year"]),
                )
            )
    return out[:4]
