"""Times in imported files are read by pydantic's parser (plus RFC 2822), always as UTC."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from threadwidget.formats._common import Bad, parse_time

UTC = timezone.utc


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-01T12:00:00Z", datetime(2024, 1, 1, 12, tzinfo=UTC)),
        ("2024-01-01 12:00:00", datetime(2024, 1, 1, 12, tzinfo=UTC)),  # no zone: UTC
        ("2024-01-01T13:00:00+0100", datetime(2024, 1, 1, 12, tzinfo=UTC)),
        ("2012-05-14T08:42:00.000-07:00", datetime(2012, 5, 14, 15, 42, tzinfo=UTC)),
        ("2024-01-01T12:00:00.123456789Z", datetime(2024, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)),
        (1700000000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("1700000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("Tue, 14 Nov 2023 22:13:20 +0000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
    ],
)
def test_time_shapes(value: object, expected: datetime) -> None:
    parsed = parse_time(value)
    assert parsed == expected and parsed.tzinfo == UTC


@pytest.mark.parametrize("value", [None, "", True, "soon", [2024], "2024-13-45"])
def test_not_a_time(value: object) -> None:
    with pytest.raises(Bad):
        parse_time(value)
