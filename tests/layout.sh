#!/bin/sh
# The `layout` test: the folders follow the dependency graph, in the
# #include lines and in the CMake target links alike, and files stay small.
#   runtimes/core        reaches nothing else
#   runtimes/os          runtimes/core
#   runtimes/primitives  runtimes/core, runtimes/os
#   runtimes/<runtime>   runtimes/core, runtimes/os (single, steal, ...)
#   threads/             runtimes/core, runtimes/os
#   workloads/           runtimes/ (never threads/ or harness/)
#   harness/             everything below it
#   tests/               everything
# An include is resolved as the compiler does: beside the including file,
# then from the project root (the one include directory), then, for the
# harness and the tests, from harness/ (the face's headers). A link is read
# from the target_link_libraries calls, a target's folder being the folder
# of the CMake file that adds it. Given the build directory too, the built
# libraries are read with nm: every symbol a library leaves undefined must
# be defined in a library its folder may reach (no call up at link time).
# Usage: layout.sh SOURCE_DIR [BUILD_DIR]
set -u
root=${1:?usage: layout.sh SOURCE_DIR [BUILD_DIR]}
build=${2:-}
case $build in /* | "") ;; *) build=$PWD/$build ;; esac
cd "$root" || exit 1
max_lines=400
# Files allowed above max_lines, each with its reason.
exceptions='
harness/results_read.c  the face'"'"'s results reader, reworked by issue 11 items 5-6
harness/run.c           the face'"'"'s run command, reworked by issue 11 items 5-6
'
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

find runtimes threads workloads harness tests -type f >"$tmp/files"
grep -E '\.(c|h|cc|S)$' "$tmp/files" | sort >"$tmp/sources"
grep -E '\.(c|h|cc|S|sh)$' "$tmp/files" | sort >"$tmp/sized"
find . \( -path ./build -o -path './build-*' -o -path ./.git \) -prune -o \
  \( -name CMakeLists.txt -o -name '*.cmake' \) -print |
  sed 's|^\./||' | sort >"$tmp/cmakes"

# The layers and the arrows, shared by both checks.
cat >"$tmp/rules.awk" <<'AWK'
function layer(p,   a, n) {
  n = split(p, a, "/")
  if (a[1] == "runtimes" && n > 2) return a[1] "/" a[2]
  return a[1]
}
function allowed(from, to) {
  if (from == to || from == "tests") return 1
  if (from == "harness") return to ~ /^runtimes/ || to == "threads" || to == "workloads"
  if (from == "workloads") return to ~ /^runtimes/
  if (from == "runtimes/os") return to == "runtimes/core"
  if (from == "runtimes/core") return 0
  if (from == "threads" || from ~ /^runtimes\//)
    return to == "runtimes/core" || to == "runtimes/os"
  return 0
}
AWK

# ---- includes -------------------------------------------------------------
xargs grep -H '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' <"$tmp/sources" \
  >"$tmp/includes" || true
cat >"$tmp/includes.awk" <<'AWK'
  FNR == NR { have[$0] = 1; next }
  {
    f = substr($0, 1, index($0, ":") - 1)
    name = $0; sub(/^[^"]*"/, "", name); sub(/".*/, "", name)
    dir = f; sub(/\/[^\/]*$/, "", dir)
    from = layer(f)
    if ((dir "/" name) in have) to = dir "/" name
    else if (name in have) to = name
    else if ((from == "harness" || from == "tests") && ("harness/" name) in have)
      to = "harness/" name
    else if (name == "sb_commit.h") next  # generated at build time (harness/commit.cmake)
    else { print "layout: " f ": #include \"" name "\" names no file"; bad++; next }
    n++
    if (!allowed(from, layer(to))) {
      print "layout: " f ": #include \"" name "\": " from " may not reach " layer(to)
      bad++
    }
  }
  END { print "layout: " n " includes checked"; exit bad > 0 }
AWK
awk -f "$tmp/rules.awk" -f "$tmp/includes.awk" "$tmp/files" "$tmp/includes" ||
  fails=1

