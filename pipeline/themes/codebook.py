"""Codebook: the hierarchical safeguarding themes (YAML data) and how a partnership overrides them.

The built-in ``pipeline/data/codebook.yaml`` lists themes, each with children nested under
``children:``. A partnership's ``WORKSPACE/codebook.yaml`` has the same shape and is merged by id:

- a new id adds a theme (top level, or under ``parent: <id>``, or nested under ``children:``);
- an existing id overrides only the fields it gives; ``add_patterns`` / ``add_exact`` / ``add_exclude``
  append to the built-in lists instead of replacing them;
- ``disabled: true`` removes a theme and everything under it;
- a top-level ``model: false`` turns off the statistical second opinion (pipeline.themes.model), leaving the
  rules alone to decide.

Errors are ConfigError messages that name the file, the line, the theme id and what to fix.
"""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from models.errors import ConfigError

BUILTIN_CODEBOOK = Path(str(resources.files("pipeline") / "data" / "codebook.yaml"))

_LINE = "__line__"
_THEME_KEYS = {
    "id", "label", "definition", "parent", "patterns", "exact", "token_patterns", "exclude",
    "negatable", "disabled", "children", "add_patterns", "add_exact", "add_exclude",
    "question_patterns", "context_patterns", "context_token_patterns", "context_negatable",
    "context_not_after", "add_question_patterns", "add_context_patterns",
}
_LIST_FIELDS = ("patterns", "exact", "exclude", "question_patterns", "context_patterns")


class Theme(BaseModel):
    """One theme: its place in the tree, what text tags it and what text must not.

    ``patterns`` match on lower-case lemmas ("neglected" finds "neglect"); ``exact`` match on lower-case
    word forms only; ``token_patterns`` are spaCy Matcher patterns (LEMMA is compared lower-case);
    an ``exclude`` phrase that overlaps a match cancels it. ``negatable`` says whether "no evidence of X"
    and "would ... if X" remove the mention: true for risks to the child, false for practice themes,
    where "there was no chronology" is itself a finding. None inherits from the parent (top level: true).

    ``context_patterns`` (lemma phrases) and ``context_token_patterns`` tag the theme only in answers to a
    question about it: one whose wording or section title matches a ``question_patterns`` phrase ("said",
    "told" under "How is the voice of the child heard?"). ``context_negatable`` says whether negations remove
    such a match ("not previously known" under a history question); None follows ``negatable``.
    ``context_not_after`` words name people whose words are not the theme's: they drop a context match that
    follows one of them in its sentence ("Mum said she wanted ..."), and any match opening with "she said" or
    "told" whose nearest person before it is one of them (see pipeline.themes.tag).
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    definition: str = ""
    parent: str | None = None
    patterns: list[str] = Field(default_factory=list)
    exact: list[str] = Field(default_factory=list)
    token_patterns: list[list[dict]] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    negatable: bool | None = None
    question_patterns: list[str] = Field(default_factory=list)
    context_patterns: list[str] = Field(default_factory=list)
    context_token_patterns: list[list[dict]] = Field(default_factory=list)
    context_negatable: bool | None = None
    context_not_after: list[str] = Field(default_factory=list)


class Codebook(BaseModel):
    """Themes in display order, parents before their children; ``sources`` are the files merged."""

    model_config = ConfigDict(extra="forbid")

    version: str
    themes: list[Theme]
    sources: list[str] = Field(default_factory=list)
    model: bool = Field(True, description="let the trained model add themes the rules missed and doubt weak ones")

    def get(self, theme_id: str) -> Theme:
        """The theme with this id (KeyError if there is none)."""
        for t in self.themes:
            if t.id == theme_id:
                return t
        raise KeyError(theme_id)

    def ids(self) -> list[str]:
        return [t.id for t in self.themes]

    def ancestors(self, theme_id: str) -> list[str]:
        """Parent, grandparent, ... of a theme, nearest first."""
        by_id = {t.id: t for t in self.themes}
        out: list[str] = []
        parent = by_id[theme_id].parent
        while parent is not None:
            out.append(parent)
            parent = by_id[parent].parent
        return out

    def children(self, theme_id: str | None) -> list[Theme]:
        """Direct children of a theme (None: the top-level themes)."""
        return [t for t in self.themes if t.parent == theme_id]

    def is_negatable(self, theme_id: str) -> bool:
        """Whether negations and hypotheticals remove a mention of this theme (inherited down the tree)."""
        for tid in [theme_id, *self.ancestors(theme_id)]:
            value = self.get(tid).negatable
            if value is not None:
                return value
        return True


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records the line of every mapping, so errors can point at it."""


