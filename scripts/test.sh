#!/usr/bin/env bash
# Set up, then run linters, type checks and the whole test suite: real kernels, the real
# local model, JupyterLab in Debian's headless Chromium, the docs build (tests/docs) and
# the wheel built and installed without Node.js (tests/packaging).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh "local,test,docs"
bash scripts/install_chromium.sh
.venv/bin/ruff check jupyter_forge tests benchmarks scripts docs
.venv/bin/ruff format --check jupyter_forge tests benchmarks scripts docs
.venv/bin/mypy
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
