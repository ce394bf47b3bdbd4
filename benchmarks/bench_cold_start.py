"""Cold start: the first fit in a fresh process, against scikit-learn's.

Run from the repository root::

    python benchmarks/bench_cold_start.py             # 3 interleaved repeats
    python benchmarks/bench_cold_start.py --repeats 5

Each case runs in a fresh Python process with an empty Numba cache
(``NUMBA_CACHE_DIR`` set to a new empty directory), as a student's first
notebook cell would; scikit-learn's ``GaussianMixture(3).fit(iris)`` runs the
same way as the reference. The cases are interleaved, repeat after repeat, so
that a busy machine slows them alike; the table gives medians. Per case:

* wall: the whole child process, interpreter start to exit, as the parent
  sees it (what running a script costs);
* import + first call: inside the child, from before the first import to the
  end of the timed call (the imports count: a first fit needs them);
* the ratio of the wall time to scikit-learn's;
* the Numba cache files the case wrote (0: it compiled nothing);
* the same case again in a second process sharing the now-filled cache
  ("cached"): what every later session pays.

The package is byte-compiled first, as ``pip install`` does.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PRELUDE = """
import time
_start = time.perf_counter()
import numpy as np
from sklearn.datasets import load_iris
X, y = load_iris(return_X_y=True)
"""

CASES = {
    "sklearn GaussianMixture(3).fit(iris)": """
from sklearn.mixture import GaussianMixture
GaussianMixture(3, random_state=0).fit(X)
""",
    "EMGaussianMixture(3).fit(iris)": """
from skgenfund import EMGaussianMixture
EMGaussianMixture(3, random_state=0).fit(X)
""",
    "EMGaussianMixture(3).fit(iris as float32)": """
from skgenfund import EMGaussianMixture
EMGaussianMixture(3, random_state=0).fit(X.astype(np.float32))
""",
    "EMGaussianMixture(3), 4 covariance types, float64 + float32, predict": """
from skgenfund import EMGaussianMixture
for data in (X, X.astype(np.float32)):
    for covariance_type in ("full", "tied", "diag", "spherical"):
        EMGaussianMixture(3, covariance_type=covariance_type,
                          random_state=0).fit(data).predict_proba(data)
""",
    "GaussianMLE().fit(iris)": """
from skgenfund import GaussianMLE
GaussianMLE().fit(X)
""",
    "BayesianGaussian().fit(iris)": """
from skgenfund import BayesianGaussian
BayesianGaussian().fit(X)
""",
    "GenerativeClassifier().fit(iris)": """
from skgenfund import GenerativeClassifier
GenerativeClassifier().fit(X, y)
""",
    "MetropolisHastingsSampler(GaussianMLE().fit(iris)).fit().sample(2000)": """
from skgenfund import GaussianMLE, MetropolisHastingsSampler
import warnings
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    MetropolisHastingsSampler(GaussianMLE().fit(X), random_state=0).fit().sample(
        2000)
""",
    "EMGaussianMixture(3).fit(200,000 x 2 rows): large, compiled": """
from skgenfund import EMGaussianMixture
rng = np.random.RandomState(0)
big = np.vstack([rng.normal(c, 1.0, (66_667, 2)) for c in (-4, 0, 4)])
EMGaussianMixture(3, random_state=0).fit(big)
""",
}
REFERENCE = "sklearn GaussianMixture(3).fit(iris)"

CHILD_SUFFIX = """
_elapsed = time.perf_counter() - _start
import json, sys
print(json.dumps({"first_call": _elapsed}))
"""


def run_case(code, cache_dir):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir))
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-c", PRELUDE + code + CHILD_SUFFIX],
        env=env,
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    wall = time.perf_counter() - start
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr)
    inside = json.loads(completed.stdout.strip().splitlines()[-1])["first_call"]
    return wall, inside


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    repo = Path(__file__).resolve().parent.parent
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(repo), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    # byte-compile the package, as pip does on install (the environment may
    # set PYTHONDONTWRITEBYTECODE, and scikit-learn's modules are compiled)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(repo / "skgenfund")],
        check=True,
        env=dict(os.environ, PYTHONDONTWRITEBYTECODE=""),
    )
    sys.path.insert(0, str(repo))
    import numba
    import sklearn

    import skgenfund

    results = {name: {"cold": [], "inside": [], "cached": []} for name in CASES}
    files = {}
    for _ in range(args.repeats):
        for name, code in CASES.items():
            with tempfile.TemporaryDirectory() as cache:
                wall, inside = run_case(code, cache)
                files[name] = len(list(Path(cache).rglob("*.nbi")))
                cached, _ = run_case(code, cache)
            results[name]["cold"].append(wall)
            results[name]["inside"].append(inside)
            results[name]["cached"].append(cached)

    reference = statistics.median(results[REFERENCE]["cold"])
    print(f"# Cold start, {date.today().isoformat()}")
    print()
    print(
        f"Machine: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs; Python {platform.python_version()}, "
        f"scikit-learn {sklearn.__version__}, numba {numba.__version__}, "
        f"skgenfund {skgenfund.__version__}. Load average at the end: "
        f"{os.getloadavg()[0]:.2f}. Medians of {args.repeats} interleaved "
        "repeats; every cold run in a fresh process with an empty Numba cache."
    )
    print()
    print(
        "| first call in a fresh process | wall s (cold cache) | import + call s "
        "| x sklearn (wall) | cache files written | wall s (cached) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name in CASES:
        cold = statistics.median(results[name]["cold"])
        inside = statistics.median(results[name]["inside"])
        cached = statistics.median(results[name]["cached"])
        print(
            f"| {name} | {cold:.2f} | {inside:.2f} | {cold / reference:.2f}x "
            f"| {files[name]} | {cached:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
