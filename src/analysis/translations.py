"""The gettext catalogs of the book's prose (``locales/<lang>/LC_MESSAGES/**/*.po``).

The prose (the notebooks' Markdown cells, ``book/*.md``, the table of contents) is written in
English, the source language; every other edition's language has a catalog. :func:`update`
extracts the messages with Sphinx's gettext builder from the notebooks *without their outputs*
(what the code writes is translated by the label catalog, analysis.i18n, and changes with the
data) and merges them into the catalogs with sphinx-intl, keeping every translation already made.
:func:`status` says, per catalog, how many messages are translated, fuzzy or missing.
``make translations`` runs the first and prints the second.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from analysis import digest, i18n
from analysis.errors import BuildError

ROOT = digest.ROOT
LOCALES = ROOT / "locales"
SOURCE_LANGUAGE = "en"
# catalogs of the theme's interface words (not extracted from the prose; kept by update())
THEME_CATALOGS = {Path("sphinx.po")}


def target_languages() -> list[str]:
    """The editions whose prose is translated (all but the source language)."""
    return [lang for lang in i18n.languages() if lang != SOURCE_LANGUAGE]


def extract(out: Path) -> Path:
    """Write the .pot templates of the prose into `out`; return their folder."""
    from analysis import pipeline

    src = out / "src"
    src.mkdir(parents=True)
    pipeline.stage_sources(src)
    pipeline.edition_config(src, SOURCE_LANGUAGE)
    # the theme's words are kept by hand in locales/<lang>/LC_MESSAGES/sphinx.po: the template
    # overrides are left out of the extraction (Sphinx's template scan cannot read _(variable))
    import yaml

    cfg_path = src / "_config.yml"
    cfg = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
    cfg.get("sphinx", {}).get("config", {}).pop("templates_path", None)
    cfg_path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (src / "notebooks").mkdir()
    for nb_path in pipeline.chapter_notebooks():
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(nb, src / "notebooks" / nb_path.name)
    cmd = [
        pipeline.jupyter_book_exe(),
        "build",
        str(src),
        "--path-output",
        str(out),
        "--builder",
        "custom",
        "--custom-builder",
        "gettext",
    ]
    proc = subprocess.run(cmd, cwd=src, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError("extracting the messages failed:\n" + (proc.stdout + proc.stderr)[-3000:])
    return out / "_build" / "gettext"


def update(languages: list[str] | None = None) -> list[Path]:
    """Extract the prose and merge it into each language's catalogs; return the catalogs."""
    with tempfile.TemporaryDirectory(prefix="gettext-") as tmp:
        pot = extract(Path(tmp))
        for lang in languages or target_languages():
            exe = Path(sys.executable).parent / "sphinx-intl"
            cmd = [str(exe) if exe.exists() else "sphinx-intl", "update", "-p", str(pot), "-d", str(LOCALES)]
            proc = subprocess.run([*cmd, "-l", lang], capture_output=True, text=True)
            if proc.returncode != 0:
                raise BuildError(f"sphinx-intl update failed for {lang}:\n{proc.stderr[-2000:]}")
        # templates of documents that no longer exist are not carried over by sphinx-intl: drop
        # their catalogs so that nothing stale is translated
        wanted = {p.relative_to(pot).with_suffix(".po") for p in pot.rglob("*.pot")}
        for lang in languages or target_languages():
            base = LOCALES / lang / "LC_MESSAGES"
            for po in base.rglob("*.po"):
                if po.relative_to(base) not in wanted and po.relative_to(base) not in THEME_CATALOGS:
                    po.unlink()
        shutil.rmtree(Path(tmp), ignore_errors=True)
    return sorted(LOCALES.rglob("*.po"))


@dataclass
class CatalogStatus:
    path: Path
    translated: int
    fuzzy: int
    untranslated: int


def status(languages: list[str] | None = None) -> list[CatalogStatus]:
    """Per catalog: messages translated, fuzzy and untranslated (the header entry left out)."""
    from babel.messages.pofile import read_po

    out = []
    for lang in languages or target_languages():
        for po in sorted((LOCALES / lang / "LC_MESSAGES").rglob("*.po")):
            with po.open("rb") as fh:
                cat = read_po(fh)
            msgs = [m for m in cat if m.id]
            out.append(
                CatalogStatus(
                    po,
                    sum(1 for m in msgs if m.string and not m.fuzzy),
                    sum(1 for m in msgs if m.fuzzy),
                    sum(1 for m in msgs if not m.string),
                )
            )
    return out
