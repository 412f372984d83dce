"""Argument checks of softmax._validate and softmax._params, at their boundaries: the cases
that `make mutants` found no test for (mutants/report.md)."""

from __future__ import annotations

import os

import numpy as np
import pytest
from sklearn.base import is_classifier
from sklearn.utils import get_tags

from softmax import SoftmaxRegression, cross_entropy, softmax
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


def test_probability_labels_are_accepted_within_the_stated_tolerance():
    # sqrt(eps) = 2^-26 is the tolerance the error states: half of it is accepted.
    labels = np.array([[0.5, 0.5 + 2.0**-27], [1.0, 0.0]])
    assert np.isfinite(cross_entropy(np.zeros((2, 2)), labels))


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
