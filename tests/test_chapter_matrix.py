"""Every chapter builds for every entity of entities.csv × every report year the command line
calls valid, and says plainly what has no data.

No kernels: the code cells of each chapter notebook (the parameters cell replaced by the case's
values) are executed in-process. Each (entity, year) report is built once and shared by the seven
chapters, forecasts are shared as in test_entity_matrix, and figures are closed unrendered. What
a chapter shows — tables, sentences in place of tables, glued prose — is collected and checked:
no empty table, no 'nan' in prose, every 'No … is in the data' sentence names an entity in English
and Chinese, and a city without zones is not described with another entity's name.
"""

import json
import re

import matplotlib
import matplotlib.figure
import pandas as pd
import pytest

from conftest import ROOT
from test_entity_matrix import ENTITIES, SHIPPED, YEARS, shared_forecasts  # noqa: F401  (fixture)

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from analysis import i18n, plots, report, tables

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CELLS = {
    p.stem: [
        "".join(c["source"])
        for c in json.loads(p.read_text(encoding="utf-8"))["cells"]
        if c["cell_type"] == "code" and "parameters" not in c["metadata"].get("tags", [])
    ]
    for p in NOTEBOOKS
}
NAMES = SHIPPED.entities.set_index("entity_id")
_REPORTS: dict = {}
# the full matrix is long under load; a fast subset covers each kind of year
FAST_YEARS = {YEARS.start, 2020, YEARS.stop - 1}  # first year, before any target is adopted, last


@pytest.fixture()
def shown(monkeypatch):
    """Capture what the chapters display instead of rendering it."""
    out = {"tables": [], "figures": [], "glue": {}}
    build = report.build_report

    def shared_report(year=None, entity=None, horizon=None, **kw):
        key = (year, entity, horizon, i18n.current())  # the report holds words of one language
        if key not in _REPORTS:
            _REPORTS.clear()  # one (entity, year) at a time: the seven chapters share it
            _REPORTS[key] = build(year, entity, horizon, **kw)
        return _REPORTS[key]

    def show_table(df, name, caption=None, formats=None, cell_styles=None, csv=None, fold=None):
        if not isinstance(df, str):
            tables.styled(df, name, formats, caption, cell_styles).to_html()
        out["tables"].append((name, df))

    def show_figure(fig, width=None):
        if not isinstance(fig, str):
            plt.close(fig)
        out["figures"].append(fig)

    def glue_values(values):
        out["glue"].update(values)

    # figures are built (their code runs) but not laid out: layout is drawing, not the chapter's logic
    monkeypatch.setattr(matplotlib.figure.Figure, "tight_layout", lambda self, *a, **k: None)
    monkeypatch.setattr(report, "build_report", shared_report)
    monkeypatch.setattr(tables, "show", show_table)
    monkeypatch.setattr(tables, "glue_values", glue_values)
    monkeypatch.setattr(plots, "show", show_figure)
    yield out
    plt.close("all")


def run_chapters(entity: str, year: int, lang: str = "en") -> None:
    for name, codes in CELLS.items():
        ns = {"report_year": year, "entity": entity, "horizon": None, "downloads_dir": None, "lang": lang}
        for i, code in enumerate(codes):
            exec(compile(code, f"{name}[{i}]", "exec"), ns)  # noqa: S102  (an error names notebook and cell)
        plt.close("all")


def named(text: str) -> bool:
    """The sentence names an entity of entities.csv in English and Chinese."""
    return any(f"{r['name_en']} ({r['name_zh']})" in text for _, r in NAMES.iterrows())


# the Data and methods tables cover every entity of the data package: their sentences name none
ALL_ENTITY_TABLES = {"conflicts", "disagreements", "derived_values", "sources"}


