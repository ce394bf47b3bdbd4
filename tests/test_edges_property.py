"""Property-based edges of every public name (hypothesis).

Each test feeds random inputs a demanding user could pass: random shapes
(including zero rows), dtypes bool/int/float16/float32/float64, scales from
1e-300 to 1e300, NaN and infinity, read-only, non-contiguous and Fortran
arrays, pandas frames, and random (also wrong) parameters. The property is
the same everywhere: the call either raises a ValueError or TypeError whose
message names the problem, or returns a finite, correctly shaped answer.
Raw Python errors (a comparison of a str with an int, an IndexError, a
LinAlgError, a Numba typing dump) and silent NaN fail.

Examples are few and derandomized, so the suite is fast and the same on
every run.
"""

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.linalg import LinAlgError
from scipy import stats
from sklearn.decomposition import PCA

import skgenfund
from skgenfund import (
    BayesianGaussian,
    BernoulliMLE,
    EMGaussianMixture,
    FIDScorer,
    GaussianMLE,
    GenerativeClassifier,
    ImportanceSampler,
    InceptionScorer,
    MetropolisHastingsSampler,
    RejectionSampler,
    VariationalGaussianMixture,
    autocorrelation,
    effective_sample_size,
    frechet_distance,
    inception_score,
    interpolate,
    kernel_distance,
    rhat,
)

matplotlib.use("Agg")

SETTINGS = settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

DTYPES = ["bool", "int64", "float16", "float32", "float64"]
SCALES = [1e-300, 1e-150, 1e-7, 1.0, 1e7, 1e150, 1e300]
LAYOUTS = ["plain", "readonly", "strided", "fortran", "pandas", "list"]
# messages of errors raised by Python or NumPy themselves, not by the package
RAW = (
    "not supported between instances",
    "unsupported operand",
    "object has no attribute",
    "index out of bounds",
    "list index out of range",
    "object is not subscriptable",
    "could not broadcast",
    "operands could not be broadcast",
    "Failed in nopython mode",
    "math range error",
    "division by zero",
    "must be real number, not",
)


@st.composite
def matrices(draw, min_rows=0, max_rows=12, max_features=4, special=True):
    """A data matrix in some dtype, scale and memory layout."""
    n = draw(st.integers(min_rows, max_rows))
    d = draw(st.integers(1, max_features))
    seed = draw(st.integers(0, 2**16))
    dtype = draw(st.sampled_from(DTYPES))
    scale = draw(st.sampled_from(SCALES))
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d)) * scale
    if dtype == "bool":
        X = X > 0
    elif dtype == "int64":
        X = np.clip(np.round(X / scale * 3), -100, 100).astype(np.int64)
    else:
        with np.errstate(over="ignore"):
            X = X.astype(dtype)
    if special and n and draw(st.integers(0, 5)) == 0:
        X = X.astype(np.float64)
        X[rng.randint(n), rng.randint(d)] = draw(
            st.sampled_from([np.nan, np.inf, -np.inf])
        )
    return as_layout(X, draw(st.sampled_from(LAYOUTS)))


def as_layout(X, layout):
    if layout == "readonly":
        X = X.copy()
        X.setflags(write=False)
    elif layout == "strided":
        wide = np.repeat(X, 2, axis=1)
        X = wide[:, ::2]
    elif layout == "fortran":
        X = np.asfortranarray(X)
    elif layout == "pandas":
        X = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    elif layout == "list":
        X = X.tolist()
    return X


