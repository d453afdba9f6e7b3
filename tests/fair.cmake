# tests: fair. The fairness test (fair.sh, checked by fair_check): every
# workload with tiny parameters on every side, C runtimes and peers, checked
# for equal work, per-repetition counters and settings that reach every
# side. fair/peers needs the real peers (bash peers/build.sh) and skips
# (77) with the reason without them; fair/fake runs against the fake peer.
add_executable(fair_check fair_check.c)
target_link_libraries(fair_check PRIVATE PkgConfig::JANSSON m)

set(SB_FAIR_TEST sh ${CMAKE_CURRENT_SOURCE_DIR}/fair.sh)
add_test(NAME fair/peers COMMAND ${SB_FAIR_TEST} peers
  $<TARGET_FILE:switchbench> $<TARGET_FILE:fair_check>
  $<TARGET_FILE:harness_check> ${PROJECT_SOURCE_DIR})
add_test(NAME fair/fake COMMAND ${SB_FAIR_TEST} fake
  $<TARGET_FILE:switchbench> $<TARGET_FILE:fair_check>
  $<TARGET_FILE:harness_check> ${CMAKE_CURRENT_SOURCE_DIR}/fake_peer.sh)
set_tests_properties(fair/peers fair/fake PROPERTIES LABELS fair TIMEOUT 900
  SKIP_RETURN_CODE 77 ENVIRONMENT "${SB_FAKE_PEER_ENV}")
