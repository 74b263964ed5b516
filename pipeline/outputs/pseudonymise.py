"""Pseudonymise records for shared outputs: every person named in a return becomes a stable role code.

The child is "Child A" (one letter per case, the same in every agency's return about that child), a family
member the text introduces with a relation is "Mother of Child A" or "Brother of Child A", and everyone else
(practitioners, auditors, people named without a relation) is "Person 3". Who counts as a name is decided by
pipeline.outputs.names. Letters and numbers follow a salted hash of each name, so they do not depend on the order
returns arrived in and do not reveal names' alphabetical order; adding a case to the set can move them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from models.record import AuditReturn
from pipeline.outputs.names import (Person, agency_words, header_people, is_word, lower_case_words, people_in,
                                    record_texts)
from pipeline.text import normalise

_FAMILY = {"mother", "father", "stepmother", "stepfather", "mother's partner", "grandmother", "grandfather", "aunt",
           "uncle", "cousin", "brother", "sister", "sibling", "boyfriend", "girlfriend", "friend", "partner",
           "foster carer", "carer"}
_ROLE_LABELS = {"mother's partner": "Partner of mother", "foster carer": "Foster carer"}


def load_salt(path: Path) -> bytes:
    """A workspace's secret salt, created on first use, so codes cannot be reversed by guessing names."""
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    salt = secrets.token_bytes(16)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(salt.hex() + "\n")
    return salt


def code_for(kind: str, name: str, salt: bytes) -> str:
    """A salted digest of a name, e.g. 'Child-3F2A9C': the same name always gets the same one within a workspace.

    Used to order cases and people before they are lettered and numbered."""
    digest = hashlib.sha256(salt + normalise(name).encode()).hexdigest()[:6].upper()
    return f"{kind}-{digest}"


def case_key(record: AuditReturn) -> str:
    """The child a return is about, normalised so every agency's spelling of the same name groups together."""
    people = header_people(record.header.child, "child")
    return " / ".join(p.key for p in people) if people else normalise(record.header.child or "")


def _letters(n: int) -> str:
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _merge(people: list[Person]) -> list[Person]:
    """One Person per human: a first name alone joins the full name it is part of; a titled surname joins only a
    person whose own title form it matches ("Mr Osei" joins "Mr Daniel Osei", not the child "Isla Osei")."""
    merged: list[Person] = []
    for p in people:
        target = None
        for q in merged:
            if p.key == q.key or (p.forms & q.forms and p.titled):
                target = q
            elif not p.titled and len(p.parts) == 1 and p.key in q.parts:
                target = q
            elif not q.titled and len(q.parts) == 1 and q.key in p.parts and q.role not in ("child",):
                q.key = p.key
                target = q
            if target:
                break
        if target is None:
            merged.append(Person(key=p.key, role=p.role, forms=set(p.forms), titled=p.titled))
            continue
        target.forms |= p.forms
        if target.role in ("person", "professional") and p.role in _FAMILY:
            target.role = p.role
    return merged


