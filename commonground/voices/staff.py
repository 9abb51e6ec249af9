"""Reports the organization's own staff gather: interviews, focus groups, community meetings, and
media and social-media monitoring.

An analyst enters them through ``/voices/inbox/new/``. They are ordinary reports (same clear
columns, same sealed fields, same inbox, grading and verification) with a staff channel. A
monitoring report also keeps its source: the link, the quoted words and an archived copy of the
post or page (pasted HTML or text, or an uploaded file). All of it goes inside the report's
sealed part (``media``), so rotation, shredding and export treat it like the narrative.

The archived file is bounded (:data:`ARCHIVE_MAX_BYTES`) and its type is read from its first
bytes, never from its name or the browser's word; only the types in :data:`ARCHIVE_TYPES` (and
UTF-8 text or HTML) are kept. It is served back only to the owner's analysts, as a download
(never rendered as a page of this site), and each download is audited.
"""

from __future__ import annotations

import base64
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from commonground.sharing.models import Organization
from commonground.sharing.policy import may_read_protected, policy, voices_organizations
from commonground.voices import queries
from commonground.voices.forms import PublicReportForm
from commonground.voices.models import Channel, Report
from commonground.voices.services import NotAllowed, ReportInput, do_submit_report

#: The channels a staff member enters reports through (the older generic ``staff`` included).
STAFF_CHANNELS = (
    Channel.INTERVIEW,
    Channel.FOCUS_GROUP,
    Channel.COMMUNITY_MEETING,
    Channel.MEDIA,
    Channel.SOCIAL_MEDIA,
    Channel.STAFF,
)
#: The channels whose reports carry a monitored source.
MONITORING_CHANNELS = (Channel.MEDIA, Channel.SOCIAL_MEDIA)
#: Largest archived file: a saved page or a screenshot, not a video (the sealed part holds it).
ARCHIVE_MAX_BYTES = 2 * 1024 * 1024
#: Longest pasted archived copy (HTML or text), in characters.
ARCHIVE_TEXT_MAX = 200_000
#: Longest quoted text and link.
QUOTE_MAX = 4000
URL_MAX = 2000

#: Accepted archived files, told apart by their first bytes: (magic, MIME type, extension).
ARCHIVE_TYPES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
)


def sniff_archive(content: bytes) -> tuple[str, str] | None:
    """The MIME type and extension of an archived file from its bytes, or ``None`` if refused.

    WebP is ``RIFF....WEBP``; anything else that decodes as UTF-8 without NUL bytes is kept as
    text (a saved HTML page is text: it is never served as HTML).
    """
    for magic, mime, extension in ARCHIVE_TYPES:
        if content.startswith(magic):
            return mime, extension
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp", "webp"
    if b"\0" in content:
        return None
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain", "txt"


def staff_organizations(user: Any) -> list[Organization]:
    """The organizations whose analysts (and above) ``user`` is: where they may enter reports."""
    ids = voices_organizations(user, analysts_only=True)
    return list(Organization.objects.filter(pk__in=ids).order_by("name"))


