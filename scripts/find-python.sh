#!/usr/bin/env bash
# Prints the path of the first Python 3.12+ found on PATH or under pyenv; prints nothing if none.
candidates=(python3.13 python3.12 python3)
for name in "${candidates[@]}"; do
  if command -v "$name" >/dev/null 2>&1; then candidates_paths+=("$(command -v "$name")"); fi
done
root="${PYENV_ROOT:-$HOME/.pyenv}"
for dir in "$root"/versions/3.13* "$root"/versions/3.12* "$root"/versions/3.1[4-9]*; do
  [ -x "$dir/bin/python" ] && candidates_paths+=("$dir/bin/python")
done
for py in "${candidates_paths[@]}"; do
  if "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    echo "$py"; exit 0
  fi
done
exit 0
