# tests: the CPU, switch, timer and memory workloads (pingpong ... million) at
# tiny sizes, their checksums, the latency histogram and param checks. Each
# runs once per runtime.
add_executable(test_workloads test_workloads.c)
target_include_directories(test_workloads PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(test_workloads PRIVATE sb_workloads)
foreach(rt ${SB_TEST_RUNTIMES})
  add_test(NAME workloads/${rt} COMMAND test_workloads ${rt})
  set_tests_properties(workloads/${rt} PROPERTIES LABELS unit TIMEOUT 300
    SKIP_RETURN_CODE 77)
endforeach()
