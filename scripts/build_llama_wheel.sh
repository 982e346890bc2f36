#!/usr/bin/env bash
# Install llama-cpp-python built for any x86-64 CPU with AVX2 (GGML_NATIVE=OFF), from a wheel
# kept in ~/.cache/jupyter_forge/wheels.
#
# Why: by default llama.cpp compiles for the build machine's own CPU (-march=native), and pip
# caches that wheel under the sdist's name only: a machine with another CPU then reuses it and
# the model server dies with SIGILL (invalid opcode) on its first request.
set -euo pipefail
python="$1"
version="$(sed -n 's/.*"llama-cpp-python\[server\]==\([0-9.]*\)".*/\1/p' pyproject.toml | head -n1)"
flags="-DGGML_NATIVE=OFF"
wheels="${XDG_CACHE_HOME:-$HOME/.cache}/jupyter_forge/wheels/llama-cpp-python-$version-portable"
if "$python" -c "import llama_cpp, sys; sys.exit(0 if llama_cpp.__version__ == '$version' else 1)" 2>/dev/null \
    && [ -f "$(dirname "$python")/../.llama-portable" ]; then
    exit 0
fi
if ! ls "$wheels"/llama_cpp_python-"$version"-*.whl >/dev/null 2>&1; then
    echo "building llama-cpp-python $version for any AVX2 CPU ($flags): ~10-15 min on 2 cores, once" >&2
    mkdir -p "$wheels"
    CMAKE_ARGS="$flags" "$python" -m pip wheel --quiet --no-cache-dir --no-deps \
        --no-binary llama-cpp-python -w "$wheels" "llama-cpp-python==$version"
fi
"$python" -m pip install --quiet --force-reinstall --no-deps "$wheels"/llama_cpp_python-"$version"-*.whl
touch "$(dirname "$python")/../.llama-portable"
