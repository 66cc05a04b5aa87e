/* SPDX-License-Identifier: MIT */
/*
 * sr_supervisor.c: children in one list, each RUNNING (a pid), BACKOFF (a time to
 * start again) or STOPPED (no longer wanted, a pid until reaped). Only the coroutine
 * frees a child, so add and remove never invalidate a caller's iteration. Reaping is a
 * poll every SR_SUPERVISOR_TICK_US rather than SIGCHLD: a few waitpid calls per tick
 * cost nothing, and no signal handler has to reach the event loop.
 */
#include "sr_supervisor.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_error.h"
#include "sr_log.h"
#include "sr_st.h"

typedef struct sr_child {
    struct sr_child *next;
    sr_child_spec_t *spec;
    sr_child_info_t info;
    char cmdline[2048];
    sr_utime_t started_us;    /* monotonic, of the last start */
    sr_utime_t next_start_us; /* BACKOFF: when to start again */
    sr_utime_t backoff_us;    /* the next delay */
    sr_utime_t kill_at_us;    /* STOPPED: when SIGTERM becomes SIGKILL */
    bool is_killed;           /* SIGKILL sent */
} sr_child_t;

struct sr_supervisor {
    sr_child_t *children;
    sr_co_t *co;
    int next_id;
    uint64_t restarts[SR_CHILD_KIND_COUNT];
};

/* ======================================================================== */
/* specs                                                                    */
/* ======================================================================== */

sr_child_spec_t *sr_child_spec_new(sr_child_kind_t kind)
{
    sr_child_spec_t *spec = SR_NEW(sr_child_spec_t);
    spec->kind = kind;
    sr_argv_init(&spec->argv);
    return spec;
}

void sr_child_spec_free(sr_child_spec_t *spec)
{
    if (spec) {
        sr_argv_deinit(&spec->argv);
        sr_free(spec);
    }
}

bool sr_child_spec_same_run(const sr_child_spec_t *a, const sr_child_spec_t *b)
{
    return sr_argv_equal(&a->argv, &b->argv) && strcmp(a->log_path, b->log_path) == 0;
}

void sr_child_specs_push(sr_child_specs_t *l, sr_child_spec_t *spec)
{
    if (l->n == l->_cap) {
        l->_cap = l->_cap ? l->_cap * 2 : 8;
        l->v = sr_realloc(l->v, (size_t)l->_cap * sizeof(*l->v));
    }
    l->v[l->n++] = spec;
}

void sr_child_specs_deinit(sr_child_specs_t *l)
{
    for (int i = 0; i < l->n; i++) {
        sr_child_spec_free(l->v[i]);
    }
    sr_free(l->v);
    memset(l, 0, sizeof(*l));
}

const char *sr_child_kind_name(sr_child_kind_t kind)
{
    static const char *const names[SR_CHILD_KIND_COUNT] = {"transcode", "ingest", "exec"};
    return (unsigned)kind < SR_CHILD_KIND_COUNT ? names[kind] : "?";
}

const char *sr_child_state_name(sr_child_state_t state)
{
    static const char *const names[] = {"running", "backoff", "stopped"};
    return (unsigned)state < SR_ARRAY_SIZE(names) ? names[state] : "?";
}

/* ======================================================================== */
/* one child                                                                */
/* ======================================================================== */

/* "transcode live/livestream engine ff" for log lines. */
static void sr_supervisor_label(const sr_child_t *c, char *out, size_t size)
{
    const sr_child_spec_t *sp = c->spec;
    snprintf(out, size, "%s #%d %s/%s/%s%s%s", sr_child_kind_name(sp->kind), c->info.id, sp->vhost, sp->app, sp->stream,
             sp->engine[0] ? " engine " : "", sp->engine);
}

/* Start again after the backoff (an exit, or a start that failed). */
static void sr_supervisor_backoff(sr_child_t *c, sr_utime_t now)
{
    if (c->started_us && now - c->started_us >= SR_SUPERVISOR_STABLE_US) {
        c->backoff_us = SR_SUPERVISOR_BACKOFF_MIN_US;
    }
    c->info.state = SR_CHILD_BACKOFF;
    c->info.pid = 0;
    c->next_start_us = now + c->backoff_us;
    c->backoff_us = SR_MIN(c->backoff_us * 2, SR_SUPERVISOR_BACKOFF_MAX_US);
}

