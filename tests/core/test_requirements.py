"""Missing third-party imports are found without importing anything, and mapped to PyPI names."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from jupyter_forge.core.requirements import (
    install_command,
    is_importable,
    missing_requirements,
    pypi_name,
)


def test_installed_and_stdlib_modules_are_not_missing() -> None:
    assert missing_requirements(["json", "os.path", "nbformat", "IPython"]) == []


def test_missing_modules_are_listed_once_in_order() -> None:
    wanted = ["json", "forge_no_such_module_b", "sklearn.linear_model", "forge_no_such_module_b"]
    missing = missing_requirements(wanted)
    assert missing[0] == "forge_no_such_module_b"
    assert missing.count("forge_no_such_module_b") == 1
    # scikit-learn is not a dependency of this project; if a developer has it, it is not missing.
    assert ("sklearn" in missing) == (not is_importable("sklearn"))


def test_checking_does_not_import_the_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "imported.txt"
    (tmp_path / "forge_side_effect_mod.py").write_text(
        f"open({str(marker)!r}, 'w').write('ran')\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert missing_requirements(["forge_side_effect_mod"]) == []
    assert not marker.exists()
    assert "forge_side_effect_mod" not in sys.modules


def test_names_that_are_not_identifiers_are_missing() -> None:
    assert missing_requirements(["scikit-learn", "", "  "]) == ["scikit-learn"]


def test_install_command_maps_import_names_to_pypi_names() -> None:
    command = install_command(["sklearn", "PIL", "cv2", "yaml", "bs4", "pandas", "sklearn"])
    assert command == (
        "%pip install scikit-learn pillow opencv-python pyyaml beautifulsoup4 pandas"
    )
    assert pypi_name("dateutil.parser") == "python-dateutil"
    assert pypi_name("numpy") == "numpy"


def test_install_command_quotes_odd_names_and_is_empty_for_nothing() -> None:
    assert install_command([]) == ""
    assert install_command(["a;rm -rf"]) == "%pip install 'a;rm -rf'"


def test_the_lead_s_call_shape() -> None:
    missing = missing_requirements(["json", "forge_no_such_module_x"])
    assert install_command(missing) == "%pip install forge_no_such_module_x"