@dataclass
class Pseudonymiser:
    """Codes for everyone named in a set of returns, and the functions that put them in place of the names."""

    case_codes: dict[str, str]            # case key -> "Child A"
    by_case: dict[str, dict[str, str]]    # case key -> form -> code, this case's people first
    everyone: dict[str, str]              # form -> code over every case
    cases: Mapping[str, str] = field(default_factory=dict)  # record sha256 -> case id, when cases are linked

    def case_of(self, record: AuditReturn) -> str:
        """The case a record belongs to: the linked case when given (pipeline.cases), else the child's name."""
        return self.cases.get(record.source.sha256) or case_key(record)

    @classmethod
    def for_records(cls, records: list[AuditReturn], salt: bytes,
                    cases: Mapping[str, str] | None = None) -> "Pseudonymiser":
        """Find every person in ``records`` and give each one code, the same across returns about one child.

        ``cases`` (record sha256 -> case id, from pipeline.cases.linking) groups returns the case linker joined
        ("Fairclough, Freya", "F.F. 11/08/2016"); without it, returns group by the child's normalised name."""
        cases = dict(cases or {})
        extra = lower_case_words([t for r in records for t in record_texts(r)])
        header_words = {p.lower() for r in records for field in (r.header.child, r.header.practitioner, r.header.auditor)
                        for person in header_people(field, "x") for p in person.parts}
        keep = agency_words(records) - header_words
        grouped: dict[str, list[AuditReturn]] = {}
        for r in records:
            grouped.setdefault(cases.get(r.source.sha256) or case_key(r), []).append(r)
        order = sorted(grouped, key=lambda k: code_for("Child", k, salt))
        case_codes = {k: f"Child {_letters(i)}" for i, k in enumerate(order)}
        cast: dict[str, list[Person]] = {k: _merge(sorted((p for r in grouped[k] for p in people_in(r, keep, extra)),
                                                          key=lambda p: -len(p.parts)))
                                         for k in order}
        # People who are not the child or family get one number across all cases when their full name is known.
        others: dict[str, list[tuple[str, Person]]] = {}
        for k in order:
            for p in cast[k]:
                if p.role not in ("child", *_FAMILY):
                    ident = p.key if len(p.parts) > 1 else f"{k}|{p.key}"
                    others.setdefault(ident, []).append((k, p))
        numbers = {ident: i + 1 for i, ident in enumerate(sorted(others, key=lambda i: code_for("Person", i, salt)))}
        by_case: dict[str, dict[str, str]] = {}
        for k in order:
            letter = case_codes[k]
            codes: dict[str, str] = {}
            children = [p for p in cast[k] if p.role == "child"]
            for i, p in enumerate(children):
                for form in p.forms:
                    codes.setdefault(form, letter if i == 0 else f"{letter}{i + 1}")
            roles_seen: dict[str, int] = {}
            for p in cast[k]:
                if p.role in _FAMILY:
                    roles_seen[p.role] = roles_seen.get(p.role, 0) + 1
                    label = _ROLE_LABELS.get(p.role, p.role.capitalize())
                    n = roles_seen[p.role]
                    code = f"{label} of {letter}" if n == 1 else f"{label} {n} of {letter}"
                    for form in p.forms:
                        codes.setdefault(form, code)
            for ident, seen in others.items():
                for case, p in seen:
                    if case == k:
                        for form in p.forms:
                            codes.setdefault(form, f"Person {numbers[ident]}")
            by_case[k] = codes
        everyone: dict[str, str] = {}
        for k in order:
            for form, code in by_case[k].items():
                everyone.setdefault(form, code)
        for k in order:
            by_case[k] = {**everyone, **by_case[k]}  # a name from another case is still replaced
        return cls(case_codes=case_codes, by_case=by_case, everyone=everyone, cases=cases)

    def text(self, text: str, case: str | None = None) -> str:
        """``text`` with every known name replaced by its code (this case's codes first, when given)."""
        if not text:
            return text
        return _compiled(self.by_case.get(case) or self.everyone)(text)

    def file_name(self, name: str) -> str:
        """A file name with names replaced, whatever the separators ("amelia_thornbury-police.docx")."""
        out = name
        for form, code in sorted(self.everyone.items(), key=lambda fc: -len(fc[0])):
            pattern = r"(?<![A-Za-z])" + r"[\s_.-]+".join(map(re.escape, form.split())) + r"(?![A-Za-z])"
            out = re.sub(pattern, code.replace(" ", "-"), out, flags=re.I)
        return out

    def record(self, record: AuditReturn) -> AuditReturn:
        """A copy of ``record`` with names replaced in the header, answers, quotes, comments, flags and file name."""
        case = self.case_of(record)

        def scrub(text: str) -> str:
            return self.text(text, case)

        h = record.header
        header = h.model_copy(update={key: scrub(getattr(h, key)) if getattr(h, key) else getattr(h, key)
                                      for key in ("auditor", "practitioner", "child", "case_status", "theme")})
        if h.child:
            header.child = self.case_codes.get(case, scrub(h.child))
        header.extra = {scrub(label): scrub(value) for label, value in h.extra.items()}
        answers = [a.model_copy(update={"answer": scrub(a.answer), "question": scrub(a.question)}) for a in record.answers]

        def scrub_tags(tags):
            return [t.model_copy(update={
                f: [e.model_copy(update={"sentence": scrub(e.sentence)}) for e in getattr(t, f)]
                for f in ("evidence", "negated", "doubted")}) for t in tags]

        comments = [c.model_copy(update={"text": scrub(c.text), "anchor": scrub(c.anchor), "author": ""})
                    for c in record.comments]
        flags = [f.model_copy(update={"message": scrub(f.message)}) for f in record.flags]
        x = record.extraction
        extraction = x.model_copy(update={"warnings": [scrub(w) for w in x.warnings],
                                          "unmatched_text": [scrub(t) for t in x.unmatched_text],
                                          "unparsed_header": {k: scrub(v) for k, v in x.unparsed_header.items()}})
        source = record.source.model_copy(update={"file": self.file_name(record.source.file)})
        if source.email:  # the sender of an emailed return is a person: left out, with the message's file name
            source.email = source.email.model_copy(update={"sender": None, "file": self.file_name(source.email.file),
                                                           "part": ""})
        # Every quoted sentence is scrubbed: affirmed, ruled-out and set-aside themes alike.
        return record.model_copy(update={"source": source, "header": header, "answers": answers,
                                         "themes": scrub_tags(record.themes),
                                         "negated_themes": scrub_tags(record.negated_themes),
                                         "doubted_themes": scrub_tags(record.doubted_themes),
                                         "comments": comments, "flags": flags, "extraction": extraction})


