"""Read the overall grade: marked with X, a tick, a checked box of any encoding, by text, by deleting the others, or
by formatting (the grade highlighted, shaded, bolded or left standing with the others struck out)."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from functools import lru_cache

from rapidfuzz import fuzz

from models.template import GradeOption, Grading, Template
from pipeline.mapping.layout import OPTION_SEP, Option, Unit, decide, options_in, set_apart
from pipeline.text import normalise

_MARK_GLYPHS = "☒☑✓✔✗✘√■⊠🗹"
_UNMARKED_GLYPHS = "☐□"
_MARK_WORDS = {"x", "yes", "y", "tick", "ticked", "selected", "*", "xx"}
_NOT_MARKS = {"no", "n", "-", "n/a", ""}
_GLYPH = re.compile(f"[{_MARK_GLYPHS}{_UNMARKED_GLYPHS}]")
_GRADE_LABEL = re.compile(r"^\s*(?:overall\s+)?grad(?:e|ing)(?:\s*\(x\))?\s*:?\s*(.*)$", re.I)


# A form whose template expects no grade may still print one ('Overall grade: Good', a row of grade boxes at
# the end): it is read on the record's four-point scale, and kept only when one grade is clearly marked.
_FOUR_POINT = Grading(options=[GradeOption(value="outstanding", label="Outstanding"),
                               GradeOption(value="good", label="Good"),
                               GradeOption(value="requires_improvement", label="Requires improvement",
                                           aliases=["Requires improvement to be good", "Adequate"]),
                               GradeOption(value="inadequate", label="Inadequate")])


def _options(of: Template | Grading) -> list[tuple[str, list[str]]]:
    grading = of.grading if isinstance(of, Template) else of
    return [(o.value, [normalise(o.label), *(normalise(a) for a in o.aliases)]) for o in grading.options]


# ---- the prefilter: most units of a return are answers that cannot hold a grade -------------------------------

_OPTION_MATCH = 88  # fuzz.ratio an option's text needs (see _option_of)
_OPTION_LONGEST = 40  # longest normalised text _option_of compares
_SQUEEZE = str.maketrans({c: None for c in _MARK_GLYPHS + _UNMARKED_GLYPHS + " "})
# English letter frequencies (%), to pick the rarest pieces of a label: a piece seen in every answer screens nothing
_LETTER_PERCENT = dict(zip("etaoinshrdlcumwfgypbvkjxqz", [12.7, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.1, 6.0, 4.3, 4.0, 2.8,
                                                          2.8, 2.4, 2.4, 2.2, 2.0, 2.0, 1.9, 1.5, 1.0, 0.8, 0.15, 0.15,
                                                          0.1, 0.07]))


def _edits_allowed(label: str) -> int:
    """The most insertions and deletions any text _option_of reads as ``label`` can differ from it by."""
    most = 0
    for n in range(1, _OPTION_LONGEST + 1):  # n: the candidate text's length
        edits = math.floor((100 - _OPTION_MATCH) / 100 * (n + len(label)) + 1e-6)  # ratio = 100 * (1 - d / (n + L))
        if abs(n - len(label)) <= edits:
            most = max(most, edits)
    return most


def _rarest_pieces(text: str, count: int) -> tuple[str, ...]:
    """``count`` disjoint substrings of ``text`` least likely, together, to occur by chance in English prose."""
    @lru_cache(maxsize=None)
    def best(i: int, left: int) -> tuple[float, tuple[str, ...]]:
        if left == 0:
            return 0.0, ()
        if len(text) - i < left:
            return math.inf, ()
        choices = [best(i + 1, left)]  # leave text[i] out of every piece
        for j in range(i + 1, len(text) + 1):
            chance = math.prod(_LETTER_PERCENT.get(c, 1.0) / 100 for c in text[i:j])
            rest_chance, rest = best(j, left - 1)
            choices.append((chance + rest_chance, (text[i:j], *rest)))
        return min(choices)

    return best(0, count)[1]


def _screen(options) -> tuple[str, ...]:
    """Pieces such that any text _option_of reads as one of ``options`` contains one, spaces and boxes removed."""
    return _screen_labels(tuple(label for _value, labels in options for label in labels))


@lru_cache(maxsize=64)  # per template: the search for pieces costs more than reading a return's grade
def _screen_labels(labels: tuple[str, ...]) -> tuple[str, ...]:
    """See _screen.

    A text within d insertions/deletions of a label keeps intact at least one of any d + 1 disjoint pieces of
    it (each edit breaks at most one piece), and removing spaces and box glyphs from both never adds edits.
    """
    pieces: list[str] = []
    for label in labels:
        squeezed = label.translate(_SQUEEZE)
        count = _edits_allowed(label) + 1
        pieces.extend(_rarest_pieces(squeezed, count) if count <= len(squeezed) else [""])  # "": cannot screen
    return tuple(dict.fromkeys(pieces))


def _may_hold_grade(text: str, screen: tuple[str, ...]) -> bool:
    """False only when no part of ``text`` can read as a grade label or option (``screen``, see _screen).

    Exact, not a guess: a unit this turns away would add nothing to read_grade's findings. Grade options
    are read from the whole unit (when short), from a line split at '/', '|' or 'or', or between boxes;
    each such text is a substring of the unit, so it holds a piece only if the unit does.
    """
    if "grad" in text.lower():  # the grade label (_GRADE_LABEL, case-insensitive) needs these letters
        return True
    norm = normalise(text)
    plain = norm.isascii()  # no box glyph, so removing spaces is all there is to squeezing (and far quicker)
    squeezed = norm.replace(" ", "") if plain else norm.translate(_SQUEEZE)
    if not any(piece in squeezed for piece in screen):
        return False
    boxes = 0 if plain else len(norm) - len(norm.translate(_SQUEEZE_BOXES))
    if len(norm) - 2 * boxes - 6 <= _OPTION_LONGEST:  # short enough to be one option with its X or box
        return True
    if boxes >= 2:  # options each with its box ('☐ Good ☒ Inadequate') may share a line with anything
        return True
    # Longer: only a line of options split at '/', '|' or 'or' can hold one, and every piece of such a line is
    # an option, so its first piece (up to the first '/', '|' or 'or', or a later one) must be short.
    for line in text.split("\n"):
        cut = min((at for at in (line.find("/"), line.find("|"), line.find("or")) if at >= 0), default=-1)
        if cut >= 0 and len(normalise(line[:cut])) <= _OPTION_LONGEST:
            return True
    return False


def _strip_marks(text: str) -> tuple[str, bool, bool]:
    """Text without mark glyphs or a standalone X, and whether a mark / an empty box was there."""
    marked = any(g in text for g in _MARK_GLYPHS)
    empty_box = any(g in text for g in _UNMARKED_GLYPHS)
    cleaned = _GLYPH.sub(" ", text)
    tokens = cleaned.split()
    if tokens and tokens[0] in {"X", "x"} and len(tokens) > 1:
        marked, tokens = True, tokens[1:]
    if tokens and tokens[-1] in {"X", "x", "(X)", "(x)"} and len(tokens) > 1:
        marked, tokens = True, tokens[:-1]
    return " ".join(tokens), marked, empty_box


_BOX = f"{_MARK_GLYPHS}{_UNMARKED_GLYPHS}"
_SQUEEZE_BOXES = str.maketrans({c: None for c in _BOX})
_BOX_THEN_LABEL = re.compile(f"([{_BOX}])\\s*([^{_BOX}\\n]+)")
_LABEL_THEN_BOX = re.compile(f"([^{_BOX}\\n]+?)\\s*([{_BOX}])")


def _boxed_options(line: str) -> list[tuple[str, bool]]:
    """Options printed on one line, each with its own box: '☐ Outstanding ☒ Good' or 'Good ☒ Inadequate ☐'."""
    if sum(line.count(g) for g in _BOX) < 2:
        return []
    label = _GRADE_LABEL.match(line)
    if label and label.group(1).strip():
        line = label.group(1)  # 'Overall grade: ☐ Outstanding ☒ Good': the boxes come before their labels
    if line.lstrip()[:1] in _BOX:
        return [(label.strip(), box in _MARK_GLYPHS) for box, label in _BOX_THEN_LABEL.findall(line)]
    return [(label.strip(), box in _MARK_GLYPHS) for label, box in _LABEL_THEN_BOX.findall(line)]


def _option_of(text: str, options) -> str | None:
    norm = normalise(text)
    if not norm or len(norm) > 40:
        return None
    best = max(((max(fuzz.ratio(norm, label) for label in labels), value) for value, labels in options))
    return best[1] if best[0] >= 88 else None


def _inline_options(line: str, options) -> list[tuple[str, bool]]:
    """Grades printed on one line ('Outstanding / Good / Requires improvement'), each with whether its
    formatting chooses it (highlighted, bold, the others struck out); [] when the line is not only grades."""
    label = _GRADE_LABEL.match(line)
    if label and label.group(1).strip():
        line = line[label.start(1):]  # a slice keeps a Styled line's spans
    if not OPTION_SEP.search(line):
        return []
    found = options_in(line, lambda text: _option_of(text, options))
    if not found or len(found) < 2:
        return []
    picked = _choose(found)
    return [(o.choice, o in picked) for o in found]


def _is_mark(unit: Unit) -> bool:
    if any(cb.checked for cb in unit.checkboxes):
        return True
    text = unit.text.strip()
    if any(g in text for g in _MARK_GLYPHS):
        return True
    norm = normalise(text)
    if norm in _MARK_WORDS:
        return True
    return bool(norm) and norm not in _NOT_MARKS and len(norm) <= 12 and not any(g in text for g in _UNMARKED_GLYPHS)


def read_grade(units: list[Unit], template: Template) -> tuple[set[int], str | None, str | None]:
    """Find the grade: (units that belong to the grade block, grade value or None, problem or None).

    A template with no grading still gets the grade a form marks clearly (one grade marked, or written after
    'Overall grade:'); with none marked, or several, nothing is claimed and nothing is reported.
    """
    if template.grading is None:
        start = _grade_start(units, _options(_FOUR_POINT))
        if start is None:
            return set(), None, None
        block, value, _problem = _read_grade(units[start:], _FOUR_POINT)
        return (block, value, None) if value else (set(), None, None)
    return _read_grade(units, template.grading)


def _grade_start(units: list[Unit], options) -> int | None:
    """Where a grade the template does not expect begins: its label ('Overall grade'), a line of two or more
    grades, or a table row of grade cells. Answers before it are never read as grade options."""
    rows: dict[tuple, set[str]] = defaultdict(set)
    screen = _screen(options)
    for at, u in enumerate(units):
        text = u.text
        if not _may_hold_grade(text, screen):
            continue
        if "grad" in text.lower() and _GRADE_LABEL.match(text) and len(text) < 120:
            return at
        if sum(1 for line in text.split("\n") for label, _m in _boxed_options(line) if _option_of(label, options)) >= 2 \
                or len([hit for line in u.lines for hit in _inline_options(line.text, options)]) >= 2:
            return at
        if u.in_table and (value := _option_of(_strip_marks(text)[0], options)):
            rows[(u.table, u.row)].add(value)
            if len(rows[(u.table, u.row)]) >= 2:  # grades across one row: from the row's first cell
                return next(i for i, o in enumerate(units) if (o.table, o.row) == (u.table, u.row))
    return None


def _read_grade(units: list[Unit], grading: Grading) -> tuple[set[int], str | None, str | None]:
    options = _options(grading)
    screen = _screen(options)
    found: dict[object, list[tuple[Unit, str, bool, bool]]] = defaultdict(list)
    titled: set[object] = set()
    for u in units:
        text = u.text
        if not _may_hold_grade(text, screen):
            continue
        key = ("t", u.table) if u.in_table else ("p", None)
        if _GRADE_LABEL.match(text or "") and len(text) < 40:
            titled.add(key)
        boxed = [(value, marked) for line in text.split("\n") for label, marked in _boxed_options(line)
                 if (value := _option_of(label, options))]
        if len(boxed) >= 2:  # several options in one cell or line, each with its box: only its own box counts
            found[key].extend((u, value, marked, not marked, True) for value, marked in boxed)
            continue
        inline = [hit for line in u.lines for hit in _inline_options(line.text, options)]
        if len(inline) >= 2:  # several options on one line, chosen (or not) by their formatting
            found[key].extend((u, value, marked, False, True) for value, marked in inline)
            continue
        cleaned, marked, empty_box = _strip_marks(text)
        value = _option_of(cleaned, options)
        if value:
            found[key].append((u, value, marked or any(cb.checked for cb in u.checkboxes), empty_box, False))

    blocks = [(len({h[1] for h in hits}) + (1 if key in titled else 0), key) for key, hits in found.items()]
    blocks = [(score, key) for score, key in blocks if score >= 2]
    if not blocks:
        return _grade_as_text(units, options)
    _, key = max(blocks, key=lambda b: (b[0], b[1][0] == "t"))
    hits = found[key]
    block_units = {h[0].index for h in hits}
    if key[0] == "t":
        # the grade table from its title or first option on: rows above it are other questions that share the
        # table (a PDF joins tables that touch, and some forms end their question table with the grade)
        first = min([h[0].row for h in hits] + [u.row for u in units if u.table == key[1] and
                                                   _GRADE_LABEL.match(u.text or "") and len(u.text) < 40])
        block_units |= {u.index for u in units if u.table == key[1] and (u.row or 0) >= (first or 0)}

    def is_mark_cell(o: Unit) -> bool:
        return _is_mark(o) and _option_of(_strip_marks(o.text)[0], options) is None \
            and not _GRADE_LABEL.match(o.text or "")

    # Options printed across one row are marked in the row below, in the same column.
    across = key[0] == "t" and len({h[0].row for h in hits}) == 1 and len({h[0].index for h in hits}) > 1
    marked_values: list[str] = []
    for u, value, marked_inline, _, boxed in hits:
        if boxed:
            if marked_inline:
                marked_values.append(value)
            continue
        row_marked = key[0] == "t" and not across and any(
            is_mark_cell(o) for o in units if o.table == u.table and o.row == u.row and o.index != u.index)
        column_marked = across and any(
            is_mark_cell(o) for o in units if o.table == u.table and o.row == u.row + 1 and o.col == u.col)
        if marked_inline or row_marked or column_marked:
            marked_values.append(value)
    marked_values = list(dict.fromkeys(marked_values))
    if not marked_values:  # no mark anywhere: the grade may be chosen by its formatting
        marked_values = _chosen_by_formatting(hits, units, key, across, options)
    present = list(dict.fromkeys(h[1] for h in hits))
    if len(marked_values) == 1:
        return block_units, marked_values[0], None
    if len(marked_values) > 1:
        return block_units, None, "multiple_marked"
    if len(present) == 1 and len(options) > 1:
        return block_units, present[0], None  # the other options were deleted
    return block_units, None, "none_marked"


def _mark_cell(u: Unit, units: list[Unit], across: bool) -> Unit | None:
    """The empty cell an option's grade is marked in: beside it in its row, or below it when the options
    run across a row."""
    if across:
        return next((o for o in units if o.table == u.table and o.row == u.row + 1 and o.col == u.col), None)
    return next((o for o in units if o.table == u.table and o.row == u.row and o.index != u.index
                 and not o.text.strip()), None)


def _chosen_by_formatting(hits, units: list[Unit], key, across: bool, options) -> list[str]:
    """The grades a table or list of options chooses by formatting alone, or [] when formatting decides nothing.

    An option (or the empty cell it is marked in) shaded, highlighted or emphasised apart from the others
    is chosen; struck-out options are not, so the one left standing is. Several set apart, or an option
    both struck and emphasised, give several readings, which the caller reports as multiple_marked.
    """
    found: list[Option] = []
    for u, value, _marked, _empty, boxed in hits:
        if boxed:
            continue  # options on one line were read by their own formatting
        line = next((ln.text for ln in u.lines if _option_of(_strip_marks(ln.text)[0], options) == value), None)
        if line is None:
            continue
        mark = _mark_cell(u, units, across) if key[0] == "t" else None
        extra = {"mark-cell-shading": mark.shading} if mark is not None and mark.shading else None
        found.append(Option(line, 0, len(line), value, extra=extra))
    if len({o.choice for o in found}) < 2:
        return []
    return list(dict.fromkeys(o.choice for o in _choose(found)))


def _choose(found: list[Option]) -> list[Option]:
    """The grades formatting chooses: ``decide``'s reading, or every grade set apart when several are."""
    chosen = decide(found)
    if chosen is None:  # several grades set apart alike (two highlighted): report them all
        chosen = [found[i] for i in sorted(set_apart([o.emphasis for o in found]))]
    return chosen


def _grade_as_text(units: list[Unit], options) -> tuple[set[int], str | None, str | None]:
    """A grade written as text, e.g. 'Overall grade: Good'."""
    for u in units:
        text = u.text
        if "grad" not in text.lower():  # no grade label to match
            continue
        for line in text.split("\n"):
            m = _GRADE_LABEL.match(line)
            if m and m.group(1).strip():
                value = _option_of(_strip_marks(m.group(1))[0], options)
                if value:
                    return {u.index}, value, None
    return set(), None, "none_marked"
