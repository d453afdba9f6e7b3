#!/bin/sh
# The `browser` test: the report's page opened in a real browser (headless
# Chromium). It must load with no console message, draw every plot and
# image, give each claim a verdict, and sort and filter its cell table: the
# page's own #selftest hook clicks the column heads and types a filter as a
# reader would and writes what it found into the DOM, dumped here. A
# screenshot is kept beside the test's output. No Chromium is a failure
# with its reason, not a skip: CI installs it (.ci/setup).
# Usage: browser.sh SWITCHBENCH RESULTS.json OUT_DIR
set -u
sb=${1:?usage: browser.sh SWITCHBENCH RESULTS.json OUT_DIR}
results=${2:?usage}
out=${3:?usage}
fail() { echo "browser: FAIL: $*"; exit 1; }

chrome=$(command -v chromium || command -v chromium-browser) ||
  fail "chromium is not installed (apt-get install chromium; .ci/setup installs it)"
rm -rf "$out" && mkdir -p "$out" || fail "cannot make $out"
cp "$results" "$out/run.json" || fail "cannot copy $results"
"$sb" report "$out/run.json" >"$out/report.log" 2>&1 ||
  fail "switchbench report failed: $(cat "$out/report.log")"
page=$out/run.html
[ -s "$page" ] || fail "no page at $page"
case $page in /*) ;; *) page=$PWD/$page ;; esac

# Offline and quiet: no network service, no update, no first-run page, a
# fresh profile each time.
set -- --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --virtual-time-budget=5000
timeout 180 "$chrome" "$@" --user-data-dir="$out/profile-dom" \
  --enable-logging=stderr --v=0 --dump-dom "file://$page#selftest" \
  >"$out/dom.html" 2>"$out/chromium.log" ||
  fail "chromium exited with $? (log: $out/chromium.log)"
sed -n '/<pre id="selftest"/,/<\/pre>/p' "$out/dom.html" | sed 's/<[^>]*>//g' |
  tee "$out/selftest.txt"
grep -q '<pre id="selftest" data-result="pass"' "$out/dom.html" ||
  fail "the page's self-test did not pass (see above, $out/dom.html)"
grep -q '^PASS verdicts: ' "$out/selftest.txt" || fail "no verdict check ran"
grep -q '^PASS sort median ascending' "$out/selftest.txt" || fail "no sort check ran"
if grep 'CONSOLE' "$out/chromium.log"; then
  fail "the page wrote to the console (above)"
fi

timeout 180 "$chrome" "$@" --user-data-dir="$out/profile-shot" \
  --hide-scrollbars --window-size=1280,3000 \
  --screenshot="$out/screenshot.png" "file://$page" >/dev/null 2>&1 ||
  fail "chromium could not take the screenshot"
[ -s "$out/screenshot.png" ] || fail "empty screenshot"
rm -rf "$out/profile-dom" "$out/profile-shot"
echo "browser: ok; page $page, screenshot $out/screenshot.png"
