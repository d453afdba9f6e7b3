# face: reading results back (jansson), the summary, plots (gnuplot, scripts
# in plots/), the Markdown report, compare with its U test and merge (the
# fleet document). It needs only jansson and libm, so it builds and tests
# without the runtimes.
add_library(sb_face STATIC
  results_schema.c results_read.c results_model.c results_legacy.c
  results_primitive.c face_format.c face_roles.c summary.c summary_model.c
  summary_table.c claims.c claims_eval.c claims_tasks.c claims_pitfall.c
  claims_io.c fairness.c html_page.c html_md.c html_svg.c html_cells.c
  plot.c plot_data.c plot_data_work.c plot_sweep.c openloop_face.c report.c compare.c mannwhitney.c
  merge.c merge_model.c merge_md.c merge_plot.c merge_json.c
  face_cli.c version.c)
target_include_directories(sb_face PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})

# The commit, generated at build time: commit.cmake runs at every build and
# rewrites sb_commit.h only when `git rev-parse` (and -dirty) changed.
set(SB_COMMIT_DIR ${CMAKE_CURRENT_BINARY_DIR}/generated)
add_custom_target(sb_commit
  COMMAND ${CMAKE_COMMAND} -DSRC=${PROJECT_SOURCE_DIR}
    -DOUT=${SB_COMMIT_DIR}/sb_commit.h -P ${CMAKE_CURRENT_SOURCE_DIR}/commit.cmake
  BYPRODUCTS ${SB_COMMIT_DIR}/sb_commit.h
  COMMENT "Checking the git commit"
  VERBATIM)
add_dependencies(sb_face sb_commit)
target_include_directories(sb_face PRIVATE ${SB_COMMIT_DIR})
set_source_files_properties(version.c PROPERTIES
  COMPILE_DEFINITIONS SB_VERSION="${PROJECT_VERSION}")
# The scripts are found here first, then through SB_PLOTS_DIR or next to
# the executable (see plot.c).
target_compile_definitions(sb_face PRIVATE
  SB_PLOTS_SOURCE_DIR="${PROJECT_SOURCE_DIR}/plots"
  SB_PROTOCOL_MD="${PROJECT_SOURCE_DIR}/workloads/PROTOCOL.md")
target_link_libraries(sb_face PUBLIC sb_stats PkgConfig::JANSSON m)

# A libFuzzer target over the results reader: clang only, -DSB_FUZZ=ON.
if(SB_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "SB_FUZZ needs clang: -DCMAKE_C_COMPILER=clang")
  endif()
  add_executable(fuzz_results fuzz_results.c results_schema.c results_read.c
    results_model.c results_legacy.c results_primitive.c stats/stats.c)
  # Compiled in (not linked from sb_stats) so the fuzzer instruments it too.
  target_include_directories(fuzz_results PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
    ${PROJECT_SOURCE_DIR})
  target_compile_options(fuzz_results PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz_results PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_results PRIVATE PkgConfig::JANSSON m)
endif()
