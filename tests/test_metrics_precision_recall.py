"""precision_recall and density_coverage: prdc parity, exactness, conventions, input."""

import contextlib
import io

import numpy as np
import pandas as pd
import pytest
from prdc import compute_prdc
from scipy.spatial.distance import cdist
from sklearn.decomposition import PCA

from skgenfund import density_coverage, precision_recall
from skgenfund.metrics import _neighbours


def _prdc(real, generated, k):
    with contextlib.redirect_stdout(io.StringIO()):  # prdc prints the sizes
        out = compute_prdc(real, generated, nearest_k=k)
    return [float(out[name]) for name in ("precision", "recall", "density", "coverage")]


def _direct(real, generated, k):
    """The definitions on full matrices of direct (not expanded) distances."""
    rr, gg = (
        cdist(real, real, "sqeuclidean"),
        cdist(generated, generated, "sqeuclidean"),
    )
    rg = cdist(real, generated, "sqeuclidean")
    np.fill_diagonal(rr, np.inf)
    np.fill_diagonal(gg, np.inf)
    r = np.sort(rr, axis=1)[:, k - 1]  # k-th nearest other row
    s = np.sort(gg, axis=1)[:, k - 1]
    inside = rg < r[:, None]
    return [
        float(inside.any(axis=0).mean()),
        float((rg < s[None, :]).any(axis=1).mean()),
        float(inside.sum(axis=0).mean() / k),
        float(inside.any(axis=1).mean()),
    ]


def _ours(real, generated, k):
    _neighbours._cache.clear()
    return [
        *precision_recall(real, generated, k=k),
        *density_coverage(real, generated, k=k),
    ]


@pytest.fixture
def small_blocks(monkeypatch):
    # many blocks (and chunked products) on small data: every code path of
    # the blocked search, symmetric blocks included, at test speed
    monkeypatch.setattr(_neighbours, "_BLOCK", 64)
    monkeypatch.setattr(_neighbours, "_PRODUCT_CHUNK", 8)
    monkeypatch.setattr(_neighbours, "_PAIR_CHUNK", 100)


@pytest.mark.parametrize(
    "n_real, n_generated, d, k, scale",
    [
        (300, 250, 5, 3, 1.1),
        (200, 330, 40, 5, 1.0),
        (150, 150, 64, 1, 0.9),
        (90, 400, 3, 10, 1.3),
    ],
)
def test_equal_to_prdc(n_real, n_generated, d, k, scale, small_blocks):
    rng = np.random.RandomState(n_real + d)
    real = rng.normal(size=(n_real, d))
    generated = scale * rng.normal(size=(n_generated, d)) + 0.1
    ours = _ours(real, generated, k)
    np.testing.assert_allclose(ours, _prdc(real, generated, k), rtol=0, atol=1e-12)
    assert 0 < ours[0] < 1  # a non-trivial case


def test_equal_to_prdc_with_default_blocks_on_wide_features():
    rng = np.random.RandomState(7)
    real = rng.normal(size=(600, 300))
    generated = 1.02 * rng.normal(size=(500, 300))
    assert _ours(real, generated, 5) == pytest.approx(
        _prdc(real, generated, 5), abs=1e-12
    )


def test_exact_where_float32_cannot_decide(small_blocks):
    # two tight clusters far apart: the float32 error bound dwarfs the
    # within-cluster distances, so blocks are redone in float64 and decided
    # exactly; the reference uses direct differences (prdc's expanded
    # |x|^2 + |y|^2 - 2 x.y loses those digits too)
    rng = np.random.RandomState(3)
    centres = np.array([[-1e3] * 4, [1e3] * 4])
    real = centres[rng.randint(2, size=200)] + 1e-3 * rng.normal(size=(200, 4))
    generated = centres[rng.randint(2, size=150)] + 1.2e-3 * rng.normal(size=(150, 4))
    assert _ours(real, generated, 3) == _direct(real, generated, 3)


def test_conventions_duplicates_and_strict_balls():
    # radius = distance to the k-th nearest *other* row, a duplicate counting
    # at 0; inside = strictly closer than the radius
    real = np.array([[0.0], [0.0], [1.0], [3.0]])
    # k = 1 radii: 0, 0, 1, 2. A generated row at 0 is inside no ball of the
    # duplicates (0 < 0 is false) but inside the ball of 1 (|0 - 1| < 1 false!)
    generated = np.array([[0.0], [2.0], [2.5], [10.0]])
    with pytest.warns(UserWarning, match="2 real row\\(s\\) have at least k=1 exact"):
        precision, recall = precision_recall(real, generated, k=1)
    with pytest.warns(UserWarning, match="their ball holds nothing"):
        density, coverage = density_coverage(real, generated, k=1)
    expected = _direct(real, generated, 1)
    assert [precision, recall, density, coverage] == expected
    # 2.0: inside the ball of 3 (1 < 2); 2.5: inside the ball of 3; 0, 10: none
    assert precision == 0.5 and density == 0.5 and coverage == 0.25
    assert _prdc(real, generated, 1) == expected


