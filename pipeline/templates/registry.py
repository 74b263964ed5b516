"""Template registry: built-in and workspace templates (YAML), their validation, schema and detection.

A template file is checked in two passes: the YAML is composed into nodes (so every problem can name
its line), then validated against the pydantic ``Template`` model plus a few rules pydantic cannot see
(duplicate keys, unknown flag codes in ``checks``). Detection lives in ``pipeline.templates.detect``.
"""

from __future__ import annotations

import difflib
import json
import re
import typing
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from models.errors import TemplateError
from models.raw import RawDocument
from models.record import FlagCode, Severity
from models.template import AnswerKind, Template

BUILTIN_DIR = Path(str(resources.files("pipeline") / "data" / "templates"))
SCHEMA_PATH = Path(str(resources.files("pipeline") / "data" / "template.schema.json"))
CHECK_VALUES = {s.value for s in Severity} | {"off"}


@dataclass(frozen=True)
class TemplateProblem:
    """One thing wrong with a template file: where (line, field path), what, and how to fix it."""

    file: str
    line: int | None
    field: str
    message: str
    fix: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        fix = f" ({self.fix})" if self.fix else ""
        return f"{where}:{field} {self.severity}: {self.message}{fix}"


def check_template_text(text: str, source: str = "<template>") -> tuple[Template | None, list[TemplateProblem]]:
    """Validate template YAML text; returns the template (None if any error) and every problem found."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(e, "problem", None) or str(e)
        fix = ("put the value in quotes: text containing ': ', '#', '?' or ',' inside [ ] lists, "
               "or starting with [ { * & ! | > ' \" %, must be quoted")
        return None, [TemplateProblem(source, line, "", f"not valid YAML: {problem}", fix)]
    if root is None or not isinstance(root, yaml.MappingNode):
        return None, [TemplateProblem(source, 1, "", "a template file must be a YAML mapping",
                                      "start with 'id:', 'name:', 'version:' and 'sections:' lines")]
    problems = _duplicate_keys(root, source, ())
    data = yaml.safe_load(text)
    try:
        template = Template.model_validate(data)
    except ValidationError as e:
        # a misspelt field also reports the real one missing: show the misspelling first, it says more
        errors = sorted(e.errors(), key=lambda err: err["type"] != "extra_forbidden")
        problems += [_problem_from_error(err, root, source) for err in errors]
        return None, problems
    problems += _check_rules(template, root, source)
    if any(p.severity == "error" for p in problems):
        return None, problems
    return template, problems


def check_template_file(path: Path) -> tuple[Template | None, list[TemplateProblem]]:
    """Validate one template file; see check_template_text."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return None, [TemplateProblem(str(path), None, "", f"cannot read the file: {e}",
                                      "save it as UTF-8 text with a .yaml suffix")]
    return check_template_text(text, str(path))


def load_template_file(path: Path) -> Template:
    """Read one template YAML file; errors name the file, the line, the field and what to fix."""
    template, problems = check_template_file(path)
    if template is None:
        errors = [str(p) for p in problems if p.severity == "error"]
        more = f" (and {len(errors) - 1} more; run 'maap templates check {path}')" if len(errors) > 1 else ""
        raise TemplateError(errors[0] + more)
    return template


def template_files(extra_dirs: list[Path] = ()) -> list[Path]:
    """Template files in load order: built-ins first, then each extra folder, sorted by name."""
    files: list[Path] = []
    for folder in [BUILTIN_DIR, *extra_dirs]:
        folder = Path(folder)
        if folder.is_dir():
            files += sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    return files


def load_templates(extra_dirs: list[Path] = ()) -> dict[str, Template]:
    """All templates by id: built-ins first, then each extra folder (a later file with the same id wins)."""
    return {t.id: t for t in (load_template_file(p) for p in template_files(extra_dirs))}


def get_template(template_id: str, templates: dict[str, Template]) -> Template:
    """The template with this id, or a TemplateError listing the ids there are."""
    try:
        return templates[template_id]
    except KeyError:
        raise TemplateError(
            f"no template {template_id!r}; known templates: {', '.join(sorted(templates))}"
        ) from None


