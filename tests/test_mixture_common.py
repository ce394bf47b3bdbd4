"""scikit-learn's estimator checks for the two Gaussian mixtures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skgenfund import EMGaussianMixture, VariationalGaussianMixture

ESTIMATORS = [
    EMGaussianMixture(),
    EMGaussianMixture(n_components=2, covariance_type="tied"),
    EMGaussianMixture(n_components=2, covariance_type="diag", init_params="random"),
    EMGaussianMixture(covariance_type="spherical", init_params="k-means++"),
    VariationalGaussianMixture(),
    VariationalGaussianMixture(
        n_components=3,
        covariance_type="tied",
        weight_concentration_prior_type="dirichlet_distribution",
    ),
    VariationalGaussianMixture(n_components=2, covariance_type="diag"),
    VariationalGaussianMixture(covariance_type="spherical", init_params="random"),
]


def expected_failed_checks(estimator):
    if estimator.n_components > 1:
        return {
            "check_sample_weight_equivalence_on_dense_data": (
                "the k-means / random initialisation draws differently for "
                "weighted and for repeated rows; from the same initial parameters "
                "a weighted fit equals repeated rows (test_mixture_em.py, "
                "test_mixture_variational.py)"
            )
        }
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)