class StaffReportForm(PublicReportForm):
    """The public form's questions, plus the channel, the organization and a monitored source."""

    owner = forms.ChoiceField(label=_lazy("For which organization"))
    channel = forms.ChoiceField(
        label=_lazy("How was it gathered?"),
        choices=[(c.value, c.label) for c in STAFF_CHANNELS],
    )
    source_url = forms.URLField(
        label=_lazy("Link to the post or page (media monitoring)"),
        max_length=URL_MAX,
        required=False,
        assume_scheme="https",
    )
    quoted_text = forms.CharField(
        label=_lazy("Quoted words"),
        max_length=QUOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    archived_text = forms.CharField(
        label=_lazy("Archived copy: the saved page or post (HTML or text)"),
        max_length=ARCHIVE_TEXT_MAX,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    archived_file = forms.FileField(
        label=_lazy("Archived copy: a file (PDF, PNG, JPEG, GIF, WebP or text; at most 2 MB)"),
        required=False,
    )

    field_order = ["owner", "channel"]

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ChoiceField)
        owner.choices = [(str(org.pk), org.name) for org in organizations]
        self.organizations = {str(org.pk): org for org in organizations}
        self.fields["reporter_name"].label = _lazy("Name of the person heard (optional)")
        self.fields["narrative"].label = _lazy("What was said or seen")
        self.fields["contact"].label = _lazy("How to contact the person (optional)")

    def clean_archived_file(self) -> dict[str, Any] | None:
        upload: UploadedFile | None = self.cleaned_data.get("archived_file")
        if not upload:
            return None
        if (upload.size or 0) > ARCHIVE_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB.")
                % {"limit": ARCHIVE_MAX_BYTES // (1024 * 1024)}
            )
        content = upload.read(ARCHIVE_MAX_BYTES + 1)
        if len(content) > ARCHIVE_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB.")
                % {"limit": ARCHIVE_MAX_BYTES // (1024 * 1024)}
            )
        sniffed = sniff_archive(content)
        if sniffed is None:
            raise forms.ValidationError(
                _("This kind of file is not accepted: PDF, PNG, JPEG, GIF, WebP or text only.")
            )
        mime, extension = sniffed
        return {
            "name": f"archive.{extension}",
            "original_name": (upload.name or "")[:200],
            "content_type": mime,
            "size": len(content),
            "data": base64.b64encode(content).decode("ascii"),
        }

    def organization(self) -> Organization:
        return self.organizations[self.cleaned_data["owner"]]

    def monitored_source(self) -> dict[str, Any] | None:
        """The monitored source to seal, or ``None`` when there is none."""
        data = self.cleaned_data
        source = {
            "url": data.get("source_url") or "",
            "quote": data.get("quoted_text") or "",
            "archived_text": data.get("archived_text") or "",
            "archived_file": data.get("archived_file"),
        }
        return source if any(source.values()) else None

    def report_input(self) -> ReportInput:
        data = super().report_input()
        data.media = self.monitored_source()
        return data


def do_enter_staff_report(
    actor: User, owner: Organization, client_key: str, data: ReportInput, channel: str
) -> tuple[Report, bool]:
    """An analyst of ``owner`` enters a report their staff gathered; sealed and audited.

    The same form sent twice (its ``client_key``) stores one report.
    """
    if not may_read_protected(actor, owner.pk) or channel not in STAFF_CHANNELS:
        raise NotAllowed(owner.slug)
    report, _receipt, new = do_submit_report(
        None, owner, client_key, data, channel=channel, actor=actor
    )
    return report, new


@policy("voices")
def enter_report(request: HttpRequest) -> HttpResponse:
    """The page where analysts enter staff and monitoring reports (others: 404)."""
    organizations = staff_organizations(request.user)
    if not organizations or not isinstance(request.user, User):
        raise Http404(_("No such page."))
    form = StaffReportForm(request.POST or None, request.FILES or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        report, _new = do_enter_staff_report(
            request.user,
            form.organization(),
            form.cleaned_data["client_key"],
            form.report_input(),
            form.cleaned_data["channel"],
        )
        return redirect("voices:report", report_id=report.pk)
    return render(request, "voices/staff_form.html", {"form": form})


@policy("voices")
def archived_copy(request: HttpRequest, report_id: str) -> HttpResponse:
    """The archived file of a monitoring report, as a download: the owner's analysts only.

    Served with the type read from its bytes, ``nosniff`` and a sandboxing policy, so a saved
    page never runs as part of this site. Each download is an audited protected read.
    """
    report = queries.report_for(request.user, report_id)
    if report is None or not may_read_protected(request.user, report.owner_id):
        raise Http404(_("No such page."))
    fields = queries.protected_fields(report, request.user, why="archived copy")
    archived = ((fields or {}).get("media") or {}).get("archived_file")
    if not archived:
        raise Http404(_("No such page."))
    response = HttpResponse(
        base64.b64decode(archived["data"]), content_type=archived["content_type"]
    )
    response["Content-Disposition"] = f'attachment; filename="{archived["name"]}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "no-store"
    return response
