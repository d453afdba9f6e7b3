# Runtime `single`: one thread, run queue, epoll reactor, timer heap, inbox.
# reactor_epoll.c is the reactor's backend, #included by reactor.c (Redis's
# ae_epoll.c pattern), so it is listed but not compiled on its own.
target_sources(sb_runtimes PRIVATE single.c reactor.c reactor_epoll.c
  timer_heap.c)
set_source_files_properties(reactor_epoll.c PROPERTIES HEADER_FILE_ONLY ON)
