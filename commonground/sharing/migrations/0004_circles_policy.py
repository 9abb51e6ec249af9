"""Sharing circles replace "partners = any member of any organization" (ADR 0020).

Schema: sharing agreements say whether they cover community reports (``covers_voices``) and
whether the recipient's analysts may read reports' protected fields (``voices_protected``).

Data: every organization that owns ``partners`` records gets a default circle, slug
``partners``, named "<owner> partners", at most ``partners``, whose members are every
organization existing at migration time that is not of an armed kind (national government or
forces, parallel forces, armed groups, military components of missions) and not the owner itself;
each of its ``partners`` records (events, registry, mandates, stored figures) is put in it.

What changed for whom: members of non-armed organizations see the same ``partners`` records as
before; members of armed organizations no longer see other owners' ``partners`` records (they
never see raw records of civil-society, humanitarian and peacebuilding owners at all);
organizations created later see none until an owner adds them to a circle. Records above
``partners`` are untouched. Reversing removes the circles this migration made (their records go
back to no circle; ``partners`` then means the owner only, as the policy now reads).
"""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

#: Kept here, not imported: a migration must not change when the policy module does.
ARMED_KINDS = ("national_government", "parallel_force", "armed_group", "military_component")
PARTNERS = 1
DEFAULT_SLUG = "partners"
#: Marks the circles this migration made, so reversing removes only those.
MADE_BY = "Made by migration sharing.0004_circles_policy from the former 'partners' level."

#: (app, model) of every model with ownership fields at this point of the history.
OWNED = [
    ("events", "Event"),
    ("registry", "Operation"),
    ("registry", "ParallelForce"),
    ("registry", "Presence"),
    ("mandates", "TaskCategory"),
    ("mandates", "Resolution"),
    ("mandates", "MandateTask"),
    ("mandates", "Provision"),
    ("mandates", "Deployment"),
    ("mandates", "AgreementEvent"),
    ("analysis", "CountryMonthFigure"),
    ("analysis", "AreaMonthFigure"),
    ("analysis", "CellMonthFigure"),
    ("analysis", "DyadMonthFigure"),
]


def to_circles(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    organization = apps.get_model("sharing", "Organization")
    circle_model = apps.get_model("sharing", "SharingCircle")
    models_ = [apps.get_model(app, name) for app, name in OWNED]
    owners: set[object] = set()
    for model in models_:
        partners = model._default_manager.filter(sensitivity=PARTNERS, circle__isnull=True)
        owners.update(partners.values_list("owner_id", flat=True).distinct())
    open_members = list(organization.objects.exclude(kind__in=ARMED_KINDS))
    for owner in organization.objects.filter(pk__in=owners):
        circle, _created = circle_model.objects.get_or_create(
            owner=owner,
            slug=DEFAULT_SLUG,
            defaults={
                "name": f"{owner.acronym or owner.name} partners",
                "description": MADE_BY,
                "max_sensitivity": PARTNERS,
            },
        )
        circle.members.add(*[org for org in open_members if org.pk != owner.pk])
        for model in models_:
            model._default_manager.filter(
                owner=owner, sensitivity=PARTNERS, circle__isnull=True
            ).update(circle=circle)


def from_circles(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    circles = apps.get_model("sharing", "SharingCircle").objects.filter(
        slug=DEFAULT_SLUG, description=MADE_BY
    )
    for app, name in OWNED:
        apps.get_model(app, name)._default_manager.filter(circle__in=circles).update(circle=None)
    circles.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0003_sharing_circles"),
        ("events", "0006_circle"),
        ("registry", "0004_circle"),
        ("mandates", "0002_circle"),
        ("analysis", "0004_circle"),
    ]

    operations = [
        migrations.AddField(
            model_name="sharingagreement",
            name="covers_voices",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name="sharingagreement",
            name="voices_protected",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.RunPython(to_circles, from_circles),
    ]
