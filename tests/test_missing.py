"""Missing values: EM over NaN entries, marginal densities and imputation."""

import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from skgenfund import EMGaussianMixture, GaussianMLE
from skgenfund.mixture import _missing

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


# ------------------------------------------------------------------ helpers
def mixture_data(n_samples=400, n_features=3, missing=0.25, seed=0):
    """Two correlated Gaussian blobs, and a copy with MCAR holes (no empty row)."""
    rng = np.random.RandomState(seed)
    A = rng.normal(size=(n_features, n_features)) / np.sqrt(n_features)
    B = rng.normal(size=(n_features, n_features)) / np.sqrt(n_features)
    half = n_samples // 2
    X = np.vstack(
        [
            rng.normal(size=(half, n_features)) @ A,
            3.0 + rng.normal(size=(n_samples - half, n_features)) @ B,
        ]
    )
    holes = rng.uniform(size=X.shape) < missing
    holes[holes.all(axis=1), 0] = False
    return X, np.where(holes, np.nan, X)


def initial_parameters(X, covariance_type, n_components=2, seed=0):
    rng = np.random.RandomState(seed)
    filled = np.where(np.isnan(X), np.nanmean(X, axis=0), X)
    means = filled[rng.choice(len(X), n_components, replace=False)]
    variances = filled.var(axis=0)
    d = X.shape[1]
    precisions = {
        "full": np.repeat(np.diag(1.0 / variances)[None], n_components, axis=0),
        "tied": np.diag(1.0 / variances),
        "diag": np.repeat((1.0 / variances)[None], n_components, axis=0),
        "spherical": np.full(n_components, d / variances.sum()),
    }[covariance_type]
    weights = np.full(n_components, 1.0 / n_components)
    return dict(weights_init=weights, means_init=means, precisions_init=precisions)


def full_covariances(covariances, covariance_type, n_components, d):
    """Any covariance type as (K, d, d) matrices."""
    if covariance_type == "full":
        return np.asarray(covariances)
    if covariance_type == "tied":
        return np.repeat(np.asarray(covariances)[None], n_components, axis=0)
    variances = np.broadcast_to(
        np.reshape(covariances, (n_components, -1)), (n_components, d)
    )
    return np.stack([np.diag(v) for v in variances])


def gaussian_logpdf(x, mean, covariance):
    """log N(x | mean, covariance) from its formula."""
    _, log_det = np.linalg.slogdet(2 * np.pi * covariance)
    diff = x - mean
    return -0.5 * (log_det + diff @ np.linalg.solve(covariance, diff))


def reference_em(X, weights, means, covs, covariance_type, reg_covar, n_iter, w=None):
    """Ghahramani & Jordan's EM, one row and one component at a time.

    Obviously correct and slow: per row, the observed block's density by
    scipy, the conditional mean and covariance of the missing block by
    explicit inverses, then the M-step of the completed second moments.
    Returns the parameters after n_iter iterations and the lower bounds.
    """
    n, d = X.shape
    K = len(weights)
    w = np.ones(n) if w is None else w
    lower_bounds = []
    for _ in range(n_iter):
        resp = np.zeros((n, K))
        completed = np.zeros((n, K, d))
        conditional = np.zeros((n, K, d, d))
        log_lik = 0.0
        for i in range(n):
            o = np.flatnonzero(~np.isnan(X[i]))
            m = np.flatnonzero(np.isnan(X[i]))
            log_p = np.empty(K)
            for k in range(K):
                S = covs[k]
                log_p[k] = np.log(weights[k]) + gaussian_logpdf(
                    X[i, o], means[k][o], S[np.ix_(o, o)]
                )
                inv_oo = np.linalg.inv(S[np.ix_(o, o)])
                x_hat = X[i].copy()
                x_hat[m] = means[k][m] + S[np.ix_(m, o)] @ inv_oo @ (
                    X[i, o] - means[k][o]
                )
                completed[i, k] = x_hat
                C = np.zeros((d, d))
                C[np.ix_(m, m)] = (
                    S[np.ix_(m, m)] - S[np.ix_(m, o)] @ inv_oo @ S[np.ix_(o, m)]
                )
                conditional[i, k] = C
            top = log_p.max()
            lse = top + np.log(np.exp(log_p - top).sum())
            log_lik += w[i] * lse
            resp[i] = w[i] * np.exp(log_p - lse)
        lower_bounds.append(log_lik / w.sum())
        nk = resp.sum(axis=0)
        means = np.stack([resp[:, k] @ completed[:, k] / nk[k] for k in range(K)])
        raw = []
        for k in range(K):
            diff = completed[:, k] - means[k]
            scatter = (resp[:, k, None] * diff).T @ diff
            scatter += np.tensordot(resp[:, k], conditional[:, k], axes=1)
            raw.append(scatter / nk[k])
        raw = np.stack(raw)
        if covariance_type == "full":
            covs = raw + reg_covar * np.eye(d)
        elif covariance_type == "tied":
            covs = np.repeat((np.tensordot(nk, raw, axes=1) / nk.sum())[None], K, 0)
            covs = covs + reg_covar * np.eye(d)
        else:
            variances = np.diagonal(raw, axis1=1, axis2=2) + reg_covar
            if covariance_type == "spherical":
                variances = np.repeat(variances.mean(axis=1, keepdims=True), d, 1)
            covs = np.stack([np.diag(v) for v in variances])
        weights = nk / nk.sum()
    return weights, means, covs, lower_bounds


