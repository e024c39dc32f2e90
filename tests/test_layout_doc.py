"""README.md's developer table of stages stays in step with the package tree (and tests/ mirrors the packages)."""

import re

from tests.conftest import ROOT

README = ROOT / "README.md"
ROW = re.compile(r"^\s*\|\s*`([^`]+)`\s*\|\s*([^|]*?)\s*\|\s*([^|]*?)\s*\|\s*$")
TOP_LEVEL = ("flows/", "schemas/", "samples/")


def stage_table(text: str) -> dict[str, str]:
    """Rows of the developer section's table: path → role, for every row whose first cell is a `path`."""
    section = text.split("## For developers", 1)[1]
    section = re.split(r"^## ", section, maxsplit=1, flags=re.M)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        m = ROW.match(line)
        if m:
            path, _stage, role = m.groups()
            assert path not in rows, f"README names {path} twice"
            rows[path] = role
    return rows


def package_tree() -> set[str]:
    """pipeline's stage packages and top-level modules, plus the project's other top-level packages."""
    pipeline = ROOT / "pipeline"
    found = {f"pipeline/{d.name}/" for d in pipeline.iterdir() if d.is_dir() and (d / "__init__.py").exists()}
    found |= {f"pipeline/{f.name}" for f in pipeline.glob("*.py") if f.name != "__init__.py"}
    return found | {p for p in TOP_LEVEL if (ROOT / p / "__init__.py").exists()}


def test_every_package_has_a_row_and_every_row_a_package():
    rows = stage_table(README.read_text(encoding="utf-8"))
    tree = package_tree()
    assert sorted(tree - set(rows)) == [], "packages without a row in README.md's table (For developers)"
    assert sorted(set(rows) - tree) == [], "rows of README.md's table naming no package or module"
    assert all(role for role in rows.values()), "every row says what lives there"


def test_each_stage_package_has_its_test_folder():
    stages = {p.split("/")[1] for p in package_tree() if p.startswith("pipeline/") and p.endswith("/")}
    missing = sorted(s for s in stages if not (ROOT / "tests" / s / "__init__.py").exists())
    assert missing == [], f"stage packages without tests/<stage>/: {missing}"


def test_the_table_parser_sees_a_missing_or_extra_row():
    text = ("## For developers\n\n  | Path | Stage | What |\n  | --- | --- | --- |\n"
            "  | `pipeline/read/` | read | Reading |\n  | `pipeline/nowhere/` | x | Gone |\n\n## Next\n| `flows/` | a | b |\n")
    assert stage_table(text) == {"pipeline/read/": "Reading", "pipeline/nowhere/": "Gone"}
    assert "pipeline/nowhere/" not in package_tree() and "pipeline/validate/" in package_tree()
