# tests: runtime `fiber`. The conformance, stress and fault binaries run on
# it like on every runtime (SB_TEST_RUNTIMES, faults.cmake); here they run a
# second time with two carriers (SB_FIBER_CARRIERS=2: the default config's
# carrier count, as GOMAXPROCS), so the M:N paths (stealing, cross-carrier
# wakes and joins) meet the same suites. Then fiber's own tests: the switch
# (ping-pong, callee-saved registers, FP control), a stack overflow caught
# in a child process, and the stack pool.
foreach(name test_spawn test_chan test_oneshot test_combine test_sleep
    test_fdio test_recv test_event test_blocking test_many stress_forkjoin stress_wake
    stress_chan stress_select stress_shutdown stress_random fault_accept
    fault_eintr fault_short_io fault_epoll fault_alloc)
  get_test_property(${name}/fiber LABELS labels)
  add_test(NAME ${name}/fiber-2 COMMAND ${name} fiber)
  set_tests_properties(${name}/fiber-2 PROPERTIES LABELS "${labels}"
    TIMEOUT 300 SKIP_RETURN_CODE 77 ENVIRONMENT SB_FIBER_CARRIERS=2)
endforeach()
foreach(name test_workloads test_io)
  add_test(NAME ${name}/fiber-2 COMMAND ${name} fiber)
  set_tests_properties(${name}/fiber-2 PROPERTIES LABELS unit TIMEOUT 300
    SKIP_RETURN_CODE 77 ENVIRONMENT SB_FIBER_CARRIERS=2)
endforeach()

# The switch alone (its own main: fiber_aarch64.sh cross-compiles the same
# file for aarch64), the overflow guard, and the runtime's own behaviour.
enable_language(ASM)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(SB_FIBER_REGS fiber_regs_x86_64.S)
else()
  set(SB_FIBER_REGS fiber_regs_aarch64.S)
endif()
add_executable(test_fiber_switch test_fiber_switch.c ${SB_FIBER_REGS})
target_include_directories(test_fiber_switch PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(test_fiber_switch PRIVATE sb_fiber m)
add_executable(test_fiber_overflow test_fiber_overflow.c)
target_include_directories(test_fiber_overflow PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(test_fiber_overflow PRIVATE sb_registry sb_primitives)
add_executable(test_fiber_rt test_fiber_rt.c)
target_include_directories(test_fiber_rt PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(test_fiber_rt PRIVATE sb_registry sb_primitives)
add_test(NAME fiber/switch COMMAND test_fiber_switch)
foreach(name overflow rt)
  add_test(NAME fiber/${name} COMMAND test_fiber_${name} fiber)
endforeach()
foreach(name switch overflow rt)
  set_tests_properties(fiber/${name} PROPERTIES LABELS unit TIMEOUT 300
    SKIP_RETURN_CODE 77)
endforeach()
