"""EMGaussianMixture reproduces scikit-learn's GaussianMixture iteration for iteration.

Given the same initial parameters (or the same random_state, whose k-means /
random initialisation is drawn exactly as scikit-learn draws it) the two
estimators must take the same EM iterations and reach the same parameters,
lower bounds, responsibilities and log-densities to 1e-8 relative.

Every test runs twice: once with every pass in NumPy and once with every pass
in the compiled kernels (small problems take the NumPy path by default).
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

from skgenfund import EMGaussianMixture
from skgenfund.mixture import _steps

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
RTOL = 1e-8


@pytest.fixture(autouse=True, params=["numpy", "kernels"])
def em_path(request, monkeypatch):
    """Force one path of the EM steps for the whole test."""
    threshold = np.inf if request.param == "numpy" else 0
    monkeypatch.setattr(_steps, "KERNEL_MIN_WORK", threshold)
    return request.param


def _digits():
    X, y = load_digits(return_X_y=True)
    keep = y < 4  # four digit classes: 720 rows in 64 dimensions
    return X[keep], y[keep]


DATASETS = {
    # name: (loader, reg_covar, max_iter with tol=0)
    "iris": (lambda: load_iris(return_X_y=True), 1e-6, 60),
    "wine": (lambda: load_wine(return_X_y=True), 1e-6, 60),
    "digits": (_digits, 1e-1, 15),
}


def class_initialisation(X, y, covariance_type, reg):
    """Initial weights, means and precisions from the true classes."""
    classes = np.unique(y)
    n_features = X.shape[1]
    weights = np.array([np.mean(y == c) for c in classes])
    means = np.array([X[y == c].mean(axis=0) for c in classes])
    covariances = np.array(
        [np.cov(X[y == c].T, bias=True) + reg * np.eye(n_features) for c in classes]
    )
    if covariance_type == "full":
        precisions = np.linalg.inv(covariances)
    elif covariance_type == "tied":
        precisions = np.linalg.inv(np.tensordot(weights, covariances, axes=1))
    elif covariance_type == "diag":
        precisions = 1.0 / np.diagonal(covariances, axis1=1, axis2=2)
    else:
        precisions = 1.0 / np.diagonal(covariances, axis1=1, axis2=2).mean(axis=1)
    return dict(weights_init=weights, means_init=means, precisions_init=precisions)


def fit_both(X, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = GaussianMixture(**params).fit(X)
        ours = EMGaussianMixture(**params).fit(X)
    return reference, ours


def assert_close(actual, desired, what):
    """Relative agreement; entries that are exactly zero in exact arithmetic
    (off-diagonal covariances of constant pixels) get an absolute floor
    relative to the array's scale."""
    desired = np.asarray(desired)
    atol = RTOL * 1e-4 * np.max(np.abs(desired))
    np.testing.assert_allclose(actual, desired, rtol=RTOL, atol=atol, err_msg=what)


def assert_same_fit(reference, ours, X, first_bound=True):
    assert ours.n_iter_ == reference.n_iter_
    assert ours.converged_ == reference.converged_
    for name in (
        "weights_",
        "means_",
        "covariances_",
        "precisions_",
        "precisions_cholesky_",
    ):
        assert_close(getattr(ours, name), getattr(reference, name), name)
    np.testing.assert_allclose(ours.lower_bound_, reference.lower_bound_, rtol=RTOL)
    start = 0 if first_bound else 1
    np.testing.assert_allclose(
        ours.lower_bounds_[start:], reference.lower_bounds_[start:], rtol=RTOL
    )
    np.testing.assert_allclose(
        ours.score_samples(X), reference.score_samples(X), rtol=RTOL
    )
    # probabilities below 1e-12 carry no relative information in either code
    np.testing.assert_allclose(
        ours.predict_proba(X), reference.predict_proba(X), rtol=RTOL, atol=1e-12
    )
    np.testing.assert_array_equal(ours.predict(X), reference.predict(X))
    assert np.isclose(ours.score(X), reference.score(X), rtol=RTOL)
    assert np.isclose(ours.bic(X), reference.bic(X), rtol=RTOL)
    assert np.isclose(ours.aic(X), reference.aic(X), rtol=RTOL)


