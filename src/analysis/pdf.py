"""Print edition: one PDF of a built site, with a cover, a table of contents and page numbers.

``python -m analysis pdf [--site _build/html] [--out _build/pdf/report.pdf]``

The site is what ``make book`` wrote (each edition is one site directory). Its pages are joined
in the order of the book's table of contents as the site shows it (the navigation of the landing
page, which Jupyter Book writes from ``_toc.yml``): landing page, chapters, caveats. From each page
only the article body is kept; code cells and toggles are dropped; ids are made unique per page
and links between pages become links inside the document; images point at the site's files.

The cover's fields are read from the site, never typed: the title from the landing page, the
report year and the last year of data from the values the summary notebook glued
(``report_year``, ``data_end`` in ``_sources/**.ipynb``), the latest source's publication date
from ``results/observations_used.csv``.

Debian's Chromium prints the document (headless); page numbers are CSS ``@page`` margin boxes.
The contents' page numbers come from a first print: Chromium writes a named destination for every
linked id, and ``pdfinfo -dests`` (poppler-utils) says on which page each lies; the second print
carries those numbers (and is checked: a third print if the contents moved anything).
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, Tag

from analysis.digest import ROOT
from analysis.errors import ReportError

SITE_DIR = ROOT / "_build" / "html"
PDF_OUT = ROOT / "_build" / "pdf" / "report.pdf"
PDF_CSS = Path(__file__).with_name("pdf.css")
PRINT_CSS = ROOT / "book" / "_static" / "print.css"  # used when the site predates print.css
CHROMIUM_PACKAGE = "chromium"
POPPLER_PACKAGE = "poppler-utils"
PRINT_TIMEOUT = 300  # seconds one Chromium print may take
MAX_PRINTS = 3
KEEP_ROWS = 16  # a table this short (rows, with the header) is kept on one page with its caption
NOBREAK_CHARS = 12  # table cells whose words are all this short break only between words

# Dropped from every page: code, the toggles that show it, hidden cells, heading permalinks.
DROP = [
    "div.cell_input",
    "details.above-input",
    "details.below-input",
    "div.tag_hide-cell",
    "div.tag_remove-cell",
    "a.headerlink",
    "script",
    "button",
    "noscript",
]


class PdfError(ReportError):
    """The PDF cannot be made; the message says why and what to do."""


@dataclass
class Chapter:
    """One page of the site in book order."""

    path: str  # site-relative, e.g. "notebooks/05_scorecard.html"
    title: str
    part: str | None = None  # caption of the part it opens or belongs to
    anchor: str = ""
    sections: list[tuple[str, str]] = field(default_factory=list)  # (anchor, title) of h2s


@dataclass
class Cover:
    title: str
    subtitle: str
    report_year: str
    data_end: str
    latest_source: str | None  # latest publication date of the sources used, if the site says


# --------------------------------------------------------------------------- reading the site


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def check_site(site: Path) -> None:
    if not (site / "index.html").is_file():
        raise PdfError(
            f"no built site at {site} (no index.html): run `make book` first, "
            f"or give the site directory with --site"
        )


def landing_page(site: Path) -> str:
    """The site-relative path of the landing page (index.html, or where it redirects)."""
    soup = _soup(site / "index.html")
    meta = soup.find("meta", attrs={"http-equiv": re.compile("refresh", re.IGNORECASE)})
    if meta and "url=" in meta.get("content", "").lower():
        target = meta["content"].split("=", 1)[1].strip().strip("'\"")
        return _site_relative(site, "index.html", target)
    return "index.html"


def _site_relative(site: Path, page: str, href: str) -> str | None:
    """A relative href on `page` as a path inside the site; None if it leaves the site."""
    target = (site / page).parent / unquote(urlsplit(href).path)
    try:
        return Path(os.path.normpath(target)).relative_to(os.path.normpath(site)).as_posix()
    except ValueError:
        return None


def _text(tag: Tag) -> str:
    return " ".join(tag.get_text(" ", strip=True).split())


def chapters(site: Path) -> list[Chapter]:
    """The site's pages in the order of its table of contents, with their part captions."""
    check_site(site)
    home = landing_page(site)
    nav = _soup(site / home).select_one("nav.bd-docs-nav")
    if nav is None:
        raise PdfError(
            f"{site / home}: no table of contents (nav.bd-docs-nav) in the landing page; "
            f"is this a Jupyter Book site?"
        )
    out: list[Chapter] = []
    part = None
    for el in nav.find_all(["p", "a"]):
        if el.name == "p" and "caption" in (el.get("class") or []):
            part = _text(el)
            continue
        if el.name != "a" or "toctree-l1" not in (el.parent.get("class") or []):
            continue
        href = el.get("href", "")
        path = home if href in ("", "#") else _site_relative(site, home, href)
        if path is None or path in [c.path for c in out]:
            continue
        if not (site / path).is_file():
            raise PdfError(f"{site / home}: the table of contents links to {path}, which is not in the site")
        out.append(Chapter(path=path, title=_text(el), part=part))
    if not out:
        raise PdfError(f"{site / home}: the table of contents lists no pages")
    return out