def detect_template(raw: RawDocument, templates: dict[str, Template]) -> tuple[Template, float]:
    """The best-matching template for a document and a confidence between 0 and 1.

    Below ``Settings.template_threshold`` the caller still maps the return with this best guess and
    raises the ``template_uncertain`` flag.
    """
    from pipeline.templates.detect import rank_templates

    if not templates:
        raise TemplateError("no templates are installed")
    best = rank_templates(raw, templates)[0]
    return templates[best.template_id], best.confidence


def template_json_schema() -> dict:
    """The JSON Schema of a template file, generated from the pydantic Template model."""
    schema = Template.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://maap.invalid/template.schema.json", **schema}


def template_json_schema_text() -> str:
    """The schema as the text shipped in pipeline/data/template.schema.json."""
    return json.dumps(template_json_schema(), indent=2, ensure_ascii=False) + "\n"


# --- line numbers and hints -------------------------------------------------------------------------

def _node_at(root: yaml.Node, loc: tuple) -> tuple[yaml.Node, bool]:
    """The deepest node along a pydantic loc, and whether the whole loc was found."""
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == str(part)), None)
            if nxt is None:
                # an unknown key: point at the key itself
                key = next((k for k, _ in node.value if k.value == str(part)), None)
                return (key or node), False
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return node, False
    return node, True


