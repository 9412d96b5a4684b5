"""Every entity of entities.csv × every report year the command line calls valid builds a report.

No kernels: this calls what every chapter calls first (``report.build_report``) and the entity
tree and peer ranking (``analysis.peers``). Forecasts depend only on the data as of the year, not
on the focal entity, so they are computed once per (data, entity, end year) and shared between
the cases (the key includes a hash of the observations: a different input is never served a
stored result). A made-up city added to a scratch copy of the data builds with no code change.
"""

import re

import pandas as pd
import pytest

from analysis import data, forecast, i18n, peers, report
from analysis.errors import ParameterError
from conftest import DATA, edit_csv

SHIPPED = data.load(DATA)


def advertised_years(ds) -> range:
    """The report years the tool says are valid, read from its own error message."""
    with pytest.raises(ParameterError) as exc:
        report.check_parameters(ds, 1000, ds.entities["entity_id"].iloc[0], 0)
    m = re.search(r"valid report years: (\d{4})–(\d{4})", str(exc.value))
    assert m, f"the message does not state the valid years: {exc.value}"
    return range(int(m.group(1)), int(m.group(2)) + 1)


YEARS = advertised_years(SHIPPED)
ENTITIES = SHIPPED.entities["entity_id"].tolist()
_FORECASTS: dict = {}


@pytest.fixture(scope="module", autouse=True)
def shared_forecasts():
    mp = pytest.MonkeyPatch()
    compute = forecast.entity_forecasts

    def once(obs, indicators, entity, end_year, **kw):
        # the pooled priors are computed from `obs` too, so the key covers them
        # and the language: a forecast carries the words of its rule
        key = (
            int(pd.util.hash_pandas_object(obs, index=False).sum()),
            len(obs),
            entity,
            end_year,
            i18n.current(),
        )
        if key not in _FORECASTS:
            _FORECASTS[key] = compute(obs, indicators, entity, end_year, **kw)
        return _FORECASTS[key]

    mp.setattr(forecast, "entity_forecasts", once)
    yield
    mp.undo()


def test_the_advertised_years_are_the_years_with_data():
    years = SHIPPED.observations["year"].astype(int)
    assert (YEARS.start, YEARS.stop - 1) == (years.min(), years.max())
    assert len(ENTITIES) >= 16  # China, Inner Mongolia, the zone group, Ordos, its zone, 11 peers


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("entity", ENTITIES)
def test_every_entity_and_year_builds_a_coherent_report(entity, year):
    rep = report.build_report(year, entity, ds=SHIPPED, memo=False)
    assert (rep.entity, rep.year) == (entity, year)
    assert rep.ds.observations["year"].max() <= year  # nothing from after the report year
    assert rep.obs["year"].max() <= year
    assert (rep.ds.targets["adopted_year"] <= year).all()
    assert set(rep.card["target_id"]) == set(rep.ds.targets["target_id"])
    measure = rep.ds.indicators.set_index("indicator_id")["measure"]
    annual = rep.obs[(rep.obs["entity"] == entity) & (rep.obs["period"] == "year")]["indicator"]
    series = {i for i in annual if measure[i] in forecast.FORECAST_MEASURES}
    assert {f.indicator for f in rep.forecasts if f.entity == entity} == series  # a forecast or a reason each
    ranking = peers.peer_ranking(rep)
    assert list(ranking.columns) == peers.RANKING_COLUMNS
    if not ranking.empty:
        assert ranking["year"].max() <= year
        focal = ranking[ranking["focal"]]
        # every indicator compared has a row for the focal entity: a rank, or a note saying why not
        assert set(focal["indicator"]) == set(ranking["indicator"])
        assert (focal["rank"].notna() | (focal["note"] != "")).all()
        ranked = ranking[ranking["rank"].notna()]
        assert (ranked["rank"] >= 1).all() and (ranked["rank"] <= ranked["n_ranked"]).all()
        assert ((ranked["rank_best"] <= ranked["rank"]) & (ranked["rank"] <= ranked["rank_worst"])).all()
    kids = peers.children(rep.ds, entity)
    if kids:  # a city shows its zone, a region its cities and leagues: ranked among themselves
        among = peers.member_ranking(rep, kids)
        assert set(among["entity"]) <= set(kids) and not among["focal"].any()
        assert (among["year"] <= year).all()


