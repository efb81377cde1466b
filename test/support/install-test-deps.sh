#!/usr/bin/env bash
# Installs what the end-to-end tests talk to besides Node: moto's server (PyPI, pinned in
# requirements.txt) and rclone (Debian's package). Safe to run again: both are skipped when present.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

echo "== test dependencies: moto (python3 -m pip)"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r "${here}/requirements.txt"

if command -v rclone >/dev/null 2>&1; then
  echo "== test dependencies: rclone already installed ($(rclone version | head -n 1))"
else
  echo "== test dependencies: rclone (apt-get)"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  if ! $sudo apt-get install -y --no-install-recommends rclone; then
    $sudo apt-get update
    $sudo apt-get install -y --no-install-recommends rclone
  fi
fi