# ---- CMake links ------------------------------------------------------------
cat >"$tmp/links.awk" <<'AWK'
  FNR == 1 { dir = FILENAME; sub(/\/?[^\/]*$/, "", dir) }
  match($0, /^[ \t]*add_(library|executable)\([A-Za-z_][A-Za-z0-9_]*/) {
    t = substr($0, RSTART, RLENGTH); sub(/.*\(/, "", t)
    folder[t] = dir == "" ? "." : dir
  }
  /target_link_libraries\(/ { on = 1; call = "" }
  on {
    call = call " " $0
    if (index($0, ")")) {
      on = 0
      sub(/.*target_link_libraries\(/, "", call); sub(/\).*/, "", call)
      calls[++ncalls] = call
    }
  }
  END {
    for (i = 1; i <= ncalls; i++) {
      k = split(calls[i], w, /[ \t]+/)
      t = ""
      for (j = 1; j <= k; j++) {
        if (w[j] == "" || w[j] ~ /^(PUBLIC|PRIVATE|INTERFACE)$/) continue
        if (t == "") { t = w[j]; continue }
        if (!(t in folder) || !(w[j] in folder)) continue # ${name}, system
        n++
        from = layer(folder[t] "/x"); to = layer(folder[w[j]] "/x")
        if (!allowed(from, to)) {
          print "layout: CMake: " t " (" from ") links " w[j] " (" to ")"
          bad++
        }
      }
    }
    print "layout: " n " links between targets checked"
    exit bad > 0
  }
AWK
xargs awk -f "$tmp/rules.awk" -f "$tmp/links.awk" <"$tmp/cmakes" || fails=1

# ---- symbols of the built libraries -------------------------------------------
if [ -n "$build" ]; then
  (cd "$build" && find runtimes threads workloads harness -name 'lib*.a' |
    sort) >"$tmp/libs" 2>/dev/null
  while read -r lib; do
    nm --defined-only "$build/$lib" 2>/dev/null |
      awk -v l="$lib" 'NF == 3 && $2 ~ /^[TDBR]$/ { print "def " l " " $3 }'
    nm -u "$build/$lib" 2>/dev/null |
      awk -v l="$lib" '$1 == "U" && $2 ~ /^sb/ { print "use " l " " $2 }'
  done <"$tmp/libs" >"$tmp/symbols"
  cat >"$tmp/symbols.awk" <<'AWK'
  $1 == "def" { at[$3] = $2; next }
  $1 == "use" && !(($2 " " $3) in seen) { seen[$2 " " $3]; n++; lib[n] = $2; sym[n] = $3 }
  END {
    for (i = 1; i <= n; i++) {
      if (!(sym[i] in at)) continue # defined by a test or the executable
      from = layer(lib[i]); to = layer(at[sym[i]])
      if (!allowed(from, to)) {
        print "layout: " lib[i] " (" from ") needs " sym[i] " from " \
              at[sym[i]] " (" to ")"
        bad++
      }
      k++
    }
    print "layout: " k " symbols between libraries checked"
    exit bad > 0
  }
AWK
  awk -f "$tmp/rules.awk" -f "$tmp/symbols.awk" "$tmp/symbols" || fails=1
fi

# ---- file size ------------------------------------------------------------
{ echo "$exceptions"; echo "--"; xargs wc -l <"$tmp/sized"; } | awk -v max="$max_lines" '
  $0 == "--" { counting = 1; next }
  !counting { if (NF) { f = $1; $1 = ""; sub(/^ +/, ""); why[f] = $0 }; next }
  $2 == "total" || $1 <= max { next }
  $2 in why { print "layout: " $2 ": " $1 " lines, allowed: " why[$2]; next }
  { print "layout: " $2 ": " $1 " lines, more than " max \
          " (split it, or list it here with a reason)"; bad++ }
  END { exit bad > 0 }
' || fails=1

if [ "${fails:-0}" -ne 0 ]; then
  echo "layout: FAILED"
  exit 1
fi
echo "layout: the folders follow the graph"
