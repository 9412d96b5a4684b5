"""The PDF edition: document assembly on a small fake site, and one real print with Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from analysis import pdf

NAV = """
<nav class="bd-docs-nav"><div>
 <ul class="nav bd-sidenav bd-sidenav__home-link">
  <li class="toctree-l1"><a href="{home}">Fake report</a></li></ul>
 <p class="caption" role="heading"><span class="caption-text">Part one</span></p>
 <ul class="nav bd-sidenav">
  <li class="toctree-l1"><a href="{up}notebooks/a.html">Chapter A (甲)</a></li>
  <li class="toctree-l1"><a href="{up}notebooks/b.html">Chapter B (乙)</a></li>
 </ul>
 <p class="caption" role="heading"><span class="caption-text">Part two</span></p>
 <ul class="nav bd-sidenav"><li class="toctree-l1"><a href="{caveats}">Caveats (注意)</a></li></ul>
</div></nav>"""


def page(body: str, nav: str = "") -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><link rel="stylesheet" href="../_static/site.css">'
        f'</head><body><div class="bd-sidebar-primary">{nav}</div>'
        f'<main><article class="bd-article">{body}</article></main>'
        f'<footer class="bd-footer">site footer</footer></body></html>'
    )


def glue_nb(values: dict) -> dict:
    outputs = [
        {
            "output_type": "display_data",
            "metadata": {"scrapbook": {"name": k, "mime_prefix": "application/papermill.record/"}},
            "data": {
                "application/papermill.record/text/markdown": v,
                "application/papermill.record/text/plain": "<IPython.core.display.Markdown object>",
            },
        }
        for k, v in values.items()
    ]
    return {
        "cells": [{"cell_type": "code", "source": "", "metadata": {}, "outputs": outputs}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def make_site(root: Path, glue: dict | None = None, chapter_a_pages: int = 1) -> Path:
    """A site shaped like Jupyter Book's: a redirecting index, a landing page whose navigation
    lists two parts, two chapters with code cells, tables and a figure, and a caveats page."""
    site = root / "site"
    for d in ("book", "notebooks", "_images", "_static", "downloads", "results", "_sources/notebooks"):
        (site / d).mkdir(parents=True, exist_ok=True)
    (site / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=book/index.html" />')
    (site / "_static" / "site.css").write_text("p { margin: 0 0 4px; }")
    shutil.copy(
        Path(__file__).resolve().parents[1] / "book" / "_static" / "print.css", site / "_static" / "print.css"
    )
    from PIL import Image

    Image.new("RGB", (40, 20), (200, 30, 30)).save(site / "_images" / "fig.png")
    book_nav = NAV.format(home="#", up="../", caveats="caveats.html")
    (site / "book" / "index.html").write_text(
        page(
            '<section id="fake-report"><h1>Fake report<a class="headerlink" href="#fake-report">#</a></h1>'
            "<p><strong>假报告</strong></p><p>Intro; see "
            '<a href="../notebooks/b.html#shared">B\'s section</a>'
            ' and <a href="../results/scorecard.csv">results/scorecard.csv</a>.</p></section>',
            book_nav,
        )
    )
    breaks = "".join('<p style="break-after: page">filler page</p>' for _ in range(chapter_a_pages - 1))
    (site / "notebooks" / "a.html").write_text(
        page(
            '<section id="chapter-a"><h1>Chapter A (甲)<a class="headerlink" href="#chapter-a">#</a></h1>'
            '<div class="cell tag_parameters tag_hide-cell"><details class="hide below-input">'
            '<summary>Show code cell content</summary><div class="cell_input">report_year = None</div>'
            "</details></div>"
            '<div class="cell tag_hide-input"><details class="hide above-input">'
            "<summary>Show code cell source"
            '</summary><div class="cell_input"><pre>tables.show(x)</pre></div></details>'
            '<div class="cell_output"><div class="output text_html"><table class="report-table" id="T_x">'
            "<caption>Table X (表)</caption><thead><tr><th>year</th><th>url</th></tr></thead>"
            '<tbody><tr><td id="T_x_row0_col0">2029</td>'
            "<td>http://example.org/a/very/long/address/that/must/break.html</td></tr></tbody></table></div>"
            '<div class="output text_html"><p class="csv-download"><a href="../downloads/x.csv" download>'
            "Download this table as CSV</a></p></div></div></div>"
            f"{breaks}"
            '<section id="shared"><h2>Shared name<a class="headerlink" href="#shared">#</a></h2>'
            '<p>Back to <a href="#chapter-a">the top</a>; a figure:</p>'
            '<img alt="fig" src="../_images/fig.png"/>'
            # a figure given a width: Sphinx links the image to its own file
            '<a class="reference internal image-reference" href="../_images/fig.png">'
            '<img alt="../_images/fig.png" src="../_images/fig.png" style="width: 616px;"/></a>'
            "</section></section>",
            NAV.format(home="../book/index.html", up="../", caveats="../book/caveats.html"),
        )
    )
    (site / "notebooks" / "b.html").write_text(
        page(
            '<section id="chapter-b"><h1>Chapter B (乙)</h1>'
            '<section id="shared"><h2>Shared name too</h2><p>See <a href="a.html#shared">A</a>, '
            '<a href="https://example.org/x">the web</a> and the <a href="../genindex.html">index</a>.</p>'
            "</section></section>"
        )
    )
    (site / "book" / "caveats.html").write_text(
        page('<section id="caveats"><h1>Caveats (注意)</h1><p>Limits.</p></section>')
    )
    glue = {"report_year": "2031", "data_end": "2029"} if glue is None else glue
    (site / "_sources" / "notebooks" / "a.ipynb").write_text(json.dumps(glue_nb(glue)))
    (site / "results" / "observations_used.csv").write_text(
        "\ufeffobs_id,year,publication_date\no1,2029,2030-05-01\no2,2028,2029-12-31\no3,2027,\n",
        encoding="utf-8",
    )
    return site


@pytest.fixture()
def site(tmp_path):
    return make_site(tmp_path)


def test_pages_come_in_the_order_of_the_sites_contents_with_their_parts(site):
    chaps = pdf.chapters(site)
    assert [c.path for c in chaps] == [
        "book/index.html",
        "notebooks/a.html",
        "notebooks/b.html",
        "book/caveats.html",
    ]
    assert [c.part for c in chaps] == [None, "Part one", "Part one", "Part two"]
    assert [c.title for c in chaps][1] == "Chapter A (甲)"


def test_cover_fields_are_read_from_the_site(site):
    cov = pdf.cover(site)
    assert (cov.title, cov.subtitle) == ("Fake report", "假报告")
    assert (cov.report_year, cov.data_end) == ("2031", "2029")
    assert cov.latest_source == "2030-05-01"  # the latest of 2030-05-01, 2029-12-31 and a blank


def test_a_site_without_the_glued_report_year_is_refused(tmp_path):
    site = make_site(tmp_path, glue={"data_end": "2029"})
    with pytest.raises(pdf.PdfError, match="report_year"):
        pdf.cover(site)


def test_notebooks_that_disagree_on_the_report_year_are_refused(site):
    (site / "_sources" / "notebooks" / "b.ipynb").write_text(json.dumps(glue_nb({"report_year": "2030"})))
    with pytest.raises(pdf.PdfError, match="disagree on report_year"):
        pdf.cover(site)


def test_no_site_says_to_run_make_book(tmp_path):
    with pytest.raises(pdf.PdfError, match="make book"):
        pdf.chapters(tmp_path / "missing")


def test_the_command_line_turns_a_missing_site_into_exit_status_1(tmp_path, capsys):
    from analysis.cli import main

    assert main(["pdf", "--site", str(tmp_path / "missing"), "--out", str(tmp_path / "r.pdf")]) == 1
    assert "make book" in capsys.readouterr().err


def test_a_missing_program_names_the_debian_package():
    with pytest.raises(pdf.PdfError, match="apt-get install some-package"):
        pdf.find_tool("no-such-program-for-the-pdf-test", "some-package")


def test_the_joined_document_has_unique_ids_and_every_internal_link_lands(site):
    doc, _ = pdf.assemble(site)
    soup = BeautifulSoup(doc, "html.parser")
    ids = [el["id"] for el in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))
    # both chapters have a section with id "shared": each page's ids are prefixed by the page
    assert {"notebooks-a--shared", "notebooks-b--shared"} <= set(ids)
    for a in soup.find_all("a", href=True):
        if a["href"].startswith("#"):
            assert a["href"][1:] in ids, a
    hrefs = {a.get_text(strip=True): a["href"] for a in soup.find_all("a", href=True)}
    assert hrefs["B's section"] == "#notebooks-b--shared"  # another page's section
    assert hrefs["the top"] == "#notebooks-a--chapter-a"  # a section of the same page
    assert hrefs["A"] == "#notebooks-a--shared"
    assert hrefs["the web"] == "https://example.org/x"  # outside links are kept
    assert "index" not in hrefs  # pages left out lose their link
    # ids inside cell outputs are kept (pandas' table styles refer to them)
    assert soup.find(id="T_x") is not None and soup.find(id="T_x_row0_col0") is not None


def test_pages_lose_code_toggles_and_site_furniture(site):
    doc, _ = pdf.assemble(site)
    soup = BeautifulSoup(doc, "html.parser")
    text = soup.get_text(" ")
    for gone in ("tables.show", "report_year = None", "Show code cell", "site footer"):
        assert gone not in text
    assert not soup.select("a.headerlink, div.cell_input, nav.bd-docs-nav")


def test_order_of_the_document_is_cover_contents_then_pages(site):
    doc, _ = pdf.assemble(site)
    soup = BeautifulSoup(doc, "html.parser")
    top = [el.get("id") for el in soup.body.find_all(["section", "nav"], recursive=False)]
    assert top == ["pdf-cover", "pdf-toc", "book-index", "notebooks-a", "notebooks-b", "book-caveats"]
    toc = [li.get_text(" ", strip=True) for li in soup.select("nav.pdf-toc li")]
    assert toc[0].startswith("Fake report") and toc[1] == "Part one"
    assert toc[2].startswith("Chapter A (甲)") and toc[3].startswith("Shared name")
    assert toc[-2] == "Part two" and toc[-1].startswith("Caveats (注意)")
    cover = soup.select_one("#pdf-cover").get_text(" ", strip=True)
    assert "2031" in cover and "2029" in cover and "2030-05-01" in cover and "假报告" in cover


def test_files_become_site_paths_and_images_point_at_the_site(site):
    doc, _ = pdf.assemble(site)
    soup = BeautifulSoup(doc, "html.parser")
    caption = soup.find("caption").get_text(" ", strip=True)
    assert "downloads/x.csv" in caption  # the CSV note sits with its table
    assert not soup.select("p.csv-download")
    assert "results/scorecard.csv" in soup.select_one("#book-index").get_text(" ")
    imgs = soup.find_all("img")
    assert len(imgs) == 2  # the linked figure is printed too, not replaced by its file name
    assert all(img["src"] == (site / "_images" / "fig.png").resolve().as_uri() for img in imgs)


def test_table_cells_are_marked_by_how_they_may_break(site):
    doc, _ = pdf.assemble(site)
    cells = BeautifulSoup(doc, "html.parser").select("table td")
    assert "pdf-nowrap" in cells[0]["class"]  # "2029"
    assert "pdf-long" in cells[1]["class"]  # a long URL


def test_contents_show_page_numbers_when_given(site):
    doc, _ = pdf.assemble(
        site,
        {
            "book-index": 3,
            "notebooks-a": 4,
            "notebooks-a--shared": 5,
            "notebooks-b": 6,
            "notebooks-b--shared": 6,
            "book-caveats": 7,
        },
    )
    soup = BeautifulSoup(doc, "html.parser")
    pages = [s.get_text() for s in soup.select("nav.pdf-toc .pdf-toc-page")]
    assert pages == ["3", "4", "5", "6", "6", "7"]


# --------------------------------------------------------------------------- a real print


def _tools():
    try:
        return pdf.find_tool("chromium", "chromium"), pdf.find_tool("pdftotext", "poppler-utils")
    except pdf.PdfError:
        return None


@pytest.mark.slow
@pytest.mark.skipif(_tools() is None, reason="chromium or poppler-utils not installed (make pdf-tools)")
def test_a_real_print_has_cover_contents_page_numbers_and_embedded_fonts(tmp_path):
    # Chapter A is forced onto two pages, so the true page numbers are: cover 1, contents 2,
    # landing page 3, chapter A 4 (its second section on 5), chapter B 6, caveats 7.
    site = make_site(tmp_path, chapter_a_pages=2)
    out = pdf.build_pdf(site, tmp_path / "out" / "report.pdf")
    assert out.is_file() and not (tmp_path / "out" / "report.html").exists()

    def text(page):
        return subprocess.run(
            ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(out), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+7\b", info)
    cover = text(1)
    assert "Fake report" in cover and "假报告" in cover and "2031" in cover and "2029" in cover
    assert not re.search(r"^\s*1\s*$", cover, re.MULTILINE)  # no page number on the cover
    toc = text(2)
    want = {
        "Fake report": 3,
        "Chapter A (甲)": 4,
        "Shared name": 5,
        "Chapter B (乙)": 6,
        "Shared name too": 6,
        "Caveats (注意)": 7,
    }
    lines = ["".join(ln.split()) for ln in toc.splitlines()]  # pdftotext spaces CJK freely
    for title, number in want.items():
        assert "".join(title.split()) + str(number) in lines, (title, toc)
    for number in range(2, 8):  # the footer's page number
        lines = [ln.strip() for ln in text(number).splitlines() if ln.strip()]
        assert lines[-1] == str(number)
    assert "".join(text(6).split()).startswith("ChapterB(乙)")
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), fonts  # column "emb"
    assert any("WenQuanYi" in row for row in rows)
