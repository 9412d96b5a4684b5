"""The report's languages: which edition is being written, and the words the library writes in it.

Two mechanisms, one per kind of text:

- The **prose** of the notebooks and of ``book/*.md`` is written once (in English) and translated
  with Sphinx's gettext catalogs: ``locales/<lang>/LC_MESSAGES/**/*.po`` (``make translations``
  extracts the messages, ``sphinx-intl`` keeps the catalogs, Sphinx applies them at build time).
  Numbers stay out of it: the prose writes ``{glue:md}`key` `` and the translation keeps the role.
- Everything **the code writes** (table headers, status words, sentences, figure titles, axis
  labels, source lines) comes from one label catalog, ``src/analysis/labels/*.yml``: each entry is
  a key with one text per language, with the same ``{placeholders}``. :func:`t` fills it in the
  current edition's language. Entity and indicator names come from ``data/`` (official Chinese
  names), through :func:`name`.

The languages are those of ``report.yml`` (``languages``, the first is the primary edition, served
at the site's root). The current language is set once per notebook by ``open_chapter`` (its
``lang`` parameter) and by the build for each edition.
"""

from __future__ import annotations

import contextlib
import string
from functools import lru_cache
from pathlib import Path

LABELS_DIR = Path(__file__).with_name("labels")
DEFAULT_LANGUAGES = ("zh_CN", "en")

_current: str | None = None


def languages() -> tuple[str, ...]:
    """The editions, primary first (report.yml ``languages``)."""
    from analysis import config

    langs = config.load().extra.get("languages") or DEFAULT_LANGUAGES
    return tuple(str(x) for x in langs)


def primary() -> str:
    return languages()[0]


def current() -> str:
    """The language being written (the primary edition's unless set)."""
    return _current or primary()


def use(lang: str | None) -> str:
    """Write in `lang` from now on (None: the primary edition's language); return it."""
    global _current
    from analysis.errors import ParameterError

    lang = lang or primary()
    if lang not in languages():
        raise ParameterError(f"unknown language {lang!r}; the editions are: {', '.join(languages())}")
    _current = lang
    return lang


@contextlib.contextmanager
def language(lang: str | None):
    """Write in `lang` inside the block, then go back to the language before it."""
    before = _current
    use(lang)
    try:
        yield
    finally:
        globals()["_current"] = before


def is_chinese(lang: str | None = None) -> bool:
    return (lang or current()).startswith("zh")


def edition_dir(lang: str) -> str:
    """Where an edition sits in the site: the primary at the root, the others in a folder named
    after the language ('en/')."""
    return "" if lang == primary() else lang.split("_")[0].lower() + "/"


def fields(text: str) -> set[str]:
    """The {placeholders} of a text."""
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, object]]:
    """Every label: ``{"file.key": {lang: text or {one:, other:}}}``, checked on loading: each key
    has a text for every language, and every language's text has the same placeholders."""
    import yaml

    out: dict[str, dict[str, object]] = {}
    problems = []
    langs = languages()
    for path in sorted(LABELS_DIR.glob("*.yml")):
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, texts in entries.items():
            where = f"{path.name}: {key}"
            if not isinstance(texts, dict):
                problems.append(f"{where}: needs one text per language ({', '.join(langs)})")
                continue
            missing = [lang for lang in langs if lang not in texts]
            if missing:
                problems.append(f"{where}: no text for {', '.join(missing)}")
                continue
            forms = {
                lang: (list(texts[lang].values()) if isinstance(texts[lang], dict) else [texts[lang]])
                for lang in langs
            }
            seen = {lang: set().union(*(fields(str(f)) for f in forms[lang])) for lang in langs}
            if len({frozenset(s) for s in seen.values()}) > 1:
                problems.append(f"{where}: the languages use different placeholders {seen}")
            out[f"{path.stem}.{key}"] = texts
    if problems:
        raise ValueError("label catalog src/analysis/labels/:\n  " + "\n  ".join(problems))
    return out


def t(key: str, /, **values) -> str:
    """The label `key` ('file.key' of src/analysis/labels/) in the current language, with its
    placeholders filled. A text given as {one:, other:} is chosen by the value ``n``."""
    try:
        texts = catalog()[key]
    except KeyError:
        raise KeyError(f"no label {key!r} in src/analysis/labels/") from None
    text = texts[current()]
    if isinstance(text, dict):
        text = text["one"] if values.get("n") == 1 and "one" in text else text["other"]
    return str(text).format(**values)


def name(row) -> str:
    """An entity's or indicator's name in the current edition: the official Chinese name in the
    Chinese edition, 'English (中文)' in the others (``row``: a row with name_en and name_zh)."""
    zh, en = row["name_zh"], row["name_en"]
    if is_chinese():
        return str(zh)
    return f"{en} ({zh})" if zh and str(zh) != "nan" else str(en)


def short_name(row) -> str:
    """The name alone in the edition's language (figure legends, narrow columns)."""
    return str(row["name_zh"] if is_chinese() else row["name_en"])


def join(items) -> str:
    """A list in words: '甲、乙和丙' / 'a, b and c'."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    sep, last = ("、", "和") if is_chinese() else (", ", " and ")
    return sep.join(items[:-1]) + last + items[-1]


def sentence_end() -> str:
    return "。" if is_chinese() else "."


def localized(value, lang: str | None = None):
    """A vocabulary label that may be given per language ({en: …, zh_CN: …}) or as one text."""
    if isinstance(value, dict):
        lang = lang or current()
        return value.get(lang) or value.get(primary()) or next(iter(value.values()))
    return value
