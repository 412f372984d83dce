"""`SoftmaxRegression.save` / `load` and the `softmax.persist` file format."""

from __future__ import annotations

import json
import os
import pathlib
import re

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


def test_a_model_that_converged_before_its_first_step_round_trips(tmp_path):
    model = fitted(tol=1e3)  # L-BFGS-B stops at the start: the gradient is below tol
    assert model.n_iter_ == 0 and model.loss_curve_ == []
    model.save(tmp_path / "m.npz")
    loaded = SoftmaxRegression.load(tmp_path / "m.npz")
    assert loaded.n_iter_ == 0 and loaded.loss_curve_ == []
    assert loaded.coef_.tobytes() == model.coef_.tobytes()


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


class _BytesPath:
    """An os.PathLike whose path is bytes: a file name this format does not take."""

    def __fspath__(self):
        return b"model.npz"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (123, "path must be a str or os.PathLike, got int"),
        (None, "path must be a str or os.PathLike, got NoneType"),
        (b"model.npz", "path must be a str or os.PathLike, got bytes"),
        (["model.npz"], "path must be a str or os.PathLike, got list"),
        (_BytesPath(), "path must name a file with a str, got bytes"),
    ],
)
def test_path_of_wrong_type_is_a_type_error(bad, message):
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        fitted().save(bad)
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        SoftmaxRegression.load(bad)


def test_saving_an_unfitted_model_raises_not_fitted_and_writes_nothing(tmp_path):
    with pytest.raises(
        NotFittedError, match=r"^This SoftmaxRegression instance is not fitted yet$"
    ):
        SoftmaxRegression().save(tmp_path / "m.npz")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    ("classes", "found"),
    [
        # An object array names the Python types of its labels, sorted, so the user sees
        # which labels are the problem; any other dtype is named by the dtype alone.
        (np.array([1, (2, 3), None], dtype=object), "object ['NoneType', 'int', 'tuple'] "),
        (np.array([1 + 0j, 2j, 3 + 0j]), "complex128  "),
    ],
)
def test_classes_that_cannot_be_stored_are_a_type_error_at_save_naming_them(
    tmp_path, classes, found
):
    model = fitted()
    model.classes_ = classes
    message = (
        f"classes_ of dtype {found}cannot be stored without pickle: "
        "only bool, integer, float, str or bytes labels can be saved"
    )
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
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


def test_writing_into_a_folder_that_does_not_exist_is_file_not_found(tmp_path):
    # The temporary file cannot be created, so there is none to remove: the caller gets the
    # FileNotFoundError of the open, not an error of the clean-up.
    with pytest.raises(FileNotFoundError):
        fitted().save(tmp_path / "absent" / "m.npz")
    assert os.listdir(tmp_path) == []


def test_the_temporary_file_is_a_hidden_file_in_the_targets_folder(tmp_path, monkeypatch):
    # In the target's folder, so that os.replace is a rename within one file system (atomic)
    # whatever the working directory; hidden and named after the target, so that one a crash
    # leaves behind is recognisable. It adds 22 characters to the target's name (two dots,
    # 16 hex digits of 8 random bytes, ".tmp"): within the usual limit of 255 characters to
    # a file name, any target name of up to 233 characters can be written.
    (tmp_path / "models").mkdir()
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    opened = []

    def recording(file, arrays):
        opened.append(file.name)
        np.savez(file, **arrays)

    monkeypatch.setattr(persist, "_write_arrays", recording)
    fitted().save(tmp_path / "models" / "m.npz")
    folder, name = os.path.split(opened[0])
    assert folder == str(tmp_path / "models")
    assert re.fullmatch(r"\.m\.npz\.[0-9a-f]{16}\.tmp", name), name
    assert os.listdir(tmp_path / "models") == ["m.npz"] and os.listdir(tmp_path / "cwd") == []


WRITTEN = {
    "coef": np.array([[0.1, -2.5], [3.0, 0.0]], dtype=np.float32),
    "intercept": np.array([0.5, -0.5], dtype=np.float32),
    "classes": np.array([3, 7], dtype=np.int32),
    "n_features_in": np.int32(2),
    "n_iter": np.int32(4),
    "loss_curve": np.array([0.75, 0.5, 0.25, 0.125], dtype=np.float32),
}


def test_write_stores_the_formats_dtypes_whatever_the_input_dtypes(tmp_path):
    persist.write(tmp_path / "m.npz", params={"alpha": 0.5}, **WRITTEN)
    arrays = arrays_of(tmp_path / "m.npz")
    stored = {key: arrays[key].dtype for key in arrays}
    assert stored == {
        "format": np.dtype("<U25"),
        "format_version": np.int64,
        "params": np.dtype("<U14"),
        "coef": np.float64,
        "intercept": np.float64,
        "classes": np.int32,  # labels keep their own dtype
        "n_features_in": np.int64,
        "n_iter": np.int64,
        "loss_curve": np.float64,
    }
    for key, value in WRITTEN.items():  # float32 to float64 is exact, so are the ints
        assert np.array_equal(arrays[key], value), key


