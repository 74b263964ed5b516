"""``maap codebook``: check a theme codebook and export themes to REFI-QDA (NVivo, ATLAS.ti, QualCoder...).

A thin wrapper: the work is done in pipeline.themes.codebook, pipeline.themes.tag and pipeline.themes.qda. Errors are one
line (click.ClickException), never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import click

from models.errors import ConfigError


@click.group(name="codebook")
def codebook_group() -> None:
    """Check the theme codebook and export coded returns for qualitative analysis.

    \b
    Example:
      maap codebook check WORKSPACE/codebook.yaml
      maap codebook export-qda WORKSPACE/records --out themes.qdpx
    """


@codebook_group.command("check")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
def check(file: Path | None) -> None:
    """Validate the built-in codebook merged with FILE (a partnership's codebook.yaml), and compile it.

    Without FILE, checks the built-in codebook. Prints one summary line, or one error line that names
    the file, line, theme and what to fix.

    \b
    Example:
      maap codebook check WORKSPACE/codebook.yaml
    """
    from pipeline.themes.tag import compile_codebook

    try:
        cb = _load(file)
        compile_codebook(cb)  # spaCy validates the token patterns here
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
    parents = sum(1 for t in cb.themes if t.parent is None)
    patterns = sum(len(t.patterns) + len(t.exact) + len(t.token_patterns) for t in cb.themes)
    where = f"built-in + {file}" if file else "built-in"
    click.echo(f"OK: codebook {cb.version} ({where}): {len(cb.themes)} themes "
               f"({parents} top-level, {len(cb.themes) - parents} nested), {patterns} patterns")
    click.echo(_model_line(cb))


def _model_line(cb) -> str:
    """What the trained model will do with this codebook, in one line."""
    from pipeline.themes.model import load_model

    if not cb.model:
        return "trained model: off ('model: false'); the patterns alone decide"
    model = load_model()
    if model is None:
        return "trained model: none installed; the patterns alone decide"
    own = [t for t in cb.ids() if t not in model.themes]
    mine = f"; {len(own)} theme(s) of your own are left to the patterns ({', '.join(own[:5])})" if own else ""
    return (f"trained model: on for {len([t for t in model.themes if t in cb.ids()])} themes "
            f"(adds and sets aside tags; 'model: false' turns it off){mine}")


@codebook_group.command("export-qda")
@click.argument("records_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="write a REFI-QDA project (.qdpx)")
@click.option("--codebook-only", "codebook_only", type=click.Path(dir_okay=False, path_type=Path),
              help="write only the codebook as REFI-QDA .qdc")
@click.option("--codebook", "codebook_file", type=click.Path(dir_okay=False, path_type=Path),
              help="a partnership's codebook.yaml to merge with the built-in one")
@click.option("--retag", is_flag=True, help="tag the records again with the codebook before exporting")
@click.option("--names", is_flag=True, help="Keep people's names in the exported text (by default they are codes, "
              "as in the report: Child A, Mother of Child A, Person 3).")
def export_qda(records_dir: Path | None, out: Path | None, codebook_only: Path | None,
               codebook_file: Path | None, retag: bool, names: bool) -> None:
    """Export the codebook (.qdc) and/or tagged returns in RECORDS_DIR (.qdpx) for NVivo, ATLAS.ti, QualCoder.

    The project holds one plain-text source per return (answers only, no names from the header) with each
    tagged sentence coded to its theme. People named in the answers are replaced by codes unless --names (the
    workspace's salt, RECORDS_DIR/../.pseudonym-salt, keeps them the same as the report's).

    \b
    Example:
      maap codebook export-qda WORKSPACE/records --out themes.qdpx
      maap codebook export-qda --codebook-only safeguarding.qdc
    """
    from pipeline.themes import qda

    if not out and not codebook_only:
        raise click.ClickException("nothing to write: give --out FILE.qdpx and/or --codebook-only FILE.qdc")
    if out and not records_dir:
        raise click.ClickException("--out needs RECORDS_DIR, the folder of record JSON files to export")
    try:
        cb = _load(codebook_file)
        if codebook_only:
            qda.write_codebook(cb, codebook_only)
            click.echo(f"wrote {codebook_only}: {len(cb.themes)} codes")
        if out:
            records = qda.load_records(records_dir)
            if not records:
                raise click.ClickException(f"{records_dir}: no record JSON files found; run processing first")
            if retag:
                from pipeline.themes.tag import tag_returns

                records = tag_returns(records, cb)
            if not names:
                from pipeline.outputs.pseudonymise import load_salt, pseudonymise_all

                records = pseudonymise_all(records, load_salt(records_dir.parent / ".pseudonym-salt"))
            summary = qda.write_project(records, cb, out)
            click.echo(f"wrote {out}: {summary.sources} returns, {summary.selections} coded sentences, "
                       f"{summary.codings} codings")
            if summary.not_found:
                click.echo(f"note: {summary.not_found} tagged sentences were not found in their answers "
                           "(records edited after tagging); use --retag", err=True)
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
    except OSError as e:
        raise click.ClickException(f"{e.filename or ''}: {e.strerror or e}") from None


def _load(file: Path | None):
    from pipeline.themes.codebook import load_codebook

    return load_codebook(file)


@codebook_group.command("agreement")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--codebook", "codebook_file", type=click.Path(dir_okay=False, path_type=Path),
              help="the codebook the workbook was coded with (default: the built-in one)")
def agreement(source: Path, codebook_file: Path | None) -> None:
    """Cohen's kappa per theme between maap's coding and the reviewers' columns of the Themes sheet.

    SOURCE is a workbook, or a workspace: then every review kept in WORKSPACE/reviews.jsonl counts, reviews of
    returns since superseded included. Reviewers write Y or N in "Reviewer agrees? (Y/N)" and list missing
    themes in "Reviewer adds themes"; returns with no reviewer entry are left out.

    \b
    Example:
      maap codebook agreement ./audit-2026-q3
      maap codebook agreement ./audit-2026-q3/output/audit-workbook.xlsx
    """
    from pipeline.themes.agreement import kappa_from_rows

    rows = _workspace_rows(source) if source.is_dir() else _workbook_rows(source)
    try:
        results = kappa_from_rows(rows, _load(codebook_file))
    except ValueError as e:
        raise click.ClickException(f"Themes sheet, {e}") from None
    if not any(a.n for a in results.values()):
        raise click.ClickException("no reviewer entries found: fill in the reviewer columns of the Themes sheet first")
    click.echo(f"{'theme':<28} {'kappa':>6} {'agree':>6} {'both':>5} {'maap':>5} {'reviewer':>8}")
    for a in (a for a in results.values() if a.both + a.machine_only + a.reviewer_only):
        kappa = "-" if a.kappa is None else f"{a.kappa:.2f}"
        click.echo(f"{a.theme:<28} {kappa:>6} {a.observed:>6.0%} {a.both:>5} {a.machine_only:>5} {a.reviewer_only:>8}")


def _workbook_rows(workbook: Path) -> list[dict]:
    from pipeline.outputs.workbook import UnreadableWorkbook, read_sheet

    try:
        return read_sheet(workbook, "Themes")
    except KeyError:
        raise click.ClickException(f"{workbook.name} has no Themes sheet; is it a maap audit workbook?") from None
    except UnreadableWorkbook as e:
        raise click.ClickException(str(e)) from None


def _workspace_rows(root: Path) -> list[dict]:
    """Themes rows of every record in the workspace (superseded ones too) with the reviews kept for them."""
    from pipeline.outputs.reviews import latest_reviews, load_reviews, theme_review_rows
    from pipeline.run import REVIEWS_NAME
    from pipeline.store.status import resolve
    from pipeline.store.workspace import Workspace

    ws = Workspace(root)
    if not (ws.root / REVIEWS_NAME).exists():
        raise click.ClickException(f"{root}: no {REVIEWS_NAME} yet; review the workbook, then run maap again")
    records = [rec for e, rec in resolve(ws) if e.outcome in ("processed", "superseded") and rec is not None]
    return theme_review_rows(records, latest_reviews(load_reviews(ws.root / REVIEWS_NAME)))