def glued_values(site: Path, names: tuple[str, ...]) -> dict[str, str]:
    """Values the notebooks glued (myst-nb), from the executed notebooks the site holds."""
    found: dict[str, tuple[str, Path]] = {}
    for nb_path in sorted((site / "_sources").rglob("*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            for output in cell.get("outputs", []):
                name = output.get("metadata", {}).get("scrapbook", {}).get("name")
                if name not in names:
                    continue
                data = output.get("data", {})
                value = next(
                    (
                        data[k]
                        for k in data
                        if k.endswith(("text/markdown", "text/plain"))
                        and "Markdown object" not in "".join(data[k])
                    ),
                    None,
                )
                if value is None:
                    continue
                value = "".join(value).strip().strip("'\"")
                if name in found and found[name][0] != value:
                    raise PdfError(
                        f"the site's notebooks disagree on {name}: {found[name][0]!r} in "
                        f"{found[name][1]}, {value!r} in {nb_path}"
                    )
                found[name] = (value, nb_path)
    return {k: v for k, (v, _) in found.items()}


def latest_source_date(site: Path) -> str | None:
    """Latest publication date among the sources of the observations used (results/)."""
    path = site / "results" / "observations_used.csv"
    if not path.is_file():
        return None
    with path.open(encoding="utf-8-sig", newline="") as fh:
        dates = [row.get("publication_date", "") for row in csv.DictReader(fh)]
    dates = [d for d in dates if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", d or "")]
    return max(dates) if dates else None


def cover(site: Path) -> Cover:
    """Title from the landing page; report year and data end from the notebooks' glued values."""
    check_site(site)
    home = landing_page(site)
    article = _article(_soup(site / home), site / home)
    h1 = article.find("h1")
    if h1 is None:
        raise PdfError(f"{site / home}: the landing page has no title (h1)")
    for a in h1.select("a.headerlink"):
        a.decompose()
    subtitle = ""
    nxt = h1.find_next_sibling()
    if nxt is not None and nxt.name == "p" and [c.name for c in nxt.find_all(recursive=False)] == ["strong"]:
        subtitle = _text(nxt)
    values = glued_values(site, ("report_year", "data_end"))
    missing = [k for k in ("report_year", "data_end") if k not in values]
    if missing:
        raise PdfError(
            f"{site}: no glued value {' or '.join(missing)} in the site's notebooks "
            f"(_sources/**/*.ipynb); the summary notebook glues them — rebuild with `make book`"
        )
    return Cover(
        title=_text(h1),
        subtitle=subtitle,
        report_year=values["report_year"],
        data_end=values["data_end"],
        latest_source=latest_source_date(site),
    )


def _article(soup: BeautifulSoup, path: Path) -> Tag:
    article = soup.select_one("article.bd-article") or soup.select_one("[role=main]") or soup.find("main")
    if article is None:
        raise PdfError(f"{path}: no article body (article.bd-article) in the page")
    return article


# --------------------------------------------------------------------------- one page


def page_anchor(path: str) -> str:
    """The id of a page in the joined document: 'notebooks/05_scorecard.html' -> 'notebooks-05_scorecard'."""
    stem = path.removesuffix(".html")
    return re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")


def page_body(site: Path, chapter: Chapter, pages: dict[str, str], labels: dict) -> Tag:
    """The chapter's article body, ready to sit in the joined document.

    `pages` maps every joined page's site path to its anchor; ids become '<anchor>--<id>' (except
    inside cell outputs, whose ids pandas' styles refer to), links to joined pages become
    '#<anchor>[--<id>]', links to other files become their site path in plain text, and images
    point at the site's files.
    """
    path = site / chapter.path
    article = _article(_soup(path), path)
    for selector in DROP:
        for el in article.select(selector):
            el.decompose()
    for el in article.select("details.fold"):  # folded detail is printed open
        el["open"] = ""
    key = pages[chapter.path]
    renamed: set[str] = set()
    for el in article.find_all(id=True):
        if el.find_parent("div", class_="output") is not None:
            continue
        renamed.add(el["id"])
        el["id"] = f"{key}--{el['id']}"

    for a in article.find_all("a", href=True):
        href = a["href"]
        parts = urlsplit(href)
        if parts.scheme or href.startswith("//"):
            continue  # http(s), mailto: left as they are
        frag = unquote(parts.fragment)
        if not parts.path:  # '#frag' on the same page
            a["href"] = f"#{key}--{frag}" if frag in renamed else f"#{frag}" if frag else f"#{key}"
            continue
        target = _site_relative(site, chapter.path, href)
        if target in pages:
            a["href"] = f"#{pages[target]}--{frag}" if frag else f"#{pages[target]}"
            continue
        if a.find("img") is not None:  # a figure linked to its own file: the figure, without the link
            a.unwrap()
            continue
        # A file of the site (a CSV download, results/…) or a page left out: plain text that names it
        shown = target or href
        if a.parent is not None and a.parent.name == "p" and "csv-download" in (a.parent.get("class") or []):
            _csv_note(a.parent, labels["csv"].format(path=shown))
        else:
            text = _text(a)
            span = BeautifulSoup("", "html.parser").new_tag("span", attrs={"class": "pdf-file"})
            span.string = (
                text if shown in text or not target or target.endswith(".html") else f"{text} ({shown})"
            )
            a.replace_with(span)

    for img in article.find_all("img", src=True):
        src = img["src"]
        if urlsplit(src).scheme:
            continue
        target = _site_relative(site, chapter.path, src)
        if target is None or not (site / target).is_file():
            raise PdfError(f"{path}: image {src} is not in the site")
        img["src"] = (site / target).resolve().as_uri()
        img.attrs.pop("srcset", None)

    for table in article.find_all("table"):
        if len(table.find_all("tr")) <= KEEP_ROWS:
            table["class"] = [*(table.get("class") or []), "pdf-keep"]
    for cell in article.select("table td"):
        words = _text(cell).split()
        if len(words) == 1 and len(words[0]) <= NOBREAK_CHARS:
            cell["class"] = [*(cell.get("class") or []), "pdf-nowrap"]  # a year, a date, an id
        elif all(len(word) <= NOBREAK_CHARS for word in words):
            cell["class"] = [*(cell.get("class") or []), "pdf-nobreak"]  # prose
        else:
            cell["class"] = [*(cell.get("class") or []), "pdf-long"]  # a URL: breaks anywhere

    h1 = article.find("h1")
    chapter.anchor = key
    chapter.sections = []
    for h2 in article.find_all("h2"):
        sec = h2.find_parent("section", id=True)
        if sec is not None:
            chapter.sections.append((sec["id"], _text(h2)))
    wrapper = BeautifulSoup("", "html.parser").new_tag("section", attrs={"class": "pdf-chapter", "id": key})
    if h1 is None:  # a page without a title still gets one in print
        title = BeautifulSoup("", "html.parser").new_tag("h1")
        title.string = chapter.title
        wrapper.append(title)
    wrapper.append(article)
    article.name = "div"
    article.attrs = {"class": ["pdf-article"]}
    return wrapper


def _csv_note(par: Tag, text: str) -> None:
    """A table's CSV link as a note in the table's caption (so it never sits alone on a page);
    as the paragraph's text when the table has no caption."""
    out = par.find_parent("div", class_="cell_output")
    table = par.find_previous("table")
    caption = table.caption if table is not None else None
    if caption is not None and out is not None and table.find_parent("div", class_="cell_output") is out:
        tmp = BeautifulSoup("", "html.parser")
        note = tmp.new_tag("span", attrs={"class": "pdf-csv"})
        note.string = text
        caption.append(tmp.new_tag("br"))
        caption.append(note)
        holder = par.parent
        par.decompose()
        if holder is not None and holder.name == "div" and not holder.get_text(strip=True):
            holder.decompose()
    else:
        par.clear()
        par.string = text


# --------------------------------------------------------------------------- the document


def _stylesheets(site: Path, home: str) -> list[str]:
    """The site's own stylesheets (absolute file URIs), plus print.css if the site lacks it."""
    soup = _soup(site / home)
    out = []
    for link in soup.find_all("link", rel="stylesheet", href=True):
        target = _site_relative(site, home, link["href"])
        if target and (site / target).is_file():
            out.append((site / target).resolve().as_uri())
    if not any(urlsplit(u).path.endswith("/print.css") for u in out) and PRINT_CSS.is_file():
        out.append(PRINT_CSS.resolve().as_uri())
    return out


def site_language(site: Path) -> str:
    root = _soup(site / landing_page(site)).find("html")
    return (root.get("lang") if root is not None else None) or "en"


def edition_language(html_lang: str) -> str:
    """The edition (report.yml ``languages``) of a page's ``<html lang>`` ('zh-CN' -> 'zh_CN');
    an unknown language gets the English furniture."""
    from analysis import i18n

    want = html_lang.replace("-", "_").lower()
    for lang in i18n.languages():
        if lang.lower() == want or lang.split("_")[0].lower() == want.split("_")[0]:
            return lang
    return "en" if "en" in i18n.languages() else i18n.primary()


def labels_for(lang: str) -> dict:
    """The furniture's words (label catalog src/analysis/labels/pdf.yml) in the site's language."""
    from analysis import i18n

    keys = ("contents", "report_year", "data_cutoff", "data_cutoff_text", "latest_source", "csv")
    with i18n.language(edition_language(lang)):
        return {k: i18n.catalog()[f"pdf.{k}"][i18n.current()] for k in keys}


def editions(site: Path = SITE_DIR, out: Path = PDF_OUT) -> list[tuple[Path, Path]]:
    """(site, PDF) of every edition the site holds: the primary at the site's root, the others
    in their folders; each PDF is named after its language (report-zh_CN.pdf, report-en.pdf)."""
    from analysis import i18n

    pairs = []
    for lang in i18n.languages():
        edition = site / i18n.edition_dir(lang) if i18n.edition_dir(lang) else site
        if (edition / "index.html").exists():
            pairs.append((edition, out.with_name(f"{out.stem}-{lang}{out.suffix}")))
    return pairs


def assemble(site: Path, page_numbers: dict[str, int] | None = None) -> tuple[str, list[Chapter]]:
    """The whole print document as HTML, and its chapters (with their anchors and sections).

    Without `page_numbers` (first print) the contents show placeholders of the same width.
    """
    check_site(site)
    home = landing_page(site)
    chaps = chapters(site)
    lang = site_language(site)
    labels = labels_for(lang)
    pages = {c.path: page_anchor(c.path) for c in chaps}
    bodies = [page_body(site, c, pages, labels) for c in chaps]
    cov = cover(site)

    def number(anchor: str) -> str:
        if page_numbers is None:
            return "000"
        return str(page_numbers.get(anchor, ""))

    esc = html.escape
    cutoff = labels["data_cutoff_text"].format(data_end=esc(cov.data_end))
    if cov.latest_source:
        cutoff += ("；" if lang.lower().startswith("zh") else "; ") + labels["latest_source"].format(
            date=f'<span class="pdf-date">{esc(cov.latest_source)}</span>'
        )
    parts = [f'<section class="pdf-cover" id="pdf-cover"><h1 class="pdf-title">{esc(cov.title)}</h1>']
    if cov.subtitle:
        parts.append(f'<p class="pdf-subtitle">{esc(cov.subtitle)}</p>')
    parts.append(
        f'<dl class="pdf-facts"><dt>{esc(labels["report_year"])}</dt>'
        f'<dd class="pdf-report-year">{esc(cov.report_year)}</dd>'
        f'<dt>{esc(labels["data_cutoff"])}</dt><dd class="pdf-cutoff">{cutoff}</dd></dl></section>'
    )
    parts.append(f'<nav class="pdf-toc" id="pdf-toc"><h1>{esc(labels["contents"])}</h1><ol>')
    part = None
    for c in chaps:
        if c.part and c.part != part:
            parts.append(f'<li class="pdf-toc-part">{esc(c.part)}</li>')
            part = c.part
        parts.append(
            f'<li class="pdf-toc-chapter"><a href="#{c.anchor}"><span class="pdf-toc-title">'
            f'{esc(c.title)}</span><span class="pdf-toc-page">{number(c.anchor)}</span></a></li>'
        )
        for sid, title in c.sections:
            parts.append(
                f'<li class="pdf-toc-section"><a href="#{sid}"><span class="pdf-toc-title">'
                f'{esc(title)}</span><span class="pdf-toc-page">{number(sid)}</span></a></li>'
            )
    parts.append("</ol></nav>")
    links = "\n".join(f'<link rel="stylesheet" href="{esc(u)}">' for u in _stylesheets(site, home))
    if PDF_CSS.is_file():
        links += f'\n<link rel="stylesheet" href="{esc(PDF_CSS.resolve().as_uri())}">'
    doc = (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}" data-theme="light" data-mode="light">\n<head>\n'
        f'<meta charset="utf-8">\n<title>{esc(cov.title)}</title>\n{links}\n</head>\n'
        f'<body class="pdf-document">\n'
        + "\n".join(parts)
        + "\n"
        + "\n".join(str(b) for b in bodies)
        + "\n</body>\n</html>\n"
    )
    return doc, chaps


# --------------------------------------------------------------------------- printing


def find_tool(name: str, package: str, explicit: str | None = None) -> str:
    """Path of an external program; PdfError naming the Debian package when it is missing."""
    if explicit:
        if Path(explicit).is_file() and os.access(explicit, os.X_OK):
            return explicit
        raise PdfError(f"{explicit} is not an executable file")
    found = shutil.which(name) or (f"/usr/bin/{name}" if os.access(f"/usr/bin/{name}", os.X_OK) else None)
    if not found:
        raise PdfError(
            f"{name} is not installed: install Debian's package {package} "
            f"(sudo apt-get install {package}), or run `make pdf`, which installs it"
        )
    return found


def print_to_pdf(html_file: Path, pdf_file: Path, chromium: str, timeout: float = PRINT_TIMEOUT) -> None:
    """Print a local HTML file to PDF with headless Chromium (no network, a throwaway profile)."""
    pdf_file.parent.mkdir(parents=True, exist_ok=True)
    if pdf_file.exists():
        pdf_file.unlink()
    with tempfile.TemporaryDirectory(prefix="analysis-chromium-") as profile:
        cmd = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--generate-pdf-document-outline",
            f"--print-to-pdf={pdf_file}",
            "--no-pdf-header-footer",
            html_file.resolve().as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"Chromium did not finish printing {html_file} within {timeout:.0f} s") from None
    if proc.returncode != 0 or not pdf_file.is_file() or pdf_file.stat().st_size == 0:
        tail = "\n  ".join((proc.stderr or "").strip().splitlines()[-10:])
        raise PdfError(f"Chromium could not print {html_file} (exit {proc.returncode}):\n  {tail}")


def destinations(pdf_file: Path, pdfinfo: str) -> dict[str, int]:
    """Named destinations of a PDF and their page numbers (1-based), from `pdfinfo -dests`."""
    proc = subprocess.run([pdfinfo, "-dests", str(pdf_file)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise PdfError(f"pdfinfo could not read {pdf_file}: {proc.stderr.strip()}")
    out = {}
    for line in proc.stdout.splitlines():
        m = re.match(r'\s*(\d+)\s+\[.*\]\s+"(.*)"\s*$', line)
        if m:
            out[m.group(2)] = int(m.group(1))
    return out


def build_pdf(
    site: Path = SITE_DIR, out: Path = PDF_OUT, chromium: str | None = None, keep_html: bool = False
) -> Path:
    """Print the site to `out`; return it. The contents' page numbers are checked after printing."""
    site, out = Path(site), Path(out)
    check_site(site)
    browser = find_tool("chromium", CHROMIUM_PACKAGE, chromium)
    pdfinfo = find_tool("pdfinfo", POPPLER_PACKAGE)
    out.parent.mkdir(parents=True, exist_ok=True)
    html_file = out.with_suffix(".html")
    tmp_pdf = out.with_name(f".{out.name}.tmp")
    numbers: dict[str, int] | None = None
    try:
        for _ in range(MAX_PRINTS):
            doc, chaps = assemble(site, numbers)
            html_file.write_text(doc, encoding="utf-8")
            print_to_pdf(html_file, tmp_pdf, browser)
            dests = destinations(tmp_pdf, pdfinfo)
            wanted = [c.anchor for c in chaps] + [sid for c in chaps for sid, _ in c.sections]
            missing = [a for a in wanted if a not in dests]
            if missing:
                raise PdfError(
                    f"the printed PDF has no destination for {', '.join(missing[:5])}; "
                    f"cannot number the contents"
                )
            found = {a: dests[a] for a in wanted}
            if found == numbers:
                os.replace(tmp_pdf, out)
                return out
            numbers = found
        raise PdfError(f"the contents' page numbers did not settle after {MAX_PRINTS} prints")
    finally:
        tmp_pdf.unlink(missing_ok=True)
        if not keep_html:
            html_file.unlink(missing_ok=True)
