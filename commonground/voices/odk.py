"""ODK encrypted submissions, decrypted with the organization's RSA private key.

An encrypted ODK form (XLSForm ``settings`` sheet, column ``public_key``) makes ODK Collect (and
Enketo) send, for each submission, a *manifest* ``submission.xml`` and the encrypted files. The
format is the ODK XForms encryption specification, https://getodk.github.io/xforms-spec/encryption
(and ODK Collect's ``EncryptionUtils``, which it describes):

- ``<base64EncryptedKey>``: a random 256-bit AES key, encrypted with the form's RSA public key by
  RSA-OAEP (Java ``RSA/NONE/OAEPWithSHA256AndMGF1Padding``: SHA-256 digest, MGF1 with SHA-1);
- each file (the media files in manifest order, then ``<encryptedXmlFile>``) is encrypted with
  ``AES/CFB/PKCS5Padding`` (CFB-128, PKCS#7 padding to 16 bytes). The IV of file *i* (0-based)
  starts from the MD5 of the instanceID (UTF-8) followed by the AES key, 16 bytes; before each
  file, byte ``i % 16`` of that seed is incremented (wrapping at 256) and the seed so far is the IV;
- ``<base64EncryptedElementSignature>``: RSA-OAEP of the MD5 of the lines ``formId``, ``version``
  (if any), ``base64EncryptedKey``, ``instanceID``, then ``name::md5hex`` of each decrypted file
  (media, then ``submission.xml``), each line ending in a newline. Checking it tells an altered or
  mismatched file apart from a good one (CFB itself has no integrity check).

Nothing here writes to the database: :func:`read_encrypted_submissions` decrypts and validates
every submission first, and raises :class:`OdkDecryptError` (naming the file and the reason, in
English and French) on the first one that does not open; the importer then stores all or nothing.

Repeat groups: in the decrypted XML each entry of a repeat is one element repeated at the
repeat's path (``<personnes><personne>...</personne><personne>...</personne></personnes>``; an
inner repeat inside each entry of its enclosing one). :func:`read_encrypted_export` turns the
entries of the repeats asked for into the same :class:`~commonground.voices.xlsform.RepeatEntry`
lists the KoBo XLSX and ODK Central ZIP readers give, so ``kobo.import_submission_rows`` counts
them with the same code. The XML holds the whole submission: no element of a repeat is no entry.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.decrepit.ciphers.modes import CFB  # ODK's cipher mode (see signature)
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from django.utils.translation import gettext as _

from commonground.core.importing import MAX_FIELD_CHARS
from commonground.voices.xlsform import ExportRows, Question, Repeat, RepeatEntry, XLSForm

if TYPE_CHECKING:
    from commonground.voices.models import ReportForm

#: RSA key size ``odk-keygen`` makes (ODK accepts any; 3072 bits is the current advice).
RSA_BITS = 3072
#: The manifest's file name, as ODK Briefcase and Central's "raw" downloads keep it.
MANIFEST = "submission.xml"
#: Largest encrypted file accepted, in bytes: a submission's XML is small; this bounds the work.
MAX_FILE_BYTES = 20 * 1024 * 1024

#: The attribute of a repeat's template (JavaRosa, Enketo): a template is never an entry.
TEMPLATE_ATTRIBUTE = "{http://openrosa.org/javarosa}template"

#: Java's ``OAEPWithSHA256AndMGF1Padding`` as ODK Collect (BouncyCastle) and Enketo use it.
ODK_OAEP = OAEP(
    mgf=MGF1(algorithm=hashes.SHA1()),  # noqa: S303  # ODK's format fixes MGF1-SHA1 (safe in OAEP)
    algorithm=hashes.SHA256(),
    label=None,
)


class OdkDecryptError(Exception):
    """A submission that cannot be read: names the file and the reason, in English and French."""

    def __init__(self, where: str, reason: str, reason_fr: str) -> None:
        super().__init__(f"{where}: {reason} / {reason_fr}")
        self.where = where
        self.reason = reason
        self.reason_fr = reason_fr


@dataclass
class Manifest:
    """What a ``submission.xml`` manifest says, and where its files are read from."""

    where: str
    form_id: str
    version: str | None
    encrypted_key: str
    instance_id: str
    xml_file: str
    media: list[str] = field(default_factory=list)
    signature: str = ""


def generate_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)


def private_key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_key_for_xlsform(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> str:
    """The text to paste in the XLSForm ``settings`` sheet, column ``public_key``.

    ODK wants the base64 of the DER SubjectPublicKeyInfo on one line, without PEM armour.
    """
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode("ascii")


def load_private_key(pem: bytes, where: str) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise OdkDecryptError(
            where, "not an unencrypted PEM private key", "pas une clé privée PEM non chiffrée"
        ) from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise OdkDecryptError(where, "not an RSA private key", "pas une clé privée RSA")
    return key


def iv_seed(instance_id: str, aes_key: bytes) -> bytearray:
    """The fixed part of every file's IV: MD5(instanceID, key), repeated to 16 bytes."""
    digest = hashlib.md5(instance_id.encode("utf-8") + aes_key, usedforsecurity=False).digest()
    return bytearray(digest[i % len(digest)] for i in range(16))