def _key_node(root: yaml.Node, loc: tuple) -> yaml.Node | None:
    parent, found = _node_at(root, loc[:-1])
    if found and isinstance(parent, yaml.MappingNode):
        return next((k for k, _ in parent.value if k.value == str(loc[-1])), None)
    return None


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The pydantic model that owns the last field of a loc (for listing allowed fields)."""
    model: type[BaseModel] = Template
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        inner = _inner_model(field.annotation)
        if inner is None:
            return None
        model = inner
    return model


def _inner_model(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found:
            return found
    return None


_FIXES = {
    "missing": "add this field",
    "string_pattern_mismatch": "ids use lower-case letters, digits and '_' (template ids use '-'), starting with a letter",
    "string_type": "write text; put numbers, dates and yes/no in quotes, e.g. version: \"2\"",
    "list_type": "write a list: one '- item' line per entry, or [a, b]",
    "dict_type": "write a mapping of 'field: value' lines",
    "model_type": "write a mapping of 'field: value' lines",
    "bool_type": "write true or false",
    "bool_parsing": "write true or false",
}


def _problem_from_error(err: dict, root: yaml.Node, source: str) -> TemplateProblem:
    loc = tuple(err["loc"])
    field = ".".join(str(p) for p in loc)
    kind = err["type"]
    fix = _FIXES.get(kind, "")
    if kind == "extra_forbidden":
        key = _key_node(root, loc)
        line = key.start_mark.line + 1 if key else _node_at(root, loc)[0].start_mark.line + 1
        model = _model_at(loc)
        allowed = list(model.model_fields) if model else []
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return TemplateProblem(source, line, field, f"unknown field {str(loc[-1])!r}",
                               f"{hint}remove it or fix the spelling; allowed here: {', '.join(allowed)}")
    if kind in ("enum", "literal_error"):
        fix = "use one of the values listed"
    if kind == "string_type" and isinstance(err.get("input"), bool):
        fix = "put it in quotes: YAML reads bare off/on/yes/no as true or false, e.g. \"off\""
    if not loc:
        return _model_error(err, root, source)
    node, found = _node_at(root, loc)
    line = node.start_mark.line + 1
    message = err["msg"]
    if kind == "missing":
        message = f"{str(loc[-1])!r} is required here"
    return TemplateProblem(source, line, field, message, fix)


def _model_error(err: dict, root: yaml.Node, source: str) -> TemplateProblem:
    """A whole-template error (the duplicate-id rule): find the second use of the id for its line."""
    msg = str(err.get("ctx", {}).get("error", err["msg"]))
    m = re.search(r"question id '([^']+)'", msg)
    line, field = 1, ""
    if m:
        uses = [(loc, n) for loc, n in _question_id_nodes(root) if n.value == m.group(1)]
        if len(uses) > 1:
            field, line = uses[1][0], uses[1][1].start_mark.line + 1
    return TemplateProblem(source, line, field, msg.removeprefix("Value error, "),
                           "give each question its own id, e.g. add the section id as a prefix")


def _question_id_nodes(root: yaml.Node):
    sections, _ = _node_at(root, ("sections",))
    if not isinstance(sections, yaml.SequenceNode):
        return
    for si, s in enumerate(sections.value):
        questions, found = _node_at(s, ("questions",))
        if found and isinstance(questions, yaml.SequenceNode):
            for qi, q in enumerate(questions.value):
                node, ok = _node_at(q, ("id",))
                if ok:
                    yield f"sections.{si}.questions.{qi}.id", node


def _duplicate_keys(node: yaml.Node, source: str, path: tuple) -> list[TemplateProblem]:
    """PyYAML keeps the last of two equal keys silently; a template author never means that."""
    problems: list[TemplateProblem] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for k, v in node.value:
            if k.value in seen:
                problems.append(TemplateProblem(source, k.start_mark.line + 1, ".".join(map(str, path + (k.value,))),
                                                f"{k.value!r} appears twice in the same mapping",
                                                "keep one; the second would silently replace the first"))
            seen.add(k.value)
            problems += _duplicate_keys(v, source, path + (k.value,))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            problems += _duplicate_keys(item, source, path + (i,))
    return problems


def _check_rules(template: Template, root: yaml.Node, source: str) -> list[TemplateProblem]:
    """Rules the model cannot express: flag codes in checks, tick lists with options, header keys once."""
    problems: list[TemplateProblem] = []
    codes = {c.value for c in FlagCode}

    def line_of(loc: tuple) -> int:
        return _node_at(root, loc)[0].start_mark.line + 1

    def check_checks(checks: dict[str, str], loc: tuple) -> None:
        for code, value in checks.items():
            if code not in codes:
                problems.append(TemplateProblem(source, line_of(loc + (code,)), ".".join(map(str, loc + (code,))),
                                                f"unknown flag code {code!r}", f"use one of: {', '.join(sorted(codes))}"))
            elif value not in CHECK_VALUES:
                problems.append(TemplateProblem(source, line_of(loc + (code,)), ".".join(map(str, loc + (code,))),
                                                f"unknown check value {value!r}", f"use one of: {', '.join(sorted(CHECK_VALUES))}"))

    check_checks(template.checks, ("checks",))
    keys_seen: set[str] = set()
    for i, h in enumerate(template.header):
        if h.key in keys_seen:
            problems.append(TemplateProblem(source, line_of(("header", i, "key")), f"header.{i}.key",
                                            f"header key {h.key!r} is listed twice",
                                            "put the second label in the first entry's aliases"))
        keys_seen.add(h.key)
    for si, s in enumerate(template.sections):
        if not s.questions:
            problems.append(TemplateProblem(source, line_of(("sections", si)), f"sections.{si}.questions",
                                            f"section {s.id!r} has no questions", "add questions or remove the section"))
        for qi, q in enumerate(s.questions):
            loc = ("sections", si, "questions", qi)
            check_checks(q.checks, loc + ("checks",))
            if q.kind == AnswerKind.tick_list and not q.options:
                problems.append(TemplateProblem(source, line_of(loc), ".".join(map(str, loc + ("options",))),
                                                f"tick list {q.id!r} has no options",
                                                "list the options the form prints under 'options:'"))
            elif q.options and q.kind != AnswerKind.tick_list:
                problems.append(TemplateProblem(source, line_of(loc + ("options",)), ".".join(map(str, loc + ("options",))),
                                                f"{q.id!r} has options but kind {q.kind.value!r}; they are ignored",
                                                "set 'kind: tick_list' or remove the options", severity="warning"))
    return problems
