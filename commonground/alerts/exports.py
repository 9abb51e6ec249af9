"""The owner's response times as CSV, through the one safe CSV writer (formulas neutralised).

Rows hold the alert's own fields and times only: never the source reports.
"""

from __future__ import annotations

from typing import Any

from commonground.alerts.queries import Dashboard
from commonground.core.csv_out import csv_text

HEADER = (
    "alert",
    "owner",
    "raised_at",
    "urgency",
    "category",
    "area",
    "starts_on",
    "ends_on",
    "state",
    "hours_to_first_acknowledgement",
    "hours_to_first_response",
)


def rounded(value: float | None) -> Any:
    return None if value is None else round(value, 1)


def dashboard_csv(board: Dashboard) -> str:
    rows: list[tuple[Any, ...]] = [HEADER]
    for row in board.alerts:
        alert = row["alert"]
        rows.append(
            (
                str(alert.pk),
                alert.owner.slug,
                alert.created_at.isoformat(timespec="minutes"),
                alert.urgency,
                alert.category,
                alert.area.code,
                alert.starts_on.isoformat(),
                alert.ends_on.isoformat(),
                alert.state,
                rounded(row["to_acknowledge"]),
                rounded(row["to_respond"]),
            )
        )
    return csv_text(rows)
