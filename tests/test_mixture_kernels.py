"""The EM kernels' own exponential, which replaces libm's in the E-step."""

import math

import numpy as np

from skgenfund.mixture import _kernels


def exp_tile(x):
    buffer = np.empty(_kernels.CHUNK)
    out = np.empty(_kernels.CHUNK)
    _kernels._exp_tile(x, out, buffer.view(np.int64), buffer)
    return out


def test_exp_tile_matches_libm_to_one_ulp():
    rng = np.random.RandomState(0)
    for scale in (1e-3, 1.0, 30.0, 700.0):
        x = -rng.uniform(0, scale, _kernels.CHUNK)
        x[:4] = [0.0, -1e-300, -0.5 * math.log(2.0), -708.0]
        expected = np.array([math.exp(v) for v in x])
        np.testing.assert_allclose(exp_tile(x), expected, rtol=2.3e-16, atol=0)


def test_exp_tile_flushes_below_the_normal_range_to_zero():
    x = np.full(_kernels.CHUNK, -1.0)
    x[:3] = [-708.5, -1e4, -np.inf]
    out = exp_tile(x)
    np.testing.assert_array_equal(out[:3], 0.0)
    np.testing.assert_allclose(out[3:], math.exp(-1.0), rtol=2.3e-16)
