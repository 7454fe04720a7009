#!/usr/bin/env bash
# End-to-end tests of the chat app in headless Chromium: installs Debian's chromium (apt-get) and Playwright
# from PyPI (into the active virtual environment; Playwright's own browser download is not used), then runs the
# tests marked `e2e`. Screenshots are written to test-artifacts/. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${VIRTUAL_ENV:-}" ]]; then
    echo "No active virtual environment: run 'source .venv/bin/activate' (or 'make test' once) first." >&2
    exit 2
fi

if [[ ! -x /usr/bin/chromium ]]; then
    if [[ "$(id -u)" == "0" ]]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
fi

python -m pip install --quiet -e '.[dev,e2e]'
mkdir -p test-artifacts
python -m pytest -m e2e "$@"
