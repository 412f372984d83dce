"""`SoftmaxRegression.save` / `load` and the `softmax.persist` file format."""

from __future__ import annotations

import json
import os
import pathlib

import numpy as np
import pytest

from softmax import SoftmaxRegression, persist
from softmax.model import NotFittedError

RNG = np.random.default_rng(12345)
X = RNG.normal(size=(40, 3))
LABELS = {
    "int": np.arange(40) % 3 * 10 - 7,
    "str": np.array(["cat", "dog", "emu"])[np.arange(40) % 3],
    "float": (np.arange(40) % 3).astype(np.float64) + 0.0,
    "bool": np.arange(40) % 2 == 0,
    "bytes": np.array([b"no", b"yes"])[np.arange(40) % 2],
}


def fitted(labels="int", **params):
    return SoftmaxRegression(**params).fit(X, LABELS[labels])


def arrays_of(path):
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def rewrite(path, **changes):
    """Rewrite a model file with some arrays replaced (None: removed)."""
    arrays = arrays_of(path)
    for key, value in changes.items():
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value
    with open(path, "wb") as file:
        np.savez(file, **arrays)


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "model.npz"
    fitted(alpha=0.01).save(path)
    return path


@pytest.mark.parametrize("labels", sorted(LABELS))
@pytest.mark.parametrize("solver", ["lbfgs", "gd"])
def test_round_trip_is_bitwise_identical(tmp_path, labels, solver):
    model = fitted(labels, solver=solver, max_iter=30, alpha=0.1, fit_intercept=solver == "gd")
    model.save(tmp_path / "m.npz")
    loaded = SoftmaxRegression.load(tmp_path / "m.npz")
    for name in ("coef_", "intercept_", "classes_"):
        before, after = getattr(model, name), getattr(loaded, name)
        assert before.dtype == after.dtype and before.shape == after.shape
        assert before.tobytes() == after.tobytes(), name
    probe = RNG.normal(size=(25, 3)) * 3
    for method in ("predict_proba", "predict_log_proba", "decision_function", "predict"):
        expected, got = getattr(model, method)(probe), getattr(loaded, method)(probe)
        assert expected.dtype == got.dtype and expected.tobytes() == got.tobytes(), method
    assert loaded.get_params() == model.get_params()
    assert loaded.loss_curve_ == model.loss_curve_
    assert (loaded.n_iter_, loaded.n_features_in_) == (model.n_iter_, model.n_features_in_)
    assert type(loaded.n_iter_) is int and type(loaded.n_features_in_) is int


def test_callback_is_not_saved_and_loads_as_none(tmp_path):
    model = fitted(callback=lambda k, loss: None, max_iter=5)
    model.save(tmp_path / "m.npz")
    assert SoftmaxRegression.load(tmp_path / "m.npz").callback is None


def test_file_is_a_plain_npz_with_the_documented_keys_and_no_pickle(saved):
    arrays = arrays_of(saved)  # allow_pickle=False: this would raise on any object array
    assert set(arrays) == {
        "format",
        "format_version",
        "params",
        "coef",
        "intercept",
        "classes",
        "n_features_in",
        "n_iter",
        "loss_curve",
    }
    assert arrays["format"][()] == persist.FORMAT_NAME == "softmax.SoftmaxRegression"
    assert arrays["format_version"][()] == persist.FORMAT_VERSION == 1
    params = json.loads(arrays["params"][()])
    assert params["alpha"] == 0.01 and "callback" not in params
    assert all(a.dtype != object for a in arrays.values())


def test_path_may_be_str_or_pathlike_and_is_used_exactly(tmp_path):
    model = fitted()
    model.save(str(tmp_path / "as_str.model"))
    model.save(pathlib.Path(tmp_path / "as_path.model"))
    assert sorted(os.listdir(tmp_path)) == ["as_path.model", "as_str.model"]  # no ".npz" added
    for name in ("as_str.model", "as_path.model"):
        assert SoftmaxRegression.load(str(tmp_path / name)).coef_.shape == (3, 3)


@pytest.mark.parametrize("bad", [123, None, b"model.npz", ["model.npz"]])
def test_path_of_wrong_type_is_a_type_error(bad):
    with pytest.raises(TypeError, match="path must"):
        fitted().save(bad)
    with pytest.raises(TypeError, match="path must"):
        SoftmaxRegression.load(bad)


