"""The built site, both editions: the Chinese edition shows no English interface words, no
snake_case header and no True/False cell; its search index knows the report's terms; every page
has the edition switch and its counterpart in the English edition.

Builds the site once (module fixture) into a temporary folder, like ``python -m analysis build``.
"""

import json
import re
from html.parser import HTMLParser

import pytest

from analysis import i18n, pipeline
from conftest import ROOT

pytestmark = pytest.mark.slow

# Interface words of Sphinx, pydata-sphinx-theme, sphinx-book-theme and the report's own code
# that must not stay English in the Chinese edition (text, tooltips, placeholders, labels).
THEME_WORDS = [
    "Contents",
    "Next",
    "Previous",
    "Show code cell",
    "Hide code cell",
    "Search this book",
    "Search",
    "Download this table",
    "Download this page",
    "Toggle primary sidebar",
    "Toggle secondary sidebar",
    "Print to PDF",
    "Fullscreen mode",
    "Link to this heading",
    "Color mode",
    "System Settings",
    "Skip to main content",
    "Back to top",
    "On this page",
    "Light",
    "Dark",
]
SNAKE = re.compile(r"^[a-z]+_[a-z_]+$")


class Page(HTMLParser):
    """What a reader sees of a page: text outside scripts and styles, tooltips, placeholders and
    labels; and the text of each table header and cell."""

    ATTRS = ("title", "placeholder", "aria-label", "alt")

    def __init__(self):
        super().__init__()
        self.skip = 0
        self.texts: list[str] = []
        self.headers: list[str] = []
        self.cells: list[str] = []
        self.scripts: list[str] = []
        self.prose: list[str] = []  # text outside raw HTML outputs (what Sphinx indexes for search)
        self.redirect = False
        self._cell = None
        self._raw = 0  # depth of <div> inside a raw HTML output of a notebook cell

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self.skip += 1
            if attrs.get("src"):
                self.scripts.append(attrs["src"])
        self.texts += [attrs[a] for a in self.ATTRS if attrs.get(a)]
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            self.redirect = True
        if tag == "div" and (self._raw or "text_html" in (attrs.get("class") or "")):
            self._raw += 1
        if tag in ("th", "td"):
            self._cell = (tag, [])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1
        if tag == "div" and self._raw:
            self._raw -= 1
        if tag in ("th", "td") and self._cell:
            text = "".join(self._cell[1]).strip()
            (self.headers if self._cell[0] == "th" else self.cells).append(text)
            self._cell = None

    def handle_data(self, data):
        if self.skip:
            return
        if data.strip():
            self.texts.append(data.strip())
            if not self._raw:
                self.prose.append(data.strip())
        if self._cell:
            self._cell[1].append(data)


def parse(path) -> Page:
    p = Page()
    p.feed(path.read_text(encoding="utf-8"))
    return p


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "html"
    pipeline.build(out=out, progress=False)
    return out


@pytest.fixture(scope="module")
def zh_pages(site):
    return {p: parse(site / p) for p in pipeline.edition_pages()}


def test_every_page_exists_in_each_edition_with_the_switch(site):
    missing = [p for p in pipeline.expected_pages() if not (site / p).is_file()]
    assert not missing
    for page in pipeline.expected_pages():
        p = parse(site / page)
        if p.redirect:  # the site's root page only forwards to the book's first page
            continue
        assert any("edition-switch.js" in s for s in p.scripts), page
        assert any("editions.js" in s for s in p.scripts), page
    assert i18n.edition_dir("en") == "en/"


def test_no_english_interface_words_in_the_chinese_edition(zh_pages):
    found = {}
    for page, p in zh_pages.items():
        words = sorted({w for w in THEME_WORDS for text in p.texts if text == w or text.startswith(w + ".")})
        if words:
            found[page] = words
    assert not found, f"English interface words in the Chinese edition: {found}"


FOOTER_WORDS = re.compile(r"\b(Copyright|By|Created using|Built with|Last updated)\b")


def test_chinese_footer_is_chinese(site, zh_pages):
    """The footer (author, copyright, the theme's credits) reads in Chinese: the words the themes
    write around the book's author and copyright are translated (locales/.../sphinx.po)."""
    found = {}
    for page in zh_pages:
        html_text = (site / page).read_text(encoding="utf-8")
        footer = html_text[html_text.find('<footer class="bd-footer') :]
        words = sorted(set(FOOTER_WORDS.findall(re.sub(r"<[^>]+>", " ", footer))))
        if words:
            found[page] = words
    assert not found, f"English footer words in the Chinese edition: {found}"
    pages = [page for page, p in zh_pages.items() if not p.redirect]
    assert pages and all("版权所有" in (site / page).read_text(encoding="utf-8") for page in pages)


def test_chinese_tables_have_no_snake_case_header_and_no_true_false(zh_pages):
    found = {}
    for page, p in zh_pages.items():
        bad = sorted(
            {h for h in p.headers if SNAKE.match(h)} | {c for c in p.cells if c in ("True", "False")}
        )
        if bad:
            found[page] = bad
    assert not found, f"snake_case headers or True/False cells in the Chinese edition: {found}"


def test_chinese_search_index_knows_the_report_terms(site):
    text = (site / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    terms = {**index["terms"], **index["titleterms"]}
    for word in ("研发", "高新技术企业", "科技型中小企业", "研发投入强度", "专利申请量"):
        assert word in terms, word
    # every term of the user dictionary that the pages use is a word of the index, not split
    pages = " ".join(" ".join(p.prose) for p in map(parse, site.glob("notebooks/*.html")))
    dictionary = [ln.split()[0] for ln in (ROOT / "book" / "search_dict.txt").read_text().splitlines() if ln]
    unsplit = []
    for w in sorted(dictionary, key=len, reverse=True):  # a word inside a longer one is not a word
        if w in pages and w.lower() not in terms:
            unsplit.append(w)
        pages = pages.replace(w, " ")
    assert not unsplit, unsplit


def test_english_edition_is_english(site):
    p = parse(site / "en" / "notebooks" / "07_data_methods.html")
    assert "Data and methods" in " ".join(p.texts) and "Link to this heading" in p.texts
