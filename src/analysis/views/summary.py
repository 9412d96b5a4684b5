"""Summary (摘要): the targets at a glance, the latest key indicators in two sentences and a
table, and the charts that matter most (drawn by the R&D and enterprise chapters)."""

from __future__ import annotations

import re

import pandas as pd

from analysis import config, growth, i18n, peers, plots, tables, targets
from analysis.i18n import t
from analysis.report import Report
from analysis.tables import fmt_number, fmt_value
from analysis.views.enterprises import enterprise_figure  # noqa: F401  (shown in the summary)
from analysis.views.rd import rd_figure  # noqa: F401  (shown in the summary)
from analysis.views.shared import entity_name, entity_row, latest, no_data, source_line

KEY_INDICATORS = [
    "rd_expenditure",
    "rd_intensity",
    "high_tech_enterprises",
    "tech_smes",
    "patent_applications",
    "invention_patent_applications",
    "valid_invention_patents",
    "invention_patents_per_10k_employees",
]


def headline_counts(rep: Report) -> dict:
    """The targets in four groups a reader asks about first: achieved (also as claimed by a
    source), on track, behind or not achieved, and unknown (not reported or insufficient data)."""
    counts = targets.status_counts(rep.card).set_index("status")["targets"]
    return {
        "n": int(len(rep.card)),
        "achieved": int(counts["achieved"] + counts["claimed_achieved"]),
        "on_track": int(counts["on_track"]),
        "behind": int(
            counts["moderate"] + counts["insufficient"] + counts["moving_away"] + counts["not_achieved"]
        ),
        "unknown": int(counts["not_reported"] + counts["insufficient_data"]),
    }


def headline(rep: Report) -> str:
    """The landing page's one sentence: report year, data cut-off and the targets in four groups."""
    return t("summary.headline", year=rep.year, data_end=rep.data_end, **headline_counts(rep))


def summary_values(rep: Report) -> dict:
    """Prose values of the summary: status counts and the two sentences on the focal entity."""
    card = rep.card
    counts = targets.status_counts(card).set_index("status")["targets"]
    vals = {
        "report_year": rep.year,
        "data_end": rep.data_end,
        "n_targets": int(len(card)),
        "n_achieved": int(counts["achieved"] + counts["claimed_achieved"]),
        "n_claimed": int(counts["claimed_achieved"]),
        "n_on_track": int(counts["on_track"]),
        "n_moderate": int(counts["moderate"]),
        "n_insufficient": int(counts["insufficient"]),
        "n_moving_away": int(counts["moving_away"]),
        "n_not_achieved": int(counts["not_achieved"]),
        "n_not_reported": int(counts["not_reported"]),
        "n_insufficient_data": int(counts["insufficient_data"]),
        "n_plan_targets": int(card["entity"].isin(rep.children()).sum()),
    }
    vals["enterprise_sentence"] = enterprise_sentence(rep, rep.entity)
    vals["rd_sentence"] = rd_sentence(rep, rep.entity)
    vals["plan_clause"] = plan_clause(rep)
    vals["headline"] = headline(rep)
    return vals


def text_values(rep: Report) -> dict:
    """The values the landing page (a Markdown page) pastes from this notebook as plain text:
    ``{glue:text}`../notebooks/01_summary.ipynb::headline_text` ``; keys end in ``_text``."""
    h = headline_counts(rep)
    return {
        "report_year_text": str(rep.year),
        "data_end_text": str(rep.data_end),
        "n_targets_text": str(h["n"]),
        "n_achieved_text": str(h["achieved"]),
        "n_on_track_text": str(h["on_track"]),
        "n_behind_text": str(h["behind"]),
        "n_unknown_text": str(h["unknown"]),
        "headline_text": headline(rep),
    }


def glue_text(values: dict) -> None:
    """Glue plain-text values (text/plain), which a Markdown page can paste with ``{glue:text}``."""
    from myst_nb import glue

    for key, value in values.items():
        glue(key, str(value), display=False)


def findings(rep: Report, ch=None) -> list[str]:
    """The summary's opening: the targets in four groups, the enterprise counts, R&D, and which
    key figures are old. Each is a sentence computed from the data, also without data."""
    h = headline_counts(rep)
    if h["n"]:
        first = t("summary.findings_targets", year=rep.year, **h)
    else:
        first = t("summary.findings_no_targets", entity=entity_name(rep, rep.entity), year=rep.year)
    return [
        first,
        enterprise_sentence(rep, rep.entity),
        rd_sentence(rep, rep.entity),
        stale_sentence(rep, ch),
    ]


