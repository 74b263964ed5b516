"""The architecture is visible in the tree: one folder per stage, each saying what it owns, none reaching past
what its docstring allows (a newcomer can trust the drawing in pipeline/__init__.py)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HELPERS = {"text", "dates", "config"}
# What each stage may import besides models/ and the shared helpers; "*" is every stage.
ALLOWED = {
    "templates": set(),
    "mapping": set(),
    "validation": {"themes"},  # the undated-event rule splits sentences with pipeline.themes.nlp
    "themes": set(),
    "store": set(),
    "cases": {"store"},
    "intake": {"extractors", "store", "templates", "mapping", "validation", "themes"},
    "outputs": {"store", "cases", "themes", "validation", "templates"},
    "run": {"intake", "store", "outputs", "cases", "themes", "templates"},
    "cli": {"*"},
}


def _stage(path: Path) -> str:
    parts = path.relative_to(ROOT / "pipeline").parts
    return parts[0] if len(parts) > 1 else path.stem


def _imports(path: Path) -> set[str]:
    """First two parts of every module imported anywhere in the file (function-level imports too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_every_stage_folder_says_what_it_owns_and_may_import():
    folders = [p for p in (ROOT / "pipeline").iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    assert {p.name for p in folders} >= {"templates", "mapping", "validation", "themes", "intake", "store",
                                         "outputs", "cli"}
    for folder in folders:
        doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))) or ""
        assert "Owns" in doc and "import" in doc, f"pipeline/{folder.name}/__init__.py must say what it owns and may import"
        assert folder.name in ALLOWED, f"pipeline/{folder.name}/ is a new stage: add its import rule to this test"


def test_no_stage_imports_past_its_rule():
    wrong = set()
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        stage = _stage(path)
        if stage in HELPERS or stage == "__init__" or "*" in ALLOWED.get(stage, set()):
            continue
        allowed = ALLOWED.get(stage, set()) | HELPERS | {stage}
        for name in _imports(path):
            top, _, rest = name.partition(".")
            target = rest.split(".")[0] if top == "pipeline" else top
            if top == "pipeline" and target and target not in allowed and not (stage == "outputs" and target == "data"):
                wrong.add(f"{path.relative_to(ROOT)} imports pipeline.{target}")
            if top == "extractors" and "extractors" not in allowed:
                wrong.add(f"{path.relative_to(ROOT)} imports extractors")
    assert not wrong, "\n".join(sorted(wrong))


def test_extractors_and_models_know_nothing_of_the_pipeline():
    for folder in ("extractors", "models"):
        for path in (ROOT / folder).glob("*.py"):
            bad = {n for n in _imports(path) if n.split(".")[0] == "pipeline"
                   or (folder == "models" and n.split(".")[0] == "extractors")}
            assert not bad, f"{folder}/{path.name} imports {sorted(bad)}"


def test_word_extractor_modules_import_no_circle():
    graph = {}
    for path in (ROOT / "extractors").glob("docx*.py"):
        graph[path.stem] = {n.split(".")[1] for n in _imports(path)
                            if n.startswith("extractors.docx") and len(n.split(".")) >= 2}
    graph = {k: {t for t in v if t in graph and t != k} for k, v in graph.items()}

    def reaches(start, goal, seen=()):
        return any(t == goal or (t not in seen and reaches(t, goal, (*seen, t))) for t in graph[start])

    assert [m for m in graph if reaches(m, m)] == []
