"""Verification in the inbox: corroborations, duplicates and follow-ups.

Only the owner's analysts and above act here; for anyone else every route answers 404, exactly
as for a report that does not exist. Every action writes an audit row (ids only, never a
protected field).

- A **corroboration** links a report to an event of the events app that the analyst may see
  (``events.queries.visible_events``: the access policy decides) or to another report of the
  same organization.
- A **duplicate** points at its original (same organization, never itself, never a chain: the
  original of a duplicate is its own original); it takes the status ``duplicate`` and drops out
  of the inbox's counts and of the default list.
- A **follow-up** is who (a member of the owner), by when, and whether it is done.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from commonground.core.csv_out import SafeWriter
from commonground.events.queries import visible_events
from commonground.sharing.markings import TLP_REPORT_COARSE
from commonground.sharing.models import Membership, Organization
from commonground.sharing.policy import AnyUser, access_operator, may_read_protected, policy
from commonground.voices import queries
from commonground.voices.inbox_models import Corroboration, DuplicateLink, FollowUp, Theme
from commonground.voices.models import Report, Status
from commonground.voices.services import NotAllowed, audit
from commonground.voices.themes import do_link_theme


class Invalid(Exception):
    """The action cannot be done as asked (the message says why, in the user's language)."""


def analyst_report(user: AnyUser | None, report_id: Any) -> Report:
    """The report, if ``user`` is an analyst (or above) of its owner; else 404 as if missing."""
    report = queries.report_for(user, report_id)
    if report is None or not may_read_protected(user, report.owner_id):
        raise Http404(_("No such page."))
    return report


def sibling_report(report: Report, other_id: Any) -> Report:
    """Another report of the same owner, by id; a report of anyone else is as if missing."""
    try:
        other = Report.objects.filter(owner_id=report.owner_id, pk=other_id).first()
    except (ValueError, forms.ValidationError):
        other = None
    if other is None or other.pk == report.pk:
        raise Invalid(_("No other report of this organization has this id."))
    return other


def do_corroborate_with_event(report: Report, actor: User, event_id: Any) -> Corroboration:
    """Link an event the analyst may see; an event they may not see is answered as missing."""
    if not may_read_protected(actor, report.owner_id):
        raise NotAllowed(str(report.pk))
    event = visible_events(actor).filter(pk=event_id).first() if str(event_id).isdigit() else None
    if event is None:
        raise Invalid(_("No event you may see has this number."))
    link, _new = Corroboration.objects.get_or_create(
        report=report, event=event, defaults={"marked_by": actor}
    )
    audit("voices.report.corroborated", actor, str(report.pk), event=event.pk)
    return link


def do_corroborate_with_report(report: Report, actor: User, other_id: Any) -> Corroboration:
    if not may_read_protected(actor, report.owner_id):
        raise NotAllowed(str(report.pk))
    other = sibling_report(report, other_id)
    link, _new = Corroboration.objects.get_or_create(
        report=report, other_report=other, defaults={"marked_by": actor}
    )
    audit("voices.report.corroborated", actor, str(report.pk), report=str(other.pk))
    return link


def do_remove_corroboration(report: Report, actor: User, link_id: Any) -> None:
    if not may_read_protected(actor, report.owner_id):
        raise NotAllowed(str(report.pk))
    removed, _ = Corroboration.objects.filter(report=report, pk=link_id).delete()
    if removed:
        audit("voices.report.corroboration_removed", actor, str(report.pk), link=str(link_id))


def do_mark_duplicate(report: Report, actor: User, original_id: Any) -> DuplicateLink:
    """``report`` tells again what ``original`` told: status duplicate, out of the counts."""
    if not may_read_protected(actor, report.owner_id):
        raise NotAllowed(str(report.pk))
    original = sibling_report(report, original_id)
    root = DuplicateLink.objects.filter(report=original).values_list("original", flat=True).first()
    if root is not None:
        original = Report.objects.get(pk=root)
        if original.pk == report.pk:
            raise Invalid(_("That report is already a duplicate of this one."))
    with transaction.atomic():
        link, _new = DuplicateLink.objects.update_or_create(
            report=report, defaults={"original": original, "marked_by": actor}
        )
        # Duplicates of this report now point at its original: no chains.
        DuplicateLink.objects.filter(original=report).update(original=original)
        report.status = Status.DUPLICATE
        report.save(update_fields=["status", "updated_at"])
        audit("voices.report.duplicate", actor, str(report.pk), original=str(original.pk))
    return link


def do_unmark_duplicate(report: Report, actor: User) -> None:
    if not may_read_protected(actor, report.owner_id):
        raise NotAllowed(str(report.pk))
    with transaction.atomic():
        removed, _ = DuplicateLink.objects.filter(report=report).delete()
        if report.status == Status.DUPLICATE:
            report.status = Status.IN_REVIEW
            report.save(update_fields=["status", "updated_at"])
        if removed:
            audit("voices.report.not_duplicate", actor, str(report.pk))


def owner_members(report: Report) -> list[User]:
    """Who may be given a follow-up: members of the owner (any role)."""
    ids = Membership.objects.filter(organization_id=report.owner_id).values_list("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("username"))


def do_add_follow_up(
    report: Report, actor: User, assignee_id: Any, due_on: datetime.date
) -> FollowUp:
    if not may_read_protected(actor, report.owner_id):
        raise NotAllowed(str(report.pk))
    assignee = next((u for u in owner_members(report) if str(u.pk) == str(assignee_id)), None)
    if assignee is None:
        raise Invalid(_("Choose a member of the organization."))
    follow_up = FollowUp.objects.create(
        report=report, assignee=assignee, due_on=due_on, created_by=actor
    )
    audit(
        "voices.report.follow_up",
        actor,
        str(report.pk),
        follow_up=str(follow_up.pk),
        assignee=assignee.username,
        due_on=due_on.isoformat(),
    )
    return follow_up


def do_set_follow_up_done(report: Report, actor: User, follow_up_id: Any, done: bool) -> None:
    if not may_read_protected(actor, report.owner_id):
        raise NotAllowed(str(report.pk))
    follow_up = FollowUp.objects.filter(report=report, pk=follow_up_id).first()
    if follow_up is None:
        raise Invalid(_("No such follow-up."))
    follow_up.done = done
    follow_up.done_at = timezone.now() if done else None
    follow_up.save(update_fields=["done", "done_at", "updated_at"])
    audit(
        "voices.report.follow_up_done" if done else "voices.report.follow_up_reopened",
        actor,
        str(report.pk),
        follow_up=str(follow_up.pk),
    )


class FollowUpForm(forms.Form):
    assignee = forms.ChoiceField(label=_lazy("Who"))
    due_on = forms.DateField(label=_lazy("By when"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, members: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ChoiceField)
        assignee.choices = [(str(u.pk), u.get_full_name() or u.username) for u in members]


def context_for(report: Report, user: AnyUser | None) -> dict[str, Any]:
    """What the report page shows of verification: to the owner's analysts only."""
    if not may_read_protected(user, report.owner_id):
        return {"verification": None}
    events = {c.event_id for c in report.corroborations.all() if c.event_id}
    return {
        "verification": {
            "corroborations": list(
                report.corroborations.select_related("event", "other_report").order_by("created_at")
            ),
            "visible_event_ids": set(
                visible_events(user).filter(pk__in=events).values_list("pk", flat=True)
            ),
            "duplicate_of": DuplicateLink.objects.filter(report=report)
            .values_list("original", flat=True)
            .first(),
            "duplicates": list(report.duplicates.values_list("report", flat=True)),
            "follow_ups": list(report.follow_ups.select_related("assignee")),
            "follow_up_form": FollowUpForm(members=owner_members(report)),
            "themes": list(Theme.objects.filter(owner_id=report.owner_id).order_by("title")),
            "report_themes": set(report.themes.values_list("pk", flat=True)),
        }
    }


#: The actions of ``/voices/inbox/<id>/verify/``: the ``action`` field of the posted form.
ACTIONS = (
    "corroborate_event",
    "corroborate_report",
    "remove_corroboration",
    "duplicate",
    "not_duplicate",
    "follow_up",
    "follow_up_done",
    "follow_up_reopen",
    "theme_add",
    "theme_remove",
)


def run_action(report: Report, actor: User, post: Any) -> None:
    """Do one posted action; :class:`Invalid` when its values do not hold."""
    action = post.get("action", "")
    if action == "corroborate_event":
        do_corroborate_with_event(report, actor, post.get("event", "").strip())
    elif action == "corroborate_report":
        do_corroborate_with_report(report, actor, post.get("other_report", "").strip())
    elif action == "remove_corroboration":
        do_remove_corroboration(report, actor, post.get("link", ""))
    elif action == "duplicate":
        do_mark_duplicate(report, actor, post.get("original", "").strip())
    elif action == "not_duplicate":
        do_unmark_duplicate(report, actor)
    elif action == "follow_up":
        form = FollowUpForm(post, members=owner_members(report))
        if not form.is_valid():
            raise Invalid(_("Choose a member of the organization and a day."))
        do_add_follow_up(report, actor, form.cleaned_data["assignee"], form.cleaned_data["due_on"])
    elif action in ("follow_up_done", "follow_up_reopen"):
        do_set_follow_up_done(report, actor, post.get("follow_up", ""), action == "follow_up_done")
    elif action in ("theme_add", "theme_remove"):
        if not do_link_theme(report, actor, post.get("theme", ""), action == "theme_add"):
            raise Invalid(_("No theme of this organization has this id."))
    else:
        raise Invalid(_("Unknown action."))


@policy("voices")
@require_POST
def verify(request: HttpRequest, report_id: str) -> HttpResponse:
    """One verification action on a report, then back to its page (with a message if refused)."""
    report = analyst_report(request.user, report_id)
    if not isinstance(request.user, User):
        raise Http404(_("No such page."))
    try:
        run_action(report, request.user, request.POST)
    except (Invalid, ValueError, forms.ValidationError) as exc:
        messages.error(request, str(exc) if isinstance(exc, Invalid) else _("Invalid value."))
    return redirect("voices:report", report_id=report.pk)


#: The columns of the verification export (``commonground voices export --verification``).
EXPORT_COLUMNS = (
    "report",
    "kind",
    "target",
    "theme_published",
    "due_on",
    "done",
    "done_at",
    "marked_at",
    "tlp",
)


def verification_rows(organization: Organization) -> list[list[Any]]:
    """The organization's themes, corroborations, duplicates and follow-ups, one row each.

    For the operator who holds the key (as the reports' export: ``access_operator``). ``kind``:
    ``theme`` (target: its title), ``corroboration_event`` (the event's number),
    ``corroboration_report`` and ``duplicate_of`` (the other report's id), ``follow_up`` (the
    assignee's username). Only the organization's own themes; no protected field.
    """
    reports = access_operator(Report.objects.filter(owner=organization)).values("pk")
    rows: list[list[Any]] = []
    themes = Theme.reports.through.objects.filter(
        report_id__in=reports, theme__owner=organization
    ).select_related("theme")
    for link in themes.order_by("theme__title", "report_id"):
        published = "yes" if link.theme.is_published else "no"
        rows.append(
            [
                str(link.report_id),
                "theme",
                link.theme.title,
                published,
                "",
                "",
                "",
                link.theme.created_at,
            ]
        )
    for c in Corroboration.objects.filter(report_id__in=reports).order_by("created_at", "id"):
        kind, target = (
            ("corroboration_event", c.event_id)
            if c.event_id is not None
            else ("corroboration_report", str(c.other_report_id))
        )
        rows.append([str(c.report_id), kind, target, "", "", "", "", c.created_at])
    for d in DuplicateLink.objects.filter(report_id__in=reports).order_by("created_at", "id"):
        rows.append(
            [str(d.report_id), "duplicate_of", str(d.original_id), "", "", "", "", d.created_at]
        )
    follow_ups = FollowUp.objects.filter(report_id__in=reports).select_related("assignee")
    for f in follow_ups.order_by("due_on", "id"):
        rows.append(
            [
                str(f.report_id),
                "follow_up",
                f.assignee.username,
                "",
                f.due_on.isoformat(),
                "yes" if f.done else "no",
                f.done_at.isoformat() if f.done_at else "",
                f.created_at,
            ]
        )
    marking = f"TLP:{TLP_REPORT_COARSE.value}"  # no protected field travels here
    for row in rows:
        row[-1] = row[-1].isoformat()
        row.append(marking)
    return rows


def do_export_verification(organization: Organization, path: Path) -> int:
    """Write :func:`verification_rows` as CSV (formulas neutralised) into a new file readable by
    its owner only; audited (``voices.exported_verification``). Answers the number of rows."""
    rows = verification_rows(organization)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        writer = SafeWriter(out)
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(rows)
    audit("voices.exported_verification", None, organization.slug, rows=len(rows), file=path.name)
    return len(rows)
