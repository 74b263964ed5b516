"""``maap cases``, ``maap chase`` and ``maap pack``: the case register, who still owes a return, and the
audit-day pack. A thin wrapper over pipeline.cases and pipeline.run; errors are one line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click

_workspace = click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))


def _view(workspace: Path, round_id: str | None = None):
    from pipeline.run import case_view
    from pipeline.store.status import current_records
    from pipeline.store.workspace import Workspace

    ws = Workspace(workspace)
    return case_view(ws, current_records(ws), round_id)


@click.group(name="cases")
def cases_group() -> None:
    """The case register WORKSPACE/cases.csv: which children, which round, which agencies, due when.

    \b
    Example:
      maap cases init ./audit-2026-q3      write cases.csv from the returns read so far
      maap cases check ./audit-2026-q3     how each return was joined to a case, and what to fix
    """


@cases_group.command("init")
@_workspace
@click.option("--force", is_flag=True, help="Overwrite an existing cases.csv.")
def init(workspace: Path, force: bool) -> None:
    """Write WORKSPACE/cases.csv from the returns read so far: one row per case, with the agencies that
    returned; add the agencies still expected, the due date and contacts, then run `maap cases check`.

    \b
    Example:
      maap cases init ./audit-2026-q3
    """
    from pipeline.cases.register import REGISTER_FILE, register_text
    from pipeline.cases.select import rounds_of

    path = workspace / REGISTER_FILE
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists; edit it, or use --force to write it again from the returns")
    view = _view(workspace)
    rounds = rounds_of(view["records"], view["links"], view["register"])
    rows: dict[str, dict] = {}
    for r in view["records"]:
        link = view["links"][r.source.sha256]
        row = rows.setdefault(link.case_id, {"case": link.case_id, "child": link.label,
                                             "dob": link.dob.strftime("%d/%m/%Y") if link.dob else "",
                                             "round": rounds[r.source.sha256].label, "agencies": []})
        if r.header.agency and r.header.agency not in row["agencies"]:
            row["agencies"].append(r.header.agency)
    for row in rows.values():
        row["agencies"] = "; ".join(row["agencies"])
    path.write_text(register_text(list(rows.values())), encoding="utf-8")
    uncertain = sum(1 for link in view["links"].values() if link.uncertain)
    click.echo(f"wrote {path}: {len(rows)} case(s)" + (f"; {uncertain} return(s) matched uncertainly: run "
                                                       "`maap cases check` and correct the rows" if uncertain else ""))


@cases_group.command("check")
@_workspace
@click.option("--names", is_flag=True, help="Show children's names (default: case references only).")
def check(workspace: Path, names: bool) -> None:
    """Check cases.csv and show the audit rounds, and how every return was joined to a case: method,
    confidence, and the matches to confirm. Exits 1 when a match is uncertain or cases.csv lists an agency maap does not know.

    \b
    Example:
      maap cases check ./audit-2026-q3 --names
    """
    from pipeline.cases.register import unknown_agencies

    view = _view(workspace)
    register, links = view["register"], view["links"]
    problems = 0
    click.echo(f"cases.csv: {len(register)} case(s)" if register is not None else
               "no cases.csv: returns are grouped by the child's name and date of birth (`maap cases init` writes one)")
    for row, written in unknown_agencies(register or []):
        problems += 1
        click.echo(f"  line {row.line}: agency '{written}' is not in the agency register: add it to "
                   "WORKSPACE/agencies.yaml so returns from it are counted")
    from pipeline.cases.select import all_rounds, rounds_of

    rounds = rounds_of(view["records"], links, register)
    for rd in all_rounds(rounds, register):
        n = sum(1 for x in rounds.values() if x.id == rd.id)
        click.echo(f"round {rd.id}: {rd.label}, {n} return(s)")
    for r in view["records"]:
        link = links[r.source.sha256]
        who = f" ({link.label})" if names else ""
        mark = "CHECK" if link.uncertain else "ok"
        click.echo(f"{mark:<6}{link.case_id}{who}  {r.source.file}: {link.method}, {link.confidence:.0%}"
                   + (f" - {link.note}" if link.note else ""))
        problems += link.uncertain
    if problems:
        raise click.ClickException(f"{problems} thing(s) to check: confirm a match by adding the file to the case's "
                                   "'files' column in cases.csv")


@click.command()
@_workspace
@click.option("--csv", "as_csv", is_flag=True, help="One CSV row per item, for a mail merge or a spreadsheet.")
@click.option("--names", is_flag=True, help="Show children's names (default: case references only).")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="Count overdue as of this day (default: today).")
def chase(workspace: Path, as_csv: bool, names: bool, today) -> None:
    """List what each agency still owes: returns outstanding, overdue (past the due date in cases.csv),
    quarantined (sent but unreadable) or superseded, with the contact from cases.csv.

    \b
    Example:
      maap chase ./audit-2026-q3
      maap chase ./audit-2026-q3 --csv > chase.csv
    """
    from pipeline.cases.tracker import chase_list, workspace_tracker
    from pipeline.store.workspace import Workspace

    cells, unplaced = workspace_tracker(Workspace(workspace), today.date() if today else None)
    items = chase_list(cells, unplaced)
    if as_csv:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["agency", "contact", "case", *(["child"] if names else []), "round", "status", "due", "action"])
        for i in items:
            writer.writerow([i.agency_label, i.contact, i.case_id, *([i.child] if names else []), i.round, i.status,
                             i.due.isoformat() if i.due else "", i.action])
        click.echo(out.getvalue(), nl=False)
        return
    if not items:
        click.echo("Nothing to chase: every expected return has arrived.")
        return
    agency = None
    for i in items:
        if i.agency_label != agency:
            agency = i.agency_label
            click.echo(f"{agency}" + (f" ({i.contact})" if i.contact else ""))
        who = f" ({i.child})" if names and i.child else ""
        click.echo(f"  {i.case_id or '-'}{who}: {i.action}")


@click.command()
@_workspace
@click.option("--case", "case", metavar="CASE", help="Only this case (its reference, e.g. MAA-24-03 or case-02).")
@click.option("--round", "round_id", metavar="ROUND", help="Only cases of this audit round (see `maap cases check`).")
@click.option("--names", is_flag=True, help="Show names and dates of birth (default: names become codes).")
@click.option("--no-pdf", is_flag=True, help="Write the HTML only.")
def pack(workspace: Path, case: str | None, round_id: str | None, names: bool, no_pdf: bool) -> None:
    """Write the audit-day pack: per case, every agency's answers side by side, grades, flags worth raising
    and themes, to WORKSPACE/output/pack/<case>.html and .pdf (with index.html listing every case).
    Names are codes unless --names.

    \b
    Example:
      maap pack ./audit-2026-q3 --case MAA-24-03
    """
    from pipeline.run import write_packs
    from pipeline.store.workspace import Workspace

    paths = write_packs(Workspace(workspace).ensure(), case, names, round_id, pdf=not no_pdf)
    if not paths:
        click.echo("No returns read yet: nothing to pack.")
    for path in paths:
        click.echo(f"wrote {path}")
