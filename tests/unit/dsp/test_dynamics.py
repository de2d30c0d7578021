from __future__ import annotations

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.dsp.dynamics import peak_limit

SR = 48_000


def test_the_limiter_holds_the_ceiling_and_leaves_the_rest_alone() -> None:
    rng = np.random.default_rng(0)
    x = (0.2 * rng.standard_normal((2, SR))).astype(np.float32)
    x[:, 24000:24100] *= 8.0  # a burst far over the ceiling
    original = x.copy()
    cut_db = peak_limit(x, SR, ceiling_db=-1.0)
    assert float(np.abs(x).max()) <= 10 ** (-1 / 20) + 1e-6
    assert cut_db < -6.0
    assert np.array_equal(x[:, :20000], original[:, :20000])  # far from the over: untouched
    ratio = x[:, 23000:25500] / original[:, 23000:25500]
    assert np.allclose(ratio[0], ratio[1])  # one gain for both channels
    assert float(np.max(np.abs(np.diff(ratio[0])))) < 0.02  # it glides, it does not step


def test_nothing_over_nothing_changed_and_bad_settings_refused() -> None:
    x = np.full((2, 100), 0.5, dtype=np.float32)
    assert peak_limit(x, SR) == 0.0 and np.all(x == 0.5)
    with pytest.raises(ParameterError):
        peak_limit(x, SR, ceiling_db=1.0)
    with pytest.raises(ParameterError):
        peak_limit(x[0], SR)
