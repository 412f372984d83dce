"""`softmax.SoftmaxRegression`: training, prediction, errors and scikit-learn compatibility."""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import re
import subprocess
import sys
import textwrap
import threading
import warnings

import numpy as np
import pytest
import scipy.optimize
import scipy.sparse
from sklearn.base import clone
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import (
    check_estimators_data_not_an_array,
    parametrize_with_checks,
)
from threadpoolctl import threadpool_info, threadpool_limits

import softmax
from softmax import SoftmaxRegression, _threads, cross_entropy_grad, log_softmax, notation, solvers
from softmax._estimator_input import _outside_the_package
from softmax.datasets import load_digits, random_data
from softmax.model import DEFAULT_MAX_ITER, DataConversionWarning, DivergenceError, NotFittedError

RNG = np.random.default_rng(2024)
X3 = RNG.normal(size=(60, 3))
Y3 = np.argmax(X3 @ RNG.normal(size=(3, 3)).T + RNG.gumbel(size=(60, 3)), axis=1)
FITTED_NAMES = ("classes_", "coef_", "intercept_", "n_features_in_", "n_iter_", "loss_curve_")


# -- scikit-learn's estimator checks ---------------------------------------------------------

# sklearn warns (UserWarning) that the estimator does not inherit sklearn.base.BaseEstimator.
# It cannot: softmax/ must not depend on scikit-learn at run time. The API is implemented by
# hand instead, which is exactly what the checks below verify, so this one warning is expected
# while the checks are generated; every warning raised while a check runs is still an error.
with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore",
        message=r".*does not inherit from `sklearn\.base\.BaseEstimator`",
        category=UserWarning,
    )
    SKLEARN_CHECKS = parametrize_with_checks([SoftmaxRegression()])


def _run_array_api_check_in_subprocess(check):
    # SciPy reads SCIPY_ARRAY_API once, at import, and sklearn raises SkipTest for this check
    # without it; SciPy is long imported here, so the check runs in a child process with it set.
    kwargs = {k: v for k, v in check.keywords.items()}
    code = textwrap.dedent(
        f"""
        from sklearn.utils.estimator_checks import {check.func.__name__} as check
        from softmax import SoftmaxRegression
        check("SoftmaxRegression", SoftmaxRegression(), **{kwargs!r})
        """
    )
    env = {**os.environ, "SCIPY_ARRAY_API": "1"}
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


@SKLEARN_CHECKS
def test_sklearn_estimator_check(estimator, check):
    name = getattr(check, "func", check).__name__
    if name == "check_array_api_input" and os.environ.get("SCIPY_ARRAY_API") != "1":
        _run_array_api_check_in_subprocess(check)
        return
    # check_classifier_data_not_an_array runs its NotAnArray half, then sklearn itself raises
    # SkipTest for the pandas half when pandas is not installed (pandas is not a dependency
    # of this project). The NotAnArray half is also asserted on its own in the next test.
    check(estimator)


def test_sklearn_accepts_input_that_is_not_an_array():
    X = np.array([[3, 0], [0, 1], [0, 2], [1, 1], [1, 2], [2, 1], [0, 3], [1, 0], [4, 4]])
    y = np.array([1, 1, 1, 2, 2, 2, 1, 1, 2])
    check_estimators_data_not_an_array("SoftmaxRegression", SoftmaxRegression(), X, y, "NotAnArray")


def test_works_inside_sklearn_pipelines_and_cross_validation():
    X, y = load_digits()
    pipeline = make_pipeline(StandardScaler(), SoftmaxRegression(alpha=1e-3))
    # sklearn's LogisticRegression(C=2.5), the same objective here, also scores 0.87.
    assert cross_val_score(pipeline, X[:600], y[:600], cv=3).mean() > 0.85


def test_clone_get_params_set_params_and_repr():
    model = SoftmaxRegression(solver="gd", alpha=0.5, callback=print)
    copy = clone(model)
    assert copy is not model and copy.get_params() == model.get_params()
    assert set(model.get_params()) == {
        "alpha",
        "callback",
        "fit_intercept",
        "max_iter",
        "solver",
        "step",
        "tol",
        "verbose",
    }
    assert model.set_params(step=0.5, tol=0.0) is model and (model.step, model.tol) == (0.5, 0.0)
    assert repr(SoftmaxRegression(solver="gd", tol=1e-4)) == "SoftmaxRegression(solver='gd')"
    assert repr(SoftmaxRegression(alpha=np.array([1.0]))) == "SoftmaxRegression(alpha=array([1.]))"
    with pytest.raises(ValueError, match="Invalid parameter 'C'"):
        model.set_params(C=1.0)


# -- training ---------------------------------------------------------------------------------


