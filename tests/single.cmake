# tests: runtime `single` and its parts (reactor, timer heap). The reactor and
# timer-heap tests are unit tests of internals and run once; test_single runs
# on single (its cases hold on any executor, but they probe single's inbox,
# budget and close).
foreach(name test_reactor test_timer_heap test_single)
  add_executable(${name} ${name}.c)
  target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE sb_registry sb_primitives)
endforeach()
add_test(NAME reactor COMMAND test_reactor)
add_test(NAME timer_heap COMMAND test_timer_heap)
add_test(NAME single_rt/single COMMAND test_single single)
set_tests_properties(reactor timer_heap single_rt/single PROPERTIES
  LABELS unit TIMEOUT 120 SKIP_RETURN_CODE 77)