def file_ivs(instance_id: str, aes_key: bytes, count: int) -> list[bytes]:
    """The IVs of the ``count`` files of one submission, in encryption order."""
    seed = iv_seed(instance_id, aes_key)
    ivs = []
    for counter in range(count):
        seed[counter % 16] = (seed[counter % 16] + 1) % 256
        ivs.append(bytes(seed))
    return ivs


def aes_cfb_decrypt(aes_key: bytes, iv: bytes, data: bytes) -> bytes:
    """``AES/CFB/PKCS5Padding`` decryption; ``ValueError`` when the padding is wrong."""
    decryptor = Cipher(algorithms.AES(aes_key), CFB(iv)).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


def signature_source(manifest: Manifest, files: list[tuple[str, bytes]]) -> bytes:
    """The text whose MD5 ODK encrypts as the element signature (see the module's note)."""
    lines = [manifest.form_id]
    if manifest.version:
        lines.append(manifest.version)
    lines += [manifest.encrypted_key, manifest.instance_id]
    for name, plain in files:
        md5 = hashlib.md5(plain, usedforsecurity=False).hexdigest()
        lines.append(f"{name}::{md5}")
    return "".join(line + "\n" for line in lines).encode("utf-8")


def local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def parse_xml(data: bytes, where: str) -> ElementTree.Element:
    """Parse XML that came from outside; a document type declaration is refused outright."""
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise OdkDecryptError(
            where, "XML with a document type declaration", "XML avec une déclaration DOCTYPE"
        )
    try:
        return ElementTree.fromstring(data)  # noqa: S314  # DOCTYPE refused above: nothing expands
    except ElementTree.ParseError as exc:
        raise OdkDecryptError(where, f"not well-formed XML ({exc})", "XML mal formé") from exc


def child_text(root: ElementTree.Element, name: str) -> str:
    for element in root.iter():
        if local(element.tag) == name:
            return (element.text or "").strip()
    return ""


def read_manifest(data: bytes, where: str) -> Manifest | None:
    """The manifest's fields, or ``None`` when this ``submission.xml`` is not encrypted."""
    root = parse_xml(data, where)
    if root.get("encrypted", "").lower() != "yes":
        return None
    manifest = Manifest(
        where=where,
        form_id=root.get("id", ""),
        version=root.get("version") or None,
        encrypted_key=child_text(root, "base64EncryptedKey"),
        instance_id=child_text(root, "instanceID"),
        xml_file=child_text(root, "encryptedXmlFile"),
        signature=child_text(root, "base64EncryptedElementSignature"),
    )
    for media in root:
        if local(media.tag) == "media":
            manifest.media += [(f.text or "").strip() for f in media if local(f.tag) == "file"]
    for name in ("encrypted_key", "instance_id", "xml_file"):
        if not getattr(manifest, name):
            raise OdkDecryptError(
                where, f"the manifest has no {name}", f"le manifeste n'a pas de {name}"
            )
    return manifest


def rsa_decrypt(private_key: rsa.RSAPrivateKey, text: str, where: str, what: str) -> bytes:
    try:
        return private_key.decrypt(base64.b64decode(text, validate=True), ODK_OAEP)
    except (ValueError, binascii.Error) as exc:
        raise OdkDecryptError(
            where,
            f"the {what} does not open with this private key (wrong key for this form?)",
            f"{what} : ne s'ouvre pas avec cette clé privée (mauvaise clé pour ce formulaire ?)",
        ) from exc