def test_gd_reproduces_the_tutorials_training_and_its_loss_decreases_monotonically():
    # The tutorial: RandomData(500, 20, 50), W = 0, step 0.1, 2000 rounds (its default) of
    # W <- W + step * D / O with D = (P - Q)^T X, transcribed with softmax.notation.
    X, P = random_data(500, 20, 50, seed=0)
    rounds, step, O = 2000, 0.1, X.shape[0]
    W, tutorial_losses = np.zeros((20, 51)), {}
    for count in range(1, rounds + 1):
        Q = notation.Q(notation.G(X, W), notation.S(notation.G(X, W)))
        W = W + step * notation.D(P, Q, X) / O
        if count % 100 == 0:  # its loss L (an O x O product, so only now and then)
            G = notation.G(X, W)
            tutorial_losses[count] = notation.L(P, notation.Q(G, notation.S(G)))

    # Same data the estimator's way: X without its bias column, fit_intercept prepends it.
    model = SoftmaxRegression(solver="gd", step=step, max_iter=rounds, tol=0.0)
    model.fit(X[:, 1:], P.argmax(axis=1))

    assert model.n_iter_ == rounds == len(model.loss_curve_)
    # Two float64 evaluations of the same 2000 steps: they agree to rounding (~1e-15).
    np.testing.assert_allclose(np.column_stack([model.intercept_, model.coef_]), W, atol=1e-12)
    for count, log_likelihood in tutorial_losses.items():  # loss_curve_ = -L after each step
        assert model.loss_curve_[count - 1] == pytest.approx(-log_likelihood, rel=1e-12)
    assert np.all(np.diff(model.loss_curve_) < 0), "the loss must fall at every step"
    assert model.loss_curve_[0] < np.log(20)  # below the loss of W = 0, uniform over 20


def test_lbfgs_reaches_the_same_optimum_as_gd():
    # Well conditioned: standard normal features, alpha = 0.5, no intercept. f is then
    # alpha-strongly convex (the cross-entropy Hessian is PSD, the penalty adds alpha I), so
    # for any W, ||W - W*||_F <= ||grad f(W)||_F / alpha. Hence the two solutions differ by at
    # most (||g_gd|| + ||g_lbfgs||) / alpha, computed below from their actual final gradients.
    alpha = 0.5
    X, y = RNG.normal(size=(200, 4)), np.arange(200) % 3
    lipschitz = 0.5 * np.linalg.eigvalsh(X.T @ X / len(X)).max() + alpha
    gd = SoftmaxRegression(solver="gd", step=1 / lipschitz, alpha=alpha, fit_intercept=False)
    gd.set_params(max_iter=5000, tol=1e-10).fit(X, y)
    lbfgs = SoftmaxRegression(solver="lbfgs", alpha=alpha, fit_intercept=False, tol=1e-10)
    lbfgs.set_params(max_iter=1000).fit(X, y)

    def grad_norm(model):
        return np.linalg.norm(cross_entropy_grad(model.coef_, X, y) + alpha * model.coef_)

    assert gd.n_iter_ < 5000 and lbfgs.n_iter_ < gd.n_iter_
    bound = (grad_norm(gd) + grad_norm(lbfgs)) / alpha
    assert bound < 1e-7
    assert np.linalg.norm(gd.coef_ - lbfgs.coef_) <= bound
    assert gd.loss_curve_[-1] == pytest.approx(lbfgs.loss_curve_[-1], rel=1e-12)


def test_lbfgs_on_digits_is_at_least_as_accurate_as_sklearn_logistic_regression():
    # sklearn's multinomial objective is C * sum_k loss_k + 1/2 ||W||^2 (intercept not
    # penalised). Dividing by C * O does not move its minimiser and gives
    #     mean_k loss_k + 1 / (2 C O) ||W||^2  =  our f with alpha / 2 = 1 / (2 C O),
    # i.e. alpha = 1 / (C * O), O the number of training samples.
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    reference = LogisticRegression(C=1.0).fit(X_train, y_train)
    model = SoftmaxRegression(alpha=1.0 / (1.0 * len(X_train))).fit(X_train, y_train)
    assert model.n_iter_ < 100  # converged, max|grad| < tol
    assert model.score(X_test, y_test) >= reference.score(X_test, y_test) > 0.95


def test_gd_stops_once_the_largest_gradient_entry_is_below_tol():
    model = SoftmaxRegression(solver="gd", step=0.5, tol=1e-3, max_iter=10_000).fit(X3, Y3)
    X1 = np.column_stack([np.ones(len(X3)), X3])
    W = np.column_stack([model.intercept_, model.coef_])
    assert model.n_iter_ < 10_000
    assert np.abs(cross_entropy_grad(W, X1, Y3)).max() < 1e-3


