# tests: the CPU, switch, timer and memory workloads (pingpong ... million) at
# tiny sizes, their checksums and param checks. Each runs once per runtime.
add_executable(test_workloads test_workloads.c)
target_include_directories(test_workloads PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(test_workloads PRIVATE sb_registry sb_workloads)
foreach(rt ${SB_TEST_RUNTIMES})
  add_test(NAME workloads/${rt} COMMAND test_workloads ${rt})
  set_tests_properties(workloads/${rt} PROPERTIES LABELS unit TIMEOUT 300
    SKIP_RETURN_CODE 77)
endforeach()

# The latency histogram against PROTOCOL.md section 8's table: runtime-free,
# run once (the test main wants a runtime name; it uses none).
add_executable(test_latency test_latency.c)
target_include_directories(test_latency PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(test_latency PRIVATE sb_registry sb_workloads)
add_test(NAME latency COMMAND test_latency single)
set_tests_properties(latency PROPERTIES LABELS unit TIMEOUT 60)

# The load generator's open loop against the plain echo server, and
# coordinated omission shown (a server that stalls once): runtime-free.
add_executable(test_openloop test_openloop.c)
target_include_directories(test_openloop PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(test_openloop PRIVATE sb_registry sb_workloads)
add_test(NAME openloop COMMAND test_openloop single)
set_tests_properties(openloop PROPERTIES LABELS unit TIMEOUT 120)