def test_saving_an_unfitted_model_raises_not_fitted_and_writes_nothing(tmp_path):
    with pytest.raises(
        NotFittedError, match=r"^This SoftmaxRegression instance is not fitted yet$"
    ):
        SoftmaxRegression().save(tmp_path / "m.npz")
    assert os.listdir(tmp_path) == []


def test_object_classes_that_cannot_be_stored_are_a_type_error_at_save(tmp_path):
    model = fitted()
    model.classes_ = np.array([1, (2, 3), None], dtype=object)
    with pytest.raises(TypeError, match=r"classes_ .* cannot be stored without pickle"):
        model.save(tmp_path / "m.npz")
    assert os.listdir(tmp_path) == []


def test_object_classes_of_strings_are_stored_as_a_string_array(tmp_path):
    model = fitted("str")
    model.classes_ = model.classes_.astype(object)
    model.save(tmp_path / "m.npz")
    loaded = SoftmaxRegression.load(tmp_path / "m.npz")
    assert loaded.classes_.dtype.kind == "U" and loaded.classes_.tolist() == ["cat", "dog", "emu"]


def test_failed_write_keeps_the_previous_file_and_leaves_no_temporary(saved, monkeypatch):
    before = saved.read_bytes()

    def disk_full(file, arrays):
        file.write(b"PK\x03\x04 half an archive")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(persist, "_write_arrays", disk_full)
    with pytest.raises(OSError, match="No space left"):
        fitted("str", alpha=5.0).save(saved)
    assert saved.read_bytes() == before
    assert os.listdir(saved.parent) == ["model.npz"]
    assert SoftmaxRegression.load(saved).alpha == 0.01


def test_failed_first_write_leaves_no_file_at_all(tmp_path, monkeypatch):
    def interrupted(file, arrays):
        raise KeyboardInterrupt

    monkeypatch.setattr(persist, "_write_arrays", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fitted().save(tmp_path / "m.npz")
    assert os.listdir(tmp_path) == []


def test_failed_rename_leaves_no_temporary(tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(OSError):
        fitted().save(tmp_path / "taken")  # os.replace cannot put a file over a directory
    assert os.listdir(tmp_path) == ["taken"] and os.listdir(tmp_path / "taken") == []


def test_overwriting_an_existing_file_replaces_it(saved):
    fitted("str", alpha=3.0).save(saved)
    assert SoftmaxRegression.load(saved).classes_.tolist() == ["cat", "dog", "emu"]
    assert os.listdir(saved.parent) == ["model.npz"]


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        SoftmaxRegression.load(tmp_path / "absent.npz")


@pytest.mark.parametrize("keep", [0, 10, 100, 0.5, -22, -1])
def test_truncated_file_is_a_value_error(saved, keep):
    data = saved.read_bytes()
    keep = int(len(data) * keep) if isinstance(keep, float) else keep
    saved.write_bytes(data[:keep])
    with pytest.raises(ValueError, match=r"not a readable softmax\.SoftmaxRegression file"):
        SoftmaxRegression.load(saved)


def test_corrupted_array_bytes_are_caught_by_the_zip_checksum(saved):
    data = bytearray(saved.read_bytes())
    start = data.index(b"coef.npy") + 200  # inside the coef member's float data
    data[start] ^= 0xFF
    saved.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="Bad CRC-32"):
        SoftmaxRegression.load(saved)


def test_every_single_byte_corruption_is_refused_or_harmless(saved):
    # A flipped byte either makes loading fail with ValueError or lands where it changes
    # nothing that is loaded (e.g. a ZIP timestamp); never another exception, never other data.
    good = SoftmaxRegression.load(saved)
    data = saved.read_bytes()
    for i in range(0, len(data), 7):  # every 7th byte: all members, headers and directory
        broken = bytearray(data)
        broken[i] ^= 0xA5
        saved.write_bytes(bytes(broken))
        try:
            model = SoftmaxRegression.load(saved)
        except ValueError:
            continue
        assert model.get_params() == good.get_params(), i
        for name in ("coef_", "intercept_", "classes_", "loss_curve_", "n_iter_"):
            assert np.array_equal(getattr(model, name), getattr(good, name)), (i, name)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a readable"),
        (b"hello, I am a text file\n", "not a readable"),
        (b"\x80\x04\x95 pickled?", "not a readable"),
        (b"PK\x05\x06" + bytes(18), r"missing key\(s\) \['classes'"),  # an empty ZIP
    ],
)
def test_a_file_that_is_not_a_model_archive_is_a_value_error(tmp_path, content, message):
    (tmp_path / "m.npz").write_bytes(content)
    with pytest.raises(ValueError, match=message):
        SoftmaxRegression.load(tmp_path / "m.npz")


