"""The steps of variational Bayes for Gaussian mixtures, on the EM kernels.

The model and its updates are scikit-learn's ``BayesianGaussianMixture``
(Bishop 2006, sections 10.2 and 10.4; Blei and Jordan 2006 for the
Dirichlet process), term for term:

* E-step. The log-responsibilities are a Gaussian log-density at the
  posterior means with the precisions ``nu_k W_k`` (the fitted
  ``precisions_``) plus one constant per component::

      log rho_ik = log N(x_i | m_k, (nu_k W_k)^-1) + E[log pi_k]
                   - D/2 log nu_k + 1/2 (E[log |Lambda_k|] - log |W_k| - D / beta_k)

  so the EM E-step runs them unchanged, with these constants in place of its
  log-weights (``log_weights=`` of :mod:`skgenfund.mixture._steps`'s E-steps,
  :func:`inference`);
* M-step. The posterior's parameters are those of the weighted moments of
  the responsibilities, the same ``nk``, means and (regularised) covariances
  as EM's M-step (:func:`skgenfund.mixture._steps.scatter_sums`,
  :func:`~skgenfund.mixture._steps.covariances_from_scatter`), combined with
  the priors (:func:`posterior`);
* the lower bound needs the entropy of the responsibilities, which follows
  from the E-step's totals and the M-step's moments in O(K d^2), without a
  second pass over the data (:func:`responsibility_entropy`).

Nothing here holds state; nothing is compiled.
"""

import math

import numpy as np
from scipy.special import betaln, digamma, gammaln

from .._core.gaussian import (
    LOG_2PI,
    log_det_cholesky,
    precisions_from_cholesky,
)
from . import _steps
from ._base import mixture_precision_cholesky

__all__ = [
    "PRIOR_TYPES",
    "component_log_offsets",
    "expected_log_weights",
    "inference",
    "log_dirichlet_norm",
    "log_wishart_norm",
    "lower_bound",
    "posterior",
    "responsibility_entropy",
    "weights_from_concentration",
]

PRIOR_TYPES = ("dirichlet_process", "dirichlet_distribution")


# ------------------------------------------------------------------ weights
def expected_log_weights(concentration, prior_type):
    """E[log pi_k] under the posterior of the weights.

    For the Dirichlet distribution ``psi(alpha_k) - psi(sum alpha)``; for the
    (truncated) Dirichlet process, stick-breaking ``v_k ~ Beta(a_k, b_k)`` and
    ``pi_k = v_k prod_{j<k} (1 - v_j)``.
    """
    if prior_type == "dirichlet_process":
        a, b = concentration
        digamma_sum = digamma(a + b)
        return (
            digamma(a)
            - digamma_sum
            + np.hstack((0.0, np.cumsum(digamma(b) - digamma_sum)[:-1]))
        )
    return digamma(concentration) - digamma(np.sum(concentration))


def weights_from_concentration(concentration, prior_type):
    """The posterior-mean mixture weights, normalised (scikit-learn's ``weights_``)."""
    if prior_type == "dirichlet_process":
        a, b = concentration
        total = a + b
        weights = a / total * np.hstack((1.0, np.cumprod(b / total)[:-1]))
        return weights / np.sum(weights)
    return concentration / np.sum(concentration)


def log_dirichlet_norm(concentration):
    """log C(alpha) = log Gamma(sum alpha) - sum log Gamma(alpha_k)."""
    return gammaln(np.sum(concentration)) - np.sum(gammaln(concentration))


def log_wishart_norm(degrees_of_freedom, log_det_precisions_chol, n_features):
    """log B(W, nu) of the Wishart, without its constant log(pi) term.

    ``log_det_precisions_chol`` is ``log |W| / 2`` per component.
    """
    degrees_of_freedom = np.asarray(degrees_of_freedom, dtype=np.float64)
    return -(
        degrees_of_freedom * log_det_precisions_chol
        + degrees_of_freedom * n_features * 0.5 * math.log(2.0)
        + np.sum(
            gammaln(0.5 * (degrees_of_freedom - np.arange(n_features)[:, np.newaxis])),
            0,
        )
    )


