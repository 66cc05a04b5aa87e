/* SPDX-License-Identifier: MIT */
/*
 * sr_wake.h: how another OS thread (the worker pool, libsrt's bridge) wakes the event
 * loop: a non-blocking pipe and one coroutine that reads it and calls back. Pokes
 * that come while one is pending merge into one call; the callback takes whatever the
 * threads left for it (under their own lock).
 */
#ifndef SR_WAKE_H
#define SR_WAKE_H

#include "sr_core.h"

SR_BEGIN_DECLS

typedef struct sr_wake sr_wake_t;

/* A pipe and a coroutine (context id cid) that calls on_wake(arg) after pokes, and at
 * least once a second. -SR_ESYSTEM when the pipe cannot be made. */
int sr_wake_start(void (*on_wake)(void *arg), void *arg, const char *cid, sr_wake_t **out);
/* Wake the coroutine. Safe from any thread; never blocks. */
void sr_wake_poke(sr_wake_t *w);
/* Stop the coroutine, close the pipe and free w (no thread may poke any more). NULL is
 * ignored. May yield. */
void sr_wake_stop(sr_wake_t *w);

SR_END_DECLS

#endif
