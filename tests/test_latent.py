import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA, FactorAnalysis, KernelPCA
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgenfund import interpolate
from skgenfund.latent import latent_path


@pytest.fixture(scope="module")
def digits():
    return load_digits(return_X_y=True)


def test_linear_path_in_pca_space_is_affine(digits):
    X, y = digits
    pca = PCA(n_components=10, random_state=0).fit(X)
    start, end = X[y == 0][0], X[y == 1][0]
    path = interpolate(pca, start, end, n_steps=7)
    assert path.shape == (7, 64)
    # the end points are the PCA reconstructions of the inputs
    np.testing.assert_allclose(
        path[0], pca.inverse_transform(pca.transform([start]))[0]
    )
    np.testing.assert_allclose(path[-1], pca.inverse_transform(pca.transform([end]))[0])
    # PCA decodes affinely, so the decoded path is a straight line in pixel space
    t = np.linspace(0, 1, 7)[:, None]
    np.testing.assert_allclose(path, (1 - t) * path[0] + t * path[-1], atol=1e-10)


def test_slerp_keeps_the_great_circle():
    z0, z1 = np.array([3.0, 0.0]), np.array([0.0, 3.0])
    path = latent_path(z0, z1, 9, method="slerp")
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 3.0)
    angles = np.arctan2(path[:, 1], path[:, 0])
    np.testing.assert_allclose(np.diff(angles), np.pi / 2 / 8)  # constant speed
    # unequal norms: the path is the textbook formula
    z1 = np.array([0.0, 1.0])
    t = 0.25
    omega = np.pi / 2
    expected = np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1
    np.testing.assert_allclose(latent_path(z0, z1, 5, method="slerp")[1], expected)


def test_slerp_falls_back_to_linear_when_undefined():
    z = np.array([1.0, 2.0])
    np.testing.assert_allclose(
        latent_path(z, 2 * z, 4, method="slerp"), latent_path(z, 2 * z, 4)
    )
    np.testing.assert_allclose(
        latent_path(np.zeros(2), z, 4, method="slerp"), latent_path(np.zeros(2), z, 4)
    )


def test_slerp_in_digits_latent_space_differs_from_linear(digits):
    X, y = digits
    pca = PCA(n_components=2, random_state=0).fit(X)
    start, end = X[y == 0][0], X[y == 1][0]
    linear = interpolate(pca, start, end, n_steps=9)
    slerp = interpolate(pca, start, end, n_steps=9, method="slerp")
    np.testing.assert_allclose(linear[[0, -1]], slerp[[0, -1]], atol=1e-9)
    assert np.abs(linear[4] - slerp[4]).max() > 1.0


@pytest.mark.parametrize(
    "transformer",
    [
        make_pipeline(StandardScaler(), PCA(n_components=5)),
        KernelPCA(n_components=5, fit_inverse_transform=True, kernel="rbf", gamma=1e-3),
        FactorAnalysis(n_components=5, random_state=0),
    ],
    ids=["scaler+PCA", "KernelPCA", "FactorAnalysis"],
)
def test_any_transformer_that_inverts(digits, transformer):
    X, _ = digits
    X = X[:300]
    if not hasattr(transformer, "inverse_transform"):
        with pytest.raises(ValueError, match="inverse_transform"):
            interpolate(transformer.fit(X), X[0], X[1])
        return
    path = interpolate(transformer.fit(X), X[0], X[1], n_steps=4, method="slerp")
    assert path.shape == (4, 64) and np.all(np.isfinite(path))


def test_from_latent_codes(digits):
    X, _ = digits
    pca = PCA(n_components=3).fit(X)
    path = interpolate(pca, [0, 0, 0], [10, 0, 0], n_steps=3, from_latent=True)
    np.testing.assert_allclose(path[0], pca.mean_)
    np.testing.assert_allclose(path[1], pca.mean_ + 5 * pca.components_[0])


def test_clear_errors(digits):
    X, _ = digits
    pca = PCA(n_components=3).fit(X)
    with pytest.raises(ValueError, match="method must be one of"):
        interpolate(pca, X[0], X[1], method="cubic")
    with pytest.raises(ValueError, match="n_steps"):
        interpolate(pca, X[0], X[1], n_steps=1)
    with pytest.raises(ValueError, match="63 features but the transformer expects 64"):
        interpolate(pca, X[0][:63], X[1])
    with pytest.raises(ValueError, match="one point"):
        interpolate(pca, X[:2], X[1])
    with pytest.raises(ValueError, match="NaN"):
        interpolate(pca, np.full(64, np.nan), X[1])
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        interpolate(PCA(), X[0], X[1])