def stale_sentence(rep: Report, ch=None) -> str:
    """How many key indicators of the table have a latest figure older than the allowed gap, by
    entity ('鄂尔多斯市2项，最新为2019年'); '' when the table is empty."""
    entities = ch.focus if ch is not None else [rep.entity]
    gap = config.stale_after_years()
    stale: dict[str, list[int]] = {}
    years = []
    for e in entities:
        for ind in KEY_INDICATORS:
            last = latest(rep, e, ind)
            if last is None:
                continue
            years.append(int(last["year"]))
            if plots.is_stale(last["year"], rep.year):
                stale.setdefault(e, []).append(int(last["year"]))
    if not years:
        return ""
    if stale:
        items = [
            t(
                "summary.stale_entity",
                name=i18n.short_name(entity_row(rep, e)),
                k=len(ys),
                years=f"{min(ys)}–{max(ys)}" if min(ys) != max(ys) else str(max(ys)),
            )
            for e, ys in stale.items()
        ]
        n = sum(len(ys) for ys in stale.values())
        return t("summary.findings_stale", n=n, gap=gap, items=t("summary.item_sep").join(items))
    return t("summary.findings_all_recent", first=min(years))


def plan_clause(rep: Report) -> str:
    """', 9 of them for Ordos High-tech … (…), most from 鄂府发〔2021〕342号' — the targets set for
    the focal entity's children and the document most of them come from; '' when there are none."""
    card = rep.card
    child = card[card["entity"].isin(rep.children())]
    if child.empty:
        return ""
    names = i18n.join(entity_name(rep, e) for e in dict.fromkeys(child["entity"]))
    src = rep.ds.sources.set_index("source_id")
    doc = child["source_id"].mode().iloc[0]
    doc = (
        str(src.loc[doc, "doc_number"])
        if doc in src.index and pd.notna(src.loc[doc, "doc_number"])
        else t("summary.source_ref", id=doc)
    )
    return t("summary.plan_clause", n=len(child), names=names, doc=doc)


def latest_values(rep: Report, entity: str, indicators: list[str]) -> pd.DataFrame:
    """Latest annual value of each indicator for an entity, with year, unit and source; `stale`
    when the year lies more than ``stale_after_years`` before the report year."""
    rows = []
    for ind in indicators:
        last = latest(rep, entity, ind)
        if last is None:
            continue
        rows.append(
            {
                "indicator": rep.label("indicators", ind),
                "entity": rep.label("entities", entity),
                "year": int(last["year"]),
                "value": float(last["value"]),
                "qualifier": last["qualifier"] if isinstance(last["qualifier"], str) else "",
                "unit": plots.unit_label(last["unit"]),
                "derived": bool(last["derived"]),
                "stale": plots.is_stale(last["year"], rep.year),
                "source": last["source_id"],
            }
        )
    return pd.DataFrame(
        rows,
        columns=["indicator", "entity", "year", "value", "qualifier", "unit", "derived", "stale", "source"],
    )


def key_indicators(rep: Report, entities: list[str]) -> pd.DataFrame | str:
    """The latest value of each key indicator for each of `entities`, as shown: value and year
    first (they stay in view on a phone), a † on a figure older than the allowed gap; or the
    sentence saying there is none."""
    parts = [v for v in (latest_values(rep, e, KEY_INDICATORS) for e in entities) if len(v)]
    if not parts:
        return no_data(rep, t("summary.what_key_indicator"))
    raw = pd.concat(parts, ignore_index=True)
    mark = t("summary.stale_mark")
    return pd.DataFrame(
        {
            t("summary.col_indicator"): raw["indicator"],
            t("summary.col_latest"): [
                t("summary.latest_value", value=_value_text(v, q), year=y) + (mark if s else "")
                for v, q, y, s in zip(raw["value"], raw["qualifier"], raw["year"], raw["stale"])
            ],
            t("summary.col_unit"): raw["unit"],
            t("summary.col_entity"): raw["entity"],
            t("summary.col_kind"): [
                t("summary.kind_derived" if d else "summary.kind_reported") for d in raw["derived"]
            ],
            t("summary.col_source"): tables.source_links(raw["source"]),
        }
    )


