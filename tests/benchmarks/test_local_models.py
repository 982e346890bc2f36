"""The model-cost benchmark refuses what it cannot measure, before starting any server."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import local_models


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--models", "gpt-4o-mini"], "not an embedded model"),
        (["--rounds", "0"], "--rounds must be at least 1"),
    ],
)
def test_bad_arguments_are_one_line_errors(argv: list[str], says: str) -> None:
    with pytest.raises(SystemExit, match=says):
        local_models.main(argv)


def test_a_model_that_is_not_installed_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(local_models, "model_path", lambda spec: tmp_path / f"{spec.key}.gguf")
    with pytest.raises(SystemExit, match="jupyter-forge model pull"):
        local_models.main(["--models", "local"])
