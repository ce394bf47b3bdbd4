"""The same random_state gives the same bits, compiled now or loaded from the cache.

A fresh interpreter with an empty Numba cache compiles every kernel; a second
one loads them all from that cache. Both fit the mixtures (EM for the four
covariance types on float64 and float32, EM over missing entries, the
variational mixture), evaluate them, and run the compiled Metropolis-Hastings
chains; every result must agree bit for bit. The kernels reassociate their
sums, so this holds only if the machine code that runs is the same in both
processes (see :mod:`skgenfund.mixture._kernels`): before, a fresh compile and
a cache load differed by up to 2e-13 relative.
"""

import json
import textwrap

from _child import ON_THE_KERNELS, child_env, run_python

SCRIPT = ON_THE_KERNELS + textwrap.dedent(
    """
    import hashlib, json
    from skgenfund.mixture import _kernels, _missing_kernels

    def digest(*arrays):
        h = hashlib.sha256()
        for a in arrays:
            h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
        return h.hexdigest()

    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(c, 1.0, (700, 5)) for c in (-3.0, 0.0, 3.0)])
    out = {}
    for ct in ("full", "tied", "diag", "spherical"):
        for dtype in (np.float64, np.float32):
            gm = EMGaussianMixture(3, covariance_type=ct, random_state=0,
                                   max_iter=20, tol=0).fit(X.astype(dtype))
            out[f"em {ct} {dtype.__name__}"] = digest(
                gm.means_, gm.covariances_, gm.weights_, gm.score_samples(X))
    holes = X.copy()
    holes[rng.rand(*X.shape) < 0.2] = np.nan
    holes[:, 0] = X[:, 0]
    for ct in ("full", "diag"):
        gm = EMGaussianMixture(3, covariance_type=ct, random_state=0, max_iter=20,
                               tol=0, nan_policy="marginalize").fit(holes)
        out[f"missing {ct}"] = digest(gm.means_, gm.covariances_,
                                      gm.predict_proba(holes))
    vgm = VariationalGaussianMixture(n_components=4, random_state=0,
                                     max_iter=30).fit(X)
    out["variational"] = digest(vgm.means_, vgm.covariances_, vgm.weights_)
    for target in (GaussianMLE().fit(X), EMGaussianMixture(3, random_state=0).fit(X)):
        mh = MetropolisHastingsSampler(target, n_chains=4, random_state=0).fit(X)
        out[f"chains {type(target).__name__}"] = digest(mh.sample(12000), mh.chains_)
    kernels = [_kernels._e_step, _kernels._first_moments, _kernels._scatter,
               _missing_kernels._missing_e_step]
    out["cache misses"] = sum(sum(k.stats.cache_misses.values()) for k in kernels)
    out["cache hits"] = sum(sum(k.stats.cache_hits.values()) for k in kernels)
    print(json.dumps(out))
    """
)


def _run(cache_dir):
    out = run_python(SCRIPT, child_env(NUMBA_CACHE_DIR=str(cache_dir)))
    return json.loads(out.strip().splitlines()[-1])


def test_fresh_compile_and_cache_load_give_identical_bits(tmp_path):
    compiled = _run(tmp_path)
    loaded = _run(tmp_path)
    # the first process compiled the kernels, the second loaded every one
    assert compiled.pop("cache hits") == 0 and compiled.pop("cache misses") > 0
    assert loaded.pop("cache misses") == 0 and loaded.pop("cache hits") > 0
    differ = [name for name in compiled if compiled[name] != loaded[name]]
    assert not differ, f"compiled and cache-loaded kernels differ on {differ}"