def test_gd_stops_only_strictly_below_tol_so_tol_zero_runs_every_step():
    # Zero features and balanced labels: W = 0 is the optimum, where the gradient is exactly
    # 0. That is not below tol = 0, so gd takes all max_iter steps (and stays at W = 0).
    model = SoftmaxRegression(solver="gd", tol=0.0, max_iter=5).fit(np.zeros((4, 1)), [0, 1, 0, 1])
    assert model.n_iter_ == 5 and model.loss_curve_ == model.loss_curve_[:1] * 5
    assert not model.coef_.any() and not model.intercept_.any()


def test_alpha_penalises_the_weights_but_not_the_intercept():
    # At the optimum of f, (Q - P)^T X / O + alpha [0 | coef] = 0: the bias column's
    # gradient is the plain cross-entropy one.
    alpha = 0.3
    model = SoftmaxRegression(alpha=alpha, tol=1e-9, max_iter=500).fit(X3 + 2.0, Y3)
    X1 = np.column_stack([np.ones(len(X3)), X3 + 2.0])
    W = np.column_stack([model.intercept_, model.coef_])
    grad = cross_entropy_grad(W, X1, Y3)
    grad[:, 1:] += alpha * model.coef_
    assert np.abs(grad).max() < 1e-8
    assert np.abs(model.intercept_).max() > 0.1  # free to move


def test_the_intercept_is_the_tutorials_x0_column():
    X1 = np.column_stack([np.ones(len(X3)), X3])
    with_intercept = SoftmaxRegression(solver="gd", max_iter=50).fit(X3, Y3)
    by_hand = SoftmaxRegression(solver="gd", max_iter=50, fit_intercept=False).fit(X1, Y3)
    assert np.array_equal(with_intercept.intercept_, by_hand.coef_[:, 0])
    assert np.array_equal(with_intercept.coef_, by_hand.coef_[:, 1:])
    assert not by_hand.intercept_.any()


@pytest.mark.parametrize("solver", ["gd", "lbfgs"])
def test_callback_is_called_with_iteration_and_loss_after_every_iteration(solver):
    calls = []
    model = SoftmaxRegression(
        solver=solver, max_iter=40, callback=lambda k, loss: calls.append((k, loss))
    )
    model.fit(X3, Y3)
    assert [k for k, _ in calls] == list(range(1, model.n_iter_ + 1))
    assert [loss for _, loss in calls] == model.loss_curve_
    assert all(type(k) is int and type(loss) is float for k, loss in calls)


def test_lbfgs_counts_its_iterations_like_scipy():
    model = SoftmaxRegression(tol=1e-8).fit(X3, Y3)
    assert 1 <= model.n_iter_ == len(model.loss_curve_) < 100


def _rosenbrock(evaluated):
    """objective(W) of SciPy's Rosenbrock function of W's entries, recording each W."""

    def objective(W):
        evaluated.append(W.copy())
        return scipy.optimize.rosen(W.ravel()), scipy.optimize.rosen_der(W.ravel()), True

    return objective


def test_lbfgs_evaluates_the_objective_as_often_as_scipy_itself():
    # The iteration report reuses the gradient of the point L-BFGS-B accepted, which is the
    # point it evaluated last, rather than computing it a second time.
    evaluated, p = [], {"max_iter": 200, "tol": 1e-6}
    W0 = np.full((2, 3), 0.5)
    W, n_iter = solvers._lbfgs(_rosenbrock(evaluated), lambda *args: None, W0, p)
    options = {"maxiter": 200, "gtol": 1e-6, "ftol": 64 * np.finfo(float).eps}
    fun = lambda w: (scipy.optimize.rosen(w), scipy.optimize.rosen_der(w))  # noqa: E731
    alone = scipy.optimize.minimize(fun, W0.ravel(), jac=True, method="L-BFGS-B", options=options)
    assert n_iter == alone.nit > 10 and len(evaluated) == alone.nfev
    np.testing.assert_array_equal(W.ravel(), alone.x)


def test_lbfgs_reports_the_gradient_at_the_point_scipy_reports(monkeypatch):
    # Should SciPy report a point other than its last evaluation, the report evaluates it:
    # the gradient printed with an iteration is always the one at that iteration's weights.
    # The stand-in for SciPy also records the options it is given.
    given, reported = {}, []

    def minimize(fun, x0, jac, method, callback, options):
        given.update(options)
        fun(x0 + 1.0), fun(x0 + 2.0)  # the reported point is not the last one evaluated
        callback(scipy.optimize.OptimizeResult(x=x0 + 1.0, fun=0.0))
        return scipy.optimize.OptimizeResult(x=x0 + 1.0, nit=1)

    monkeypatch.setattr(scipy.optimize, "minimize", minimize)
    done = lambda k, loss, grad: reported.append(grad.copy())  # noqa: E731
    W0, p = np.zeros((2, 3)), {"max_iter": 7, "tol": 1e-5}
    W, n_iter = solvers._lbfgs(_rosenbrock([]), done, W0, p)
    assert n_iter == 1 and np.array_equal(W, W0 + 1.0)
    np.testing.assert_array_equal(reported, [scipy.optimize.rosen_der(np.ones(6))])
    # ftol: L-BFGS-B stops on a relative decrease of the loss under 64 ulp.
    assert given == {"maxiter": 7, "gtol": 1e-5, "ftol": 64 * np.finfo(float).eps}


