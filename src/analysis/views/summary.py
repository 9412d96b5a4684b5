"""Summary (摘要): the targets at a glance, the latest key indicators in two sentences and a
table, and the charts that matter most (drawn by the R&D and enterprise chapters)."""

from __future__ import annotations

import pandas as pd

from analysis import growth, peers, plots, targets
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


def plan_document(rep: Report) -> str:
    """Document number of the source most targets come from (the three-year action plan)."""
    src = rep.ds.sources.set_index("source_id")
    plan = rep.ds.targets["source_id"].mode()
    return str(src.loc[plan.iloc[0], "doc_number"]) if len(plan) else "–"


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
    vals["plan_doc"] = plan_document(rep)
    vals["plan_clause"] = plan_clause(rep)
    return vals


def plan_clause(rep: Report) -> str:
    """', 9 of them for Ordos High-tech … (…), most from 鄂府发〔2021〕342号' — the targets set for
    the focal entity's children and the document most of them come from; '' when there are none."""
    card = rep.card
    child = card[card["entity"].isin(rep.children())]
    if child.empty:
        return ""
    names = ", ".join(entity_name(rep, e) for e in dict.fromkeys(child["entity"]))
    src = rep.ds.sources.set_index("source_id")
    doc = child["source_id"].mode().iloc[0]
    doc = (
        str(src.loc[doc, "doc_number"])
        if doc in src.index and pd.notna(src.loc[doc, "doc_number"])
        else f"source [{doc}]"
    )
    return f", {len(child)} of them for {names}, most from {doc}"


def latest_values(rep: Report, entity: str, indicators: list[str]) -> pd.DataFrame:
    """Latest annual value of each indicator for an entity, with year, unit and source."""
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
                "derived": "derived" if last["derived"] else "reported",
                "source": last["source_id"],
            }
        )
    return pd.DataFrame(
        rows, columns=["indicator", "entity", "year", "value", "qualifier", "unit", "derived", "source"]
    )


def key_indicators(rep: Report, entities: list[str]) -> pd.DataFrame | str:
    """The latest value of each key indicator for each of `entities` (or the sentence saying
    there is none)."""
    parts = [t for t in (latest_values(rep, e, KEY_INDICATORS) for e in entities) if len(t)]
    return pd.concat(parts) if parts else no_data(rep, "key indicator")


def _count_phrase(rep: Report, entity: str, indicator: str, noun: str) -> str:
    last = latest(rep, entity, indicator)
    if last is None:
        return f"no reported count of {noun}"
    if last["derived"]:
        return (
            f"about {fmt_number(round(float(last['value'])))} {noun} in {int(last['year'])} "
            "(derived, not reported)"
        )
    return f"{fmt_number(float(last['value']))} {noun} in {int(last['year'])}"


def enterprise_sentence(rep: Report, entity: str) -> str:
    """'Ordos City had 330 national high-tech enterprises in 2024 and 701 …' from the data."""
    name = entity_name(rep, entity)
    hte = _count_phrase(rep, entity, "high_tech_enterprises", "national high-tech enterprises")
    smes = _count_phrase(rep, entity, "tech_smes", "registered tech-based SMEs")
    return f"{name} had {hte} and {smes}."


def rd_sentence(rep: Report, entity: str) -> str:
    """The latest reported R&D expenditure and intensity, and the gap to the country that year."""
    exp = latest(rep, entity, "rd_expenditure", reported_only=True)
    inten = latest(rep, entity, "rd_intensity")
    top = rep.parents(entity)[-1:]  # the country: the top of the chain of parents
    parts = []
    if exp is not None:
        parts.append(
            f"Its latest reported R&D expenditure is {fmt_number(float(exp['value']))} 亿元 "
            f"({int(exp['year'])})"
        )
    if inten is not None:
        y, v = int(inten["year"]), float(inten["value"])
        text = (
            f"its latest R&D intensity is {fmt_value(v, 'percent')}% of GDP ({y}"
            f"{', derived' if inten['derived'] else ''})"
        )
        country = growth.series(rep.obs, top[0], "rd_intensity") if top else pd.DataFrame()
        c = country[country["year"] == y] if len(country) else country
        if len(c):
            cv = float(c.iloc[0]["value"])
            name = entity_row(rep, top[0])["name_en"]
            text += (
                f", {fmt_value(abs(v - cv), 'pp')} percentage points below {name}'s "
                f"{fmt_value(cv, 'percent')}% that year"
            )
        parts.append(text)
    if not parts:
        return no_data(rep, "R&D figure", entity)
    s = "; ".join(parts)
    return s[0].upper() + s[1:] + "."


def status_figure(rep: Report):
    """Targets by status, in words and colour."""
    counts = targets.status_counts(rep.card)
    counts = counts[counts["targets"] > 0]
    src = source_line(rep, rep.card["source_id"].unique())
    return plots.status_chart(counts, f"Targets by status, report year {rep.year} (目标进展)", src)