class _FastLineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The same with libyaml's parser when PyYAML has it: the codebook loads about ten times faster (it is
    read at the start of every run). Same data and lines; a file it refuses is read again with _LineLoader,
    so the error message is the same either way."""


def _construct_mapping(loader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[_LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_FastLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _strip_lines(value):
    """The same data without the recorded line numbers."""
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != _LINE}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _read(path: Path) -> dict:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the codebook ({e.strerror or e}); check the path") from e
    try:
        try:
            data = yaml.load(text, Loader=_FastLineLoader)
        except yaml.YAMLError:
            data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e)
        raise ConfigError(f"{path}{where}: not valid YAML ({problem}); fix the indentation or quoting there") from e
    if data is None:
        data = {_LINE: 1}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: a codebook must be a YAML mapping with a 'themes:' list")
    unknown = set(data) - {"version", "themes", "model", _LINE}
    if unknown:
        key = sorted(unknown)[0]
        raise ConfigError(f"{path}:{data[_LINE]}: unknown top-level key {key!r}; use 'version', 'themes' and 'model'")
    if not isinstance(data.get("model", True), bool):
        raise ConfigError(f"{path}:{data[_LINE]}: 'model' must be true or false, not {data['model']!r}")
    themes = data.get("themes", [])
    if not isinstance(themes, list):
        raise ConfigError(f"{path}:{data[_LINE]}: 'themes' must be a list of themes (each starting '- id: ...')")
    return data


def _where(path: Path, entry: dict) -> str:
    return f"{path}:{entry.get(_LINE, '?')}"


def _flatten(path: Path, entries: list, parent: str | None, out: list[tuple[dict, str | None]]) -> None:
    """Walk nested ``children:`` lists into (entry, parent id) pairs, in document order."""
    for entry in entries:
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: each theme must be a mapping starting '- id: ...', got {entry!r}")
        tid = entry.get("id")
        if not isinstance(tid, str) or not tid:
            raise ConfigError(f"{_where(path, entry)}: a theme has no 'id'; give it a lower_case id")
        unknown = set(entry) - _THEME_KEYS - {_LINE}
        if unknown:
            key = sorted(unknown)[0]
            close = difflib.get_close_matches(key, sorted(_THEME_KEYS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{_where(path, entry)}: theme {tid!r}: unknown field {key!r}{hint}")
        children = entry.get("children", [])
        if not isinstance(children, list):
            raise ConfigError(f"{_where(path, entry)}: theme {tid!r}: 'children' must be a list of themes")
        if parent is not None and entry.get("parent") not in (None, parent):
            raise ConfigError(
                f"{_where(path, entry)}: theme {tid!r} is nested under {parent!r} but says parent "
                f"{entry['parent']!r}; remove one of the two"
            )
        out.append((entry, entry.get("parent", parent)))
        _flatten(path, children, tid, out)


def _validate_theme(path: Path, entry: dict, fields: dict) -> Theme:
    try:
        theme = Theme.model_validate(_strip_lines(fields))
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{_where(path, entry)}: theme {fields.get('id')!r}: {field}: {first['msg']}") from e
    for name in _LIST_FIELDS:
        for phrase in getattr(theme, name):
            if not phrase.strip():
                raise ConfigError(f"{_where(path, entry)}: theme {theme.id!r}: an empty phrase in {name!r}; remove it")
    return theme


def _merge(path: Path, data: dict, themes: dict[str, Theme], lines: dict[str, str], disabled: set[str]) -> None:
    """Apply one file's themes onto ``themes`` (ordered by id); records where each theme came from."""
    flat: list[tuple[dict, str | None]] = []
    _flatten(path, data.get("themes", []), None, flat)
    seen: set[str] = set()
    for entry, parent in flat:
        tid = entry["id"]
        if tid in seen:
            raise ConfigError(f"{_where(path, entry)}: theme {tid!r} appears twice in this file; keep one")
        seen.add(tid)
        if entry.get("disabled"):
            if tid not in themes:
                raise ConfigError(
                    f"{_where(path, entry)}: theme {tid!r} is disabled but no earlier codebook defines it; "
                    f"check the id (known: {', '.join(difflib.get_close_matches(tid, list(themes), n=3)) or 'none close'})"
                )
            disabled.add(tid)
            continue
        fields = {k: v for k, v in entry.items() if k not in ("children", "disabled") and not k.startswith("add_")}
        if parent is not None:
            fields["parent"] = parent
        if tid in themes:
            base = themes[tid].model_dump(exclude_unset=False)
            base.update(fields)
            for name in _LIST_FIELDS:
                extra = entry.get(f"add_{name}", [])
                if not isinstance(extra, list):
                    raise ConfigError(f"{_where(path, entry)}: theme {tid!r}: 'add_{name}' must be a list")
                base[name] = list(base[name]) + list(extra)
            fields = base
        elif any(k.startswith("add_") for k in entry):
            raise ConfigError(
                f"{_where(path, entry)}: theme {tid!r} is new, so 'add_...' has nothing to add to; "
                "use 'patterns', 'exact', 'exclude', 'question_patterns' or 'context_patterns'"
            )
        themes[tid] = _validate_theme(path, entry, fields)
        lines[tid] = _where(path, entry)


