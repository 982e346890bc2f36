"""`%load_ext jupyter_forge` must stay cheap: slow libraries load on first use."""

from __future__ import annotations

import subprocess
import sys


def test_loading_the_extension_imports_no_slow_libraries() -> None:
    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "shell.run_line_magic('load_ext', 'jupyter_forge')\n"
        "assert 'forge' in shell.magics_manager.magics['cell']\n"
        "print(sorted(m for m in ('litellm', 'nbformat', 'jsonschema') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