@pytest.mark.parametrize("dataset", sorted(DATASETS))
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_same_initial_parameters_same_iterations(dataset, covariance_type):
    loader, reg_covar, max_iter = DATASETS[dataset]
    X, y = loader()
    init = class_initialisation(X, y, covariance_type, reg_covar)
    reference, ours = fit_both(
        X,
        n_components=len(np.unique(y)),
        covariance_type=covariance_type,
        reg_covar=reg_covar,
        tol=0.0,
        max_iter=max_iter,
        **init,
    )
    assert ours.n_iter_ == max_iter
    assert len(ours.lower_bounds_) == max_iter
    assert_same_fit(reference, ours, X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_same_convergence_iteration_with_tol(covariance_type):
    X, y = load_wine(return_X_y=True)
    init = class_initialisation(X, y, covariance_type, 1e-6)
    reference, ours = fit_both(
        X, n_components=3, covariance_type=covariance_type, tol=1e-4, **init
    )
    assert reference.converged_ and 1 < reference.n_iter_ < 100
    assert_same_fit(reference, ours, X)


INIT_PARAMS = ["kmeans", "k-means++", "random", "random_from_data"]
SEEDED = ("k-means++", "random_from_data")


@pytest.mark.parametrize(
    "init_params, covariance_type",
    [
        (init, covariance_type)
        for init in INIT_PARAMS
        for covariance_type in COVARIANCE_TYPES
        # a deliberate deviation, see test_tied_seeded_initialisation
        if not (covariance_type == "tied" and init in SEEDED)
    ],
)
def test_same_random_state_same_fit(init_params, covariance_type):
    # The initialisation consumes the random state exactly as scikit-learn's
    # (KMeans(n_init=1, random_state=rs), kmeans_plusplus, uniform, choice).
    X = load_iris().data
    reference, ours = fit_both(
        X,
        n_components=3,
        covariance_type=covariance_type,
        init_params=init_params,
        random_state=7,
    )
    # seeded diag/spherical starts have reg_covar variances, where the first
    # lower bound of scikit-learn's expanded formula is off by 5e-8 (see
    # test_first_lower_bound_of_seeded_start_is_exact)
    seeded = init_params in SEEDED and covariance_type in ("diag", "spherical")
    assert_same_fit(reference, ours, X, first_bound=not seeded)


@pytest.mark.parametrize("init_params", ["k-means++", "random_from_data"])
@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
def test_first_lower_bound_of_seeded_start_is_exact(init_params, covariance_type):
    # Variances of 1e-6 make log-densities of order 1e5: scikit-learn's
    # diag/spherical log-density expands |x - mu|^2 = x^2 - 2 x mu + mu^2 and
    # loses ~8 digits; the centred kernel keeps them. Reference: the same
    # centred formula in long double.
    X = load_iris().data
    params = dict(
        n_components=3,
        covariance_type=covariance_type,
        init_params=init_params,
        random_state=7,
    )
    start = EMGaussianMixture(max_iter=0, **params).fit(X)
    one_step = EMGaussianMixture(max_iter=1, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        one_step.fit(X)
    Xl = X.astype(np.longdouble)
    precisions = np.broadcast_to(
        start.precisions_.reshape(3, -1), (3, X.shape[1])
    ).astype(np.longdouble)
    log_prob = (
        np.log(start.weights_.astype(np.longdouble))
        - 0.5 * X.shape[1] * np.log(2 * np.pi)
        + 0.5 * np.log(precisions).sum(axis=1)
        - 0.5 * (((Xl[:, None, :] - start.means_) ** 2) * precisions).sum(axis=2)
    )
    top = log_prob.max(axis=1)
    exact = np.mean(top + np.log(np.exp(log_prob - top[:, None]).sum(axis=1)))
    assert exact < -1e4
    np.testing.assert_allclose(one_step.lower_bounds_[0], float(exact), rtol=1e-13)


@pytest.mark.parametrize("init_params", SEEDED)
def test_tied_seeded_initialisation(init_params):
    # These initialisations give each component one seed row and every other
    # row no responsibility. scikit-learn's tied M-step computes
    # (X^T X - sum_k N_k mu_k mu_k^T) / sum_k N_k, which assumes each row's
    # responsibilities sum to one, so its initial tied covariance counts every
    # row. The centred weighted scatter counts only the seeds: their scatter
    # about themselves is zero and the covariance is reg_covar I, exactly what
    # scikit-learn gives for "full", "diag" and "spherical" with these seeds.
    X = load_iris().data
    params = dict(n_components=3, init_params=init_params, random_state=7, max_iter=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = EMGaussianMixture(covariance_type="tied", **params).fit(X)
        full = GaussianMixture(covariance_type="full", **params).fit(X)
    np.testing.assert_allclose(ours.covariances_, 1e-6 * np.eye(4), atol=1e-20)
    np.testing.assert_allclose(
        full.covariances_, np.tile(ours.covariances_, (3, 1, 1)), atol=1e-20
    )
    np.testing.assert_allclose(ours.means_, full.means_, rtol=RTOL)
    # from there EM proper (rows summing to one) agrees with scikit-learn again
    ours_em = EMGaussianMixture(covariance_type="tied", **{**params, "max_iter": 50})
    assert ours_em.fit(X).converged_


def test_same_random_state_same_fit_with_restarts():
    X = load_wine().data
    reference, ours = fit_both(X, n_components=2, n_init=3, random_state=0)
    assert_same_fit(reference, ours, X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_warm_start_continues_like_sklearn(covariance_type):
    X = load_iris().data
    params = dict(
        n_components=3,
        covariance_type=covariance_type,
        warm_start=True,
        max_iter=4,
        tol=0.0,
        random_state=1,
    )
    reference = GaussianMixture(**params)
    ours = EMGaussianMixture(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(3):
            reference.fit(X)
            ours.fit(X)
            assert_same_fit(reference, ours, X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_sample_matches_sklearn(covariance_type):
    X = load_iris().data
    reference, ours = fit_both(
        X, n_components=3, covariance_type=covariance_type, random_state=3
    )
    X_ref, y_ref = reference.sample(50)
    X_ours, y_ours = ours.sample(50)  # None: the estimator's random_state
    np.testing.assert_array_equal(y_ours, y_ref)
    np.testing.assert_allclose(X_ours, X_ref, rtol=1e-7, atol=1e-9)
    assert X_ours.dtype == X_ref.dtype and y_ours.dtype == y_ref.dtype


def test_max_iter_zero_keeps_the_initialisation():
    X = load_iris().data
    reference, ours = fit_both(X, n_components=3, max_iter=0, random_state=0)
    assert ours.n_iter_ == 0 and ours.lower_bounds_ == []
    assert not ours.converged_
    assert_close(ours.means_, reference.means_, "means_")
    assert_close(ours.covariances_, reference.covariances_, "covariances_")