def test_verbose_reports_progress_to_stderr(capsys):
    model = SoftmaxRegression(solver="gd", max_iter=25, verbose=10).fit(X3, Y3)
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert [line.split()[1] for line in lines[:-1]] == ["1/25", "10/25", "20/25", "25/25"]
    assert all("loss" in line and "max|grad|" in line for line in lines[:-1])
    assert lines[-1] == f"gd: stopped after 25 iteration(s), loss {model.loss_curve_[-1]:.10g}"
    SoftmaxRegression(verbose=True, max_iter=3).fit(X3, Y3)
    assert len(capsys.readouterr().err.splitlines()) == 4  # every iteration, then the summary


def test_verbose_lines_reach_a_block_buffered_stderr_as_they_are_printed(monkeypatch):
    # A notebook's or a log handler's stream may hold text until flushed; each progress line
    # is flushed, so iteration k's callback finds the lines of iterations 1..k-1 written.
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(raw, encoding="utf-8"))
    written = []
    callback = lambda k, loss: written.append(raw.getvalue().count(b"\n"))  # noqa: E731
    SoftmaxRegression(verbose=True, max_iter=4, callback=callback).fit(X3, Y3)
    assert written == [0, 1, 2, 3]


def test_verbose_summary_of_a_fit_with_no_iteration_has_no_loss(capsys):
    # At W = 0 every row's probabilities are 1/2 and the two classes balance: the gradient is
    # zero, so L-BFGS-B stops before its first iteration and the curve stays empty.
    X, y = np.array([[1.0], [-1.0], [1.0], [-1.0]]), np.array([0, 0, 1, 1])
    model = SoftmaxRegression(verbose=True).fit(X, y)
    assert model.n_iter_ == 0 and model.loss_curve_ == []
    assert capsys.readouterr().err == "lbfgs: stopped after 0 iteration(s)\n"


def test_nothing_is_printed_when_verbose_is_off(capsys):
    SoftmaxRegression(solver="gd", max_iter=25).fit(X3, Y3)
    SoftmaxRegression().fit(X3, Y3)
    assert capsys.readouterr() == ("", "")


def test_gd_divergence_raises_naming_iteration_and_step_and_leaves_no_fitted_state():
    X = RNG.random((50, 3)) * 1e200  # logits X W^T overflow after one huge step
    y = np.arange(50) % 2
    model = SoftmaxRegression(solver="gd").fit(X3, Y3)  # fitted before: refit must clear it
    model.set_params(step=1e6)
    message = (
        "gradient descent diverged at iteration 1 with step=1000000.0: the loss or weights "
        "became non-finite. Use a smaller step (e.g. step=100000) or rescale the features."
    )
    with pytest.raises(DivergenceError, match=f"^{re.escape(message)}$") as info:
        model.fit(X, y)
    assert isinstance(info.value, ValueError)
    assert not any(hasattr(model, name) for name in FITTED_NAMES)
    with pytest.raises(NotFittedError):
        model.predict(X3)


def test_gd_step_that_overflows_raises_divergence_and_no_overflow_warning():
    # The feature is 1e10 in the rows of class 0 and 0 in the others: at W = 0 the gradient
    # of its weights is +-1e10 / 4, so step * grad overflows to inf in the first update itself.
    # That is the divergence the error reports, not a RuntimeWarning of NumPy's.
    y = np.arange(50) % 2
    X = np.where(y == 0, 1e10, 0.0)[:, np.newaxis]
    message = (
        "gradient descent diverged at iteration 1 with step=1e+300: the loss or weights "
        "became non-finite. Use a smaller step (e.g. step=1e+299) or rescale the features."
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DivergenceError, match=f"^{re.escape(message)}$"):
            SoftmaxRegression(solver="gd", step=1e300).fit(X, y)


def test_lbfgs_divergence_raises_and_leaves_no_fitted_state():
    X = RNG.random((50, 3)) * 1e307  # the gradient sum itself overflows
    model = SoftmaxRegression()
    message = (
        "L-BFGS-B diverged at iteration 1: a line-search step gave a non-finite loss or "
        "gradient. Increase alpha or rescale the features."
    )
    with pytest.raises(DivergenceError, match=f"^{re.escape(message)}$"):
        model.fit(X, np.arange(50) % 2)
    assert not any(hasattr(model, name) for name in FITTED_NAMES)


