"""Open a Word package (.docx/.docm) safely: refuse what is not a zip, encrypted, corrupt, too big or unsafe XML.

Every expected failure raises an UnreadableFile subclass with a stable ``code`` and a message that names
the file and says what to do; bugs raise as they are. Macros in a .docm are never run: only XML is read up
front; another part (an embedded document a ``w:altChunk`` pulls in) is read on request, within what is
left of the same unzipped-size budget.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from models.errors import FileLimitExceeded, UnreadableFile
from models.settings import Limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OFFICE_DOCUMENT = "/officeDocument"  # relationship types end with this (transitional and strict)
_STRICT_W = b"http://purl.oclc.org/ooxml/wordprocessingml/main"
_TRANSITIONAL_W = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CHUNK = 64 * 1024
_MB = 1024 * 1024
# No entities, no DTD, no network: a DOCTYPE is refused before parsing, this is the second line.
# huge_tree stays off: libxml2 then caps nesting depth, which also bounds the recursive walk.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class Package:
    """The XML parts of one Word package, read and checked; ``parse`` gives an lxml root per part."""

    name: str
    parts: dict[str, bytes] = field(default_factory=dict)
    source: Path | bytes | None = None  # where ``member`` reads other parts from
    budget: int = 0  # unzipped bytes still allowed (parts already read are counted)
    limits: Limits = field(default_factory=Limits)

    def member(self, part: str) -> bytes | None:
        """The raw bytes of any part (an XML part, or another one such as an embedded document), or None
        when there is no such part; reading it spends the package's unzipped-size budget."""
        if part in self.parts:
            return self.parts[part]
        if self.source is None:
            return None
        with _zip_errors(self.name):
            with zipfile.ZipFile(self.source if isinstance(self.source, Path) else io.BytesIO(self.source)) as zf:
                try:
                    info = zf.getinfo(part)
                except KeyError:
                    return None
                data = _read_member(zf, info, self.budget, self.name, self.limits)
        self.budget -= len(data)
        return data

    def content_type(self, part: str) -> str:
        """The part's content type from [Content_Types].xml (override, else by extension), lower case; '' if none."""
        root = self.parse("[Content_Types].xml")
        if root is None:
            return ""
        ext = posixpath.splitext(part)[1].lstrip(".").lower()
        found = ""
        for el in root:
            if not isinstance(el.tag, str):
                continue
            local = etree.QName(el).localname
            if local == "Override" and (el.get("PartName") or "").lstrip("/") == part:
                return (el.get("ContentType") or "").lower()
            if local == "Default" and (el.get("Extension") or "").lower() == ext:
                found = (el.get("ContentType") or "").lower()
        return found

    def parse(self, part: str) -> etree._Element | None:
        """The parsed root of a part, or None when the package has no such part."""
        data = self.parts.get(part)
        if data is None:
            return None
        # Strict OOXML differs from transitional mostly by namespace; read it as transitional.
        if _STRICT_W in data:
            data = data.replace(_STRICT_W, _TRANSITIONAL_W)
        try:
            root = etree.fromstring(data, _PARSER)
        except etree.XMLSyntaxError as e:
            raise UnreadableFile(
                f"{self.name}: the part {part} is damaged XML ({e.msg}); ask the agency to re-save and resend it",
                code="corrupt_file",
            ) from e
        if root.getroottree().docinfo.doctype:
            raise _unsafe(self.name, part)
        return root

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationships of a part: id -> (type, target part name resolved against the part's folder)."""
        folder, base = posixpath.split(part)
        rels = self.parse(posixpath.join(folder, "_rels", base + ".rels"))
        found: dict[str, tuple[str, str]] = {}
        if rels is None:
            return found
        for rel in rels.iter(_REL_NS + "Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            found[rel.get("Id", "")] = (rel.get("Type", ""), target)
        return found

    def main_part(self) -> str:
        """Name of the main document part (normally word/document.xml)."""
        for rel_type, target in self.relationships("").values():
            if rel_type.endswith(OFFICE_DOCUMENT) and target in self.parts:
                return target
        if "word/document.xml" in self.parts:
            return "word/document.xml"
        raise UnreadableFile(
            f"{self.name}: this zip file has no Word document inside (it may be another Office file renamed); "
            "ask the agency to send the audit tool as a Word .docx or PDF",
            code="not_a_word_file",
        )


def _unsafe(name: str, part: str) -> UnreadableFile:
    return UnreadableFile(
        f"{name}: the part {part} declares a DOCTYPE, which Word never writes and which can hide content "
        "or attack the reader; the file was not read. Ask the agency to re-save it from Word and resend it",
        code="unsafe_xml",
    )


def _has_doctype(data: bytes) -> bool:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        data = data.decode("utf-16", errors="ignore").encode("utf-8")
    return b"<!DOCTYPE" in data


def _too_big(name: str, what: str, limit_mb: float) -> FileLimitExceeded:
    return FileLimitExceeded(
        f"{name}: {what} more than the {limit_mb:g} MB limit; ask the agency to remove large pictures "
        "or embedded files and resend it, or raise limits.max_unzipped_mb if it is genuine"
    )


def _check_start(path: Path, limits: Limits) -> None:
    name = path.name
    size = path.stat().st_size
    if size > limits.max_file_mb * _MB:
        raise FileLimitExceeded(
            f"{name}: the file is {size / _MB:.1f} MB, over the {limits.max_file_mb:g} MB limit; ask the agency "
            "to remove large pictures and resend it, or raise limits.max_file_mb"
        )
    with open(path, "rb") as f:
        head = f.read(len(OLE_MAGIC))
    if head == OLE_MAGIC:
        data = path.read_bytes()
        if "WordDocument".encode("utf-16-le") in data and "EncryptedPackage".encode("utf-16-le") not in data:
            raise UnreadableFile(
                f"{name}: this is an old Word 97-2003 document with a {path.suffix} name; rename it to .doc "
                "(maap converts those) or ask the agency to save it as .docx",
                code="not_a_word_file",
            )
        raise UnreadableFile(
            f"{name}: the file is password-protected or encrypted; ask the agency to send it without a password",
            code="password_protected",
        )


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, name: str, limits: Limits) -> bytes:
    """Inflate one member in chunks, stopping as soon as the package's running total passes the limit."""
    chunks = []
    total = 0
    with zf.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            total += len(chunk)
            if total > budget:
                raise _too_big(name, "unzipped, the package grows to", limits.max_unzipped_mb)
            chunks.append(chunk)
    return b"".join(chunks)


@contextmanager
def _zip_errors(name: str):
    """Turn the zip library's failures on damaged or encrypted data into UnreadableFile, naming the file."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError) as e:
        raise UnreadableFile(
            f"{name}: the file is damaged (its zip data cannot be read); ask the agency to re-save and resend it",
            code="corrupt_file",
        ) from e
    except (NotImplementedError, RuntimeError) as e:  # zipfile's errors for zip encryption / odd compression
        raise UnreadableFile(
            f"{name}: the file uses zip encryption or compression maap cannot read; ask the agency to save it "
            "again from Word without a password",
            code="corrupt_file",
        ) from e


def _read_package(source: Path | bytes, name: str, limits: Limits, budget: int) -> Package:
    """Every XML part of a zip (a file, or the bytes of an embedded one) within ``budget`` unzipped bytes."""
    package = Package(name=name, source=source, limits=limits)
    with _zip_errors(name):
        with zipfile.ZipFile(source if isinstance(source, Path) else io.BytesIO(source)) as zf:
            infos = zf.infolist()
            # Declared sizes can lie (they are re-checked while streaming) but an honest huge package stops here.
            if sum(i.file_size for i in infos) > budget:
                raise _too_big(name, "unzipped, the package would be", limits.max_unzipped_mb)
            for info in infos:
                if info.is_dir() or not info.filename.lower().endswith((".xml", ".rels")):
                    continue
                data = _read_member(zf, info, budget, name, limits)
                budget -= len(data)
                if _has_doctype(data):
                    raise _unsafe(name, info.filename)
                package.parts[info.filename] = data
    package.budget = budget
    return package


def open_package(path: Path, limits: Limits) -> Package:
    """Read every XML part of a Word package after the safety checks; raises UnreadableFile with a code."""
    path = Path(path)
    name = path.name
    _check_start(path, limits)
    if not zipfile.is_zipfile(path):
        raise UnreadableFile(
            f"{name}: this is not a Word document (not a .docx package); ask the agency to send the audit tool "
            "as a Word .docx or PDF",
            code="not_a_word_file",
        )
    return _read_package(path, name, limits, int(limits.max_unzipped_mb * _MB))


def open_embedded(data: bytes, outer: Package, part: str) -> Package:
    """A Word package embedded in another (an altChunk's .docx), read within what is left of the outer budget.

    Its size counts against the outer package: a zip bomb hidden inside stops at the same limit. Raises
    UnreadableFile (code ``corrupt_file``, ``limit_exceeded`` or ``unsafe_xml``) as open_package does.
    """
    name = f"{outer.name} (embedded {part})"
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableFile(f"{name}: not a Word package", code="not_a_word_file")
    inner = _read_package(data, name, outer.limits, outer.budget)
    outer.budget = inner.budget
    return inner
