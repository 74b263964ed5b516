"""`maap templates ...`: list, show, learn, check and diff audit-tool templates (a thin wrapper).

The integrator registers ``templates`` in the main CLI: ``main.add_command(templates)``.
"""

from __future__ import annotations

from pathlib import Path

import click

from models.errors import MaapError
from models.template import Template
from pipeline.templates.registry import (BUILTIN_DIR, SCHEMA_PATH, check_template_file, load_template_file,
                                template_files, template_json_schema_text)

WORKSPACE_HELP = "workspace folder; its templates/ subfolder is searched after the built-ins"


def _workspace_dirs(workspace: Path | None) -> list[Path]:
    return [Path(workspace) / "templates"] if workspace else []


def _load_all(workspace: Path | None) -> dict[str, tuple[Template, Path]]:
    found: dict[str, tuple[Template, Path]] = {}
    for path in template_files(_workspace_dirs(workspace)):
        try:
            t = load_template_file(path)
        except MaapError as e:
            raise click.ClickException(str(e)) from None
        found[t.id] = (t, path)
    return found


def _resolve(ref: str, workspace: Path | None) -> Template:
    """A template file path, or the id of an installed template."""
    try:
        if Path(ref).is_file():
            return load_template_file(Path(ref))
        found = _load_all(workspace)
        if ref not in found:
            raise click.ClickException(f"{ref!r} is neither a template file nor a known template id "
                                       f"(known: {', '.join(sorted(found))})")
        return found[ref][0]
    except MaapError as e:
        raise click.ClickException(str(e)) from None


@click.group(name="templates")
def templates() -> None:
    """Audit-tool templates: list, show, learn from a blank form, check and compare.

    \b
    Example:
      maap templates list --workspace ~/audits
    """


@templates.command(name="list")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), help=WORKSPACE_HELP)
def list_templates(workspace: Path | None) -> None:
    """List built-in and workspace templates; invalid files are listed too, and the exit code is 1.

    \b
    Example:
      maap templates list --workspace ~/audits
    """
    seen: dict[str, Path] = {}
    bad = 0
    for path in template_files(_workspace_dirs(workspace)):
        template, problems = check_template_file(path)
        origin = "built-in" if path.parent == BUILTIN_DIR else str(path)
        if template is None:
            bad += 1
            first = next(p for p in problems if p.severity == "error")
            click.echo(f"INVALID  {path.name}  {first}")
            continue
        note = f"  (replaces {seen[template.id].name})" if template.id in seen else ""
        seen[template.id] = path
        click.echo(f"{template.id}  v{template.version}  {len(template.questions())} questions  "
                   f"{origin}{note}  {template.name}")
    if bad:
        raise SystemExit(1)


@templates.command()
@click.argument("template_id")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), help=WORKSPACE_HELP)
@click.option("--yaml", "as_yaml", is_flag=True, help="print the template file itself")
def show(template_id: str, workspace: Path | None, as_yaml: bool) -> None:
    """Show a template's header fields, sections and questions (ids, numbers, kinds).

    \b
    Example:
      maap templates show west-midlands-maat
    """
    found = _load_all(workspace)
    if template_id not in found:
        raise click.ClickException(f"no template {template_id!r}; known templates: {', '.join(sorted(found))}")
    t, path = found[template_id]
    if as_yaml:
        click.echo(path.read_text(encoding="utf-8"), nl=False)
        return
    click.echo(f"{t.id} v{t.version}: {t.name}\n  file: {path}")
    if t.description:
        click.echo(f"  {t.description}")
    click.echo("header: " + ", ".join(f"{h.key} ({h.label})" for h in t.header))
    for s in t.sections:
        click.echo(f"[{s.id}] {s.title}" + ("  (learning)" if s.learning else ""))
        for q in s.questions:
            kind = "" if q.kind.value == "free_text" else f"  [{q.kind.value}{': ' + ', '.join(q.options) if q.options else ''}]"
            number = f"{q.number}. " if q.number else ""
            click.echo(f"  {q.id}: {number}{q.wording}{kind}")
    if t.grading:
        click.echo(f"{t.grading.title}: " + " / ".join(o.label for o in t.grading.options))


