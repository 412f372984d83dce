"""Argument checks (softmax._validate, softmax._params, softmax._estimator_input) and the BLAS
thread choice (softmax._threads), at their boundaries: the cases that `make mutants` found no
test for (mutants/report.md)."""

from __future__ import annotations

import os
import sys
import types
import warnings

import numpy as np
import pytest
import scipy
import threadpoolctl
from sklearn.base import is_classifier
from sklearn.utils import get_tags

from softmax import (
    SoftmaxRegression,
    _estimator_input,
    _threads,
    cross_entropy,
    log_softmax,
    logsumexp,
    softmax,
)
from softmax._estimator_input import DataConversionWarning, NotFittedError, _flavour
from softmax._validate import check_workers

CPUS = os.cpu_count() or 1


@pytest.mark.parametrize(
    "workers, count",
    [(None, 1), (1, 1), (2, 2), (-1, CPUS), (-CPUS, 1)],
)
def test_workers_resolves_to_scipy_ffts_count(workers, count):
    # None is one thread; a negative count counts back from the CPUs, -1 being all of them.
    assert check_workers("workers", workers) == count


def test_workers_minus_one_is_one_thread_where_the_cpu_count_is_unknown(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert check_workers("workers", -1) == 1


@pytest.mark.parametrize("workers", [0, -CPUS - 1])
def test_workers_zero_or_beyond_the_cpus_is_refused_naming_the_range(workers):
    with pytest.raises(ValueError, match=rf"workers must be a positive count or -1 \.\. -{CPUS}"):
        check_workers("workers", workers)


def test_workers_of_the_wrong_type_names_its_type():
    with pytest.raises(TypeError, match="workers must be an integer or None, got str"):
        check_workers("workers", "2")


def test_an_unknown_parameter_is_refused_with_the_known_names():
    with pytest.raises(ValueError, match=r"Invalid parameter 'bogus': use one of .*'alpha'"):
        SoftmaxRegression().set_params(bogus=1)


def test_the_repr_lists_each_parameter_that_differs_from_its_default_by_name():
    assert repr(SoftmaxRegression(solver="gd", alpha=2.0)) == (
        "SoftmaxRegression(alpha=2.0, solver='gd')"
    )


def test_probability_labels_that_do_not_sum_to_one_name_the_row_and_its_sum():
    labels = [[0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [0.2, 0.2, 0.2]]
    with pytest.raises(ValueError, match=r"row 2 sums to 0\.6000000000000001$"):
        cross_entropy(np.zeros((3, 3)), labels)


@pytest.mark.parametrize("off", [2.0**-27, 2.0**-26])
def test_probability_labels_are_accepted_up_to_the_stated_tolerance(off):
    # sqrt(eps) = 2^-26 is the tolerance the error states; these sums are exact.
    labels = np.array([[0.5, 0.5 + off], [1.0, 0.0]])
    assert np.isfinite(cross_entropy(np.zeros((2, 2)), labels))


def test_probability_labels_just_beyond_the_tolerance_are_refused():
    labels = np.array([[0.5, 0.5 + 2.0**-26 + 2.0**-52], [1.0, 0.0]])
    with pytest.raises(ValueError, match=r"within 1\.5e-08\), row 0 sums to 1\.0000000149"):
        cross_entropy(np.zeros((2, 2)), labels)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: softmax("abc"), "z must be an array of real numbers, got str"),
        (lambda: cross_entropy([[1.0, 2.0]], "a"), "labels must be an array, got str"),
    ],
)
def test_an_argument_of_the_wrong_type_is_named_with_its_type(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_softmax_regression_is_a_classifier_that_needs_y_to_scikit_learn():
    assert is_classifier(SoftmaxRegression())
    assert get_tags(SoftmaxRegression()).target_tags.required


def test_without_scikit_learn_loaded_the_errors_are_the_packages_own(monkeypatch):
    monkeypatch.delitem(sys.modules, "sklearn.exceptions")
    assert _flavour(NotFittedError) is NotFittedError
    assert _flavour(DataConversionWarning) is DataConversionWarning


@pytest.mark.parametrize("cls", [NotFittedError, DataConversionWarning])
def test_with_scikit_learn_loaded_an_error_is_both_classes_made_once(monkeypatch, cls):
    import sklearn.exceptions

    monkeypatch.setattr(_estimator_input, "_FLAVOURS", {})
    both = _flavour(cls)
    assert issubclass(both, cls) and issubclass(both, getattr(sklearn.exceptions, cls.__name__))
    assert both.__name__ == cls.__name__ and _flavour(cls) is both


def test_a_reloaded_scikit_learn_gets_a_flavour_of_its_own_class(monkeypatch):
    # The flavour made for one sklearn.exceptions is not reused for another (a reload).
    monkeypatch.setattr(_estimator_input, "_FLAVOURS", {})
    first = _flavour(NotFittedError)
    other = types.ModuleType("sklearn.exceptions")
    other.NotFittedError = type("NotFittedError", (ValueError,), {})
    monkeypatch.setitem(sys.modules, "sklearn.exceptions", other)
    second = _flavour(NotFittedError)
    assert second is not first and issubclass(second, other.NotFittedError)


# -- softmax._threads ---------------------------------------------------------------------------


def test_the_threadpool_controller_is_made_once_without_its_runtime_warnings(monkeypatch):
    # threadpoolctl warns when it finds OpenMP runtimes side by side; with warnings as errors
    # (this suite's setting) a fit must not fail on that.
    made = []

    class Controller:
        def __init__(self):
            made.append(self)
            warnings.warn("two OpenMP runtimes", RuntimeWarning, stacklevel=1)

    monkeypatch.setattr(threadpoolctl, "ThreadpoolController", Controller)
    monkeypatch.setattr(_threads, "_controller", None)
    assert _threads._get_controller() is _threads._get_controller() is made[0]
    assert len(made) == 1


def test_only_threadpoolctls_runtime_warnings_are_silenced(monkeypatch):
    # The filter is for the OpenMP notice alone: any other warning made on the way is news.
    class Controller:
        def __init__(self):
            warnings.warn("a deprecated option", DeprecationWarning, stacklevel=1)

    monkeypatch.setattr(threadpoolctl, "ThreadpoolController", Controller)
    monkeypatch.setattr(_threads, "_controller", None)
    with pytest.warns(DeprecationWarning, match="^a deprecated option$"):
        _threads._get_controller()


def test_a_library_in_scipys_bundle_folder_counts_as_scipys():
    package = os.path.dirname(scipy.__file__)
    assert _threads._inside_scipy(os.path.join(package + ".libs", "libscipy_openblas.so"))
    assert _threads._inside_scipy(os.path.join(package, ".dylibs", "libopenblas.dylib"))
    assert not _threads._inside_scipy(os.path.join(package + "-1.0.dist-info", "x.so"))


def test_products_below_small_product_put_every_blas_on_one_thread():
    every = _threads._get_controller().select(user_api="blas").lib_controllers
    below = _threads._pools(_threads.SMALL_PRODUCT - 1, lbfgs=False).lib_controllers
    at = _threads._pools(_threads.SMALL_PRODUCT, lbfgs=False).lib_controllers
    assert every and len(below) == len(every) and at == []


# -- softmax._axes and softmax._estimator_input ---------------------------------------------------


@pytest.mark.parametrize("f", [softmax, log_softmax, logsumexp])
def test_a_0d_array_is_one_slice_named_by_axis_0_or_minus_1(f):
    z = np.float64(2.0)
    assert f(z, axis=0) == f(z, axis=-1) == f(z)
    with pytest.raises(
        ValueError, match=r"^axis=1 names no axis of a 0-d array: use 0, -1 or None$"
    ):
        f(z, axis=1)


def test_an_axis_of_the_wrong_type_names_its_type():
    with pytest.raises(TypeError, match=r"^axis must be an int, a tuple of ints or None, got str$"):
        softmax(np.zeros(3), axis="0")


def test_a_float64_X_is_used_as_it_is_not_copied():
    X = np.arange(6.0).reshape(3, 2)
    assert _estimator_input._check_X(X) is X


def test_a_parameter_of_the_wrong_type_names_its_type():
    with pytest.raises(TypeError, match=r"^tol must be a finite number >= 0, got str$"):
        SoftmaxRegression(tol="0").fit([[0.0], [1.0]], [0, 1])