# ------------------------------------------------------------------- E-step
def component_log_offsets(params, prior_type, n_features):
    """The per-component constants of the E-step (see the module notes)."""
    concentration, mean_precision, _, dof, _, _ = params
    log_lambda = n_features * math.log(2.0) + np.sum(
        digamma(0.5 * (dof - np.arange(n_features)[:, np.newaxis])), 0
    )
    gaussian = -0.5 * n_features * np.log(dof) + 0.5 * (
        log_lambda - n_features / mean_precision
    )
    return np.ascontiguousarray(
        expected_log_weights(concentration, prior_type) + gaussian, dtype=np.float64
    )


def inference(X, log_weights, means, precisions_cholesky, covariance_type, output):
    """score_samples, predict or predict_proba with the component constants.

    :func:`skgenfund.mixture._steps.inference` with ``log_weights`` (the EM
    E-step with these constants in place of log-weights).
    """
    return _steps.inference(
        X,
        None,
        means,
        precisions_cholesky,
        covariance_type,
        output,
        log_weights=log_weights,
    )


def _trace_products(precisions_cholesky, covariance_type, scatter):
    """sum_k tr(P_k S_k) for a scatter in the kernel's layout (upper triangle)."""
    if covariance_type in ("diag", "spherical"):
        precisions = precisions_from_cholesky(precisions_cholesky, covariance_type)
        if covariance_type == "spherical":
            return float(np.sum(precisions * scatter[:, 0, :].sum(axis=1)))
        return float(np.sum(precisions * scatter[:, 0, :]))
    upper = np.triu(scatter)
    symmetric = upper + np.triu(upper, 1).transpose(0, 2, 1)
    precisions = precisions_from_cholesky(precisions_cholesky, covariance_type)
    return float(np.sum(precisions * symmetric))


def responsibility_entropy(
    log_normalizer,
    nk,
    sums,
    scatter,
    centres,
    log_weights,
    means,
    precisions_cholesky,
    covariance_type,
):
    """``-sum_ik w_i r_ik log r_ik`` of an E-step, from its moments alone.

    With ``log rho_ik = c_k - q_ik / 2`` (``c_k`` the component's constant and
    log-determinant, ``q_ik`` the squared Mahalanobis distance of row i to the
    E-step's mean ``mu_k``) and ``log r_ik = log rho_ik - l_i``::

        H = sum_i w_i l_i - sum_k nk_k c_k + 1/2 sum_ik w_i r_ik q_ik,

    and the last sum is, per component, with ``S_k`` the scatter around any
    centre ``z_k`` and ``s_k`` the first moment,
    ``tr(P_k S_k) + 2 (s_k - nk_k z_k)^T P_k (z_k - mu_k) + nk_k (z_k - mu_k)^T
    P_k (z_k - mu_k)``.

    Parameters
    ----------
    log_normalizer : float
        ``sum_i w_i l_i``, the weighted sum of the rows' log-normalisers.
    nk, sums : ndarray of shapes (K,) and (K, d)
        The E-step's weighted responsibility totals and first moments.
    scatter : ndarray
        The scatter around ``centres`` in the kernel's layout.
    centres : ndarray of shape (K, d)
    log_weights, means, precisions_cholesky : the E-step's parameters.
    covariance_type : {"full", "tied", "diag", "spherical"}
    """
    n_features = means.shape[1]
    log_dets = np.broadcast_to(
        log_det_cholesky(precisions_cholesky, covariance_type, n_features),
        nk.shape,
    )
    constants = log_weights + log_dets - 0.5 * n_features * LOG_2PI
    shift = centres - means
    quadratic = _trace_products(precisions_cholesky, covariance_type, scatter)
    residual = sums - nk[:, np.newaxis] * centres
    quadratic += 2.0 * np.sum(
        _bilinear(precisions_cholesky, covariance_type, residual, shift)
    )
    quadratic += np.sum(
        nk * _bilinear(precisions_cholesky, covariance_type, shift, shift)
    )
    return log_normalizer - float(np.sum(nk * constants)) + 0.5 * quadratic