@templates.command()
@click.argument("blank_form", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "template_id", required=True, help="id for the new template, e.g. west-midlands-maat-v2")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="YAML file to write, e.g. WORKSPACE/templates/ID.yaml")
@click.option("--name", help="human name of the audit tool (default: the form's title)")
@click.option("--version", "version", default="1", show_default=True, help="template version")
@click.option("--force", is_flag=True, help="overwrite --out if it exists")
def learn(blank_form: Path, template_id: str, out: Path, name: str | None, version: str, force: bool) -> None:
    """Write an editable template from a blank audit tool (.docx, .doc, .pdf).

    \b
    Example:
      maap templates learn blank-tool.docx --id my-partnership-maat --out ~/audits/templates/my-partnership-maat.yaml
    """
    from extractors.registry import extract
    from pipeline.templates.learn import learn as learn_template
    from pipeline.templates.learn import template_yaml

    if out.exists() and not force:
        raise click.ClickException(f"{out} exists; pass --force to overwrite it")
    try:
        raw = extract(blank_form)
        template = learn_template(raw, template_id, name=name, version=version)
    except MaapError as e:
        raise click.ClickException(str(e)) from None
    except ImportError as e:
        raise click.ClickException(f"{blank_form.name}: no extractor for this format is installed yet ({e.name})") from None
    except ValueError as e:  # pydantic: e.g. an id that is not lower-case letters, digits and '-'
        raise click.ClickException(f"cannot build the template: {str(e).splitlines()[-1].strip()}") from None
    if not template.sections:
        raise click.ClickException(f"{blank_form.name}: no questions found; is this the blank audit tool?")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(template_yaml(template, blank_form.name), encoding="utf-8")
    click.echo(f"wrote {out}: {len(template.header)} header fields, {len(template.sections)} sections, "
               f"{len(template.questions())} questions, grading {'yes' if template.grading else 'no'}")
    click.echo(f"next: edit it, then run 'maap templates check {out}'")


@templates.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check(files: tuple[Path, ...]) -> None:
    """Validate template files: each problem with its line, field and what to fix; exit 1 on errors.

    \b
    Example:
      maap templates check ~/audits/templates/my-partnership-maat.yaml
    """
    failed = False
    for path in files:
        template, problems = check_template_file(path)
        for p in problems:
            click.echo(str(p), err=p.severity == "error")
        if template is None:
            failed = True
        else:
            click.echo(f"{path}: OK: {template.id} v{template.version}, {len(template.sections)} sections, "
                       f"{len(template.questions())} questions")
    if failed:
        raise SystemExit(1)


@templates.command()
@click.argument("old")
@click.argument("new")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), help=WORKSPACE_HELP)
def diff(old: str, new: str, workspace: Path | None) -> None:
    """Compare two templates (files or ids): questions added, removed, reworded, moved or renamed.

    \b
    Example:
      maap templates diff west-midlands-maat ~/audits/templates/west-midlands-maat-v2.yaml
    """
    from pipeline.templates.diff import diff_templates

    for line in diff_templates(_resolve(old, workspace), _resolve(new, workspace)).lines():
        click.echo(line)


@templates.command()
@click.option("--write", is_flag=True, help=f"write it to {SCHEMA_PATH.name} in the package instead of printing")
def schema(write: bool) -> None:
    """Print the JSON Schema of a template file (for editors); --write refreshes the shipped copy.

    \b
    Example:
      maap templates schema > template.schema.json
    """
    text = template_json_schema_text()
    if write:
        SCHEMA_PATH.write_text(text, encoding="utf-8")
        click.echo(f"wrote {SCHEMA_PATH}")
    else:
        click.echo(text, nl=False)
