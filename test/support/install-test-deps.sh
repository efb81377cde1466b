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
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "test dependencies: $* missing and no apt-get here; install them with your package manager" >&2
    echo "  (macOS: brew install rclone awscli), then run npm run test:deps again" >&2
    exit 1
  fi
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

# The aws-cli tests use /usr/bin/aws when it exists (Debian's v2; a pip-installed v1 may come first on
# the PATH), else `aws` on the PATH (Homebrew's v2).
aws_cli=/usr/bin/aws
if [ ! -x "$aws_cli" ]; then aws_cli="$(command -v aws || true)"; fi
if [ -n "$aws_cli" ] && "$aws_cli" --version 2>&1 | grep -q '^aws-cli/2\.'; then
  echo "== test dependencies: aws-cli v2 already installed ($("$aws_cli" --version 2>&1))"
else
  echo "== test dependencies: aws-cli v2 (apt-get awscli)"
  apt_install awscli
fi
