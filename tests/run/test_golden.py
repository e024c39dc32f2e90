"""Golden test: the fixed inbox's workbooks, cell by cell (values, number formats, merged ranges, print setup).

After an intended change of the workbook, run `make golden` and review the diff of tests/golden/*.json.
"""

import pytest

from tests.golden import PERIODS, build, differences, expected_path, snapshot


@pytest.fixture(scope="module")
def golden_books(tmp_path_factory):
    return build(tmp_path_factory.mktemp("golden"))


@pytest.mark.parametrize("period", PERIODS)
def test_workbook_matches_golden(golden_books, period):
    import json

    expected = json.loads(expected_path(period).read_text(encoding="utf-8"))
    diffs = differences(expected, snapshot(golden_books[period]))
    assert not diffs, "the workbook differs from tests/golden (run `make golden` if intended):\n" + "\n".join(diffs)