# -- labels and predictions -------------------------------------------------------------------


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["b", "a", "c"]),
        np.array([2.0, -1.0, 7.0]),
        np.array([10, -3, 4]),
        np.array([True, False, True]),
        np.array(["x", "yy", "x"], dtype=object),
    ],
)
def test_any_sortable_labels_come_back_from_predict(labels):
    y = labels[Y3]
    model = SoftmaxRegression().fit(X3, y)
    expected = np.unique(y.astype(str) if y.dtype == object else y)
    assert np.array_equal(model.classes_, expected)
    assert set(model.predict(X3).tolist()) <= set(expected.tolist())
    assert model.score(X3, y) > 0.6


def fit_in_this_module(X, y):
    return SoftmaxRegression().fit(X, y)


def fit_in_a_namespace_without_a_module_name(X, y):
    """`fit(X, y)` in code run by `exec` in a bare namespace: its frame has no `__name__`."""
    namespace = {"SoftmaxRegression": SoftmaxRegression, "X": X, "y": y}
    exec(compile("model = SoftmaxRegression().fit(X, y)", "<fit call>", "exec"), namespace)
    return namespace["model"]


@pytest.mark.parametrize(
    ("fit", "caller"),
    [(fit_in_this_module, __file__), (fit_in_a_namespace_without_a_module_name, "<fit call>")],
    ids=["module", "exec-without-name"],
)
def test_column_vector_y_is_flattened_with_a_data_conversion_warning(fit, caller):
    with pytest.warns(DataConversionWarning, match="column-vector y") as caught:
        model = fit(X3, Y3[:, None])
    assert caught[0].filename == caller  # the warning names the caller's line, not ours
    assert np.array_equal(model.coef_, SoftmaxRegression().fit(X3, Y3).coef_)


@pytest.mark.parametrize(
    "outside",
    [{"__name__": __name__}, {}, {"__name__": "softmax_extras.module"}],
    ids=["a module", "no __name__", "a name that only starts like the package's"],
)
def test_the_stack_level_counts_the_package_frames_down_to_the_first_outside_it(outside):
    # The test above, frame by frame: two frames of code in a module named softmax.* (made
    # here by exec) below a frame outside the package. The walk starts at the frame it is
    # given, so the level does not depend on how _outside_the_package itself is called.
    inside = {"__name__": "softmax.stand_in", "sys": sys, "level": _outside_the_package}
    exec("def warn_here():\n    return level(sys._getframe())", inside)
    exec("def fit():\n    return warn_here()", inside)
    outside["fit"] = inside["fit"]
    exec("def user():\n    return fit()", outside)
    assert outside["user"]() == 3  # warn_here, fit, then user's line


def test_the_data_conversion_warning_never_names_a_line_of_the_package():
    with pytest.warns(DataConversionWarning) as caught:
        SoftmaxRegression().fit(X3, Y3[:, None])
    package = os.path.dirname(os.path.abspath(softmax.__file__))
    assert not os.path.abspath(caught[0].filename).startswith(package + os.sep)


def test_binary_problems_keep_two_weight_rows_and_decide_by_the_logit_gap():
    y = Y3 % 2
    model = SoftmaxRegression().fit(X3, y)
    assert model.coef_.shape == (2, 3) and model.intercept_.shape == (2,)
    z = X3 @ model.coef_.T + model.intercept_
    assert np.array_equal(model.decision_function(X3), z[:, 1] - z[:, 0])
    assert np.array_equal(model.predict(X3), (z[:, 1] > z[:, 0]).astype(int))


def test_multiclass_outputs_are_logits_softmax_and_log_softmax():
    model = SoftmaxRegression().fit(X3, Y3)
    z = model.decision_function(X3)
    assert z.shape == (60, 3)
    np.testing.assert_allclose(z, X3 @ model.coef_.T + model.intercept_, rtol=0, atol=0)
    np.testing.assert_allclose(model.predict_proba(X3).sum(axis=1), 1.0, rtol=1e-15)
    assert np.array_equal(model.predict(X3), model.classes_[z.argmax(axis=1)])


def test_predict_log_proba_stays_finite_where_predict_proba_underflows():
    model = SoftmaxRegression().fit(X3, Y3)
    far = np.array([[1e4, -1e4, 1e4]])
    log_q = model.predict_log_proba(far)
    assert np.isfinite(log_q).all()
    assert (model.predict_proba(far) == 0).any()  # so log(predict_proba) would be -inf
    assert np.array_equal(log_q, log_softmax(model.decision_function(far), axis=1))


def test_float32_input_gives_the_same_model_as_float64():
    a = SoftmaxRegression().fit(X3.astype(np.float32), Y3)
    b = SoftmaxRegression().fit(X3.astype(np.float32).astype(np.float64), Y3)
    assert np.array_equal(a.coef_, b.coef_) and a.coef_.dtype == np.float64


# -- errors -----------------------------------------------------------------------------------


