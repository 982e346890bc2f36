"""The on-disk side of the embedded local model: where files live and how verified ones land.

Kept apart from `server_process.py` (which runs servers) so that the CLI and tests can ask
"where would it go?" or assemble a file without touching processes. Directories
follow one rule each: an explicit environment variable wins, then the platform
convention. Files appear only complete and verified (temp file + atomic rename).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from ..core.environment import RUNTIME, from_env
from ..core.errors import ModelError
from ..core.files import cache_dir, write_atomic

CHUNK = 1 << 20
ByteProgress = Callable[[int, int], None]
RUNTIME_ENV = RUNTIME.name


def models_dir() -> Path:
    """Assembled GGUF files and their verification sidecars: large and derived from
    installed packages, so they live in the cache, never in site-packages."""
    return cache_dir() / "models"


def runtime_dir() -> Path:
    """Per-user, per-boot state: server records, the start lock and server logs.

    Jupyter's runtime dir is where kernels already keep their connection files,
    so every kernel of the same user finds the same shared model server there.
    """
    explicit = from_env(RUNTIME)
    if explicit:
        return Path(explicit).expanduser()
    try:
        from jupyter_core.paths import jupyter_runtime_dir
    except ImportError:  # pragma: no cover - jupyter_core comes with ipykernel
        return Path.home() / ".local" / "share" / "jupyter" / "runtime" / "jupyter_forge"
    return Path(jupyter_runtime_dir()) / "jupyter_forge"


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (owner-only when we create it) and return it.

    The runtime dir holds server pids and ports; other users should not be able
    to plant a state file that points our kernels at their server.
    """
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def installed_data_file(package: str, filename: str) -> tuple[Path, str] | None:
    """The installed file named `filename` inside distribution `package`, and its version.

    Reads only the distribution's RECORD (via importlib.metadata): the data
    packages' publishers are unknown, so their code is never imported or run.
    Returns None when the distribution is not installed. Raises LookupError when
    it is installed but holds no single such file.
    """
    try:
        dist = metadata.distribution(package)
    except metadata.PackageNotFoundError:
        return None
    matches = [f for f in (dist.files or ()) if f.name == filename]
    if len(matches) != 1:
        raise LookupError(
            f"{package} {dist.version} holds {len(matches)} files named {filename}, expected 1"
        )
    return Path(str(dist.locate_file(matches[0]))), dist.version


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Readers never see a half-written record, even when two processes race (private:
    the server's state is nobody else's business)."""
    write_atomic(path, json.dumps(data), mode=None, durable=False)


def sidecar_path(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def write_sidecar(target: Path, sha256: str) -> None:
    """Record what was verified so the next pull need not re-hash hundreds of MB."""
    st = target.stat()
    record = {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns, "ino": st.st_ino}
    write_json_atomic(sidecar_path(target), record)


def sidecar_ok(target: Path, size: int, sha256: str) -> bool:
    """True when the file is exactly the one we verified (same hash claim, size, mtime, inode)."""
    try:
        st = target.stat()
        record = json.loads(sidecar_path(target).read_text())
    except (OSError, ValueError):
        return False
    expected = dict(sha256=sha256.lower(), size=size, mtime_ns=st.st_mtime_ns, ino=st.st_ino)
    return st.st_size == size and record == expected


def copy_hashing(
    sources: Sequence[Path], out: IO[bytes] | None, size: int, progress: ByteProgress | None
) -> tuple[str, int]:
    """SHA-256 and byte count of the concatenated sources, copying them to `out` if given."""
    digest = hashlib.sha256()
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    done = 0
    for source in sources:
        with open(source, "rb") as src:
            while n := src.readinto(buf):
                digest.update(view[:n])
                if out is not None:
                    out.write(view[:n])
                done += n
                if progress is not None:
                    progress(done, size)
    return digest.hexdigest(), done


def _drop_stale_temps(target: Path, age: float = 600.0) -> None:
    """Remove temp files left by assemblies that crashed (a live one writes every moment)."""
    cutoff = time.time() - age
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()


def assemble(
    parts: Sequence[Path],
    target: Path,
    size: int,
    sha256: str,
    progress: ByteProgress | None = None,
    *,
    fix: str = "reinstall the packages that hold these parts",
) -> Path:
    """Concatenate `parts` into `target`, hashing while copying; the target appears only verified.

    Writes to a temp file next to the target and renames it into place, so a
    crash, a full disk or a bad hash never leaves a file that looks usable.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        total = sum(Path(p).stat().st_size for p in parts)
    except FileNotFoundError as exc:
        raise ModelError(f"a part of the local model is missing ({exc.filename}): {fix}") from None
    if total != size:
        raise ModelError(
            f"the local model's parts add up to {total:,} bytes, expected {size:,}: "
            f"its data packages are corrupt or changed; {fix}"
        )
    free = shutil.disk_usage(target.parent).free
    if free < size:
        raise ModelError(
            f"not enough disk space in {target.parent} for the local model "
            f"({size / 2**20:.0f} MiB needed, {free / 2**20:.0f} MiB free): "
            "free some space or point JUPYTER_FORGE_CACHE at another disk"
        )
    _drop_stale_temps(target)
    hashed: list[tuple[str, int]] = []

    def write(out: IO[Any]) -> None:
        actual, done = copy_hashing([Path(p) for p in parts], out, size, progress)
        hashed.append((actual, done))
        if done != size or actual != sha256.lower():  # raised before the rename: no model
            raise ModelError(
                f"the assembled local model has SHA-256 {actual[:16]}… ({done:,} bytes), "
                f"expected {sha256[:16]}… ({size:,} bytes): its data packages are corrupt "
                f"or changed; {fix}"
            )

    try:
        write_atomic(target, write, binary=True)
    except OSError as exc:
        raise ModelError(f"could not assemble the local model into {target}: {exc}") from exc
    actual = hashed[0][0]
    write_sidecar(target, actual)
    return target