def test_identical_sets():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(120, 3))
    assert precision_recall(X, X.copy()) == (1.0, 1.0)
    density, coverage = density_coverage(X, X.copy())
    assert coverage == 1.0
    assert density == pytest.approx(_prdc(X, X, 5)[2], abs=1e-12)


def test_mode_dropping_and_blurring_are_told_apart():
    rng = np.random.RandomState(0)
    centres = np.array([[-6.0, 0.0], [6.0, 0.0], [0.0, 8.0]])
    real = centres[rng.randint(3, size=600)] + rng.normal(size=(600, 2))
    dropped = centres[rng.randint(2, size=600)] + rng.normal(size=(600, 2))
    blurred = centres[rng.randint(3, size=600)] + 3.0 * rng.normal(size=(600, 2))
    p_drop, r_drop = precision_recall(real, dropped)
    p_blur, r_blur = precision_recall(real, blurred)
    assert p_drop > 0.9 and r_drop < 0.72  # faithful where it goes, misses a mode
    assert p_blur < 0.5 and r_blur > 0.9  # everywhere, but off the data


def test_scale_invariance_at_extreme_magnitudes():
    rng = np.random.RandomState(2)
    real, generated = rng.normal(size=(80, 3)), 1.2 * rng.normal(size=(70, 3))
    expected = _ours(real, generated, 3)
    for power in (-996, -300, 300, 996):  # about 1e-300 ... 1e300, exact scalings
        assert _ours(np.ldexp(real, power), np.ldexp(generated, power), 3) == expected


def test_dtypes_frames_and_feature_spaces():
    rng = np.random.RandomState(4)
    real, generated = rng.normal(size=(100, 4)), 1.3 * rng.normal(size=(90, 4))
    expected = precision_recall(real, generated)
    frame = pd.DataFrame(real, columns=list("abcd"))
    assert precision_recall(frame, generated) == expected
    assert precision_recall(real.astype(np.float32), generated.astype(np.float32)) == (
        precision_recall(
            real.astype(np.float32).astype(float),
            generated.astype(np.float32).astype(float),
        )
    )
    pca = PCA(2).fit(real)
    in_pca = precision_recall(pca.transform(real), pca.transform(generated))
    assert precision_recall(real, generated, feature_extractor=pca) == in_pca
    assert (
        precision_recall(real, generated, feature_extractor=PCA(2)) == in_pca
    )  # fitted on real
    assert precision_recall(real, generated, feature_extractor=pca.transform) == in_pca
    assert density_coverage(real, generated, feature_extractor=pca) == density_coverage(
        pca.transform(real), pca.transform(generated)
    )


def test_cache_is_by_content():
    rng = np.random.RandomState(5)
    real, generated = rng.normal(size=(60, 2)), rng.normal(size=(60, 2))
    first = density_coverage(real, generated)
    real[0] += 5.0  # changed in place: another key, new results
    _neighbours._cache.clear()
    changed = density_coverage(real, generated)
    assert density_coverage(real, generated) == changed
    real[0] -= 5.0
    assert density_coverage(real, generated) == first


@pytest.mark.parametrize("function", [precision_recall, density_coverage])
def test_bad_input(function):
    rng = np.random.RandomState(6)
    real, generated = rng.normal(size=(10, 3)), rng.normal(size=(8, 3))
    with pytest.raises(ValueError, match="different widths"):
        function(real, generated[:, :2])
    with pytest.raises(
        ValueError, match="k=10 nearest neighbours need more than k rows"
    ):
        function(real, generated, k=10)
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        function(real, generated, k=0)
    with pytest.raises(ValueError, match="k must be an integer"):
        function(real, generated, k=True)
    bad = real.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        function(bad, generated)
    with pytest.raises(ValueError, match="infinity"):
        function(real, np.full((8, 3), np.inf))
    with pytest.raises(ValueError, match="minimum of 2"):
        function(real, generated[:1])


def test_recall_needs_k_below_generated_rows():
    rng = np.random.RandomState(6)
    real, generated = rng.normal(size=(20, 3)), rng.normal(size=(4, 3))
    with pytest.raises(ValueError, match="rows of generated"):
        precision_recall(real, generated, k=4)
    density_coverage(real, generated, k=4)  # needs no generated neighbours