def _value_text(v: float, qualifier: str) -> str:
    text = fmt_number(v)
    return f"> {text}" if qualifier.strip().lower() == "over" else text


def key_indicators_note(rep: Report, entities: list[str]) -> str:
    """The note under the key-indicators table: what † means ('' when no figure is flagged)."""
    gap = config.stale_after_years()
    flagged = any(
        (latest(rep, e, ind) is not None and plots.is_stale(latest(rep, e, ind)["year"], rep.year))
        for e in entities
        for ind in KEY_INDICATORS
    )
    return t("summary.stale_note", gap=gap, year=rep.year) if flagged else ""


def _count_phrase(rep: Report, entity: str, indicator: str, noun: str) -> str:
    last = latest(rep, entity, indicator)
    if last is None:
        return t("summary.count_none", noun=noun)
    if last["derived"]:
        return t(
            "summary.count_derived",
            value=fmt_number(round(float(last["value"]))),
            noun=noun,
            year=int(last["year"]),
        )
    return t("summary.count", value=fmt_number(float(last["value"])), noun=noun, year=int(last["year"]))


def enterprise_sentence(rep: Report, entity: str) -> str:
    """'Ordos City had 330 national high-tech enterprises in 2024 and 701 …' from the data."""
    name = entity_name(rep, entity)
    hte = _count_phrase(rep, entity, "high_tech_enterprises", t("summary.noun_hte"))
    smes = _count_phrase(rep, entity, "tech_smes", t("summary.noun_smes"))
    return t("summary.enterprise_sentence", name=name, hte=hte, smes=smes)


def rd_sentence(rep: Report, entity: str) -> str:
    """The latest reported R&D expenditure and intensity, and the gap to the country that year."""
    exp = latest(rep, entity, "rd_expenditure", reported_only=True)
    inten = latest(rep, entity, "rd_intensity")
    top = rep.parents(entity)[-1:]  # the country: the top of the chain of parents
    parts = []
    if exp is not None:
        parts.append(
            t("summary.rd_expenditure", value=fmt_number(float(exp["value"])), year=int(exp["year"]))
        )
    if inten is not None:
        y, v = int(inten["year"]), float(inten["value"])
        text = t(
            "summary.rd_intensity",
            value=fmt_value(v, "percent"),
            year=y,
            derived=t("summary.derived_mark") if inten["derived"] else "",
        )
        country = growth.series(rep.obs, top[0], "rd_intensity") if top else pd.DataFrame()
        c = country[country["year"] == y] if len(country) else country
        if len(c):
            cv = float(c.iloc[0]["value"])
            text += t(
                "summary.rd_gap_below" if v <= cv else "summary.rd_gap_above",
                gap=fmt_value(abs(v - cv), "pp"),
                name=i18n.short_name(entity_row(rep, top[0])),
                value=fmt_value(cv, "percent"),
            )
        parts.append(text)
    if not parts:
        return no_data(rep, t("summary.what_rd"), entity)
    s = t("summary.rd_join").join(parts)
    return s[0].upper() + s[1:] + i18n.sentence_end()


def status_figure(rep: Report):
    """Targets by status: bars in the status colours, labelled with symbol and words."""
    counts = targets.status_counts(rep.card)
    counts = counts[counts["targets"] > 0]
    src = source_line(rep, rep.card["source_id"].unique())
    # the CJK font of the figures has no '✗' (U+2717): the chart writes '×', the same mark
    counts = counts.assign(label=counts["label"].str.replace("✗", "×", regex=False))
    fig = plots.status_chart(counts, t("summary.status_title", year=rep.year), src)
    fig.axes[0].set_xlabel(t("summary.status_axis"))
    return fig


# --------------------------------------------------------------------------- peers


def _ordinal(n: int) -> str:
    if i18n.is_chinese():
        return str(n)
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _period(p: str) -> str:
    """'' for a full year, else ' (Jan–Sep)' / '（1—9月）' (labels/summary.yml ``period_…``)."""
    if p == "year":
        return ""
    try:
        words = t(f"summary.period_{p}")
    except KeyError:
        words = p.replace("_", "–")
    return t("summary.period", p=words)


