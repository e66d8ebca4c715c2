"""The stored cause index's fit on an existing database: what ModelKeeper.fit_and_store runs, less the save.

    python -m bench.cause_index_fit postgresql://postgres@127.0.0.1:5432/DB [--examples 100000]

Reads the causes and each one's newest ticket texts (adapters/model_kinds.CauseModel.data, bounded by
`--examples` as FIXLOOP_FIT_EXAMPLES bounds it), fits the TF-IDF index and packs it as it is stored. Prints
the examples, read and fit seconds, CPU seconds, the blob's size, the peak RSS and the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import time

from adapters.db.engine import make_engine
from adapters.db.model_inputs import SqlModelInputs
from adapters.db.repositories import SqlRepositories
from adapters.model_kinds import CauseModel
from adapters.search.codec import pack
from adapters.search.tfidf import TfidfRetriever
from core.cause_matching import CauseMatcher


def usage() -> tuple[float, float]:
    """(CPU seconds, peak MB) of this process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime, r.ru_maxrss / 1024


async def measure(url: str, examples: int) -> dict[str, object]:
    engine = make_engine(url)
    try:
        repos = SqlRepositories.build(engine)
        inputs = SqlModelInputs(repos.sessions)
        inputs.limit = examples
        index = lambda: TfidfRetriever(chars=False)  # noqa: E731  as bot/stored_models.py makes it
        model = CauseModel(CauseMatcher(index()), index, repos.causes, inputs)
        cpu0, base = usage()
        started = time.perf_counter()
        causes, texts = await model.context(), await model.data()
        read = time.perf_counter() - started
        fitted = await asyncio.to_thread(model.fit, texts, causes)
        model.swap(fitted)
        blob = pack(model.state())
    finally:
        await engine.dispose()
    cpu, peak = usage()
    return {"causes": len(causes), "examples": fitted.examples, "read_seconds": round(read, 1),
            "seconds": round(time.perf_counter() - started, 1), "cpu_seconds": round(cpu - cpu0, 1),
            "blob_mb": round(len(blob) / 2**20, 1), "peak_mb": round(peak), "baseline_mb": round(base),
            "load": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.cause_index_fit")
    p.add_argument("url")
    p.add_argument("--examples", type=int, default=100_000)
    args = p.parse_args(argv)
    print(json.dumps(asyncio.run(measure(args.url, args.examples))), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
