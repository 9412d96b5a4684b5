"""The environment is the locked one: every package uv.lock pins is installed at that version."""

import tomllib
from importlib import metadata

from conftest import ROOT


def _locked() -> dict[str, str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return {
        p["name"]: p["version"]
        for p in lock["package"]
        if "version" in p and not p.get("source", {}).get("editable")
    }


def _normal(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def test_every_locked_package_is_installed_at_its_locked_version():
    installed = {_normal(d.metadata["Name"]): d.version for d in metadata.distributions()}
    locked = _locked()
    # the test extra and the book's stack must be among them (the lock covers what the tests use)
    for name in ("numpy", "pandas", "statsmodels", "scipy", "jupyter-book", "papermill", "nbval"):
        assert name in locked, name
    wrong = {
        n: (v, installed.get(_normal(n)))
        for n, v in locked.items()
        if _normal(n) in installed and installed[_normal(n)] != v
    }
    missing = sorted(n for n in locked if _normal(n) not in installed)
    assert not wrong, f"installed versions differ from uv.lock (locked, installed): {wrong}"
    # packages only needed on other platforms (e.g. Windows' colorama) may be absent
    assert len(missing) < 0.1 * len(locked), f"locked but not installed: {missing}"


def test_jupyter_book_stays_below_2():
    assert int(_locked()["jupyter-book"].split(".")[0]) == 1


def test_requirements_txt_is_the_lock_exported():
    """requirements.txt (for pip: `pip install --require-hashes -r requirements.txt`) pins the same
    versions, with the same hashes, as uv.lock: `make lock` writes both."""
    import subprocess

    uv = ROOT / ".tools" / "bin" / "uv"
    cmd = [
        str(uv),
        "export",
        "--frozen",
        "--no-emit-project",
        "--extra",
        "test",
        "--format",
        "requirements-txt",
        "-q",
    ]
    exported = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    body = [ln for ln in exported.splitlines() if not ln.startswith("#")]
    shipped = [ln for ln in (ROOT / "requirements.txt").read_text().splitlines() if not ln.startswith("#")]
    assert shipped == body, "run `make lock` (it rewrites requirements.txt from uv.lock)"
