"""Run formatting that can answer a prompt: strikethrough, and emphasis (bold, highlight, shading, colour...).

Agencies answer "Yes / No (delete as appropriate)" by striking out the option they reject or by
emphasising the one they choose. The body walk (extractors.docx) asks ``run_styles`` for each run's
formatting and records it as spans on the paragraph; nothing here changes any text.

A run's formatting is its paragraph style's run properties, then its character style's (``w:rStyle``),
then its own ``w:rPr``: each level overrides the one before, property by property (toggle properties such
as bold are read as on/off, not XOR-ed through the style hierarchy as Word does for nested styles).
Emphasis is reported only where it differs from the paragraph style, so a bold heading is not "emphasised".
The paragraph mark's own properties (``w:pPr/w:rPr``) format the mark and any list number, never the text,
so they are not read. A paragraph's own shading (``w:pPr/w:shd``, set directly, not through its style) is an
emphasis span over all its text, ``paragraph-shading:<fill>``: a separate span, so a run's own shading inside
it keeps its name. Shading a table style gives (``w:tblStylePr`` conditional formats, banding) is the form's
design, the same on every return of it, and is not read.
"""

from __future__ import annotations

from extractors.docx_parts import W_NS

Format = dict[str, str]  # property name -> value ('' for an on/off property that is on)


def _w(name: str) -> str:
    return "{%s}%s" % (W_NS, name)


VAL, R_STYLE, R_PR, BASED_ON = _w("val"), _w("rStyle"), _w("rPr"), _w("basedOn")
_TRUE = {"1", "true", "on"}
_OFF = {"0", "false", "off"}
_TOGGLES = {_w("b"): "bold", _w("i"): "italic", _w("strike"): "strike", _w("dstrike"): "dstrike"}
# Properties with a value: tag -> (name, attribute, values that mean "none").
_VALUED = {
    _w("u"): ("underline", VAL, {"none"}),
    _w("highlight"): ("highlight", VAL, {"none"}),
    _w("shd"): ("shading", _w("fill"), {"auto", "ffffff", ""}),
    _w("color"): ("color", VAL, {"auto", "000000"}),
    _w("bdr"): ("border", VAL, {"none", "nil"}),
    _w("em"): ("emphasis-mark", VAL, {"none"}),
}
# Tags in a w:rPr that can make a span; a run whose w:rPr has none of them (fonts, sizes...) is skipped fast.
FORMAT_TAGS = frozenset([*_TOGGLES, *_VALUED, R_STYLE])
PARAGRAPH_SHADING = "paragraph-shading"
EMPHASIS = ("bold", "italic", "underline", "highlight", "shading", "color", "border", "emphasis-mark")


def apply_rpr(rpr, base: Format, styles: dict[str, Format] | None = None) -> Format:
    """``base`` with a w:rPr's character style and then its own properties laid over it (a new dict)."""
    fmt = dict(base)
    if rpr is None:
        return fmt
    if styles:
        style = rpr.find(R_STYLE)
        if style is not None:
            fmt.update(styles.get(style.get(VAL, ""), {}))
    for child in rpr:
        tag = child.tag
        name = _TOGGLES.get(tag)
        if name is not None:
            if (child.get(VAL) or "true").lower() in _OFF:
                fmt.pop(name, None)
            else:
                fmt[name] = ""
            continue
        valued = _VALUED.get(tag)
        if valued is not None:
            name, attr, none = valued
            value = child.get(attr)
            if value is None or value.lower() in none:
                fmt.pop(name, None)
            else:
                fmt[name] = value
    return fmt


def read_run_formats(root) -> dict[str, Format]:
    """style id -> the run formatting a paragraph or character style gives, basedOn chains resolved."""
    if root is None:
        return {}
    own: dict[str, tuple[str | None, Format]] = {}
    for style in root.iter(_w("style")):
        if style.get(_w("type"), "paragraph") not in ("paragraph", "character"):
            continue
        based = style.find(BASED_ON)
        own[style.get(_w("styleId"), "")] = (based.get(VAL) if based is not None else None,
                                              apply_rpr(style.find(R_PR), {}))
    resolved: dict[str, Format] = {}
    for sid in own:
        chain, current = [], sid
        while current in own and current not in chain:  # basedOn chains can loop in damaged files
            chain.append(current)
            current = own[current][0]
        fmt: Format = {}
        for link in reversed(chain):
            fmt.update(own[link][1])
        if fmt:
            resolved[sid] = fmt
    return resolved


def fill_of(shd) -> str | None:
    """The colour a w:shd paints (upper-case hex), or None for no shading, 'auto', white or 'nil'.

    A 'clear' pattern shows its fill; 'solid' shows its pattern colour; other patterns (pct25...) are
    read by their fill, else their pattern colour.
    """
    if shd is None:
        return None
    pattern = (shd.get(VAL) or "clear").lower()
    if pattern == "nil":
        return None
    fill, color = shd.get(_w("fill")), shd.get(_w("color"))
    if pattern == "solid":
        chosen = color
    elif pattern == "clear":
        chosen = fill
    else:
        chosen = fill if fill and fill.lower() not in ("auto", "ffffff") else color
    if not chosen or chosen.lower() in ("auto", "ffffff"):
        return None
    return chosen.upper()


def run_styles(fmt: Format, baseline: Format) -> tuple[tuple[str, str], ...]:
    """(style, detail) spans a run with formatting ``fmt`` carries in a paragraph styled ``baseline``."""
    out = []
    if "dstrike" in fmt:
        out.append(("strike", "dstrike"))
    elif "strike" in fmt:
        out.append(("strike", ""))
    detail = "+".join(f"{k}:{fmt[k]}" if fmt[k] else k for k in EMPHASIS if k in fmt and baseline.get(k) != fmt[k])
    if detail:
        out.append(("emphasis", detail))
    return tuple(out)
