"""Tables and the Data and methods page: source links and the sources list, worded cells in both
editions, the page's findings and the derived-value formulas in words."""

import re
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis import derive, i18n, tables
from analysis.report import build_report
from analysis.views import methods

# Latin text a Chinese sentence may hold: ids in brackets, units, file names, R&D
ALLOWED_LATIN = re.compile(r"\[[^\]]*\]|R&D|CSV|OLS|ETS|ARIMA|[A-Za-z0-9_\-./]+\.(?:csv|py|txt)|<[^>]*>|pp")


def latin_words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{2,}", ALLOWED_LATIN.sub("", text))


@pytest.fixture(scope="module")
def rep(ds):
    return build_report(2024, ds=ds)


def test_source_links_point_at_the_anchor_of_each_source():
    cells = tables.source_links(["ref_06", "a;b", None, float("nan")])
    assert cells[0] == (
        '<a class="source-link" href="07_data_methods.html#src-ref_06" '
        'title="See this source in Data and methods">ref_06</a>'
    )
    assert cells[1].count("<a ") == 2 and "#src-a" in cells[1] and "#src-b" in cells[1]
    assert cells[2] == "–" and cells[3] == "–"
    with i18n.language("zh_CN"):
        assert 'title="在“数据与方法”中查看此来源"' in tables.source_links(["x"])[0]


def test_links_stay_html_in_the_page_and_plain_in_the_csv(tmp_path):
    df = pd.DataFrame({"Source": tables.source_links(["ref_06"]), "Value": [1.5]})
    html = tables.styled(df, "t").to_html()
    assert 'href="07_data_methods.html#src-ref_06"' in html and "&lt;a" not in html
    path = tables.write_csv(df, "t", tmp_path)
    assert path.read_text(encoding="utf-8-sig").splitlines() == ["Source,Value", "ref_06,1.5"]


def test_yes_no_and_years_read_in_words_in_each_edition():
    df = pd.DataFrame({"年份": [2023, 2024], "是否采用": [True, False]})
    with i18n.language("zh_CN"):
        html = tables.styled(df, "t").to_html()
    assert ">2023<" in html and "2,023" not in html
    assert ">是<" in html and ">否<" in html and "True" not in html and "False" not in html
    html = tables.styled(df.rename(columns={"年份": "Year", "是否采用": "Used"}), "t").to_html()
    assert ">yes<" in html and ">no<" in html


def test_sources_list_has_an_anchor_per_source_and_links_where_there_is_a_url(rep):
    s = rep.ds.sources
    with_url = s[s["url"].notna()]
    for lang in ("zh_CN", "en"):
        with i18n.language(lang):
            html = methods.sources_html(rep)
        assert html.count("<li id=") == len(s)
        for sid in s["source_id"]:
            assert f'id="src-{sid}"' in html
        for url in with_url["url"]:
            assert f'href="{url.replace("&", "&amp;")}"' in html
    row = with_url.iloc[0]
    with i18n.language("zh_CN"):
        zh_title = row["title_zh"] if isinstance(row.get("title_zh"), str) else row["title"]
        assert methods.source_title(row) == zh_title
    assert methods.source_title(row) == (
        row["title_en"] if isinstance(row["title_en"], str) else row["title"]
    )


def fake_report(conflicts, derived_notes):
    """A constructed report: one entity with two indicators (one with a figure in the report
    year), three sources (two with a URL), the conflicts and derived values given."""
    ents = pd.DataFrame(
        {
            "entity_id": ["c"],
            "name_en": ["Some City"],
            "name_zh": ["某市"],
            "level": ["city"],
            "parent": [None],
        }
    )
    obs = pd.DataFrame(
        {
            "entity": ["c", "c", "c"],
            "indicator": ["a", "a", "b"],
            "year": [2020, 2021, 2020],
            "period": ["year"] * 3,
        }
    )
    cand = pd.DataFrame({"derived": [True] * len(derived_notes), "note": derived_notes})
    sources = pd.DataFrame({"source_id": ["s1", "s2", "s3"], "url": ["http://x", None, "http://y"]})
    ds = SimpleNamespace(entities=ents, sources=sources, conflicts=conflicts)
    return SimpleNamespace(ds=ds, obs=obs, candidates=cand, entity="c", year=2021)


