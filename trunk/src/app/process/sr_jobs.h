/* SPDX-License-Identifier: MIT */
/*
 * sr_jobs.h: the server's external programs (transcode and ingest ffmpegs, exec
 * commands) kept in line with the config and the live streams: one supervisor, one
 * observer of every stream, one coroutine that reconciles. A stream that starts
 * publishing gets the transcoders and exec commands its vhost wants, one that stops
 * loses them; ingests run from start to stop; a reload starts, stops, or restarts
 * (when the command line changed) whatever the new config says.
 */
#ifndef SR_JOBS_H
#define SR_JOBS_H

#include "sr_core.h"
#include "sr_supervisor.h"
#include "sr_time.h"

SR_BEGIN_DECLS

struct sr_server;
typedef struct sr_jobs sr_jobs_t;

/* Observe server's streams and start its ingests (from the jobs coroutine, at its
 * first turn: call once the listeners are open). Never NULL. */
sr_jobs_t *sr_jobs_start(struct sr_server *server);
/* Apply the server's (new) config to every child, from the coroutine. Never yields. */
void sr_jobs_reload(sr_jobs_t *j);
/* Stop observing and stop every child: SIGTERM, SIGKILL after grace_us, all reaped.
 * Frees j. NULL ok. May yield. */
void sr_jobs_stop(sr_jobs_t *j, sr_utime_t grace_us);
/* The children, for the API and the exporter; NULL j gives NULL. */
const sr_supervisor_t *sr_jobs_supervisor(const sr_jobs_t *j);

SR_END_DECLS

#endif