@pytest.fixture(params=["numpy", "kernel"])
def path(request, monkeypatch):
    """Run a test on the NumPy path and on the Numba kernel."""
    if request.param == "kernel":
        monkeypatch.setattr(_missing, "KERNEL_MIN_WORK", 0)
    else:
        monkeypatch.setattr(_missing, "KERNEL_MIN_WORK", 10**18)
        monkeypatch.setattr(_missing, "KERNEL_MIN_PATTERNS", 10**18)
    return request.param


# ------------------------------------------------------------ correctness
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_em_matches_the_slow_reference(covariance_type, path):
    _, X = mixture_data(n_samples=120, missing=0.3)
    weights = np.random.RandomState(1).uniform(0.5, 2.0, len(X))
    init = initial_parameters(X, covariance_type)
    n_iter = 4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gmm = EMGaussianMixture(
            2,
            covariance_type=covariance_type,
            tol=0.0,
            max_iter=n_iter,
            nan_policy="marginalize",
            **init,
        ).fit(X, sample_weight=weights)
    d = X.shape[1]
    covs0 = full_covariances(
        1.0 / np.asarray(init["precisions_init"])
        if covariance_type in ("diag", "spherical")
        else np.linalg.inv(init["precisions_init"]),
        covariance_type,
        2,
        d,
    )
    ref_w, ref_means, ref_covs, ref_bounds = reference_em(
        X,
        init["weights_init"],
        init["means_init"],
        covs0,
        covariance_type,
        gmm.reg_covar,
        n_iter,
        weights,
    )
    np.testing.assert_allclose(gmm.weights_, ref_w, rtol=1e-10)
    np.testing.assert_allclose(gmm.means_, ref_means, rtol=1e-10, atol=1e-12)
    ours = full_covariances(gmm.covariances_, covariance_type, 2, d)
    np.testing.assert_allclose(ours, ref_covs, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gmm.lower_bounds_, ref_bounds, rtol=1e-12)


