#!/usr/bin/env bash
# Installs what the end-to-end tests talk to besides Node: moto's server (PyPI, pinned in
# requirements.txt), rclone and aws-cli v2 (Debian's packages). Safe to run again: what is present is
# skipped.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

echo "== test dependencies: moto (python3 -m pip)"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r "${here}/requirements.txt"

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if ! $sudo apt-get install -y --no-install-recommends "$@"; then
    $sudo apt-get update
    $sudo apt-get install -y --no-install-recommends "$@"
  fi
}

if command -v rclone >/dev/null 2>&1; then
  echo "== test dependencies: rclone already installed ($(rclone version | head -n 1))"
else
  echo "== test dependencies: rclone (apt-get)"
  apt_install rclone
fi

# The aws-cli tests use /usr/bin/aws (Debian's v2), not a pip-installed v1 that may come first on the PATH.
if [ -x /usr/bin/aws ] && /usr/bin/aws --version 2>&1 | grep -q '^aws-cli/2\.'; then
  echo "== test dependencies: aws-cli v2 already installed ($(/usr/bin/aws --version 2>&1))"
else
  echo "== test dependencies: aws-cli v2 (apt-get awscli)"
  apt_install awscli
fi
