"""Figures a reader can read: a wide outer forecast band does not flatten the observed series."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from analysis import plots  # noqa: E402


def _path(hi80, hi95):
    return pd.DataFrame(
        {
            "year": [2025, 2026],
            "mean": [110, 120],
            "lo80": [90, 80],
            "hi80": hi80,
            "lo95": [70, 60],
            "hi95": hi95,
        }
    )


def test_a_wide_outer_band_is_cut_at_1_3_times_the_highest_readable_value_and_the_note_says_so():
    fig = plots.fan_chart([2022, 2023, 2024], [80, 90, 100], _path([130, 150], [400, 1000]), "t", "count", "")
    ax = fig.axes[0]
    assert abs(ax.get_ylim()[1] - 1.3 * 150) < 1e-9  # highest of observed 100, inner band 150
    assert "95%" in plots.caption(fig)[1]
    plt.close(fig)


def test_a_band_that_fits_is_drawn_whole_and_without_a_note():
    fig = plots.fan_chart([2022, 2023, 2024], [80, 90, 100], _path([130, 150], [160, 170]), "t", "count", "")
    ax = fig.axes[0]
    assert ax.get_ylim()[1] >= 170
    assert plots.caption(fig)[1] == ""
    plt.close(fig)
