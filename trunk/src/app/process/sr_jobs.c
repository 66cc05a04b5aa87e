/* SPDX-License-Identifier: MIT */
/*
 * sr_jobs.c: reconciling, not reacting. An observer callback must not yield, so it
 * only queues the stream's name; the coroutine then compares what the stream should
 * have (from the live config and whether it is publishing now) with what runs, stops
 * the difference and starts the rest. A publish that was refused right after it began
 * (a hook said no) therefore starts nothing, and a reload is the same comparison over
 * every stream.
 */
#include "sr_jobs.h"

#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_error.h"
#include "sr_exec.h"
#include "sr_ingest.h"
#include "sr_log.h"
#include "sr_request.h"
#include "sr_server.h"
#include "sr_st.h"
#include "sr_transcode.h"

/* How long the coroutine sleeps when nothing is queued (a stop interrupts it). */
#define SR_JOBS_IDLE_US (5 * SR_UTIME_S)

typedef struct sr_jobs_stream {
    char *vhost, *app, *stream;
} sr_jobs_stream_t;

typedef struct sr_jobs_streams {
    sr_jobs_stream_t *v;
    int n, cap;
} sr_jobs_streams_t;

struct sr_jobs {
    struct sr_server *server;
    sr_supervisor_t *sup;
    sr_source_observer_t observer;
    sr_co_t *co;
    sr_cond_t *cond;
    sr_jobs_streams_t pending; /* streams to reconcile */
    bool is_full;              /* everything to reconcile (start, reload) */
};

/* ======================================================================== */
/* stream lists                                                             */
/* ======================================================================== */

