"""The loader returns what the files say; as-of filtering; the preferred-source rule."""

import csv

import pandas as pd
import yaml

from analysis import data, derive
from conftest import DATA, ROOT


def test_loader_returns_every_row_and_value(ds):
    with open(DATA / "observations.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(ds.observations) == len(rows)
    by_id = ds.observations.set_index("obs_id")
    for r in rows:
        assert by_id.loc[r["obs_id"], "value"] == float(r["value"])
        assert by_id.loc[r["obs_id"], "year"] == int(r["year"])
        assert by_id.loc[r["obs_id"], "source_id"] == r["source_id"]


def test_every_observation_and_target_has_a_known_source(ds):
    sources = set(ds.sources["source_id"])
    assert set(ds.observations["source_id"]) <= sources
    assert set(ds.targets["source_id"]) <= sources


def test_core_ids_exist(ds):
    assert {"ordos_city", "ordos_htz", "inner_mongolia", "china"} <= set(ds.entities["entity_id"])
    core = {
        "rd_expenditure",
        "rd_intensity",
        "gdp",
        "high_tech_enterprises",
        "new_high_tech_enterprises",
        "tech_smes",
        "patent_applications",
        "invention_patent_applications",
        "patent_grants",
        "invention_patent_grants",
        "valid_patents",
        "valid_invention_patents",
        "invention_patents_per_10k_employees",
    }
    assert core <= set(ds.indicators["indicator_id"])


def test_metadata_describes_every_column(ds):
    meta = yaml.safe_load((DATA / "metadata.yaml").read_text(encoding="utf-8"))
    for table in data.FILES:
        with open(DATA / f"{table}.csv", encoding="utf-8") as f:
            header = next(csv.reader(f))
        described = list(meta["resources"][table]["columns"])
        assert described == header, f"metadata.yaml columns of {table} differ from the file"


def test_as_of_keeps_only_years_up_to_the_report_year(ds):
    v = data.as_of(ds, 2021)
    assert v.observations["year"].max() == 2021
    assert (ds.observations["year"] > 2021).any()
    # claims about 2024 are not visible to a 2021 report
    city = v.targets.set_index("target_id").loc["city_hte_doubling_14fyp"]
    assert pd.isna(city["status_claim"])
    assert data.as_of(ds, 2024).targets.set_index("target_id").loc["city_hte_doubling_14fyp", "status_claim"]


def test_preferred_rule_sets_aside_conflicting_rows_and_ranks_sources(ds):
    best = data.preferred(derive.with_derived(ds), ds)
    city = best[(best["entity"] == "ordos_city")]
    # the review's 53.2 labelled 2024 is set aside by conflicts.csv: no 2024 R&D value remains
    rd = city[city["indicator"] == "rd_expenditure"].set_index("year")["value"]
    assert 2024 not in rd.index and rd.loc[2023] == 53.2
    # two sources give 330 for 2024: the reply letter ranks above the news review
    hte = city[(city["indicator"] == "high_tech_enterprises") & (city["year"] == 2024)].iloc[0]
    assert hte["source_id"] == "s_reply_2025_333" and hte["n_sources"] == 2
    # reported 170 ranks above the 206 derived from the zone's share
    h21 = city[(city["indicator"] == "high_tech_enterprises") & (city["year"] == 2021)].iloc[0]
    assert h21["value"] == 170 and not h21["derived"] and h21["sources_disagree"]


def test_preferred_rule_prefers_statistical_release_over_news():
    ds = data.load(DATA)
    obs = ds.observations.iloc[:1].copy()
    a = obs.assign(obs_id="o9001", value=10.0, source_id="s_review_2024_ordoswh", confidence="high")
    b = obs.assign(obs_id="o9002", value=11.0, source_id="ref_11", confidence="high")  # statistical note
    best = data.preferred(pd.concat([a, b]), ds)
    assert list(best["value"]) == [11.0]


def test_disagreements_list_both_values(ds):
    d = data.disagreements(derive.with_derived(ds), ds)
    hte = d[(d["entity"] == "ordos_city") & (d["indicator"] == "high_tech_enterprises")]
    assert sorted(hte["value"].round(1)) == [170.0, 205.9]
    # IM 2018 R&D derived two ways (147.8 − 18.6 and 147.8 / 1.144) differs only by rounding
    im = d[(d["entity"] == "inner_mongolia") & (d["indicator"] == "rd_expenditure") & (d["year"] == 2018)]
    assert im.empty


def test_data_readme_documents_adding_a_year():
    text = (DATA / "README.md").read_text(encoding="utf-8")
    for must in ("observations.csv", "sources.csv", "python -m analysis validate", "conflicts.csv"):
        assert must in text
    assert (ROOT / "data" / "metadata.yaml").exists()


def test_vocabularies_come_from_metadata(data_copy):
    """A unit or a confidence level exists because metadata.yaml lists it, nowhere else."""
    from analysis import vocabulary
    from analysis.errors import DataError

    meta_path = data_copy / "metadata.yaml"
    meta = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
    assert vocabulary.load(data_copy).rank("confidence") == {"high": 0, "medium": 1, "low": 2}
    del meta["units"]["sq_m"]  # the zone's area is in m²: its indicator no longer validates
    meta["enumerations"]["confidence"] = ["high", "medium"]
    meta_path.write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    try:
        data.load(data_copy)
        raise AssertionError("a unit missing from metadata.yaml was accepted")
    except DataError as exc:
        text = str(exc)
    assert "indicators.csv" in text and "column 'unit'" in text and "'sq_m'" in text
    assert "column 'confidence'" in text and "'low'" in text


def test_status_words_and_colours_are_one_vocabulary():
    from analysis import plots, targets, vocabulary

    v = vocabulary.load()
    assert list(targets.STATUS_LABELS) == list(plots.STATUS_COLOURS) == list(v.status)
    assert v.unit_label("percent") == "%" and v.units["count"].lower == 0
    assert set(v.nonnegative_units()) == {
        "count",
        "100m_cny",
        "10k_cny",
        "sq_m",
        "per_10k_employees",
        "per_10k_people",
    }
