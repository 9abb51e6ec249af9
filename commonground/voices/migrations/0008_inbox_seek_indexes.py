"""The inbox's indexes walk its order (issue 12): covering, with the id as last tie-breaker.

Each filter's index is in the inbox's order (most recent month, latest received, id), so a page
stops after its rows; status and id are in them, so a far page skips rows in the index alone, a
cursor page seeks and a count reads the index only. Then the planner's statistics: without them
SQLite picks the order index for every filter and reads the whole table for a selective one
(bench/inbox.py, docs/performance.md), so ``ANALYZE`` the reports table when it holds any.
"""

from typing import Any

from django.db import migrations, models


def analyze_reports(apps: Any, schema_editor: Any) -> None:
    report = apps.get_model("voices", "Report")
    if report.objects.exists():
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {schema_editor.quote_name(report._meta.db_table)}")


class Migration(migrations.Migration):
    dependencies = [
        ("voices", "0007_every_channel"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="report",
            name="voices_inbox",
        ),
        migrations.RemoveIndex(
            model_name="report",
            name="voices_inbox_order",
        ),
        migrations.RemoveIndex(
            model_name="report",
            name="voices_inbox_category",
        ),
        migrations.RemoveIndex(
            model_name="report",
            name="voices_inbox_channel",
        ),
        migrations.RemoveIndex(
            model_name="report",
            name="voices_inbox_area",
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                fields=["owner", "-month", "-created_at", "-id", "status"], name="voices_inbox_seek"
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                fields=["owner", "status", "-month", "-created_at", "-id"],
                name="voices_inbox_status",
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                fields=["owner", "category", "-month", "-created_at", "-id", "status"],
                name="voices_inbox_category_seek",
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                fields=["owner", "channel", "-month", "-created_at", "-id", "status"],
                name="voices_inbox_channel_seek",
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                fields=["owner", "area", "-month", "-created_at", "-id", "status"],
                name="voices_inbox_area_seek",
            ),
        ),
        migrations.RunPython(analyze_reports, migrations.RunPython.noop),
    ]