def decrypt_submission(
    manifest: Manifest, read: dict[str, bytes], private_key: rsa.RSAPrivateKey
) -> bytes:
    """The submission's XML, decrypted and checked against the element signature."""
    where = manifest.where
    aes_key = rsa_decrypt(private_key, manifest.encrypted_key, where, "base64EncryptedKey")
    if len(aes_key) != 32:
        raise OdkDecryptError(where, "the AES key is not 256 bits", "la clé AES n'a pas 256 bits")
    names = [*manifest.media, manifest.xml_file]
    ivs = file_ivs(manifest.instance_id, aes_key, len(names))
    plain_files: list[tuple[str, bytes]] = []
    for name, iv in zip(names, ivs, strict=True):
        if name not in read:
            raise OdkDecryptError(
                where, f"the file {name} is missing", f"le fichier {name} est absent"
            )
        try:
            plain = aes_cfb_decrypt(aes_key, iv, read[name])
        except ValueError as exc:
            raise OdkDecryptError(
                f"{where}: {name}", "does not decrypt (altered file?)", "ne se déchiffre pas"
            ) from exc
        plain_files.append((name.removesuffix(".enc"), plain))
    if manifest.signature:
        expected = rsa_decrypt(private_key, manifest.signature, where, "element signature")
        source = signature_source(manifest, plain_files)
        if hashlib.md5(source, usedforsecurity=False).digest() != expected:
            raise OdkDecryptError(
                where,
                "the element signature does not match (altered or mixed-up files)",
                "la signature ne correspond pas (fichiers altérés ou mélangés)",
            )
    return plain_files[-1][1]


def flatten(element: ElementTree.Element, prefix: str = "") -> dict[str, str]:
    """``<group><question>v</question></group>`` as ``{"group/question": "v"}``.

    Paths are those of KoBo and ODK Central exports (``group/question``, ``meta/instanceID``).
    An element repeated among its siblings (a repeat group) is numbered from 1:
    ``household[1]/name``, ``household[2]/name``.
    """
    flat: dict[str, str] = {}
    children = list(element)
    counts: dict[str, int] = {}
    for child in children:
        counts[local(child.tag)] = counts.get(local(child.tag), 0) + 1
    seen: dict[str, int] = {}
    for child in children:
        name = local(child.tag)
        seen[name] = seen.get(name, 0) + 1
        step = f"{name}[{seen[name]}]" if counts[name] > 1 else name
        path = f"{prefix}{step}"
        if len(child):
            flat.update(flatten(child, path + "/"))
        else:
            flat[path] = (child.text or "").strip()
    return flat


def submission_row(xml: bytes, manifest: Manifest) -> dict[str, str]:
    """One decrypted submission as a flat row, keyed like the export columns."""
    return root_row(parse_xml(xml, f"{manifest.where}: {manifest.xml_file}"), manifest)


def root_row(root: ElementTree.Element, manifest: Manifest) -> dict[str, str]:
    row = flatten(root)
    row.setdefault("meta/instanceID", manifest.instance_id)
    if row["meta/instanceID"] != manifest.instance_id:
        raise OdkDecryptError(
            manifest.where,
            "the decrypted instanceID differs from the manifest's",
            "l'instanceID déchiffré diffère de celui du manifeste",
        )
    return row


@dataclass
class Folder:
    """The files of one submission: the manifest and its siblings, by name."""

    where: str
    manifest: bytes
    files: dict[str, bytes]


def bounded_read(path: Path) -> bytes:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise OdkDecryptError(str(path), "file too large", "fichier trop gros")
    return path.read_bytes()


def folders_in_directory(root: Path) -> Iterator[Folder]:
    for dirpath, _dirs, names in sorted(os.walk(root)):
        if MANIFEST not in names:
            continue
        folder = Path(dirpath)
        files = {n: bounded_read(folder / n) for n in sorted(names) if n.endswith(".enc")}
        yield Folder(str(folder / MANIFEST), bounded_read(folder / MANIFEST), files)


def folders_in_zip(path: Path) -> Iterator[Folder]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise OdkDecryptError(str(path), "not a zip file", "pas un fichier zip") from exc
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if any(i.file_size > MAX_FILE_BYTES for i in infos):
            raise OdkDecryptError(str(path), "a file is too large", "un fichier est trop gros")
        by_folder: dict[str, dict[str, bytes]] = {}
        for info in infos:
            folder, _, name = info.filename.rpartition("/")
            by_folder.setdefault(folder, {})[name] = archive.read(info)
    for folder in sorted(by_folder):
        files = by_folder[folder]
        if MANIFEST in files:
            enc = {n: b for n, b in files.items() if n.endswith(".enc")}
            where = f"{path}!{folder + '/' if folder else ''}{MANIFEST}"
            yield Folder(where, files[MANIFEST], enc)