@pytest.mark.parametrize("n_features", [3, 70])
def test_rows_are_grouped_by_pattern(n_features):
    """Byte keys (d <= 64) and byte-string keys (d > 64) group the same way."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, n_features))
    X[rng.uniform(size=X.shape) < 0.4 / np.sqrt(n_features)] = np.nan
    X[np.isnan(X).all(axis=1), 0] = 1.0
    X[:40] = X[0]
    data = _missing.MissingPatterns(X)
    missing = np.isnan(X[data.order])
    assert data.n_patterns == len(np.unique(np.isnan(X), axis=0))
    for p in range(data.n_patterns):
        rows = missing[data.starts[p] : data.starts[p + 1]]
        assert len(rows) and np.all(rows == ~data.observed[p])
        n_obs = data.n_observed[p]
        np.testing.assert_array_equal(
            data.obs_index[p, :n_obs], np.flatnonzero(data.observed[p])
        )
        np.testing.assert_array_equal(
            data.mis_index[p, : n_features - n_obs], np.flatnonzero(~data.observed[p])
        )
    np.testing.assert_array_equal(data.unsort(data.X)[~np.isnan(X)], X[~np.isnan(X)])


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_kernel_and_numpy_paths_agree(covariance_type, monkeypatch):
    """Many patterns (d = 6, 40% missing), moments and inference, to 1e-12."""
    _, X = mixture_data(n_samples=1500, n_features=6, missing=0.4, seed=3)
    data = _missing.MissingPatterns(X, np.linspace(0.5, 1.5, len(X)))
    rng = np.random.RandomState(0)
    means = rng.normal(size=(3, 6))
    A = rng.normal(size=(3, 6, 6))
    covariances = {
        "full": A @ A.transpose(0, 2, 1) + np.eye(6),
        "tied": A[0] @ A[0].T + np.eye(6),
        "diag": rng.uniform(0.5, 2.0, (3, 6)),
        "spherical": np.array([0.5, 1.0, 2.0]),
    }[covariance_type]
    params = (np.array([0.2, 0.3, 0.5]), means, covariances)
    results = {}
    for path, threshold in (("numpy", 10**18), ("kernel", 0)):
        monkeypatch.setattr(_missing, "KERNEL_MIN_WORK", threshold)
        monkeypatch.setattr(_missing, "KERNEL_MIN_PATTERNS", threshold)
        moments = _missing.missing_moments(data, params, covariance_type)
        proba = _missing.missing_inference(X, *params, covariance_type, "predict_proba")
        log_p = _missing.missing_inference(X, *params, covariance_type, "score_samples")
        results[path] = (moments, proba, log_p)
    (a, pa, la), (b, pb, lb) = results["numpy"], results["kernel"]
    for x, y in zip(a, b):
        x, y = np.asarray(x), np.asarray(y)
        if x.ndim == 3 and x.shape[1] > 1:  # only the upper triangle counts
            x, y = np.triu(x), np.triu(y)
        np.testing.assert_allclose(y, x, rtol=1e-12, atol=1e-12 * np.abs(x).max())
    np.testing.assert_allclose(pb, pa, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(lb, la, rtol=1e-13)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_score_samples_is_the_marginal_density(covariance_type, path):
    X_full, X = mixture_data(n_samples=300, missing=0.3)
    gmm = EMGaussianMixture(
        2, covariance_type=covariance_type, random_state=0, nan_policy="marginalize"
    ).fit(X)
    covs = full_covariances(gmm.covariances_, covariance_type, 2, 3)
    expected = []
    for row in X[:40]:
        o = ~np.isnan(row)
        densities = [
            w * stats.multivariate_normal(mu[o], S[np.ix_(o, o)]).pdf(row[o])
            for w, mu, S in zip(gmm.weights_, gmm.means_, covs)
        ]
        expected.append(densities)
    expected = np.array(expected)
    np.testing.assert_allclose(
        gmm.score_samples(X[:40]), np.log(expected.sum(axis=1)), rtol=1e-12
    )
    np.testing.assert_allclose(
        gmm.predict_proba(X[:40]),
        expected / expected.sum(axis=1, keepdims=True),
        rtol=1e-10,
        atol=1e-14,
    )
    np.testing.assert_array_equal(gmm.predict(X[:40]), expected.argmax(axis=1))
    assert gmm.score(X) == pytest.approx(np.mean(gmm.score_samples(X)))
    # complete rows in a batch with holes get the complete-data density
    mixed = gmm.score_samples(np.vstack([X_full[:5], X[:1]]))[:5]
    np.testing.assert_allclose(mixed, gmm.score_samples(X_full[:5]), rtol=1e-12)


def test_fit_predict_bic_and_a_pipeline_with_nan():
    from sklearn.model_selection import GridSearchCV

    _, X = mixture_data(n_samples=200, missing=0.3)
    gmm = EMGaussianMixture(2, random_state=0, nan_policy="marginalize")
    labels = gmm.fit_predict(X)
    np.testing.assert_array_equal(labels, gmm.predict(X))
    assert gmm.bic(X) == pytest.approx(
        -2 * gmm.score(X) * len(X) + gmm.n_parameters() * np.log(len(X))
    )
    search = GridSearchCV(gmm, {"n_components": [1, 2, 3]}, cv=3).fit(X)
    assert search.best_params_["n_components"] > 1


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_lower_bound_never_decreases(covariance_type):
    _, X = mixture_data(n_samples=300, missing=0.35, seed=2)
    gmm = EMGaussianMixture(
        2,
        covariance_type=covariance_type,
        tol=1e-10,
        max_iter=300,
        random_state=0,
        nan_policy="marginalize",
    ).fit(X)
    assert gmm.converged_
    assert np.all(np.diff(gmm.lower_bounds_) >= -1e-12)
    assert gmm.lower_bound_ == pytest.approx(gmm.score(X), rel=1e-6)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_without_nan_marginalize_is_exactly_the_default_fit(covariance_type):
    X, _ = mixture_data(n_samples=200)
    default = EMGaussianMixture(2, covariance_type=covariance_type, random_state=0)
    ours = EMGaussianMixture(
        2, covariance_type=covariance_type, random_state=0, nan_policy="marginalize"
    )
    default.fit(X)
    ours.fit(X)
    for name in (
        "weights_",
        "means_",
        "covariances_",
        "precisions_cholesky_",
        "lower_bounds_",
        "n_iter_",
    ):
        np.testing.assert_array_equal(getattr(ours, name), getattr(default, name))
    np.testing.assert_array_equal(ours.score_samples(X), default.score_samples(X))
    np.testing.assert_array_equal(ours.predict_proba(X), default.predict_proba(X))
    a = EMGaussianMixture(2, covariance_type=covariance_type, random_state=0)
    b = EMGaussianMixture(
        2, covariance_type=covariance_type, random_state=0, nan_policy="marginalize"
    )
    for batch in np.array_split(X, 4):
        a.partial_fit(batch)
        b.partial_fit(batch)
    np.testing.assert_array_equal(a.means_, b.means_)
    np.testing.assert_array_equal(a.covariances_, b.covariances_)


@pytest.mark.parametrize("covariance_type", ("full", "diag", "spherical"))
def test_gaussian_mle_without_nan_is_exactly_the_closed_form(covariance_type):
    X, _ = mixture_data(n_samples=50)
    w = np.linspace(0.1, 2.0, len(X))
    a = GaussianMLE(covariance_type=covariance_type).fit(X, sample_weight=w)
    b = GaussianMLE(covariance_type=covariance_type, nan_policy="marginalize")
    b.fit(X, sample_weight=w)
    np.testing.assert_array_equal(a.mean_, b.mean_)
    np.testing.assert_array_equal(a.covariance_, b.covariance_)
    np.testing.assert_array_equal(a.score_samples(X), b.score_samples(X))


def test_gaussian_mle_matches_the_reference_em():
    _, X = mixture_data(n_samples=50, missing=0.3, seed=4)
    model = GaussianMLE(nan_policy="marginalize").fit(X)
    # the reference EM from the same start (the mean-imputed estimate), run long
    filled = np.where(np.isnan(X), np.nanmean(X, axis=0), X)
    _, mean, cov, bounds = reference_em(
        X,
        np.ones(1),
        filled.mean(axis=0)[None],
        np.cov(filled.T, bias=True)[None],
        "full",
        0.0,
        100,
    )
    assert abs(bounds[-1] - bounds[-2]) < 1e-13
    np.testing.assert_allclose(model.mean_, mean[0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(model.covariance_, cov[0], rtol=1e-10, atol=1e-12)
    assert model.score(X) == pytest.approx(bounds[-1], rel=1e-12)


def test_gaussian_mle_warns_when_em_does_not_converge(monkeypatch):
    _, X = mixture_data(n_samples=100, missing=0.3)
    monkeypatch.setattr(_missing, "GAUSSIAN_MAX_ITER", 2)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        GaussianMLE(nan_policy="marginalize").fit(X)


def test_gaussian_mle_diag_and_spherical_closed_forms():
    """With independent features the MLE uses each feature's observed entries."""
    _, X = mixture_data(n_samples=200, missing=0.3, seed=5)
    w = np.random.RandomState(0).uniform(0.5, 2.0, len(X))
    seen = ~np.isnan(X)
    weight = w[:, None] * seen
    mean = np.nansum(X * w[:, None], axis=0) / weight.sum(axis=0)
    squares = np.where(seen, (X - mean) ** 2, 0.0)
    diag = GaussianMLE(covariance_type="diag", nan_policy="marginalize")
    diag.fit(X, sample_weight=w)
    np.testing.assert_allclose(diag.mean_, mean, rtol=1e-9)
    np.testing.assert_allclose(
        diag.covariance_, (w @ squares) / weight.sum(axis=0), rtol=1e-9
    )
    spherical = GaussianMLE(covariance_type="spherical", nan_policy="marginalize")
    spherical.fit(X, sample_weight=w)
    np.testing.assert_allclose(spherical.mean_, mean, rtol=1e-9)
    # sigma^2 = (observed squared residuals) / (observed weight), a fixed point
    assert spherical.covariance_ == pytest.approx(
        (w @ squares).sum() / weight.sum(), rel=1e-9
    )


