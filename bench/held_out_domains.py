"""Out-of-scope signals on frozen MiniLM vectors, on a validation source that saturates and one that does not.

    python -m bench.held_out_domains

Needs the `semantic` extra; the vectors are cached by bench/embedding_cache.py.

CLINC150's validation split has 100 out-of-scope questions; the shipped signals already read the best recall
any threshold gives there, so it can no longer tell two candidates apart. The second source removes each of
CLINC150's ten domains in turn from the history (the training split) and asks its 300 validation questions
as "no article fits" beside the other 2,700 in-scope ones: 3,000 out-of-scope questions, whole topics
missing, as CLINC's own out-of-scope questions are. Each signal is scored by AUROC and by the out-of-scope
recall when 2% of the in-scope questions are lost (the aim's operating region). No test split is read.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

import numpy as np
from sklearn.metrics import roc_auc_score

from adapters.search.backend import semantic_available
from bench import embedding_cache
from bench.quality import SHARED_SEMANTIC, clinc, data_dir

# (history vectors, question vectors) -> one value per question, higher where it is more likely in scope
Signal = Callable[[np.ndarray, np.ndarray], np.ndarray]
K = 10
LOST = 0.02  # share of in-scope questions a threshold may lose


def nearest_mean(k: int) -> Signal:
    """Mean cosine of the k nearest history questions (`near_mean` in adapters/search/answerability.py)."""
    def signal(history: np.ndarray, questions: np.ndarray) -> np.ndarray:
        sims = questions @ history.T
        return np.asarray(-np.sort(-sims, axis=1)[:, :k].mean(axis=1))
    return signal


def centred(history: np.ndarray, questions: np.ndarray) -> np.ndarray:
    """nearest_mean(K) after centring both on the history's mean and normalising again."""
    mean = history.mean(axis=0)
    h, q = history - mean, questions - mean
    h /= np.linalg.norm(h, axis=1, keepdims=True)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    return nearest_mean(K)(h, q)


def residual(components: int) -> Signal:
    """Minus the norm of what lies outside the history's top principal components (ViM's residual)."""
    def signal(history: np.ndarray, questions: np.ndarray) -> np.ndarray:
        mean = history.mean(axis=0)
        basis = np.linalg.svd(history - mean, full_matrices=False)[2][:components]
        c = questions - mean
        return np.asarray(-np.linalg.norm(c - (c @ basis.T) @ basis, axis=1))
    return signal


SIGNALS: dict[str, Signal] = {
    "near_mean (10, shipped)": nearest_mean(K), "nearest 5": nearest_mean(5), "nearest 20": nearest_mean(20),
    "centred nearest 10": centred, "residual, 100 components": residual(100),
    "residual, 200 components": residual(200)}


def score(values: np.ndarray, in_scope: np.ndarray) -> tuple[float, float]:
    """AUROC of telling in-scope from out-of-scope, and out-of-scope recall at LOST in-scope lost."""
    cut = np.quantile(values[in_scope], LOST)
    return float(roc_auc_score(in_scope, values)), float((values[~in_scope] < cut).mean())


def main() -> int:
    """Every signal on both sources."""
    if not semantic_available():
        print("bench.held_out_domains needs the semantic extra: pip install -e '.[semantic]'",
              file=sys.stderr)
        return 2
    embedding_cache.load(SHARED_SEMANTIC)
    data = clinc()
    raw = json.loads((data_dir() / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
    domains = json.loads((data_dir() / "clinc150" / "domains.json").read_text(encoding="utf-8"))
    domain_of = {intent: d for d, intents in domains.items() for intent in intents}
    vectors = SHARED_SEMANTIC.transform
    history = np.asarray(vectors([t for t, _ in data["train"]]), dtype=np.float64)
    val = np.asarray(vectors([t for t, _ in data["val"]]), dtype=np.float64)
    asked = np.vstack([val, np.asarray(vectors([t for t, _ in data["oos_val"]]), dtype=np.float64)])
    in_scope = np.r_[np.ones(len(val), bool), np.zeros(len(data["oos_val"]), bool)]
    history_domain = np.array([domain_of[i] for _, i in raw["train"]])
    val_domain = np.array([domain_of[i] for _, i in raw["val"]])
    print("command: python -m bench.held_out_domains")
    print(f"{'signal':28} {'validation out-of-scope (100)':>32} {'held-out domains (3,000)':>30}")
    for name, signal in SIGNALS.items():
        auroc, recall = score(signal(history, asked), in_scope)
        parts = [signal(history[history_domain != d], val) for d in sorted(domains)]
        kept = np.concatenate([val_domain != d for d in sorted(domains)])
        held_auroc, held_recall = score(np.concatenate(parts), kept)
        print(f"{name:28} AUROC {auroc:.4f}, recall {recall:.3f}      "
              f"AUROC {held_auroc:.4f}, recall {held_recall:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
