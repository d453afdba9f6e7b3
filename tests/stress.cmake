# tests: the work-stealing ring's, the fork deque's, the tagged inbox's and
# the biased lock's
# unit tests (runtime-independent), and the
# stress suite, which runs on every runtime (label `stress`; minutes, not
# hours, in total).
add_executable(test_deque test_deque.c)
target_include_directories(test_deque PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(test_deque PRIVATE sb_registry sb_primitives)
add_test(NAME deque COMMAND test_deque)
set_tests_properties(deque PROPERTIES LABELS unit TIMEOUT 300)

add_executable(test_forkq test_forkq.c)
target_include_directories(test_forkq PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(test_forkq PRIVATE sb_registry sb_primitives)
add_test(NAME forkq COMMAND test_forkq)
set_tests_properties(forkq PROPERTIES LABELS unit TIMEOUT 300)

add_executable(test_inbox test_inbox.c)
target_include_directories(test_inbox PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(test_inbox PRIVATE sb_registry sb_primitives)
add_test(NAME inbox COMMAND test_inbox)
set_tests_properties(inbox PROPERTIES LABELS unit TIMEOUT 300)

add_executable(test_biaslock test_biaslock.c)
target_include_directories(test_biaslock PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(test_biaslock PRIVATE sb_registry sb_primitives)
add_test(NAME biaslock COMMAND test_biaslock)
set_tests_properties(biaslock PROPERTIES LABELS unit TIMEOUT 300)

sb_conformance_test(stress_forkjoin stress)
sb_conformance_test(stress_wake stress)
sb_conformance_test(stress_chan stress)
sb_conformance_test(stress_select stress)
sb_conformance_test(stress_shutdown stress)
