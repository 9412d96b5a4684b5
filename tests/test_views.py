"""Chapter values computed from the data (what the prose and tables of the book state)."""
import pytest

from analysis import views
from analysis.report import build_report


@pytest.fixture(scope="module")
def rep2024(ds):
    return build_report(2024, ds=ds)


@pytest.fixture(scope="module")
def rep2021(ds):
    return build_report(2021, ds=ds)


def test_summary_sentences_follow_the_data(rep2024, rep2021):
    s = views.enterprise_sentence(rep2024, "ordos_city")
    assert "330 national high-tech enterprises in 2024" in s and "701 registered tech-based SMEs in 2024" in s
    # in 2021 the city's tech SMEs exist only as a value derived from the zone's share: said so
    s21 = views.enterprise_sentence(rep2021, "ordos_city")
    assert "about 359 registered tech-based SMEs in 2021 (derived, not reported)" in s21
    r = views.rd_sentence(rep2024, "ordos_city")
    assert "53.2 亿元 (2023)" in r and "0.91%" in r and "1.74 percentage points below China's 2.65%" in r


def test_growth_claim_bound(rep2024):
    c = views.growth_claim_check(rep2024, "ordos_htz")
    # 'over 30% a year since 2017' with 458 applications in 2021 → at most 458 / 1.3^4 in 2017
    assert c["patent_applications_max_start"] == pytest.approx(458 / 1.3 ** 4)
    assert not c["checkable"]  # no 2017 count in the sources


def test_doubling_bound_is_half_the_claimed_year(rep2024):
    d = views.doubling_bounds(rep2024).set_index("claim_year")
    assert sorted(d["max_baseline_if_doubled"]) == [165.0, 350.5]


def test_zone_share_computed_and_reported(rep2024):
    t = views.zone_share_table(rep2024, "ordos_htz", "ordos_city")
    hte = t[(t["year"] == 2021) & t["indicator"].str.startswith("National high-tech")].iloc[0]
    assert hte["computed_share_pct"] == pytest.approx(49 / 170 * 100) and hte["reported_share_pct"] == 23.8


def test_rd_table_gaps(rep2024):
    t = views.rd_table(rep2024).set_index("year")
    assert t.loc[2023, "gap_to_china"] == pytest.approx(0.91 - 2.65)
    assert bool(t.loc[2022, "intensity_derived"]) and not bool(t.loc[2023, "intensity_derived"])


def test_coverage_marks_partial_years(rep2024):
    cov = views.coverage(rep2024, ["ordos_city"])
    row = cov.loc[[i for i in cov.index if "Patent grants" in i][0]]
    assert row[2019] == 1 and row[2024] == 3  # full year 2019; Jan–Sep only in 2024


def test_scorecard_display_reads_without_colour(rep2024):
    tab, styles = views.scorecard_display(rep2024)
    assert len(tab) == len(rep2024.card)
    assert tab["Status"].str.len().min() > 0 and styles["Status"].str.contains("background-color").all()
