"""Import runs made before ImportRun.only_public existed: mark those that wrote only public
events, so that their counts stay visible to whoever sees the run (docs/importing.md).

In the events app, not core, because it reads events: core's migration must not depend on the
events app's (the events migrations are run back and forth on their own in tests).
"""

from django.db import migrations


def mark_public_runs(apps, schema_editor):
    """Every succeeded run none of whose still-stamped events is above public; registry runs
    wrote only public facts and stamp no events, so they are marked too."""
    ImportRun = apps.get_model("core", "ImportRun")
    Event = apps.get_model("events", "Event")
    hidden = Event.objects.filter(sensitivity__gt=0, import_run__isnull=False).values(
        "import_run_id"
    )
    ImportRun.objects.filter(outcome="succeeded").exclude(pk__in=hidden).update(only_public=True)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_import_withdrawals_and_replace_release"),
        ("events", "0003_source_fields_once_per_file"),
    ]

    operations = [migrations.RunPython(mark_public_runs, migrations.RunPython.noop)]
