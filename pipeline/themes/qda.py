"""REFI-QDA export: the codebook as a .qdc file and tagged returns as a .qdpx project.

Analysts continue in NVivo, ATLAS.ti, MAXQDA, QualCoder or Taguette. Follows the REFI-QDA standard
(Codebook and Project exchange, v1.0 namespaces):

- ``.qdc``: ``<CodeBook xmlns="urn:QDA-XML:codebook:1.0">`` with nested ``<Code>`` elements (child themes
  inside their parent) and each theme's definition as ``<Description>``.
- ``.qdpx``: a zip of ``project.qde`` (``<Project xmlns="urn:QDA-XML:project:1.0">``) and one UTF-8 plain-text
  file per return under ``Sources/``; each tagged sentence is a ``<PlainTextSelection>`` whose character
  offsets point into that text, coded with the most specific themes found in it (a parent's count comes
  from its children in the QDA tool, so the roll-up is not coded twice). Negated mentions are not coded.

GUIDs are derived from theme ids and file hashes, so exporting again gives the same GUIDs and an analyst
can merge a later export. Source texts hold answers only, never header names (child, practitioner).
"""

from __future__ import annotations

import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from xml.etree import ElementTree as ET

from pydantic import ValidationError

from models.errors import ConfigError
from models.record import AuditReturn
from pipeline.themes.codebook import Codebook

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
_GUIDS = uuid.UUID("6f1d4a52-8a8e-4c39-9a57-2a1b7e0c5d11")  # namespace for maap's stable GUIDs
_PALETTE = ["#E6194B", "#3CB44B", "#4363D8", "#F58231", "#911EB4", "#46F0F0", "#F032E6", "#BCF60C",
            "#008080", "#9A6324", "#800000", "#808000", "#000075", "#808080", "#FFE119", "#AAFFC3"]


def guid(kind: str, key: str) -> str:
    """A stable GUID for one thing of a kind ("code", "source", ...) named by key."""
    return str(uuid.uuid5(_GUIDS, f"{kind}:{key}"))


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote: counts an analyst can check against the workbook."""

    sources: int
    selections: int
    codings: int
    not_found: int  # evidence sentences no longer found in their answer text (record edited after tagging)


def _codes(parent: ET.Element, codebook: Codebook, ns: str, theme_id: str | None) -> None:
    for t in codebook.children(theme_id):
        index = codebook.ids().index(t.id)
        el = ET.SubElement(parent, f"{{{ns}}}Code", {
            "guid": guid("code", t.id), "name": t.label, "isCodable": "true", "color": _PALETTE[index % len(_PALETTE)],
        })
        if t.definition:
            ET.SubElement(el, f"{{{ns}}}Description").text = t.definition
        _codes(el, codebook, ns, t.id)


def codebook_xml(codebook: Codebook) -> bytes:
    """The codebook as a REFI-QDA .qdc document (UTF-8 XML)."""
    ET.register_namespace("", CODEBOOK_NS)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": f"maap codebook {codebook.version}"})
    _codes(ET.SubElement(root, f"{{{CODEBOOK_NS}}}Codes"), codebook, CODEBOOK_NS, None)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write_codebook(codebook: Codebook, path: Path) -> None:
    """Write the codebook as a .qdc file."""
    Path(path).write_bytes(codebook_xml(codebook))


def source_text(record: AuditReturn) -> tuple[str, dict[str, int]]:
    """The plain text an analyst codes for one return, and where each answer's text starts in it."""
    lines = [record.source.file]
    if record.header.agency:
        lines.append(f"Agency: {record.header.agency}")
    lines.append(f"Template: {record.template.id} v{record.template.version}")
    text = "\n".join(lines) + "\n"
    starts: dict[str, int] = {}
    for a in record.answers:
        answer = _plain(a.answer)
        if not answer.strip():
            continue
        text += f"\n[{a.id}] {_plain(a.question)}\n"
        starts[a.id] = len(text)
        text += answer + "\n"
    return text, starts


