"""What MPNet costs against MiniLM: per question as a chat message asks one, and per text when a fit embeds
the history in batches.

    python -m bench.encoder_cost [--questions 200] [--batch-texts 2000] [--rounds 3]

Needs the semantic extra and `make mpnet` (FIXLOOP_MODELS_DIR). Embeds CLINC150 questions (Larson et al.
2019, ../shared/data/clinc150), uncached: validation questions one at a time, training questions in batches,
both encoders alternating in each round so that both see the same load. Prints the median milliseconds per
question, texts per second in batches of 64, the resident memory each encoder adds when loaded, and MPNet's
ratios to MiniLM (on 2 shared cores absolute times are noise; the ratios are the figures).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from typing import Any

from adapters.search.encoders import ENCODERS, shared_model
from bench.quality import clinc


def rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_at_a_time(model: object, texts: list[str]) -> float:
    """Median milliseconds to embed one question."""
    times = []
    for text in texts:
        started = time.perf_counter()
        model.encode([text], normalize_embeddings=True)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def batched(model: object, texts: list[str]) -> float:
    """Texts per second in batches of 64, as a fit embeds its history."""
    started = time.perf_counter()
    model.encode(texts, batch_size=64, normalize_embeddings=True)  # type: ignore[attr-defined]
    return len(texts) / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    """Both encoders, alternating per round; medians and ratios."""
    parser = argparse.ArgumentParser(prog="python -m bench.encoder_cost")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--batch-texts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    missing = [name for name, encoder in ENCODERS.items() if not encoder.installed()]
    if missing:
        print(f"bench.encoder_cost needs both encoders; missing: {', '.join(missing)}", file=sys.stderr)
        return 2
    data = clinc()
    val, train = [t for t, _ in data["val"]], [t for t, _ in data["train"]]
    import sentence_transformers  # noqa: F401 - imported first, so neither encoder's memory counts the library

    models: dict[str, Any] = {}
    memory: dict[str, int] = {}
    for name in ENCODERS:  # loaded one after the other: each one's memory is the rise it causes
        before = rss_mb()
        models[name] = shared_model(name)
        models[name].encode(["warm up"])
        memory[name] = round(rss_mb() - before)
    single: dict[str, list[float]] = {name: [] for name in models}
    batch: dict[str, list[float]] = {name: [] for name in models}
    for r in range(args.rounds):  # a different slice each round: nothing is cached between rounds
        questions = val[r * args.questions:(r + 1) * args.questions]
        texts = train[r * args.batch_texts:(r + 1) * args.batch_texts]
        for name, model in models.items():
            single[name].append(one_at_a_time(model, questions))
            batch[name].append(batched(model, texts))
    out = {name: {"ms_per_question": round(statistics.median(single[name]), 1),
                  "texts_per_second_batched": round(statistics.median(batch[name]), 1),
                  "memory_mb": memory[name]} for name in models}
    out["mpnet_over_minilm"] = {
        "per_question": round(out["mpnet"]["ms_per_question"] / out["minilm"]["ms_per_question"], 2),
        "per_text_batched": round(out["minilm"]["texts_per_second_batched"]
                                  / out["mpnet"]["texts_per_second_batched"], 2)}
    print(json.dumps(out, indent=2))
    print(f"command: python -m bench.encoder_cost {' '.join(argv or sys.argv[1:])}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
