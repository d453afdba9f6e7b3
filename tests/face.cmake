# tests: face (see CMakeLists.txt). The results reader, summary, plot,
# report, compare and merge on the synthetic files in data/ (regenerate them with
# data/make_synthetic.py and data/make_malformed.py); they need only
# sb_face, not the runtimes.
set(SB_FACE_DATA ${CMAKE_CURRENT_SOURCE_DIR}/data)
foreach(t test_face_read test_face_cmds test_face_malformed test_mannwhitney
    test_face_schema test_claims test_html test_face_merge)
  add_executable(${t} ${t}.c)
  # test.h includes sb.h for its runtime helpers, unused here.
  target_include_directories(${t} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
    ${PROJECT_SOURCE_DIR})
  target_link_libraries(${t} PRIVATE sb_face)
endforeach()
add_test(NAME face/read COMMAND test_face_read ${SB_FACE_DATA})
add_test(NAME face/commands COMMAND test_face_cmds ${SB_FACE_DATA})
add_test(NAME face/malformed COMMAND test_face_malformed ${SB_FACE_DATA})
add_test(NAME face/mannwhitney COMMAND test_mannwhitney)
add_test(NAME face/claims COMMAND test_claims ${SB_FACE_DATA})
add_test(NAME face/html COMMAND test_html ${SB_FACE_DATA})
add_test(NAME face/merge COMMAND test_face_merge ${SB_FACE_DATA})
# The schema table against RESULTS.md, and every kept results file against
# the schema.
add_test(NAME face/schema COMMAND test_face_schema
  ${PROJECT_SOURCE_DIR}/harness/RESULTS.md ${SB_FACE_DATA}
  ${PROJECT_SOURCE_DIR}/results/reference/reference.json)
set_tests_properties(face/read face/commands face/malformed face/mannwhitney
  face/schema face/claims face/html face/merge PROPERTIES LABELS "face;unit" TIMEOUT 120 SKIP_RETURN_CODE 77)

# The face never names a workload: no workload name (the registry's, and
# floor) as a string literal in its files (label layout).
add_test(NAME layout/face-names COMMAND ${CMAKE_COMMAND}
  -DSRC=${PROJECT_SOURCE_DIR} -P ${CMAKE_CURRENT_SOURCE_DIR}/face_layout.cmake)
set_tests_properties(layout/face-names PROPERTIES LABELS "layout;face"
  TIMEOUT 60)

# The fuzzer, for a bounded time, from the good and the malformed files.
if(SB_FUZZ)
  set(corpus ${CMAKE_CURRENT_BINARY_DIR}/fuzz-corpus)
  file(MAKE_DIRECTORY ${corpus})
  add_test(NAME face/fuzz COMMAND fuzz_results -max_total_time=30
    -max_len=65536 -rss_limit_mb=2048 ${corpus} ${SB_FACE_DATA}/bad
    ${SB_FACE_DATA}/fuzz-seeds)
  set_tests_properties(face/fuzz PROPERTIES LABELS "face;fuzz" TIMEOUT 120)
endif()

# The report's page in headless Chromium (label browser): no console
# message, plots drawn, a verdict per claim, the table sorts and filters;
# the screenshot stays in the build tree (browser/screenshot.png).
add_test(NAME face/browser COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/browser.sh
  $<TARGET_FILE:switchbench> ${SB_FACE_DATA}/claims-run1.json
  ${CMAKE_CURRENT_BINARY_DIR}/browser)
set_tests_properties(face/browser PROPERTIES LABELS "browser"
  TIMEOUT 400)
