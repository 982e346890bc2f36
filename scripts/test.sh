#!/usr/bin/env bash
# Set up, then run linters, type checks and the whole test suite (real kernel, real local model).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh "local,test"
.venv/bin/ruff check jupyter_forge tests benchmarks scripts
.venv/bin/mypy
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
