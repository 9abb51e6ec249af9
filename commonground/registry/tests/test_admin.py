"""The admin: every model registered, open to platform administrators and to no one else."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from commonground.core.models import ImportRun
from commonground.events.models import Event
from commonground.registry.models import Operation, ParallelForce, Presence
from commonground.sharing.models import AuditEvent, Organization, Role
from commonground.sharing.services import do_add_member

pytestmark = pytest.mark.django_db

APPS = ("core", "sharing", "registry", "events")
MODELS: list[type[Model]] = [
    model for label in APPS for model in apps.get_app_config(label).get_models()
]


def changelist(model: type[Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def superuser() -> User:
    return User.objects.create_superuser("root", "root@example.org", "x")


def test_every_model_is_registered() -> None:
    missing = [model.__name__ for model in MODELS if not admin.site.is_registered(model)]
    assert missing == []


def test_superuser_opens_every_changelist(
    superuser: User, presence_run: ImportRun, forces_run: ImportRun
) -> None:
    """One test for all models, so the real files are imported once."""
    client = client_for(superuser)
    statuses = {model.__name__: client.get(changelist(model)).status_code for model in MODELS}
    assert statuses == dict.fromkeys(statuses, 200)


def test_superuser_opens_change_pages(superuser: User, presence_run: ImportRun) -> None:
    client = client_for(superuser)
    operation = Operation.objects.get(acronym="MINUSCA")
    presence = Presence.objects.get(source_id="CAF-PRES-001")
    for obj in (operation, presence, presence.organization, presence_run):
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
        assert client.get(url).status_code == 200, url
    assert b"MINUSCA" in client.get(changelist(Operation) + "?q=MINUSCA").content


@pytest.mark.parametrize("model", [Event, ImportRun, AuditEvent], ids=lambda m: m.__name__)
def test_imported_and_audit_records_are_read_only(superuser: User, model: type[Model]) -> None:
    add = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    assert client_for(superuser).get(add).status_code == 403


def test_parallel_force_list_shows_the_un_operations(
    superuser: User, forces_run: ImportRun
) -> None:
    response = client_for(superuser).get(changelist(ParallelForce) + "?q=sangaris")
    assert b"BINUCA, MINUSCA" in response.content or b"MINUSCA, BINUCA" in response.content


def test_non_staff_user_is_redirected_to_login() -> None:
    user = User.objects.create_user("jean", password="x")
    for model in (Operation, Presence, Organization, Event):
        response = client_for(user).get(changelist(model))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_is_redirected_to_login() -> None:
    response = Client().get(changelist(Operation))
    assert response.status_code == 302


def test_staff_without_platform_admin_role_sees_nothing() -> None:
    """Django permissions alone do not open owned records: the access policy decides."""
    user = User.objects.create_user("amina", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client = client_for(user)
    assert client.get(changelist(Presence)).status_code == 403
    assert client.get(changelist(Event)).status_code == 403


def test_platform_admin_member_who_is_staff_gets_in(owner: Organization) -> None:
    user = User.objects.create_user("admin2", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_operation"))
    do_add_member(user, owner, Role.PLATFORM_ADMIN)
    assert client_for(user).get(changelist(Operation)).status_code == 200
