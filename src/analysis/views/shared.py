"""What every chapter uses: the setup of a chapter page, its header, the source line under a
figure and the series drawn in a chart."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd

from analysis import growth, i18n
from analysis.i18n import t
from analysis.report import Report

ZONE_LEVELS = ("zone", "zone_group")  # levels of entities.csv whose parent is shown as context


@dataclass
class Chapter:
    """What a chapter page needs: the report and the entities it shows."""

    rep: Report
    zones: list[str]  # the focal entity's children (its zones), from entities.csv
    benchmarks: list[str]  # its parents up the chain (region, country)
    header: object  # the page's first line, as Markdown

    @property
    def focus(self) -> list[str]:
        """The focal entity and its children (a city's zones, a region's cities); for a zone,
        which has none, the zone and its parent city as context."""
        return [self.rep.entity, *(self.zones or self.context)]

    @property
    def context(self) -> list[str]:
        """The parent shown beside a focal entity of a zone level (its city), else nothing."""
        level = entity_row(self.rep, self.rep.entity)["level"]
        return self.benchmarks[:1] if level in ZONE_LEVELS and not self.zones else []

    @property
    def pair(self) -> tuple[str, str] | None:
        """(zone, city) for the zone chapters: the focal entity's first child and itself, or a
        focal zone and its parent; None when the focal entity has neither."""
        if self.zones:
            return self.zones[0], self.rep.entity
        if self.context:
            return self.rep.entity, self.context[0]
        return None

    @property
    def modelled(self) -> list[str]:
        """The focal entity, its zones and its benchmarks."""
        return [*self.focus, *self.benchmarks]


def open_chapter(report_year=None, entity=None, horizon=None, downloads_dir=None, lang=None) -> Chapter:
    """The setup of every chapter notebook, in one call.

    Sets the edition's language (`lang`, one of report.yml's ``languages``), applies the figures'
    house style, sends each table's CSV to `downloads_dir` (set by the build), builds the report
    (or reads the one the build computed) and returns it with the entities the chapter shows and
    the page header. ``None`` parameters mean report.yml's defaults (entity, horizon, the primary
    language) and the latest year with full-year data.
    """
    from IPython.display import Markdown

    from analysis import plots, tables
    from analysis.report import build_report

    i18n.use(lang)
    plots.setup()
    tables.set_downloads(downloads_dir)
    rep = build_report(report_year, entity, horizon)
    return Chapter(rep, rep.children(), rep.parents(), Markdown(page_header(rep)))


def page_header(rep: Report) -> str:
    """The line every page starts with: report year and where the data ends."""
    return t(
        "shared.page_header",
        year=rep.year,
        entity=rep.label("entities", rep.entity),
        data_end=rep.data_end,
        horizon=t("shared.horizon_years", n=rep.horizon),
    )


def findings(items: list[str]):
    """A chapter's opening: its findings (sentences computed from the data) as a list under a
    heading, shown before anything else on the page. Empty items are left out."""
    from IPython.display import Markdown

    items = [s for s in items if s]
    if not items:
        return Markdown("")
    body = "\n".join(f"- {s}" for s in items)
    return Markdown(f'<div class="findings">\n\n**{t("shared.findings_title")}**\n\n{body}\n\n</div>')


def source_line(rep: Report, source_ids) -> str:
    """'issuer (date) [id]' for the sources behind a figure, at most four, in order of use."""
    src = rep.ds.sources.set_index("source_id")
    ids = []
    for s in source_ids:
        ids += [x for x in str(s).split(";") if x]
    parts = []
    for sid in dict.fromkeys(ids):
        if sid in src.index:
            r = src.loc[sid]
            issuer = str(r["issuer"]).split(" (")[0].strip()
            zh = r.get("issuer_zh")
            if i18n.is_chinese() and isinstance(zh, str) and zh.strip():  # the data's Chinese issuer
                issuer = zh.split("（")[0].strip()
            if issuer.lower().startswith(("not stated", "未注明")) or not issuer or issuer == "nan":
                issuer = t("shared.issuer_not_stated")
            parts.append(t("shared.source_item", issuer=issuer, date=r["publication_date"], id=sid))
    if len(parts) > 4:
        parts = parts[:4] + [t("shared.source_more", n=len(parts) - 4)]
    return ("；" if i18n.is_chinese() else "; ").join(parts)


def latest(rep: Report, entity: str, indicator: str, reported_only: bool = False):
    """The latest annual value of a series (a row of rep.obs), or None."""
    s = growth.series(rep.obs, entity, indicator)
    if reported_only:
        s = s[~s["derived"].astype(bool)]
    return None if s.empty else s.iloc[-1]


def line(rep: Report, entity: str, indicator: str, segment: bool = True) -> dict | None:
    """One entity's series as a line of ``plots.series_chart`` (latest comparable stretch)."""
    s = growth.series(rep.obs, entity, indicator)
    if segment:
        s = growth.comparable_segment(s)
    if s.empty:
        return None
    return {
        "label": rep.label("entities", entity),
        "years": s["year"].astype(int).tolist(),
        "values": s["value"].tolist(),
        "derived": s["derived"].astype(bool).tolist(),
        "colour": colour(rep, entity),
        "sources": s["source_id"].tolist(),
    }


def colour(rep: Report, entity: str) -> str:
    """An entity's colour in the figures, by its place relative to the focal entity."""
    from analysis.plots import ROLE_COLOURS

    parents = rep.parents()
    if entity == rep.entity:
        role = "focus"
    elif entity in rep.children():
        role = "child"
    elif entity in parents[:2]:
        role = ("parent", "grandparent")[parents.index(entity)]
    else:
        role = "other"
    return ROLE_COLOURS[role]


def entity_row(rep: Report, entity: str) -> pd.Series:
    """The entity's row of entities.csv (names in English and Chinese)."""
    return rep.ds.entities.set_index("entity_id").loc[entity]


def indicator_row(rep: Report, indicator: str) -> pd.Series:
    return rep.ds.indicators.set_index("indicator_id").loc[indicator]


def entity_name(rep: Report, entity: str) -> str:
    """'Hohhot City (呼和浩特市)' in the English edition, '呼和浩特市' in the Chinese one."""
    return i18n.name(entity_row(rep, entity))


def no_data(rep: Report, what: str, entity: str | None = None) -> str:
    """The sentence a chapter shows instead of an empty table or figure:
    'No zone of Hohhot City (呼和浩特市) is in the data.'"""
    return t("shared.no_data", what=what, entity=entity_name(rep, entity or rep.entity), year=rep.year)


def says_when_empty(what: str):
    """A view's table, or — when it has no row — the sentence ``no_data(rep, what)`` in its place
    (``tables.show`` shows a sentence as Markdown). The view's first argument is the report."""

    def wrap(fn):
        @functools.wraps(fn)
        def view(rep, *args, **kwargs):
            t = fn(rep, *args, **kwargs)
            return t if len(t) else no_data(rep, what)

        return view

    return wrap
