"""Every bundled sample against its golden record. Regenerate with MAAP_REGENERATE_GOLDEN=1 (then review the diff)."""

import json
import os
from datetime import date
from pathlib import Path

import pytest

from models.errors import UnreadableFile
from models.settings import Settings
from pipeline.intake.plan import tag_record
from pipeline.intake.process import read_return
from pipeline.templates.registry import load_templates
from pipeline.store.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "samples" / "golden"
SUFFIXES = {".docx", ".docm", ".doc", ".rtf", ".odt", ".pdf", ".txt"}
TODAY = date(2026, 11, 1)  # fixed, so date flags do not drift
REGENERATE = os.environ.get("MAAP_REGENERATE_GOLDEN") == "1"


def sample_files() -> list[Path]:
    found = [p for p in (ROOT / "samples").rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
             and not p.name.startswith("blank-") and "golden" not in p.parts]
    return sorted(found)


def _rounded(value):
    if isinstance(value, float):
        return round(value, 1)
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def read_sample(path: Path) -> dict:
    try:
        record = read_return(path, Settings(), load_templates(), today=TODAY)
    except UnreadableFile as e:
        return {"quarantined": e.code}
    record = tag_record(record, Workspace(ROOT / "no-workspace"), Settings())
    return _rounded(record.model_dump(mode="json"))


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: str(p.relative_to(ROOT / "samples")))
def test_sample_matches_golden(path):
    golden = GOLDEN / (str(path.relative_to(ROOT / "samples")).replace("/", "__") + ".json")
    actual = read_sample(path)
    if REGENERATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert golden.exists(), f"no golden record for {path.name}: run with MAAP_REGENERATE_GOLDEN=1 and review it"
    assert actual == json.loads(golden.read_text(encoding="utf-8"))


def test_regenerate_flag_is_not_left_on():
    assert not REGENERATE, "MAAP_REGENERATE_GOLDEN=1 rewrites golden files: unset it once they are reviewed"


def test_shipped_record_schema_is_current_and_every_golden_record_validates():
    import jsonschema

    from models.record import AuditReturn

    shipped = json.loads((ROOT / "pipeline" / "data" / "record.schema.json").read_text(encoding="utf-8"))
    assert shipped == json.loads(json.dumps(AuditReturn.model_json_schema())), (
        "the record contract changed: regenerate pipeline/data/record.schema.json and, if a field's meaning changed, "
        "raise SCHEMA_VERSION")
    for path in GOLDEN.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if "quarantined" not in data:
            jsonschema.validate(data, shipped)