# --------------------------------------------------------------------------- peers


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _period(p: str) -> str:
    return "" if p == "year" else f" ({p.replace('_', '–').replace('jan', 'Jan').replace('sep', 'Sep')})"


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
            return no_data(rep, "indicator reported by a peer"), no_data(rep, "peer figure")
        return _peer_sentence(rep, summ), _peer_table(rep, summ)
    members = rep.children()
    ranking = peers.member_ranking(rep, members) if members else pd.DataFrame()
    if ranking.empty:
        text = (
            f"No peer or member of {entity_name(rep, rep.entity)} has figures to compare in the data "
            f"for report year {rep.year}."
        )
        return text, ""
    return _member_sentence(rep, ranking), _member_table(rep, ranking)


def _peer_sentence(rep: Report, summ: pd.DataFrame) -> str:
    ranked = summ[summ["rank"].notna()]
    first = [
        f"{rep.label('indicators', r['indicator'])}{_period(r['period'])} ({r['year']})"
        for r in ranked.to_dict("records")
        if r["rank"] == 1
    ]
    lower = [
        f"{rep.label('indicators', r['indicator'])}{_period(r['period'])} "
        f"({_ordinal(int(r['rank']))} of {r['n_ranked']}, {r['year']})"
        for r in ranked.to_dict("records")
        if r["rank"] != 1
    ]
    n_peers = int(summ["n_members"].max()) - 1
    parts = []
    if first:
        parts.append("ranks first on " + "; ".join(first))
    if lower:
        parts.append(("and " if first else "ranks ") + "below the first on " + "; ".join(lower))
    text = f"Among its {n_peers} peers, {entity_name(rep, rep.entity)} " + ", ".join(parts) + "."
    missing = len(summ) - len(ranked)
    if missing:
        text += (
            f" On {missing} indicator{'s' if missing != 1 else ''} its peers report, it has no "
            "figure for the same year."
        )
    if (summ["rank_range"] != "").any():
        text += " Where the sources disagree, the table gives the range of ranks."
    return text


def _peer_table(rep: Report, summ: pd.DataFrame) -> pd.DataFrame:
    unit = rep.ds.indicators.set_index("indicator_id")["unit"]
    return pd.DataFrame(
        {
            "Indicator": [
                rep.label("indicators", i) + _period(p) for i, p in zip(summ["indicator"], summ["period"])
            ],
            "Year": summ["year"].astype(int),
            "Value": summ["value"],
            "Unit": summ["indicator"].map(unit).map(plots.unit_label),
            "Kind": [
                "derived" if d else ("–" if pd.isna(v) else "reported")
                for d, v in zip(summ["derived"], summ["value"])
            ],
            "Rank": [
                f"{int(r)} of {n} reporting" if pd.notna(r) else "–"
                for r, n in zip(summ["rank"], summ["n_ranked"])
            ],
            "Peer set": summ["n_members"].astype(int),
            "Rank if other values used": summ["rank_range"].replace("", "–"),
            "First": [
                f"{entity_row(rep, e)['name_zh']}: {fmt_number(v)}" if e else "–"
                for e, v in zip(summ["leader"], summ["leader_value"])
            ],
            "Values not used": [
                "; ".join(
                    f"{entity_row(rep, part.split(': ', 1)[0])['name_zh']}: {part.split(': ', 1)[1]}"
                    for part in t.split("; ")
                    if ": " in part
                )
                if t
                else "–"
                for t in summ["other_values"]
            ],
            "Note": summ["note"].replace("", "–"),
            "Source": summ["source_id"].fillna("").replace("", "–"),
        }
    )


def _member_sentence(rep: Report, ranking: pd.DataFrame) -> str:
    """'Of the 9 members …, Hohhot City (呼和浩特市) is first on 6 of the 8 indicators compared (…);
    Baotou City (包头市) on …' — the members ranked first, the most frequent first."""
    firsts = ranking[ranking["rank"] == 1]
    n_ind = len(ranking.groupby(["indicator", "period"]))
    parts = []
    for e, g in sorted(firsts.groupby("entity"), key=lambda kv: -len(kv[1])):
        what = "; ".join(
            f"{rep.label('indicators', r['indicator'])}{_period(r['period'])} ({r['year']})"
            for r in g.to_dict("records")
        )
        parts.append(
            f"{entity_name(rep, e)} {'is first ' if not parts else ''}on "
            f"{len(g)} of the {n_ind} indicators compared ({what})"
        )
    return (
        f"Of the {ranking['entity'].nunique()} members of {entity_name(rep, rep.entity)} with figures "
        "to compare, " + "; ".join(parts) + "."
    )


def _member_table(rep: Report, ranking: pd.DataFrame) -> pd.DataFrame:
    r = ranking[ranking["rank"].notna()]
    unit = rep.ds.indicators.set_index("indicator_id")["unit"]
    return pd.DataFrame(
        {
            "Indicator": [
                rep.label("indicators", i) + _period(p) for i, p in zip(r["indicator"], r["period"])
            ],
            "Year": r["year"].astype(int),
            "Entity": r["entity"].map(lambda e: rep.label("entities", e)),
            "Value": r["value"],
            "Unit": r["indicator"].map(unit).map(plots.unit_label),
            "Rank": [f"{int(k)} of {n}" for k, n in zip(r["rank"], r["n_ranked"])],
            "Rank if other values used": [
                f"{int(b)}–{int(w)}" if b != w else "–" for b, w in zip(r["rank_best"], r["rank_worst"])
            ],
            "Values not used": r["other_values"].replace("", "–"),
            "Source": r["source_id"],
        }
    ).reset_index(drop=True)