static void sr_jobs_streams_add(sr_jobs_streams_t *l, const char *vhost, const char *app, const char *stream)
{
    for (int i = 0; i < l->n; i++) {
        if (!strcmp(l->v[i].vhost, vhost) && !strcmp(l->v[i].app, app) && !strcmp(l->v[i].stream, stream)) {
            return;
        }
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = sr_realloc(l->v, (size_t)l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = (sr_jobs_stream_t){sr_strdup(vhost), sr_strdup(app), sr_strdup(stream)};
}

static void sr_jobs_streams_deinit(sr_jobs_streams_t *l)
{
    for (int i = 0; i < l->n; i++) {
        sr_free(l->v[i].vhost);
        sr_free(l->v[i].app);
        sr_free(l->v[i].stream);
    }
    sr_free(l->v);
    memset(l, 0, sizeof(*l));
}

/* ======================================================================== */
/* reconciling                                                              */
/* ======================================================================== */

typedef struct sr_jobs_diff {
    const sr_child_specs_t *want;
    bool is_ingest; /* the ingest children, else those of group */
    const char *group;
    sr_child_specs_t stale; /* keys to stop (specs used as key holders) */
} sr_jobs_diff_t;

static void sr_jobs_diff_one(void *arg, const sr_child_info_t *c)
{
    sr_jobs_diff_t *d = arg;
    const sr_child_spec_t *sp = c->spec;
    bool is_mine =
        d->is_ingest ? sp->kind == SR_CHILD_INGEST : sp->kind != SR_CHILD_INGEST && strcmp(sp->group, d->group) == 0;
    if (!is_mine || c->state == SR_CHILD_STOPPED) {
        return;
    }
    for (int i = 0; i < d->want->n; i++) {
        if (strcmp(d->want->v[i]->key, sp->key) == 0 && sr_child_spec_same_run(d->want->v[i], sp)) {
            return;
        }
    }
    sr_child_spec_t *stale = sr_child_spec_new(sp->kind);
    memcpy(stale->key, sp->key, sizeof(stale->key));
    sr_child_specs_push(&d->stale, stale);
}

/* Stop the children of the ingest set or of group that want does not hold as they
 * run, then start what want holds and is not running (its specs are taken). */
static void sr_jobs_apply(sr_jobs_t *j, sr_child_specs_t *want, bool is_ingest, const char *group)
{
    sr_jobs_diff_t d = {want, is_ingest, group, {0}};
    sr_supervisor_foreach(j->sup, sr_jobs_diff_one, &d);
    for (int i = 0; i < d.stale.n; i++) {
        sr_supervisor_remove(j->sup, d.stale.v[i]->key);
    }
    sr_child_specs_deinit(&d.stale);
    for (int i = 0; i < want->n; i++) {
        if (!sr_supervisor_find(j->sup, want->v[i]->key)) {
            sr_supervisor_add(j->sup, want->v[i]);
            want->v[i] = NULL;
        }
    }
}

/* The publisher's query ("?a=1"), for [param]. */
static const char *sr_jobs_param(struct sr_server *server, sr_source_t *src)
{
    sr_source_stats_t st;
    sr_source_get_stats(src, &st);
    sr_client_t *c = sr_server_client_find(server, st.publisher_cid);
    return c && c->req ? c->req->param : "";
}

static void sr_jobs_reconcile_stream(sr_jobs_t *j, const char *vhost, const char *app, const char *stream)
{
    const sr_server_config_t *cfg = sr_server_config(j->server);
    const sr_vhost_config_t *v = sr_server_config_vhost_exact(cfg, vhost);
    sr_source_t *src = sr_source_fetch(sr_server_sources(j->server), vhost, app, stream, false);
    sr_child_specs_t want = {0};
    if (src && sr_source_is_publishing(src) && v && v->is_enabled) {
        sr_process_vars_t s = {vhost, app, stream, NULL, sr_jobs_param(j->server, src), 0};
        sr_transcode_specs(cfg, v, &s, j->sup, &want);
        sr_exec_specs(cfg, v, &s, &want);
    }
    sr_source_unref(src); /* nothing above yields */
    char group[SR_REQUEST_VHOST_MAX + SR_REQUEST_APP_MAX + SR_REQUEST_STREAM_MAX + 3];
    snprintf(group, sizeof(group), "%s/%s/%s", vhost, app, stream);
    sr_jobs_apply(j, &want, false, group);
    sr_child_specs_deinit(&want);
}

typedef struct sr_jobs_all {
    sr_jobs_streams_t streams;
    sr_jobs_streams_t outputs; /* streams that our transcoders publish: reconciled last */
    const sr_supervisor_t *sup;
} sr_jobs_all_t;

static void sr_jobs_all_add(sr_jobs_all_t *a, const char *vhost, const char *app, const char *stream)
{
    char key[SR_REQUEST_VHOST_MAX + SR_REQUEST_APP_MAX + SR_REQUEST_STREAM_MAX + 3];
    snprintf(key, sizeof(key), "%s/%s/%s", vhost, app, stream);
    sr_jobs_streams_add(sr_transcode_is_output(a->sup, key) ? &a->outputs : &a->streams, vhost, app, stream);
}

static void sr_jobs_all_source(sr_source_t *src, void *arg)
{
    if (sr_source_is_publishing(src)) {
        sr_jobs_all_add(arg, sr_source_vhost(src), sr_source_app(src), sr_source_stream(src));
    }
}

static void sr_jobs_all_child(void *arg, const sr_child_info_t *c)
{
    if (c->spec->kind != SR_CHILD_INGEST && c->state != SR_CHILD_STOPPED) {
        sr_jobs_all_add(arg, c->spec->vhost, c->spec->app, c->spec->stream);
    }
}

/* Every live stream and every stream with children, then the ingests. Streams our
 * transcoders publish go last, so that the loop guard sees the transcoders that publish
 * them as the new config has them. */
static void sr_jobs_reconcile_all(sr_jobs_t *j)
{
    sr_jobs_all_t a = {{0}, {0}, j->sup};
    sr_source_registry_foreach(sr_server_sources(j->server), sr_jobs_all_source, &a);
    sr_supervisor_foreach(j->sup, sr_jobs_all_child, &a);
    for (int pass = 0; pass < 2; pass++) {
        sr_jobs_streams_t *l = pass == 0 ? &a.streams : &a.outputs;
        for (int i = 0; i < l->n; i++) {
            sr_jobs_reconcile_stream(j, l->v[i].vhost, l->v[i].app, l->v[i].stream);
        }
        sr_jobs_streams_deinit(l);
    }
    sr_child_specs_t want = {0};
    sr_ingest_specs(sr_server_config(j->server), &want);
    sr_jobs_apply(j, &want, true, NULL);
    sr_child_specs_deinit(&want);
}

/* ======================================================================== */
/* the coroutine                                                            */
/* ======================================================================== */

static void sr_jobs_cycle(void *arg)
{
    sr_jobs_t *j = arg;
    while (sr_co_pull() == SR_OK) {
        if (!j->is_full && j->pending.n == 0) {
            if (sr_cond_timedwait(j->cond, SR_JOBS_IDLE_US) == -SR_EINTERRUPTED) {
                return;
            }
            continue;
        }
        if (j->is_full) {
            j->is_full = false;
            sr_jobs_reconcile_all(j);
        }
        sr_jobs_streams_t batch = j->pending;
        memset(&j->pending, 0, sizeof(j->pending));
        for (int i = 0; i < batch.n; i++) {
            sr_jobs_reconcile_stream(j, batch.v[i].vhost, batch.v[i].app, batch.v[i].stream);
        }
        sr_jobs_streams_deinit(&batch);
    }
}

/* The observer: queue the stream, never yield. */
static void sr_jobs_on_stream(void *arg, sr_source_t *src)
{
    sr_jobs_t *j = arg;
    sr_jobs_streams_add(&j->pending, sr_source_vhost(src), sr_source_app(src), sr_source_stream(src));
    sr_cond_signal(j->cond);
}

sr_jobs_t *sr_jobs_start(struct sr_server *server)
{
    sr_jobs_t *j = SR_NEW(sr_jobs_t);
    j->server = server;
    j->sup = sr_supervisor_new();
    j->cond = sr_cond_new();
    j->observer = (sr_source_observer_t){.on_publish = sr_jobs_on_stream, .on_unpublish = sr_jobs_on_stream, .arg = j};
    if (sr_source_registry_observe(sr_server_sources(server), &j->observer) != SR_OK) {
        sr_error("transcode/exec will not follow streams: %s", sr_err_trail());
        sr_err_clear();
    }
    j->is_full = true;
    j->co = sr_co_start(sr_jobs_cycle, j, NULL);
    return j;
}

void sr_jobs_reload(sr_jobs_t *j)
{
    if (j) {
        j->is_full = true;
        sr_cond_signal(j->cond);
    }
}

void sr_jobs_stop(sr_jobs_t *j, sr_utime_t grace_us)
{
    if (!j) {
        return;
    }
    sr_source_registry_unobserve(sr_server_sources(j->server), &j->observer);
    sr_co_stop(j->co);
    sr_supervisor_free(j->sup, grace_us);
    sr_jobs_streams_deinit(&j->pending);
    sr_cond_free(j->cond);
    sr_free(j);
}

const sr_supervisor_t *sr_jobs_supervisor(const sr_jobs_t *j)
{
    return j ? j->sup : NULL;
}
