"""Fitted-model state as bytes without pickle: NumPy arrays in an .npz archive plus a JSON header.

`np.load(..., allow_pickle=False)` only ever builds plain arrays, so a tampered blob can at worst fail
to load (the caller then refits); it cannot run code the way a pickle can.
"""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

META = "__meta__"
HALF_MAX = float(np.finfo(np.float16).max)
VECTORIZER_PARAMS = ("analyzer", "ngram_range", "sublinear_tf", "stop_words", "max_features", "lowercase")


class State:
    """What one fitted model needs to predict again: JSON-able values and named arrays."""

    def __init__(self, meta: dict[str, Any] | None = None,
                 arrays: dict[str, np.ndarray] | None = None) -> None:
        self.meta: dict[str, Any] = meta or {}
        self.arrays: dict[str, np.ndarray] = arrays or {}
        self._named: dict[tuple[str, tuple[int, ...], bytes], str] = {}  # content -> first name
        self._widened: dict[str, np.ndarray] = {}  # name -> its float32 view, made once (see get)

    def put(self, name: str, array: Any) -> str:
        """Store an array under a unique name; returns the name to keep in the meta.

        An array equal to one already stored is stored once, and its first name returned: with embeddings
        the ranker's neighbour memory and the abstention's evidence hold the same history vectors (23 MB
        each on CLINC150), and a restored model then holds them once too. float32 values that half precision
        holds exactly (a model rounded by `halved` when fitted) are stored in half the bytes."""
        array = np.asarray(array)
        if array.dtype == np.float32 and _exact_in_half(array):  # rounded when fitted (halved)
            array = array.astype(np.float16)
        whole = np.ascontiguousarray(array)
        key = (array.dtype.str, array.shape, hashlib.blake2b(whole.data, digest_size=16).digest())
        first = self._named.get(key)
        if first is not None and np.array_equal(self.arrays[first], array):
            return first
        self.arrays[name] = array
        self._named[key] = name
        return name

    def get(self, name: str) -> np.ndarray:
        """The array stored under a name; half-precision floats come back as float32, one array per name
        however often asked, so what was stored once is held once."""
        array = self.arrays[name]
        if array.dtype != np.float16:
            return array
        if name not in self._widened:
            self._widened[name] = array.astype(np.float32)
        return self._widened[name]


def halved(array: Any) -> np.ndarray:
    """float32 values rounded to half precision, as State stores them (as they were where one is out of half's
    range): a model rounded so when fitted predicts exactly what it will predict once stored."""
    values = np.asarray(array, dtype=np.float32)
    return values.astype(np.float16).astype(np.float32) if _in_half_range(values) else values


def _in_half_range(values: np.ndarray) -> bool:
    return not values.size or float(np.abs(values).max()) <= HALF_MAX  # False for NaN too


def _exact_in_half(array: np.ndarray) -> bool:
    """Whether every value survives the round trip through float16 unchanged."""
    return _in_half_range(array) and bool(np.array_equal(halved(array), array))


def pack(state: State) -> bytes:
    """The state as .npz bytes (the JSON header rides along as a uint8 array)."""
    header = np.frombuffer(json.dumps(state.meta).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    arrays: dict[str, Any] = {META: header, **state.arrays}
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def unpack(blob: bytes) -> State:
    """Read bytes made by `pack`; raises ValueError (or KeyError) on anything else."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(arrays.pop(META).tobytes().decode())
    if not isinstance(meta, dict):
        raise ValueError("model header is not an object")
    return State(meta, arrays)


def put_strings(state: State, name: str, values: list[str]) -> str:
    """Strings as JSON bytes: variable-length text without NumPy's fixed-width (or object) arrays."""
    return state.put(name, np.frombuffer(json.dumps(values).encode(), dtype=np.uint8))


def get_strings(state: State, name: str) -> list[str]:
    """Strings stored by put_strings."""
    values = json.loads(state.get(name).tobytes().decode())
    if not isinstance(values, list):
        raise ValueError(f"{name} is not a list")
    return [str(v) for v in values]


def vectorizer_state(vectorizer: TfidfVectorizer | None, state: State, name: str) -> dict[str, Any] | None:
    """A fitted TF-IDF vectorizer: its settings, vocabulary (in column order) and IDF weights."""
    if vectorizer is None:
        return None
    params = {k: vectorizer.get_params()[k] for k in VECTORIZER_PARAMS}
    terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    return {"params": params, "vocabulary": put_strings(state, f"{name}.vocabulary", terms),
            "idf": state.put(f"{name}.idf", vectorizer.idf_)}


def restore_vectorizer(meta: dict[str, Any] | None, state: State) -> TfidfVectorizer | None:
    """The vectorizer vectorizer_state described, transforming exactly as the fitted one did."""
    if meta is None:
        return None
    params = dict(meta["params"])
    params["ngram_range"] = tuple(params["ngram_range"])
    vectorizer = TfidfVectorizer(**params)
    terms = get_strings(state, meta["vocabulary"])
    vectorizer.vocabulary_ = {term: i for i, term in enumerate(terms)}
    vectorizer.idf_ = state.get(meta["idf"])
    return vectorizer


def svc_state(model: LinearSVC | None, state: State, name: str) -> dict[str, Any] | None:
    """A fitted linear SVM: its weights, intercepts and classes."""
    if model is None:
        return None
    return {"c": model.C, "coef": state.put(f"{name}.coef", model.coef_),
            "intercept": state.put(f"{name}.intercept", model.intercept_),
            "classes": put_strings(state, f"{name}.classes", [str(c) for c in model.classes_])}


def restore_svc(meta: dict[str, Any] | None, state: State) -> LinearSVC | None:
    """The SVM svc_state described; its decision function is the fitted one's."""
    if meta is None:
        return None
    model = LinearSVC(C=meta["c"])
    model.coef_ = state.get(meta["coef"])
    model.intercept_ = state.get(meta["intercept"])
    model.classes_ = np.asarray(get_strings(state, meta["classes"]))
    model.n_features_in_ = model.coef_.shape[1]
    return model


def csr_state(matrix: csr_matrix, state: State, name: str) -> dict[str, Any]:
    """A sparse matrix by its CSR parts."""
    m = csr_matrix(matrix)
    return {"shape": list(m.shape), "data": state.put(f"{name}.data", m.data),
            "indices": state.put(f"{name}.indices", m.indices),
            "indptr": state.put(f"{name}.indptr", m.indptr)}


def restore_csr(meta: dict[str, Any], state: State) -> csr_matrix:
    """The sparse matrix csr_state described."""
    return csr_matrix((state.get(meta["data"]), state.get(meta["indices"]), state.get(meta["indptr"])),
                      shape=tuple(meta["shape"]))
