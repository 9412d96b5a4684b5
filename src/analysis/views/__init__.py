"""The book's chapters: one module per chapter, each computing that chapter's tables, figures
and prose values from a Report.

    summary      Summary (摘要)
    rd           R&D intensity (研发投入强度)
    patents      Patents (专利)
    enterprises  Enterprises (科技型企业)
    scorecard    Targets scorecard (目标进展评估)
    forecasts    Forecasts (预测)
    methods      Data and methods (数据与方法)
    shared       what every chapter uses: open_chapter (the notebook's setup), the page header,
                 the source line under a figure, series for a chart

A chapter notebook calls ``open_chapter(...)`` once, then only its own module. Nothing here
prints; every table keeps the source id and marks derived values, so a reader can trace each
number. Formatting of numbers is in ``analysis.tables`` (one formatter driven by the unit's
decimals in ``data/metadata.yaml``).
"""

from analysis.views.shared import Chapter, open_chapter

__all__ = ["Chapter", "open_chapter"]
