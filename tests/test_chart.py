"""The 12-week trend chart is a real, readable PNG, even with weeks that have no data."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from PIL import Image

from adapters.charts import render_trend_png
from core.digests import TrendPoint

MONDAY = datetime(2026, 8, 30, 22, tzinfo=UTC)  # Mon 2026-08-31 00:00 in Berlin


def points(empty: bool = False) -> list[TrendPoint]:
    return [
        TrendPoint(
            MONDAY + timedelta(weeks=i),
            0 if empty else 80 + i,
            0 if empty else 20 + i,
            None if empty or i == 3 else 0.1 * (i % 5),
            None if empty or i < 4 else 3.0 + i,
        )
        for i in range(12)
    ]


def test_the_chart_is_a_valid_png_of_a_readable_size():
    png = render_trend_png(points(), "Europe/Berlin")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.verify()
    assert image.format == "PNG" and image.size[0] >= 900 and image.size[1] >= 600


def test_a_chart_of_weeks_without_data_still_renders_and_is_not_blank():
    png = render_trend_png(points(empty=True), "Europe/Berlin")
    image = Image.open(io.BytesIO(png)).convert("L")
    assert image.getextrema()[0] < 100  # titles, axes and "no data" labels are drawn