def test_findings_count_what_the_data_hold_in_both_editions():
    conflicts = pd.DataFrame({"exclude_obs_ids": ["o1;o2", None, "o2;o3"]})
    rep = fake_report(conflicts, ["", derive.NOTE_RATE, derive.NOTE_SHARE, None])
    en = methods.findings(rep)
    assert en[0] == (
        "Up to 2021, the data hold figures for 2 indicators of Some City (某市); "
        "1 of them have a full-year figure for 2021."
    )
    assert en[1].startswith("The report draws on 3 sources; 2 of them link")
    assert en[2].startswith("3 conflicts between sources") and "3 rows are set aside" in en[2]  # o1, o2, o3
    assert en[3].startswith("4 values up to 2021 are derived") and en[3].endswith(": 2.")
    with i18n.language("zh_CN"):
        zh = methods.findings(rep)
    assert zh[0] == "截至2021年，数据中有某市2项指标的数值，其中1项有2021年全年数据。"
    assert "3个资料来源，其中2个" in zh[1] and "3处来源冲突" in zh[2] and "3条观测值" in zh[2]
    assert "有4个数值" in zh[3] and "其中2个无法对应整数" in zh[3]
    for s in zh:
        assert not latin_words(s), s


def test_findings_say_when_there_is_nothing():
    rep = fake_report(pd.DataFrame({"exclude_obs_ids": []}), [])
    rep.obs = rep.obs.iloc[0:0]
    with i18n.language("zh_CN"):
        zh = methods.findings(rep)
    assert zh[0] == "截至2021年，数据中没有某市的数值。"
    assert zh[2] == "数据中未记录来源冲突。" and zh[3] == "截至2021年，没有推算值，所有数值均为公布数。"
    with i18n.language("zh_CN"):
        assert methods.derived_table(rep) == "截至2021年，数据中没有推算值。"
        assert methods.conflicts_table(rep) == "数据中未记录来源冲突。"
    assert methods.derived_table(rep) == "No value up to 2021 is derived from another."


def test_chinese_tables_have_worded_headers_and_chinese_cells(rep):
    with i18n.language("zh_CN"):
        shown = [methods.derived_table(rep), methods.conflicts_table(rep), methods.disagreements_table(rep)]
        shown.append(methods.sources_table(rep))
    for df in shown:
        assert isinstance(df, pd.DataFrame) and len(df)
        for col in df.columns:
            assert not re.search(r"[a-z]+_[a-z_]+", col) and not latin_words(col), col
    derived, conflicts, disagreements, _ = shown
    for text in derived["计算公式"]:
        assert not latin_words(text), text
    assert set(disagreements["是否采用"]) <= {"是", "否"} and set(disagreements["公布或推算"]) <= {
        "公布数",
        "推算数",
    }
    for col in ("各来源的说法", "本报告的处理", "类别", "对象"):
        for text in conflicts[col]:
            assert not latin_words(text), text


def test_a_derived_formula_reads_in_words_with_names_not_ids(ds, rep):
    d = rep.candidates[rep.candidates["derived"].astype(bool)]
    row = next(r for r in d.to_dict("records") if r["formula"].endswith("and its growth rate)"))
    name_en = ds.indicators.set_index("indicator_id").loc[row["indicator"], "name_en"]
    en = derive.explain(row, rep.ds)
    assert en["formula"].startswith(row["formula"].rsplit(" (", 1)[0] + " (") and name_en in en["formula"]
    assert row["indicator"] not in en["formula"]
    with i18n.language("zh_CN"):
        zh = derive.explain(row, rep.ds)
    assert (
        "及其同比增速" in zh["formula"] and zh["inputs"].startswith("由") and not latin_words(zh["formula"])
    )


def test_sources_show_issuer_and_note_in_the_edition_language():
    row = {
        "source_id": "s1",
        "title": "(title not shown) 某报 article",
        "title_zh": "（未显示标题）某报报道",
        "title_en": None,
        "issuer": "not stated (example.org repost)",
        "issuer_zh": "未注明（example.org 转载）",
        "note": "Exact date not shown.",
        "note_zh": "未标明确切日期。",
        "doc_number": None,
        "publication_date": "2020",
        "type": "news_report",
        "url": None,
        "local_copy": None,
    }
    rep = SimpleNamespace(
        ds=SimpleNamespace(
            sources=pd.DataFrame([row]), observations=pd.DataFrame({"source_id": ["s1", "s1"]})
        )
    )
    with i18n.language("zh_CN"):
        zh = methods.sources_html(rep)
        zh_table = methods.sources_table(rep)
    assert "未注明（example.org 转载）" in zh and "未标明确切日期。" in zh and "（未显示标题）某报报道" in zh
    assert "not stated" not in zh and "Exact date" not in zh and "title not shown" not in zh
    assert zh_table.iloc[0].tolist()[2] == "未注明（example.org 转载）"
    en = methods.sources_html(rep)
    assert "not stated (example.org repost)" in en and "Exact date not shown." in en and "未注明" not in en
    assert "(title not shown) 某报 article" in en  # no English title: the original one
    # no Chinese note: the zh edition leaves the English note out instead of showing it
    row2 = {**row, "note_zh": None, "issuer_zh": None}
    with i18n.language("zh_CN"):
        assert methods.source_note(row2) == "" and methods.source_issuer(row2) == row["issuer"]


