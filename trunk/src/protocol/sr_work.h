/* SPDX-License-Identifier: MIT */
/*
 * sr_work.h: a small pool of OS threads for the calls that can block the whole server:
 * disk I/O above all (a write(2) into a full page cache or onto a stalled disk waits
 * for the device, and while it waits no coroutine runs). A coroutine hands a job to the
 * pool and waits on its own condition; the other coroutines keep running. Workers tell
 * the event loop that jobs are done through a pipe that one poller coroutine reads.
 *
 * A job runs on another thread: it may only make plain system calls on memory the
 * waiting coroutine owns. No logging, no error trail, no ST calls, no payload
 * references (their counts are not atomic), no sr_alloc debug state.
 */
#ifndef SR_WORK_H
#define SR_WORK_H

#include "sr_core.h"

SR_BEGIN_DECLS

typedef void (*sr_work_fn)(void *arg);

/* Run fn(arg) on a worker thread and wait until it has returned; the pool starts on the
 * first call. The wait is not cut short by sr_co_stop (the job owns the caller's
 * memory until it ends): an interrupt that arrived meanwhile is returned afterwards as
 * -SR_EINTERRUPTED, after fn has run. SR_OK otherwise. May yield. */
int sr_work_run(sr_work_fn fn, void *arg);
/* Stop the poller and the threads, after the jobs in progress (call at exit, when no
 * coroutine waits on a job). May yield. */
void sr_work_shutdown(void);
/* Jobs finished since start (for tests and the API). */
uint64_t sr_work_done_count(void);

SR_END_DECLS

#endif
