"""`maap fetch-mail`: messages saved into the inbox whole, moved on the server only once on disk, clear errors."""

import logging
import socket

import pytest
from click.testing import CliRunner

from models.errors import MailboxError
from models.settings import MailSettings, Settings
from pipeline.cli.main import main
from pipeline.intake.imap import fetch_mail, inbox_name
from pipeline.run import run_inbox
from pipeline.store.status import current_records
from pipeline.store.workspace import Workspace
from tests.formbuild import sample_return
from tests.imapserver import FakeImap
from tests.mailbuild import Mail, Part, eml_bytes

USER, PASSWORD = "audit-team@partnership.example", 'pa55 "w0rd"\\x'


@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path / "ws").ensure()


@pytest.fixture
def messages(tmp_path):
    return [eml_bytes(Mail(parts=[Part("hv.docx", sample_return(tmp_path / "hv.docx").read_bytes())])),
            eml_bytes(Mail(sender="Carl Demo <carl@police.example>", subject="Police return", parts=[
                Part("police.docx", sample_return(tmp_path / "p.docx", agency="West Midlands Police").read_bytes())]))]


def _settings(server: FakeImap, **kw) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=server.port, ssl=False, **kw)


@pytest.mark.parametrize("move", [True, False], ids=["MOVE", "COPY+EXPUNGE"])
def test_fetched_messages_are_saved_whole_then_moved_and_the_run_reads_their_returns(ws, messages, move):
    with FakeImap(USER, PASSWORD, messages, move=move) as server:
        result = fetch_mail(ws, _settings(server), USER, PASSWORD)
        assert result.line() == "2 messages saved into the inbox, 2 moved to the processed folder on the server"
        assert server.folders["INBOX"] == []
        assert [m.data for m in server.folders["maap-processed"]] == messages
        assert ("UID MOVE" in server.commands) is move and ("EXPUNGE" in server.commands) is not move
    saved = sorted(p.name for p in ws.inbox.iterdir())
    assert saved == sorted(inbox_name(m) for m in messages) and saved[0].startswith("mail-20261120-0930-")
    assert sorted(p.read_bytes() for p in ws.inbox.iterdir()) == sorted(messages)
    summary = run_inbox(ws, Settings())
    assert (summary.processed, summary.emails) == (2, 2)
    assert sorted(r.header.agency for r in current_records(ws)) == ["Health Visiting", "West Midlands Police"]


def test_a_message_fetched_again_after_a_crash_before_the_move_is_the_same_file_and_read_once(ws, messages):
    with FakeImap(USER, PASSWORD, messages[:1]) as server:
        fetch_mail(ws, _settings(server), USER, PASSWORD)
        run_inbox(ws, Settings())
        server.folders["INBOX"] = list(server.folders["maap-processed"])  # as if the move had never happened
        fetch_mail(ws, _settings(server), USER, PASSWORD)
    assert len(list(ws.inbox.iterdir())) == 1
    assert run_inbox(ws, Settings()).line() == "0 processed, 0 quarantined, 1 already seen"


def test_a_refused_login_is_one_clear_line_without_the_password_and_nothing_is_moved(ws, messages, caplog):
    caplog.set_level(logging.DEBUG)
    with FakeImap(USER, PASSWORD, messages) as server:
        with pytest.raises(MailboxError) as e:
            fetch_mail(ws, _settings(server), USER, "wrong password")
        assert len(server.folders["INBOX"]) == 2 and "UID MOVE" not in server.commands
    assert "refused the login" in str(e.value) and "MAAP_IMAP_PASSWORD" in str(e.value)
    assert "wrong password" not in str(e.value) + caplog.text and not list(ws.inbox.iterdir())


def test_a_server_that_is_down_is_one_clear_line(ws):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(MailboxError, match=rf"could not reach the IMAP server at 127.0.0.1:{port} \(ConnectionRefusedError\)"):
        fetch_mail(ws, MailSettings(host="127.0.0.1", port=port, ssl=False), USER, PASSWORD)


def test_a_missing_folder_is_named(ws, messages):
    with FakeImap(USER, PASSWORD, messages) as server:
        with pytest.raises(MailboxError, match="no folder 'Returns' on the IMAP server"):
            fetch_mail(ws, _settings(server, folder="Returns"), USER, PASSWORD)


def test_the_cli_takes_credentials_from_the_environment_only(ws, messages, monkeypatch):
    runner = CliRunner()
    out = runner.invoke(main, ["fetch-mail", str(ws.root)])
    assert out.exit_code == 1 and "no mailbox set" in out.output
    (ws.root / "maap.yaml").write_text(f"mail: {{host: 127.0.0.1, port: 1, ssl: false, password: {PASSWORD!r}}}\n")
    out = runner.invoke(main, ["fetch-mail", str(ws.root)])
    assert out.exit_code == 1 and "never kept in maap.yaml" in out.output and "w0rd" not in out.output
    assert "Traceback" not in out.output
    with FakeImap(USER, PASSWORD, messages) as server:
        (ws.root / "maap.yaml").write_text(f"mail: {{host: 127.0.0.1, port: {server.port}, ssl: false}}\n")
        monkeypatch.delenv("MAAP_IMAP_USER", raising=False)
        monkeypatch.delenv("MAAP_IMAP_PASSWORD", raising=False)
        out = runner.invoke(main, ["fetch-mail", str(ws.root)])
        assert out.exit_code == 1 and "set MAAP_IMAP_USER and MAAP_IMAP_PASSWORD in the environment" in out.output
        monkeypatch.setenv("MAAP_IMAP_USER", USER)
        monkeypatch.setenv("MAAP_IMAP_PASSWORD", "not it")
        out = runner.invoke(main, ["fetch-mail", str(ws.root)])
        assert out.exit_code == 1 and out.output.count("\n") == 1 and "refused the login" in out.output
        monkeypatch.setenv("MAAP_IMAP_PASSWORD", PASSWORD)
        out = runner.invoke(main, ["fetch-mail", str(ws.root)])
        assert out.exit_code == 0, out.output
        assert out.output == "2 messages saved into the inbox, 2 moved to the processed folder on the server\n"
    assert len(list(ws.inbox.glob("mail-*.eml"))) == 2


def test_every_mail_setting_is_documented():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    docs, readme = (root / "docs" / "email.md").read_text(), (root / "README.md").read_text()
    assert {f for f in MailSettings.model_fields if f"  {f}:" not in docs} == set()
    assert "maap fetch-mail" in readme and "MAAP_IMAP_PASSWORD" in readme
    import re

    import yaml

    for text in (readme, docs):  # each example is a valid mail section
        block = re.search(r"```yaml\n(mail:.*?)```", text, re.S).group(1)
        assert Settings.model_validate(yaml.safe_load(block)).mail.host == "imap.partnership.example"
