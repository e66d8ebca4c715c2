"""Sentence vectors from a static token table distilled from all-MiniLM-L6-v2: a semantic view without torch.

The light install cannot run MiniLM. Its table was distilled once (`python -m bench.static_table --write`,
the model2vec recipe: each WordPiece token alone through the model, mean-pooled, PCA to 256 dimensions, Zipf
weights) and ships in adapters/search/data/ as int8 rows with a scale each (7.8 MB). A sentence is the unit
mean of its tokens' rows, tokenised by the model's own WordPiece tokenizer (the `tokenizers` library, which
reads the model's tokenizer.json as the model does). Used as evidence of whether an article fits
(adapters/search/answerability.py), not for ranking.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).resolve().parent / "data"
TABLE = DATA / "minilm_static.npz"
TOKENIZER = DATA / "minilm_tokenizer.json"


@functools.cache
def _loaded() -> tuple[Any, np.ndarray, np.ndarray]:
    """The tokenizer, the int8 rows and their scales, once per process (kept int8: 7.8 MB, not 31)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(TOKENIZER))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    with np.load(TABLE, allow_pickle=False) as data:
        return tokenizer, data["rows"], data["scales"]


def static_vectors(texts: Sequence[str]) -> np.ndarray:
    """Unit-length vectors for texts, one row each (zeros for a text with no token)."""
    tokenizer, rows, scales = _loaded()
    out = np.zeros((len(texts), rows.shape[1]), np.float32)
    if not texts:
        return out
    for i, encoded in enumerate(tokenizer.encode_batch(list(texts), add_special_tokens=False)):
        if encoded.ids:
            ids = encoded.ids
            out[i] = (rows[ids].astype(np.float32) * scales[ids, None]).mean(axis=0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.asarray(out / np.maximum(norms, 1e-12), dtype=np.float32)
