#!/usr/bin/env bash
# Installs the Debian packages eddy's compatibility tests need: real Kafka clients (kcat,
# kafka-python, confluent-kafka-python, all on Debian's librdkafka 2.0.2) and what building
# librdkafka's own test suite from its Debian source package needs.
#
# Idempotent and quick when everything is present: each package is checked with dpkg-query first,
# and `apt-get update` runs only when something is missing.
#
# Usage: .ci/install-debian.sh            (as root, or with sudo available)
#        EDDY_APT_DRY_RUN=1 .ci/install-debian.sh   (only report what is missing)
set -euo pipefail

packages=(
  # Kafka clients used by test/compat/*
  kcat                    # kcat 1.7.1 on librdkafka 2.0.2
  python3-kafka           # kafka-python 2.0.2 (pure Python, older protocol versions)
  python3-confluent-kafka # confluent-kafka-python 1.7.0 on librdkafka 2.0.2
  jq                      # reading `kcat -J` output in shell checks
  # building librdkafka + tests/test-runner (test/compat/librdkafka/run.sh)
  build-essential         # gcc, g++ (the suite has C++ tests), make
  dpkg-dev                # dpkg-source, used by `apt-get source`
  xz-utils                # the Debian source tarball is .tar.xz
  pkg-config
  python3                 # librdkafka's configure/mklove helpers
  zlib1g-dev
  libssl-dev
  libzstd-dev
  liblz4-dev
  libsasl2-dev
  rapidjson-dev           # tests 0053 and 0110 check stats JSON with it, and skip without it
)

# Debian's Python client packages live in /usr/bin/python3's dist-packages; a pyenv/venv python3
# earlier on PATH will not see them, so say which interpreter the compat tests must use.
python_note() {
  if ! python3 -c 'import kafka, confluent_kafka' >/dev/null 2>&1; then
    echo "install-debian: note: \`python3\` on PATH ($(command -v python3)) cannot import kafka;" \
      'use /usr/bin/python3 for the Python clients'
  fi
}

is_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == 'install ok installed' ]]
}

missing=()
for p in "${packages[@]}"; do
  is_installed "$p" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-debian: all ${#packages[@]} packages already installed"
  python_note
  exit 0
fi

echo "install-debian: missing: ${missing[*]}"
if [[ -n "${EDDY_APT_DRY_RUN:-}" ]]; then
  exit 1
fi

if ((EUID == 0)); then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo 'install-debian: must run as root (or with sudo installed)' >&2
  exit 1
fi

"${as_root[@]}" apt-get update -qq

# Fail with a clear message (rather than apt's) if a name is wrong for this release.
for p in "${missing[@]}"; do
  if ! apt-cache show "$p" >/dev/null 2>&1; then
    echo "install-debian: no package named '$p' in the configured apt sources" >&2
    exit 1
  fi
done

"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${missing[@]}"

for p in "${missing[@]}"; do
  printf 'install-debian: %s %s\n' "$p" "$(dpkg-query -W -f='${Version}' "$p")"
done
python_note
