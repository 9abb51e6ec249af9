"""SMS gateways' webhooks: signed, fresh, idempotent, and the sender's number never in clear.

``POST /voices/<organization>/sms/<gateway>/`` for ``rapidpro``, ``frontlinesms`` and
``telerivet`` style payloads (docs/voices.md, "SMS gateways"; ADR 0023). Every request carries

- ``X-CG-Timestamp``: Unix seconds; more than :data:`WINDOW` away from now is refused;
- ``X-CG-Signature``: ``sha256=`` and the hex HMAC-SHA256, under the channel's secret, of the
  timestamp, a full stop and the raw body.

An unknown organization, an unknown or inactive channel and a bad signature get the very same
answer (and the same work: a signature is computed against a throwaway secret), so the endpoint
says nothing of which organizations exist. The message becomes a report keyed on the gateway's
message id (sent again, it is the same report); the sender's number is kept only as a keyed hash
(HMAC under the organization's SMS key) so repeat senders can be linked, and in the encrypted
part only when the sender asked to be called back.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from commonground.core.models import Area, AreaLevel
from commonground.sharing.models import Organization
from commonground.sharing.policy import access_operator, policy
from commonground.voices import crypto
from commonground.voices.models import Channel, DatePrecision, Report
from commonground.voices.services import ReportInput, do_submit_report
from commonground.voices.sms_keywords import FORMAT_HELP, SmsFormatError, fold, parse_alert
from commonground.voices.sms_models import SmsChannel, SmsMessage

#: How far a request's timestamp may be from the server's clock, in seconds (replay window).
WINDOW = 300
#: Largest body accepted, in bytes: one SMS and its envelope fit many times over.
MAX_BODY = 16 * 1024
#: Requests per organization and gateway in one minute, signed or not (then 429).
PER_MINUTE = 120


class Refused(Exception):
    """A request refused before anything is stored: HTTP status, code, English and French."""

    def __init__(self, status: int, code: str, message: str, message_fr: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.message_fr = message_fr


NOT_AUTHENTIC = (
    401,
    "not_authenticated",
    "signature not valid for this address",
    "signature non valide pour cette adresse",
)


# --- Keys --------------------------------------------------------------------------------------


def sms_key_file(organization: Organization) -> Path:
    return crypto.key_folder() / f"{organization.slug}.sms.key"


def sms_key(organization: Organization, create: bool = False) -> bytes | None:
    """The organization's SMS key (random, 0600 in the key folder), or ``None`` if it has none."""
    path = sms_key_file(organization)
    if path.exists():
        return crypto.decode_key(path.read_text(encoding="ascii"), str(path))
    if not create:
        return None
    key = crypto.new_key()
    try:
        crypto.write_key_file(path, key)
    except FileExistsError:
        return crypto.decode_key(path.read_text(encoding="ascii"), str(path))
    return key


def channel_secret(key: bytes, channel: SmsChannel) -> str:
    """The secret a gateway signs with: derived, never stored; a new generation, a new secret."""
    info = f"commonground voices sms channel:{channel.gateway}:{channel.generation}".encode()
    return hmac.new(key, info, hashlib.sha256).hexdigest()


