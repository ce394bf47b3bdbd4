"""Every compiled kernel stays inside its arrays, on awkward shapes.

Numba does not check indices unless asked: a kernel that writes past an
array corrupts memory silently. A fresh interpreter (with its own Numba
cache, since the checked code differs) compiles every kernel with
``NUMBA_BOUNDSCHECK=1`` and runs it on shapes that end chunks and blocks
unevenly: 3, 63, 64, 65 and 1037 rows, one feature, one component,
every covariance type, missing entries in many patterns, predicting as well
as fitting. An out-of-bounds index raises IndexError there (the
missing-data predict path wrote past a one-slot array before).
"""

import textwrap

from _child import ON_THE_KERNELS, child_env, run_python

SCRIPT = ON_THE_KERNELS + textwrap.dedent(
    """
    rng = np.random.RandomState(0)
    runs = 0
    for n in (3, 63, 64, 65, 1037):
        for d in (1, 2, 5):
            X = rng.normal(size=(n, d)) + 3.0 * (np.arange(n) % 2)[:, None]
            for ct in ("full", "tied", "diag", "spherical"):
                for k in (1, 3) if n >= 3 else (1,):
                    gm = EMGaussianMixture(k, covariance_type=ct, random_state=0,
                                           max_iter=3, reg_covar=1e-3).fit(X)
                    gm.score_samples(X)
                    gm.predict_proba(X.astype(np.float32))
                    runs += 1
            if d > 1 and n >= 63:
                holes = X.copy()
                holes[rng.rand(n, d) < 0.3] = np.nan
                holes[:, 0] = X[:, 0]
                for ct in ("full", "diag", "spherical", "tied"):
                    gm = EMGaussianMixture(2, covariance_type=ct, random_state=0,
                                           max_iter=3, reg_covar=1e-3,
                                           nan_policy="marginalize").fit(holes)
                    gm.predict_proba(holes)
                    gm.score_samples(holes)
                    runs += 1
    X = rng.normal(size=(1037, 3))
    VariationalGaussianMixture(n_components=3, random_state=0, max_iter=5).fit(X)
    for target in (GaussianMLE().fit(X), EMGaussianMixture(2, random_state=0).fit(X)):
        mh = MetropolisHastingsSampler(target, n_chains=4, random_state=0)
        mh.fit(X).sample(12000)
    print("runs", runs)
    """
)


def test_kernels_stay_in_bounds(tmp_path):
    env = child_env(NUMBA_BOUNDSCHECK="1", NUMBA_CACHE_DIR=str(tmp_path))
    assert "runs 152" in run_python(SCRIPT, env)
