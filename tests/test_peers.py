"""Peers, children, benchmarks and the peer ranking: small hand-made trees and values whose ranks
are counted by hand, plus the shipped data checked against what its sources say in words."""

from types import SimpleNamespace

import pandas as pd
import pytest

from analysis import data, peers
from analysis.errors import ParameterError

# country c; provinces p1, p2; cities a, b, d in p1 and e in p2; zone z in a; a zone group g in p1
TREE = [
    ("c", "country", None),
    ("p1", "province", "c"),
    ("p2", "province", "c"),
    ("a", "city", "p1"),
    ("b", "city", "p1"),
    ("g", "zone_group", "p1"),
    ("d", "city", "p1"),
    ("e", "city", "p2"),
    ("z", "zone", "a"),
]


def dataset(obs_rows=(), conflicts=()):
    ents = pd.DataFrame(
        [
            {"entity_id": i, "name_en": i.upper(), "name_zh": i, "level": lv, "parent": p, "note": None}
            for i, lv, p in TREE
        ]
    )
    inds = pd.DataFrame(
        [
            {"indicator_id": "x", "unit": "count", "measure": "stock", "direction": "higher"},
            {"indicator_id": "r", "unit": "rank", "measure": "rank", "direction": "lower"},
            {"indicator_id": "x_growth", "unit": "percent", "measure": "growth_rate", "direction": "higher"},
        ]
    )
    obs = pd.DataFrame(
        [
            {
                "obs_id": f"o{n:04d}",
                "period": "year",
                "qualifier": None,
                "unit": "count",
                "derived": False,
                "source_id": "s1",
                **r,
            }
            for n, r in enumerate(obs_rows)
        ],
        columns=[
            "obs_id",
            "entity",
            "indicator",
            "year",
            "period",
            "value",
            "qualifier",
            "unit",
            "derived",
            "source_id",
        ],
    )
    conf = pd.DataFrame(
        list(conflicts), columns=["conflict_id", "entity", "indicator", "years", "exclude_obs_ids"]
    )
    empty = pd.DataFrame()
    return data.Dataset(ents, inds, empty, obs, empty, conf)


def report(ds, focal, chosen_ids=None):
    """A report-like object: every row is a candidate; `chosen_ids` are the values the report uses
    (default: all, which requires one value per point)."""
    obs = ds.observations
    chosen = obs if chosen_ids is None else obs[obs["obs_id"].isin(chosen_ids)]
    return SimpleNamespace(ds=ds, view=ds, obs=chosen.reset_index(drop=True), candidates=obs, entity=focal)


DEFAULT = peers.PeerRule()


# --------------------------------------------------------------------------- the entity tree


def test_children_benchmarks_and_peers_follow_level_and_parent():
    ds = dataset()
    assert peers.children(ds, "p1") == ["a", "b", "g", "d"]
    assert peers.children(ds, "a") == ["z"]
    assert peers.children(ds, "z") == []
    assert peers.benchmarks(ds, "z") == ["a", "p1", "c"]
    assert peers.benchmarks(ds, "c") == []
    assert peers.peers(ds, "a", DEFAULT) == ["b", "d"]  # not g (another level), not e (another parent)
    assert peers.peers(ds, "e", DEFAULT) == []
    assert peers.peers(ds, "p1", DEFAULT) == ["p2"]
    assert peers.peers(ds, "c", DEFAULT) == []  # no parent: peers are other parentless countries


def test_peer_rule_from_configuration():
    ds = dataset()
    assert peers.peers(ds, "a", peers.peer_rule({"match": "level"})) == ["b", "d", "e"]
    assert peers.peers(ds, "a", peers.peer_rule({"lists": {"a": ["e", "a"]}})) == ["e"]
    assert peers.peers(ds, "b", peers.peer_rule({"lists": {"a": ["e"]}})) == ["a", "d"]
    assert peers.peer_rule({}) == DEFAULT