def test_the_chinese_sources_list_of_the_data_has_no_english_issuer_or_note(rep):
    with i18n.language("zh_CN"):
        html = methods.sources_html(rep)
    text = re.sub(r"<a [^>]*>|</a>|<code>[^<]*</code>|<[^>]+>", " ", html)
    text = re.sub(r"\[[^\]]*\]", " ", text)  # source ids
    text = re.sub(r"[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+(/[A-Za-z0-9_\-./]*)?", " ", text)  # site names, files
    phrases = ("not stated", "repost", "photo", "title not shown", "machine", "third-party", "article", "via")
    for phrase in phrases + ("full text", "news report", "legible"):
        assert phrase not in text, phrase
    # every source with an English note has a Chinese one
    s = rep.ds.sources
    assert not (s["note"].notna() & s["note_zh"].isna()).any()
    assert s["issuer_zh"].notna().all()


def test_conflicts_table_shows_no_ids_and_its_csv_keeps_them(rep):
    c = rep.ds.conflicts
    with i18n.language("zh_CN"):
        shown, csv = methods.conflicts_table(rep), methods.conflicts_table(rep, ids=True)
    assert "编号" not in "".join(shown.columns) or list(csv.columns)[1:] == list(shown.columns)
    assert list(csv.columns)[1:] == list(shown.columns)
    assert csv.iloc[:, 0].tolist() == c["conflict_id"].tolist()
    for col in shown.columns:
        assert not set(c["conflict_id"]) & set(shown[col].astype(str)), col


def test_derived_values_are_shown_with_their_unit_decimals(rep):
    d = rep.candidates[rep.candidates["derived"].astype(bool)].reset_index(drop=True)
    shown = methods.derived_table(rep)
    values = shown.iloc[:, 3].tolist()
    assert values == [tables.fmt_value(v, u) for v, u in zip(d["value"], d["unit"])]
    for v, u in zip(values, d["unit"]):
        if u == "percent":  # two decimals, as every percentage of the report
            assert re.fullmatch(r"\d+\.\d\d", v), v
    assert tables.fmt_value(0.7856, "percent") == "0.79" and tables.fmt_value(0.9, "percent") == "0.90"


def test_english_derived_formulas_have_no_possessive_after_a_bracket(rep):
    d = rep.candidates[rep.candidates["derived"].astype(bool)]
    formulas = [derive.explain(r, rep.ds)["formula"] for r in d.to_dict("records")]
    assert formulas and not [f for f in formulas if ")'s" in f or "）'s" in f]
    shares = [f for f in formulas if "its share of" in f]
    assert shares and all(re.search(r" in \d{4} ÷ its share of ", f) for f in shares), shares


def test_short_columns_stay_on_one_line_and_long_text_wraps():
    df = pd.DataFrame(
        {
            "年份": [2023, 2024],
            "研发投入强度": ["0.91", "1.02"],
            "说明": ["这是一段很长的说明文字，用来检验长文本仍会换行显示。", "短"],
        }
    )
    html = tables.styled(df, "t").to_html()
    assert re.search(r"#T_t \.col0 \{\s*white-space: nowrap;", html)
    assert re.search(r"#T_t \.col1 \{\s*white-space: nowrap;", html)
    assert re.search(r"#T_t \.col2 \{\s*min-width: 8em;", html)
    assert "nowrap" not in re.search(r"#T_t \.col2 \{[^}]*\}", html).group(0)
    assert tables._width("研发投入强度") == 12 and tables._width("<a href='x'>2023</a>") == 4


def test_a_derived_formula_ends_with_the_value_as_the_table_shows_it(rep):
    d = rep.candidates[rep.candidates["derived"].astype(bool)]
    for r in d.to_dict("records"):
        formula = derive.explain(r, rep.ds)["formula"]
        shown = tables.fmt_value(r["value"], r["unit"])
        assert f" = {shown} (" in formula or formula.endswith(f" = {shown}"), formula
    row = {"value": 0.9, "unit": "percent", "formula": "0.93 − 0.03 pp = 0.9 (x)", "note": ""}
    ds = SimpleNamespace(
        entities=rep.ds.entities, indicators=rep.ds.indicators, observations=rep.ds.observations.iloc[0:0]
    )
    assert derive.explain(row, ds)["formula"] == "0.93 − 0.03 pp = 0.90"
    with i18n.language("zh_CN"):
        assert derive.explain(row, ds)["formula"] == "0.93 − 0.03 个百分点 = 0.90"