def peer_comparison(rep: Report) -> tuple[str, pd.DataFrame | str]:
    """(the finding in one sentence, the table) of the peer section.

    With peers (report.yml's peer rule: a city among the region's cities), the focal entity is
    ranked among them on each indicator a peer reports (``peers.peer_ranking``); without peers
    but with children (a region, a country), the children are ranked among themselves
    (``peers.member_ranking``). Each row keeps the year of its figure, its source and the values
    the sources give but the report does not use."""
    ds = rep.ds
    if peers.peers(ds, rep.entity):
        ranking = peers.peer_ranking(rep)
        summ = peers.peer_summary(ranking, rep.entity, peers.headline_indicators(ds))
        if summ.empty:
            return no_data(rep, t("summary.what_peer_indicator")), no_data(rep, t("summary.what_peer_figure"))
        return _peer_sentence(rep, summ), _peer_table(rep, summ)
    members = rep.children()
    ranking = peers.member_ranking(rep, members) if members else pd.DataFrame()
    if ranking.empty:
        return t("summary.no_peer", name=entity_name(rep, rep.entity), year=rep.year), ""
    return _member_sentence(rep, ranking), _member_table(rep, ranking)


def _item(rep: Report, r: dict) -> str:
    return rep.label("indicators", r["indicator"]) + _period(r["period"])


def _peer_sentence(rep: Report, summ: pd.DataFrame) -> str:
    ranked = summ[summ["rank"].notna()]
    sep = t("summary.item_sep")
    first = [
        t("summary.item_year", what=_item(rep, r), year=r["year"])
        for r in ranked.to_dict("records")
        if r["rank"] == 1
    ]
    lower = [
        t(
            "summary.item_rank",
            what=_item(rep, r),
            rank=_ordinal(int(r["rank"])),
            n=r["n_ranked"],
            year=r["year"],
        )
        for r in ranked.to_dict("records")
        if r["rank"] != 1
    ]
    n_peers = int(summ["n_members"].max()) - 1
    parts = []
    if first:
        parts.append(t("summary.peer_first", items=sep.join(first)))
    if lower:
        parts.append(
            t("summary.peer_lower_after_first" if first else "summary.peer_lower", items=sep.join(lower))
        )
    text = t(
        "summary.peer_sentence",
        n=n_peers,
        name=entity_name(rep, rep.entity),
        parts=t("summary.peer_parts_sep").join(parts),
    )
    missing = len(summ) - len(ranked)
    if missing:
        text += t("summary.peer_missing", n=missing)
    if (summ["rank_range"] != "").any():
        text += t("summary.peer_ranges")
    return text


_NUMBER = re.compile(r"^(-?[0-9][0-9,]*(?:\.[0-9]+)?)")


def _names_in(rep: Report, text: str, unit: str | None = None) -> str:
    """'hohhot: 12; baotou: 9' (entity ids) as '呼和浩特市：12；包头市：9' (short names), each value
    with its unit's decimals."""
    if not text:
        return ""
    out = []
    for part in text.split("; "):
        if ": " not in part:
            continue
        e, rest = part.split(": ", 1)
        m = _NUMBER.match(rest)
        if m and unit:
            rest = fmt_value(float(m.group(1).replace(",", "")), unit) + rest[m.end() :]
        out.append(t("summary.entity_value", name=i18n.short_name(entity_row(rep, e)), value=rest))
    return t("summary.note_sep").join(out)


def _peer_note(rep: Report, r: dict, unit: str | None) -> str:
    """Everything else a reader may need about a row, in one cell: the range of ranks if other
    values were used, the values not used, and why there is no figure."""
    parts = []
    if r["rank_range"]:
        parts.append(t("summary.note_rank_range", range=r["rank_range"]))
    if r["other_values"]:
        parts.append(t("summary.note_not_used", items=_names_in(rep, r["other_values"], unit)))
    if r["note"]:
        parts.append(r["note"])
    return t("summary.note_sep").join(parts) or "–"


