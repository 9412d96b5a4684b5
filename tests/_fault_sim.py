"""A small build simulator for the fault-injection tests (run as a separate process).

    python tests/_fault_sim.py STAGE SITE CACHE_DIR [--no-wait] [--book-seconds S]

Runs the real ``python -m analysis build`` code path (lock, repair at start, staging, cache
store, swap) with the slow parts replaced: the report is not computed, the notebooks are
"executed" by writing a file, and Jupyter Book is a child process that writes the expected
pages. At STAGE the process kills itself with SIGKILL, as a power cut or the OOM killer would:

  execute   after the staged notebooks are written, before Jupyter Book
  book      while the Jupyter Book child process is running
  swap      between the two renames of the swap (old site moved away, new one not yet in)
  cache     while a cache entry is being stored (files written, not yet renamed into place)
  timings   while timings.json is being written (temporary file written, not yet renamed)
  stuck     no kill: a real kernel runs a notebook that sleeps (for the Ctrl-C test)
  none      no kill: the build completes
"""

import os
import signal
import sys
from pathlib import Path

import nbformat

stage, site, cache_dir = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
book_seconds = float(sys.argv[sys.argv.index("--book-seconds") + 1]) if "--book-seconds" in sys.argv else 0.0

from analysis import cache, cli, pipeline, report


def die(at: str) -> None:
    if stage == at:
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGKILL)


pipeline.CACHE_DIR = cache_dir


class _Rep:
    forecasts, card = [], []


report.build_report = lambda *a, **k: _Rep()
pipeline.write_site_data = lambda rep, extra: None

if stage == "stuck":
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("report_year = None\ndownloads_dir = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        nbformat.v4.new_code_cell(
            f"import os, time\nopen({str(site.parent / 'kernel.pid')!r}, 'w').write(str(os.getpid()))\n"
            "time.sleep(600)"
        ),
    ]
    site.parent.mkdir(parents=True, exist_ok=True)
    stuck = site.parent / "stuck.ipynb"
    nbformat.write(nb, stuck)
    pipeline.chapter_notebooks = lambda: [stuck]
else:

    def fake_execute(notebooks, out_dir, downloads, params, stats=None, **kw):
        out_dir.mkdir(parents=True, exist_ok=True)
        downloads.mkdir(parents=True, exist_ok=True)
        for nb in notebooks:
            (out_dir / nb.name).write_text("executed")
        (downloads / "table.csv").write_text("a\n1\n")
        payload = out_dir / notebooks[0].name
        if stage == "cache":
            real_replace = os.replace
            os.replace = lambda a, b: die("cache") or real_replace(a, b)
        cache.store_entry(
            cache_dir / "entry", {notebooks[0].name: payload, "downloads/table.csv": downloads / "table.csv"}
        )
        if stage == "timings":
            real_replace = os.replace
            os.replace = lambda a, b: die("timings") or real_replace(a, b)
        cache.write_json(cache_dir / "timings.json", {"01_summary": 1.0})
        die("execute")
        return stats

    pipeline.execute_notebooks = fake_execute

    pages = " ".join(pipeline.edition_pages())
    script = (
        f"import sys, time, pathlib; time.sleep({book_seconds})\n"
        f"out = pathlib.Path(sys.argv[1]) / '_build' / 'html'\n"
        f"for p in {pages!r}.split():\n"
        f"    f = out / p; f.parent.mkdir(parents=True, exist_ok=True); f.write_text('new site')\n"
    )
    pipeline.book_command = lambda src, out: [sys.executable, "-c", script, str(out)]
    if stage == "book":
        real_popen = pipeline.subprocess.Popen

        def popen_then_die(*a, **k):
            proc = real_popen(*a, **k)
            (site.parent / "book.pid").write_text(str(proc.pid))
            die("book")
            return proc

        pipeline.subprocess.Popen = popen_then_die

    if stage == "swap":
        real_replace = os.replace

        def replace(a, b):
            if Path(b) == site:  # the second rename: the new site into place
                die("swap")
            return real_replace(a, b)

        pipeline.os.replace = replace

argv = ["build", "--out", str(site), "--force"] + (["--no-wait"] if "--no-wait" in sys.argv else [])
sys.exit(cli.main(argv))
