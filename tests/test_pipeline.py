"""The build: every chapter, reproducible output, failures that keep the previous site."""

import filecmp
import os
import shutil
import time
from pathlib import Path

import nbformat
import pytest

from analysis import i18n, pipeline
from analysis.errors import ParameterError

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _all_files(root: Path):
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """The book built twice from the same inputs, each executing every notebook."""
    base = tmp_path_factory.mktemp("sites")
    sites = []
    cwd = os.getcwd()
    for name in ("a", "b"):
        stats = pipeline.BuildStats()
        site = base / name / "html"
        assert pipeline.build(out=site, force=True, progress=False, stats=stats) == 0
        # every notebook once per edition
        assert stats.kernels_started == len(pipeline.chapter_notebooks()) * len(i18n.languages())
        assert os.getcwd() == cwd, "a build changed the process's working directory"
        sites.append(site)
    return sites


@pytest.mark.slow
def test_book_has_every_chapter_downloads_and_results(two_builds):
    site = two_builds[0]
    for page in pipeline.expected_pages():
        assert (site / page).exists(), page
    summary = (site / "notebooks" / "01_summary.html").read_text(encoding="utf-8")
    assert "报告年度" in summary and "鄂尔多斯市" in summary  # the primary edition, at the root
    assert "下载本表" in summary
    english = (site / "en" / "notebooks" / "01_summary.html").read_text(encoding="utf-8")
    assert "Report year" in english and "Download this table as CSV" in english
    assert (site / "downloads" / "scorecard.csv").exists()
    for name in ("scorecard.csv", "forecasts.csv", "forecast_paths.csv"):
        assert (site / "results" / name).stat().st_size > 100
    # no glue placeholder or unrendered role is left in the prose
    for page in [*site.glob("notebooks/*.html"), *site.glob("en/notebooks/*.html")]:
        text = page.read_text(encoding="utf-8")
        assert "{glue" not in text and "glue:md" not in text, page.name


@pytest.mark.slow
def test_two_builds_from_the_same_inputs_are_identical(two_builds):
    a, b = two_builds
    allowed = set()  # no file may differ: the build writes no timestamp
    assert _all_files(a) == _all_files(b)
    differ = [str(p) for p in _all_files(a) if not filecmp.cmp(a / p, b / p, shallow=False)]
    assert set(differ) <= allowed, differ


@pytest.mark.slow
def test_rebuild_with_nothing_changed_starts_no_kernel(two_builds):
    site = two_builds[1]
    stats = pipeline.BuildStats()
    assert pipeline.build(out=site, progress=False, stats=stats) == 0
    assert stats.kernels_started == 0 and not stats.cached  # answered from the site's key


