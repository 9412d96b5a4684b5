"""The command line: results on good input; exit 2 and one line on bad parameters."""

import json
import subprocess
import sys

import pytest


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args], capture_output=True, text=True, timeout=120
    )


def test_scorecard_2024_table():
    r = run("scorecard", "--year", "2024", "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert (
        "Scorecard for 2024" in r.stdout and "htz_rd_intensity_2_5" in r.stdout and "Not reported" in r.stdout
    )


def test_scorecard_json_for_one_entity():
    r = run("scorecard", "--year", "2024", "--entity", "ordos_city", "--format", "json")
    rows = json.loads(r.stdout)
    assert r.returncode == 0 and rows and {x["entity"] for x in rows} == {"ordos_city"}


def test_forecast_2021_horizon_3():
    r = run("forecast", "--year", "2021", "--horizon", "3")
    assert r.returncode == 0, r.stderr
    assert "high_tech_enterprises" in r.stdout and "2024" in r.stdout and "Not modelled" in r.stdout


def test_forecast_csv_for_a_benchmark_entity():
    r = run("forecast", "--year", "2024", "--entity", "china", "--format", "csv")
    assert r.returncode == 0 and r.stdout.startswith("entity,indicator")


@pytest.mark.parametrize(
    "args,expect",
    [
        (("scorecard", "--year", "1990"), "valid report years"),
        (("scorecard", "--year", "2099"), "valid report years"),
        (("forecast", "--year", "2024", "--entity", "atlantis"), "valid entities: china"),
        (("forecast", "--year", "2024", "--horizon", "-1"), "horizon must be between 0 and"),
        (("build", "--year", "1990"), "valid report years"),
        (("build", "--entity", "atlantis"), "valid entities"),
    ],
)
def test_bad_parameters_exit_2_with_one_line(args, expect):
    r = run(*args)
    assert r.returncode == 2
    assert expect in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_year_written_as_text_is_a_usage_error():
    r = run("scorecard", "--year", "2021年")
    assert r.returncode == 2 and "whole number" in r.stderr
