#!/usr/bin/env bash
# Set up, then forge tools in notebooks/quickstart.ipynb with the embedded local model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh local-1.5b
.venv/bin/jupyter-forge model pull
exec .venv/bin/python scripts/run_quickstart.py
