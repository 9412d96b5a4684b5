"""Data and methods (数据与方法): which figures exist for which years, the sources, recorded
conflicts and disagreements between sources, and the derived values with their formulas."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import data, plots
from analysis.report import Report
from analysis.views.shared import entity_row, says_when_empty

COVERAGE_FAMILIES = ("rd", "patents", "enterprises", "economy")
COVERAGE_MEASURES = ("flow", "stock", "ratio", "share")
NONE, REPORTED, DERIVED_ONLY, PART_YEAR_ONLY = 0, 1, 2, 3


def coverage(rep: Report, entities: list[str], families=COVERAGE_FAMILIES) -> pd.DataFrame:
    """1 = reported full year, 2 = derived only, 3 = part-year or point-in-time only, 0 = none;
    rows 'entity · indicator', columns years."""
    allobs = data.without_excluded(rep.candidates, rep.ds)
    fam = rep.ds.indicators.set_index("indicator_id")
    keep = fam[fam["family"].isin(families) & fam["measure"].isin(COVERAGE_MEASURES)].index
    sel = allobs[allobs["entity"].isin(entities) & allobs["indicator"].isin(keep)]
    years = list(range(int(sel["year"].min()), rep.year + 1)) if not sel.empty else []
    rows = {}
    for (e, i), g in sel.groupby(["entity", "indicator"], sort=True):
        label = f"{entity_row(rep, e)['name_zh']} · {fam.loc[i, 'name_en']}"
        row = []
        for y in years:
            gy = g[g["year"] == y]
            full = gy[gy["period"] == "year"]
            if gy.empty:
                row.append(NONE)
            elif full.empty:
                row.append(PART_YEAR_ONLY)
            else:
                row.append(REPORTED if (~full["derived"].astype(bool)).any() else DERIVED_ONLY)
        rows[label] = row
    return pd.DataFrame.from_dict(rows, orient="index", columns=years)


def coverage_figure(rep: Report, entities: list[str]):
    cov = coverage(rep, entities)
    return plots.coverage_chart(
        cov,
        f"Which figures exist for which years (data coverage, up to {rep.year})",
        "data/observations.csv (all sources); derived values computed by src/analysis/derive.py",
    )


def sources_table(rep: Report) -> pd.DataFrame:
    """Every source, with the number of rows the report may use (years up to the report year)."""
    s = rep.ds.sources
    n = rep.ds.observations.groupby("source_id").size()
    return pd.DataFrame(
        {
            "Id": s["source_id"],
            "Title": s["title"],
            "Issuer": s["issuer"],
            "Document no.": s["doc_number"].fillna("–"),
            "Published": s["publication_date"],
            "Type": s["type"].str.replace("_", " "),
            "Rows": s["source_id"].map(n).fillna(0).astype(int),
            "URL or copy": s["url"].fillna(s["local_copy"]).fillna("–"),
        }
    )


@says_when_empty("derived value")
def derived_table(rep: Report) -> pd.DataFrame:
    d = rep.candidates[rep.candidates["derived"].astype(bool)].reset_index(drop=True)
    return pd.DataFrame(
        {
            "Entity": d["entity"],
            "Indicator": d["indicator"],
            "Year": d["year"].astype(int),
            "Value": d["value"],
            "Formula": d["formula"],
            "Inputs": d["locator"],
            "Note": d["note"].fillna(""),
        }
    )


@says_when_empty("recorded conflict")
def conflicts_table(rep: Report) -> pd.DataFrame:
    c = rep.ds.conflicts
    return pd.DataFrame(
        {
            "Conflict": c["conflict_id"],
            "Kind": c["kind"].str.replace("_", " "),
            "Entity": c["entity"],
            "What the sources say": c["description"],
            "What the report does": c["resolution"],
            "Rows set aside": c["exclude_obs_ids"].fillna("–"),
        }
    )


@says_when_empty("point where sources disagree beyond rounding")
def disagreements_table(rep: Report) -> pd.DataFrame:
    """Points for which sources (or a derivation) give different values, beyond rounding (1%)."""
    d = data.disagreements(rep.candidates, rep.ds)
    d = d.sort_values(["entity", "indicator", "year", "period", "derived"])
    chosen = set(rep.obs["obs_id"])
    return pd.DataFrame(
        {
            "Entity": d["entity"],
            "Indicator": d["indicator"],
            "Year": d["year"].astype(int),
            "Value": d["value"],
            "Kind": np.where(d["derived"].astype(bool), "derived", "reported"),
            "Source": d["source_id"],
            "Used": np.where(d["obs_id"].isin(chosen), "yes", "no"),
        }
    ).reset_index(drop=True)
