"""Which records are current: re-sent returns supersede earlier ones, separate audits do not."""

from __future__ import annotations

import pytest

from models.settings import Settings
from pipeline.run import run_inbox
from pipeline.store.status import current_records, file_statuses
from pipeline.store.workspace import Workspace
from tests.formbuild import write_wm_form

HEADER = {"auditor": "Priya Natarajan", "agency": "Health Visiting", "practitioner": "Tom Okafor",
          "date_of_audit": "14/05/2024", "child": "Amelia Thornbury", "theme": "Neglect"}


@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path / "ws").ensure()


def _outcomes(ws):
    return {s["file"]: s["outcome"] for s in file_statuses(ws)}


def test_a_resent_return_with_a_corrected_date_supersedes_the_first(ws):
    write_wm_form(ws.inbox / "hv.docx", HEADER, {"q1": "Early help assessment completed."}, "Good")
    run_inbox(ws, Settings())
    write_wm_form(ws.inbox / "hv amended.docx", {**HEADER, "date_of_audit": "15/05/2024"},
                  {"q1": "Early help assessment completed in March."}, "Good")
    run_inbox(ws, Settings())
    assert _outcomes(ws) == {"hv.docx": "superseded", "hv amended.docx": "processed"}


def test_the_same_child_audited_under_another_theme_is_a_second_return(ws):
    write_wm_form(ws.inbox / "hv neglect.docx", HEADER, {"q1": "Early help assessment completed."}, "Good")
    run_inbox(ws, Settings())
    write_wm_form(ws.inbox / "hv exploitation.docx", {**HEADER, "theme": "Child exploitation"},
                  {"q1": "Referred to the exploitation hub."}, "Good")
    run_inbox(ws, Settings())
    assert set(_outcomes(ws).values()) == {"processed"}
    assert len(current_records(ws)) == 2