def submission_folders(paths_or_zip: str | Path | Iterable[str | Path]) -> Iterator[Folder]:
    """Every submission under the given zip files, folders or manifest files."""
    paths = [paths_or_zip] if isinstance(paths_or_zip, str | Path) else list(paths_or_zip)
    for item in paths:
        path = Path(item)
        if not path.exists():
            raise OdkDecryptError(str(path), "no such file or folder", "fichier ou dossier absent")
        if path.is_dir():
            yield from folders_in_directory(path)
        elif zipfile.is_zipfile(path):
            yield from folders_in_zip(path)
        else:
            siblings = {p.name: bounded_read(p) for p in sorted(path.parent.glob("*.enc"))}
            yield Folder(str(path), bounded_read(path), siblings)


def read_encrypted_submissions(
    paths_or_zip: str | Path | Iterable[str | Path], private_key: rsa.RSAPrivateKey
) -> list[dict[str, str]]:
    """Decrypt every encrypted submission found; one flat row each (``group/question`` keys).

    Accepts a zip (as ODK Briefcase or a copy of its storage folder makes), a folder holding
    instance folders (``<instance>/submission.xml`` and ``submission.xml.enc``), a manifest file,
    or a list of these. All are decrypted before anything is returned: the first one that does
    not open raises :class:`OdkDecryptError` and no row comes back. A ``submission.xml`` that is
    not encrypted is refused too (it belongs in the plain export importer).
    """
    return read_encrypted_export(paths_or_zip, private_key).rows


def read_encrypted_export(
    paths_or_zip: str | Path | Iterable[str | Path],
    private_key: rsa.RSAPrivateKey,
    form: XLSForm | None = None,
    repeats: Iterable[str] = (),
) -> ExportRows:
    """The submissions as :func:`read_encrypted_submissions` reads them, and, for the repeats
    asked for (paths of ``form``'s repeat groups, with their enclosing repeats), their entries:
    ``entries[repeat][i]`` belong to ``rows[i]``, as ``xlsform.read_export`` gives them.

    An entry holding an answer that is no question of its repeat group (another form, another
    version?) is refused, naming the submission's file, its instanceID and the element.
    """
    chain = repeat_chain(form, repeats, str(paths_or_zip))
    export = ExportRows(name=str(paths_or_zip), header=[])
    export.entries = {repeat.path: [] for repeat in chain}
    found = 0
    for folder in submission_folders(paths_or_zip):
        found += 1
        manifest = read_manifest(folder.manifest, folder.where)
        if manifest is None:
            raise OdkDecryptError(
                folder.where,
                "this submission is not encrypted (import the plain export instead)",
                "cette soumission n'est pas chiffrée (importez l'export ordinaire)",
            )
        xml = decrypt_submission(manifest, folder.files, private_key)
        root = parse_xml(xml, f"{manifest.where}: {manifest.xml_file}")
        export.rows.append(root_row(root, manifest))
        if form is not None and chain:
            for path, entries in submission_entries(root, manifest, form, chain).items():
                export.entries[path].append(entries)
    if not found:
        raise OdkDecryptError(
            str(paths_or_zip), "no submission.xml found", "aucun submission.xml trouvé"
        )
    return export


def repeat_chain(form: XLSForm | None, repeats: Iterable[str], where: str) -> list[Repeat]:
    """The repeats to read: each one asked for, after its enclosing repeats."""
    chain: list[Repeat] = []
    for path in dict.fromkeys(r for r in repeats if r):
        found = form.chain(path) if form is not None else []
        if not found:
            raise OdkDecryptError(
                where,
                f"the XLSForm has no repeat group {path}",
                f"le XLSForm n'a pas de groupe répété {path}",
            )
        chain += [r for r in found if r not in chain]
    return chain


