"""ModelKeeper: serve the last stored version of each learnt model; fit only when none can be loaded.

At start every process (serve, worker, chat) loads the newest stored suggestion, routing and cause models
from the database instead of fitting them from the whole history. Only when none is stored (a fresh
database) or the stored one cannot be read does it fit, once, and store what it fitted. Afterwards
`tick` (run by the Relearner, off the request path) picks up versions other processes stored, stores the
cause index when re-clustering rebuilt it here, and, where allowed, refits a model whose history grew.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from adapters.db.claims import SqlJobClaims
from adapters.db.model_inputs import SqlModelInputs
from adapters.db.model_store import SqlModelStore, digest
from adapters.learnt_model import Fitted, Model
from adapters.loaded_models import LoadedModels
from adapters.model_kinds import CauseModel
from adapters.search.codec import pack, unpack
from core.ports import Clock

log = logging.getLogger("fixloop.models")
REFIT_SHARE = 0.05  # refit once this share of new history (over what the stored model learnt) arrived
CLAIM_TTL = timedelta(minutes=30)  # one replica refits a version; another may take over after this


@dataclass(frozen=True)
class Served:
    """Which version of a model this process serves, and what it covers."""

    version: int | None  # None: fitted here but not stored (the save lost a race or failed)
    fitted_at: datetime
    examples: int
    watermark: datetime | None
    meta: dict[str, Any]

    def public(self) -> dict[str, object]:
        """For /healthz."""
        shown: dict[str, object] = {"version": self.version, "fitted_at": self.fitted_at.isoformat(),
                                    "examples": self.examples}
        if self.meta.get("abstention"):  # why the bot stays quiet where it does (SuggestionModel.meta)
            shown["abstention"] = self.meta["abstention"]
        return shown


class ModelKeeper:
    """Loads, fits, stores and refreshes the learnt models of one process."""

    def __init__(self, models: list[Model], store: SqlModelStore, inputs: SqlModelInputs, *, clock: Clock,
                 claims: SqlJobClaims | None = None, refit: bool = False, share: float = REFIT_SHARE,
                 loaded: LoadedModels | None = None) -> None:
        self.models, self.store, self.inputs, self.clock = models, store, inputs, clock
        self.loaded = loaded or LoadedModels()  # models this process's other runtime already decoded
        self.claims, self.refit, self.share = claims, refit, share
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self)}"
        self.served: dict[str, Served] = {}
        self.fits: Counter[str] = Counter()  # fits this process ran, per model: 0 when all were loaded
        self._cause_loads: dict[str, int] = {}
        self._soon: dict[str, asyncio.Task[None]] = {}  # background refits asked for by a change here

    def versions(self) -> dict[str, dict[str, object]]:
        """What /healthz shows: each model's served version."""
        return {name: served.public() for name, served in self.served.items()}

    async def start(self) -> None:
        """Load each model's newest stored version; fit and store the ones that cannot be loaded."""
        for model in self.models:
            try:
                if await self._load_newest(model):
                    continue
                log.info("no stored %s model: fitting one from the history", model.name)
            except Exception as exc:  # a bad blob must not keep the process from serving
                log.warning("stored %s model could not be loaded (%s: %s): fitting it again", model.name,
                            type(exc).__name__, exc)
            await self.fit_and_store(model)

    async def _load_newest(self, model: Model) -> bool:
        head = await self.store.head(model.name)
        if head is None:
            return False
        started = time.perf_counter()
        context = await model.context()
        if not model.covers(head.meta, context):
            log.info("stored %s model v%d was fitted over other articles: fitting it again", model.name,
                     head.version)
            return False
        make = getattr(model, "make", None)
        fitted = self.loaded.find(model.name, head.digest, make, context) if make else None
        how = "shared with this process's other runtime" if fitted else "loaded"
        if fitted is None:
            blob = await self.store.blob(model.name, head.version, head.digest)
            fitted = await asyncio.to_thread(lambda: model.load(unpack(blob), context))
            del blob  # the decoded arrays are what is kept: free the 100+ MB blob before the next load
            if make:
                self.loaded.keep(model.name, head.digest, make, fitted)
        model.swap(fitted)
        self.served[model.name] = Served(head.version, head.fitted_at, head.examples, head.watermark,
                                         head.meta)
        self._mark(model)
        log.info("serving stored %s model v%d (fitted %s on %d examples; %s in %.2f s)",
                 model.name, head.version, head.fitted_at.isoformat(), head.examples, how,
                 time.perf_counter() - started)
        return True

    async def fit_and_store(self, model: Model) -> None:
        """Fit from the database on a worker thread, swap it in, store it as the next version."""
        started, now = time.perf_counter(), self.clock.now()
        watermark, resolved = await self.inputs.newest_resolution(), await self.inputs.resolved()
        context, data = await model.context(), await model.data()
        fitted = await asyncio.to_thread(model.fit, data, context)
        model.swap(fitted)
        self.fits[model.name] += 1
        seconds = time.perf_counter() - started
        meta = {**model.meta(context), "resolved": resolved, "fit_seconds": round(seconds, 2)}
        await self._save(model, now, fitted.examples, watermark, meta, fitted)
        log.info("fitted the %s model on %d examples in %.1f s", model.name, fitted.examples, seconds)

    async def _save(self, model: Model, now: datetime, examples: int, watermark: datetime | None,
                    meta: dict[str, Any], fitted: Fitted | None) -> None:
        blob = await asyncio.to_thread(lambda: pack(model.state()))
        version = await self.store.save(model.name, blob, fitted_at=now, examples=examples,
                                        watermark=watermark, meta=meta)
        make = getattr(model, "make", None)
        if version is not None and make and fitted is not None:  # this process's other runtime serves it too
            self.loaded.keep(model.name, digest(blob), make, fitted)
        self.served[model.name] = Served(version, now, examples, watermark, meta)
        self._mark(model)
        log.info("stored the %s model as version %s (%d bytes)", model.name, version, len(blob))

    def _mark(self, model: Model) -> None:
        if isinstance(model, CauseModel):
            self._cause_loads[model.name] = model.matcher.loads

    async def refit_now(self, name: str) -> None:
        """Fit one model now and store it as its next version (e.g. after `fixloop import kb`)."""
        await self.fit_and_store(next(m for m in self.models if m.name == name))

    def refit_soon(self, name: str) -> None:
        """Refit one model on a background task now (e.g. an article was published here)."""
        model = next(m for m in self.models if m.name == name)
        running = self._soon.get(name)
        if running is not None and not running.done():
            running.add_done_callback(lambda _: self.refit_soon(name))  # once more, with the newest change
            return
        self._soon[name] = asyncio.get_running_loop().create_task(self._refit_logged(model))

    async def _refit_logged(self, model: Model) -> None:
        try:
            await self.fit_and_store(model)
        except Exception:  # the next tick tries again: the change is in the database
            log.warning("background refit of the %s model failed", model.name, exc_info=True)

    async def close(self) -> None:
        """Stop background refits still running (the next process or tick redoes them)."""
        for task in self._soon.values():
            task.cancel()
        await asyncio.gather(*self._soon.values(), return_exceptions=True)

    async def tick(self) -> int:
        """Pick up newer versions, store a cause index rebuilt here, refit what grew; how many changed."""
        if not self.served:
            return 0  # never started (a report-only process): nothing is served, nothing to share
        newest, changed = await self.store.versions(), 0
        for model in self.models:
            served = self.served.get(model.name)
            if served is not None and newest.get(model.name, 0) > (served.version or 0):
                changed += await self._load_newest(model)
            elif isinstance(model, CauseModel) and model.matcher.loads != self._cause_loads.get(model.name):
                context = await model.context()  # re-clustering rebuilt the index here: share it
                texts = model.matcher.texts  # what /healthz says it learnt from: texts, not causes
                await self._save(model, self.clock.now(), texts, served.watermark if served else None,
                                 model.meta(context), Fitted(model.matcher.retriever, None, texts))
                changed += 1
            elif (self.refit and served is not None and await self._grown(model, served)
                  and await self._claim(model, served)):
                await self.fit_and_store(model)
                changed += 1
        return changed

    async def _grown(self, model: Model, served: Served) -> bool:
        return await model.grown(served.meta, max(1, int(served.examples * self.share)))

    async def _claim(self, model: Model, served: Served) -> bool:
        """One replica refits from a given version; the others pick its result up."""
        if self.claims is None:
            return True
        return await self.claims.claim(f"refit-{model.name}", served.fitted_at, self.owner, CLAIM_TTL)