def check_outcome(call, *, shape=None):
    """Run ``call``: a clear ValueError/TypeError, or a finite answer."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = call()
        except (ValueError, TypeError) as exc:
            message = str(exc)
            assert not isinstance(exc, LinAlgError), message
            assert len(message) > 15, f"unclear message: {message!r}"
            assert not any(raw in message for raw in RAW), message
            return None
    if hasattr(result, "get_params") or hasattr(result, "plot"):
        return result  # a fitted estimator or a matplotlib Axes
    values = result if isinstance(result, tuple) else (result,)
    for value in values:
        array = np.asarray(value, dtype=np.float64)
        assert np.all(np.isfinite(array)) or np.all(array[~np.isfinite(array)] < 0), (
            f"non-finite answer {result!r}"
        )
    if shape is not None:
        assert np.shape(values[0]) == shape, (np.shape(values[0]), shape)
    return result


def n_rows(X):
    return len(X)


def n_cols(X):
    return np.shape(np.asarray(X))[1] if n_rows(X) else None


# ------------------------------------------------------------------ densities

DENSITY_PARAMS = {
    GaussianMLE: st.fixed_dictionaries(
        {
            "covariance_type": st.sampled_from(
                ["full", "diag", "spherical", "tied", 3]
            ),
            "reg_covar": st.sampled_from([0.0, 1e-6, -1.0, "a", None, np.nan]),
            "nan_policy": st.sampled_from(["raise", "marginalize", "omit"]),
        }
    ),
    BayesianGaussian: st.fixed_dictionaries(
        {
            "mean_precision_prior": st.sampled_from([1.0, 1e-3, 0.0, -1.0, "x"]),
            "degrees_of_freedom_prior": st.sampled_from([None, 5.0, 0.5, "x"]),
        }
    ),
    BernoulliMLE: st.fixed_dictionaries(
        {
            "alpha": st.sampled_from([0.0, 1.0, -1.0, "a"]),
            "binarize": st.sampled_from([0.0, None, 0.5]),
        }
    ),
    EMGaussianMixture: st.fixed_dictionaries(
        {
            "n_components": st.sampled_from([1, 2, 0, "two"]),
            "covariance_type": st.sampled_from(["full", "diag", "tied", "spherical"]),
            "max_iter": st.sampled_from([5, 0]),
            "nan_policy": st.sampled_from(["raise", "marginalize", None]),
            "random_state": st.just(0),
        }
    ),
    VariationalGaussianMixture: st.fixed_dictionaries(
        {
            "n_components": st.sampled_from([1, 3, 0, "two"]),
            "covariance_type": st.sampled_from(["full", "diag", "tied", "spherical"]),
            "weight_concentration_prior_type": st.sampled_from(
                ["dirichlet_process", "dirichlet_distribution", "dp"]
            ),
            "weight_concentration_prior": st.sampled_from([None, 1e-3, -1.0]),
            "max_iter": st.sampled_from([5, 0]),
            "random_state": st.just(0),
        }
    ),
}


@pytest.mark.parametrize("Estimator", list(DENSITY_PARAMS), ids=lambda e: e.__name__)
@SETTINGS
@given(data=st.data())
def test_density_estimators(Estimator, data):
    X = data.draw(matrices())
    params = data.draw(DENSITY_PARAMS[Estimator])
    model = Estimator(**params)
    fitted = check_outcome(lambda: model.fit(X))
    if fitted is None:
        return
    d = n_cols(X)
    assert fitted.n_features_in_ == d
    check_outcome(lambda: fitted.score_samples(X), shape=(n_rows(X),))
    check_outcome(lambda: fitted.score(X))
    Z = data.draw(matrices(max_features=d, min_rows=1))
    if n_cols(Z) == d:
        check_outcome(lambda: fitted.score_samples(Z), shape=(n_rows(Z),))
    else:
        with pytest.raises(ValueError):
            fitted.score_samples(Z)
    n = data.draw(st.sampled_from([1, 3, 0, -1, 2.5, "3", 10**13]))
    drawn = check_outcome(lambda: fitted.sample(n))
    if drawn is not None:
        drawn = drawn[0] if isinstance(drawn, tuple) else drawn
        assert drawn.shape == (n, d)


@SETTINGS
@given(data=st.data())
def test_sample_weight_forms(data):
    X = data.draw(matrices(min_rows=2, special=False))
    weight = data.draw(
        st.sampled_from([None, 2.0, 0, "w", -1.0, np.nan, "ones", "zeros", "short"])
    )
    if isinstance(weight, str) and weight in ("ones", "zeros", "short"):
        size = n_rows(X) - (weight == "short")
        weight = np.ones(size) if weight != "zeros" else np.zeros(size)
    for Estimator in (GaussianMLE, BayesianGaussian, BernoulliMLE):
        check_outcome(lambda E=Estimator: E().fit(X, sample_weight=weight))


# ------------------------------------------------------------- classification


@SETTINGS
@given(data=st.data())
def test_generative_classifier(data):
    X = data.draw(matrices(min_rows=2))
    n = n_rows(X)
    labels = data.draw(st.sampled_from(["int", "str", "one", "float"]))
    rng = np.random.RandomState(n)
    y = {
        "int": rng.randint(0, 3, n),
        "str": np.array(["a", "b"])[rng.randint(0, 2, n)],
        "one": np.zeros(n, dtype=int),
        "float": rng.normal(size=n),
    }[labels]
    estimator = data.draw(
        st.sampled_from(
            [None, GaussianMLE(covariance_type="diag"), BernoulliMLE(alpha=1.0)]
        )
    )
    priors = data.draw(st.sampled_from([None, "bad", [0.5, 0.5], [1.0]]))
    clf = GenerativeClassifier(estimator, priors=priors)
    fitted = check_outcome(lambda: clf.fit(X, y))
    if fitted is None:
        return
    n_classes = len(fitted.classes_)
    proba = check_outcome(lambda: fitted.predict_proba(X), shape=(n, n_classes))
    if proba is not None:
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-9)
    far = np.asarray(X, dtype=np.float64)[:1] * 0 + 1e200
    far_proba = check_outcome(lambda: fitted.predict_proba(far), shape=(1, n_classes))
    if far_proba is not None:
        assert fitted.predict(far)[0] == fitted.classes_[np.argmax(far_proba[0])]


# --------------------------------------------------------------------- metrics


@SETTINGS
@given(X=matrices(), Y=matrices())
def test_frechet_and_kernel_distance(X, Y):
    fid = check_outcome(lambda: frechet_distance(X, Y))
    if fid is not None:
        assert fid >= 0
        # the distance of a set to itself is 0 up to rounding
        self_fid = frechet_distance(X, X)
        scale = np.max(np.abs(np.asarray(X, dtype=np.float64))) ** 2
        assert self_fid <= 1e-8 * max(scale, np.finfo(float).tiny)
    check_outcome(lambda: kernel_distance(X, Y, n_subsets=2, subset_size=5))
    check_outcome(
        lambda: kernel_distance(X, Y, kernel="rbf", n_subsets=2, subset_size=5)
    )


@SETTINGS
@given(X=matrices(min_rows=2), Z=matrices())
def test_fid_scorer(X, Z):
    scorer = check_outcome(lambda: FIDScorer().fit(X))
    if scorer is None:
        return
    assert scorer.mean_.dtype == np.float64 and scorer.covariance_.dtype == np.float64
    check_outcome(lambda: scorer.distance(Z))
    check_outcome(lambda: scorer(GaussianMLE(reg_covar=1e-6).fit([[0.0], [1.0]]), Z))


@SETTINGS
@given(
    n=st.integers(0, 8),
    k=st.integers(1, 4),
    kind=st.sampled_from(["proba", "uniform", "onehot", "nan", "negative", "big"]),
    n_splits=st.sampled_from([1, 2, 10, 0, "2"]),
)
def test_inception_score(n, k, kind, n_splits):
    rng = np.random.RandomState(n * 10 + k)
    probas = rng.dirichlet(np.ones(k), size=n) if n else np.empty((0, k))
    if kind == "uniform":
        probas = np.full((n, k), 1.0 / k)
    elif kind == "onehot" and n:
        probas = np.eye(k)[rng.randint(0, k, n)]
    elif kind == "nan" and n:
        probas[0, 0] = np.nan
    elif kind == "negative" and n:
        probas[0, 0] = -0.5
    elif kind == "big":
        probas = probas * 3
    result = check_outcome(lambda: inception_score(probas, n_splits=n_splits))
    if result is not None:
        assert result[0] >= 1.0 - 1e-12


def test_inception_scorer_with_odd_classifier():
    X = np.random.RandomState(0).normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    clf = GenerativeClassifier().fit(X, y)
    scorer = InceptionScorer(clf, n_splits=2)
    check_outcome(lambda: scorer(GaussianMLE().fit(X), X))
    check_outcome(lambda: InceptionScorer("not a classifier")(GaussianMLE().fit(X), X))


@SETTINGS
@given(X=matrices(min_rows=2), Y=matrices(min_rows=2))
def test_sample_quality_metrics(X, Y):
    from skgenfund import (
        SampleScorer,
        classifier_two_sample_test,
        density_coverage,
        frechet_distance_infinity,
        precision_recall,
    )

    check_outcome(lambda: precision_recall(X, Y, k=1))
    check_outcome(lambda: density_coverage(X, Y, k=1))
    check_outcome(lambda: frechet_distance_infinity(X, Y, n_points=3, random_state=0))
    check_outcome(lambda: classifier_two_sample_test(X, Y, cv=2, random_state=0))
    model = GaussianMLE(reg_covar=1e-6).fit([[0.0], [1.0]])
    check_outcome(lambda: SampleScorer("coverage", k=1)(model, X))


# -------------------------------------------------------------------- sampling


def _log_target(kind):
    if kind == "scipy":
        return stats.norm(0, 1)
    if kind == "callable":
        return lambda x: -0.5 * np.sum(x**2, axis=1)
    if kind == "nan":
        return lambda x: np.full(len(x), np.nan)
    if kind == "wrong_shape":
        return lambda x: np.zeros((len(x), 2))
    if kind == "constant":
        return lambda x: -0.5 * np.sum(x**2, axis=1) + 1e300
    if kind == "flat":
        return lambda x: np.zeros(len(x))
    return None


TARGETS = ["scipy", "callable", "nan", "wrong_shape", "constant", "flat", None]


@SETTINGS
@given(
    target=st.sampled_from(TARGETS),
    proposal=st.sampled_from([None, "wide", "nan", "narrow"]),
    X=matrices(min_rows=2, max_features=1),
    n=st.sampled_from([1, 5, 0, "5", 10**13]),
)
def test_rejection_and_importance(target, proposal, X, n):
    q = {
        None: None,
        "wide": stats.norm(0, 3),
        "nan": stats.norm(0, np.nan),
        "narrow": stats.norm(0, 0.1),
    }[proposal]
    has_X = target is None or proposal is None
    fit_X = X if has_X else None
    sampler = RejectionSampler(
        _log_target(target), proposal=q, max_trials=20000, random_state=0
    )
    fitted = check_outcome(lambda: sampler.fit(fit_X))
    if fitted is not None:
        check_outcome(lambda: fitted.sample(n), shape=None)
    sampler = ImportanceSampler(
        _log_target(target), proposal=q, n_samples=200, random_state=0
    )
    fitted = check_outcome(lambda: sampler.fit(fit_X))
    if fitted is not None:
        assert np.isfinite(fitted.ess_) and 1 <= fitted.ess_ <= 200 + 1e-9
        assert not np.isnan(fitted.pareto_k_)
        check_outcome(lambda: fitted.expectation(lambda x: x[:, 0]))
        check_outcome(lambda: fitted.sample(n))


@SETTINGS
@given(
    target=st.sampled_from(["scipy", "callable", "nan", "flat", None]),
    X=matrices(min_rows=2, max_features=2),
    n_chains=st.sampled_from([1, 2, 0, "2"]),
    n_warmup=st.sampled_from([0, 20, -1]),
)
def test_metropolis_hastings(target, X, n_chains, n_warmup):
    initial = None if target in (None, "scipy") else np.zeros(1)
    sampler = MetropolisHastingsSampler(
        _log_target(target),
        n_chains=n_chains,
        n_warmup=n_warmup,
        initial=initial,
        random_state=0,
    )
    fitted = check_outcome(lambda: sampler.fit(X if target is None else None))
    if fitted is None:
        return
    check_outcome(lambda: fitted.sample(30))


@SETTINGS
@given(
    n_chains=st.integers(0, 3),
    n_draws=st.integers(0, 12),
    d=st.sampled_from([None, 1, 2]),
    kind=st.sampled_from(["normal", "constant", "nan", "huge"]),
)
def test_diagnostics(n_chains, n_draws, d, kind):
    shape = (n_chains, n_draws) if d is None else (n_chains, n_draws, d)
    chains = np.random.RandomState(n_draws).normal(size=shape)
    if kind == "constant":
        chains = np.ones(shape)
    elif kind == "nan" and chains.size:
        chains.flat[0] = np.nan
    elif kind == "huge":
        chains = chains * 1e300
    from skgenfund import mcse

    for function in (effective_sample_size, rhat, mcse):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                result = function(chains)
            except (ValueError, TypeError) as exc:
                assert not any(raw in str(exc) for raw in RAW), str(exc)
                continue
        assert not np.any(np.isnan(result)), (function.__name__, result)
    check_outcome(lambda: autocorrelation(chains[0] if n_chains else chains, 5))


# ----------------------------------------------------------------------- latent


@SETTINGS
@given(
    start=st.sampled_from([[0.0, 1.0], [0.0], [np.nan, 1.0], [1e300, 1e300], "a"]),
    n_steps=st.sampled_from([1, 2, 5, 0, "5", 2.5]),
    method=st.sampled_from(["linear", "slerp", "cubic", 3]),
)
def test_interpolate(start, n_steps, method):
    X = np.random.RandomState(0).normal(size=(20, 2))
    pca = PCA(n_components=1).fit(X)
    check_outcome(
        lambda: interpolate(pca, start, [1.0, 0.0], n_steps=n_steps, method=method)
    )


# --------------------------------------------------------------------- plotting


@SETTINGS
@given(X=matrices(min_rows=2, max_features=3), with_data=st.booleans())
def test_plotting_helpers(X, with_data):
    import matplotlib.pyplot as plt

    from skgenfund import plotting

    try:
        model = GaussianMLE(reg_covar=1e-6).fit(X)
        gmm = EMGaussianMixture(2, random_state=0, max_iter=5).fit(X)
    except ValueError:
        return
    data = X if with_data else None
    try:
        check_outcome(lambda: plotting.plot_density(model, data))
        check_outcome(lambda: plotting.plot_gmm(gmm, data))
        samples = model.sample(50, random_state=0)
        check_outcome(lambda: plotting.plot_samples_vs_target(samples, model))
    finally:
        plt.close("all")


def test_every_public_name_is_covered():
    covered = {
        "BayesianGaussian",
        "BernoulliMLE",
        "EMGaussianMixture",
        "GaussianMLE",
        "GenerativeClassifier",
        "interpolate",
        "FIDScorer",
        "InceptionScorer",
        "frechet_distance",
        "inception_score",
        "kernel_distance",
        "ImportanceSampler",
        "MetropolisHastingsSampler",
        "RejectionSampler",
        "autocorrelation",
        "effective_sample_size",
        "rhat",
        "mcse",
        "VariationalGaussianMixture",
    }
    covered |= {
        "SampleScorer",
        "classifier_two_sample_test",
        "density_coverage",
        "frechet_distance_infinity",
        "precision_recall",
    }
    # sample_chains runs a sampler's chains in parallel (tests/test_sampling_parallel)
    missing = set(skgenfund.__all__) - covered - {"sample_chains"}
    assert not missing, f"add property tests for {sorted(missing)}"
