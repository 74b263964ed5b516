"""Who a return is about: the child's names, initials and date of birth, read from the header's child field.

Forms handled: "Freya Fairclough", "Fairclough, Freya", "FAIRCLOUGH Freya", "F.F. 11/08/2016",
"Freya Fairclough (DOB 11.08.16)", "Mia and Leo Smith", "Mia Smith; Leo Smith". A date of birth may also sit in
a details answer ("Date of birth: 11/08/2016") when the template has no header field for it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from rapidfuzz.distance import Levenshtein

from models.record import AuditReturn
from pipeline.dates import find_dates

_DOB_WORDS = re.compile(r"\b(?:d\.?\s?o\.?\s?b\.?|date of birth|born|birthday|aged?\s+\d+\s*(?:years?|yrs?)?)\s*:?", re.I)
_NOT_NAMES = {"child", "children", "baby", "sibling", "siblings", "mr", "mrs", "miss", "ms", "master", "name",
              "names", "the", "of", "male", "female", "boy", "girl", "young", "person", "yp", "cyp", "nhs", "no",
              "dob", "tbc", "n/a", "na", "none", "unknown", "not", "known", "case"}
_DOB_QUESTION = re.compile(r"\b(?:date of birth|d\.?o\.?b\.?|born)\b", re.I)
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@dataclass(frozen=True)
class Person:
    """One child: first name, surname parts, initials. ``initials_only`` when the form gave only initials."""

    first: str
    surname: tuple[str, ...]
    initials: str
    initials_only: bool = False
    rest: tuple[str, ...] = ()  # every word after the first name ("Brennan Shaw" with no hyphen)
    order_known: bool = True    # False for two bare words ("Okoro Leo" may be surname first)

    @property
    def full(self) -> str:
        return " ".join([self.first, *self.surname]).strip()


@dataclass(frozen=True)
class ChildId:
    """Everything a child field says about who the return is about."""

    people: tuple[Person, ...]
    dob: date | None
    text: str  # the field as written (never logged)
    name: str = ""  # the field without its date of birth: "Freya Fairclough (11/08/2016)" -> "Freya Fairclough"

    @property
    def richness(self) -> int:
        """How much there is to match on: full names and a date of birth beat initials alone."""
        return 2 * any(not p.initials_only for p in self.people) + (self.dob is not None)


def _fold(word: str) -> str:
    """Lower case without accents ("Zoë" -> "zoe")."""
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))


def _person(text: str) -> Person | None:
    order_known = "," in text
    if "," in text:  # "Fairclough, Freya": surname first
        last, _, first = text.partition(",")
        text = f"{first} {last}"
    words = [w for w in _WORD.findall(text) if _fold(w) not in _NOT_NAMES]
    if not words:
        return None
    if all(len(w) == 1 for w in words) or (len(words) == 1 and re.fullmatch(r"[A-Z][B-DF-HJ-NP-TV-Z]{1,2}", words[0])):
        initials = _fold("".join(words))  # "F.F.", "F F", "FF", "JDS"; "MIA" and "LEO" are names
        return Person(first="", surname=(), initials=initials, initials_only=True) if len(initials) >= 2 else None
    words = [w for w in words if len(w) > 1]
    caps = [w for w in words if w.isupper()]
    if len(words) >= 2 and len(caps) == 1 and words[0] == caps[0] and not order_known:
        words = words[1:] + words[:1]  # "FAIRCLOUGH Freya": the capitalised word is the surname
        order_known = True
    elif len(caps) == 1 or len(words) != 2:
        order_known = True
    first, rest = _fold(words[0]), [_fold(w) for w in words[1:]]
    surname = tuple(part for w in rest[-1:] for part in re.split(r"[-'’]", w) if part) if rest else ()
    parts = tuple(part for w in rest for part in re.split(r"[-'’]", w) if part)
    return Person(first=first, surname=surname, initials=first[:1] + (surname[0][:1] if surname else ""),
                  rest=parts, order_known=order_known)


def _split_people(text: str) -> list[str]:
    """'Mia Smith, Leo Smith' and 'Mia and Leo Smith' are two children; 'Fairclough, Freya' is one."""
    parts = [p for p in re.split(r"[;&/\n+]|\band\b", text, flags=re.I) if p.strip()]
    out = []
    for part in parts:
        pieces = [p for p in part.split(",") if p.strip()]
        if len(pieces) > 1 and all(len(_WORD.findall(p)) >= 2 for p in pieces):
            out.extend(pieces)
        else:
            out.append(part)
    return out


def parse_child(text: str | None, dob: date | None = None, today: date | None = None) -> ChildId:
    """Read a child field into people and a date of birth (the field's own date wins over ``dob``)."""
    text = text or ""
    found = [d for d in find_dates(text, today) if d.valid and d.precision == "day"]
    stripped = text
    for d in reversed(found):
        stripped = stripped[:d.start] + " " + stripped[d.end:]
    stripped = re.sub(r"[()\[\]]", " ", _DOB_WORDS.sub(" ", stripped))
    people = [p for part in _split_people(stripped) if (p := _person(part.strip(" ,.-:")))]
    # "Mia and Leo Smith": a lone first name takes the surname written after it.
    surname = next((p.surname for p in reversed(people) if p.surname), ())
    people = [Person(p.first, surname, p.first[:1] + surname[0][:1], rest=surname) if not p.surname
              and not p.initials_only and surname else p for p in people]
    name = re.sub(r"\s+", " ", stripped).strip(" ,.-:;")
    return ChildId(tuple(people), found[0].value if found else dob, text, name)


def record_child(record: AuditReturn, today: date | None = None) -> ChildId:
    """The child a return is about: its header child field, with a date of birth from a details answer
    ("Date of birth") when the field carries none."""
    dob = None
    for a in record.answers:
        if _DOB_QUESTION.search(a.question) and a.answer:
            days = [d for d in find_dates(a.answer, today) if d.valid and d.precision == "day"]
            if days:
                dob = days[0].value
                break
    return parse_child(record.header.child, dob, today)


def person_similarity(a: Person, b: Person) -> float:
    """How alike two children's names are, 0 to 1: 1 for the same name however written, 0.9 for a one-letter
    slip in a name, 0.8 when only part of a double-barrelled surname is shared, 0.75 for matching initials.
    Two bare words ("Okoro Leo") are also read surname first."""
    if a.initials_only or b.initials_only:
        ia, ib = a.initials, b.initials
        if len(ia) >= 2 and len(ib) >= 2 and (ia == ib or ia[0] + ia[-1] == ib[0] + ib[-1]):
            return 0.75
        return 0.0
    best = _similarity(a, b)
    for x, y in ((_swapped(a), b), (a, _swapped(b))):
        if x is not None and y is not None:
            best = max(best, 0.95 * _similarity(x, y))
    return round(best, 4)


def _swapped(p: Person) -> Person | None:
    if p.order_known or len(p.rest) != 1:
        return None
    return Person(first=p.rest[0], surname=(p.first,), initials=p.rest[0][:1] + p.first[:1], rest=(p.first,))


def _similarity(a: Person, b: Person) -> float:
    if not a.first or not b.first:
        return 0.0
    first = _name_closeness(a.first, b.first)
    if not first:
        return 0.0
    if not a.surname or not b.surname:
        return 0.7 * first  # a first name alone is weak
    last = max(_name_closeness(x, y) for x in {"".join(a.surname), "".join(a.rest)}
               for y in {"".join(b.surname), "".join(b.rest)})
    if not last and set(a.rest) & set(b.rest):
        last = 0.8  # "Brennan-Shaw" and "Shaw"
    return first * last


def _name_closeness(x: str, y: str) -> float:
    """1 for the same name, 0.9 for one slip (a letter missed, added, changed or two swapped), else 0."""
    if x == y:
        return 1.0
    if min(len(x), len(y)) >= 4 and Levenshtein.distance(x, y, weights=(1, 1, 1)) <= 1:
        return 0.9
    if len(x) == len(y) and min(len(x), len(y)) >= 4:
        diffs = [i for i in range(len(x)) if x[i] != y[i]]
        if len(diffs) == 2 and diffs[1] == diffs[0] + 1 and x[diffs[0]] == y[diffs[1]] and x[diffs[1]] == y[diffs[0]]:
            return 0.9  # transposed letters: "Fiarclough"
    return 0.0


def dob_agreement(a: date | None, b: date | None) -> str:
    """'same', 'unknown' (one or both missing), 'near' (day and month swapped, or one digit apart) or 'differ'."""
    if a is None or b is None:
        return "unknown"
    if a == b:
        return "same"
    if (a.year == b.year and a.day == b.month and a.month == b.day) or \
            Levenshtein.distance(a.strftime("%d%m%Y"), b.strftime("%d%m%Y")) == 1:
        return "near"
    return "differ"
