# Shared set-up for scripts/run and scripts/test (sourced, not executed):
# a Python 3.11+ virtual environment in .venv with requirements.txt installed.
# pip runs again only when requirements.txt changes.

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  PY=$(find_python) || { echo "fundapp needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)." >&2; exit 1; }
  echo "Creating .venv with $($PY --version)…"
  "$PY" -m venv .venv || exit 1
fi

stamp=.venv/.requirements.sha256
wanted=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  echo "Installing requirements…"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip || exit 1
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt || exit 1
  echo "$wanted" >"$stamp"
fi

export PATH="$PWD/.venv/bin:$PATH"
export FLASK_APP=wsgi
mkdir -p instance
# The translations the app reads (compiled from the committed .po files; cheap, so every time).
scripts/translations compile || exit 1