def test_a_single_npy_array_is_not_a_model_file(tmp_path):
    np.save(tmp_path / "m.npy", np.ones(3))
    with pytest.raises(ValueError, match=r"not an \.npz archive"):
        SoftmaxRegression.load(tmp_path / "m.npy")


def test_an_npz_holding_pickled_objects_is_refused_without_unpickling(saved):
    rewrite(saved, classes=np.array([1, "b", None], dtype=object))
    with pytest.raises(ValueError, match="not a readable"):
        SoftmaxRegression.load(saved)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"format": np.array("sklearn.LogisticRegression")}, "format name is 'sklearn"),
        ({"format": np.array([persist.FORMAT_NAME])}, "'format' must be a scalar"),
        ({"format_version": np.array(2)}, "format version 2 is not supported"),
        ({"format_version": np.array(0)}, "format version 0 is not supported"),
        ({"format_version": np.array(1.0)}, "'format_version' must be a scalar"),
        ({"coef": None}, r"missing key\(s\) \['coef'\]"),
        ({"params": None, "classes": None}, r"missing key\(s\) \['classes', 'params'\]"),
        ({"pickle": np.zeros(1)}, r"unexpected key\(s\) \['pickle'\]"),
        ({"params": np.array("{not json")}, "'params' is not valid JSON"),
        ({"params": np.array("[1, 2]")}, "'params' must be a JSON object"),
        ({"params": np.array('{"alpha": 0.0}')}, "params hold"),
        ({"coef": np.ones((3, 3), dtype=np.float32)}, "'coef' must be a 2-d float64"),
        ({"coef": np.ones(9)}, "'coef' must be a 2-d float64"),
        ({"coef": np.full((3, 3), np.nan)}, "'coef' holds non-finite"),
        ({"coef": np.ones((4, 3))}, "shapes do not agree"),
        ({"intercept": np.ones(2)}, "shapes do not agree"),
        ({"classes": np.array([0, 1])}, "shapes do not agree"),
        ({"classes": np.array([[0, 1, 2]])}, "'classes' must be a 1-d"),
        ({"classes": np.array([2, 1, 0])}, "classes sorted and unique"),
        ({"classes": np.array([1, 1, 2])}, "classes sorted and unique"),
        ({"n_features_in": np.array(4)}, "n_features_in=4 does not match"),
        ({"n_iter": np.array(-1)}, "n_iter must be >= 0"),
        ({"loss_curve": np.array([[0.5]])}, "'loss_curve' must be a 1-d float64"),
    ],
)
def test_inconsistent_contents_are_a_value_error_naming_the_problem(saved, changes, message):
    rewrite(saved, **changes)
    with pytest.raises(ValueError, match=message):
        SoftmaxRegression.load(saved)


@pytest.mark.parametrize(
    ("param", "value"), [("solver", "sgd"), ("step", -1.0), ("fit_intercept", "yes")]
)
def test_invalid_parameters_in_the_file_are_a_value_error(saved, param, value):
    params = json.loads(arrays_of(saved)["params"][()])
    params[param] = value
    rewrite(saved, params=np.array(json.dumps(params)))
    with pytest.raises(ValueError, match=f"invalid parameter in file: {param}"):
        SoftmaxRegression.load(saved)


def test_no_intercept_model_with_a_nonzero_intercept_is_refused(tmp_path):
    fitted(fit_intercept=False).save(tmp_path / "m.npz")
    assert not SoftmaxRegression.load(tmp_path / "m.npz").intercept_.any()
    rewrite(tmp_path / "m.npz", intercept=np.ones(3))
    with pytest.raises(ValueError, match="fit_intercept=False but the intercept"):
        SoftmaxRegression.load(tmp_path / "m.npz")


def test_parameters_that_are_not_json_storable_are_a_type_error(tmp_path):
    model = fitted()
    model.set_params(tol=np.float64(1e-3), max_iter=np.int64(7))  # numpy scalars are fine
    model.save(tmp_path / "ok.npz")
    assert SoftmaxRegression.load(tmp_path / "ok.npz").max_iter == 7
    model.set_params(alpha=float("nan"))
    with pytest.raises(TypeError, match="parameter alpha=nan cannot be stored"):
        model.save(tmp_path / "bad.npz")
    assert sorted(os.listdir(tmp_path)) == ["ok.npz"]