@pytest.mark.parametrize(
    "cfg, words",
    [
        ({"match": ["level", "colour"]}, "colour"),
        ({"lists": {"a": ["nowhere"]}}, "nowhere"),
        ({"matches": ["level"]}, "unknown key"),
        ({"match": []}, "peers: match"),
        ("level", "mapping"),
    ],
)
def test_bad_peer_configuration_is_named(cfg, words):
    with pytest.raises(ParameterError, match=words) as exc:
        peers.peers(dataset(), "a", peers.peer_rule(cfg))
    assert "report.yml" in str(exc.value)


def test_unknown_entity_lists_valid_ones():
    with pytest.raises(ParameterError, match="valid entities: c, p1"):
        peers.peers(dataset(), "q", DEFAULT)


def test_parent_loop_is_an_error_not_a_hang():
    ds = dataset()
    ds.entities.loc[ds.entities["entity_id"] == "c", "parent"] = "a"
    with pytest.raises(ParameterError, match="loop"):
        peers.benchmarks(ds, "a")


def test_headline_indicators_checked_against_indicators_csv():
    ds = dataset()
    assert peers.headline_indicators(ds, ["r", "x"]) == ["r", "x"]
    with pytest.raises(ParameterError, match="unknown indicator.*nope"):
        peers.headline_indicators(ds, ["x", "nope"])


# --------------------------------------------------------------------------- ranking


def rows_of(table, indicator="x"):
    t = table[table["indicator"] == indicator]
    return {r["entity"]: r for r in t.to_dict("records")}


def test_rank_counts_better_values_by_direction():
    ds = dataset(
        [
            {"entity": "a", "indicator": "x", "year": 2022, "value": 10},
            {"entity": "b", "indicator": "x", "year": 2022, "value": 30},
            {"entity": "d", "indicator": "x", "year": 2022, "value": 20},
            {"entity": "a", "indicator": "r", "year": 2022, "value": 99, "unit": "rank"},
            {"entity": "b", "indicator": "r", "year": 2022, "value": 60, "unit": "rank"},
            {"entity": "d", "indicator": "r", "year": 2022, "value": 60, "unit": "rank"},
        ]
    )
    t = peers.peer_ranking(report(ds, "a"), members=["b", "d"])
    x = rows_of(t)
    assert {e: x[e]["rank"] for e in x} == {"a": 3, "b": 1, "d": 2}  # 30 > 20 > 10
    assert x["a"]["focal"] and not x["b"]["focal"]
    assert x["a"]["n_ranked"] == 3 and x["a"]["n_members"] == 3
    r = rows_of(t, "r")  # a rank: lower is better
    assert {e: r[e]["rank"] for e in r} == {"a": 3, "b": 1, "d": 1}  # equal values share a rank


def test_conflicting_source_values_are_shown_and_give_a_rank_range():
    # b: 30 from s1 (used) and 5 from s2. a (10) is beaten by d (20) whatever b's value, and by b
    # only under 30: rank 2 at best, 3 at worst.
    ds = dataset(
        [
            {"entity": "a", "indicator": "x", "year": 2022, "value": 10},
            {"entity": "b", "indicator": "x", "year": 2022, "value": 30},
            {"entity": "b", "indicator": "x", "year": 2022, "value": 5, "source_id": "s2"},
            {"entity": "d", "indicator": "x", "year": 2022, "value": 20},
        ],
        conflicts=[("b_x", "b", "x", "2021;2022", None)],
    )
    t = peers.peer_ranking(report(ds, "a", chosen_ids=["o0000", "o0001", "o0003"]), members=["b", "d"])
    x = rows_of(t)
    assert (x["a"]["rank"], x["a"]["rank_best"], x["a"]["rank_worst"]) == (3, 2, 3)
    assert x["b"]["other_values"] == "5 (s2)"
    assert x["b"]["conflict_id"] == "b_x" and x["a"]["conflict_id"] == ""
    # b itself: first under 30, below d and a under 5
    assert (x["b"]["rank"], x["b"]["rank_best"], x["b"]["rank_worst"]) == (1, 1, 3)
    s = peers.peer_summary(t, "a")
    assert s.loc[0, "rank_range"] == "2–3" and s.loc[0, "other_values"] == "b: 5 (s2)"