def _plain(text: str) -> str:
    # One line-ending convention, so character offsets mean the same in every QDA tool.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _selections(record: AuditReturn, codebook: Codebook, starts: dict[str, int]) -> tuple[dict, int]:
    """(start, end) -> the most specific theme ids coding that span; and how many sentences were not found."""
    known = set(codebook.ids())
    answers = {a.id: _plain(a.answer) for a in record.answers}
    spans: dict[tuple[int, int], set[str]] = {}
    missing = 0
    for tag in record.themes:
        if tag.id not in known:
            continue  # a theme disabled since tagging: nothing to code it with
        for ev in tag.evidence:
            at = answers.get(ev.answer, "").find(_plain(ev.sentence)) if ev.answer in starts else -1
            if at < 0:
                missing += 1
                continue
            start = starts[ev.answer] + at
            spans.setdefault((start, start + len(_plain(ev.sentence))), set()).add(tag.id)
    for span, ids in spans.items():
        rolled_up = {a for tid in ids for a in codebook.ancestors(tid)}
        spans[span] = ids - rolled_up
    return spans, missing


def project_xml(records: list[AuditReturn], codebook: Codebook, name: str, now: str) -> tuple[bytes, dict[str, str], ExportSummary]:
    """The project.qde document, the source texts by file name inside the zip, and a summary."""
    ET.register_namespace("", PROJECT_NS)
    ns = PROJECT_NS
    user = guid("user", "maap")
    root = ET.Element(f"{{{ns}}}Project", {
        "name": name, "origin": "maap", "creatingUserGUID": user, "creationDateTime": now, "modifiedDateTime": now,
    })
    users = ET.SubElement(root, f"{{{ns}}}Users")
    ET.SubElement(users, f"{{{ns}}}User", {"guid": user, "name": "maap"})
    _codes(ET.SubElement(ET.SubElement(root, f"{{{ns}}}CodeBook"), f"{{{ns}}}Codes"), codebook, ns, None)
    sources_el = ET.SubElement(root, f"{{{ns}}}Sources")
    files: dict[str, str] = {}
    n_sel = n_cod = n_missing = 0
    for record in records:
        src = guid("source", record.source.sha256)
        text, starts = source_text(record)
        files[f"Sources/{src}.txt"] = text
        el = ET.SubElement(sources_el, f"{{{ns}}}TextSource", {
            "guid": src, "name": record.source.file, "plainTextPath": f"internal://{src}.txt",
            "creatingUser": user, "creationDateTime": now,
        })
        desc = f"Template {record.template.id} v{record.template.version}"
        if record.header.agency:
            desc = f"Agency: {record.header.agency}. {desc}"
        ET.SubElement(el, f"{{{ns}}}Description").text = desc
        spans, missing = _selections(record, codebook, starts)
        n_missing += missing
        for (start, end), ids in sorted(spans.items()):
            key = f"{record.source.sha256}:{start}:{end}"
            sel = ET.SubElement(el, f"{{{ns}}}PlainTextSelection", {
                "guid": guid("selection", key), "startPosition": str(start), "endPosition": str(end),
                "creatingUser": user, "creationDateTime": now,
            })
            n_sel += 1
            for tid in sorted(ids, key=codebook.ids().index):
                coding = ET.SubElement(sel, f"{{{ns}}}Coding", {
                    "guid": guid("coding", f"{key}:{tid}"), "creatingUser": user, "creationDateTime": now,
                })
                ET.SubElement(coding, f"{{{ns}}}CodeRef", {"targetGUID": guid("code", tid)})
                n_cod += 1
    ET.indent(root)
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml, files, ExportSummary(len(records), n_sel, n_cod, n_missing)


def write_project(records: list[AuditReturn], codebook: Codebook, path: Path, name: str = "maap audit returns") -> ExportSummary:
    """Write tagged returns as a REFI-QDA .qdpx project (zip of project.qde and Sources/*.txt)."""
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    xml, files, summary = project_xml(records, codebook, name, now)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", xml)
        for member, text in files.items():
            z.writestr(member, text.encode("utf-8"))
    return summary


def load_records(folder: Path) -> list[AuditReturn]:
    """Every AuditReturn JSON under a folder (other JSON files, e.g. ledgers, are skipped), by file name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(f"{folder}: not a folder of records; give the workspace's records/ folder")
    records = []
    for path in sorted(folder.rglob("*.json")):
        text = path.read_text(encoding="utf-8")
        if '"schema_version"' not in text or '"source"' not in text:
            continue
        try:
            records.append(AuditReturn.model_validate_json(text))
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"{path}: not a valid record ({where}: {first['msg']}); re-run processing for it") from e
    return records
