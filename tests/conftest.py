import shutil
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


def pytest_configure(config):
    """Paths from the repository root, whatever directory pytest was started in."""
    if not getattr(config.option, "nbval_sanitize_with", None):
        config.option.nbval_sanitize_with = str(ROOT / "tests" / "nbval_sanitize.cfg")


@pytest.fixture(autouse=True)
def english_edition():
    """Library tests read the English edition's words unless they choose a language
    (``i18n.language("zh_CN")``); the language a test sets does not leak into the next."""
    from analysis import i18n

    with i18n.language("en"):
        yield


@pytest.fixture(scope="session")
def ds():
    from analysis import data

    return data.load(DATA)


@pytest.fixture()
def data_copy(tmp_path):
    """A writable copy of the shipped data package, to break in one place per test."""
    dst = tmp_path / "data"
    shutil.copytree(DATA, dst)
    return dst


def edit_csv(path: Path, fn) -> None:
    """Load a CSV as text, let fn change the DataFrame, write it back as UTF-8."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = fn(df)
    df.to_csv(path, index=False, encoding="utf-8")


def obs_frame(rows):
    """Observations for unit tests: one value per point, with the columns the library uses."""
    base = {
        "entity": "e",
        "indicator": "i",
        "period": "year",
        "basis": None,
        "derived": False,
        "qualifier": None,
        "unit": "count",
        "source_id": "s",
        "obs_id": "o",
    }
    return pd.DataFrame([{**base, **r} for r in rows])
