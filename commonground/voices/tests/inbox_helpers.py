"""Shared SYNTHETIC records for the staff, verification and theme tests (helper h-inbox).

Every protected value holds a canary, so a page or file that shows one is a leak.
"""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User

from commonground.sharing.models import Organization
from commonground.voices.inbox_models import Theme
from commonground.voices.models import Channel, Report
from commonground.voices.services import ReportInput, do_submit_report
from commonground.voices.staff import do_enter_staff_report

CANARY: dict[str, str] = {
    "narrative": "canary-staff-narrative-5e1",
    "contact": "canary-staff-contact-+236-7000",
    "place": "canary-staff-place-kidjigra",
    "reporter_name": "canary-staff-name-ndakala",
    "url": "https://example.org/canary-staff-url-91",
    "quote": "canary-staff-quote-c3",
    "archived_text": "<p>canary-staff-archive-77</p>",
    "file": "canary-staff-file-4d",
    "latitude": "5.7612345",
}
UNPUBLISHED_THEME = "canary-theme-unpublished-b2"
PUBLISHED_THEME = "Water point at Kidjigra (SYNTHETIC)"
PUBLISHED_ANSWER = "We asked the prefecture to repair it; work started in May. SYNTHETIC."


@dataclass
class InboxWorld:
    staff_report: Report
    public_report: Report
    published: Theme
    unpublished: Theme


def staff_input() -> ReportInput:
    """A SYNTHETIC media-monitoring report with a canary in every protected field."""
    png = b"\x89PNG\r\n\x1a\n" + CANARY["file"].encode()
    return ReportInput(
        category="hate_speech",
        occurred_on=datetime.date(2021, 6, 2),
        narrative=CANARY["narrative"],
        contact=CANARY["contact"],
        may_contact=True,
        may_count=True,
        place=CANARY["place"],
        reporter_name=CANARY["reporter_name"],
        latitude=float(CANARY["latitude"]),
        longitude=20.6712345,
        media={
            "url": CANARY["url"],
            "quote": CANARY["quote"],
            "archived_text": CANARY["archived_text"],
            "archived_file": {
                "name": "archive.png",
                "original_name": "post.png",
                "content_type": "image/png",
                "size": len(png),
                "data": base64.b64encode(png).decode("ascii"),
            },
        },
    )


def make_world(cast: dict[str, User], bambari: Organization) -> InboxWorld:
    staff, _new = do_enter_staff_report(
        cast["grace"], bambari, "s" * 24, staff_input(), Channel.SOCIAL_MEDIA
    )
    public, _code, _new = do_submit_report(
        None,
        bambari,
        "w" * 24,
        ReportInput(
            category="threat",
            occurred_on=datetime.date(2021, 6, 3),
            narrative=CANARY["narrative"] + "-public",
            may_count=True,
        ),
    )
    published = Theme.objects.create(
        owner=bambari,
        title=PUBLISHED_THEME,
        answer=PUBLISHED_ANSWER,
        published_at=datetime.datetime(2021, 7, 1, tzinfo=datetime.UTC),
        is_synthetic=True,
    )
    published.reports.add(public)
    unpublished = Theme.objects.create(owner=bambari, title=UNPUBLISHED_THEME, answer="draft")
    return InboxWorld(staff, public, published, unpublished)
