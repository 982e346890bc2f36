#!/usr/bin/env bash
# Install Debian's chromium for the browser UI tests (tests/ui); a no-op when it is there.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "install_chromium.sh: /usr/bin/chromium is missing and installing it needs root (or sudo): apt-get install chromium" >&2
    exit 1
fi
echo "installing chromium with apt-get (for the browser UI tests)" >&2
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
