#!/usr/bin/env bash
# Runs librdkafka's own test suite (Debian's librdkafka source package) against a Kafka-compatible
# broker, one allow-listed test at a time, and prints a PASS/FAIL line per test plus a final
# "N passed, N failed" line. Exits non-zero if any allow-listed test fails.
#
# Usage:
#   test/compat/librdkafka/run.sh BOOTSTRAP [ID...]   run the allow-list (or the given ids; an id
#                                                     may carry annotations, e.g. 0061:full)
#   test/compat/librdkafka/run.sh --local [ID...]     run only the broker-less ("local") tests
#   test/compat/librdkafka/run.sh --build-only        fetch + build, print the tests directory
#
# Environment:
#   EDDY_CACHE                    cache root (default ~/.cache/eddy); the source and build live in
#                                 $EDDY_CACHE/librdkafka-<debian version>/ and are reused
#   EDDY_LRK_VERSION              Debian source version (default: newest apt knows, else newest
#                                 already built in the cache)
#   EDDY_LRK_ALLOW_LIST           allow-list file (default: allow-list.txt beside this script, or
#                                 allow-list-local.txt with --local)
#   EDDY_LRK_TEST_TIMEOUT         wall-clock limit per test id, seconds (default 600)
#   EDDY_LRK_TIMEOUT_MULTIPLIER   test.timeout.multiplier for the runner (default 2)
#   EDDY_LRK_RUNNER_FLAGS         test-runner flags (default "-p1 -Q -E": sequential, quick mode,
#                                 no sockem network-emulation tests)
#   EDDY_LRK_EXTRA_CONF           extra test.conf lines, newline-separated (e.g. debug=protocol)
#   EDDY_LRK_LOG_DIR              where per-test logs go (default $EDDY_CACHE/librdkafka-logs/<time>)
#   TEST_KAFKA_VERSION            broker version the runner assumes (runner default 2.4.0)
#
# Needs the packages from .ci/install-debian.sh. The first run needs root (or sudo) once, to add a
# deb-src entry derived from the machine's existing apt sources, and network access to the mirror.
set -euo pipefail
shopt -s inherit_errexit # keep -e inside $(...) too

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
cache_root=${EDDY_CACHE:-$HOME/.cache/eddy}
# Set by main, read by run_one.
flags=()
limit=600
log_dir=

die() {
  echo "librdkafka-compat: $*" >&2
  exit 2
}
say() { echo "librdkafka-compat: $*" >&2; }

as_root() {
  if ((EUID == 0)); then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "needs root for: $* (or run it once as root)"
  fi
}

# Prints deb822 stanzas for deb-src, copied from the machine's Debian "deb" stanzas of this release,
# so the mirror is whatever the machine already uses (no host name is written into the repository).
derive_deb822_src() {
  local codename=$1 file=$2
  awk -v RS= -v ORS='\n\n' -v cn="$codename" '
    /(^|\n)Types:[ \t]*([^\n]* )?deb( |\n|$)/ {
      if (!match($0, /(^|\n)Suites:[^\n]*/)) next
      if (substr($0, RSTART, RLENGTH) !~ ("[ \t]" cn "([- \t]|$)")) next
      gsub(/(^|\n)Types:[^\n]*/, "\nTypes: deb-src"); sub(/^\n/, ""); print
    }' "$file"
}

# Same for one-line sources.list files: "deb [opts] uri suite comps" -> "deb-src ...".
derive_list_src() {
  local codename=$1 file=$2
  awk -v cn="$codename" '
    $1 == "deb" {
      i = 2
      if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
      if ($(i + 1) ~ ("^" cn "(-|$)")) { sub(/^deb/, "deb-src"); print }
    }' "$file"
}

