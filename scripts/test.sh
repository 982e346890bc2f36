#!/usr/bin/env bash
# Set up, then run linters, type checks and the whole test suite: real kernels, the real
# local model, and JupyterLab in Debian's headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh "local,test"
bash scripts/install_chromium.sh
.venv/bin/ruff check jupyter_forge tests benchmarks scripts
.venv/bin/ruff format --check jupyter_forge tests benchmarks scripts
.venv/bin/mypy
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