def test_score_is_the_accuracy_of_predict_so_a_subclass_overriding_predict_is_scored():
    # As scikit-learn's ClassifierMixin.score does.
    class AlwaysZero(SoftmaxRegression):
        def predict(self, X):
            return np.zeros(len(X), dtype=Y3.dtype)

    assert AlwaysZero().fit(X3, Y3).score(X3, Y3) == np.mean(Y3 == 0) < 1


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "decision_function", "score"]
)
def test_unfitted_model_raises_not_fitted_error_sklearn_recognises(method):
    args = (X3, Y3) if method == "score" else (X3,)
    message = (
        "This SoftmaxRegression instance is not fitted yet: call fit(X, y) or "
        f"SoftmaxRegression.load(path) before {method}()"
    )
    with pytest.raises(NotFittedError, match=f"^{re.escape(message)}$") as info:
        getattr(SoftmaxRegression(), method)(*args)
    assert isinstance(info.value, (SklearnNotFittedError, ValueError, AttributeError))
    assert isinstance(info.value, SklearnNotFittedError)
    assert type(pickle.loads(pickle.dumps(info.value))) is NotFittedError


@pytest.mark.parametrize(
    ("params", "error", "fragment"),
    [
        ({"solver": "sgd"}, ValueError, r"^solver must be one of"),
        ({"solver": 3}, TypeError, r"^solver must be one of"),
        ({"step": 0.0}, ValueError, r"^step must be a positive"),
        ({"step": -0.1}, ValueError, r"^step must be a positive"),
        ({"step": float("inf")}, ValueError, r"^step must be a positive"),
        ({"step": float("nan")}, ValueError, r"^step must be a positive"),
        ({"step": "0.1"}, TypeError, r"^step must be a positive"),
        ({"max_iter": 0}, ValueError, r"^max_iter must be a positive integer"),
        ({"max_iter": 10.5}, TypeError, r"^max_iter must be a positive integer"),
        ({"max_iter": True}, TypeError, r"^max_iter must be a positive integer"),
        ({"tol": -1e-4}, ValueError, r"^tol must be a finite number >= 0"),
        ({"alpha": -1.0}, ValueError, r"^alpha must be a finite number >= 0"),
        ({"alpha": float("inf")}, ValueError, r"^alpha must be a finite number >= 0"),
        ({"alpha": None}, TypeError, r"^alpha must be a finite number >= 0"),
        ({"fit_intercept": 1}, TypeError, r"^fit_intercept must be a bool"),
        ({"callback": "print"}, TypeError, r"^callback must be callable"),
        ({"verbose": "yes"}, TypeError, r"^verbose must be a bool or an int"),
        ({"verbose": -1}, ValueError, r"^verbose must be a finite number >= 0"),
    ],
)
def test_bad_parameters_are_refused_at_fit_naming_the_parameter(params, error, fragment):
    model = SoftmaxRegression(**params)  # sklearn: __init__ stores, fit validates
    with pytest.raises(error, match=fragment):
        model.fit(X3, Y3)


@pytest.mark.parametrize(
    ("X", "y", "error", "fragment"),
    [
        (
            X3[:, 0],
            Y3,
            ValueError,
            r"^X must be 2-dimensional .* Reshape your data: X\.reshape\(-1, 1\) for one feature, "
            r"X\.reshape\(1, -1\) for one sample$",
        ),
        (X3[None], Y3, ValueError, r"^X must be 2-dimensional"),
        (np.where(X3 == X3[4, 1], np.nan, X3), Y3, ValueError, r"^X must be finite.*\(4, 1\)"),
        (
            np.where(X3 == X3[0, 0], np.inf, X3),
            Y3,
            ValueError,
            r"^X must be finite, found inf at index \(0, 0\): X may not contain NaN or inf$",
        ),
        (np.empty((0, 3)), np.empty(0), ValueError, r"^X has 0 sample\(s\)"),
        (np.empty((60, 0)), Y3, ValueError, r"^X has 0 feature\(s\)"),
        (np.full((60, 3), "a"), Y3, TypeError, r"^X must hold real numbers"),
        (X3.astype(complex), Y3, ValueError, r"^Complex data not supported: X"),
        (
            scipy.sparse.csr_array(X3),
            Y3,
            TypeError,
            r"^X is a sparse matrix, which is not supported: pass X\.toarray\(\)$",
        ),
        (None, Y3, TypeError, r"^X must be an array"),
        ([[1.0, 2.0], [3.0]], [0, 1], TypeError, r"^X must be a rectangular array"),
        ([[1.0], [2.0]], [[0, 1], [1]], TypeError, r"^y must be a rectangular array"),
        (
            X3,
            scipy.sparse.csr_array(Y3[:, None]),
            TypeError,
            r"^y is a sparse matrix, which is not supported: pass a 1-d array$",
        ),
        (X3, Y3[:-1], ValueError, r"^y must be 1-d with one label per row of X \(60\)"),
        (X3, np.stack([Y3, Y3], axis=1), ValueError, r"^y must be 1-d"),
        (
            X3,
            None,
            ValueError,
            r"^SoftmaxRegression requires y to be passed, but the target y is None$",
        ),
        (X3, np.zeros(60), ValueError, r"^y has only one class \[0\.0\]"),
        (X3, Y3 + 0.5, ValueError, r"^Unknown label type: y holds continuous values"),
        (X3, np.where(Y3 == 0, np.nan, Y3), ValueError, r"^y must be finite"),
        (
            X3,
            np.array([None, 1] * 30, dtype=object),
            ValueError,
            r"^Unknown label type: y of dtype",
        ),
    ],
)
def test_bad_data_is_refused_at_fit_naming_the_argument(X, y, error, fragment):
    with pytest.raises(error, match=fragment):
        SoftmaxRegression().fit(X, y)