ensure_deb_src() {
  if apt-cache showsrc librdkafka 2>/dev/null | grep -q '^Version:'; then
    return
  fi
  local codename
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [[ -n $codename ]] || die 'cannot tell the Debian release (VERSION_CODENAME) from /etc/os-release'
  local src_file=/etc/apt/sources.list.d/eddy-deb-src.sources out='' f
  for f in /etc/apt/sources.list.d/*.sources; do
    if [[ -f $f && $f != "$src_file" ]]; then
      out+=$(derive_deb822_src "$codename" "$f")$'\n\n'
    fi
  done
  if [[ -z ${out//[$'\n']/} ]]; then
    src_file=/etc/apt/sources.list.d/eddy-deb-src.list
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      if [[ -f $f && $f != "$src_file" ]]; then
        out+=$(derive_list_src "$codename" "$f")$'\n'
      fi
    done
  fi
  [[ -n ${out//[$'\n']/} ]] || die "no 'deb' entry for $codename in /etc/apt to derive deb-src from"
  say "adding $src_file (deb-src copy of the existing $codename entries)"
  printf '%s' "$out" | as_root tee "$src_file" >/dev/null
  as_root apt-get update -qq >&2
  apt-cache showsrc librdkafka 2>/dev/null | grep -q '^Version:' ||
    die 'apt still knows no librdkafka source package after adding deb-src'
}

# Versions of the libraries the build links or tests with: a change (e.g. rapidjson-dev installed
# later, which enables more checks in tests 0053/0110) triggers a rebuild.
build_fingerprint() {
  dpkg-query -W -f='${Package} ${Version}\n' zlib1g-dev libssl-dev libzstd-dev liblz4-dev \
    libsasl2-dev rapidjson-dev 2>/dev/null || true
}

# The Debian source version to use: the newest apt knows; else the newest already built in the cache
# (so a restored cache works without deb-src); else add deb-src and ask apt again.
newest_source_version() {
  local v
  v=$(apt-cache showsrc librdkafka 2>/dev/null | awk '/^Version:/ {print $2}' | sort -V | tail -n 1)
  if [[ -z $v ]]; then
    v=$(find "$cache_root" -maxdepth 3 -path '*/tests/test-runner' -printf '%P\n' 2>/dev/null |
      sed -n 's|^librdkafka-\([^/]*\)/.*|\1|p' | sort -V | tail -n 1)
  fi
  if [[ -z $v ]]; then
    ensure_deb_src
    v=$(apt-cache showsrc librdkafka | awk '/^Version:/ {print $2}' | sort -V | tail -n 1)
  fi
  [[ -n $v ]] || die 'cannot find a librdkafka source version'
  echo "$v"
}

