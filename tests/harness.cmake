# tests: harness. End-to-end runs of the switchbench binary (harness_test.sh)
# checked with harness_check (jansson): the smoke test (every cell once, tiny
# sizes), bad command lines (exit 2, one line), the watchdog (a hanging and a
# crashing cell), an interrupted run finished with --resume, the floor on a
# one-core machine, and peers (a fake peer speaking the protocol).
add_executable(harness_check harness_check.c)
target_link_libraries(harness_check PRIVATE sb_face PkgConfig::JANSSON)
# The fake peer's echo server (fake_peer.sh serve execs it).
add_executable(fake_peer_serve fake_peer_serve.c)
target_link_libraries(fake_peer_serve PRIVATE Threads::Threads)
set(SB_FAKE_PEER_ENV FAKE_PEER_SERVE=$<TARGET_FILE:fake_peer_serve>)

# The runner (warm-up, per-call reset, timed region, work), the work check,
# the peers' settings and cell names, on every runtime, with a fake
# workload that has every hook of the contract.
add_executable(harness_runner harness_runner.c)
target_include_directories(harness_runner PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(harness_runner PRIVATE sb_harness)
foreach(rt ${SB_TEST_RUNTIMES})
  add_test(NAME harness/runner/${rt} COMMAND harness_runner ${rt})
  set_tests_properties(harness/runner/${rt} PROPERTIES LABELS "harness;unit"
    TIMEOUT 60)
endforeach()

set(SB_HARNESS_TEST sh ${CMAKE_CURRENT_SOURCE_DIR}/harness_test.sh)
set(SB_HARNESS_ARGS $<TARGET_FILE:switchbench> $<TARGET_FILE:harness_check>
  ${CMAKE_CURRENT_SOURCE_DIR}/fake_peer.sh)

add_test(NAME harness/smoke COMMAND ${SB_HARNESS_TEST} smoke ${SB_HARNESS_ARGS})
set_tests_properties(harness/smoke PROPERTIES LABELS "smoke;harness"
  TIMEOUT 1200)

foreach(case watchdog resume onecore peers)
  add_test(NAME harness/${case}
    COMMAND ${SB_HARNESS_TEST} ${case} ${SB_HARNESS_ARGS})
  set_tests_properties(harness/${case} PROPERTIES LABELS harness TIMEOUT 300
    ENVIRONMENT "${SB_FAKE_PEER_ENV}")
endforeach()

# sb_harness_bad(NAME ARGS...): switchbench ARGS must exit 2 with one line.
function(sb_harness_bad name)
  add_test(NAME harness/cli/${name}
    COMMAND ${SB_HARNESS_TEST} expect2 ${SB_HARNESS_ARGS} ${ARGN})
  set_tests_properties(harness/cli/${name} PROPERTIES LABELS harness
    TIMEOUT 60)
endfunction()

sb_harness_bad(no-command)
sb_harness_bad(unknown-command frobnicate)
sb_harness_bad(list-extra list extra)
sb_harness_bad(unknown-runtime run --runtime nope)
sb_harness_bad(unknown-workload run --workload nope)
sb_harness_bad(zero-workers run --workers 0)
sb_harness_bad(negative-workers run --workers -2)
sb_harness_bad(huge-workers run --workers 100000)
sb_harness_bad(bad-pin run --pin diagonal)
sb_harness_bad(zero-repetitions run --repetitions 0)
sb_harness_bad(zero-timeout run --timeout 0)
sb_harness_bad(negative-size run --workload pingpong --param n=-5)
sb_harness_bad(zero-size run --workload pingpong --param n=0)
sb_harness_bad(huge-size run --workload pingpong --param n=1000000000000)
sb_harness_bad(overflow-size run --workload pingpong
  --param n=99999999999999999999)
sb_harness_bad(unknown-param run --workload pingpong --param nope=1)
sb_harness_bad(unwritable-out run --workload floor --out /nonexistent/x.json)
sb_harness_bad(out-is-directory run --workload floor --out /)
sb_harness_bad(resume-missing run --resume /nonexistent/run.json)
sb_harness_bad(resume-and-select run --resume x.json --quick)
sb_harness_bad(retry-without-resume run --retry-failed)
sb_harness_bad(unexpected-argument run extra)
sb_harness_bad(unknown-option run --bogus)
sb_harness_bad(missing-value run --workers)
sb_harness_bad(cell-unknown cell nope/single)
sb_harness_bad(cell-bad-size cell pingpong/single/n:-1)
sb_harness_bad(zero-min-time run --min-time 0)
sb_harness_bad(bad-min-time run --min-time soon)
sb_harness_bad(cell-zero-cpus cell pingpong/single/n:10/cpus:0)
sb_harness_bad(cell-cpus-not-last cell pingpong/single/cpus:1/n:10)
sb_harness_bad(cell-peer-not-echo cell pingpong/tokio-ct/n:10 --peer /bin/true)
# The face's commands and list parse with getopt_long too: the same rule.
sb_harness_bad(list-option list --bogus)
sb_harness_bad(plot-no-file plot)
sb_harness_bad(plot-unknown-option plot x.json --bogus)
sb_harness_bad(plot-missing-value plot x.json --out)
sb_harness_bad(plot-two-files plot x.json y.json)
sb_harness_bad(report-no-file report)
sb_harness_bad(report-missing-value report x.json --out)
sb_harness_bad(compare-one-file compare x.json)
sb_harness_bad(compare-bad-gate compare x.json y.json --fail-above x)
sb_harness_bad(compare-missing-gate compare x.json y.json --fail-above)
sb_harness_bad(cell-unknown-option cell pingpong/single/n:10 --bogus)
sb_harness_bad(version-extra --version extra)

# --version: the version and the commit the results record.
add_test(NAME harness/version COMMAND ${SB_HARNESS_TEST} version
  ${SB_HARNESS_ARGS})
set_tests_properties(harness/version PROPERTIES LABELS harness TIMEOUT 120)