def _bilinear(precisions_cholesky, covariance_type, u, v):
    """u_k^T P_k v_k for each pair of rows."""
    if covariance_type == "full":
        uU = np.einsum("ki,kij->kj", u, precisions_cholesky)
        vU = np.einsum("ki,kij->kj", v, precisions_cholesky)
        return np.sum(uU * vU, axis=1)
    if covariance_type == "tied":
        return np.sum((u @ precisions_cholesky) * (v @ precisions_cholesky), axis=1)
    if covariance_type == "diag":
        return np.sum(u * v * precisions_cholesky**2, axis=1)
    return np.sum(u * v, axis=1) * precisions_cholesky**2


# ------------------------------------------------------------------- M-step
def posterior(nk, xk, sk, priors, covariance_type, prior_type):
    """The variational posterior's parameters from the weighted moments.

    Parameters
    ----------
    nk : ndarray of shape (K,)
        Responsibility totals (with EM's ``10 eps`` guard).
    xk : ndarray of shape (K, d)
        Their means.
    sk : ndarray
        Their covariances with ``reg_covar`` (EM's M-step's, shaped for
        ``covariance_type``).
    priors : tuple
        (weight_concentration_prior_, mean_precision_prior_, mean_prior_,
        degrees_of_freedom_prior_, covariance_prior_).
    covariance_type, prior_type : str

    Returns
    -------
    params : tuple
        (weight_concentration_, mean_precision_, means_,
        degrees_of_freedom_, covariances_, precisions_cholesky_), as
        scikit-learn's ``BayesianGaussianMixture`` computes them.
    """
    alpha0, beta0, m0, nu0, covariance_prior = priors
    n_components, n_features = xk.shape
    if prior_type == "dirichlet_process":
        concentration = (
            1.0 + nk,
            alpha0 + np.hstack((np.cumsum(nk[::-1])[-2::-1], 0.0)),
        )
    else:
        concentration = alpha0 + nk
    beta = beta0 + nk
    means = (beta0 * m0 + nk[:, np.newaxis] * xk) / beta[:, np.newaxis]
    diff = xk - m0
    shrink = beta0 / beta
    if covariance_type == "full":
        dof = nu0 + nk
        covariances = (
            covariance_prior
            + nk[:, None, None] * sk
            + (nk * shrink)[:, None, None] * (diff[:, :, None] * diff[:, None, :])
        )
        covariances /= dof[:, np.newaxis, np.newaxis]
    elif covariance_type == "tied":
        # scikit-learn's tied posterior: the shared Wishart sees N / K rows
        dof = nu0 + nk.sum() / n_components
        covariances = (
            covariance_prior
            + sk * nk.sum() / n_components
            + beta0 / n_components * np.dot((nk / beta) * diff.T, diff)
        )
        covariances /= dof
    elif covariance_type == "diag":
        dof = nu0 + nk
        covariances = covariance_prior + nk[:, np.newaxis] * (
            sk + shrink[:, np.newaxis] * np.square(diff)
        )
        covariances /= dof[:, np.newaxis]
    else:
        dof = nu0 + nk
        covariances = covariance_prior + nk * (
            sk + shrink * np.mean(np.square(diff), 1)
        )
        covariances /= dof
    precisions_cholesky = mixture_precision_cholesky(covariances, covariance_type)
    return concentration, beta, means, dof, covariances, precisions_cholesky


def lower_bound(entropy, params, covariance_type, prior_type, n_features):
    """scikit-learn's evidence lower bound, up to its constant terms.

    ``entropy`` is the responsibilities' (:func:`responsibility_entropy`) of
    the E-step that led to ``params``.
    """
    concentration, beta, _, dof, _, precisions_cholesky = params
    n_components = len(beta)
    log_det = log_det_cholesky(
        precisions_cholesky, covariance_type, n_features
    ) - 0.5 * n_features * np.log(dof)
    if covariance_type == "tied":
        log_wishart = n_components * float(
            np.sum(log_wishart_norm(dof, log_det, n_features))
        )
    else:
        log_wishart = float(np.sum(log_wishart_norm(dof, log_det, n_features)))
    if prior_type == "dirichlet_process":
        log_norm_weight = -float(np.sum(betaln(concentration[0], concentration[1])))
    else:
        log_norm_weight = float(log_dirichlet_norm(concentration))
    return (
        entropy
        - log_wishart
        - log_norm_weight
        - 0.5 * n_features * float(np.sum(np.log(beta)))
    )
