# Primitives built only on the contract (sb.h).
target_sources(sb_runtimes PRIVATE
  spawn.c chan.c oneshot.c combine.c sleep.c fdio.c event.c blocking.c)
