"""``JUPYTER_FORGE_*`` variables: read one way, and only ever a trait's default."""

from __future__ import annotations

from pathlib import Path

import pytest
from traitlets.config import Config

from jupyter_forge.core import environment
from jupyter_forge.core.environment import VARIABLES, for_trait, from_env
from jupyter_forge.forge import Forge


def test_blank_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTER_FORGE_API_BASE", "  ")
    assert from_env(environment.API_BASE) is None
    monkeypatch.setenv("JUPYTER_FORGE_API_BASE", " http://h:1/v1 ")
    assert from_env(environment.API_BASE) == "http://h:1/v1"


def test_every_trait_named_exists_and_names_its_variable() -> None:
    traits = Forge.class_traits(config=True)
    for variable in VARIABLES:
        if variable.trait is None:
            continue
        owner, name = variable.trait.split(".")
        assert owner == "Forge" and name in traits, variable
        assert f"${variable.name}" in (traits[name].help or ""), variable
        assert for_trait(variable.trait) is variable


@pytest.mark.parametrize(
    ("variable", "trait", "raw", "value", "configured"),
    [
        ("JUPYTER_FORGE_APPROVE", "approve", "AUTO", "auto", "widget"),
        ("JUPYTER_FORGE_APPROVE", "approve", "sure", "widget", "auto"),
        ("JUPYTER_FORGE_API_BASE", "api_base", "http://h:1/v1", "http://h:1/v1", None),
        ("JUPYTER_FORGE_MODEL_KEEP_ALIVE", "model_keep_alive", "2m", 120.0, -1.0),
        ("JUPYTER_FORGE_USER_LIBRARY", "user_library", "/tmp/mine", "/tmp/mine", ""),
    ],
)
def test_a_variable_gives_the_default_and_config_wins(
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    trait: str,
    raw: str,
    value: object,
    configured: object,
) -> None:
    monkeypatch.setenv(variable, raw)
    assert getattr(Forge(), trait) == value
    config = Config()
    config.Forge[trait] = configured
    forge = Forge(config=config)
    assert getattr(forge, trait) == configured
    assert forge.origin(trait) == f"Forge.{trait} = {configured!r}"


def test_origin_names_the_variable_when_it_gave_the_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JUPYTER_FORGE_APPROVE", "auto")
    assert Forge().origin("approve") == "JUPYTER_FORGE_APPROVE=auto"
    monkeypatch.delenv("JUPYTER_FORGE_APPROVE")
    assert Forge().origin("approve") == "Forge.approve = 'widget'"


def test_the_user_library_default_is_the_xdg_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("JUPYTER_FORGE_USER_LIBRARY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    forge = Forge()
    assert forge.user_library == str(tmp_path / "jupyter_forge" / "tools")
    assert [lib.label for lib in forge.open_libraries(tmp_path / "p").libraries] == [
        "project",
        "user",
    ]
    forge.user_library = ""
    assert [lib.label for lib in forge.open_libraries(tmp_path / "p").libraries] == ["project"]
