"""Failed sign-ins go to the audit log, bounded like denied reads (``do_record_repeatable``);
an import's new records go into the circle chosen (``commonground import --circle``).

django-axes throttles them (settings ``AXES_*``); these receivers only record. The password
tried is never recorded, only the user name typed and the address it came from.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest

from commonground.sharing.services import do_record_repeatable

#: The longest user name kept in the audit log (AuditEvent.target holds 300 characters).
TYPED_NAME_KEPT = 150


def client_address(request: HttpRequest | None) -> str:
    """The address the request came from, as the server saw it (empty without a request)."""
    return str(request.META.get("REMOTE_ADDR", "")) if request is not None else ""


def typed_name(credentials: dict[str, Any]) -> str:
    return str(credentials.get("username") or "")[:TYPED_NAME_KEPT]


def record_sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    """Django's ``user_login_failed``: a wrong password, an unknown name, or a locked-out try."""
    name = typed_name(credentials)
    locked = bool(getattr(request, "axes_locked_out", False))
    do_record_repeatable(
        "sign_in.failed",
        User.objects.filter(username=name).first(),
        f"user:{name}",
        {"address": client_address(request), "locked_out": locked},
    )


def record_locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, ip_address: str, **_: Any
) -> None:
    """django-axes' ``user_locked_out``: the failure limit was reached for a name and address."""
    name = (username or "")[:TYPED_NAME_KEPT]
    do_record_repeatable(
        "sign_in.locked_out",
        User.objects.filter(username=name).first(),
        f"user:{name}",
        {"address": ip_address},
    )


def connect() -> None:
    """Called once from ``SharingConfig.ready``."""
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_login_failed

    from commonground.core.services import import_persisted
    from commonground.sharing.circles import place_imported_records

    user_login_failed.connect(record_sign_in_failed, dispatch_uid="commonground-sign-in-failed")
    user_locked_out.connect(record_locked_out, dispatch_uid="commonground-locked-out")
    # Before the analysis app's receiver (``sharing`` comes first in INSTALLED_APPS), so the
    # figures an import rebuilds carry the circle its new records went into.
    import_persisted.connect(place_imported_records, dispatch_uid="commonground-import-circle")
