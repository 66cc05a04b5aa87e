/* SPDX-License-Identifier: MIT */
/*
 * sr_supervisor.h: keeps external programs (transcode and ingest ffmpegs, exec
 * commands) running. A child that ends while it is wanted is started again after a
 * backoff (1 s, doubling up to 30 s, back to 1 s once a run lasted 60 s); a child
 * that is no longer wanted gets SIGTERM, then SIGKILL after a grace. One coroutine
 * reaps every child with waitpid(WNOHANG) a few times a second, so none stays a
 * zombie, and stopping the supervisor leaves no child behind.
 *
 * Not here: which children are wanted (sr_jobs.c decides from the config and the live
 * streams) and what they run (sr_transcode.c, sr_ingest.c, sr_exec.c).
 */
#ifndef SR_SUPERVISOR_H
#define SR_SUPERVISOR_H

#include <sys/types.h>

#include "sr_core.h"
#include "sr_process.h"
#include "sr_time.h"

SR_BEGIN_DECLS

typedef enum sr_child_kind { SR_CHILD_TRANSCODE, SR_CHILD_INGEST, SR_CHILD_EXEC, SR_CHILD_KIND_COUNT } sr_child_kind_t;

typedef enum sr_child_state {
    SR_CHILD_RUNNING,
    SR_CHILD_BACKOFF, /* ended; starts again after the backoff */
    SR_CHILD_STOPPED, /* no longer wanted: signalled, waiting to be reaped */
} sr_child_state_t;

/* How often the supervisor reaps and restarts. */
#define SR_SUPERVISOR_TICK_US (100 * SR_UTIME_MS)
/* Between SIGTERM and SIGKILL for a child no longer wanted. */
#define SR_SUPERVISOR_KILL_GRACE_US (3 * SR_UTIME_S)
#define SR_SUPERVISOR_BACKOFF_MIN_US (1 * SR_UTIME_S)
#define SR_SUPERVISOR_BACKOFF_MAX_US (30 * SR_UTIME_S)
/* A run this long resets the backoff. */
#define SR_SUPERVISOR_STABLE_US (60 * SR_UTIME_S)

/* What to run, and what it is for (the API lists these). Heap only (about 8 KiB):
 * sr_child_spec_new. */
typedef struct sr_child_spec {
    sr_child_kind_t kind;
    char key[2048];    /* unique among the wanted children: what reconciling matches on */
    char origin[1024]; /* the config entry it comes from (vhost, block, engine) */
    char group[800];   /* "vhost/app/stream" of the stream it serves; "" for ingest */
    char vhost[256];
    char app[256];
    char stream[256];
    char engine[128];
    char out_key[800];   /* "vhost/app/stream" it publishes to this server, or "" */
    char log_path[1024]; /* stdout and stderr appended here; "" discards them */
    sr_argv_t argv;
} sr_child_spec_t;

/* A zeroed spec with an empty argv. Never NULL. */
sr_child_spec_t *sr_child_spec_new(sr_child_kind_t kind);
/* NULL ok. */
void sr_child_spec_free(sr_child_spec_t *spec);
/* Same command line and log file (what a restart on reload compares). */
bool sr_child_spec_same_run(const sr_child_spec_t *a, const sr_child_spec_t *b);

/* A growable list of specs that owns them. */
typedef struct sr_child_specs {
    sr_child_spec_t **v;
    int n;
    int _cap;
} sr_child_specs_t;
/* Append spec (taken). */
void sr_child_specs_push(sr_child_specs_t *l, sr_child_spec_t *spec);
/* Free the specs still in the list (a NULL slot was taken) and the array; zeroed storage ok. */
void sr_child_specs_deinit(sr_child_specs_t *l);

/* What the API shows of one child; valid until the next yield. */
typedef struct sr_child_info {
    int id; /* unique per supervisor, counting from 1 */
    const sr_child_spec_t *spec;
    pid_t pid; /* 0 when not running */
    sr_child_state_t state;
    int restarts;       /* starts after the first */
    int64_t started_ms; /* wall clock of the last start, 0 before any */
    const char *cmdline;
} sr_child_info_t;

const char *sr_child_kind_name(sr_child_kind_t kind);    /* "transcode", "ingest", "exec" */
const char *sr_child_state_name(sr_child_state_t state); /* "running", "backoff", "stopped" */

typedef struct sr_supervisor sr_supervisor_t;

/* A supervisor with its reaping coroutine running. Never NULL. */
sr_supervisor_t *sr_supervisor_new(void);
/* Stop every child (SIGTERM; SIGKILL to those still there after grace_us) and reap
 * them, stop the coroutine, free s. NULL ok. May yield (up to grace_us and a little). */
void sr_supervisor_free(sr_supervisor_t *s, sr_utime_t grace_us);
/* Start spec (taken) now; when it cannot start (no such program: logged), it is tried
 * again after the backoff like a child that ended. Never yields. */
void sr_supervisor_add(sr_supervisor_t *s, sr_child_spec_t *spec);
/* The child wanted under key is no longer wanted: SIGTERM now, SIGKILL after
 * SR_SUPERVISOR_KILL_GRACE_US, reaped and forgotten by the coroutine. false when no
 * wanted child has key. Never yields. */
bool sr_supervisor_remove(sr_supervisor_t *s, const char *key);
/* The spec of the wanted child under key, or NULL. Valid until the next yield. */
const sr_child_spec_t *sr_supervisor_find(const sr_supervisor_t *s, const char *key);
/* Call fn for each child, those being stopped included (state SR_CHILD_STOPPED). fn
 * must not yield, add or remove. */
void sr_supervisor_foreach(const sr_supervisor_t *s, void (*fn)(void *arg, const sr_child_info_t *c), void *arg);
/* Children of kind that are running now, and restarts of kind since s was made. */
void sr_supervisor_counts(const sr_supervisor_t *s, sr_child_kind_t kind, int *running, uint64_t *restarts_total);

SR_END_DECLS

#endif
