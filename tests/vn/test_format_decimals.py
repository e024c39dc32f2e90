"""vn.format.decimals (an array, each distinct value formatted once) writes every number as vn.format.decimal does."""

import numpy as np

from pipeline.vn import format as fmt


def _cases() -> np.ndarray:
    rng = np.random.default_rng(14)
    spread = np.concatenate([rng.normal(0, 1, 400), rng.normal(0, 1e4, 400), rng.uniform(-1e7, 1e7, 400),
                             rng.integers(-5000, 5000, 200).astype(float) / 8])
    edges = [0.0, -0.0, 0.005, -0.005, 0.015, 0.025, 1.005, 2.675, -2.675, 99.995, 99.5, 1194.0, 1200.0, 12.0, 80.0,
             0.049999, 0.05, 0.15, 0.25, -0.04, 1e15 + 0.5, 2.0**53 + 2, 1e20, 1e-7, -1e-7, np.nan, np.inf, -np.inf]
    return np.concatenate([spread, np.array(edges)])


def test_decimals_writes_each_value_as_decimal():
    values = _cases()
    for places in (0, 1, 2, 3):
        got = fmt.decimals(values, places)
        want = [fmt.decimal(v, places) for v in np.round(values, places)]
        assert list(got) == want, places


def test_decimals_on_ngoc_ky_figures():
    got = fmt.decimals(np.array([12.0, 80.0, 99.5, 1200.0, 1194.0, 1194 / 1200 * 100, 88.0, 1100 / 1250 * 100]))
    assert list(got) == ["12", "80", "99,5", "1.200", "1.194", "99,5", "88", "88"]
