"""Quasi-Newton and conjugate-gradient minimisation through ``scipy.optimize``."""

import warnings

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

SCIPY_METHODS = {"lbfgs": "L-BFGS-B", "cg": "CG"}


def minimize_scipy(
    fun_grad, theta0, *, method="lbfgs", max_iter=1000, tol=1e-6, estimator_name="The solver", callback=None
):
    """Minimise ``fun_grad(theta) -> (value, gradient)`` from ``theta0`` (a flat float64 vector).

    ``method`` is ``"lbfgs"`` (L-BFGS-B, with its projected-gradient tolerance set to ``tol``) or
    ``"cg"`` (Polak-Ribière conjugate gradient, stopping when the gradient norm is below ``tol``).
    Both tolerances bound the gradient, not the distance to the minimum: on a badly conditioned
    objective (unscaled, uncentred features) a small gradient can sit far from it, so callers
    precondition first (the linear models optimise in standardised coordinates).
    Warns with ``ConvergenceWarning`` when ``max_iter`` iterations run out. ``callback(i, value)``,
    when given, is called after each iteration ``i`` (from 1) with the objective's value.

    Parameters
    ----------
    fun_grad : callable
        ``fun_grad(theta) -> (value, gradient)``, the objective and its gradient.
    theta0 : ndarray of shape (n_params,)
        The starting point.
    method : {"lbfgs", "cg"}, default="lbfgs"
        The scipy method (``SCIPY_METHODS``).
    max_iter : int, default=1000
        The largest number of iterations.
    tol : float, default=1e-6
        The gradient tolerance.
    estimator_name : str, default="The solver"
        Named in the ``ConvergenceWarning``.
    callback : callable or None, default=None
        ``callback(i, value)`` after each iteration ``i`` with the objective's value there (a
        ``verbose`` printer, for instance).

    Returns
    -------
    theta : ndarray of shape (n_params,)
        The minimiser found.
    n_iter : int
        The iterations scipy ran.

    See Also
    --------
    minimize_first_order : The first-order (gradient descent, Adam, ...) loop.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl._optim import minimize_scipy
    >>> theta, n_iter = minimize_scipy(lambda t: (np.sum((t - 3) ** 2), 2 * (t - 3)), np.zeros(2))
    >>> np.round(theta, 6)
    array([3., 3.])
    """
    scipy_method = SCIPY_METHODS[method]
    if method == "lbfgs":
        options = {"maxiter": max_iter, "gtol": tol, "ftol": 64 * np.finfo(float).eps}
    else:
        options = {"maxiter": max_iter, "gtol": tol}
    iterations = []

    def each_iteration(intermediate_result):
        iterations.append(None)
        callback(len(iterations), float(intermediate_result.fun))

    result = scipy.optimize.minimize(
        fun_grad, theta0, method=scipy_method, jac=True, options=options,
        callback=each_iteration if callback is not None else None,
    )
    if not result.success and result.nit >= max_iter:
        warnings.warn(
            f"{estimator_name} ({scipy_method}) did not converge in max_iter={max_iter} "
            f"iterations: {result.message}. Increase max_iter or scale the data.",
            ConvergenceWarning,
        )
    return result.x, int(result.nit)
