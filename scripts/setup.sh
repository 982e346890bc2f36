#!/usr/bin/env bash
# Create .venv and install jupyter_forge with the given extras (idempotent, reuses pip's cache).
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-local}"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
case ",$extras," in
    *,local,*|*,local-1.5b,*) bash scripts/build_llama_wheel.sh .venv/bin/python ;;
esac
echo "installing jupyter_forge[$extras] (llama-cpp-python compiles from source the first time: ~10-15 min on 2 cores)" >&2
.venv/bin/python -m pip install --quiet --progress-bar off -e ".[$extras]"
