"""The two editions' words: the label catalog (what the code writes) and the gettext catalogs of
locales/ (the prose). What a reader relies on: every label exists in every language with the same
placeholders, a translation keeps its glue roles and types no number, and no prose is left
untranslated or stale."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from analysis import i18n, translations

GLUE = re.compile(r"\{glue(?::\w+)?\}`[^`]+`")
DIGITS = re.compile(r"\d+(?:\.\d+)?")


def test_a_label_is_written_in_the_language_of_the_edition():
    with i18n.language("en"):
        en = i18n.t("shared.no_data", what="patent figure", entity="X", year=2024)
    with i18n.language("zh_CN"):
        zh = i18n.t("shared.no_data", what="专利数据", entity="甲市", year=2024)
    assert en == "No patent figure of X is in the data for report year 2024."
    assert zh == "2024年度的数据中没有甲市的专利数据。"


def test_english_plural_forms_follow_n_and_chinese_has_one_form():
    with i18n.language("en"):
        assert i18n.t("shared.horizon_years", n=1) == "1 year"
        assert i18n.t("shared.horizon_years", n=3) == "3 years"
    with i18n.language("zh_CN"):
        assert i18n.t("shared.horizon_years", n=1) == "1年"


def test_names_and_lists_in_each_edition():
    row = {"name_en": "Ordos City", "name_zh": "鄂尔多斯市"}
    with i18n.language("en"):
        assert i18n.name(row) == "Ordos City (鄂尔多斯市)"
        assert i18n.join(["a", "b", "c"]) == "a, b and c"
    with i18n.language("zh_CN"):
        assert i18n.name(row) == "鄂尔多斯市"
        assert i18n.join(["甲", "乙", "丙"]) == "甲、乙和丙"


def test_the_language_set_inside_a_block_does_not_leak():
    with i18n.language("en"):
        with i18n.language("zh_CN"):
            assert i18n.current() == "zh_CN"
        assert i18n.current() == "en"


def test_an_unknown_language_is_refused_with_the_valid_ones():
    from analysis.errors import ParameterError

    with pytest.raises(ParameterError, match="zh_CN, en"):
        i18n.use("fr")


def test_the_primary_edition_is_at_the_root_and_the_others_in_a_folder():
    assert i18n.primary() == "zh_CN"
    assert i18n.edition_dir("zh_CN") == ""
    assert i18n.edition_dir("en") == "en/"


def test_every_label_has_every_language_with_the_same_placeholders():
    cat = i18n.catalog()
    assert len(cat) >= 10
    for key, texts in cat.items():
        forms = {
            lang: (texts[lang].values() if isinstance(texts[lang], dict) else [texts[lang]])
            for lang in i18n.languages()
        }
        fields = {lang: set().union(*(i18n.fields(str(f)) for f in fs)) for lang, fs in forms.items()}
        assert len({frozenset(f) for f in fields.values()}) == 1, (key, fields)


def test_a_catalog_with_a_missing_language_or_placeholder_is_refused(tmp_path, monkeypatch):
    (tmp_path / "x.yml").write_text("a: {en: 'one {n}', zh_CN: '一'}\nb: {en: 'two'}\n", encoding="utf-8")
    monkeypatch.setattr(i18n, "LABELS_DIR", tmp_path)
    i18n.catalog.cache_clear()
    try:
        with pytest.raises(ValueError) as err:
            i18n.catalog()
        assert "x.yml: a: the languages use different placeholders" in str(err.value)
        assert "x.yml: b: no text for zh_CN" in str(err.value)
    finally:
        monkeypatch.undo()
        i18n.catalog.cache_clear()


def test_an_unknown_label_names_itself():
    with pytest.raises(KeyError, match="no label 'shared.nope'"):
        i18n.t("shared.nope")


def _messages():
    for lang in translations.target_languages():
        for po in sorted((translations.LOCALES / lang / "LC_MESSAGES").rglob("*.po")):
            with po.open("rb") as fh:
                for m in read_po(fh):
                    if m.id:
                        yield po.relative_to(translations.LOCALES), m


def test_translations_keep_every_glue_role_and_type_no_number():
    checked = 0
    for where, m in _messages():
        if not m.string:
            continue
        checked += 1
        assert sorted(GLUE.findall(m.string)) == sorted(GLUE.findall(m.id)), (where, m.id)
        numbers_in = set(DIGITS.findall(GLUE.sub("", m.id)))
        typed = set(DIGITS.findall(GLUE.sub("", m.string))) - numbers_in
        assert not typed, f"{where}: the translation of {m.id!r} types {typed}"
    assert checked > 0


def test_the_glue_and_number_check_catches_a_bad_translation():
    msgid = "For report year {glue:md}`report_year` the report assesses {glue:md}`n` targets."
    bad = "{glue:md}`report_year`年度，本报告评估了41项目标。"
    assert sorted(GLUE.findall(bad)) != sorted(GLUE.findall(msgid))
    assert set(DIGITS.findall(GLUE.sub("", bad))) - set(DIGITS.findall(GLUE.sub("", msgid))) == {"41"}


def test_every_message_of_the_prose_is_translated():
    left = [
        (str(st.path.relative_to(translations.LOCALES)), st.untranslated, st.fuzzy)
        for st in translations.status()
        if st.untranslated or st.fuzzy
    ]
    assert not left, f"untranslated or fuzzy messages (run `make translations`): {left}"


@pytest.mark.slow
def test_the_catalogs_hold_exactly_the_current_prose(tmp_path):
    """Extract the prose as `make translations` does and compare: a message changed in a notebook
    or in book/ without updating locales/ would be shown in English in the Chinese edition."""
    pot_dir = translations.extract(tmp_path / "x")
    for lang in translations.target_languages():
        base = translations.LOCALES / lang / "LC_MESSAGES"
        for pot in sorted(pot_dir.rglob("*.pot")):
            rel = pot.relative_to(pot_dir).with_suffix(".po")
            with pot.open("rb") as fh:
                wanted = {m.id for m in read_po(fh) if m.id}
            po = base / rel
            assert po.exists(), f"no catalog {po} (run `make translations`)"
            with po.open("rb") as fh:
                have = {m.id for m in read_po(fh) if m.id}  # obsolete entries are kept apart by babel
            assert wanted <= have, f"{rel}: not in the catalog: {sorted(wanted - have)[:3]}"
