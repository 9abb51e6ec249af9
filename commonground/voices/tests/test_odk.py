"""ODK encrypted submissions: made in code exactly as ODK Collect makes them, then decrypted.

The encrypter below follows ODK Collect's ``EncryptionUtils`` line by line (Java byte arithmetic
for the IV, ``RSA/NONE/OAEPWithSHA256AndMGF1Padding``, ``AES/CFB/PKCS5Padding``, the element
signature), written apart from ``odk.py`` so that a mistake in one is not mirrored in the other.
The submissions are SYNTHETIC (no real person's answers).
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.decrepit.ciphers.modes import CFB
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

from commonground.cli.main import cli
from commonground.voices import odk

COLLECT_OAEP = padding.OAEP(
    mgf=padding.MGF1(algorithm=hashes.SHA1()),  # noqa: S303  # what ODK Collect uses
    algorithm=hashes.SHA256(),
    label=None,
)


@pytest.fixture(scope="module")
def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def collect_encrypt(
    public_key: rsa.RSAPublicKey,
    form_id: str,
    instance_id: str,
    xml: bytes,
    version: str | None = None,
    media: list[tuple[str, bytes]] | None = None,
) -> dict[str, bytes]:
    """One submission's files, as ODK Collect writes them (EncryptionUtils.java)."""
    key = os.urandom(32)
    md = hashlib.md5(instance_id.encode("utf-8"), usedforsecurity=False)
    md.update(key)
    digest = md.digest()
    iv_seed = [digest[i % len(digest)] for i in range(16)]
    enc_key = base64.b64encode(public_key.encrypt(key, COLLECT_OAEP)).decode()
    signature_lines = [form_id, *([version] if version else []), enc_key, instance_id]
    files: dict[str, bytes] = {}
    for counter, (name, plain) in enumerate([*(media or []), ("submission.xml", xml)]):
        iv_seed[counter % 16] = (iv_seed[counter % 16] + 1) & 0xFF  # ++ivSeedArray[...] on a byte
        padder = sym_padding.PKCS7(128).padder()
        encryptor = Cipher(algorithms.AES(key), CFB(bytes(iv_seed))).encryptor()
        data = padder.update(plain) + padder.finalize()
        files[name + ".enc"] = encryptor.update(data) + encryptor.finalize()
        signature_lines.append(f"{name}::{hashlib.md5(plain, usedforsecurity=False).hexdigest()}")
    source = "".join(line + "\n" for line in signature_lines).encode()
    signature = public_key.encrypt(
        hashlib.md5(source, usedforsecurity=False).digest(), COLLECT_OAEP
    )
    media_xml = "".join(f"<media><file>{n}.enc</file></media>" for n, _ in media or [])
    files["submission.xml"] = (
        f'<data xmlns="http://opendatakit.org/submissions" id="{form_id}" encrypted="yes"'
        + (f' version="{version}"' if version else "")
        + f"><base64EncryptedKey>{enc_key}</base64EncryptedKey>"
        f'<meta xmlns="http://openrosa.org/xforms"><instanceID>{instance_id}</instanceID></meta>'
        f"{media_xml}<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>"
        "<base64EncryptedElementSignature>"
        f"{base64.b64encode(signature).decode()}</base64EncryptedElementSignature></data>"
    ).encode()
    return files