_CACHE: dict[int, tuple[dict, object]] = {}
_RELATION_BEFORE_CODE = re.compile(
    r"(?i:\b(?P<rel>brother|sister|sibling|mum|mummy|mother|dad|daddy|father|step-?dad|step-?father|step-?mum|"
    r"step-?mother|partner|boyfriend|girlfriend|friend|nan|nana|gran|granny|grandma|grandmother|grandad|grandpa|"
    r"grandfather|aunt|auntie|uncle|cousin|carers?))(?P<sep>,\s*|\s*\(\s*|\s+)"
    r"(?P<code>[A-Z][a-z' ]+?(?: \d+)? of Child [A-Z]+\d*)\b(?P<close>\s*\)|,(?=\s))?")


def _fold_relations(text: str) -> str:
    """ "her brother Brother of Child A was" reads "her brother was": the relation already says who it is."""
    return _RELATION_BEFORE_CODE.sub(lambda m: m.group("rel"), text)


def _compiled(codes: dict[str, str]):
    """One regex over every form, longest first; forms of ordinary words match only as written ("Mark", not
    "mark"), other names in any case ("TIANA", "tiana"). Cached per mapping for the life of the mapping."""
    cached = _CACHE.get(id(codes))
    if cached is not None and cached[0] is codes:
        return cached[1]
    alternatives = []
    for form in sorted(codes, key=len, reverse=True):
        escaped = r"\s+".join(map(re.escape, form.split()))
        alternatives.append(escaped if all(is_word(t) for t in form.split()) else f"(?i:{escaped})")
    if not alternatives:
        fn = lambda text: text  # noqa: E731
    else:
        pattern = re.compile(r"(?<![\w'’-])(?:" + "|".join(alternatives) + r")(?![\w-])")
        lower = {re.sub(r"\s+", " ", f.lower()): c for f, c in codes.items()}

        def fn(text: str) -> str:
            out = pattern.sub(lambda m: codes.get(m.group(0)) or lower[re.sub(r"\s+", " ", m.group(0).lower())], text)
            return _fold_relations(out) if " of Child " in out else out
    if len(_CACHE) > 256:
        _CACHE.clear()
    _CACHE[id(codes)] = (codes, fn)  # holding the mapping keeps its id from being reused while cached
    return fn


def pseudonymise(record: AuditReturn, salt: bytes) -> AuditReturn:
    """A copy of one record with everyone it names replaced by a code ("Child A", "Mother of Child A", "Person 2")."""
    return pseudonymise_all([record], salt)[0]


def pseudonymise_all(records: list[AuditReturn], salt: bytes,
                     cases: Mapping[str, str] | None = None) -> list[AuditReturn]:
    """Every record pseudonymised together, so one person has one code across all of them: every agency's return
    about the same child (grouped by the child's normalised name) calls that child by the same letter."""
    p = Pseudonymiser.for_records(records, salt, cases)
    return [p.record(r) for r in records]
