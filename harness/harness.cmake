# harness: the C face of Google Benchmark (gbench.cc, the only C++), one cell,
# the kernel floor, the machine context, the matrix and its parts (plan,
# child processes under a watchdog, results, progress, peers) and the CLI.
add_library(sb_harness STATIC
  gbench.cc cell.c cell_name.c cell_main.c tally.c work_check.c fib_serial.c
  confine.c floor.c machine.c plan.c openloop_plan.c child.c results_doc.c progress.c
  peers_list.c peers_run.c peer_serve.c peer_echo.c matrix.c run.c)
target_include_directories(sb_harness PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_compile_definitions(sb_harness PRIVATE
  SB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
target_link_libraries(sb_harness PUBLIC
  sb_registry sb_workloads sb_face sb_stats benchmark::benchmark
  PkgConfig::JANSSON PkgConfig::HWLOC m)

# The one binary: build/harness/switchbench.
add_executable(switchbench main.c serve.c)
target_link_libraries(switchbench PRIVATE sb_harness)
