#!/usr/bin/env bash
# Mutation testing of modules of the core with the core's own tests (issue #33, docs/mutation-testing.md).
#
#   scripts/mutants.sh MODULE... [-- extra cargo-mutants arguments]
#   scripts/mutants.sh storage
#   scripts/mutants.sh compatibility manifest              # one run (one baseline), a score per module
#   scripts/mutants.sh storage -- -F 'sub_months'          # only the mutants whose name matches a regex
#   MUTANTS_TESTS="mutants_storage" scripts/mutants.sh storage
#
# MODULE is a file under waste-core/src without `.rs` (`storage`, `records/rules`). Runs cargo-mutants on those
# files only, with waste-core's tests (never the service's: --test-workspace=false), one mutant at a time and at
# low priority (the machine is shared), then prints per module the score (caught / viable) and every mutant missed.
#
# MUTANTS_TESTS (optional, much faster): the test targets of waste-core to try first (`lib` for the unit tests,
# else a file of waste-core/tests without `.rs`). A mutant they catch is caught by the whole suite too; every
# mutant they miss is then run again against the whole suite, so the score printed is the whole suite's either way.
#
# Tests run under `cargo test`, not nextest: nextest runs each test in a process of its own, and each one parses
# the embedded standards again (about 3 s a test on a loaded machine), where `cargo test` parses them once per binary.
# Output: target/mutants/NAME/ (NAME: the modules joined with `+`; override the parent with MUTANTS_OUT). Each test
# run times out after MUTANTS_TIMEOUT seconds (default 300): a mutant that loops forever counts as caught (timeout).
# Honours CARGO_TARGET_DIR: with one job the mutated builds share it, so dependencies are compiled once.
set -euo pipefail
cd "$(dirname "$0")/.."

modules=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  modules+=("$1")
  shift
done
[ "${1:-}" = "--" ] && shift
if [ ${#modules[@]} -eq 0 ]; then
  echo "usage: scripts/mutants.sh MODULE... [-- cargo-mutants arguments]   (MODULE: storage, site, manifest, …)" >&2
  exit 2
fi
files=()
for m in "${modules[@]}"; do
  f="waste-core/src/${m}.rs"
  if [ ! -f "$f" ]; then
    echo "mutants.sh: no such module: $f" >&2
    exit 2
  fi
  files+=(-f "$f")
done

if ! cargo mutants --version >/dev/null 2>&1; then
  echo "mutants.sh: installing cargo-mutants (cargo install --locked cargo-mutants)"
  nice -n 19 cargo install --locked cargo-mutants
fi

common=(-p waste-core "${files[@]}" --test-workspace=false --jobs 1 --no-shuffle
  --timeout "${MUTANTS_TIMEOUT:-300}")

name=$(
  IFS=+
  echo "${modules[*]}" | tr / _
)
out="${MUTANTS_OUT:-target/mutants}/${name}"
rm -rf "$out"
mkdir -p "$out"

# run DIR ARGS...: one cargo-mutants run; exit 2 (missed) and 3 (timeouts) are results, not failures.
run() {
  local dir="$1"
  shift
  local status=0
  nice -n 19 cargo mutants "${common[@]}" --output "$dir" "$@" || status=$?
  case "$status" in
    0 | 2 | 3) ;;
    *)
      echo "mutants.sh: cargo mutants failed (exit $status)" >&2
      exit "$status"
      ;;
  esac
}

# The outcomes of both passes, one file each: caught, timeout, missed, unviable.
if [ -n "${MUTANTS_TESTS:-}" ]; then
  targets=()
  for t in $MUTANTS_TESTS; do
    if [ "$t" = lib ]; then targets+=(--cargo-arg=--lib); else targets+=("--cargo-arg=--test=$t"); fi
  done
  echo "== first pass: ${MUTANTS_TESTS}"
  run "$out/quick" "${targets[@]}" "$@"
  q="$out/quick/mutants.out"
  grep . "$q/missed.txt" >"$out/recheck.txt" 2>/dev/null || true
  : >"$out/full-caught.txt"
  : >"$out/full-timeout.txt"
  : >"$out/full-missed.txt"
  if [ -s "$out/recheck.txt" ]; then
    echo "== second pass: the $(grep -c . "$out/recheck.txt") mutants the first pass missed, against every test"
    filters=()
    while IFS= read -r m; do
      filters+=(-F "^$(printf '%s' "$m" | sed 's/[][\\.^$*+?(){}|/]/\\&/g')\$")
    done <"$out/recheck.txt"
    run "$out/full" --baseline=skip "${filters[@]}"
    for o in caught timeout missed; do
      grep . "$out/full/mutants.out/$o.txt" >"$out/full-$o.txt" 2>/dev/null || true
    done
    # The first pass built these mutants, so one the second pass reports unviable failed to build for another
    # reason (a full disk, a broken test target): it stays missed, never silently dropped from the score.
    if grep . "$out/full/mutants.out/unviable.txt" >"$out/full-unbuilt.txt" 2>/dev/null; then
      echo "mutants.sh: the second pass could not build $(grep -c . "$out/full-unbuilt.txt") mutant(s) the first pass built; counted as missed (see $out/full/mutants.out/log/)" >&2
      cat "$out/full-unbuilt.txt" >>"$out/full-missed.txt"
    fi
  fi
  cat "$q/caught.txt" "$out/full-caught.txt" 2>/dev/null | grep . >"$out/caught.txt" || true
  cat "$q/timeout.txt" "$out/full-timeout.txt" 2>/dev/null | grep . >"$out/timeout.txt" || true
  cp "$out/full-missed.txt" "$out/missed.txt"
  grep . "$q/unviable.txt" >"$out/unviable.txt" 2>/dev/null || true
else
  run "$out" "$@"
  for o in caught timeout missed unviable; do
    grep . "$out/mutants.out/$o.txt" >"$out/$o.txt" 2>/dev/null || true
  done
fi

echo
for m in "${modules[@]}"; do
  file="waste-core/src/${m}.rs"
  count() { grep -c -F "$file:" "$out/$1.txt" || true; }
  caught=$(count caught)
  timeout=$(count timeout)
  missed=$(count missed)
  unviable=$(count unviable)
  viable=$((caught + missed + timeout))
  detected=$((caught + timeout))
  if [ "$viable" -gt 0 ]; then
    pct=$(awk -v d="$detected" -v v="$viable" 'BEGIN { printf "%.1f", 100 * d / v }')
  else
    pct="n/a"
  fi
  echo "== $file: caught $detected / $viable viable ($pct %); $timeout of them by timeout; $missed missed; $unviable unviable"
  if [ "$missed" -gt 0 ]; then
    echo "   missed:"
    grep -F "$file:" "$out/missed.txt" | sed 's/^/     /'
  fi
  if [ "$timeout" -gt 0 ]; then
    echo "   timeouts (counted as caught):"
    grep -F "$file:" "$out/timeout.txt" | sed 's/^/     /'
  fi
done
