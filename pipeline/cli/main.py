"""The `maap` command line: a thin wrapper over pipeline functions. Errors are one line, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import click

from models.errors import MaapError, UnreadableFile
from models.settings import Settings
from pipeline.cli.cases import cases_group, chase, pack
from pipeline.cli.codebook import codebook_group
from pipeline.cli.mail import fetch_mail
from pipeline.cli.templates import templates

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples" / "returns"


def _quiet_prefect(verbose: bool) -> None:
    """Offline, quiet Prefect defaults (set before Prefect is imported; a user's own settings win)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")


def _settings(template: str | None, pseudonymise: bool = False, concurrency: int | None = None,
              workspace: Path | None = None, names: bool = False) -> Settings:
    """WORKSPACE/maap.yaml (if any) with the command line's choices on top."""
    from pipeline.config import load_settings

    return load_settings(workspace, template_id=template, pseudonymise=pseudonymise, concurrency=concurrency,
                         names=names)


_names_option = click.option(
    "--names", is_flag=True,
    help="Show people's names in the report and its PDF (by default they name no one: Child A, Mother of Child A, "
         "Person 3). For the partnership team only: never publish a report built with --names.")


class _Group(click.Group):
    """Turns expected errors into one line on stderr and exit code 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except MaapError as e:
            raise click.ClickException(str(e)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="maap")
def main() -> None:
    """maap: read returned multi-agency audit tools into records, a workbook and a report.

    \b
    Typical use:
      maap run ./audit-2026-q3            read new files in ./audit-2026-q3/inbox
      maap status ./audit-2026-q3         what happened to every file
      maap extract return.docx --json     read one file and print its record
    """


_template_option = click.option("--template", "template", metavar="ID",
                                help="Use this template instead of detecting one (see `maap templates list`).")


_round_option = click.option(
    "--round", "round_id", metavar="ROUND",
    help="Also build the outputs of this audit round alone (its id or name, e.g. neglect-2024-q2; "
         "`maap cases check` shows them) into output/rounds/<round>/.")
_batch_option = click.option(
    "--batch-size", type=click.IntRange(1, 1000), default=None, metavar="N",
    help="Files per Prefect task (default: 1 below 200 new files, 25 from 200 up).")
_runner_option = click.option(
    "--task-runner", default="threads", show_default=True, metavar="RUNNER",
    help="threads, dask (a local Dask cluster; needs the .[dask] extra) or a Dask scheduler address tcp://host:port.")


def _run_options(settle: float):
    """The options `run` and `serve` share; only the default settle time differs."""
    options = [
        click.option("--pseudonymise", is_flag=True,
                     help="Replace names with codes in the workbook too (the report always does, unless --names)."),
        _names_option,
        click.option("--concurrency", type=click.IntRange(1, 64), help="Files read at once (default 4)."),
        click.option("--settle", default=settle, show_default=True, type=float, metavar="SECONDS",
                     help="Leave files modified in the last SECONDS for the next run (they may still be arriving)."),
        _batch_option,
        _runner_option,
    ]

    def apply(command):
        for option in reversed(options):
            command = option(command)
        return command

    return apply


def _run(workspace: Path, settings: Settings, engine: str, settle: float, batch_size: int | None = None,
         task_runner: str = "threads", wait: float = 0.0) -> None:
    from pipeline.store.lock import WorkspaceLock
    from pipeline.store.workspace import Workspace

    ws = Workspace(workspace).ensure()
    with WorkspaceLock(ws, f"maap run (engine {engine})", wait) as lock:  # the flow's own lock is then this one
        if lock.cleared:
            click.echo(f"maap: {lock.cleared}", err=True)
        _run_locked(ws, settings, engine, settle, batch_size, task_runner)


def _run_locked(ws, settings: Settings, engine: str, settle: float, batch_size: int | None,
                task_runner: str) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pipeline.intake.plan import plan_run
    from pipeline.run import templates_changed_at

    total = len(plan_run(ws, settle, templates_changed_at(ws, settings)).to_process)
    if total == 0:
        engine = "local"  # nothing to read: no need to start Prefect just to say so
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.fields[last]}")]
    with Progress(*columns, transient=False, disable=total == 0) as progress:
        bar = progress.add_task("Reading returns", total=total, last="")

        def on_file(entry) -> None:
            name = Path(entry.file).name
            progress.update(bar, advance=1, last=f"{entry.outcome}: {name if len(name) <= 32 else name[:29] + '...'}")

        if engine == "prefect":
            from flows.intake import run_flow

            result = run_flow(ws.root, settings, on_file, settle, batch_size=batch_size, task_runner=task_runner)
            line, outputs = result["summary"], result["outputs"]
        else:
            from pipeline.run import run_inbox

            summary = run_inbox(ws, settings, on_file, settle_seconds=settle)
            line, outputs = summary.line(), [str(p) for p in summary.outputs]
    click.echo(line)
    for path in outputs:
        click.echo(f"  wrote {path}")
    if not outputs:
        click.echo(f"  outputs unchanged in {ws.output}")


@main.command()
@click.argument("workspace", type=click.Path(file_okay=False, path_type=Path))
@_template_option
@click.option("--engine", type=click.Choice(["prefect", "local"]), default="prefect", show_default=True,
              help="prefect: run as a Prefect flow (local, no server needed); local: plain loop in this process.")
@_run_options(settle=0.0)
@_round_option
@click.option("--wait", default=0.0, type=click.FloatRange(0), metavar="SECONDS",
              help="If another run holds the workspace, wait up to SECONDS for it instead of stopping at once.")
@click.option("-v", "--verbose", is_flag=True, help="Show Prefect's log lines (they never contain answer text).")
def run(workspace: Path, template: str | None, engine: str, pseudonymise: bool, names: bool, concurrency: int,
        settle: float, batch_size: int | None, task_runner: str, round_id: str | None, wait: float,
        verbose: bool) -> None:
    """Read every new file in WORKSPACE/inbox and rebuild the workbook and the report (HTML and PDF).

    Creates inbox/, archive/, quarantine/, records/ and output/ if missing. Files already read are
    skipped, so running it again changes nothing. With --round, that round's outputs are also written to
    output/rounds/<round>/. One run at a time per workspace: while another holds it, this one says who
    (process, host, since) and exits with status 1, or waits with --wait; a lock left by a killed run is
    cleared with a message.

    Example: maap run ./audit-2026-q3 --round "Neglect, 2024 Q2"
    """
    _quiet_prefect(verbose)
    settings = _settings(template, pseudonymise, concurrency, workspace, names)
    _run(workspace, settings, engine, settle, batch_size, task_runner, wait)
    if round_id:
        from pipeline.run import build_outputs
        from pipeline.store.lock import WorkspaceLock
        from pipeline.store.workspace import Workspace

        with WorkspaceLock(Workspace(workspace), "maap run --round", wait):
            for path in build_outputs(Workspace(workspace), settings, round_id):
                click.echo(f"  wrote {path}")


@main.command()
@click.argument("workspace", type=click.Path(file_okay=False, path_type=Path), default=Path("maap-demo"))
@click.option("--engine", type=click.Choice(["prefect", "local"]), default="prefect", show_default=True,
              help="How to run (see `maap run --help`).")
def demo(workspace: Path, engine: str) -> None:
    """Copy the bundled fictional sample returns into WORKSPACE/inbox and run on them.

    Example: maap demo /tmp/maap-demo
    """
    _quiet_prefect(False)
    if not SAMPLES_DIR.is_dir():
        raise click.ClickException(f"the sample returns are missing ({SAMPLES_DIR}); run from a clone of the repository")
    inbox = workspace / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    for src in sorted(SAMPLES_DIR.iterdir()):
        if src.is_file() and not (inbox / src.name).exists():
            shutil.copy2(src, inbox / src.name)
    _run(workspace, _settings(None, workspace=workspace), engine, 0.0)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_template_option
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON (the versioned record contract).")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path),
              help="Also use this workspace's templates/ and codebook.yaml (default: the built-in ones only).")
def extract(file: Path, template: str | None, as_json: bool, workspace: Path | None) -> None:
    """Read one returned audit tool and print its record.

    Exits 0 when the file was read (flags or not), 1 with a one-line reason when it could not be.

    Example: maap extract returns/police-case1.docx --json
    """
    from pipeline.intake.plan import preflight, tag_record, templates_for
    from pipeline.intake.process import read_return
    from pipeline.store.workspace import Workspace

    settings = _settings(template, workspace=workspace)
    ws = Workspace(workspace if workspace else Path(os.devnull) / "no-workspace")
    preflight(ws, settings)
    try:
        record = read_return(file, settings, templates_for(ws, settings))
    except UnreadableFile as e:
        message = str(e) if file.name in str(e) else f"{file.name}: {e}"
        raise click.ClickException(f"{message} [{e.code}]") from None
    record = tag_record(record, ws, settings)
    if as_json:
        click.echo(record.model_dump_json(indent=2))
        return
    click.echo(f"{record.source.file}: template {record.template.id} ({record.template.confidence:.0%})")
    for a in record.answers:
        click.echo(f"  {a.id:<22} {a.status.value:<15} {len(a.answer):>5} chars")
    grade = record.grade.value or record.grade.problem
    ruled_out = f"; ruled out: {', '.join(t.id for t in record.negated_themes)}" if record.negated_themes else ""
    doubted = f"; set aside: {', '.join(t.id for t in record.doubted_themes)}" if record.doubted_themes else ""
    click.echo(f"  grade: {grade}; {len(record.flags)} flag(s); themes: {', '.join(t.id for t in record.themes) or '-'}"
               f"{ruled_out}{doubted}")


@main.command()
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line: file, sha256, outcome, reason, record.")
def status(workspace: Path, as_json: bool) -> None:
    """Show what happened to every file ever dropped in WORKSPACE/inbox.

    Outcomes: processed, quarantined (with what to do), duplicate, superseded, not_an_audit_tool (no template
    resembles it: a covering letter, or a tool to learn) and ignored (lock and temporary files, counted).

    Example: maap status ./audit-2026-q3 --json
    """
    from pipeline.store.status import file_statuses
    from pipeline.store.workspace import Workspace

    rows = file_statuses(Workspace(workspace))
    if as_json:
        for row in rows:
            click.echo(json.dumps(row))
        return
    if not rows:
        click.echo("No files have been read in this workspace yet.")
    ignored = 0
    for row in rows:
        if row["outcome"] == "ignored":  # lock and temporary files: counted, not listed one by one
            ignored += 1
            continue
        reason = f"  ({row['reason']['message']})" if row["reason"] and row["outcome"] != "processed" else ""
        click.echo(f"{row['outcome']:<12} {row['file']}{reason}")
    if ignored:
        click.echo(f"ignored      {ignored} lock or temporary file{'s' if ignored != 1 else ''} (never read; "
                   "--json lists them)")


@main.command()
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--pseudonymise", is_flag=True, help="Replace names with codes in the workbook too.")
@_names_option
@_round_option
def outputs(workspace: Path, pseudonymise: bool, names: bool, round_id: str | None) -> None:
    """Rebuild the workbook and the report (HTML and PDF) from the records already in WORKSPACE.

    The report names no one unless --names; WORKSPACE/report.html.j2, if present, is its template.

    With --round, only that audit round's returns, into WORKSPACE/output/rounds/<round>/.

    Example: maap outputs ./audit-2026-q3 --round neglect-2024-q2
    """
    from pipeline.run import build_outputs
    from pipeline.store.lock import WorkspaceLock
    from pipeline.store.workspace import Workspace

    ws = Workspace(workspace).ensure()
    with WorkspaceLock(ws, "maap outputs"):
        for path in build_outputs(ws, _settings(None, pseudonymise, workspace=workspace, names=names), round_id):
            click.echo(f"wrote {path}")


@main.command()
@click.argument("workspace", type=click.Path(file_okay=False, path_type=Path))
@click.option("--cron", default="0 2 * * *", show_default=True, help="When to run (cron syntax, server time).")
@_template_option
@_run_options(settle=120.0)
def serve(workspace: Path, cron: str, template: str | None, pseudonymise: bool, names: bool, concurrency: int,
          settle: float, batch_size: int | None, task_runner: str) -> None:
    """Run the intake flow on WORKSPACE every night, until stopped (Ctrl-C).

    Needs a Prefect server: start one with `prefect server start` and set PREFECT_API_URL, since the
    temporary local server cannot hold schedules.

    Example: maap serve ./audit-2026-q3 --cron "0 2 * * *"
    """
    _quiet_prefect(True)
    if not os.environ.get("PREFECT_API_URL"):
        raise click.ClickException(
            "schedules need a Prefect server: run `prefect server start` in another terminal, then "
            "`export PREFECT_API_URL=http://127.0.0.1:4200/api` and try again")
    from flows.nightly import serve_nightly

    serve_nightly(str(workspace.resolve()), cron, _settings(template, pseudonymise, concurrency, workspace, names),
                  batch_size, task_runner, settle)


main.add_command(templates, "templates")
main.add_command(codebook_group, "codebook")
main.add_command(cases_group, "cases")
main.add_command(chase, "chase")
main.add_command(pack, "pack")
main.add_command(fetch_mail, "fetch-mail")

if __name__ == "__main__":
    sys.exit(main())
