# tests: runtime `fiber`. The conformance, stress and fault binaries run on
# it like on every runtime (SB_TEST_RUNTIMES, faults.cmake); here they run a
# second time with two carriers (SB_FIBER_CARRIERS=2: the default config's
# carrier count, as GOMAXPROCS), so the M:N paths (stealing, cross-carrier
# wakes and joins) meet the same suites. Then fiber's own tests: the switch
# (ping-pong, callee-saved registers, FP control), a stack overflow caught
# in a child process, and the stack pool.
foreach(name test_spawn test_chan test_oneshot test_combine test_sleep
    test_fdio test_event test_blocking test_many stress_forkjoin stress_wake
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