def sender_hash(key: bytes, number: str) -> str:
    """A keyed hash of the number (digits only): the same sender links, the number stays unknown."""
    subkey = hmac.new(key, b"commonground voices sms sender", hashlib.sha256).digest()
    digits = "".join(ch for ch in number if ch.isdigit())
    return hmac.new(subkey, digits.encode("ascii"), hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """What a gateway (or its relay) puts in ``X-CG-Signature``."""
    mac = hmac.new(secret.encode("ascii"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


# --- Checks, in order: rate, size, freshness, authenticity ---------------------------------------


#: django-ratelimit's group and rate for the webhooks (ADR 0027).
RATE_GROUP = "voices-sms"
RATE = f"{PER_MINUTE}/m"


def rate_key(organization: str, gateway: str) -> Callable[[str, HttpRequest], str]:
    """The key the rate is counted on: the organization and gateway named in the address, so a
    flood of unsigned requests at one webhook never spends another's budget."""
    return lambda _group, _request: f"{organization}:{gateway}"


def check_rate(request: HttpRequest, organization: str, gateway: str) -> None:
    """At most :data:`PER_MINUTE` requests a minute per webhook, signed or not, counted by
    django-ratelimit in the default cache before anything else is read (then 429)."""
    from django_ratelimit.core import is_ratelimited  # type: ignore[import-untyped]

    key = rate_key(organization, gateway)
    if is_ratelimited(request, group=RATE_GROUP, key=key, rate=RATE, increment=True):
        raise Refused(429, "rate", "too many requests, retry later", "trop de requêtes, réessayez")


def check_fresh(request: HttpRequest) -> str:
    stamp = request.headers.get("X-CG-Timestamp", "")
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > WINDOW:
        raise Refused(
            401,
            "stale",
            f"X-CG-Timestamp missing or more than {WINDOW} s from the server's clock",
            f"X-CG-Timestamp absent ou à plus de {WINDOW} s de l'horloge du serveur",
        )
    return stamp


def authentic_channel(
    request: HttpRequest, organization: str, gateway: str, stamp: str
) -> tuple[SmsChannel, bytes]:
    """The channel whose secret signed this body; one answer for every kind of failure."""
    channel = (
        access_operator(SmsChannel.objects.select_related("owner"))
        .filter(owner__slug=organization, gateway=gateway, active=True)
        .first()
    )
    key = sms_key(channel.owner) if channel is not None else None
    secret = channel_secret(key, channel) if key and channel else secrets.token_hex(32)
    expected = sign(secret, stamp, request.body)
    given = request.headers.get("X-CG-Signature", "")
    if not hmac.compare_digest(expected.encode(), given.encode()) or channel is None or not key:
        raise Refused(*NOT_AUTHENTIC)
    return channel, key


# --- Payloads ----------------------------------------------------------------------------------


@dataclass
class Incoming:
    """One incoming SMS, whatever gateway brought it."""

    message_id: str
    sender: str
    text: str


def form_fields(body: bytes) -> dict[str, str]:
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError as exc:
        raise Refused(400, "payload", "body is not UTF-8", "le corps n'est pas en UTF-8") from exc
    return {name: values[0] for name, values in fields.items()}


def rapidpro(body: bytes) -> Incoming | None:
    """RapidPro's "Call webhook" with ``input`` in the body (its classic default body)."""
    try:
        data = json.loads(body)
        given = data["input"]
        urn = given.get("urn") or data.get("contact", {}).get("urn", "")
        return Incoming(str(given["uuid"]), str(urn).removeprefix("tel:"), str(given["text"]))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise Refused(
            400,
            "payload",
            "RapidPro body needs input.uuid, input.text and input.urn or contact.urn",
            "le corps RapidPro doit avoir input.uuid, input.text et input.urn ou contact.urn",
        ) from exc


def telerivet(body: bytes) -> Incoming | None:
    """Telerivet's Webhook API: form fields; only ``event=incoming_message`` is a report."""
    fields = form_fields(body)
    if fields.get("event") != "incoming_message":
        return None
    if not fields.get("id") or "content" not in fields or not fields.get("from_number"):
        raise Refused(
            400,
            "payload",
            "Telerivet body needs id, content and from_number",
            "le corps Telerivet doit avoir id, content et from_number",
        )
    return Incoming(fields["id"], fields["from_number"], fields["content"])


def frontlinesms(body: bytes) -> Incoming | None:
    """FrontlineSMS's HTTP request action, with the fields named as docs/voices.md says."""
    fields = form_fields(body)
    if not fields.get("message_id") or "text" not in fields or not fields.get("from"):
        raise Refused(
            400,
            "payload",
            "FrontlineSMS body needs message_id, from and text",
            "le corps FrontlineSMS doit avoir message_id, from et text",
        )
    return Incoming(fields["message_id"], fields["from"], fields["text"])


READERS = {"rapidpro": rapidpro, "telerivet": telerivet, "frontlinesms": frontlinesms}


# --- From a message to a report ----------------------------------------------------------------


def area_named(place: str) -> Area | None:
    """The admin-2 area whose French or English name starts the place words, if one does."""
    names: dict[str, Area] = {}
    for area in Area.objects.filter(level=AreaLevel.ADMIN2).only("id", "name_en", "name_fr"):
        names.setdefault(fold(area.name_en), area)
        names.setdefault(fold(area.name_fr), area)
    words = fold(place).split()
    for size in range(len(words), 0, -1):
        if " ".join(words[:size]) in names:
            return names[" ".join(words[:size])]
    return None


def do_receive_sms(channel: SmsChannel, key: bytes, incoming: Incoming) -> tuple[Report, str, bool]:
    """Store the message as one report (or find the one it already is); all or nothing."""
    alert = parse_alert(incoming.text)
    client_key = hashlib.sha256(f"{channel.gateway}:{incoming.message_id}".encode()).hexdigest()
    data = ReportInput(
        category=alert.category,
        occurred_on=timezone.localdate(),
        date_precision=DatePrecision.WEEK,
        area=area_named(alert.place),
        unknown=alert.count,
        may_count="may_count" in alert.consents,
        may_contact="may_contact" in alert.consents,
        may_quote="may_quote" in alert.consents,
        narrative=alert.narrative,
        contact=incoming.sender,  # sealed only when may_contact (services.protected_part)
        place=alert.place,
    )
    with transaction.atomic():
        known = Report.objects.filter(
            owner=channel.owner, channel=Channel.SMS, client_key=client_key
        )
        if not known.exists():
            since = timezone.now() - datetime.timedelta(hours=24)
            recent = SmsMessage.objects.filter(channel=channel, created_at__gte=since).count()
            if recent >= channel.daily_limit:
                raise Refused(429, "limit", "daily limit reached", "limite quotidienne atteinte")
        report, receipt, new = do_submit_report(None, channel.owner, client_key, data, Channel.SMS)
        if new:
            SmsMessage.objects.create(
                channel=channel, report=report, sender_hash=sender_hash(key, incoming.sender)
            )
    return report, receipt, new


def refusal(exc: Refused) -> JsonResponse:
    body = {"error": exc.code, "message": exc.message, "message_fr": exc.message_fr}
    return JsonResponse(body, status=exc.status)


@csrf_exempt  # signed by the gateway instead (the only CSRF-exempt view of voices)
@policy("public")
@require_POST
def webhook(request: HttpRequest, organization: str, gateway: str) -> JsonResponse:
    """One incoming SMS from a gateway; see the module's note for the checks."""
    try:
        check_rate(request, organization, gateway)
        if len(request.body) > MAX_BODY:
            raise Refused(413, "too_large", "body too large", "corps trop grand")
        stamp = check_fresh(request)
        channel, key = authentic_channel(request, organization, gateway, stamp)
        incoming = READERS[gateway](request.body)
        if incoming is None:
            return JsonResponse({"accepted": False, "ignored": True})
        try:
            _report, receipt, new = do_receive_sms(channel, key, incoming)
        except SmsFormatError as exc:
            reply = f"{exc.reason_fr}. {exc.reason}. {FORMAT_HELP}"
            return JsonResponse(
                {"accepted": False, "error": "format", "message": exc.reason, "reply": reply}
            )
    except Refused as exc:
        return refusal(exc)
    reply = f"Merci, reçu. Code : {receipt} / Thank you, received. Code: {receipt}"
    return JsonResponse({"accepted": True, "new": new, "receipt": receipt, "reply": reply})
