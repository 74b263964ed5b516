"""Dictionary-aware clean-up of OCR text: a word is changed only when OCR's reading is not an English word and
the corrected one is.

Fixed: words joined by a stray mark ("Shannon.to" -> "Shannon to", "day,she" -> "day, she"), stray accents
("énough" -> "enough"), the usual confusions inside a word (rn and m; 1, I or | for l; 0 for o), speckle read as
punctuation between words ("the Friday. absences", "2023 . Safe"), a table border read as a bar at a
line's start or end ("agency: |"), and a word hyphenated at a line break
("safeguard-" + "ing"; a compound such as "multi-agency" or "follow-up" is left hyphenated). A word
that starts with a capital is never changed (it may be a name, a place, a team), nor is anything with a digit
that is not inside letters (dates, times, case numbers). The word list is spaCy's English lookup data
(spacy-lookups-data: lemmas, their inflections, and the commoner words of its frequency table), read once per
process; spaCy itself is not loaded.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import unicodedata
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractors.pdf_layout import Line, Para

MIN_PROB = -17.0  # log-probability in spaCy's English frequency table from which a word counts as known
READABLE_PROB = -13.0  # log-probability from which a word outside the lemma lists counts as readable
GARBAGE = 0.5  # a scanned page with fewer of its words readable than this reads as garbage
GARBAGE_WORDS = 12  # ... when it has at least this many words (a near-empty page is told by OCR confidence)
_LETTERS = re.compile(r"[a-z]+")
# confusions inside a word: what OCR read -> what the page most likely says
_CONFUSIONS = (("rn", "m"), ("m", "rn"), ("1", "l"), ("I", "l"), ("|", "l"), ("0", "o"), ("vv", "w"))
_JOINED = re.compile(r"([A-Za-z]{2,})([.,;:])([a-z]{2,}|a)")
# web and mail addresses keep their dots ("gov.uk", "nhs.net")
_ADDRESS_PARTS = {"uk", "com", "org", "net", "gov", "co", "nhs", "ac", "io", "sch", "police", "www", "html", "pdf",
                  "doc", "docx", "xlsx"}
_OPEN = "([{\"'\u2018\u201c"
_CLOSE = ")]}\"'\u2019\u201d.,;:!?"


# an entry of the frequency table ("word": -12.34) for a lower-case word more likely than MIN_PROB; read with a
# regular expression, as json.load of its million entries takes seconds
_PROB_ENTRY = re.compile(rb'"([a-z]+)":\s*(-(?:1[0-6]|\d)(?:\.\d+)?)[,\s}]')


@functools.lru_cache(maxsize=1)
def _lists() -> tuple[dict[str, float], frozenset[str]]:
    """Known English words (lower case) with their log-probability (MIN_PROB for a lemma-list word not in the
    frequency table), and the words of the lemma lists alone (dictionary words, no fragments like 'ing')."""
    data = resources.files("spacy_lookups_data").joinpath("data")

    def read(name: str) -> bytes:
        with data.joinpath(name).open("rb") as f:
            return gzip.decompress(f.read())

    lemmas: set[str] = set()
    lookup = json.loads(read("en_lemma_lookup.json.gz"))
    lemmas.update(lookup.keys(), lookup.values())
    for forms in json.loads(read("en_lemma_index.json.gz")).values():
        lemmas.update(forms)
    for table in json.loads(read("en_lemma_exc.json.gz")).values():
        for form, base in table.items():
            lemmas.add(form)
            lemmas.update(base)
    lemmas = {w for w in lemmas if _LETTERS.fullmatch(w)}
    words = dict.fromkeys(lemmas, MIN_PROB)
    for m in _PROB_ENTRY.finditer(read("en_lexeme_prob.json.gz")):
        word, prob = m.group(1).decode(), float(m.group(2))
        words[word] = max(prob, words.get(word, MIN_PROB))  # the table lists some words twice
    return words, frozenset(lemmas)


def _words() -> dict[str, float]:
    return _lists()[0]


def known(word: str) -> bool:
    """Is ``word`` (any case; a hyphenated compound when each part is) an English word in the list?"""
    word = word.lower()
    if "-" in word:
        parts = word.split("-")
        return all(parts) and all(p in _words() for p in parts)
    return word in _words()


def _prob(word: str) -> float:
    return _words().get(word.lower(), -99.0)


def _strip_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _confusion_fixes(core: str) -> list[str]:
    """Known words one kind of confusion away from ``core`` (one place, or every place, of that confusion)."""
    found = []
    for wrong, right in _CONFUSIONS:
        starts = [m.start() for m in re.finditer(re.escape(wrong), core)]
        options = {core[:i] + right + core[i + len(wrong):] for i in starts}
        if len(starts) > 1:
            options.add(core.replace(wrong, right))
        found += [o for o in options if o.isalpha() and o[0].islower() and known(o)]
    return found


def fix_word(token: str) -> str | None:
    """The corrected form of one whitespace-separated OCR token, or None to keep it as read."""
    lead = len(token) - len(token.lstrip(_OPEN))
    trail = len(token) - len(token.rstrip(_CLOSE))
    core = token[lead:len(token) - trail] if trail else token[lead:]
    if len(core) < 2 or not any(c.isalpha() for c in core) or known(core):
        return None
    head, tail = token[:lead], token[len(token) - trail:] if trail else ""
    joined = _JOINED.fullmatch(core)
    if joined:
        left, mark, right = joined.groups()
        if known(right) and right not in _ADDRESS_PARTS and left.lower() not in _ADDRESS_PARTS \
                and (known(left) or left[0].isupper()):
            return f"{head}{left}{'' if mark == '.' else mark} {right}{tail}"
        return None
    if core[0].isupper():
        return None  # a name, a place, a team, or the first word of a sentence: never made into another word
    if any(ord(c) > 127 for c in core):
        plain = _strip_accents(core)
        if plain != core and plain.isascii() and known(plain):
            return head + plain + tail
        return None
    letters = sum(c.isalpha() for c in core)
    if letters < 2 or (core[0].isdigit() and not (core[1:].isalpha() and len(core) >= 4)):
        return None  # a date, a time, a number with a unit: digits are not letters there
    if any(c.isdigit() for c in core) and re.search(r"\d{2}", core):
        return None
    options = _confusion_fixes(core)
    if not options:
        return None
    return head + max(options, key=_prob) + tail


# words a full stop after which a sentence may go on in lower case
_ABBREVIATIONS = {"e", "g", "i", "eg", "ie", "etc", "approx", "vs", "cf", "no", "nos", "ref", "incl", "esp", "dept",
                  "mr", "mrs", "ms", "dr", "st", "tel", "min", "max", "wk", "wks", "yr", "yrs", "mth", "mths", "am",
                  "pm", "ca", "co", "ltd", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
                  "nov", "dec", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "al", "op",
                  "para", "paras", "fig", "p", "pp", "vol", "ch", "sec", "dob", "nb", "ps", "cont", "contd", "att"}
# words a sentence does not end on: a full stop after one, before anything, is speckle ("from 71% to. 89%")
_NEVER_LAST = {"a", "an", "the", "to", "of", "from", "and", "or", "with", "for", "at", "by", "his", "her", "their",
               "its", "our", "my", "your", "into", "than", "was", "were", "is", "are", "had", "has", "have"}
_STRAY_MARKS = set(".,:;'`\u2018\u2019")
# a word OCR made of a table border alone ('|', '||', '[', with a speck "\u2018|"): never text anyone wrote
_RULING = re.compile(r"[.,:;'`\u2018\u2019]*[|\u00a6\u2016\[\]]+[.,:;'`\u2018\u2019]*")


def _stray_stop(token: str, nxt: str | None) -> bool:
    """Is the full stop ending ``token`` speckle read as punctuation: a word, then a sentence going on in lower
    case ("the Friday. absences")? Not after an abbreviation ("etc. and") or an initial."""
    if nxt is None or not token.endswith(".") or token.endswith(".."):
        return False
    word = token[:-1].lstrip(_OPEN)
    if word in _NEVER_LAST and nxt[:1].isalnum():
        return True
    if not nxt[:1].islower():
        return False
    return len(word) >= 2 and word.isalpha() and word.lower() not in _ABBREVIATIONS \
        and (known(word) or (word[0].isupper() and word[1:].islower()))


def edits(text: str) -> list[tuple[int, int, str]]:
    """The changes clean_text makes, as (start, end, replacement) in ``text``, in order."""
    tokens = list(re.finditer(r"\S+", text))
    found = []
    for i, m in enumerate(tokens):
        token = m.group()
        nxt = tokens[i + 1].group() if i + 1 < len(tokens) else None
        if _RULING.fullmatch(token) and (i == 0 or nxt is None):
            # a table border read as '|' or '[' at a line's start or end is no part of what was written
            found.append((m.start() if i == 0 else tokens[i - 1].end(), tokens[i + 1].start() if nxt else m.end(), ""))
            continue
        if token in _STRAY_MARKS and 0 < i and nxt is not None:
            # a mark standing alone between words ("2023 . Safe") is speckle; drop it and the space before it
            found.append((tokens[i - 1].end(), m.end(), ""))
            continue
        fixed = fix_word(token)
        if fixed is None and _stray_stop(token, nxt):
            fixed = token[:-1]
        if fixed is not None and fixed != token:
            found.append((m.start(), m.end(), fixed))
    return found


def clean_text(text: str) -> tuple[str, int]:
    """``text`` with each OCR misreading fixed (fix_word, and stray marks that speckle leaves between words),
    and the number of changes."""
    changes = edits(text)
    for start, end, new in reversed(changes):
        text = text[:start] + new + text[end:]
    return text, len(changes)


def join_hyphenated(first: str, rest: str) -> bool:
    """Is ``first`` + '-' (ending a line) + ``rest`` (starting the next) one word broken by hyphenation?

    Only when the joined word is known and one of the parts is not a word by itself ("safeguard-ing",
    "communi-cation"): "multi-agency" and "follow-up" stay compounds.
    """
    if not (first.isalpha() and rest.isalpha() and rest[0].islower()):
        return False
    lemmas = _lists()[1]
    return known(first + rest) and not (first.lower() in lemmas and rest in lemmas)


def readable_share(words: list[str]) -> tuple[float, int]:
    """The share of a page's OCR words that read as words, and how many words were counted.

    A word reads when it is a dictionary word (lemma lists) or a common one (READABLE_PROB), in lower case,
    Capitalised or capitals; words of one letter and anything with a digit are not counted. An upright page
    reads about 90% (names and acronyms are the rest); text OCR'd from a page upside down or from noise 15-35%
    (the frequency table's rarer entries include many fragments, so they do not count here).
    """
    words_, lemmas = _lists()

    def reads(word: str) -> bool:
        lower = word.lower()
        natural = word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())
        return word.isalpha() and natural and (lower in lemmas or words_.get(lower, -99.0) >= READABLE_PROB)

    counted = readable = 0
    for token in words:
        core = token.strip(_OPEN + _CLOSE + "-")
        if sum(c.isalpha() for c in core) < 2 or any(c.isdigit() for c in core):
            continue
        counted += 1
        readable += all(reads(part) for part in core.split("-")) if "-" in core else reads(core)
    return (readable / counted if counted else 1.0), counted


def _apply(line: "Line", changes: list[tuple[int, int, str]]) -> None:
    """Apply (start, end, replacement) changes to a line's text, its per-character formats following."""
    text, formats = line.text, list(line.formats)
    for start, end, new in reversed(changes):
        text = text[:start] + new + text[end:]
        if formats:
            fmt = formats[start]
            formats[start:end] = [fmt] * len(new)
    line.text, line.formats = text, formats


def _move(line: "Line", start: int, end: int) -> tuple[str, list]:
    """Cut text[start:end] (and its formats) out of a line; returns what was cut."""
    piece, fmts = line.text[start:end], line.formats[start:end] if line.formats else []
    line.text = line.text[:start] + line.text[end:]
    if line.formats:
        line.formats = line.formats[:start] + line.formats[end:]
    return piece, fmts


_LINE_END_WORD = re.compile(r"([A-Za-z]+)-$")
_LINE_START_WORD = re.compile(r"^([a-z]+)")


def clean_para(para: "Para") -> int:
    """Clean an OCR'd paragraph's lines in place (clean_text on each, and words hyphenated at a line break
    joined); returns how many words were changed."""
    changed = 0
    for line in para.lines:
        changes = edits(line.text)
        if changes:
            _apply(line, changes)
            changed += len(changes)
    keep = []
    for i, line in enumerate(para.lines):
        nxt = para.lines[i + 1] if i + 1 < len(para.lines) else None
        end = _LINE_END_WORD.search(line.text)
        start = _LINE_START_WORD.match(nxt.text) if nxt is not None else None
        last = line.text.rsplit(None, 1)[-1] if line.text.strip() else ""
        if nxt is not None and nxt.text and _stray_stop(last, nxt.text.split(None, 1)[0]):
            _move(line, len(line.text) - 1, len(line.text))
            changed += 1
        elif end and start and join_hyphenated(end.group(1), start.group(1)):
            # the rest of the word moves up to this line, so the paragraph's text joins it with no space
            _move(line, len(line.text) - 1, len(line.text))
            piece, fmts = _move(nxt, 0, start.end())
            line.text += piece
            if line.formats:
                line.formats += fmts or [line.formats[-1]] * len(piece)
            cut = len(nxt.text) - len(nxt.text.lstrip())
            _move(nxt, 0, cut)
            changed += 1
        keep.append(line)
    # a line left empty by a join is dropped, so no double space is left where it was
    para.lines[:] = [line for line in keep if line.text] or keep[:1]
    return changed
