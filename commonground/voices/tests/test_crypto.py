"""Envelope encryption: the real cipher, real key files, no mocks."""

from __future__ import annotations

import stat
import uuid
from pathlib import Path

import pytest

from commonground.sharing.models import Organization
from commonground.voices import crypto


def test_sealed_fields_open_only_with_the_key_and_the_record_id() -> None:
    key = crypto.new_key()
    record = uuid.uuid4()
    wrapped, sealed = crypto.seal(key, record, {"narrative": "canary-xyz"})
    assert b"canary-xyz" not in sealed
    assert crypto.open_sealed(key, record, wrapped, sealed) == {"narrative": "canary-xyz"}
    with pytest.raises(crypto.CannotOpen):
        crypto.open_sealed(key, uuid.uuid4(), wrapped, sealed)  # moved onto another row
    with pytest.raises(crypto.CannotOpen):
        crypto.open_sealed(crypto.new_key(), record, wrapped, sealed)
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(crypto.CannotOpen):
        crypto.open_sealed(key, record, wrapped, tampered)


def test_each_record_gets_its_own_data_key() -> None:
    key = crypto.new_key()
    first = crypto.seal(key, uuid.uuid4(), {"a": 1})
    second = crypto.seal(key, uuid.uuid4(), {"a": 1})
    assert first[0] != second[0]
    assert first[1] != second[1]


@pytest.mark.django_db
def test_key_file_is_private_and_not_the_secret_key(key_home: Path, settings: object) -> None:
    org = Organization.objects.create(slug="rfpb-test", name="RFPB", kind="civil_society")
    key = crypto.ensure_organization_key(org)
    path = key_home / "keys" / "rfpb-test.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert crypto.ensure_organization_key(org) == key  # made once, then read
    assert settings.SECRET_KEY.encode() not in path.read_bytes()  # type: ignore[attr-defined]  # pytest-django settings


@pytest.mark.django_db
def test_key_from_the_environment_wins(monkeypatch: pytest.MonkeyPatch, key_home: Path) -> None:
    org = Organization.objects.create(slug="rfpb-env", name="RFPB", kind="civil_society")
    key = crypto.new_key()
    monkeypatch.setenv("COMMONGROUND_VOICES_KEY_RFPB_ENV", crypto.encode_key(key))
    assert crypto.ensure_organization_key(org) == key
    assert not (key_home / "keys" / "rfpb-env.key").exists()
    monkeypatch.setenv("COMMONGROUND_VOICES_KEY_RFPB_ENV", "dG9vIHNob3J0")
    with pytest.raises(crypto.KeyMissing, match="32 bytes"):
        crypto.organization_key(org)


def test_receipt_is_stable_per_submission_and_typed_loosely() -> None:
    key = crypto.new_key()
    code = crypto.receipt_code(key, "web_form:abc")
    assert code == crypto.receipt_code(key, "web_form:abc")
    assert code != crypto.receipt_code(key, "web_form:abd")
    assert len(code) == 19
    assert crypto.receipt_hash(code.lower().replace("-", " ")) == crypto.receipt_hash(code)
