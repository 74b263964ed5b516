"""`maap fetch-mail`: collect emailed returns from the partnership's IMAP mailbox into the inbox."""

from __future__ import annotations

import os
from pathlib import Path

import click


@click.command("fetch-mail")
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
def fetch_mail(workspace: Path) -> None:
    """Save every message in the mailbox set in WORKSPACE/maap.yaml into WORKSPACE/inbox as .eml, then move it
    to the processed folder on the server. The next `maap run` reads each attachment that is a return.

    \b
    maap.yaml:
      mail: {host: imap.partnership.example, folder: INBOX, processed_folder: maap-processed}
    The user name and password come from the environment only (MAAP_IMAP_USER, MAAP_IMAP_PASSWORD).

    Example: maap fetch-mail ./audit-2026-q3 && maap run ./audit-2026-q3
    """
    from pipeline.config import SETTINGS_FILE, load_settings
    from pipeline.intake.imap import fetch_mail as fetch
    from pipeline.store.workspace import Workspace

    mail = load_settings(workspace).mail
    if mail is None:
        raise click.ClickException(f"no mailbox set: add 'mail: {{host: imap.example.org, folder: INBOX}}' to "
                                   f"{workspace / SETTINGS_FILE}")
    missing = [name for name in (mail.user_env, mail.password_env) if not os.environ.get(name)]
    if missing:
        raise click.ClickException(f"set {' and '.join(missing)} in the environment: the mailbox's user name and "
                                   "password are never read from maap.yaml")
    result = fetch(Workspace(workspace), mail, os.environ[mail.user_env], os.environ[mail.password_env])
    click.echo(result.line())