def test_rows_set_aside_by_a_conflict_do_not_count():
    ds = dataset(
        [
            {"entity": "a", "indicator": "x", "year": 2022, "value": 10},
            {"entity": "b", "indicator": "x", "year": 2022, "value": 30},
            {"entity": "b", "indicator": "x", "year": 2022, "value": 5, "source_id": "s2"},
        ],
        conflicts=[("b_x", "b", "x", "2022", "o0002")],
    )
    x = rows_of(peers.peer_ranking(report(ds, "a", chosen_ids=["o0000", "o0001"]), members=["b"]))
    assert (x["a"]["rank_best"], x["a"]["rank_worst"]) == (2, 2) and x["b"]["other_values"] == ""


def test_comparison_year_is_the_latest_shared_one_and_periods_stay_apart():
    ds = dataset(
        [
            {"entity": "a", "indicator": "x", "year": 2020, "value": 1},
            {"entity": "a", "indicator": "x", "year": 2022, "value": 50},
            {"entity": "b", "indicator": "x", "year": 2021, "value": 7},
            {"entity": "b", "indicator": "x", "year": 2022, "value": 40},
            {"entity": "b", "indicator": "x", "year": 2023, "value": 45},
            {"entity": "b", "indicator": "x", "year": 2024, "value": 9, "period": "jan_sep"},
            {"entity": "a", "indicator": "x", "year": 2024, "value": 12, "period": "jan_sep"},
        ]
    )
    t = peers.peer_ranking(report(ds, "a"), members=["b"])
    full = t[t["period"] == "year"]
    assert set(full["year"]) == {2022}  # not 2023: a has no 2023 figure
    assert dict(zip(full["entity"], full["rank"])) == {"a": 1, "b": 2}
    part = t[t["period"] == "jan_sep"]
    assert dict(zip(part["entity"], part["rank"])) == {"a": 1, "b": 2}  # 12 > 9, not compared with 40


def test_focal_without_a_shared_year_gets_a_plain_note():
    ds = dataset(
        [
            {"entity": "a", "indicator": "x", "year": 2019, "value": 3},
            {"entity": "b", "indicator": "x", "year": 2021, "value": 7},
            {"entity": "d", "indicator": "x", "year": 2021, "value": 8},
        ]
    )
    t = peers.peer_ranking(report(ds, "a"), members=["b", "d"])
    x = rows_of(t)
    assert pd.isna(x["a"]["rank"]) and pd.isna(x["a"]["value"])
    assert x["a"]["note"] == "no figure for 2021 (figures for 2019)"
    assert (x["d"]["rank"], x["b"]["rank"]) == (1, 2)
    s = peers.peer_summary(t, "a")
    assert s.loc[0, "rank"] is None and s.loc[0, "leader"] == "d"


def test_only_indicators_a_peer_reports_and_not_growth_rates():
    ds = dataset(
        [
            {"entity": "a", "indicator": "x", "year": 2022, "value": 3},
            {"entity": "a", "indicator": "r", "year": 2022, "value": 3, "unit": "rank"},
            {"entity": "b", "indicator": "x_growth", "year": 2022, "value": 7, "unit": "percent"},
            {"entity": "a", "indicator": "x_growth", "year": 2022, "value": 9, "unit": "percent"},
        ]
    )
    assert peers.peer_ranking(report(ds, "a"), members=["b"]).empty
    # an entity without peers gets an empty table with the documented columns
    t = peers.peer_ranking(report(ds, "e"))
    assert t.empty and list(t.columns) == peers.RANKING_COLUMNS


def test_summary_puts_headline_indicators_first():
    ds = dataset(
        [
            {"entity": "a", "indicator": "x", "year": 2022, "value": 3},
            {"entity": "b", "indicator": "x", "year": 2022, "value": 4},
            {"entity": "a", "indicator": "r", "year": 2022, "value": 3, "unit": "rank"},
            {"entity": "b", "indicator": "r", "year": 2022, "value": 4, "unit": "rank"},
        ]
    )
    t = peers.peer_ranking(report(ds, "a"), members=["b"])
    assert peers.peer_summary(t, "a")["indicator"].tolist() == ["x", "r"]  # indicators.csv order
    s = peers.peer_summary(t, "a", headline=["r"])
    assert s["indicator"].tolist() == ["r", "x"] and s["rank"].tolist() == [1, 2]