def survey_xml(instance_id: str, n: int) -> bytes:
    """A SYNTHETIC answer to a small incident form with a group and a repeat."""
    return (
        f'<data id="incidents" version="3" xmlns:orx="http://openrosa.org/xforms">'
        f"<incident><category>looting</category><when>2024-05-0{n}</when>"
        f"<narrative>SYNTHETIC récit {n}</narrative></incident>"
        f"<victims><sex>f</sex></victims><victims><sex>m</sex></victims>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()


def write_instances(folder: Path, public_key: rsa.RSAPublicKey, count: int) -> list[str]:
    ids = []
    for n in range(1, count + 1):
        instance_id = f"uuid:0000000{n}-aaaa-4bbb-8ccc-dddddddddddd"
        files = collect_encrypt(
            public_key,
            "incidents",
            instance_id,
            survey_xml(instance_id, n),
            version="3",
            media=[("photo.jpg", b"\xff\xd8SYNTHETIC" * n)] if n == 2 else None,
        )
        instance = folder / instance_id.replace(":", "")
        instance.mkdir(parents=True)
        for name, data in files.items():
            (instance / name).write_bytes(data)
        ids.append(instance_id)
    return ids


def test_submissions_decrypt_into_export_columns(
    tmp_path: Path, private_key: rsa.RSAPrivateKey
) -> None:
    ids = write_instances(tmp_path / "instances", private_key.public_key(), 3)
    rows = odk.read_encrypted_submissions(tmp_path / "instances", private_key)
    assert [row["meta/instanceID"] for row in rows] == ids
    assert rows[0]["incident/category"] == "looting"
    assert rows[1]["incident/narrative"] == "SYNTHETIC récit 2"  # the one with a media file
    assert rows[2]["incident/when"] == "2024-05-03"
    assert rows[0]["victims[2]/sex"] == "m"


def test_a_zip_of_instance_folders_reads_the_same(
    tmp_path: Path, private_key: rsa.RSAPrivateKey
) -> None:
    write_instances(tmp_path / "instances", private_key.public_key(), 2)
    archive = tmp_path / "briefcase.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted((tmp_path / "instances").rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(tmp_path).as_posix())
    assert odk.read_encrypted_submissions(archive, private_key) == odk.read_encrypted_submissions(
        [tmp_path / "instances"], private_key
    )


def test_a_wrong_key_gives_a_clear_error_and_no_row(
    tmp_path: Path, private_key: rsa.RSAPrivateKey
) -> None:
    write_instances(tmp_path / "instances", private_key.public_key(), 2)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(odk.OdkDecryptError, match="wrong key") as failure:
        odk.read_encrypted_submissions(tmp_path / "instances", other)
    assert "submission.xml" in failure.value.where
    assert "mauvaise clé" in str(failure.value)


def test_an_altered_file_is_refused(tmp_path: Path, private_key: rsa.RSAPrivateKey) -> None:
    write_instances(tmp_path / "instances", private_key.public_key(), 1)
    encrypted = next((tmp_path / "instances").rglob("submission.xml.enc"))
    data = bytearray(encrypted.read_bytes())
    data[5] ^= 0x01  # CFB: flips one plaintext bit, padding stays valid
    encrypted.write_bytes(bytes(data))
    with pytest.raises(odk.OdkDecryptError, match="signature does not match"):
        odk.read_encrypted_submissions(tmp_path / "instances", private_key)


def test_a_plain_submission_is_sent_to_the_plain_importer(tmp_path: Path) -> None:
    (tmp_path / "submission.xml").write_text('<data id="x"><a>1</a></data>')
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(odk.OdkDecryptError, match="not encrypted"):
        odk.read_encrypted_submissions(tmp_path / "submission.xml", key)


def test_an_entity_declaration_is_refused(tmp_path: Path) -> None:
    (tmp_path / "submission.xml").write_text(
        '<!DOCTYPE d [<!ENTITY a "aaaa">]><data encrypted="yes">&a;</data>'
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(odk.OdkDecryptError, match="document type"):
        odk.read_encrypted_submissions(tmp_path, key)


@pytest.mark.django_db
def test_keygen_writes_a_private_key_and_prints_the_public_one(
    cast: dict[str, object], key_home: Path
) -> None:
    result = CliRunner().invoke(cli, ["voices", "odk-keygen", "femmes-bambari"])
    assert result.exit_code == 0, result.output
    path = key_home / "keys" / "femmes-bambari.odk.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    private = odk.load_private_key(path.read_bytes(), str(path))
    public_line = result.output.strip().splitlines()[-1]
    public = serialization.load_der_public_key(base64.b64decode(public_line))
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.public_numbers() == private.public_key().public_numbers()
    again = CliRunner().invoke(cli, ["voices", "odk-keygen", "femmes-bambari"])
    assert again.exit_code != 0 and "already has an ODK key" in again.output
    assert odk.load_private_key(path.read_bytes(), str(path)).private_numbers() == (
        private.private_numbers()
    )


@pytest.mark.django_db
def test_import_command_decrypts_then_hands_rows_to_the_importer(
    cast: dict[str, object], key_home: Path, tmp_path: Path, bambari_form: object
) -> None:
    CliRunner().invoke(cli, ["voices", "odk-keygen", "femmes-bambari"])
    path = key_home / "keys" / "femmes-bambari.odk.pem"
    private = odk.load_private_key(path.read_bytes(), str(path))
    write_instances(tmp_path / "instances", private.public_key(), 2)
    result = CliRunner().invoke(
        cli,
        [
            "voices",
            "import-odk-encrypted",
            "femmes-bambari",
            "signaler",
            str(tmp_path / "instances"),
        ],
    )
    # This form has no XLSForm yet, so no mapping: refused, nothing stored, no traceback.
    assert result.exit_code != 0
    assert "nothing imported" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.django_db
def test_import_with_the_wrong_key_stops_with_the_file_named_and_stores_nothing(
    cast: dict[str, object], key_home: Path, tmp_path: Path, bambari_form: object
) -> None:
    from commonground.voices.models import Report

    CliRunner().invoke(cli, ["voices", "odk-keygen", "femmes-bambari"])
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    write_instances(tmp_path / "instances", stranger.public_key(), 2)
    args = ["voices", "import-odk-encrypted", "femmes-bambari", "signaler"]
    result = CliRunner().invoke(cli, [*args, str(tmp_path / "instances")])
    assert result.exit_code != 0
    assert "submission.xml" in result.output and "wrong key" in result.output
    assert not Report.objects.exists()


def xml_of(row: dict[str, str], form_id: str) -> bytes:
    """A submission's XML from its export columns (``group/question`` paths; ``_`` columns are
    the server's own and are not in the XML)."""
    from xml.sax.saxutils import escape

    groups: dict[str, list[str]] = {}
    top: list[str] = []
    for path, value in row.items():
        if path.startswith("_"):
            continue
        *group, name = path.split("/")
        element = f"<{name}>{escape(value)}</{name}>"
        (groups.setdefault(group[0], []) if group else top).append(element)
    body = "".join(top) + "".join(f"<{g}>{''.join(items)}</{g}>" for g, items in groups.items())
    return f'<data id="{form_id}">{body}</data>'.encode()


@pytest.mark.django_db
def test_encrypted_submissions_go_in_through_the_forms_mapping_once(
    cast: dict[str, object], key_home: Path, tmp_path: Path, bambari_form: object
) -> None:
    """End to end: ODK Collect's encrypted files → decrypted rows → the KoBo/ODK importer with
    the form's stored mapping; importing the same files again adds nothing."""
    from commonground.voices.kobo import do_set_xlsform
    from commonground.voices.models import Channel, Report
    from commonground.voices.tests.kobo_files import FORM_ID, submission, write_xlsform
    from commonground.voices.xlsform import read_xlsform

    do_set_xlsform(bambari_form, read_xlsform(write_xlsform(tmp_path / "form.xlsx")))  # type: ignore[arg-type]
    CliRunner().invoke(cli, ["voices", "odk-keygen", "femmes-bambari"])
    path = key_home / "keys" / "femmes-bambari.odk.pem"
    public = odk.load_private_key(path.read_bytes(), str(path)).public_key()
    for n in range(3):
        row = submission(n, seed=7)
        files = collect_encrypt(public, FORM_ID, row["meta/instanceID"], xml_of(row, FORM_ID))
        folder = tmp_path / "instances" / row["_uuid"]
        folder.mkdir(parents=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
    command = ["voices", "import-odk-encrypted", "femmes-bambari", "signaler"]
    dry = CliRunner().invoke(cli, [*command, "--dry-run", str(tmp_path / "instances")])
    assert dry.exit_code == 0, dry.output
    assert "would add 3 reports" in dry.output and "nothing was stored" in dry.output
    assert not Report.objects.exists()
    first = CliRunner().invoke(cli, [*command, str(tmp_path / "instances")])
    assert first.exit_code == 0, first.output
    assert "added 3 reports" in first.output
    assert Report.objects.filter(channel=Channel.KOBO).count() == 3
    again = CliRunner().invoke(cli, [*command, str(tmp_path / "instances")])
    assert again.exit_code == 0, again.output
    assert "added 0 reports, 3 already stored" in again.output
    assert Report.objects.count() == 3