def check_case(entity: str, year: int, out: dict) -> None:
    for name, t in out["tables"]:
        if isinstance(t, str):
            if name in ALL_ENTITY_TABLES:  # about the whole data package, not the focal entity
                assert t and not re.search(r"\bnan\b", t), f"{name}: {t!r}"
                continue
            assert t == "" or named(t), f"{name}: the sentence does not name the entity: {t!r}"
        else:
            assert len(t) > 0, f"{name}: an empty table is shown for {entity} {year}"
    for fig in out["figures"]:
        assert not isinstance(fig, str) or named(fig), f"figure replaced by an unnamed sentence: {fig!r}"
    for key, text in out["glue"].items():
        assert not re.search(r"\bnan\b", str(text)), f"glue {key} for {entity} {year}: {text!r}"
        if isinstance(text, str) and text.startswith("No "):
            assert named(text), f"glue {key}: {text!r}"
    row = NAMES.loc[entity]
    own = {row["name_zh"], NAMES.loc[row["parent"], "name_zh"] if isinstance(row["parent"], str) else ""}
    if row["level"] == "city" and not (NAMES["parent"] == entity).any():
        # the patents and enterprises prose of a city without zones speaks of that city only
        for key in ("patent_years_sentence", "claim_paragraph", "density_paragraph", "doubling_paragraph"):
            others = [z for z in NAMES["name_zh"] if z in str(out["glue"].get(key, "")) and z not in own]
            assert not others, f"glue {key} of {entity} names {others}"


def _cases():
    for entity in ENTITIES:
        for year in YEARS:
            marks = [] if year in FAST_YEARS else [pytest.mark.slow]
            yield pytest.param(entity, year, marks=marks, id=f"{entity}-{year}")


@pytest.mark.parametrize("entity,year", list(_cases()))
def test_every_chapter_builds_for_every_entity_and_year(entity, year, shown):
    run_chapters(entity, year)
    check_case(entity, year, shown)


# Latin text a Chinese page may show: abbreviations read as such in Chinese reports, units,
# source ids in brackets, document numbers and model names written in code font.
ALLOWED_LATIN = {
    "R",
    "D",
    "GDP",
    "CSV",
    "PDF",
    "MAE",
    "MASE",
    "PIT",
    "CAGR",
    "Eurostat",
    "logit",
    "log",
    "p",
    "pp",
}


DATA_IDS = {
    *SHIPPED.sources["source_id"],
    *SHIPPED.conflicts["conflict_id"],
    *SHIPPED.observations["obs_id"],
    *SHIPPED.targets["target_id"],
}  # identifiers of the data, shown as such (linked to their entry) in either edition


def latin_words(text: str) -> list[str]:
    """Latin words of a Chinese text outside brackets [id], code `x`, links, HTML tags and the
    data's own identifiers."""
    text = " ".join(w for w in re.split(r"(\s+|[，、；：（）()<>\"])", str(text)) if w not in DATA_IDS)
    text = re.sub(r"<[^>]+>|\[[^\]]*\]|`[^`]*`|\(https?://[^)]*\)|https?://\S+", " ", str(text))
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]+", text) if w not in ALLOWED_LATIN]


def _zh_cases():
    for entity in ENTITIES:
        for year in sorted(FAST_YEARS):
            yield pytest.param(entity, year, id=f"{entity}-{year}")


@pytest.mark.parametrize("entity,year", list(_zh_cases()))
def test_the_chinese_edition_of_every_chapter_is_in_chinese(entity, year, shown):
    """The primary edition for every entity and each kind of year: the chapters run, every table
    header, cell, sentence and glued text is Chinese (names in Chinese, no English words)."""
    run_chapters(entity, year, "zh_CN")
    name_zh = NAMES.loc[entity, "name_zh"]
    for name, t in shown["tables"]:
        if isinstance(t, str):
            assert not latin_words(t), f"{name}: {t!r}"
            continue
        assert len(t) > 0, f"{name}: an empty table is shown for {entity} {year}"
        for col in t.columns:
            assert not latin_words(col), f"{name}: header {col!r}"
        for col in t.columns:
            if t[col].dtype == bool:
                raise AssertionError(f"{name}: column {col!r} shows True/False")
            for v in t[col].dropna().astype(str).unique()[:50]:
                assert not latin_words(v), f"{name}: {col!r} cell {v!r}"
    for key, text in shown["glue"].items():
        assert not re.search(r"\bnan\b", str(text)), f"glue {key}: {text!r}"
        assert not latin_words(text), f"glue {key} for {entity} {year}: {text!r}"
    for fig in shown["figures"]:
        if isinstance(fig, str):
            assert name_zh in fig or any(z in fig for z in NAMES["name_zh"]), fig