@pytest.mark.parametrize("entity", ENTITIES)
def test_every_entity_has_context(entity):
    """A zone shows its city; a region or country shows its children; a city its region and peers."""
    ds = SHIPPED
    ents = ds.entities.set_index("entity_id")
    bench, kids = peers.benchmarks(ds, entity), peers.children(ds, entity)
    parent = ents.at[entity, "parent"]
    assert bench[:1] == ([parent] if isinstance(parent, str) else [])
    assert all(ents.at[k, "parent"] == entity for k in kids)
    if ents.at[entity, "level"] in ("country", "province"):
        assert kids, f"{entity} has no children to show"
    for p in peers.peers(ds, entity):
        assert entity in peers.peers(ds, p)  # being peers is mutual


def test_a_new_city_builds_with_no_code_change(data_copy):
    """A made-up city with a source and three figures: its report builds, it is a peer of the
    other cities of its region, and it is ranked among them by hand-counted values."""
    edit_csv(
        data_copy / "entities.csv",
        lambda d: pd.concat(
            [
                d,
                pd.DataFrame(
                    [
                        {
                            "entity_id": "sample_city",
                            "name_en": "Sample City",
                            "name_zh": "样例市",
                            "level": "city",
                            "parent": "inner_mongolia",
                            "note": "made up for a test",
                        }
                    ]
                ),
            ]
        ),
    )
    edit_csv(
        data_copy / "sources.csv",
        lambda d: pd.concat(
            [
                d,
                pd.DataFrame(
                    [
                        {
                            "source_id": "s_sample_bulletin",
                            "title": "样例市2022年科技经费投入统计公报",
                            "issuer": "样例市统计局",
                            "publication_date": "2023-09-30",
                            "type": "statistical_release",
                            "url": "https://example.org/sample",
                        }
                    ]
                ),
            ]
        ),
    )
    rows = [
        ("rd_expenditure", 2021, "year", "50", "100m_cny"),
        ("rd_expenditure", 2022, "year", "60", "100m_cny"),
        ("high_tech_enterprises", 2022, "year", "400", "count"),
        ("patent_grants", 2024, "jan_sep", "4000", "count"),
    ]
    edit_csv(
        data_copy / "observations.csv",
        lambda d: pd.concat(
            [
                d,
                pd.DataFrame(
                    [
                        {
                            "obs_id": f"o9{n:03d}",
                            "entity": "sample_city",
                            "indicator": ind,
                            "year": str(y),
                            "period": p,
                            "value": v,
                            "unit": u,
                            "source_id": "s_sample_bulletin",
                            "locator": "表1",
                            "confidence": "high",
                        }
                        for n, (ind, y, p, v, u) in enumerate(rows)
                    ]
                ),
            ]
        ),
    )
    ds = data.load(data_copy)
    assert advertised_years(ds) == YEARS
    rep = report.build_report(2024, "sample_city", data_dir=data_copy, memo=False)
    assert rep.entity == "sample_city"
    assert "sample_city" in peers.peers(ds, "hohhot")
    t = peers.peer_ranking(rep)
    mine = t[t["focal"] & (t["period"] == "year")].set_index("indicator")
    part = t[t["focal"] & (t["period"] == "jan_sep")].set_index("indicator")
    # R&D 2022: Baotou 77.5 > Sample 60 > Hohhot 44.5 (bulletin; 52.4 city-reported) > Ordos 44.1
    assert (
        mine.at["rd_expenditure", "year"],
        mine.at["rd_expenditure", "rank"],
        mine.at["rd_expenditure", "n_ranked"],
    ) == (2022, 2, 4)
    assert (mine.at["rd_expenditure", "rank_best"], mine.at["rd_expenditure", "rank_worst"]) == (2, 2)
    # Jan–Sep 2024 grants: only Hohhot's 5787 is above 4000, among 8 listed + this city
    assert (part.at["patent_grants", "rank"], part.at["patent_grants", "n_ranked"]) == (2, 9)
    # Ordos' full-year 2019 grants have nothing to be compared with: said so, not ranked
    assert pd.isna(mine.at["patent_grants", "rank"])
    assert mine.at["patent_grants", "note"].startswith("no figure")
    # high-tech enterprises 2022: Sample 400 < Hohhot 461
    assert (mine.at["high_tech_enterprises", "rank"], mine.at["high_tech_enterprises", "year"]) == (2, 2022)
    # the command line takes it too
    from analysis.cli import main

    assert (
        main(
            [
                "scorecard",
                "--year",
                "2024",
                "--entity",
                "sample_city",
                "--data",
                str(data_copy),
                "--format",
                "csv",
            ]
        )
        == 0
    )
