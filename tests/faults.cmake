# tests: fault injection (label `fault`) and randomized stress (label
# `stress`). Each fault test is linked with -Wl,--wrap for the calls that
# faultinject.c can fail or shorten, so the injection reaches the runtimes
# and workloads (static libraries) without a hook in production code.
set(SB_FAULT_WRAPS accept4 epoll_ctl epoll_create1 read recvmsg write malloc
  calloc aligned_alloc realloc free pthread_create)

# sb_fault_test(NAME RUNTIME...): builds NAME.c with the injection layer and
# runs it as NAME/<runtime> on each runtime it applies to.
function(sb_fault_test name)
  add_executable(${name} ${name}.c fault_common.c fault_xfer.c faultinject.c)
  target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE sb_registry sb_workloads)
  foreach(call ${SB_FAULT_WRAPS})
    target_link_options(${name} PRIVATE "LINKER:--wrap=${call}")
  endforeach()
  foreach(rt ${ARGN})
    add_test(NAME ${name}/${rt} COMMAND ${name} ${rt})
    set_tests_properties(${name}/${rt} PROPERTIES LABELS fault TIMEOUT 300
      SKIP_RETURN_CODE 77)
  endforeach()
endfunction()

sb_fault_test(fault_accept threads pool single steal fiber)
sb_fault_test(fault_eintr threads pool single steal fiber)
sb_fault_test(fault_short_io threads pool single steal fiber)
sb_fault_test(fault_threads threads pool steal fiber)
sb_fault_test(fault_epoll single steal fiber)
sb_fault_test(fault_alloc threads pool single steal fiber)

# Random trees of spawn/join/select/channel operations on every runtime;
# seeded (argv or SB_STRESS_SEED), seconds per runtime, the seed printed on
# failure.
sb_conformance_test(stress_random stress)
target_sources(stress_random PRIVATE stress_replay.c)
