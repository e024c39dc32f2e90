"""`python -m tests.golden.regenerate`: rebuild the golden workbooks and rewrite their expected snapshots."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.golden import build, dump, expected_path, snapshot


def main() -> None:
    """Build the fixed inbox's workbooks in a temporary folder and save their snapshots under tests/golden/."""
    with tempfile.TemporaryDirectory() as tmp:
        for period, path in build(Path(tmp)).items():
            dump(snapshot(path), expected_path(period))
            print(f"{expected_path(period)}: cập nhật từ {path.name}")


if __name__ == "__main__":
    main()
