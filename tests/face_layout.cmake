# The face reads what a cell declares (its role, headline, unit, primitive,
# question), never its workload's name: fails when a workload name (every
# name in SB_WORKLOADS of workloads/workload.h, and floor) appears as a
# string literal in a face file. Prose that mentions a workload inside a
# longer literal is fine; "fib" alone is not.
#   cmake -DSRC=<source dir> -P face_layout.cmake
file(READ ${SRC}/workloads/workload.h header)
# The registry: from its #define to the first line not ending in '\'.
string(FIND "${header}" "#define SB_WORKLOADS(XX)" at)
string(SUBSTRING "${header}" ${at} -1 registry)
string(REGEX MATCH "([^\n]*\\\\\n)*[^\n]*" registry "${registry}")
string(REGEX MATCHALL "XX\\(([a-z_0-9]+)\\)" entries "${registry}")
set(names floor)
foreach(e ${entries})
  string(REGEX REPLACE "XX\\(([a-z_0-9]+)\\)" "\\1" n "${e}")
  list(APPEND names ${n})
endforeach()
list(LENGTH names count)
if(count LESS 5)
  message(FATAL_ERROR "found only ${count} workload names in workload.h")
endif()

file(GLOB face_files
  ${SRC}/harness/summary*.c ${SRC}/harness/claims*.c
  ${SRC}/harness/fairness*.c ${SRC}/harness/plot*.c ${SRC}/harness/report*.c
  ${SRC}/harness/compare*.c ${SRC}/harness/face_*.c
  ${SRC}/harness/merge*.c ${SRC}/harness/html*.c)
set(bad "")
foreach(f ${face_files})
  file(STRINGS ${f} lines)
  set(no 0)
  foreach(line IN LISTS lines)
    math(EXPR no "${no} + 1")
    foreach(n ${names})
      string(FIND "${line}" "\"${n}\"" at)
      if(NOT at EQUAL -1)
        file(RELATIVE_PATH rel ${SRC} ${f})
        string(APPEND bad "  ${rel}:${no}: \"${n}\"\n")
      endif()
    endforeach()
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "workload names as string literals in the face "
    "(read kind, headline, unit, primitive or question from the cell "
    "instead):\n${bad}")
endif()
list(LENGTH face_files nfiles)
message(STATUS "no workload name (${names}) in ${nfiles} face files")
