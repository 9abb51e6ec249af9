"""Envelope encryption of reports' protected fields (ADR 0018).

Each report gets a fresh 256-bit data key. The protected fields, as JSON, are encrypted with
AES-256-GCM under that key, with the report's id as associated data (a ciphertext moved onto
another row fails to open). The data key is wrapped with the organization's key by AES key wrap
(RFC 3394). Rotating the organization's key re-wraps the data keys only; shredding it makes every
report unreadable.

Organization keys live outside the database, never derived from ``SECRET_KEY``:

- ``COMMONGROUND_VOICES_KEY_<SLUG>`` (slug upper-cased, ``-`` as ``_``): the key, urlsafe base64
  of 32 bytes; or else
- ``COMMONGROUND_HOME/keys/<slug>.key``: the same text, created 0600 in a 0700 folder.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import uuid
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap
from django.conf import settings

from commonground.sharing.models import Organization

KEY_BYTES = 32
NONCE_BYTES = 12


class KeyMissing(Exception):
    """The organization has no key here (never made, shredded, or on another machine)."""


class CannotOpen(Exception):
    """A sealed record does not open with this key (wrong key, or altered ciphertext)."""


def key_folder() -> Path:
    """``COMMONGROUND_HOME/keys``, created readable by its owner only."""
    folder = Path(settings.COMMONGROUND_HOME) / "keys"
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        folder.chmod(0o700)  # mkdir's mode is filtered by the umask
    return folder


def key_file(organization: Organization) -> Path:
    return key_folder() / f"{organization.slug}.key"


def key_variable(organization: Organization) -> str:
    return "COMMONGROUND_VOICES_KEY_" + organization.slug.upper().replace("-", "_")


def decode_key(text: str, where: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise KeyMissing(f"{where}: not a base64 key") from exc
    if len(key) != KEY_BYTES:
        raise KeyMissing(f"{where}: a key is {KEY_BYTES} bytes, this one is {len(key)}")
    return key


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")


def organization_key(organization: Organization) -> bytes:
    """The organization's key, from its environment variable or its key file."""
    variable = key_variable(organization)
    if os.environ.get(variable, "").strip():
        return decode_key(os.environ[variable], variable)
    path = key_file(organization)
    if not path.exists():
        raise KeyMissing(f"no key for {organization.slug} in {path} or {variable}")
    return decode_key(path.read_text(encoding="ascii"), str(path))


def write_key_file(path: Path, key: bytes) -> None:
    """Write a key file created 0600 from the start: no moment another user could read it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(encode_key(key) + "\n")


def ensure_organization_key(organization: Organization) -> bytes:
    """The organization's key, made (random, never from ``SECRET_KEY``) on first use."""
    try:
        return organization_key(organization)
    except KeyMissing:
        path = key_file(organization)
        if path.exists():
            raise
    key = new_key()
    try:
        write_key_file(path, key)
    except FileExistsError:  # another process made it first: use theirs
        return organization_key(organization)
    return key


def new_key() -> bytes:
    """A fresh random 256-bit key (an organization's, or a record's data key)."""
    return AESGCM.generate_key(bit_length=256)


def key_id(key: bytes) -> str:
    """A short fingerprint telling keys apart (a hash: says nothing of the key)."""
    return hashlib.sha256(b"commonground voices key id" + key).hexdigest()[:16]


def seal(key: bytes, record_id: uuid.UUID, fields: dict[str, Any]) -> tuple[bytes, bytes]:
    """Encrypt ``fields`` under a fresh data key; returns (wrapped data key, nonce+ciphertext)."""
    data_key = new_key()
    nonce = secrets.token_bytes(NONCE_BYTES)
    plain = json.dumps(fields, ensure_ascii=False, sort_keys=True).encode("utf-8")
    sealed = nonce + AESGCM(data_key).encrypt(nonce, plain, record_id.bytes)
    return aes_key_wrap(key, data_key), sealed


def open_sealed(
    key: bytes, record_id: uuid.UUID, wrapped: bytes | memoryview, sealed: bytes | memoryview
) -> dict[str, Any]:
    """Decrypt what :func:`seal` made; :class:`CannotOpen` for a wrong key or altered bytes."""
    try:
        data_key = aes_key_unwrap(key, bytes(wrapped))
        sealed = bytes(sealed)
        plain = AESGCM(data_key).decrypt(
            sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], record_id.bytes
        )
    except (InvalidUnwrap, InvalidTag, ValueError) as exc:
        raise CannotOpen(f"record {record_id} does not open with this key") from exc
    opened: dict[str, Any] = json.loads(plain)
    return opened


def rewrap(old_key: bytes, new_key: bytes, wrapped: bytes | memoryview) -> bytes:
    """The same data key, wrapped by the new organization key (the ciphertext is untouched)."""
    try:
        return aes_key_wrap(new_key, aes_key_unwrap(old_key, bytes(wrapped)))
    except InvalidUnwrap as exc:
        raise CannotOpen("a data key does not unwrap with the current key") from exc


def receipt_code(key: bytes, client_key: str) -> str:
    """The receipt a reporter keeps: the same submission always gets the same code.

    An HMAC of the sender's key under a subkey of the organization's key, so nobody without the
    key can make a receipt, and a replay of the same submission shows the same code. 80 bits,
    in four groups of Crockford-like base32 letters.
    """
    subkey = hmac.new(key, b"commonground voices receipt", hashlib.sha256).digest()
    digest = hmac.new(subkey, client_key.encode("utf-8"), hashlib.sha256).digest()[:10]
    text = base64.b32encode(digest).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def normalise_receipt(code: str) -> str:
    """What a person typed, as the stored form: upper case, groups of four, no spaces."""
    letters = "".join(ch for ch in code.upper() if ch.isalnum())[:16]
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def receipt_hash(code: str) -> str:
    """Only this hash is stored: the code itself is shown once, to the reporter."""
    return hashlib.sha256(normalise_receipt(code).encode("ascii")).hexdigest()