def _check_tree(themes: dict[str, Theme], lines: dict[str, str]) -> None:
    for t in themes.values():
        if t.parent is not None and t.parent not in themes:
            raise ConfigError(f"{lines[t.id]}: theme {t.id!r}: parent {t.parent!r} does not exist; fix the parent id")
        if not (t.patterns or t.exact or t.token_patterns):
            raise ConfigError(
                f"{lines[t.id]}: theme {t.id!r} has no patterns, exact phrases or token patterns, so it can "
                "never be tagged; add some or disable it"
            )
        if (t.context_patterns or t.context_token_patterns) and not t.question_patterns:
            raise ConfigError(
                f"{lines[t.id]}: theme {t.id!r} has context patterns but no 'question_patterns', so they never "
                "apply; add the question wording they belong to"
            )
    for t in themes.values():
        seen = {t.id}
        parent = t.parent
        while parent is not None:
            if parent in seen:
                raise ConfigError(f"{lines[t.id]}: theme {t.id!r}: its parents form a loop through {parent!r}")
            seen.add(parent)
            parent = themes[parent].parent


def _ordered(themes: dict[str, Theme]) -> list[Theme]:
    """Depth-first order: each parent followed by its children, in the order they were defined."""
    out: list[Theme] = []

    def visit(parent: str | None) -> None:
        for t in themes.values():
            if t.parent == parent:
                out.append(t)
                visit(t.id)

    visit(None)
    return out


def load_codebook(override: Path | None = None, builtin: Path = BUILTIN_CODEBOOK) -> Codebook:
    """The built-in codebook merged with a partnership's override file (if given and present).

    Raises ConfigError naming the file, line, theme id and what to fix. A missing override path is an
    error too, since a partnership that names a codebook expects it to be used.
    """
    themes: dict[str, Theme] = {}
    lines: dict[str, str] = {}
    disabled: set[str] = set()
    base = _read(builtin)
    _merge(builtin, base, themes, lines, disabled)
    sources = [str(builtin)]
    version = str(base.get("version", "1"))
    model = base.get("model", True)
    if override is not None:
        if not Path(override).is_file():
            raise ConfigError(f"{override}: codebook file not found; check the path or remove the setting")
        extra = _read(override)
        _merge(Path(override), extra, themes, lines, disabled)
        sources.append(str(override))
        if "version" in extra:
            version = f"{version}+{extra['version']}"
        model = extra.get("model", model)
    # Disabling a parent disables its children: a child without its parent would roll up nowhere.
    changed = True
    while changed:
        changed = False
        for t in themes.values():
            if t.id not in disabled and t.parent in disabled:
                disabled.add(t.id)
                changed = True
    kept = {tid: t for tid, t in themes.items() if tid not in disabled}
    _check_tree(kept, lines)
    return Codebook(version=version, themes=_ordered(kept), sources=sources, model=model)