# --------------------------------------------------------------------------- the shipped data


def test_shipped_peers_are_the_other_cities_and_leagues_of_inner_mongolia(ds):
    ents = ds.entities.set_index("entity_id")
    city = "ordos_city"
    ps = peers.peers(ds, city)
    assert len(ps) == 11  # Inner Mongolia has 12 cities and leagues
    assert set(ents.loc[ps, "parent"]) == {ents.at[city, "parent"]}
    assert {"呼和浩特市", "包头市", "兴安盟", "锡林郭勒盟", "阿拉善盟"} <= set(ents.loc[ps, "name_zh"])


def test_shipped_ranking_agrees_with_what_the_sources_say(ds):
    parts = dict(zip(("ds", "view", "obs", "candidates"), _as_of(ds, 2024)))
    rep = SimpleNamespace(**parts, entity="ordos_city")
    t = peers.peer_ranking(rep)
    rd = t[(t["indicator"] == "rd_expenditure") & (t["entity"] == "ordos_city")].iloc[0]
    # the 2022 IM bulletin lists Baotou 77.5, Hohhot 44.5 and Ordos 44.1: Ordos third
    assert (rd["year"], rd["rank"]) == (2022, 3)
    hoh = t[(t["indicator"] == "rd_expenditure") & (t["entity"] == "hohhot")].iloc[0]
    assert hoh["value"] == 44.5 and "52.4" in hoh["other_values"] and hoh["conflict_id"]
    # Jan–Sep 2024 grants table: Hohhot 5787 is the only figure above Ordos' 3398, of 8 listed
    pg = t[(t["indicator"] == "patent_grants") & (t["entity"] == "ordos_city")].iloc[0]
    assert (pg["period"], pg["rank"], pg["n_ranked"]) == ("jan_sep", 2, 8)
    # top-100 list, 2023 edition: Hohhot 60th, Baotou 93rd, Ordos 99th
    top = t[(t["indicator"] == "city_innovation_capability_top100_rank") & (t["entity"] == "ordos_city")]
    assert top.iloc[0]["rank"] == 3


def _as_of(ds, year):
    from analysis.derive import with_derived

    view = data.as_of(ds, year)
    cand = with_derived(view)
    return ds, view, data.preferred(cand, view), cand


def test_members_ranked_among_themselves_for_a_region_in_focus():
    # x: 2021 has a and b, 2022 has b and d -> 2022 (latest with two): d 9 > b 3. r: one member only.
    ds = dataset(
        [
            {"entity": "a", "indicator": "x", "year": 2021, "value": 5},
            {"entity": "b", "indicator": "x", "year": 2021, "value": 7},
            {"entity": "b", "indicator": "x", "year": 2022, "value": 3},
            {"entity": "d", "indicator": "x", "year": 2022, "value": 9},
            {"entity": "a", "indicator": "r", "year": 2022, "value": 4, "unit": "rank"},
        ]
    )
    t = peers.member_ranking(report(ds, "p1"), peers.children(ds, "p1"))
    assert set(t["indicator"]) == {"x"} and set(t["year"]) == {2022}
    assert dict(zip(t["entity"], t["rank"])) == {"d": 1, "b": 2}
    assert not t["focal"].any() and set(t["n_members"]) == {3}  # a, b, d; not g (another level)
    # g, a group of zones, is ranked only against its own level
    ds2 = dataset(
        [
            {"entity": "g", "indicator": "x", "year": 2022, "value": 99},
            {"entity": "b", "indicator": "x", "year": 2022, "value": 3},
            {"entity": "d", "indicator": "x", "year": 2022, "value": 9},
        ]
    )
    t2 = peers.member_ranking(report(ds2, "p1"), peers.children(ds2, "p1"))
    assert dict(zip(t2["entity"], t2["rank"])) == {"d": 1, "b": 2}
    with pytest.raises(ParameterError, match="unknown entity 'q'"):
        peers.member_ranking(report(ds, "p1"), ["a", "q"])
