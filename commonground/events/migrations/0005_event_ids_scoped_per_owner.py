"""Event source ids are unique per (dataset, owner), no longer per dataset (issue 11 §3).

Each organization's incident and ACLED ids are its own, so an import never tells anyone that
another organization's (possibly confidential or withdrawn) record holds an id. Reversing
restores the old constraint, which succeeds while no two owners share an id in a dataset.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('events', '0004_mark_public_import_runs'),
        ('registry', '0002_presence_organization_name'),
        ('sharing', '0002_api_tokens'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='event',
            name='one_event_per_source_id',
        ),
        migrations.AddConstraint(
            model_name='event',
            constraint=models.UniqueConstraint(fields=('dataset', 'owner', 'source_id'), name='one_event_per_owner_source_id'),
        ),
    ]