static void sr_supervisor_spawn(sr_child_t *c)
{
    char label[1100];
    sr_supervisor_label(c, label, sizeof(label));
    sr_utime_t now = sr_time_mono_us();
    pid_t pid = 0;
    int rc = sr_process_spawn(&c->spec->argv, c->spec->log_path, &pid);
    if (rc == -SR_EFILE_OPEN && c->spec->log_path[0]) {
        sr_warn("%s: cannot open its log (%s), its output is discarded", label, sr_err_trail());
        rc = sr_process_spawn(&c->spec->argv, NULL, &pid);
    }
    c->started_us = now;
    c->info.started_ms = sr_time_wall_us() / 1000;
    if (rc != SR_OK) {
        sr_supervisor_backoff(c, now);
        sr_error("%s cannot start: %s; trying again in %d s", label, sr_err_trail(),
                 (int)((c->next_start_us - now) / SR_UTIME_S));
        sr_err_clear();
        return;
    }
    c->info.pid = pid;
    c->info.state = SR_CHILD_RUNNING;
    sr_trace("%s started, pid %d: %s", label, (int)pid, c->cmdline);
}

/* Reap c if it ended: a wanted child goes to backoff, a stopped one is done. Returns
 * whether c is to be freed. */
static bool sr_supervisor_check(sr_supervisor_t *s, sr_child_t *c, sr_utime_t now)
{
    bool is_exited = false;
    int status = 0;
    if (c->info.pid > 0) {
        sr_process_reap(c->info.pid, &is_exited, &status);
    }
    char label[1100], how[64];
    if (is_exited) {
        sr_supervisor_label(c, label, sizeof(label));
        sr_process_describe(status, how, sizeof(how));
        if (c->info.state == SR_CHILD_STOPPED) {
            sr_trace("%s (pid %d) stopped: %s", label, (int)c->info.pid, how);
            c->info.pid = 0;
        } else {
            pid_t pid = c->info.pid;
            sr_supervisor_backoff(c, now);
            sr_warn("%s (pid %d) ended: %s after %.1f s; starting again in %d s (log %s)", label, (int)pid, how,
                    (double)(now - c->started_us) / SR_UTIME_S, (int)((c->next_start_us - now) / SR_UTIME_S),
                    c->spec->log_path[0] ? c->spec->log_path : "discarded");
        }
    }
    if (c->info.state == SR_CHILD_STOPPED) {
        if (c->info.pid <= 0) {
            return true;
        }
        if (!c->is_killed && now >= c->kill_at_us) {
            sr_supervisor_label(c, label, sizeof(label));
            sr_warn("%s (pid %d) ignored SIGTERM, sending SIGKILL", label, (int)c->info.pid);
            sr_process_signal(c->info.pid, SIGKILL);
            c->is_killed = true;
        }
        return false;
    }
    if (c->info.state == SR_CHILD_BACKOFF && now >= c->next_start_us) {
        c->info.restarts++;
        s->restarts[c->spec->kind]++;
        sr_supervisor_spawn(c);
    }
    return false;
}

static void sr_supervisor_child_free(sr_child_t *c)
{
    sr_child_spec_free(c->spec);
    sr_free(c);
}

/* One pass over every child; frees those that are done. Never yields. */
static void sr_supervisor_tick(sr_supervisor_t *s)
{
    sr_utime_t now = sr_time_mono_us();
    for (sr_child_t **pp = &s->children; *pp;) {
        sr_child_t *c = *pp;
        if (sr_supervisor_check(s, c, now)) {
            *pp = c->next;
            sr_supervisor_child_free(c);
        } else {
            pp = &c->next;
        }
    }
}

static void sr_supervisor_cycle(void *arg)
{
    sr_supervisor_t *s = arg;
    while (sr_usleep(SR_SUPERVISOR_TICK_US) == SR_OK) {
        sr_supervisor_tick(s);
    }
}

/* ======================================================================== */
/* the supervisor                                                           */
/* ======================================================================== */