def test_params_are_stored_with_sorted_keys_whatever_the_order_of_the_dict(tmp_path):
    # Equal parameters make equal files, however the caller built the dict.
    params = {"tol": 0.001, "alpha": 0.5, "solver": "gd"}
    persist.write(tmp_path / "a.npz", params=params, **WRITTEN)
    persist.write(tmp_path / "b.npz", params=dict(reversed(params.items())), **WRITTEN)
    stored = [arrays_of(tmp_path / name)["params"][()] for name in ("a.npz", "b.npz")]
    assert stored[0] == stored[1] == '{"alpha": 0.5, "solver": "gd", "tol": 0.001}'


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
    message = (
        f"{tmp_path / 'm.npy'} is not a readable softmax.SoftmaxRegression file (truncated, "
        "corrupted or not an .npz archive): ValueError: it is a single .npy array, not an "
        ".npz archive"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        SoftmaxRegression.load(tmp_path / "m.npy")


def test_an_npz_holding_pickled_objects_is_refused_without_unpickling(saved):
    rewrite(saved, classes=np.array([1, "b", None], dtype=object))
    with pytest.raises(ValueError, match="not a readable"):
        SoftmaxRegression.load(saved)


SHAPES = "(need M >= 2 classes, coef (M, N), intercept (M,))"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"format": np.array("sklearn.LogisticRegression")},
            "format name is 'sklearn.LogisticRegression', expected 'softmax.SoftmaxRegression'",
        ),
        (
            {"format": np.array([persist.FORMAT_NAME])},
            "'format' must be a scalar of kind 'U', got <U25",
        ),
        ({"format": np.array(1)}, "'format' must be a scalar of kind 'U', got int64"),
        (
            {"format_version": np.array(2)},
            "format version 2 is not supported (this reader knows version 1 only)",
        ),
        (
            {"format_version": np.array(0)},
            "format version 0 is not supported (this reader knows version 1 only)",
        ),
        (
            {"format_version": np.array(1.0)},
            "'format_version' must be a scalar of kind 'iu', got float64",
        ),
        ({"coef": None}, "missing key(s) ['coef'], unexpected key(s) []"),
        (
            {"params": None, "classes": None},
            "missing key(s) ['classes', 'params'], unexpected key(s) []",
        ),
        ({"pickle": np.zeros(1)}, "missing key(s) [], unexpected key(s) ['pickle']"),
        (
            {"params": np.array("{not json")},
            "'params' is not valid JSON: Expecting property name enclosed in double quotes: "
            "line 1 column 2 (char 1)",
        ),
        ({"params": np.array("[1, 2]")}, "'params' must be a JSON object, got list"),
        ({"params": np.array(b"{}")}, "'params' must be a scalar of kind 'U', got |S2"),
        ({"params": np.array('{"alpha": 0.0}')}, "params hold ['alpha'], not SoftmaxRegression's"),
        (
            {"coef": np.ones((3, 3), dtype=np.float32)},
            "'coef' must be a 2-d float64 array, got float32 (3, 3)",
        ),
        ({"coef": np.ones(9)}, "'coef' must be a 2-d float64 array, got float64 (9,)"),
        ({"coef": np.full((3, 3), np.nan)}, "'coef' holds non-finite values"),
        (
            {"coef": np.ones((4, 3))},
            f"shapes do not agree: coef (4, 3), intercept (3,), classes (3,) {SHAPES}",
        ),
        (
            {"intercept": np.ones(3, dtype=np.float32)},
            "'intercept' must be a 1-d float64 array, got float32 (3,)",
        ),
        (
            {"intercept": np.ones(2)},
            f"shapes do not agree: coef (3, 3), intercept (2,), classes (3,) {SHAPES}",
        ),
        (
            {"classes": np.array([0, 1])},
            f"shapes do not agree: coef (3, 3), intercept (3,), classes (2,) {SHAPES}",
        ),
        ({"classes": np.array([[0, 1, 2]])}, "'classes' must be a 1-d array of labels, got int64"),
        ({"classes": np.array([2, 1, 0])}, "n_iter must be >= 0 and classes sorted and unique"),
        ({"classes": np.array([1, 1, 2])}, "n_iter must be >= 0 and classes sorted and unique"),
        ({"n_features_in": np.array(4)}, "n_features_in=4 does not match coef (3, 3) (M, N)"),
        (
            {"n_features_in": np.array(3.0)},
            "'n_features_in' must be a scalar of kind 'iu', got float64",
        ),
        ({"n_iter": np.array(-1)}, "n_iter must be >= 0 and classes sorted and unique"),
        ({"n_iter": np.array(2.0)}, "'n_iter' must be a scalar of kind 'iu', got float64"),
        (
            {"loss_curve": np.array([[0.5]])},
            "'loss_curve' must be a 1-d float64 array, got float64 (1, 1)",
        ),
    ],
)
def test_inconsistent_contents_are_a_value_error_naming_the_file_and_the_problem(
    saved, changes, message
):
    rewrite(saved, **changes)
    with pytest.raises(ValueError, match=f"^{re.escape(f'{saved}: {message}')}$"):
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
