"""Where an entity stands: its zones, its benchmarks, its peers, and its rank among the peers.

Everything comes from the data and the report configuration, nothing from code:
- ``children`` and ``benchmarks`` read ``parent`` in ``data/entities.csv``;
- ``peers`` are the entities that share the columns listed in ``report.yml`` (``peers: match:``,
  by default ``level`` and ``parent``: the other cities and leagues of the same region), unless
  ``peers: lists:`` names an entity's peers explicitly;
- ``peer_ranking`` ranks the focal entity among its peers on every indicator that the peers
  report, in the latest year that can be compared, with each figure's year and source; where
  sources give a member different values, the other values are shown and the rank under every
  combination of them is given as a range (nothing is silently picked);
- ``member_ranking`` ranks a set of entities among themselves, with no focal one (a region's
  cities when the report is about the region).

The library raises ParameterError (configuration or entity) and never prints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from analysis import config, data, i18n
from analysis.errors import ParameterError
from analysis.i18n import t

DEFAULT_MATCH = ("level", "parent")
RANKED_MEASURES = ("flow", "stock", "ratio", "share", "rank")  # not growth rates or changes: inputs


@dataclass(frozen=True)
class PeerRule:
    """How the peer set is chosen (``report.yml``, key ``peers``)."""

    match: tuple[str, ...] = DEFAULT_MATCH
    lists: dict = field(default_factory=dict)  # entity id -> explicit list of peer ids


def peer_rule(cfg: dict | None = None) -> PeerRule:
    """The ``peers`` section of the report configuration (``report.yml`` when `cfg` is None)."""
    raw = config.load().extra.get("peers") if cfg is None else cfg
    if raw is None:
        return PeerRule()
    if not isinstance(raw, dict):
        raise ParameterError("report.yml: 'peers' must be a mapping with 'match' and/or 'lists'")
    unknown = set(raw) - {"match", "lists"}
    if unknown:
        raise ParameterError(
            f"report.yml: unknown key(s) under 'peers': {', '.join(sorted(unknown))}; "
            "valid keys: match, lists"
        )
    match = raw.get("match", list(DEFAULT_MATCH))
    if isinstance(match, str):
        match = [match]
    if not isinstance(match, list) or not match or not all(isinstance(m, str) for m in match):
        raise ParameterError(
            "report.yml: 'peers: match' must list columns of data/entities.csv, e.g. [level, parent]"
        )
    lists = raw.get("lists") or {}
    if not isinstance(lists, dict) or not all(isinstance(v, list) for v in lists.values()):
        raise ParameterError("report.yml: 'peers: lists' must map an entity id to a list of entity ids")
    return PeerRule(tuple(match), {str(k): [str(x) for x in v] for k, v in lists.items()})


def headline_indicators(ds: data.Dataset, cfg: list | None = None) -> list[str]:
    """The indicators the report puts first (``report.yml``: ``headline_indicators``)."""
    raw = config.load().extra.get("headline_indicators", []) if cfg is None else cfg
    if not isinstance(raw, list):
        raise ParameterError("report.yml: 'headline_indicators' must be a list of indicator ids")
    known = set(ds.indicators["indicator_id"])
    bad = [str(i) for i in raw if i not in known]
    if bad:
        raise ParameterError(
            f"report.yml: 'headline_indicators' names unknown indicator(s) "
            f"{', '.join(bad)} (not in indicators.csv)"
        )
    return [str(i) for i in raw]


# --------------------------------------------------------------------------- the entity tree


def _entities(ds: data.Dataset) -> pd.DataFrame:
    return ds.entities.set_index("entity_id")


def _check(ds: data.Dataset, entity: str) -> pd.DataFrame:
    ents = _entities(ds)
    if entity not in ents.index:
        raise ParameterError(f"unknown entity {entity!r}; valid entities: {', '.join(ents.index)}")
    return ents


def children(ds: data.Dataset, entity: str) -> list[str]:
    """Entities whose parent is `entity` (a city's zones; a region's cities, leagues and zone groups)."""
    ents = _check(ds, entity)
    return ents.index[ents["parent"] == entity].tolist()


def benchmarks(ds: data.Dataset, entity: str) -> list[str]:
    """The parents up the chain, nearest first (a zone: its city, the region, the country)."""
    ents = _check(ds, entity)
    out, e = [], entity
    while isinstance(ents.at[e, "parent"], str):
        e = ents.at[e, "parent"]
        if e in out or e == entity:
            chain = " → ".join([entity, *out, e])
            raise ParameterError(f"entities.csv: the parents of {entity!r} form a loop ({chain})")
        out.append(e)
    return out


def peers(ds: data.Dataset, entity: str, rule: PeerRule | None = None) -> list[str]:
    """The entities the focal entity is compared with, in entities.csv order."""
    ents = _check(ds, entity)
    rule = rule or peer_rule()
    if entity in rule.lists:
        bad = [p for p in rule.lists[entity] if p not in ents.index]
        if bad:
            raise ParameterError(
                f"report.yml: 'peers: lists: {entity}' names unknown entities "
                f"{', '.join(bad)} (not in entities.csv)"
            )
        return [p for p in rule.lists[entity] if p != entity]
    bad = [c for c in rule.match if c not in ents.columns]
    if bad:
        raise ParameterError(
            f"report.yml: 'peers: match' names {', '.join(bad)}, not columns of "
            f"entities.csv (columns: {', '.join(ents.columns)})"
        )
    same = pd.Series(True, index=ents.index)
    for col in rule.match:
        v = ents.at[entity, col]
        same &= ents[col].isna() if pd.isna(v) else (ents[col] == v)
    return [e for e in ents.index[same] if e != entity]


# --------------------------------------------------------------------------- ranking

RANKING_COLUMNS = [
    "indicator",
    "period",
    "year",
    "entity",
    "focal",
    "value",
    "qualifier",
    "unit",
    "derived",
    "source_id",
    "rank",
    "n_ranked",
    "n_members",
    "rank_best",
    "rank_worst",
    "other_values",
    "conflict_id",
    "direction",
    "note",
]


def peer_ranking(
    rep, entity: str | None = None, members: list[str] | None = None, indicators: list[str] | None = None
) -> pd.DataFrame:
    """The focal entity ranked among its peers, one row per member and indicator.

    `rep` is a report (``report.build_report``: its data as of the report year, the values it
    uses and every candidate value) or a ``data.Dataset`` (all its years). `members` defaults to
    the focal entity and its ``peers``. For each indicator (and period: a Jan–Sep figure is only
    compared with Jan–Sep figures) that at least one peer reports, the comparison year is the
    latest year in which the focal entity and at least one peer have a value; if there is none,
    the latest year a peer reports, and the focal entity gets a row without a value and a note.

    Columns: ``rank`` (1 = best by the indicator's direction; equal values share a rank) among
    the ``n_ranked`` members with a value, of ``n_members``; ``rank_best``/``rank_worst``: the
    rank under every combination of the values the sources give (equal to ``rank`` when the
    sources agree); ``other_values``: the values not used, with their sources; ``conflict_id``:
    the entry of conflicts.csv about that point, if any.
    """
    ds, view, chosen, candidates = _inputs(rep)
    entity = entity or getattr(rep, "entity", None)
    if entity is None:
        raise ParameterError("peer_ranking needs the focal entity")
    _check(ds, entity)
    members = [entity, *[m for m in (members if members is not None else peers(ds, entity)) if m != entity]]
    return _ranking(ds, view, chosen, candidates, entity, members, indicators)


def member_ranking(rep, members: list[str], indicators: list[str] | None = None) -> pd.DataFrame:
    """`members` ranked among themselves, with no focal entity: a region's or a country's
    children (``children``) when the report is about the region. Members of different levels
    (cities, a group of zones) are ranked separately, each level against itself. Same columns as
    ``peer_ranking``; the comparison year of an indicator is the latest in which at least two
    members of a level have a value (an indicator that never has two is left out)."""
    ds, view, chosen, candidates = _inputs(rep)
    for m in members:
        _check(ds, m)
    level = _entities(ds)["level"]
    members = list(dict.fromkeys(members))
    parts = [
        _ranking(ds, view, chosen, candidates, None, [m for m in members if level[m] == lv], indicators)
        for lv in dict.fromkeys(level[m] for m in members)
    ]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return _ranking(ds, view, chosen, candidates, None, [], indicators)
    return pd.concat(parts, ignore_index=True)


def _ranking(ds, view, chosen, candidates, entity, members, indicators) -> pd.DataFrame:
    ind = ds.indicators.set_index("indicator_id")
    keep = ind.index[ind["measure"].isin(RANKED_MEASURES)]
    if indicators is not None:
        keep = [i for i in indicators if i in set(keep)]
    excluded = data.excluded_obs_ids(view)
    cand = candidates[
        ~candidates["obs_id"].isin(excluded)
        & candidates["entity"].isin(members)
        & candidates["indicator"].isin(keep)
    ]
    best = chosen[chosen["entity"].isin(members) & chosen["indicator"].isin(keep)]
    peer_ids = set(members) - {entity}
    order = {i: n for n, i in enumerate(indicators or ind.index)}
    rows: list[dict] = []
    for (indicator, period), g in sorted(
        best.groupby(["indicator", "period"]), key=lambda kv: (order.get(kv[0][0], 0), kv[0][1])
    ):
        years = g["year"].astype(int)
        peer_years = set(years[g["entity"].isin(peer_ids)])
        if entity is None:  # no focal entity: the latest year with two members or more
            counts = years.value_counts()
            common = set(counts.index[counts >= 2])
            if not common:
                continue
        elif not peer_years:
            continue
        else:
            focal_years = set(years[g["entity"] == entity])
            common = peer_years & focal_years
        year = max(common) if common else max(peer_years)
        at = g[years == year]
        direction = ind.at[indicator, "direction"]
        rows += _rank_rows(
            at,
            cand[
                (cand["indicator"] == indicator)
                & (cand["period"] == period)
                & (cand["year"].astype(int) == year)
            ],
            entity,
            members,
            direction,
            view,
        )
        if not common:
            near = ("、" if i18n.is_chinese() else ", ").join(map(str, sorted(focal_years)))
            rows.append(
                {
                    "indicator": indicator,
                    "period": period,
                    "year": year,
                    "entity": entity,
                    "focal": True,
                    "value": math.nan,
                    "unit": ind.at[indicator, "unit"],
                    "n_ranked": len(at),
                    "n_members": len(members),
                    "direction": direction,
                    "note": (
                        t("peers.no_figure_near", year=year, near=near)
                        if near
                        else t("peers.no_figure_any", year=year)
                    ),
                }
            )
    out = pd.DataFrame(rows, columns=RANKING_COLUMNS)
    return out.astype({"rank": "Int64", "rank_best": "Int64", "rank_worst": "Int64"})


def _inputs(rep):
    """(dataset, dataset as of the report year, values used, every candidate value); a Report's
    dataset is already as of its year."""
    if isinstance(rep, data.Dataset):
        from analysis.derive import with_derived

        candidates = with_derived(rep)
        return rep, rep, data.preferred(candidates, rep), candidates
    return rep.ds, rep.ds, rep.obs, rep.candidates


def _better(direction: str):
    return (lambda a, b: a < b) if direction == "lower" else (lambda a, b: a > b)


def _rank_rows(
    at: pd.DataFrame, cand: pd.DataFrame, entity: str, members: list[str], direction: str, view: data.Dataset
) -> list[dict]:
    better = _better(direction)
    values = dict(zip(at["entity"], at["value"].astype(float)))
    alts = {e: sorted(set(g["value"].astype(float))) for e, g in cand.groupby("entity")}
    conflicts = _conflicts(view)
    rows = []
    for r in at.to_dict("records"):
        e, v = r["entity"], float(r["value"])
        mine = alts.get(e, [v]) or [v]
        others = [o for o in values if o != e]
        rank = 1 + sum(better(values[o], v) for o in others)
        # best case: only members better under every value of theirs than my best value rank above
        my_best = min(mine) if direction == "lower" else max(mine)
        my_worst = max(mine) if direction == "lower" else min(mine)
        rank_best = 1 + sum(all(better(x, my_best) for x in alts.get(o, [values[o]])) for o in others)
        rank_worst = 1 + sum(any(better(x, my_worst) for x in alts.get(o, [values[o]])) for o in others)
        not_used = cand[(cand["entity"] == e) & (cand["obs_id"] != r["obs_id"])]
        tol = data.DISAGREEMENT_TOLERANCE
        not_used = not_used[(not_used["value"].astype(float) - v).abs() > tol * max(abs(v), 1e-12)]
        other_text = ("；" if i18n.is_chinese() else "; ").join(
            t("peers.other_value", value=f"{x['value']:g}", source=t("peers.derived"))
            if x.get("derived")
            else t("peers.other_value", value=f"{x['value']:g}", source=x["source_id"])
            for x in not_used.to_dict("records")
        )
        rows.append(
            {
                "indicator": r["indicator"],
                "period": r["period"],
                "year": int(r["year"]),
                "entity": e,
                "focal": e == entity,
                "value": v,
                "qualifier": r["qualifier"] if isinstance(r.get("qualifier"), str) else "",
                "unit": r["unit"],
                "derived": bool(r.get("derived", False)),
                "source_id": r["source_id"],
                "rank": rank,
                "n_ranked": len(values),
                "n_members": len(members),
                "rank_best": rank_best,
                "rank_worst": rank_worst,
                "other_values": other_text,
                "conflict_id": conflicts.get((e, r["indicator"], int(r["year"])), ""),
                "direction": direction,
                "note": "",
            }
        )
    return sorted(rows, key=lambda x: (x["rank"], members.index(x["entity"])))


def _conflicts(view: data.Dataset) -> dict[tuple[str, str, int], str]:
    """(entity, indicator, year) -> conflict id from conflicts.csv (years: 2022, 2020;2021, 2012-2024)."""
    out = {}
    for c in view.conflicts.to_dict("records"):
        years: set[int] = set()
        for tok in str(c["years"]).split(";"):
            tok = tok.strip()
            if "-" in tok:
                a, b = tok.split("-", 1)
                years |= set(range(int(a), int(b) + 1))
            elif tok.isdigit():
                years.add(int(tok))
        for i in str(c["indicator"]).split(";"):
            for y in years:
                out.setdefault((c["entity"], i.strip(), y), c["conflict_id"])
    return out


SUMMARY_COLUMNS = [
    "indicator",
    "period",
    "year",
    "value",
    "derived",
    "source_id",
    "rank",
    "n_ranked",
    "n_members",
    "rank_range",
    "leader",
    "leader_value",
    "other_values",
    "note",
]


def peer_summary(ranking: pd.DataFrame, entity: str, headline: list[str] | None = None) -> pd.DataFrame:
    """One row per indicator: the focal entity's rank ('3 of 4 reporting, 12 in the peer set'),
    the range under conflicting values, and the member ranked first. Headline indicators first."""
    rows = []
    for (indicator, period), g in ranking.groupby(["indicator", "period"], sort=False):
        f = g[g["entity"] == entity]
        if f.empty:
            continue
        f = f.iloc[0]
        ranked = g[g["rank"].notna()].sort_values("rank")
        lead = ranked.iloc[0] if len(ranked) else None
        has_rank = not pd.isna(f["rank"])
        rows.append(
            {
                "indicator": indicator,
                "period": period,
                "year": int(f["year"]),
                "value": f["value"],
                "derived": bool(f["derived"]) if has_rank else False,
                "source_id": f["source_id"] if has_rank else "",
                "rank": int(f["rank"]) if has_rank else None,
                "n_ranked": int(f["n_ranked"]),
                "n_members": int(f["n_members"]),
                "rank_range": (
                    f"{int(f['rank_best'])}–{int(f['rank_worst'])}"
                    if has_rank and f["rank_best"] != f["rank_worst"]
                    else ""
                ),
                "leader": lead["entity"] if lead is not None else "",
                "leader_value": lead["value"] if lead is not None else math.nan,
                "other_values": "; ".join(
                    f"{e}: {t}" for e, t in zip(g["entity"], g["other_values"]) if isinstance(t, str) and t
                ),
                "note": f["note"] if isinstance(f["note"], str) else "",
            }
        )
    out = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    if headline:
        first = {i: n for n, i in enumerate(headline)}
        out = (
            out.assign(_h=out["indicator"].map(first).fillna(len(first)))
            .sort_values("_h", kind="stable")
            .drop(columns="_h")
        )
    return out.reset_index(drop=True)