sr_supervisor_t *sr_supervisor_new(void)
{
    sr_supervisor_t *s = SR_NEW(sr_supervisor_t);
    s->co = sr_co_start(sr_supervisor_cycle, s, NULL);
    return s;
}

void sr_supervisor_add(sr_supervisor_t *s, sr_child_spec_t *spec)
{
    sr_child_t *c = SR_NEW(sr_child_t);
    c->spec = spec;
    c->info.id = ++s->next_id;
    c->info.spec = spec;
    c->info.cmdline = c->cmdline;
    c->backoff_us = SR_SUPERVISOR_BACKOFF_MIN_US;
    sr_argv_join(&spec->argv, c->cmdline, sizeof(c->cmdline));
    c->next = s->children;
    s->children = c;
    sr_supervisor_spawn(c);
}

/* The wanted child under key, or NULL. */
static sr_child_t *sr_supervisor_find_child(const sr_supervisor_t *s, const char *key)
{
    for (sr_child_t *c = s->children; c; c = c->next) {
        if (c->info.state != SR_CHILD_STOPPED && strcmp(c->spec->key, key) == 0) {
            return c;
        }
    }
    return NULL;
}

const sr_child_spec_t *sr_supervisor_find(const sr_supervisor_t *s, const char *key)
{
    const sr_child_t *c = sr_supervisor_find_child(s, key);
    return c ? c->spec : NULL;
}

/* Mark c stopped and send SIGTERM (a child in backoff has nothing to signal). */
static void sr_supervisor_terminate(sr_child_t *c, sr_utime_t grace_us)
{
    c->info.state = SR_CHILD_STOPPED;
    c->kill_at_us = sr_time_mono_us() + grace_us;
    if (c->info.pid > 0 && sr_process_signal(c->info.pid, SIGTERM) != SR_OK) {
        sr_process_signal(c->info.pid, SIGKILL); /* gone already: just reap it */
    }
}

bool sr_supervisor_remove(sr_supervisor_t *s, const char *key)
{
    sr_child_t *c = sr_supervisor_find_child(s, key);
    if (!c) {
        return false;
    }
    char label[1100];
    sr_supervisor_label(c, label, sizeof(label));
    sr_trace("%s is no longer wanted: stopping pid %d", label, (int)c->info.pid);
    sr_supervisor_terminate(c, SR_SUPERVISOR_KILL_GRACE_US);
    return true;
}

void sr_supervisor_foreach(const sr_supervisor_t *s, void (*fn)(void *arg, const sr_child_info_t *c), void *arg)
{
    for (const sr_child_t *c = s->children; c; c = c->next) {
        fn(arg, &c->info);
    }
}

void sr_supervisor_counts(const sr_supervisor_t *s, sr_child_kind_t kind, int *running, uint64_t *restarts_total)
{
    *running = 0;
    for (const sr_child_t *c = s->children; c; c = c->next) {
        *running += c->spec->kind == kind && c->info.state == SR_CHILD_RUNNING;
    }
    *restarts_total = (unsigned)kind < SR_CHILD_KIND_COUNT ? s->restarts[kind] : 0;
}

/* Reap until no child is left or deadline. */
static void sr_supervisor_drain(sr_supervisor_t *s, sr_utime_t deadline)
{
    while (s->children && sr_time_mono_us() < deadline) {
        sr_supervisor_tick(s);
        if (s->children) {
            sr_usleep(20 * SR_UTIME_MS);
        }
    }
}

void sr_supervisor_free(sr_supervisor_t *s, sr_utime_t grace_us)
{
    if (!s) {
        return;
    }
    sr_co_stop(s->co);
    for (sr_child_t *c = s->children; c; c = c->next) {
        if (c->info.state != SR_CHILD_STOPPED) {
            sr_supervisor_terminate(c, grace_us);
        }
    }
    /* SIGKILL goes out from the tick once a child's grace is over */
    sr_supervisor_drain(s, sr_time_mono_us() + grace_us + 2 * SR_UTIME_S);
    for (sr_child_t *c = s->children; c; c = c->next) {
        sr_error("child pid %d could not be reaped at stop", (int)c->info.pid);
    }
    while (s->children) {
        sr_child_t *c = s->children;
        s->children = c->next;
        sr_supervisor_child_free(c);
    }
    sr_free(s);
}