def _broken_notebook(tmp_path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("report_year = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("raise ValueError('a deliberately broken cell')"),
    ]
    path = tmp_path / "99_broken.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_failing_notebook_stops_the_build_and_keeps_the_previous_site(tmp_path, monkeypatch, capsys):
    site = tmp_path / "html"
    site.mkdir()
    (site / "index.html").write_text("previous site")
    good = pipeline.chapter_notebooks()[:1]
    monkeypatch.setattr(pipeline, "chapter_notebooks", lambda: good + [_broken_notebook(tmp_path)])
    with pytest.raises(pipeline.BuildError) as info:
        pipeline.build(out=site, force=True, progress=False)
    err = str(info.value)
    assert "99_broken.ipynb" in err and "cell 3" in err and "a deliberately broken cell" in err
    assert f"previous site in {site} is unchanged" in err
    assert (site / "index.html").read_text() == "previous site"
    assert [p.name for p in site.iterdir()] == ["index.html"]
    assert not list(tmp_path.glob(".staging-*"))


def test_bad_parameters_fail_before_touching_the_site(tmp_path):
    site = tmp_path / "html"
    site.mkdir()
    (site / "index.html").write_text("previous site")
    with pytest.raises(ParameterError):
        pipeline.build(year=1990, out=site, progress=False)
    assert (site / "index.html").read_text() == "previous site"


def test_incomplete_site_is_not_published(tmp_path):
    site, new = tmp_path / "html", tmp_path / "new"
    site.mkdir()
    new.mkdir()
    (site / "index.html").write_text("previous site")
    (new / "index.html").write_text("half a site")
    with pytest.raises(pipeline.BuildError, match="incomplete"):
        pipeline.publish(new, site)
    assert (site / "index.html").read_text() == "previous site"


def test_committed_notebook_outputs_are_current():
    assert pipeline.refresh_notebooks(check=True) == 0, "run `make refresh-notebooks` and commit"


def test_stale_check_notices_a_changed_data_row(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(pipeline.DATA_DIR, data)
    obs = data / "observations.csv"
    obs.write_text(obs.read_text(encoding="utf-8").replace(",49,", ",50,", 1), encoding="utf-8")
    monkeypatch.setattr(pipeline, "DATA_DIR", data)
    assert pipeline.refresh_notebooks(check=True) == 1


def test_cache_key_follows_notebook_parameters_and_inputs():
    nb = pipeline.chapter_notebooks()[0]
    inputs = pipeline.inputs_digest()
    k = pipeline.cache_key(nb, {"report_year": 2024}, inputs)
    assert k == pipeline.cache_key(nb, {"report_year": 2024}, inputs)
    assert k != pipeline.cache_key(nb, {"report_year": 2021}, inputs)
    assert k != pipeline.cache_key(nb, {"report_year": 2024}, "other")


def test_chapters_declare_their_data_and_a_patent_row_leaves_rd_cached(tmp_path, monkeypatch):
    deps = {nb.stem: pipeline.depends_on(nb) for nb in pipeline.chapter_notebooks()}
    assert deps["03_patents"] == ["patents"] and deps["02_rd_intensity"] == ["rd"]
    before = {k: pipeline.inputs_digest(families=v) for k, v in deps.items()}
    data = tmp_path / "data"
    shutil.copytree(pipeline.DATA_DIR, data)
    obs = data / "observations.csv"
    text = obs.read_text(encoding="utf-8")
    assert ",patent_applications,2021,year,,458," in text
    obs.write_text(
        text.replace(",patent_applications,2021,year,,458,", ",patent_applications,2021,year,,459,"),
        encoding="utf-8",
    )
    after = {k: pipeline.inputs_digest(data, families=v) for k, v in deps.items()}
    changed = {k for k in deps if before[k] != after[k]}
    assert "03_patents" in changed and "01_summary" in changed
    # the scorecard reads patents too: the city's and the region's plans set patent targets
    assert "05_scorecard" in changed
    assert not {"02_rd_intensity", "04_enterprises"} & changed


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("report_year = None\ndownloads_dir = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params] + [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_parallel_execution_never_changes_the_working_directory(tmp_path, monkeypatch):
    """Two notebooks at once: the process never calls chdir, each kernel runs in its notebook's
    folder, and the working directory afterwards is the one before."""
    folders = [tmp_path / "one", tmp_path / "two"]
    notebooks = []
    for i, folder in enumerate(folders):
        folder.mkdir()
        notebooks.append(_notebook(folder / f"nb{i}.ipynb", "import os\nprint(os.getcwd())"))
    calls = []
    real_chdir = os.chdir
    monkeypatch.setattr(os, "chdir", lambda p: (calls.append(p), real_chdir(p)))
    monkeypatch.setattr(pipeline, "CACHE_DIR", tmp_path / "cache")
    before = os.getcwd()
    out = tmp_path / "out"
    stats = pipeline.execute_notebooks(
        notebooks, out, tmp_path / "dl", {"report_year": 2024}, jobs=2, force=True, progress=False
    )
    assert os.getcwd() == before and calls == []
    assert sorted(stats.executed) == ["nb0", "nb1"]
    for i, folder in enumerate(folders):
        printed = nbformat.read(out / f"nb{i}.ipynb", as_version=4).cells[-1].outputs[0]["text"]
        assert printed.strip() == str(folder)


@pytest.mark.slow
def test_a_notebook_past_its_time_limit_fails_the_build_naming_it(tmp_path, monkeypatch):
    slow = _notebook(tmp_path / "98_stuck.ipynb", "x = 1", "import time\ntime.sleep(120)")
    monkeypatch.setattr(pipeline, "CACHE_DIR", tmp_path / "cache")
    t0 = time.monotonic()
    with pytest.raises(pipeline.BuildError) as err:
        pipeline.execute_notebooks(
            [slow],
            tmp_path / "out",
            tmp_path / "dl",
            {"report_year": 2024},
            force=True,
            progress=False,
            timeout=4,
        )
    assert time.monotonic() - t0 < 60
    msg = str(err.value)
    assert "98_stuck.ipynb" in msg and "time limit of 4 s" in msg and "in cell 3 " in msg


def test_a_changed_report_configuration_changes_every_cache_key(tmp_path, monkeypatch):
    """report.yml holds the scorecard rules and the peer set: editing it must re-execute."""
    from analysis import digest

    before = pipeline.inputs_digest(families=["patents"])
    root = tmp_path / "repo"
    root.mkdir()
    text = (digest.ROOT / "report.yml").read_text(encoding="utf-8")
    (root / "report.yml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(digest, "ROOT", root)
    assert pipeline.inputs_digest(families=["patents"]) == before  # same file, same key
    (root / "report.yml").write_text(text.replace("max_data_age: 3", "max_data_age: 4"), encoding="utf-8")
    assert pipeline.inputs_digest(families=["patents"]) != before


@pytest.mark.slow
def test_a_book_for_an_entity_other_than_the_default_builds(tmp_path):
    """A real build (kernels, Jupyter Book) for a zone: its summary names it and its parent city."""
    from analysis import config, data

    ents = data.load(pipeline.DATA_DIR).entities.set_index("entity_id")
    zone = next(e for e in ents.index if ents.at[e, "level"] == "zone" and e != config.load().default_entity)
    site = tmp_path / "html"
    assert pipeline.build(entity=zone, out=site, progress=False) == 0
    summary = (site / "notebooks" / "01_summary.html").read_text(encoding="utf-8")
    assert ents.at[zone, "name_zh"] in summary and ents.at[ents.at[zone, "parent"], "name_zh"] in summary
    assert "{glue" not in summary and "Traceback" not in summary
