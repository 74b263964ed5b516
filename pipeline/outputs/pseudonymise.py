"""Pseudonymise records for outputs: people's names become stable codes, in the header and in answer text."""

from __future__ import annotations

import hashlib
import re
import secrets
from pathlib import Path

from models.record import AuditReturn
from pipeline.text import normalise

_PEOPLE = {"child": "Child", "practitioner": "Practitioner", "auditor": "Auditor"}


def load_salt(path: Path) -> bytes:
    """A workspace's secret salt, created on first use, so codes cannot be reversed by guessing names."""
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    salt = secrets.token_bytes(16)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(salt.hex() + "\n")
    return salt


def code_for(kind: str, name: str, salt: bytes) -> str:
    """The same name always gets the same code within a workspace: e.g. 'Child-3F2A9C'."""
    digest = hashlib.sha256(salt + normalise(name).encode()).hexdigest()[:6].upper()
    return f"{kind}-{digest}"


def _name_pattern(name: str) -> re.Pattern | None:
    parts = [p for p in re.split(r"[\s,]+", name.strip()) if len(p) > 1]
    if not parts:
        return None
    alternatives = [re.escape(name.strip())] + [re.escape(p) for p in parts if len(p) > 2]
    return re.compile(r"\b(?:" + "|".join(sorted(set(alternatives), key=len, reverse=True)) + r")\b", re.I)


def pseudonymise(record: AuditReturn, salt: bytes) -> AuditReturn:
    """A copy of the record with child, practitioner and auditor names replaced by codes everywhere."""
    header = record.header.model_copy()
    replacements: list[tuple[re.Pattern, str]] = []
    for key, kind in _PEOPLE.items():
        name = getattr(header, key)
        if name:
            code = code_for(kind, name, salt)
            setattr(header, key, code)
            if (pattern := _name_pattern(name)) is not None:
                replacements.append((pattern, code))

    def scrub(text: str) -> str:
        for pattern, code in replacements:
            text = pattern.sub(code, text)
        return text

    answers = [a.model_copy(update={"answer": scrub(a.answer)}) for a in record.answers]

    def scrub_tags(tags):
        return [t.model_copy(update={
            field: [e.model_copy(update={"sentence": scrub(e.sentence)}) for e in getattr(t, field)]
            for field in ("evidence", "negated", "doubted")}) for t in tags]

    comments = [c.model_copy(update={"text": scrub(c.text), "anchor": scrub(c.anchor), "author": ""})
                for c in record.comments]
    flags = [f.model_copy(update={"message": scrub(f.message)}) for f in record.flags]
    source = record.source.model_copy(update={"file": scrub(record.source.file)})
    # Every quoted sentence is scrubbed: affirmed, ruled-out and set-aside themes alike.
    return record.model_copy(update={"source": source, "header": header, "answers": answers,
                                     "themes": scrub_tags(record.themes),
                                     "negated_themes": scrub_tags(record.negated_themes),
                                     "doubted_themes": scrub_tags(record.doubted_themes),
                                     "comments": comments, "flags": flags})


def pseudonymise_all(records: list[AuditReturn], salt: bytes) -> list[AuditReturn]:
    """Every record pseudonymised with the same salt, so one person has one code across all of them."""
    return [pseudonymise(r, salt) for r in records]