def test_a_city_without_zones_says_so_and_names_itself(shown):
    city = next(e for e in ENTITIES if NAMES.loc[e, "level"] == "city" and not (NAMES["parent"] == e).any())
    run_chapters(city, YEARS.stop - 1)
    sentences = {n: t for n, t in shown["tables"] if isinstance(t, str)}
    expected = f"No zone of {NAMES.loc[city, 'name_en']} ({NAMES.loc[city, 'name_zh']}) is in the data"
    assert sentences["enterprises_zone_share"].startswith(expected)


def test_a_zone_shows_its_city_as_context(shown):
    zone = next(e for e in ENTITIES if NAMES.loc[e, "level"] == "zone")
    city = NAMES.loc[zone, "parent"]
    run_chapters(zone, YEARS.stop - 1)
    tabs = dict(shown["tables"])
    shown_entities = set(tabs["patents_all_figures"]["Entity"])
    assert any(NAMES.loc[city, "name_zh"] in e for e in shown_entities)
    assert any(NAMES.loc[zone, "name_zh"] in e for e in shown_entities)


def test_peer_sentence_states_the_ranks_from_a_hand_made_summary():
    """A summary written by hand: first on one indicator, 2nd of 3 on another, no figure on a
    third; the sentence states exactly that, finding first."""
    from analysis.peers import SUMMARY_COLUMNS
    from analysis.views import summary

    city = next(e for e in ENTITIES if NAMES.loc[e, "level"] == "city")
    rep = report.build_report(YEARS.stop - 1, city)
    base = dict.fromkeys(SUMMARY_COLUMNS, "")
    rows = [
        base
        | {
            "indicator": "tech_smes",
            "period": "year",
            "year": 2021,
            "value": 9.0,
            "rank": 1,
            "n_ranked": 2,
            "n_members": 4,
            "derived": False,
        },
        base
        | {
            "indicator": "rd_expenditure",
            "period": "year",
            "year": 2022,
            "value": 5.0,
            "rank": 2,
            "n_ranked": 3,
            "n_members": 4,
            "derived": False,
        },
        base
        | {
            "indicator": "patent_grants",
            "period": "jan_sep",
            "year": 2024,
            "value": float("nan"),
            "rank": None,
            "n_ranked": 3,
            "n_members": 4,
            "derived": False,
        },
    ]
    text = summary._peer_sentence(rep, pd.DataFrame(rows, columns=SUMMARY_COLUMNS))
    sme, rd = rep.label("indicators", "tech_smes"), rep.label("indicators", "rd_expenditure")
    assert text == (
        f"Among its 3 peers, {NAMES.loc[city, 'name_en']} ({NAMES.loc[city, 'name_zh']}) "
        f"ranks first on {sme} (2021), and below the first on {rd} (2nd of 3, 2022). "
        "On 1 indicator its peers report, it has no figure for the same year."
    )


def test_member_sentence_counts_who_is_first_from_a_hand_made_ranking():
    """Three members, three indicators: A first on two, B on one; the sentence says 2 of 3 and 1 of 3."""
    from analysis.peers import RANKING_COLUMNS
    from analysis.views import summary

    region = next(e for e in ENTITIES if NAMES.loc[e, "level"] == "province")
    a, b, c = [e for e in ENTITIES if NAMES.loc[e, "level"] == "city"][:3]
    rep = report.build_report(YEARS.stop - 1, region)
    base = dict.fromkeys(RANKING_COLUMNS, "")
    rows = []
    for ind, order in (("rd_expenditure", (a, b, c)), ("tech_smes", (b, a, c)), ("rd_intensity", (a, c, b))):
        rows += [
            base | {"indicator": ind, "period": "year", "year": 2022, "entity": e, "rank": k + 1}
            for k, e in enumerate(order)
        ]
    text = summary._member_sentence(rep, pd.DataFrame(rows, columns=RANKING_COLUMNS))
    lab = rep.label
    assert text == (
        f"Of the 3 members of {NAMES.loc[region, 'name_en']} ({NAMES.loc[region, 'name_zh']}) with figures "
        f"to compare, {NAMES.loc[a, 'name_en']} ({NAMES.loc[a, 'name_zh']}) is first on 2 of the 3 "
        f"indicators compared ({lab('indicators', 'rd_expenditure')} (2022); "
        f"{lab('indicators', 'rd_intensity')} (2022)); {NAMES.loc[b, 'name_en']} ({NAMES.loc[b, 'name_zh']}) "
        f"on 1 of the 3 indicators compared ({lab('indicators', 'tech_smes')} (2022))."
    )