def _peer_table(rep: Report, summ: pd.DataFrame) -> pd.DataFrame:
    """The peer table in six columns: indicator, rank and the latest value with its unit, year and
    kind (they stay in view on a phone), the first, one note cell and the source. Values with
    their unit's decimals (tables.fmt_value)."""
    unit = rep.ds.indicators.set_index("indicator_id")["unit"]
    rows = summ.to_dict("records")
    for r in rows:  # a derived count is a whole number of enterprises or patents
        if unit.get(r["indicator"]) == "count":
            if r["derived"] and pd.notna(r["value"]):
                r["value"] = float(round(r["value"]))
            if pd.notna(r["leader_value"]):
                r["leader_value"] = float(round(r["leader_value"]))
    return pd.DataFrame(
        {
            t("summary.col_indicator"): [
                rep.label("indicators", r["indicator"]) + _period(r["period"]) for r in rows
            ],
            t("summary.col_rank"): [
                t("summary.rank_of", rank=int(r["rank"]), n=r["n_ranked"]) if pd.notna(r["rank"]) else "–"
                for r in rows
            ],
            t("summary.col_latest"): [
                t(
                    "summary.peer_value",
                    value=fmt_value(r["value"], unit.get(r["indicator"], "")),
                    unit=plots.unit_label(unit.get(r["indicator"], "")),
                    year=int(r["year"]),
                )
                + (t("summary.derived_note") if r["derived"] else "")
                if pd.notna(r["value"])
                else "–"
                for r in rows
            ],
            t("summary.col_first"): [
                t(
                    "summary.entity_value",
                    name=i18n.short_name(entity_row(rep, r["leader"])),
                    value=fmt_value(r["leader_value"], unit.get(r["indicator"], "")),
                )
                if r["leader"]
                else "–"
                for r in rows
            ],
            t("summary.col_note"): [_peer_note(rep, r, unit.get(r["indicator"])) for r in rows],
            t("summary.col_source"): tables.source_links(summ["source_id"]),
        }
    )


def peer_table_styles(tab) -> pd.DataFrame | None:
    """Column widths of the peer table: the indicator and the note wrap in a readable width, the
    rank and the value stay on one line."""
    if not isinstance(tab, pd.DataFrame) or tab.empty:
        return None
    styles = pd.DataFrame("", index=tab.index, columns=tab.columns)
    widths = {  # words wrap; these keep each column readable and the six within a 1400 px page
        t("summary.col_indicator"): "min-width: 7em",
        t("summary.col_latest"): "min-width: 7em",
        t("summary.col_first"): "min-width: 6em",
        t("summary.col_note"): "min-width: 10em; overflow-wrap: anywhere",
        t("summary.col_rank"): "white-space: nowrap",
    }
    for col, css in widths.items():
        if col in styles:
            styles[col] = css
    return styles


def _member_sentence(rep: Report, ranking: pd.DataFrame) -> str:
    """'Of the 9 members …, Hohhot City (呼和浩特市) is first on 6 of the 8 indicators compared (…);
    Baotou City (包头市) on …' — the members ranked first, the most frequent first."""
    firsts = ranking[ranking["rank"] == 1]
    n_ind = len(ranking.groupby(["indicator", "period"]))
    sep = t("summary.item_sep")
    parts = []
    for e, g in sorted(firsts.groupby("entity"), key=lambda kv: -len(kv[1])):
        what = sep.join(
            t("summary.item_year", what=_item(rep, r), year=r["year"]) for r in g.to_dict("records")
        )
        parts.append(
            t(
                "summary.member_next" if parts else "summary.member_first",
                name=entity_name(rep, e),
                k=len(g),
                n=n_ind,
                items=what,
            )
        )
    return t(
        "summary.member_sentence",
        m=ranking["entity"].nunique(),
        name=entity_name(rep, rep.entity),
        parts=sep.join(parts),
    )


def _member_table(rep: Report, ranking: pd.DataFrame) -> pd.DataFrame:
    r = ranking[ranking["rank"].notna()]
    unit = rep.ds.indicators.set_index("indicator_id")["unit"]
    return pd.DataFrame(
        {
            t("summary.col_indicator"): [
                rep.label("indicators", i) + _period(p) for i, p in zip(r["indicator"], r["period"])
            ],
            t("summary.col_entity"): r["entity"].map(lambda e: rep.label("entities", e)),
            t("summary.col_rank"): [
                t("summary.rank_of_members", rank=int(k), n=n) for k, n in zip(r["rank"], r["n_ranked"])
            ],
            t("summary.col_value"): r["value"],
            t("summary.col_year"): r["year"].astype(int).astype(str),
            t("summary.col_unit"): r["indicator"].map(unit).map(plots.unit_label),
            t("summary.col_rank_range"): [
                f"{int(b)}–{int(w)}" if b != w else "–" for b, w in zip(r["rank_best"], r["rank_worst"])
            ],
            t("summary.col_not_used"): r["other_values"].replace("", "–"),
            t("summary.col_source"): tables.source_links(r["source_id"]),
        }
    ).reset_index(drop=True)
