import numpy as np
import pytest
from scipy import stats

from skgenfund import GaussianMLE


@pytest.fixture
def X():
    rng = np.random.RandomState(0)
    return rng.multivariate_normal(
        [1.0, -2.0, 0.5], [[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 0.5]], 200
    )


def test_full_matches_closed_form_and_scipy(X):
    model = GaussianMLE().fit(X)
    np.testing.assert_allclose(model.mean_, X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(model.covariance_, np.cov(X.T, ddof=0), rtol=1e-12)
    ref = stats.multivariate_normal(X.mean(axis=0), np.cov(X.T, ddof=0)).logpdf(X)
    np.testing.assert_allclose(model.score_samples(X), ref, rtol=1e-9)
