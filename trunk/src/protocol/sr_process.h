/* SPDX-License-Identifier: MIT */
/*
 * sr_process.h: child processes, without policy: an argument vector to build command
 * lines in, and spawn / signal / reap. A child runs in its own process group, reads
 * /dev/null, appends its stdout and stderr to a log file, inherits no other descriptor
 * of the server, and is killed by the kernel (PR_SET_PDEATHSIG) if the server dies
 * without stopping it. Nothing here blocks the event loop: fork and exec are quick,
 * and reaping uses WNOHANG.
 *
 * Not here: when to start or restart a child, or what it runs (app/process). Call
 * spawn only from the thread that runs the event loop: worker threads never fork, and
 * PR_SET_PDEATHSIG follows the thread that forked.
 */
#ifndef SR_PROCESS_H
#define SR_PROCESS_H

#include <sys/types.h>

#include "sr_core.h"

SR_BEGIN_DECLS

/* ---- argument vectors ---- */

/* A NULL-terminated, heap-owned array of strings: v[0..n-1], v[n] == NULL. */
typedef struct sr_argv {
    char **v;
    int n;
    int _cap;
} sr_argv_t;

/* Make a empty (caller storage). Allocates nothing. */
void sr_argv_init(sr_argv_t *a);
/* Free every string and the array; a is left empty. Zeroed storage is fine. */
void sr_argv_deinit(sr_argv_t *a);
/* Append a copy of s. */
void sr_argv_push(sr_argv_t *a, const char *s);
/* Append a printf-formatted string. */
void sr_argv_pushf(sr_argv_t *a, const char *fmt, ...) SR_PRINTF(2, 3);
/* Append copies of every string of src. */
void sr_argv_append(sr_argv_t *a, const sr_argv_t *src);
/* Make dst (initialised) a deep copy of src. */
void sr_argv_copy(sr_argv_t *dst, const sr_argv_t *src);
/* Same strings in the same order. */
bool sr_argv_equal(const sr_argv_t *a, const sr_argv_t *b);
/* The arguments joined by spaces for logs and the API, an argument with a space, a
 * quote or a shell metacharacter (or an empty one) in single quotes; cut to size - 1
 * bytes, always NUL-terminated. */
void sr_argv_join(const sr_argv_t *a, char *out, size_t size);

/* ---- processes ---- */

/* Where a program name without a slash is found: each directory of $PATH (or
 * /usr/local/bin:/usr/bin:/bin when unset) in order; a name with a slash is used as
 * it is. Writes the path to out. -SR_ENOT_FOUND when no executable file is there,
 * -SR_EOVERFLOW when the path does not fit. */
int sr_process_resolve(const char *prog, char *out, size_t size);

/* Start argv (argv->v[0] resolved by sr_process_resolve) in a new child process and
 * write its pid, which is also its process group id, to *pid. The child: stdin from
 * /dev/null; stdout and stderr appended to log_path (created 0644), or /dev/null when
 * log_path is NULL or ""; no other descriptor of ours; every signal unblocked and
 * SIGPIPE at its default; SIGKILLed by the kernel when the server dies. The
 * environment is the server's. Errors: -SR_ENOT_FOUND (no such program),
 * -SR_EFILE_OPEN (the log file), -SR_ESYSTEM (fork), each with a trail. An exec that
 * fails in the child (rare once resolved) shows as exit code 127 and a line in the log. */
int sr_process_spawn(const sr_argv_t *argv, const char *log_path, pid_t *pid);

/* Send signo to the child's process group (its children too). SR_OK, or -SR_ENOT_FOUND
 * when the group is gone (no trail). */
int sr_process_signal(pid_t pid, int signo);

/* Collect the child pid if it has ended, without waiting: SR_OK with *is_exited and,
 * when it exited, its wait status in *status. A pid that is not our child (already
 * reaped) reads as exited with status -1. */
int sr_process_reap(pid_t pid, bool *is_exited, int *status);

/* "exit 0", "exit 127", "signal 9 (Killed)", "unknown" (status -1) into out. */
void sr_process_describe(int status, char *out, size_t size);

SR_END_DECLS

#endif