# Fetches and builds librdkafka + tests/test-runner once per Debian version; prints the tests dir.
ensure_build() {
  local version=${EDDY_LRK_VERSION:-}
  if [[ -z $version ]]; then
    version=$(newest_source_version) || exit 2
  fi
  local upstream=${version#*:}
  upstream=${upstream%-*}
  local dir=$cache_root/librdkafka-$version
  local src=$dir/librdkafka-$upstream
  local fingerprint
  fingerprint=$(build_fingerprint)
  if [[ ! -x $src/tests/test-runner || "$(cat "$src/.eddy-build-ok" 2>/dev/null)" != "$fingerprint" ]]; then
    EDDY_APT_DRY_RUN=1 "$repo/.ci/install-debian.sh" >/dev/null ||
      die 'build tools missing: run .ci/install-debian.sh (as root) first'
    if [[ ! -f $src/configure ]]; then
      ensure_deb_src
      say "fetching librdkafka $version source into $dir"
      rm -rf "$dir" && mkdir -p "$dir"
      (cd "$dir" && apt-get source -qq "librdkafka=$version" >&2) ||
        die "apt-get source librdkafka=$version failed"
      [[ -f $src/configure ]] || die "expected $src after apt-get source"
    fi
    say "building librdkafka $upstream and tests/test-runner (log: $dir/build.log)"
    local jobs start=$SECONDS
    jobs=$(nproc)
    if ! (
      cd "$src" &&
        ./configure --no-download --disable-curl &&
        make -j"$jobs" libs &&
        make -j"$jobs" -C tests build
    ) >"$dir/build.log" 2>&1; then
      tail -n 30 "$dir/build.log" >&2
      die "build failed, see $dir/build.log"
    fi
    printf '%s\n' "$fingerprint" >"$src/.eddy-build-ok"
    say "built in $((SECONDS - start))s"
  fi
  echo "$src/tests"
}

# Reads the allow-list: a 4-digit id per line, optionally followed by annotations that change the
# runner flags for that id (blank lines and # comments are ignored):
#   full    drop quick mode -Q (quick mode skips every SUB_TEST() that is not SUB_TEST_QUICK(), so
#           some tests run nothing under -Q; others skip themselves)
#   sockem  drop -E (the test needs librdkafka's socket emulator; the build has it)
#   remote  add -L (skip the id's broker-less entries; allow-list-local.txt covers those)
# Prints "NNNN" plus ":annotation" per annotation, e.g. "0045:full:remote".
read_allow_list() {
  local file=$1 line words w out
  [[ -f $file ]] || die "allow-list not found: $file"
  while IFS= read -r line || [[ -n $line ]]; do
    read -r -a words <<<"${line%%#*}"
    ((${#words[@]} == 0)) && continue
    [[ ${words[0]} =~ ^[0-9]{4}$ ]] || die "bad line in $file: '$line'"
    out=${words[0]}
    for w in "${words[@]:1}"; do
      [[ $w == full || $w == sockem || $w == remote ]] || die "bad annotation '$w' in $file: '$line'"
      out+=:$w
    done
    echo "$out"
  done <"$file"
}

# Prints the ids that have at least one TEST_F_LOCAL (broker-less) entry in test.c's test table.
list_local_ids() {
  awk '/^struct test tests\[\] = \{/, /^};/' "$1" | tr -d ' \n' |
    grep -oE '_TEST\([0-9]{4}_[A-Za-z0-9_]+,[^,)]*' | grep TEST_F_LOCAL | cut -c7-10 | sort -u
}

# Runs one test id; prints its PASS/FAIL line and returns non-zero on failure. $2, if given, is a
# suffix for the log file name (a retry keeps the first run's log).
# Globals read: flags, limit, log_dir.
run_one() {
  local entry=$1 id=${1%%:*} f rc=0 start=$SECONDS secs rows n_pass n_fail why
  local log=$log_dir/${id}${2:-}.log
  local run_flags=()
  for f in "${flags[@]}"; do
    [[ $f == -Q && $entry == *:full* ]] && continue
    [[ $f == -E && $entry == *:sockem* ]] && continue
    run_flags+=("$f")
  done
  if [[ $entry == *:remote* ]]; then run_flags+=(-L); fi
  # In a command substitution with stderr discarded, so bash's own "Aborted" job notice (the runner
  # abort()s on a failed assertion) does not interleave with our output.
  rc=$({
    TESTS=$id timeout -k 15 "$limit" ./test-runner "${run_flags[@]}" >"$log" 2>&1
    echo $?
  } 2>/dev/null) || true
  secs=$((SECONDS - start))
  # The runner ends with a summary table: one "| name | STATE | time |" row per test considered.
  rows=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E "^\| ${id}_" || true)
  n_pass=$(grep -c ' PASSED ' <<<"$rows" || true)
  n_fail=$(grep -cE ' (FAILED|TIMEOUT|RUNNING) ' <<<"$rows" || true)
  if ((rc == 124 || rc == 137)); then
    why="timed out after ${limit}s"
  elif ((rc != 0 || n_fail > 0)); then
    why="exit code $rc"
  elif ((n_pass == 0)); then
    why="nothing ran ($(grep -m1 -oE 'SKIPPED \|[^|]*\| .*' <<<"$rows" | sed 's/.*| //' || true))"
    [[ $why == 'nothing ran ()' ]] && why='nothing ran (unknown id?)'
  else
    echo "PASS $id (${secs}s)"
    return 0
  fi
  echo "FAIL $id (${secs}s): $why; log: $log"
  # The runner reports an assertion as '### Test "NNNN_name" failed at file:line ###' + a message.
  sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -m 2 -A 1 -E '^### Test .* failed' | grep -v '^--$' |
    sed 's/^/    /' || true
  return 1
}

main() {
  local mode=broker bootstrap='' tests_dir list entry passed=0 failed=0
  local -a ids local_ids
  case "${1:-}" in
  --build-only) mode=build ;;
  --local) mode=local ;;
  '' | -h | --help)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print } /^set -euo/ { exit }' "${BASH_SOURCE[0]}"
    exit 2
    ;;
  -*) die "unknown option $1 (see --help)" ;;
  *)
    bootstrap=$1
    [[ $bootstrap == *:* ]] || die "BOOTSTRAP must be host:port[,host:port], got '$bootstrap'"
    ;;
  esac
  shift

  mkdir -p "$cache_root"
  # Serialise runs: they share the build, tests/test.conf and (usually) the broker's topic names.
  exec 9>"$cache_root/librdkafka.lock"
  flock 9

  tests_dir=$(ensure_build)
  if [[ $mode == build ]]; then
    echo "$tests_dir"
    return 0
  fi

  local default_list=$here/allow-list.txt
  if [[ $mode == local ]]; then default_list=$here/allow-list-local.txt; fi
  if (($# > 0)); then
    # An id named on the command line keeps its annotations from the mode's allow-list ("NNNN full"),
    # unless it names its own ("NNNN:full:sockem").
    list=$(read_allow_list "${EDDY_LRK_ALLOW_LIST:-$default_list}") || exit 2
    for entry in "$@"; do
      [[ $entry =~ ^[0-9]{4}(:(full|sockem|remote))*$ ]] || die "not a 4-digit test id: $entry"
      if [[ $entry != *:* ]]; then entry=$(grep -m1 -E "^$entry(:|\$)" <<<"$list" || echo "$entry"); fi
      ids+=("$entry")
    done
  elif [[ $mode == local ]]; then
    list=$(read_allow_list "${EDDY_LRK_ALLOW_LIST:-$default_list}") || exit 2
    # Only ids with a broker-less entry can pass under -l; drop the others rather than fail them.
    mapfile -t local_ids < <(list_local_ids "$tests_dir/test.c")
    mapfile -t ids < <(grep -f <(printf '^%s\\b\n' "${local_ids[@]}") <<<"$list" || true)
  else
    list=$(read_allow_list "${EDDY_LRK_ALLOW_LIST:-$default_list}") || exit 2
    mapfile -t ids <<<"$list"
  fi
  [[ ${#ids[@]} -gt 0 && -n ${ids[0]} ]] || die 'no tests to run'

  {
    echo '# written by test/compat/librdkafka/run.sh'
    if [[ -n $bootstrap ]]; then echo "bootstrap.servers=$bootstrap"; fi
    echo "test.timeout.multiplier=${EDDY_LRK_TIMEOUT_MULTIPLIER:-2}"
    if [[ -n ${EDDY_LRK_EXTRA_CONF:-} ]]; then printf '%s\n' "$EDDY_LRK_EXTRA_CONF"; fi
  } >"$tests_dir/test.conf"

  log_dir=${EDDY_LRK_LOG_DIR:-$cache_root/librdkafka-logs/$(date +%Y%m%d-%H%M%S)}
  mkdir -p "$log_dir"
  read -r -a flags <<<"${EDDY_LRK_RUNNER_FLAGS:--p1 -Q -E}"
  if [[ $mode == local ]]; then flags+=(-l); fi
  limit=${EDDY_LRK_TEST_TIMEOUT:-600}
  say "running ${#ids[@]} test(s) against ${bootstrap:-no broker (local tests only)}; logs: $log_dir"

  # The runner must load the freshly built libraries, not Debian's librdkafka1.
  export LD_LIBRARY_PATH="$tests_dir/../src:$tests_dir/../src-cpp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export RDKAFKA_GITVER="debian-source"
  cd "$tests_dir"
  rm -f stats_*.json

  # A failed test is run once more: several of librdkafka's tests have fixed client-side timeouts
  # (e.g. 0015's 7 s seek) that a loaded 2-core machine can miss. A pass on the second run is printed
  # as FLAKY so it stays visible; two failures in a row fail the run.
  for entry in "${ids[@]}"; do
    if run_one "$entry"; then
      passed=$((passed + 1))
    elif echo "RETRY ${entry%%:*}" && run_one "$entry" .retry; then
      echo "FLAKY ${entry%%:*} (passed on the second run)"
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
    fi
  done
  rm -f stats_*.json

  echo "$passed passed, $failed failed"
  ((failed == 0))
}

# Everything runs from main, and exit on the same line: bash reads a script as it runs it, so without
# the exit it would go on reading after main returns, and an edit to this file during a run would be
# read from the old offset (seen here: a fragment of a comment run as a command).
main "$@"; exit
