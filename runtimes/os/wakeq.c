/* The thread-local of the deferred wakes (wakeq.h). */
#include "wakeq.h"

_Thread_local sb__wakeq *sb__wakeq_current;
