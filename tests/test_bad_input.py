"""Bad input is refused with `TypeError` (wrong kind of object) or `ValueError` (right kind,
wrong value or shape), and the message names the offending argument.

Each case is ``(id, call, exception type, regex)``; the regex must match the message from
its start, where the message names the argument. The meta-test at the end checks that no
case lets any other exception type escape (not even a subclass such as NumPy's `AxisError`)
and that none returns.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import softmax as sm
from softmax import datasets, notation

Z = np.zeros((2, 3))  # logits: O = 2 samples, M = 3 classes
W = np.zeros((3, 4))  # M = 3 classes, N = 4 features
X = np.ones((2, 4))  # O = 2 samples
Y = np.array([0, 2])
P = np.eye(3)[Y]
ELEMENTWISE = [("softmax", sm.softmax), ("log_softmax", sm.log_softmax)]
ALL3 = [*ELEMENTWISE, ("logsumexp", sm.logsumexp)]
LOSSES = [("cross_entropy", sm.cross_entropy), ("log_likelihood", sm.log_likelihood)]
GRADS = [
    ("cross_entropy_grad", sm.cross_entropy_grad),
    ("log_likelihood_grad", sm.log_likelihood_grad),
    ("cross_entropy_loss_and_grad", sm.cross_entropy_loss_and_grad),
]


class Ragged:
    """An object NumPy cannot turn into a number."""


def case(id_, call, exc, match):
    # Anchored: a fragment found anywhere would also pass a message with text before the name.
    return pytest.param(call, exc, match if match.startswith("^") else "^" + match, id=id_)


CASES = []

# -- softmax, log_softmax, logsumexp --------------------------------------------------------
for name, f in ALL3:
    CASES += [
        case(
            f"{name}-axis_out_of_range",
            lambda f=f: f(Z, axis=2),
            ValueError,
            r"axis=2 is out of range",
        ),
        case(
            f"{name}-negative_axis_out_of_range",
            lambda f=f: f(Z, axis=-3),
            ValueError,
            r"axis=-3 is out of range",
        ),
        case(f"{name}-axis_float", lambda f=f: f(Z, axis=1.0), TypeError, r"axis must be an int"),
        case(
            f"{name}-axis_float_of_a_0d_array",  # a 0-d array checks its axis on a path of its own
            lambda f=f: f(np.float64(1.0), axis=0.0),
            TypeError,
            r"axis must be an int, a tuple of ints or None, got float$",
        ),
        case(
            f"{name}-repeated_axis",
            lambda f=f: f(Z, axis=(1, -1)),
            ValueError,
            r"axis=\(1, -1\) repeats an axis",
        ),
        case(
            f"{name}-tuple_axis_out_of_range",
            lambda f=f: f(Z, axis=(0, 2)),
            ValueError,
            r"axis=2 is out of range",
        ),
        case(
            f"{name}-tuple_axis_of_floats",
            lambda f=f: f(Z, axis=(0.0,)),
            TypeError,
            r"axis must be an int, a tuple of ints or None",
        ),
        case(f"{name}-workers_zero", lambda f=f: f(Z, workers=0), ValueError, r"workers must be a"),
        case(
            f"{name}-workers_below_minus_cpus",
            lambda f=f: f(Z, workers=-(os.cpu_count() or 1) - 1),
            ValueError,
            r"workers must be a positive count",
        ),
        case(f"{name}-workers_float", lambda f=f: f(Z, workers=2.0), TypeError, r"workers must be"),
        case(f"{name}-workers_bool", lambda f=f: f(Z, workers=True), TypeError, r"workers must be"),
        case(f"{name}-axis_str", lambda f=f: f(Z, axis="0"), TypeError, r"axis must be an int"),
        case(f"{name}-axis_bool", lambda f=f: f(Z, axis=True), TypeError, r"axis must be an int"),
        case(f"{name}-string_input", lambda f=f: f("1 2 3"), TypeError, r"^z must be an array"),
        case(f"{name}-bytes_input", lambda f=f: f(b"123"), TypeError, r"^z must be an array"),
        case(f"{name}-none_input", lambda f=f: f(None), TypeError, r"^z must be an array"),
        case(
            f"{name}-object_array",
            lambda f=f: f(np.array([Ragged(), 1.0])),
            TypeError,
            r"z must hold real numbers.*object",
        ),
        case(f"{name}-list_of_strings", lambda f=f: f(["1", "2"]), TypeError, r"z must hold real"),
        case(
            f"{name}-ragged_list",
            lambda f=f: f([[1.0, 2.0], [3.0]]),
            TypeError,
            r"z must be a rectangular array",
        ),
        case(
            f"{name}-datetime_dtype",
            lambda f=f: f(np.array(["2024-01-01"], dtype="datetime64[D]")),
            TypeError,
            r"z must hold real",
        ),
        case(f"{name}-dict_input", lambda f=f: f({"a": 1.0}), TypeError, r"z must hold real"),
    ]
for name, f in ELEMENTWISE:
    CASES += [
        case(
            f"{name}-out_wrong_shape",
            lambda f=f: f(Z, out=np.zeros((3, 2))),
            ValueError,
            r"out must have shape \(2, 3\)",
        ),
        case(
            f"{name}-out_wrong_dtype",
            lambda f=f: f(Z, out=np.zeros((2, 3), dtype=np.float32)),
            ValueError,
            r"out must have shape .* and dtype float64",
        ),
        case(
            f"{name}-out_int_dtype",
            lambda f=f: f(Z, out=np.zeros((2, 3), dtype=np.int64)),
            ValueError,
            r"out must have .*dtype float64",
        ),
        case(
            f"{name}-out_not_an_array",
            lambda f=f: f(Z, out=[[0.0] * 3] * 2),
            TypeError,
            r"out must be a numpy\.ndarray, got list$",
        ),
    ]
for name, f in ELEMENTWISE:  # complex numbers have no order, so no softmax
    CASES.append(
        case(
            f"{name}-complex_dtype",
            lambda f=f: f([1 + 2j, 0]),
            TypeError,
            r"^z must hold real numbers \(float32, float64, integer or bool\), "
            r"got dtype complex128$",
        )
    )
CASES += [
    case(  # logsumexp takes complex numbers too, and its message says so
        "logsumexp-strings_named_with_the_complex_kinds",
        lambda: sm.logsumexp(["1", "2"]),
        TypeError,
        r"^z must hold real numbers \(float32, float64, integer or bool\) or complex numbers, "
        r"got dtype <U1$",
    ),
    case(
        "logsumexp-b_does_not_broadcast",
        lambda: sm.logsumexp(Z, b=np.ones(5)),
        ValueError,
        r"b must broadcast against z: shapes \(5,\) and \(2, 3\)",
    ),
    case("logsumexp-b_strings", lambda: sm.logsumexp(Z, b="ab"), TypeError, r"^b must be an"),
    case("logsumexp-b_none_list", lambda: sm.logsumexp(Z, b=[None]), TypeError, r"b must hold"),
    case(
        "logsumexp-return_sign_int",
        lambda: sm.logsumexp(Z, return_sign=1),
        TypeError,
        r"return_sign must be a bool",
    ),
    case(
        "logsumexp-keepdims_int",
        lambda: sm.logsumexp(Z, keepdims=1),
        TypeError,
        r"keepdims must be a bool",
    ),
    case(
        "logsumexp-keepdims_str",
        lambda: sm.logsumexp(Z, keepdims="yes"),
        TypeError,
        r"keepdims must be a bool",
    ),
]
# Weights or complex z take logsumexp's other path (softmax._weighted), which checks `axis`
# on its own.
for kind, lse in [
    ("weighted", lambda **kw: sm.logsumexp(Z, b=np.ones(3), **kw)),
    ("complex", lambda **kw: sm.logsumexp(Z + 0j, **kw)),
]:
    CASES += [
        case(
            f"logsumexp-{kind}-axis_out_of_range",
            lambda lse=lse: lse(axis=2),
            ValueError,
            r"^axis=2 is out of range for an array of 2 dimension\(s\)$",
        ),
        case(
            f"logsumexp-{kind}-repeated_axis",
            lambda lse=lse: lse(axis=(1, -1)),
            ValueError,
            r"^axis=\(1, -1\) repeats an axis$",
        ),
        case(
            f"logsumexp-{kind}-axis_float",
            lambda lse=lse: lse(axis=1.0),
            TypeError,
            r"^axis must be an int, a tuple of ints or None, got float$",
        ),
    ]

# -- cross_entropy, log_likelihood ------------------------------------------------------------
for name, f in LOSSES:
    CASES += [
        case(f"{name}-logits_1d", lambda f=f: f([0.0, 1.0], [0]), ValueError, r"logits must be 2"),
        case(f"{name}-logits_3d", lambda f=f: f(np.zeros((1, 2, 3)), Y), ValueError, r"logits"),
        case(f"{name}-logits_scalar", lambda f=f: f(1.0, Y), ValueError, r"logits must be 2"),
        case(
            f"{name}-logits_empty",
            lambda f=f: f(np.zeros((0, 3)), []),
            ValueError,
            r"logits must not be empty",
        ),
        case(
            f"{name}-logits_nan",
            lambda f=f: f([[0.0, np.nan, 1.0], [0.0, 0.0, 0.0]], Y),
            ValueError,
            r"logits must be finite.*index \(0, 1\)",
        ),
        case(
            f"{name}-logits_inf",
            lambda f=f: f([[0.0, 0.0, 0.0], [-np.inf, 0.0, 0.0]], Y),
            ValueError,
            r"logits must be finite",
        ),
        case(f"{name}-logits_complex", lambda f=f: f(Z + 0j, Y), TypeError, r"logits must hold"),
        case(f"{name}-logits_none", lambda f=f: f(None, Y), TypeError, r"logits must be an array"),
        case(
            f"{name}-logits_ragged",
            lambda f=f: f([[0.0, 1.0], [2.0]], Y),
            TypeError,
            r"logits must be a rectangular",
        ),
        case(
            f"{name}-label_out_of_range",
            lambda f=f: f(Z, [0, 3]),
            ValueError,
            r"labels must be class indices in \[0, 2\]",
        ),
        case(
            f"{name}-negative_label",
            lambda f=f: f(Z, [-1, 0]),
            ValueError,
            r"labels must be class indices",
        ),
        case(
            f"{name}-float_label_vector",
            lambda f=f: f(Z, [0.0, 1.0]),
            TypeError,
            r"labels as a vector must hold integer",
        ),
        case(
            f"{name}-bool_label_vector",
            lambda f=f: f(Z, [True, False]),
            TypeError,
            r"labels as a vector must hold integer.*bool",
        ),
        case(
            f"{name}-label_vector_too_short",
            lambda f=f: f(Z, [0]),
            ValueError,
            r"labels must have 2 entries",
        ),
        case(
            f"{name}-label_matrix_wrong_shape",
            lambda f=f: f(Z, np.eye(3)),
            ValueError,
            r"labels as probability rows must have shape \(2, 3\)",
        ),
        case(
            f"{name}-labels_3d",
            lambda f=f: f(Z, np.zeros((2, 3, 1))),
            ValueError,
            r"labels must be a vector of class indices",
        ),
        case(
            f"{name}-labels_scalar",
            lambda f=f: f(Z, 1),
            ValueError,
            r"labels must be a vector of class indices",
        ),
        case(
            f"{name}-probability_negative",
            lambda f=f: f(Z, [[1.5, -0.5, 0.0], [0.0, 0.0, 1.0]]),
            ValueError,
            r"labels must be non-negative",
        ),
        case(
            f"{name}-probability_rows_not_summing_to_one",
            lambda f=f: f(Z, [[0.5, 0.4, 0.0], [0.0, 0.0, 1.0]]),
            ValueError,
            r"labels rows must sum to 1.*row 0",
        ),
        case(
            f"{name}-probability_nan",
            lambda f=f: f(Z, [[np.nan, 1.0, 0.0], [0.0, 0.0, 1.0]]),
            ValueError,
            r"labels must be finite",
        ),
        case(
            f"{name}-labels_complex_rows",
            lambda f=f: f(Z, P + 0j),
            TypeError,
            r"labels must hold real",
        ),
        case(f"{name}-labels_none", lambda f=f: f(Z, None), TypeError, r"labels must be an array"),
        case(f"{name}-labels_str", lambda f=f: f(Z, "01"), TypeError, r"labels must be an array"),
        case(
            f"{name}-labels_ragged",
            lambda f=f: f(Z, [[1.0, 0.0, 0.0], [1.0]]),
            TypeError,
            r"labels must be a rectangular array",
        ),
        case(
            f"{name}-labels_object",
            lambda f=f: f(Z, np.array([Ragged(), 1])),
            TypeError,
            r"labels as a vector must hold integer",
        ),
        case(
            f"{name}-reduction_unknown",
            lambda f=f: f(Z, Y, reduction="avg"),
            ValueError,
            r"reduction must be one of",
        ),
        case(
            f"{name}-reduction_not_str",
            lambda f=f: f(Z, Y, reduction=1),
            TypeError,
            r"reduction must be a str, got int$",
        ),
    ]

# -- gradients ----------------------------------------------------------------------------------
for name, f in GRADS:
    CASES += [
        case(
            f"{name}-mismatched_features",
            lambda f=f: f(W, np.ones((2, 5)), Y),
            ValueError,
            r"W and X must have the same number of features",
        ),
        case(f"{name}-W_1d", lambda f=f: f(np.zeros(4), X, Y), ValueError, r"W must be 2"),
        case(f"{name}-X_3d", lambda f=f: f(W, X[None], Y), ValueError, r"X must be 2"),
        case(f"{name}-W_empty", lambda f=f: f(np.zeros((0, 4)), X, Y), ValueError, r"W must not"),
        case(f"{name}-X_empty", lambda f=f: f(W, np.zeros((0, 4)), []), ValueError, r"X must not"),
        case(
            f"{name}-W_nan",
            lambda f=f: f(np.where(np.eye(3, 4) > 0, np.nan, 0.0), X, Y),
            ValueError,
            r"W must be finite",
        ),
        case(f"{name}-X_inf", lambda f=f: f(W, X * np.inf, Y), ValueError, r"X must be finite"),
        case(f"{name}-W_complex", lambda f=f: f(W + 1j, X, Y), TypeError, r"W must hold real"),
        case(f"{name}-X_string", lambda f=f: f(W, "X", Y), TypeError, r"X must be an array"),
        case(
            f"{name}-labels_wrong_length",
            lambda f=f: f(W, X, [0, 1, 2]),
            ValueError,
            r"labels must have 2 entries",
        ),
        case(
            f"{name}-label_out_of_range",
            lambda f=f: f(W, X, [0, 3]),
            ValueError,
            r"labels must be class indices in \[0, 2\]",
        ),
        case(
            f"{name}-probability_rows_wrong_classes",
            lambda f=f: f(W, X, np.eye(4)[:2]),
            ValueError,
            r"labels as probability rows must have shape \(2, 3\)",
        ),
    ]

# -- notation ----------------------------------------------------------------------------------
CASES += [
    case("G-mismatched_N", lambda: notation.G(X, np.zeros((3, 5))), ValueError, r"X .* W .*N"),
    case("G-X_1d", lambda: notation.G(np.ones(4), W), ValueError, r"X must be 2"),
    case("G-W_complex", lambda: notation.G(X, W + 1j), TypeError, r"W must hold real"),
    case("G-X_none", lambda: notation.G(None, W), TypeError, r"X must be an array"),
    case("S-G_1d", lambda: notation.S(np.ones(3)), ValueError, r"G must be 2"),
    case("S-G_string", lambda: notation.S("G"), TypeError, r"G must be an array"),
    case(
        "Q-S_wrong_shape",
        lambda: notation.Q(P, np.ones((1, 2))),  # G is (2, 3): S has G's 2 rows, one column
        ValueError,
        r"S must have shape \(2, 1\), got \(1, 2\)$",
    ),
    case("Q-S_1d", lambda: notation.Q(P, np.ones(2)), ValueError, r"S must be 2"),
    case("Q-G_ragged", lambda: notation.Q([[1.0], []], [[1.0]]), TypeError, r"G must be a rect"),
    case("L-P_Q_shapes_differ", lambda: notation.L(P, P[:, :2]), ValueError, r"P and Q must"),
    case("L-Q_1d", lambda: notation.L(P, np.ones(3)), ValueError, r"Q must be 2"),
    case("L-P_1d", lambda: notation.L(np.ones(3), P), ValueError, r"P must be 2"),
    case("D-P_1d", lambda: notation.D(np.ones(3), P, X), ValueError, r"P must be 2"),
    case("D-Q_1d", lambda: notation.D(P, np.ones(3), X), ValueError, r"Q must be 2"),
    case("D-X_1d", lambda: notation.D(P, P, np.ones(4)), ValueError, r"X must be 2"),
    case("D-P_Q_shapes_differ", lambda: notation.D(P, P.T, X), ValueError, r"P and Q must"),
    case(
        "D-X_rows_differ", lambda: notation.D(P, P, np.ones((3, 4))), ValueError, r"X must have 2"
    ),
    case("E1-zero", lambda: notation.E1(0), ValueError, r"^M must be a positive integer, got 0$"),
    case("E1-negative", lambda: notation.E1(-2), ValueError, r"M must be a positive integer"),
    case(
        "E1-float",
        lambda: notation.E1(2.0),
        TypeError,
        r"^M must be a positive integer, got float$",
    ),
    case("E1-bool", lambda: notation.E1(True), TypeError, r"M must be a positive integer"),
    case("E2-zero", lambda: notation.E2(0), ValueError, r"O must be a positive integer"),
    case("E2-str", lambda: notation.E2("3"), TypeError, r"^O must be a positive integer, got str$"),
    case("E2-none", lambda: notation.E2(None), TypeError, r"O must be a positive integer"),
]

# -- logits that overflow although W and X are finite ------------------------------------------
_huge_W, _huge_X = np.full((2, 2), 1e200), np.full((3, 2), 1e200)
CASES += [
    case(
        "grad-logits_overflow",
        lambda: sm.cross_entropy_grad(_huge_W, _huge_X, [0, 1, 0]),
        ValueError,
        r"W and X give logits",
    ),
]

# -- datasets.random_data ----------------------------------------------------------------------
rd = datasets.random_data
CASES += [
    case("random_data-total_zero", lambda: rd(0, 2, 3), ValueError, r"total must be a positive"),
    case("random_data-classes_negative", lambda: rd(5, -1, 3), ValueError, r"classes must be"),
    case("random_data-features_zero", lambda: rd(5, 2, 0), ValueError, r"features must be"),
    case("random_data-total_float", lambda: rd(5.0, 2, 3), TypeError, r"total must be a positive"),
    case("random_data-classes_bool", lambda: rd(5, True, 3), TypeError, r"classes must be"),
    case(
        "random_data-classes_float",
        lambda: rd(5, 2.0, 3),
        TypeError,
        r"classes must be a positive integer, got float$",
    ),
    case(
        "random_data-features_float",
        lambda: rd(5, 2, 3.0),
        TypeError,
        r"features must be a positive integer, got float$",
    ),
    case("random_data-features_str", lambda: rd(5, 2, "3"), TypeError, r"features must be"),
    case(
        "random_data-feature_range_zero",
        lambda: rd(5, 2, 3, feature_range=0.0),
        ValueError,
        r"feature_range must be a positive finite",
    ),
    case(
        "random_data-feature_range_inf",
        lambda: rd(5, 2, 3, feature_range=np.inf),
        ValueError,
        r"feature_range must be a positive finite",
    ),
    case(
        "random_data-feature_range_nan",
        lambda: rd(5, 2, 3, feature_range=np.nan),
        ValueError,
        r"feature_range must be a positive finite",
    ),
    case(
        "random_data-feature_range_str",
        lambda: rd(5, 2, 3, feature_range="5"),
        TypeError,
        r"feature_range must be a positive finite",
    ),
    case(
        "random_data-seed_float",
        lambda: rd(5, 2, 3, seed=1.5),
        TypeError,
        r"seed must be None, an int or a numpy Generator, got float$",
    ),
    case("random_data-seed_str", lambda: rd(5, 2, 3, seed="0"), TypeError, r"seed must be None"),
    case("random_data-seed_bool", lambda: rd(5, 2, 3, seed=True), TypeError, r"seed must be None"),
    case("random_data-seed_negative", lambda: rd(5, 2, 3, seed=-1), ValueError, r"seed must be"),
]


@pytest.mark.parametrize(("call", "exc", "match"), CASES)
def test_bad_input_raises_the_documented_type_naming_the_argument(call, exc, match):
    with pytest.raises(exc, match=match) as info:
        call()
    assert type(info.value) is exc  # not a subclass such as AxisError


def test_no_other_exception_type_escapes_any_bad_input_case():
    escaped, returned = [], []
    for param in CASES:
        call = param.values[0]
        try:
            call()
        except (ValueError, TypeError) as exc:
            if type(exc) not in (ValueError, TypeError):
                escaped.append((param.id, type(exc).__name__))
        except Exception as exc:  # the point of this test: record, do not propagate
            escaped.append((param.id, type(exc).__name__))
        else:
            returned.append(param.id)
    assert not escaped, escaped
    assert not returned, returned


def test_there_are_many_distinct_bad_input_classes():
    # distinct classes = the part of the id after the function name
    classes = {param.id.split("-", 1)[1] for param in CASES}
    assert len(classes) >= 20, sorted(classes)
