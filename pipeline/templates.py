"""Template registry: built-in and workspace templates (YAML), and detection of a return's template."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError
from rapidfuzz import fuzz

from models.errors import TemplateError
from models.raw import RawDocument
from models.template import Template
from pipeline.text import document_lines, normalise

BUILTIN_DIR = Path(str(resources.files("pipeline") / "data" / "templates"))


def load_template_file(path: Path) -> Template:
    """Read one template YAML file; errors name the file, the field and what to fix."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise TemplateError(f"{path}: not valid YAML: {e}") from e
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: a template file must be a YAML mapping with id, name, version, sections")
    try:
        return Template.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise TemplateError(f"{path}: {where}: {first['msg']}") from e


def load_templates(extra_dirs: list[Path] = ()) -> dict[str, Template]:
    """All templates by id: built-ins first, then each extra folder (a later file with the same id wins)."""
    found: dict[str, Template] = {}
    for folder in [BUILTIN_DIR, *extra_dirs]:
        folder = Path(folder)
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")):
            t = load_template_file(path)
            found[t.id] = t
    return found


def get_template(template_id: str, templates: dict[str, Template]) -> Template:
    """The template with this id, or a TemplateError listing the ids there are."""
    try:
        return templates[template_id]
    except KeyError:
        raise TemplateError(
            f"no template {template_id!r}; known templates: {', '.join(sorted(templates))}"
        ) from None


def _score(template: Template, lines: list[str]) -> float:
    """Share of the template's questions whose wording appears in the document, plus a title bonus."""
    text_lines = [normalise(line) for line in lines if line.strip()]
    if not text_lines:
        return 0.0
    questions = template.questions()
    hits = 0
    for q in questions:
        wording = normalise(q.wording)
        if any(fuzz.partial_ratio(wording, line) >= 85 for line in text_lines if len(line) >= len(wording) * 0.6):
            hits += 1
    share = hits / len(questions) if questions else 0.0
    title = max((fuzz.partial_ratio(normalise(t), line) for t in template.titles for line in text_lines[:40]), default=0)
    return min(1.0, 0.85 * share + 0.15 * (title / 100))


def detect_template(raw: RawDocument, templates: dict[str, Template]) -> tuple[Template, float]:
    """The best-matching template for a document and a confidence between 0 and 1."""
    if not templates:
        raise TemplateError("no templates are installed")
    lines = document_lines(raw)
    scored = sorted(((_score(t, lines), t.id) for t in templates.values()), reverse=True)
    best_score, best_id = scored[0]
    return templates[best_id], round(best_score, 3)
