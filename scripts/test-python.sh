#!/usr/bin/env bash
# test-python.sh: builds and installs the Python package (bindings/python) into a virtualenv,
# then runs its pytest suite (bindings/python/tests). The virtualenv lives in
# target/python-venv, so a second run reuses it; the Rust build shares the workspace's target
# folder and Cargo.lock.
#
# Usage: scripts/test-python.sh [PYTEST ARGS...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV=target/python-venv
if [[ ! -x $VENV/bin/python ]]; then
  python3 -m venv "$VENV" 2>/dev/null || {
    # Debian splits venv out of python3.
    apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$VENV"
  }
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q pytest
# `pip install bindings/python` as a user would: maturin (from PyPI) builds the abi3 wheel with
# cargo, in release mode, against the committed Cargo.lock.
MATURIN_PEP517_ARGS="--locked" "$VENV/bin/python" -m pip install -q --force-reinstall --no-deps ./bindings/python
"$VENV/bin/python" -c 'import ringforge, sys; print("ringforge", ringforge.SOUND_VERSION, "on Python", sys.version.split()[0])'
cd bindings/python
exec "../../$VENV/bin/python" -m pytest -q tests "$@"
