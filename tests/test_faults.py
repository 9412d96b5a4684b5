"""Fault injection: what a careful user's machine does to a build (Excel files, kills, full disks,
a second terminal), and what the build must do about it: keep the previous site or publish the
new one, say so in one line, and recover at the next normal build."""

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from analysis import cache, cli, csvio, data, digest, pipeline
from analysis.errors import DataError

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


# --------------------------------------------------------------------------- one CSV reader


def _rewrite(path: Path, fn) -> None:
    path.write_text(fn(path.read_text(encoding="utf-8")), encoding="utf-8")


def _set_cell(path: Path, obs_id: str, column: str, value: str) -> None:
    """Change one cell of a row of observations.csv by hand (keeping every other byte)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].lstrip("\ufeff").split(",")
    col = [c.strip() for c in header].index(column)
    for i, line in enumerate(lines):
        if line.startswith(obs_id + ","):
            cells = line.split(",")
            cells[col] = value
            lines[i] = ",".join(cells)
            break
    else:
        raise AssertionError(f"{obs_id} not found")
    path.write_text("\n".join(lines), encoding="utf-8")


def _first_row(path: Path, indicator: str) -> str:
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.split(",")[2] == indicator and '"' not in line:
            return line.split(",")[0]
    raise AssertionError(indicator)


def _validates(data_dir: Path) -> data.Dataset:
    """The library loads it and the command line says OK (exit 0, no traceback)."""
    ds = data.load(data_dir)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(["validate", "--data", str(data_dir)])
    assert status == 0 and out.getvalue().startswith("OK"), err.getvalue()
    return ds


def _bom(data_dir):
    p = data_dir / "indicators.csv"
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())


def _spaced_header(data_dir):
    _rewrite(
        data_dir / "observations.csv",
        lambda t: t.replace("obs_id,entity,indicator,", "obs_id, entity , indicator ,", 1),
    )


def _huge_note(data_dir):
    _set_cell(
        data_dir / "observations.csv",
        _first_row(data_dir / "observations.csv", "gdp"),
        "note",
        "长" * 5_000_000,
    )


def _spaced_indicator(data_dir):
    obs = data_dir / "observations.csv"
    _set_cell(obs, _first_row(obs, "patent_applications"), "indicator", "patent_applications ")


VARIANTS = {
    "bom": _bom,
    "header_space": _spaced_header,
    "huge_note": _huge_note,
    "indicator_space": _spaced_indicator,
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_csv_variant_is_read_the_same_by_validation_loader_and_cache_keys(variant, data_copy):
    """Each variant validates, and the cache key of the patents chapter follows a later edit of a
    patent row and ignores an edit of an R&D row -- the keys parse rows as the loader does."""
    VARIANTS[variant](data_copy)
    ds = _validates(data_copy)
    obs = data_copy / "observations.csv"
    if variant == "indicator_space":  # the loader stripped the cell: the row counts as patents
        assert (ds.observations["indicator"] == "patent_applications").sum() == sum(
            ",patent_applications," in ln
            for ln in (digest.DATA_DIR / "observations.csv").read_text(encoding="utf-8").splitlines()
        )
    if variant == "huge_note":
        assert ds.observations["note"].str.len().max() == 5_000_000
    patents_before = digest.inputs_digest(data_copy, ["patents"])
    rd_before = digest.inputs_digest(data_copy, ["rd"])
    row = _first_row(obs, "patent_applications") if variant != "indicator_space" else None
    if row is None:  # edit the very row whose indicator cell has the trailing space
        row = next(
            ln.split(",")[0]
            for ln in obs.read_text(encoding="utf-8").splitlines()
            if ",patent_applications ," in ln
        )
    _set_cell(obs, row, "value", "123457")
    assert digest.inputs_digest(data_copy, ["patents"]) != patents_before
    assert digest.inputs_digest(data_copy, ["rd"]) == rd_before
    data.load(data_copy)


def test_reader_strips_and_names_problems(tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes('\ufeff a , b \n 1 ," x, y "\n\n2\n'.encode("utf-8"))
    assert csvio.read_table(p) == (["a", "b"], [["1", "x, y"], ["2", ""]])
    p.write_text("a,b\n1,2,3\n", encoding="utf-8")
    with pytest.raises(DataError, match="row 2.*3 cells, the header 2"):
        csvio.read_table(p)
    p.write_bytes("a,b\n高,新\n".encode("gbk"))
    with pytest.raises(DataError, match="GBK"):
        csvio.read_table(p)


# --------------------------------------------------------------------------- cache files


def _flip(path: Path, offset: int, bit: int = 0) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 1 << bit
    path.write_bytes(bytes(raw))


def _entry(tmp_path) -> Path:
    nb, csv_file = tmp_path / "nb.ipynb", tmp_path / "t.csv"
    nb.write_text('{"cells": []}')
    csv_file.write_text("a,b\n1,2\n")
    entry = tmp_path / "cache" / "key"
    cache.store_entry(entry, {"nb.ipynb": nb, "downloads/t.csv": csv_file})
    return entry


DAMAGE = {
    "truncated notebook": lambda e: (e / "nb.ipynb").write_text('{"cel'),
    "flipped bit in a CSV": lambda e: _flip(e / "downloads" / "t.csv", 4),
    "CSV never written": lambda e: (e / "downloads" / "t.csv").unlink(),
    "no manifest": lambda e: (e / cache.MANIFEST).unlink(),
    "truncated manifest": lambda e: (e / cache.MANIFEST).write_text('{"sha'),
    "manifest edited": lambda e: _flip(e / cache.MANIFEST, 20),
}


def test_intact_cache_entry_is_returned_whole(tmp_path):
    files = cache.load_entry(_entry(tmp_path), "entry")
    assert files == {"nb.ipynb": b'{"cells": []}', "downloads/t.csv": b"a,b\n1,2\n"}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_cache_entry_is_discarded_with_one_line(damage, tmp_path, capsys):
    entry = _entry(tmp_path)
    DAMAGE[damage](entry)
    assert cache.load_entry(entry, "the cached nb.ipynb") is None
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "the cached nb.ipynb was damaged" in err[0] and "Traceback" not in err[0]
    assert not entry.exists()  # the next build stores a fresh one


def test_state_file_survives_truncation_and_bit_flips(tmp_path, capsys):
    path = tmp_path / "timings.json"
    cache.write_json(path, {"01_summary": 4.5})
    assert cache.read_json(path, "timings", {}) == {"01_summary": 4.5}
    path.write_text(path.read_text()[:10])
    assert cache.read_json(path, "timings", {}) == {}
    assert "timings was damaged" in capsys.readouterr().err and not path.exists()
    cache.write_json(path, {"01_summary": 4.5})
    raw = path.read_text()
    path.write_text(raw.replace("4.5", "4.6"))  # still valid JSON: only the digest can tell
    assert cache.read_json(path, "timings", {}) == {}


def test_every_single_bit_flip_of_a_verified_file_is_caught(tmp_path, capsys):
    """The report memo's format: 2,000 random single-bit flips (a simulated bad disk), none
    loaded (the issue saw 1 in 1,500 load silently with a changed value)."""
    import random

    path = tmp_path / "memo.pkl"
    payload = json.dumps({"target": 2.5, "values": list(range(200))}).encode()
    cache.write_verified(path, payload)
    good = path.read_bytes()
    rng = random.Random(10)
    for _ in range(2000):
        raw = bytearray(good)
        raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(raw))
        assert cache.read_verified(path, "memo") is None
    path.write_bytes(good)
    assert cache.read_verified(path, "memo") == payload


def test_corrupt_report_memo_is_recomputed_not_fatal(tmp_path, monkeypatch, capsys):
    from analysis import report

    monkeypatch.setattr(report, "MEMO_DIR", tmp_path / "reports")
    rep = report.build_report(2024)
    memo = next((tmp_path / "reports").glob("*.pkl"))
    card = rep.card.set_index("target_id")["target_value"]
    _flip(memo, memo.stat().st_size // 2)
    again = report.build_report(2024)
    assert "was damaged" in capsys.readouterr().err
    assert again.card.set_index("target_id")["target_value"].equals(card)
    memo.write_bytes(memo.read_bytes()[:100])  # a partial file (disk full)
    assert report.build_report(2024).card.set_index("target_id")["target_value"].equals(card)


def test_cache_key_covers_cell_metadata_and_the_locked_environment(tmp_path, monkeypatch):
    src = pipeline.chapter_notebooks()[0]
    nb = nbformat.read(src, as_version=4)
    path = tmp_path / src.name
    nbformat.write(nb, path)
    inputs = pipeline.inputs_digest()
    before = pipeline.cache_key(path, {}, inputs)
    cell = next(c for c in nb.cells if c.cell_type == "code")
    cell.metadata["caption"] = "图1 a caption changed by hand"
    nbformat.write(nb, path)
    assert pipeline.cache_key(path, {}, inputs) != before
    lock = tmp_path / "uv.lock"
    lock.write_text('[[package]]\nname = "pandas"\nversion = "2.2.3"\n')
    monkeypatch.setattr(digest, "LOCK_FILE", lock)
    env = digest.inputs_digest()
    lock.write_text('[[package]]\nname = "pandas"\nversion = "2.3.0"\n')
    assert digest.inputs_digest() != env


# --------------------------------------------------------------------------- kills, locks, interrupts

SIM = Path(__file__).with_name("_fault_sim.py")


def _sim(stage, site, cache_dir, *extra, wait=True):
    cmd = [sys.executable, str(SIM), stage, str(site), str(cache_dir), *extra]
    if not wait:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def _previous_site(tmp_path) -> Path:
    site = tmp_path / "_build" / "html"
    site.mkdir(parents=True)
    (site / "index.html").write_text("previous site")
    return site


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


@pytest.mark.parametrize("stage", ["execute", "cache", "timings", "book", "swap"])
def test_build_killed_at_each_stage_leaves_a_site_and_the_next_build_recovers(stage, tmp_path):
    site, cache_dir = _previous_site(tmp_path), tmp_path / "cache"
    killed = _sim(stage, site, cache_dir)
    assert killed.returncode == -signal.SIGKILL
    old = site.with_name("html.old")
    survivor = site if site.exists() else old  # killed mid-swap: the old site is set aside whole
    assert (survivor / "index.html").read_text() == "previous site"
    if stage == "book":  # Jupyter Book dies with the build: no orphan left running
        book = int((tmp_path / "_build" / "book.pid").read_text())
        deadline = time.monotonic() + 10
        while _alive(book) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(book), "Jupyter Book outlived the killed build"
    nxt = _sim("none", site, cache_dir)
    assert nxt.returncode == 0, nxt.stderr
    assert (site / "index.html").read_text() == "new site"
    left = [p.name for p in site.parent.iterdir() if p.name.startswith((".staging", "html.old"))]
    assert left == []
    assert not list(cache_dir.glob(".*.tmp")) and not list(cache_dir.glob(".*.tmp*"))
    if stage in ("execute", "swap", "book"):
        assert "removed .staging-html-" in nxt.stderr or "restored the previous site" in nxt.stderr


def test_two_builds_at_once_one_waits_and_neither_crashes(tmp_path):
    site, cache_dir = _previous_site(tmp_path), tmp_path / "cache"
    first = _sim("none", site, cache_dir, "--book-seconds", "3", wait=False)
    time.sleep(1.5)
    second = _sim("none", site, cache_dir, wait=False)
    out1, out2 = first.communicate(timeout=120), second.communicate(timeout=120)
    assert (first.returncode, second.returncode) == (0, 0), (out1[1], out2[1])
    assert "waiting for it to finish" in out2[1]
    assert (site / "index.html").read_text() == "new site"


def test_second_build_told_not_to_wait_exits_with_one_clear_line(tmp_path):
    site, cache_dir = _previous_site(tmp_path), tmp_path / "cache"
    first = _sim("none", site, cache_dir, "--book-seconds", "3", wait=False)
    time.sleep(1.5)
    second = _sim("none", site, cache_dir, "--no-wait")
    first.communicate(timeout=120)
    assert second.returncode == 1 and "Traceback" not in second.stderr
    assert "another build (process" in second.stderr and str(site) in second.stderr


@pytest.mark.slow
def test_ctrl_c_stops_a_stuck_kernel_within_seconds_and_cleans_up(tmp_path):
    site, cache_dir = _previous_site(tmp_path), tmp_path / "cache"
    env = {**os.environ}
    proc = subprocess.Popen(
        [sys.executable, str(SIM), "stuck", str(site), str(cache_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # noqa: PLW1509
    pid_file = tmp_path / "_build" / "kernel.pid"
    deadline = time.monotonic() + 90
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert pid_file.exists(), "the kernel never started"
    time.sleep(0.5)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - t0 < 10
    assert proc.returncode == 130 and "Traceback" not in err
    assert "Interrupted: stopped 1 running kernel(s), removed .staging-html-" in err
    assert not _alive(int(pid_file.read_text()))
    assert (site / "index.html").read_text() == "previous site"
    assert not list(site.parent.glob(".staging-*"))


@pytest.mark.slow
def test_build_reads_every_csv_variant_and_recovers_from_a_damaged_cache(data_copy, tmp_path, monkeypatch):
    """All four variants at once through a real build; then the edit the issue saw ignored (a
    patent row whose indicator cell has a trailing space) re-executes the patents chapter, and a
    damaged cache entry and timings file are replaced, not fatal."""
    for variant in VARIANTS.values():
        variant(data_copy)
    monkeypatch.setattr(pipeline, "CACHE_DIR", tmp_path / "cache")
    site = tmp_path / "site" / "html"
    assert pipeline.build(out=site, data_dir=data_copy, progress=False) == 0
    obs = data_copy / "observations.csv"
    row = next(
        ln.split(",")[0]
        for ln in obs.read_text(encoding="utf-8").splitlines()
        if ",patent_applications ," in ln
    )
    _set_cell(obs, row, "value", "123457")
    # and the cache damaged meanwhile: timings.json truncated, one byte of a cached chapter flipped
    timings = tmp_path / "cache" / "timings.json"
    timings.write_text(timings.read_text()[:7])
    cached_rd = next((tmp_path / "cache").glob("*/02_rd_intensity.ipynb"))
    _flip(cached_rd, 200)
    stats = pipeline.BuildStats()
    assert pipeline.build(out=site, data_dir=data_copy, progress=False, stats=stats) == 0
    assert {"03_patents", "02_rd_intensity"} <= set(stats.executed)
    assert "04_enterprises" in stats.cached