def submission_entries(
    root: ElementTree.Element, manifest: Manifest, form: XLSForm, chain: list[Repeat]
) -> dict[str, list[RepeatEntry]]:
    """One submission's entries of each repeat in ``chain`` (outer repeats first)."""
    file = f"{manifest.where}: {manifest.xml_file} ({manifest.instance_id})"
    repeat_paths = {r.path for r in form.repeats}
    # Each repeat's entry elements, with the element path that names them (``a/b[2]/c[1]``).
    found: dict[str, list[tuple[str, ElementTree.Element]]] = {"": [("", root)]}
    entries: dict[str, list[RepeatEntry]] = {}
    for repeat in chain:
        inside = repeat.path[len(repeat.parent) + 1 :] if repeat.parent else repeat.path
        elements = [
            hit
            for shown, element in found.get(repeat.parent, [])
            for hit in descend(element, shown, inside.split("/"))
        ]
        found[repeat.path] = elements
        questions = {q.path: q for q in repeat.questions}
        entries[repeat.path] = [
            RepeatEntry(
                _("{file}, element {path}").format(file=file, path=shown),
                None,
                entry_values(element, repeat, shown, questions, repeat_paths, file, form),
            )
            for shown, element in elements
        ]
    return entries


def descend(
    element: ElementTree.Element, shown: str, steps: list[str]
) -> list[tuple[str, ElementTree.Element]]:
    """The elements at ``steps`` below ``element``, each with its path (a step that repeats
    numbered from 1, the last step always: ``personnes/personne[2]``)."""
    name, rest = steps[0], steps[1:]
    matches = [c for c in element if local(c.tag) == name and c.get(TEMPLATE_ATTRIBUTE) is None]
    hits: list[tuple[str, ElementTree.Element]] = []
    for number, child in enumerate(matches, start=1):
        step = f"{name}[{number}]" if not rest or len(matches) > 1 else name
        path = f"{shown}/{step}" if shown else step
        hits += descend(child, path, rest) if rest else [(path, child)]
    return hits


def entry_values(
    entry: ElementTree.Element,
    repeat: Repeat,
    shown: str,
    questions: dict[str, Question],
    repeat_paths: set[str],
    file: str,
    form: XLSForm,
) -> dict[str, str]:
    """An entry's answers keyed by question path (``group/repeat/question``); an inner repeat's
    elements are its own entries, not answers of this one."""
    if not len(entry) and (entry.text or "").strip():
        raise OdkDecryptError(
            _("{file}, element {path}").format(file=file, path=shown),
            f"an entry of the repeat group {repeat.path} holds no questions",
            f"une entrée du groupe répété {repeat.path} ne contient aucune question",
        )
    values: dict[str, str] = {}
    pending = [(entry, repeat.path, shown)]
    while pending:
        element, path, where = pending.pop()
        for child in element:
            name = local(child.tag)
            child_path, child_shown = f"{path}/{name}", f"{where}/{name}"
            if child_path in repeat_paths:
                continue
            if len(child):
                pending.append((child, child_path, child_shown))
                continue
            text = (child.text or "").strip()
            if child_path in questions:
                if len(text) > MAX_FIELD_CHARS:
                    raise OdkDecryptError(
                        _("{file}, element {path}").format(file=file, path=child_shown),
                        f"the value is longer than {MAX_FIELD_CHARS} characters",
                        f"la valeur dépasse {MAX_FIELD_CHARS} caractères",
                    )
                values[child_path] = text
            elif text:
                raise OdkDecryptError(
                    _("{file}, element {path}").format(file=file, path=child_shown),
                    f"not a question of the repeat group {repeat.path} of the form "
                    f"{form.form_id} (another form, or another version of it?)",
                    f"pas une question du groupe répété {repeat.path} du formulaire "
                    f"{form.form_id} (un autre formulaire, ou une autre version ?)",
                )
    return values


def read_encrypted_for_form(
    paths_or_zip: str | Path | Iterable[str | Path],
    private_key: rsa.RSAPrivateKey,
    report_form: ReportForm,
) -> ExportRows:
    """The submissions and the entries the form's stored mapping needs (the repeat group it
    counts people from, if any), ready for ``kobo.import_submission_rows(..., entries=...)``."""
    from commonground.voices.kobo_models import FormMapping

    mapping = FormMapping.objects.filter(report_form=report_form).first()
    repeat = mapping.people.get("repeat", "") if mapping is not None else ""
    if mapping is None or not repeat:
        return read_encrypted_export(paths_or_zip, private_key)
    form = XLSForm(
        mapping.form_id,
        mapping.version,
        mapping.title,
        [Question.from_dict(q) for q in mapping.questions],
        repeats=[Repeat.from_dict(r) for r in mapping.repeats],
    )
    return read_encrypted_export(paths_or_zip, private_key, form, [repeat])