def test_marginalizing_beats_complete_case_and_mean_imputation():
    """Truth known: the EM fit has the smallest parameter error and the best
    held-out log-likelihood (3 features, 30% MCAR, fixed seeds)."""
    rng = np.random.RandomState(0)
    mean = np.array([1.0, -1.0, 0.5])
    cov = np.array([[1.0, 0.8, 0.5], [0.8, 1.0, 0.6], [0.5, 0.6, 1.0]])
    X = rng.multivariate_normal(mean, cov, 600)
    held_out = rng.multivariate_normal(mean, cov, 5000)
    X_missing = np.where(rng.uniform(size=X.shape) < 0.3, np.nan, X)
    X_missing = X_missing[~np.isnan(X_missing).all(axis=1)]
    complete = X_missing[~np.isnan(X_missing).any(axis=1)]
    filled = np.where(np.isnan(X_missing), np.nanmean(X_missing, axis=0), X_missing)
    fits = {
        "marginalize": GaussianMLE(nan_policy="marginalize").fit(X_missing),
        "complete case": GaussianMLE().fit(complete),
        "mean imputation": GaussianMLE().fit(filled),
    }
    error = {
        name: np.linalg.norm(fit.covariance_ - cov) + np.linalg.norm(fit.mean_ - mean)
        for name, fit in fits.items()
    }
    score = {name: fit.score(held_out) for name, fit in fits.items()}
    assert error["marginalize"] < 0.7 * min(
        error["complete case"], error["mean imputation"]
    )
    assert score["marginalize"] > max(score["complete case"], score["mean imputation"])
    # the same for a mixture, on held-out log-likelihood
    X_full, X_mix = mixture_data(n_samples=4600, missing=0.3, seed=6)
    order = np.random.RandomState(0).permutation(len(X_full))
    X_mix, test_full = X_mix[order[:600]], X_full[order[600:]]
    complete = X_mix[~np.isnan(X_mix).any(axis=1)]
    filled = np.where(np.isnan(X_mix), np.nanmean(X_mix, axis=0), X_mix)
    gmm = dict(n_components=2, random_state=0)
    held = {
        "marginalize": EMGaussianMixture(**gmm, nan_policy="marginalize").fit(X_mix),
        "complete case": EMGaussianMixture(**gmm).fit(complete),
        "mean imputation": EMGaussianMixture(**gmm).fit(filled),
    }
    held = {name: fit.score(test_full) for name, fit in held.items()}
    assert held["marginalize"] > max(held["complete case"], held["mean imputation"])