def test_a_failed_refit_leaves_no_stale_fitted_state():
    model = SoftmaxRegression().fit(X3, Y3)
    with pytest.raises(ValueError, match="only one class"):
        model.fit(X3, np.ones(60))
    assert not any(hasattr(model, name) for name in FITTED_NAMES)


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "decision_function"]
)
def test_predicting_with_another_number_of_features_is_refused(method):
    model = SoftmaxRegression().fit(X3, Y3)
    with pytest.raises(ValueError, match="X has 2 features, but SoftmaxRegression is expecting 3"):
        getattr(model, method)(X3[:, :2])
    with pytest.raises(ValueError, match="Reshape your data"):
        getattr(model, method)(X3[0])
    with pytest.raises(ValueError, match="X may not contain NaN"):
        getattr(model, method)(np.full((1, 3), np.nan))


def test_score_refuses_labels_of_another_length():
    model = SoftmaxRegression().fit(X3, Y3)
    with pytest.raises(ValueError, match=r"y must have shape \(60,\)"):
        model.score(X3, Y3[:10])


def test_the_package_never_imports_sklearn_at_run_time():
    # Without scikit-learn loaded, the plain softmax classes are raised and warned.
    code = textwrap.dedent(
        """
        import os, sys, tempfile, warnings
        import numpy as np
        from softmax import SoftmaxRegression
        from softmax.model import DataConversionWarning, NotFittedError
        X, y = np.arange(20.0).reshape(10, 2), np.arange(10) % 2
        for solver in ("gd", "lbfgs"):
            model = SoftmaxRegression(solver=solver, max_iter=5).fit(X, y)
            model.predict(X), model.predict_proba(X), model.predict_log_proba(X), model.score(X, y)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            SoftmaxRegression().fit(X, y[:, None])
        assert [type(w.message) for w in caught] == [DataConversionWarning], caught
        try:
            SoftmaxRegression().predict(X)
        except NotFittedError as exc:
            assert type(exc) is NotFittedError
        with tempfile.TemporaryDirectory() as tmp:
            model.save(os.path.join(tmp, "m.npz"))
            SoftmaxRegression.load(os.path.join(tmp, "m.npz"))
        loaded = sorted(m for m in sys.modules if m == "sklearn" or m.startswith("sklearn."))
        assert not loaded, loaded
        """
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


# -- BLAS threads -----------------------------------------------------------------------------


def _blas_threads():
    """{filepath: threads} of every BLAS pool in the process."""
    return {
        pool["filepath"]: pool["num_threads"]
        for pool in threadpool_info()
        if pool["user_api"] == "blas"
    }


def _recording_model(seen, **params):
    return SoftmaxRegression(callback=lambda k, loss: seen.append(_blas_threads()), **params)


def test_one_blas_thread_is_used_by_the_digits_fit_and_gives_the_same_model(monkeypatch):
    # The limit is applied, and the fit under it is reproducible bit for bit. Its bits need
    # not equal a two-thread fit's: OpenBLAS 0.3.31 (NumPy 2.4) computes these small
    # products with a different kernel, so a different summation order, on one thread than
    # on two. So the unlimited fit is compared by what a user sees of it: it converges as
    # well, in as many iterations, and predicts the same digit for every training image.
    X, y = load_digits()
    X, _, y, _ = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    X = StandardScaler().fit_transform(X)
    seen = []
    limited = _recording_model(seen, alpha=1 / len(X)).fit(X, y)
    assert seen and all(set(threads.values()) == {1} for threads in seen)
    again = SoftmaxRegression(alpha=1 / len(X)).fit(X, y)
    assert np.array_equal(limited.coef_, again.coef_)
    assert np.array_equal(limited.intercept_, again.intercept_)
    monkeypatch.setattr(_threads, "blas_threads", lambda *args, **kw: contextlib.nullcontext())
    with threadpool_limits(limits=2, user_api="blas"):  # two even where the default is one
        free = SoftmaxRegression(alpha=1 / len(X)).fit(X, y)
    cap = DEFAULT_MAX_ITER["lbfgs"]  # max_iter=None: the solver's default
    assert 10 < free.n_iter_ < cap and 10 < limited.n_iter_ < cap
    assert np.array_equal(limited.predict(X), free.predict(X))


@pytest.mark.parametrize("size", ["small", "large"])
@pytest.mark.parametrize("solver", ["lbfgs", "gd"])
def test_a_fit_limits_blas_threads_by_size_and_restores_them(monkeypatch, size, solver):
    if size == "large":  # every product counts as large: only L-BFGS-B's SciPy BLAS is limited
        monkeypatch.setattr(_threads, "SMALL_PRODUCT", 0)
    before, seen = _blas_threads(), []
    model = _recording_model(seen, solver=solver, max_iter=5).fit(X3, Y3)
    limited = {
        path: size == "small" or (solver == "lbfgs" and _threads._inside_scipy(path))
        for path in before
    }
    expected = {path: 1 if limited[path] else threads for path, threads in before.items()}
    assert len(seen) == 5 and all(threads == expected for threads in seen)
    assert _blas_threads() == before
    model.predict_proba(X3)
    assert _blas_threads() == before


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_blas_threads_are_chosen_by_the_multiply_adds_of_one_product(monkeypatch, fit_intercept):
    # O (N + s) M for fit's X1 W^T (s = 1 with the column of ones), and O (N + 1) M for
    # predict's X coef_^T + intercept_; O, N and M all differ, so no factor can stand in.
    sizes, limit = [], _threads.blas_threads

    def recorded(multiply_adds, **kwargs):
        sizes.append(multiply_adds)
        return limit(multiply_adds, **kwargs)

    monkeypatch.setattr(_threads, "blas_threads", recorded)
    X, y = RNG.random((37, 5)), np.arange(37) % 3
    model = SoftmaxRegression(fit_intercept=fit_intercept, max_iter=3).fit(X, y)
    model.predict_proba(X[:11])
    assert sizes == [37 * (5 + fit_intercept) * 3, 11 * (5 + 1) * 3]


@pytest.mark.parametrize("small_product", [_threads.SMALL_PRODUCT, 0])
def test_a_fit_keeps_the_callers_lower_blas_limit(monkeypatch, small_product):
    monkeypatch.setattr(_threads, "SMALL_PRODUCT", small_product)
    before, seen = _blas_threads(), []
    with threadpool_limits(limits=1, user_api="blas"):
        _recording_model(seen, max_iter=5).fit(X3, Y3)
        assert seen and all(set(threads.values()) == {1} for threads in seen)
        assert set(_blas_threads().values()) == {1}  # not raised back by the fit's exit
    assert _blas_threads() == before


def test_nested_and_concurrent_fits_leave_the_blas_pools_as_they_were():
    before, inner = _blas_threads(), []

    def fit_inside(k, loss):  # a fit in a callback must not lift the outer fit's limit
        SoftmaxRegression(max_iter=2).fit(X3, Y3)
        inner.append(_blas_threads())

    SoftmaxRegression(max_iter=3, callback=fit_inside).fit(X3, Y3)
    assert len(inner) == 3 and all(set(threads.values()) == {1} for threads in inner)
    assert _blas_threads() == before

    errors = []

    def fits():
        try:
            for _ in range(10):
                SoftmaxRegression(max_iter=5).fit(X3, Y3).predict(X3)
        except Exception as exc:  # a worker's failure is reported by the test's thread
            errors.append(exc)

    workers = [threading.Thread(target=fits) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, errors
    assert _blas_threads() == before


def test_importing_softmax_leaves_threadpoolctl_to_the_first_fit():
    # threadpoolctl's import and its scan of the loaded libraries cost ~6 ms, paid only once
    # something is fitted or predicted.
    code = textwrap.dedent(
        """
        import sys
        import softmax
        assert "threadpoolctl" not in sys.modules
        softmax.SoftmaxRegression().fit([[0.0], [1.0]], [0, 1])
        assert "threadpoolctl" in sys.modules
        """
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_load_digits_without_scikit_learn_names_the_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # import now fails
    message = (
        "softmax.datasets.load_digits needs scikit-learn: pip install 'softmax-verified[test]'"
    )
    with pytest.raises(ImportError, match=f"^{re.escape(message)}$"):
        load_digits()


def test_random_data_is_reproducible_by_seed_and_spans_the_feature_range():
    X1, P1 = random_data(50, 3, 2, feature_range=10.0, seed=7)
    X2, P2 = random_data(50, 3, 2, feature_range=10.0, seed=7)
    assert np.array_equal(X1, X2) and np.array_equal(P1, P2)
    assert 5.0 < X1.max() < 10.0 and X1.min() >= 0.0


def test_score_names_y_when_it_is_not_rectangular():
    model = SoftmaxRegression().fit(X3, Y3)
    with pytest.raises(TypeError, match=r"^y must be a rectangular array"):
        model.score(X3[:2], [[0, 1], [2]])
