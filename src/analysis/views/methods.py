"""Data and methods (数据与方法): which figures exist for which years, the sources, recorded
conflicts and disagreements between sources, and the derived values with their formulas."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from analysis import data, derive, i18n, plots, tables
from analysis.i18n import t
from analysis.report import Report
from analysis.views.shared import entity_name, entity_row

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
        label = f"{i18n.short_name(entity_row(rep, e))} · {i18n.short_name(fam.loc[i])}"
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
    return plots.coverage_chart(cov, t("methods.coverage_title", year=rep.year), t("methods.coverage_source"))


# ---------------------------------------------------------------- findings


def findings(rep: Report, ch=None) -> list[str]:
    """The chapter's opening: coverage of the focal entity, sources with links, conflicts kept,
    derived values — each a sentence computed from the data."""
    out = []
    ent = entity_name(rep, rep.entity)
    mine = rep.obs[rep.obs["entity"] == rep.entity]
    if mine.empty:
        out.append(t("methods.finding_no_coverage", year=rep.year, entity=ent))
    else:
        now = mine[(mine["year"] == rep.year) & (mine["period"] == "year")]
        out.append(
            t(
                "methods.finding_coverage",
                year=rep.year,
                entity=ent,
                n_ind=mine["indicator"].nunique(),
                n_now=now["indicator"].nunique(),
            )
        )
    s = rep.ds.sources
    out.append(t("methods.finding_sources", n=len(s), n_links=int(s["url"].notna().sum())))
    c = rep.ds.conflicts
    if c.empty:
        out.append(t("methods.finding_no_conflicts"))
    else:
        out.append(t("methods.finding_conflicts", n=len(c), n_rows=len(excluded_ids(rep))))
    d = rep.candidates[rep.candidates["derived"].astype(bool)]
    if d.empty:
        out.append(t("methods.finding_no_derived", year=rep.year))
    else:
        unfit = d["note"].isin([derive.NOTE_SHARE, derive.NOTE_RATE]).sum()
        out.append(t("methods.finding_derived", n=len(d), year=rep.year, n_unfit=int(unfit)))
    return out


def excluded_ids(rep: Report) -> list[str]:
    """The obs_ids the recorded conflicts set aside."""
    ids = []
    for v in rep.ds.conflicts["exclude_obs_ids"].dropna():
        ids += [x.strip() for x in str(v).split(";") if x.strip()]
    return list(dict.fromkeys(ids))


# ---------------------------------------------------------------- sources


def source_type(kind) -> str:
    key = f"methods.source_type_{kind}"
    return t(key) if key in i18n.catalog() else str(kind).replace("_", " ")


def _text(v) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) or str(v) == "nan" else str(v)


def source_title(row) -> str:
    """The title in the edition's language (sources.csv: title in the original language, title_zh
    where the original title is not shown, title_en)."""
    zh = _text(row.get("title_zh")) or _text(row.get("title"))
    en = _text(row.get("title_en")) or _text(row.get("title"))
    return (zh or en) if i18n.is_chinese() else en


def _localised(row, column: str) -> str:
    """``column`` in the edition's language: ``<column>_zh`` in the Chinese edition when given."""
    if i18n.is_chinese():
        return _text(row.get(f"{column}_zh")) or _text(row.get(column))
    return _text(row.get(column))


def source_issuer(row) -> str:
    return _localised(row, "issuer")


def source_note(row) -> str:
    """The note on dating and reliability; in the Chinese edition only its Chinese text (an English
    note without translation is left out rather than shown in English)."""
    if i18n.is_chinese():
        return _text(row.get("note_zh"))
    return _text(row.get("note"))


def sources_table(rep: Report) -> pd.DataFrame:
    """Every source, with the number of rows the report may use (years up to the report year):
    the CSV behind the sources list."""
    s = rep.ds.sources
    n = rep.ds.observations.groupby("source_id").size()
    return pd.DataFrame(
        {
            t("methods.col_id"): s["source_id"],
            t("methods.col_title"): [source_title(r) for r in s.to_dict("records")],
            t("methods.col_issuer"): [source_issuer(r) for r in s.to_dict("records")],
            t("methods.col_doc"): s["doc_number"].fillna("–"),
            t("methods.col_published"): s["publication_date"],
            t("methods.col_type"): s["type"].map(source_type),
            t("methods.col_rows"): s["source_id"].map(n).fillna(0).astype(int),
            t("methods.col_url"): s["url"].fillna(s["local_copy"]).fillna("–"),
            t("methods.col_note"): [source_note(r) or "–" for r in s.to_dict("records")],
        }
    )


def sources_html(rep: Report) -> str:
    """The sources as a list, one entry per source with the anchor ``src-<id>`` (the target of
    :func:`analysis.tables.source_links`): title (a link to the original where there is a URL)
    in the edition's language, issuer, document number, date, type and rows of data."""
    s = rep.ds.sources
    n = rep.ds.observations.groupby("source_id").size()
    sep = "，" if i18n.is_chinese() else ", "
    items = []
    for r in s.to_dict("records"):
        sid = str(r["source_id"])
        title = html.escape(source_title(r))
        url = _text(r.get("url"))
        head = f'<a href="{html.escape(url, quote=True)}" rel="noopener">{title}</a>' if url else title
        parts = [html.escape(source_issuer(r))]
        if _text(r.get("doc_number")):
            parts.append(t("methods.source_doc", doc=html.escape(_text(r["doc_number"]))))
        if _text(r.get("publication_date")):
            parts.append(t("methods.source_published", date=html.escape(_text(r["publication_date"]))))
        parts.append(source_type(r.get("type")))
        parts.append(t("methods.source_rows", n=int(n.get(sid, 0))))
        if not url and _text(r.get("local_copy")):
            parts.append(
                t("methods.source_no_link", path=f"<code>{html.escape(_text(r['local_copy']))}</code>")
            )
        body = sep.join(p for p in parts if p)
        note = source_note(r)
        note = f'<br><span class="source-note">{html.escape(note)}</span>' if note else ""
        items.append(
            f'<li id="{tables.source_anchor(sid)}"><span class="source-title">{head}</span>'
            f'<br><span class="source-meta">{body} <span class="source-id">[{html.escape(sid)}]</span>'
            f"{note}</span></li>"
        )
    return '<ol class="source-list">\n' + "\n".join(items) + "\n</ol>"