# ------------------------------------------------------------- imputation
def test_impute_mean_is_the_conditional_mean_of_a_gaussian():
    _, X = mixture_data(n_samples=300, missing=0.3)
    model = GaussianMLE(nan_policy="marginalize").fit(X)
    imputed = model.impute(X)
    mu, S = model.mean_, model.covariance_
    for row, filled in zip(X[:50], imputed[:50]):
        o, m = ~np.isnan(row), np.isnan(row)
        expected = mu[m] + S[np.ix_(m, o)] @ np.linalg.solve(
            S[np.ix_(o, o)], row[o] - mu[o]
        )
        np.testing.assert_allclose(filled[m], expected, rtol=1e-12, atol=1e-12)
    seen = ~np.isnan(X)
    np.testing.assert_array_equal(imputed[seen], X[seen])
    assert not np.isnan(imputed).any()


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_impute_mean_of_a_mixture_weights_components_by_responsibility(
    covariance_type,
):
    _, X = mixture_data(n_samples=300, missing=0.3)
    gmm = EMGaussianMixture(
        2, covariance_type=covariance_type, random_state=0, nan_policy="marginalize"
    ).fit(X)
    covs = full_covariances(gmm.covariances_, covariance_type, 2, 3)
    imputed = gmm.impute(X[:60])
    resp = gmm.predict_proba(X[:60])
    for row, filled, r in zip(X[:60], imputed, resp):
        o, m = ~np.isnan(row), np.isnan(row)
        expected = sum(
            r[k]
            * (
                mu[m]
                + S[np.ix_(m, o)] @ np.linalg.solve(S[np.ix_(o, o)], row[o] - mu[o])
            )
            for k, (mu, S) in enumerate(zip(gmm.means_, covs))
        )
        np.testing.assert_allclose(filled[m], expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(imputed[~np.isnan(X[:60])], X[:60][~np.isnan(X[:60])])


def test_sampled_imputations_have_the_conditional_mean_and_covariance():
    """20,000 draws for one row of a 2-component, 4-D mixture; tolerances are
    4.5 standard errors of the sample mean and covariance."""
    rng = np.random.RandomState(0)
    d = 4
    A = rng.normal(size=(2, d, d))
    gmm = EMGaussianMixture(2, nan_policy="marginalize")
    gmm.weights_ = np.array([0.4, 0.6])
    gmm.means_ = rng.normal(size=(2, d))
    gmm.covariances_ = A @ A.transpose(0, 2, 1) + np.eye(d)
    gmm.precisions_cholesky_ = np.stack(
        [np.linalg.inv(np.linalg.cholesky(S)).T for S in gmm.covariances_]
    )
    gmm.n_features_in_ = d
    row = np.array([0.3, np.nan, -0.2, np.nan])
    o, m = ~np.isnan(row), np.isnan(row)
    log_r, means_k, covs_k = [], [], []
    for w, mu, S in zip(gmm.weights_, gmm.means_, gmm.covariances_):
        log_r.append(
            np.log(w) + stats.multivariate_normal(mu[o], S[np.ix_(o, o)]).logpdf(row[o])
        )
        G = S[np.ix_(m, o)] @ np.linalg.inv(S[np.ix_(o, o)])
        means_k.append(mu[m] + G @ (row[o] - mu[o]))
        covs_k.append(S[np.ix_(m, m)] - G @ S[np.ix_(o, m)])
    r = np.exp(np.array(log_r) - np.logaddexp(*log_r))
    mean = sum(rk * mk for rk, mk in zip(r, means_k))
    cov = sum(rk * (Ck + np.outer(mk, mk)) for rk, mk, Ck in zip(r, means_k, covs_k))
    cov -= np.outer(mean, mean)
    n = 20_000
    draws = gmm.impute(np.tile(row, (n, 1)), method="sample", random_state=0)
    np.testing.assert_array_equal(draws[:, o], np.tile(row[o], (n, 1)))
    values = draws[:, m]
    se_mean = np.sqrt(np.diag(cov) / n)
    assert np.all(np.abs(values.mean(axis=0) - mean) < 4.5 * se_mean)
    centred = values - values.mean(axis=0)
    products = centred[:, :, None] * centred[:, None, :]
    se_cov = products.std(axis=0) / np.sqrt(n)
    assert np.all(np.abs(products.mean(axis=0) - cov) < 4.5 * se_cov)
    again = gmm.impute(np.tile(row, (n, 1)), method="sample", random_state=0)
    np.testing.assert_array_equal(draws, again)


def test_impute_without_nan_returns_the_data_and_works_after_a_complete_fit():
    X, X_missing = mixture_data(n_samples=200)
    model = GaussianMLE().fit(X)  # nan_policy="raise": imputation still works
    np.testing.assert_array_equal(model.impute(X), X)
    assert not np.isnan(model.impute(X_missing)).any()
    with pytest.raises(ValueError, match="method"):
        model.impute(X_missing, method="median")


# ----------------------------------------------------------- other inputs
def test_partial_fit_with_nan_approaches_the_batch_fit():
    """Stepwise EM over the holes; EM with 20% missing contracts more slowly
    than on complete data, so the steps decay slowly (kappa = 0.51)."""
    _, X = mixture_data(n_samples=4000, missing=0.2, seed=8)
    batch = EMGaussianMixture(2, tol=1e-8, random_state=0, nan_policy="marginalize")
    batch.fit(X)
    online = EMGaussianMixture(
        2,
        random_state=0,
        nan_policy="marginalize",
        learning_decay=0.51,
        learning_offset=0.0,
    )
    rng = np.random.RandomState(0)
    for _ in range(10):
        for part in np.array_split(rng.permutation(X), 10):
            online.partial_fit(part)
    assert online.n_steps_ == 100
    assert abs(online.score(X) - batch.score(X)) < 1e-4


def test_float32_pandas_and_a_pattern_unseen_in_fit():
    pd = pytest.importorskip("pandas")
    _, X = mixture_data(n_samples=300, missing=0.0)
    X[::3, 2] = np.nan  # only feature 2 is ever missing in fit
    frame = pd.DataFrame(X.astype(np.float32), columns=["a", "b", "c"])
    gmm = EMGaussianMixture(2, random_state=0, nan_policy="marginalize").fit(frame)
    assert gmm.means_.dtype == np.float64
    new = pd.DataFrame(
        [[np.nan, 0.5, 1.0], [0.1, np.nan, np.nan]], columns=["a", "b", "c"]
    )
    log_p = gmm.score_samples(new)
    covs = gmm.covariances_
    for row, value in zip(new.to_numpy(), log_p):
        o = ~np.isnan(row)
        expected = np.log(
            sum(
                w * stats.multivariate_normal(mu[o], S[np.ix_(o, o)]).pdf(row[o])
                for w, mu, S in zip(gmm.weights_, gmm.means_, covs)
            )
        )
        assert value == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("estimator", [EMGaussianMixture, GaussianMLE])
def test_bad_input_gives_clear_errors(estimator):
    X_full, X = mixture_data(n_samples=100, missing=0.2)
    marginal = estimator(nan_policy="marginalize")
    with pytest.raises(ValueError, match="nan_policy"):
        estimator(nan_policy="drop").fit(X)
    with pytest.raises(ValueError, match='NaN.*nan_policy="marginalize"'):
        estimator().fit(X)
    empty = X.copy()
    empty[5] = np.nan
    with pytest.raises(ValueError, match="Row.* 5 .*every entry missing"):
        marginal.fit(empty)
    infinite = X.copy()
    infinite[3, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        marginal.fit(infinite)
    never = X_full.copy()
    never[:, 1] = np.nan
    with pytest.raises(ValueError, match="Feature.* 1 .*no observed value"):
        marginal.fit(never)
    marginal.fit(X)
    with pytest.raises(ValueError, match="every entry missing"):
        marginal.score_samples(empty)
    with pytest.raises(ValueError, match="every entry missing"):
        marginal.impute(empty)
    with pytest.raises(ValueError, match="infinity"):
        marginal.impute(infinite)


def test_dask_with_marginalize_is_a_clear_error():
    da = pytest.importorskip("dask.array")
    X, _ = mixture_data(n_samples=100)
    gmm = EMGaussianMixture(2, nan_policy="marginalize")
    with pytest.raises(ValueError, match="in-memory"):
        gmm.fit(da.from_array(X, chunks=50))
    with pytest.raises(ValueError, match="in-memory"):
        gmm.partial_fit(da.from_array(X, chunks=50))


@parametrize_with_checks(
    [
        EMGaussianMixture(nan_policy="marginalize"),
        EMGaussianMixture(2, covariance_type="diag", nan_policy="marginalize"),
        GaussianMLE(nan_policy="marginalize", reg_covar=1e-6),
    ],
    expected_failed_checks=lambda est: (
        {
            "check_sample_weight_equivalence_on_dense_data": (
                "the k-means initialisation draws differently for weighted and "
                "repeated rows (as for nan_policy='raise', test_mixture_common.py)"
            )
        }
        if getattr(est, "n_components", 1) > 1
        else {}
    ),
)
def test_sklearn_compatible_with_marginalize(estimator, check):
    check(estimator)
