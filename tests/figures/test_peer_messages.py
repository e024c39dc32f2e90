"""The period's issues read back without the peer issues' messages get them from the rows just stored
(pipeline.figures.peers.with_messages), as if read whole; a row that cannot be matched asks for a full read."""

import pandas as pd
import pytest

from pipeline.figures.peers import CODE, peer_divergence, peer_issues, with_messages
from pipeline.validate.consistency import load_quality_settings
from tests.conftest import SCHEMAS

# on-time dossiers: Ngọc Kỳ 1194/1200, Quang Trung 905/922, Chí Minh 500/1000 (50 %, far below the district)
RATES = pd.DataFrame([("ngoc_ky", "III.3.3.1", 1200), ("ngoc_ky", "III.3.3.2", 1194),
                      ("quang_trung", "III.3.3.1", 922), ("quang_trung", "III.3.3.2", 905),
                      ("chi_minh", "III.3.3.1", 1000), ("chi_minh", "III.3.3.2", 500), ("chi_minh", "III.3.3", 50)],
                     columns=["unit_code", "indicator_code", "value"])


@pytest.fixture(scope="module")
def peers(catalog):
    quality = load_quality_settings(SCHEMAS / "outliers.toml", catalog.frame)
    located = pd.DataFrame({"unit_code": "chi_minh", "indicator_code": ["III.3.3", "III.3.3.1", "III.3.3.2"],
                            "submission_id": 7, "source_ref": [f"BC_Chi_Minh.xlsx!Phụ lục!D{r}" for r in (17, 18, 19)]})
    rows = peer_issues(peer_divergence(RATES, catalog.frame, quality), located, catalog.frame, quality)
    assert list(rows["code"]) == [CODE]
    return rows


def _read(peers: pd.DataFrame, held: bool) -> pd.DataFrame:
    """The period's issues as warehouse.period_issues gives them (the peer messages null when `held`)."""
    other = ("BC_Ngoc_Ky.xlsx", "ngoc_ky", "error", "value-sum-mismatch", "Tổng I.2 = 80 khác 25 + 20",
             "BC_Ngoc_Ky.xlsx!Biểu mẫu 1!D15", "I.2", 3)
    p = peers.iloc[0]
    peer = ("BC_Chi_Minh.xlsx", "chi_minh", p["severity"], CODE, None if held else p["message"], p["source_ref"],
            p["indicator_code"], 7)
    return pd.DataFrame([peer, other], columns=["file_name", "unit_code", "severity", "code", "message", "source_ref",
                                                "indicator_code", "submission_id"])


def test_held_messages_filled_as_read_whole(peers):
    whole = _read(peers, held=False)
    filled = with_messages(_read(peers, held=True), peers)
    pd.testing.assert_frame_equal(filled, whole, check_exact=True)
    assert filled.iloc[0]["message"] == peers.iloc[0]["message"] and "III.3.3" in filled.iloc[0]["message"]


def test_unmatched_peer_row_asks_for_a_full_read(peers):
    held = _read(peers, held=True)
    assert with_messages(held.assign(submission_id=[8, 3]), peers) is None  # not the submission the rows were stored for
    assert with_messages(held, peers.iloc[0:0]) is None
    whole = _read(peers, held=False)
    assert with_messages(whole, peers) is whole  # nothing held: the frame as read
