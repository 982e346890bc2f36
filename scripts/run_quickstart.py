"""Execute notebooks/quickstart.ipynb headless with the embedded local model.

Nobody can click Approve in a headless run, so the kernel gets
JUPYTER_FORGE_APPROVE=auto (tools whose samples pass are approved) and the
notebook says so in its output. Opened in JupyterLab, the same notebook shows
the approval widgets instead.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    out_dir = Path(os.environ.get("QUICKSTART_OUT", ROOT / "build" / "quickstart")).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    library = out_dir / "forge_tools"
    if library.exists():
        shutil.rmtree(library)
    nb = nbformat.read(ROOT / "notebooks" / "quickstart.ipynb", as_version=4)
    os.environ["JUPYTER_FORGE_APPROVE"] = "auto"
    started = time.perf_counter()

    def on_cell_start(cell: nbformat.NotebookNode, cell_index: int) -> None:
        first = cell.source.strip().split("\n")[0][:70]
        print(f"[{time.perf_counter() - started:6.1f}s] cell {cell_index}: {first}", flush=True)

    def on_cell_executed(cell: nbformat.NotebookNode, cell_index: int, execute_reply: dict) -> None:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/plain") or output.get("text") or ""
            if output.get("output_type") == "error":
                text = f"{output['ename']}: {output['evalue']}"
            for line in str(text).strip().split("\n")[:3]:
                if (
                    line.startswith(
                        ("forge ·", "Approved", "SpecError", "ForgeError", "ModelError")
                    )
                    or "Error" in line
                ):
                    print(f"           {line[:160]}", flush=True)

    client = NotebookClient(
        nb,
        timeout=1800,
        kernel_name="python3",
        resources={"metadata": {"path": str(out_dir)}},
        on_cell_execute=on_cell_start,
        on_cell_executed=on_cell_executed,
    )
    failed = None
    try:
        client.execute()
    except Exception as exc:  # keep the partial notebook: it shows what went wrong
        failed = exc
    target = out_dir / "quickstart.ipynb"
    nbformat.write(nb, target)
    tools = sorted(p.name for p in library.glob("*.ipynb")) if library.exists() else []
    print()
    print(f"executed notebook: {target}")
    print(f"tool library:      {library} ({len(tools)} tools: {', '.join(tools) or 'none'})")
    print(f"total time:        {time.perf_counter() - started:.0f} s")
    print(f"open it:           .venv/bin/jupyter lab {target}")
    if failed is not None:
        print(
            f"the notebook stopped with an error: {str(failed).strip().splitlines()[-1][:300]}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
