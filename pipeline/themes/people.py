"""People named in a return: the child's first names from the header, and parents named in the answers.

Theme patterns speak of "the child", "dad" or "mum"; practitioners write "Mia told the officer" and "Dean was
never spoken to". Reading each first name as the role it stands for lets the same patterns apply. Nothing
here is logged or stored: names only steer the tagger.
"""

from __future__ import annotations

import re

# Words in a "Name of child" field that are not a name.
_NOT_NAMES = {"child", "children", "baby", "unborn", "sibling", "siblings", "mr", "mrs", "miss", "ms", "master",
              "dob", "d.o.b", "nhs", "and", "the", "of", "age", "aged", "years", "year", "old", "months", "month",
              "male", "female", "boy", "girl", "young", "person", "yp", "cyp", "tbc", "n/a", "na", "none", "not", "known"}


def child_names(field: str | None) -> frozenset[str]:
    """First names in a header's child field ("Mia Smith, Leo Smith (DOB 01/02/2019)" -> Mia, Leo).

    Initials ("Child A", "J.S.") and case numbers are not names; each person's first word is taken, so a
    shared surname is not read as the child.
    """
    import re

    if not field:
        return frozenset()
    out = set()
    for person in re.split(r"[,;:/&\n]|\band\b|\(|\)", field):
        if re.search(r"\b(of|unborn|children|family)\b", person, re.I):
            continue  # "Unborn baby of Jess Brown" is the mother's name; "Smith children" a surname
        words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]*", person) if w.lower() not in _NOT_NAMES]
        if not words:
            continue
        first = words[0].capitalize() if words[0].isupper() and len(words[0]) >= 3 else words[0]
        if len(first) >= 2 and first[0].isupper() and not first.isupper():
            out.add(first)
    return frozenset(out)


_FATHER = r"dad|daddy|father|step-?dad|step-?father|birth father|biological father|mum's partner|mother's partner|" \
          r"mum's boyfriend|mother's boyfriend|mum's new partner|mother's new partner"
_MOTHER = r"mum|mummy|mother|step-?mum|step-?mother|birth mother|biological mother|dad's partner|father's partner"
_NAME = r"(?P<name>[A-Z][a-z]{1,15})"
_ROLE = rf"(?P<role>{_FATHER}|{_MOTHER})"
_WHOSE = r"(?:the |her |his |their |[A-Z][a-z]+'s |the (?:child|children|baby|boys|girls)'s )?"
# "Mum's partner Dean", "Dad (Jordan)", "birth father, Ryan,"; "Jordan (dad)", "Lee, the children's father".
_PATTERNS = [
    re.compile(rf"(?i:\b{_ROLE})\s*[(,\-]?\s*{_NAME}\b"),
    re.compile(rf"\b{_NAME}\s*\((?i:{_WHOSE}{_ROLE})\)"),
    re.compile(rf"\b{_NAME},\s+(?i:{_WHOSE}{_ROLE})\b"),
]
_NOT_FIRST_NAMES = {
    "the", "he", "she", "they", "it", "this", "that", "was", "were", "has", "had", "is", "and", "but", "not", "no",
    "yes", "on", "in", "at", "when", "who", "what", "if", "as", "so", "also", "then", "there", "we", "i", "our",
    "mum", "dad", "mother", "father", "police", "school", "health", "housing", "social", "children", "child",
    "baby", "nan", "gran", "grandma", "grandad", "nursery", "college", "court", "care", "services", "team",
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}


# "Amir (14)", "Tyler is 15", "Dawit, 16,", "Ruby (4 months)", "Kai aged 9": a first name given an age is a child.
_AGED = re.compile(r"\b(?P<name>[A-Z][a-z]{1,15})(?:\s*\(\s*|,\s*|\s+is\s+|\s+aged\s+|\s+age\s+)"
                   r"(?P<age>\d{1,2})(?:\s*(?:yrs?|years?|yo|y/o|months?|mths?|weeks?|wks?)(?:\s*old)?)?\b"
                   r"(?!\s*(?:minutes|mins|hours|hrs|days|times|pounds|miles|%|percent|of|[/:.]\d))")


def children_by_age(texts: list[str]) -> set[str]:
    """First names the answers give a child's age ("Amir (14)", "Tyler is 15")."""
    out = set()
    for text in texts:
        for m in _AGED.finditer(text):
            unit = text[m.end("age"):m.end()].lower()
            age = int(m.group("age"))
            if m.group("name").lower() not in _NOT_FIRST_NAMES and (age <= 19 or "month" in unit or "mth" in unit
                                                                    or "week" in unit or "wk" in unit):
                out.add(m.group("name"))
    return out


def family_names(texts: list[str]) -> dict[str, str]:
    """First names the answers introduce as a father ("Mum's partner Dean") or mother ("Jess (mum)")."""
    out: dict[str, str] = {}
    for text in texts:
        for pattern in _PATTERNS:
            for m in pattern.finditer(text):
                name = m.group("name")
                if name.lower() in _NOT_FIRST_NAMES:
                    continue
                role = "father" if re.fullmatch(_FATHER, m.group("role"), re.I) else "mother"
                out.setdefault(name, role)
    return out


def names_in_return(child_field: str | None, texts: list[str]) -> dict[str, str]:
    """First name -> the role it reads as: "child" for the header's child and for names given an age in the
    answers, "father" / "mother" for parents named in the answers (the header's child names win)."""
    names = family_names(texts)
    names.update({n: "child" for n in children_by_age(texts) if n not in names})
    names.update({n: "child" for n in child_names(child_field)})
    return names
