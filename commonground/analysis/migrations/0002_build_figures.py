"""Build the stored figures from the events already in an existing database.

New databases have no events yet, so this costs nothing there; on an existing one it is the
same set-based rebuild an import runs (about 10 s for 1,000,000 events on SQLite,
docs/performance.md). The historical models are passed in, so the SQL names the columns as
they are at this point of the migration history.
"""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def build(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from commonground.analysis.figures import refresh_figures

    refresh_figures(
        models_of={
            "event": apps.get_model("events", "Event"),
            "area": apps.get_model("analysis", "AreaMonthFigure"),
            "cell": apps.get_model("analysis", "CellMonthFigure"),
            "country": apps.get_model("analysis", "CountryMonthFigure"),
            "generation": apps.get_model("analysis", "DataGeneration"),
        }
    )


def empty(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for name in ("CountryMonthFigure", "AreaMonthFigure", "CellMonthFigure", "DataGeneration"):
        apps.get_model("analysis", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0001_figures"),
        ("events", "0002_no_index_on_event_import_run"),
    ]

    operations = [migrations.RunPython(build, empty)]