def sources_list(rep: Report):
    """The sources list as shown on the page (HTML), with the CSV of :func:`sources_table`."""
    from IPython.display import HTML

    df = sources_table(rep)
    tables.write_csv(df, "sources")
    link = (
        f'<p class="csv-download"><a href="{tables.DOWNLOADS_URL}/{tables.csv_name("sources")}" '
        f"download>{t('tables.csv_link')}</a></p>"
    )
    return HTML(sources_html(rep) + link)


# ---------------------------------------------------------------- derived values and conflicts


def _names(rep: Report, kind: str, ids) -> list[str]:
    names = data.names(rep.ds, kind)
    return [i18n.join(names.get(x, x) for x in str(v).split(";") if x) for v in ids]


def derived_table(rep: Report):
    d = rep.candidates[rep.candidates["derived"].astype(bool)].reset_index(drop=True)
    if d.empty:
        return t("methods.none_derived", year=rep.year)
    ex = [derive.explain(r, rep.ds) for r in d.to_dict("records")]
    return pd.DataFrame(
        {
            t("methods.col_entity"): _names(rep, "entities", d["entity"]),
            t("methods.col_indicator"): _names(rep, "indicators", d["indicator"]),
            t("methods.col_year"): d["year"].astype(int),
            t("methods.col_value"): [tables.fmt_value(v, u) for v, u in zip(d["value"], d["unit"])],
            t("methods.col_formula"): [e["formula"] for e in ex],
            t("methods.col_inputs"): [e["inputs"] for e in ex],
            t("methods.col_note"): [e["note"] for e in ex],
        }
    )


def conflict_kind(kind) -> str:
    key = f"methods.conflict_{kind}"
    return t(key) if key in i18n.catalog() else str(kind).replace("_", " ")


def _conflict_texts(rep: Report, r: dict) -> tuple[str, str]:
    """What the sources say and what the report does, in the edition's language: the data's own
    text (description, resolution; ``description_zh``/``resolution_zh`` when the data give them)
    or, in the Chinese edition without them, a summary built from the conflict's fields."""
    if not i18n.is_chinese():
        return _text(r.get("description")), _text(r.get("resolution"))
    desc, res = _text(r.get("description_zh")), _text(r.get("resolution_zh"))
    if not desc:
        years = _text(r.get("years")).replace(";", "、")
        desc = t(
            "methods.conflict_summary",
            indicators=_names(rep, "indicators", [_text(r.get("indicator"))])[0],
            years=t("methods.conflict_years", years=years) if years else "",
        ).rstrip("，")
    if not res:
        n = len([x for x in _text(r.get("exclude_obs_ids")).split(";") if x.strip()])
        res = t("methods.conflict_resolution_excluded", n=n) if n else t("methods.conflict_resolution_kept")
    return desc, res


def conflicts_table(rep: Report, ids: bool = False):
    """The conflicts between sources, as the page shows them; ``ids=True`` adds the conflict's id
    in front (for the CSV: the page shows no raw ids)."""
    c = rep.ds.conflicts.reset_index(drop=True)
    if c.empty:
        return t("methods.none_conflicts")
    texts = [_conflict_texts(rep, r) for r in c.to_dict("records")]
    df = pd.DataFrame(
        {
            t("methods.col_kind"): c["kind"].map(conflict_kind),
            t("methods.col_entity"): _names(rep, "entities", c["entity"]),
            t("methods.col_what"): [x[0] for x in texts],
            t("methods.col_resolution"): [x[1] for x in texts],
            t("methods.col_set_aside"): c["exclude_obs_ids"].fillna("–").str.replace(";", ", "),
        }
    )
    if ids:
        df.insert(0, t("methods.col_conflict"), c["conflict_id"])
    return df


def disagreements_table(rep: Report):
    """Points for which sources (or a derivation) give different values, beyond rounding (1%)."""
    d = data.disagreements(rep.candidates, rep.ds)
    if d.empty:
        return t("methods.none_disagreements", year=rep.year)
    d = d.sort_values(["entity", "indicator", "year", "period", "derived"]).reset_index(drop=True)
    chosen = set(rep.obs["obs_id"])
    derived = d["derived"].astype(bool)
    return pd.DataFrame(
        {
            t("methods.col_entity"): _names(rep, "entities", d["entity"]),
            t("methods.col_indicator"): _names(rep, "indicators", d["indicator"]),
            t("methods.col_year"): d["year"].astype(int).to_numpy(),
            t("methods.col_value"): d["value"].to_numpy(),
            t("methods.col_value_kind"): np.where(derived, t("methods.derived"), t("methods.reported")),
            t("methods.col_source"): tables.source_links(d["source_id"]),
            t("methods.col_used"): np.where(
                d["obs_id"].isin(chosen), t("tables.word_yes"), t("tables.word_no")
            ),
        }
    ).reset_index(drop=True)
