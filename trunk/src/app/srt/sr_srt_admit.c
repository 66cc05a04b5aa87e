/* SPDX-License-Identifier: MIT */
/*
 * sr_srt_admit.c: the rule (sr_srt_admit_judge), its lookup in a live config, and the
 * handshake gate's snapshot. The gate holds the mutex for the whole check (a parse and
 * a few string compares), so a snapshot is freed as soon as it is replaced.
 */
#include "sr_srt_admit.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_consts.h"

/* What the gate keeps of one vhost. */
typedef struct sr_srt_admit_entry {
    char name[256];
    bool is_enabled;
    bool is_srt_enabled;
} sr_srt_admit_entry_t;

/* Immutable once published. */
typedef struct sr_srt_admit_snapshot {
    char default_app[256];
    int count;
    sr_srt_admit_entry_t vhosts[];
} sr_srt_admit_snapshot_t;

struct sr_srt_admit {
    pthread_mutex_t mu;
    sr_srt_admit_snapshot_t *snap; /* under mu */
};

int sr_srt_admit_judge(const char *id, const char *default_app, sr_srt_admit_lookup_fn lookup, const void *arg,
                       sr_srt_streamid_t *sid, sr_srt_admit_vhost_t *v, char *why, size_t why_size)
{
    if (sr_srt_streamid_parse(id, strlen(id), default_app, sid) != SR_OK) {
        snprintf(why, why_size, "the stream id names no stream");
        return SR_SRT_REJECT_BAD_REQUEST;
    }
    const char *name = sid->vhost[0] ? sid->vhost : SR_DEFAULT_VHOST;
    if (!lookup(arg, name, v)) {
        snprintf(why, why_size, "vhost '%s' is not served", name);
        return SR_SRT_REJECT_NOT_FOUND;
    }
    if (!v->is_enabled) {
        snprintf(why, why_size, "vhost '%s' is disabled", v->name);
        return SR_SRT_REJECT_FORBIDDEN;
    }
    if (!v->is_srt_enabled) {
        snprintf(why, why_size, "vhost '%s' has no srt { enabled on; }", v->name);
        return SR_SRT_REJECT_FORBIDDEN;
    }
    return 0;
}

bool sr_srt_admit_lookup_config(const void *arg, const char *name, sr_srt_admit_vhost_t *out)
{
    const sr_vhost_config_t *v = sr_server_config_vhost(arg, name);
    if (v) {
        *out = (sr_srt_admit_vhost_t){v->name, v->is_enabled, v->srt.is_enabled};
    }
    return v != NULL;
}

static const sr_srt_admit_entry_t *sr_srt_admit_find(const sr_srt_admit_snapshot_t *s, const char *name)
{
    for (int i = 0; i < s->count; i++) {
        if (strcmp(s->vhosts[i].name, name) == 0) {
            return &s->vhosts[i];
        }
    }
    return NULL;
}

/* The same resolution as sr_server_config_vhost, in a snapshot. */
static bool sr_srt_admit_lookup_snapshot(const void *arg, const char *name, sr_srt_admit_vhost_t *out)
{
    const sr_srt_admit_entry_t *e = sr_srt_admit_find(arg, name);
    e = e ? e : sr_srt_admit_find(arg, SR_DEFAULT_VHOST);
    if (e) {
        *out = (sr_srt_admit_vhost_t){e->name, e->is_enabled, e->is_srt_enabled};
    }
    return e != NULL;
}

static sr_srt_admit_snapshot_t *sr_srt_admit_snapshot_new(const sr_server_config_t *c)
{
    sr_srt_admit_snapshot_t *s = sr_malloc(sizeof(*s) + (size_t)c->vhost_count * sizeof(s->vhosts[0]));
    snprintf(s->default_app, sizeof(s->default_app), "%s", c->srt_server.default_app);
    s->count = c->vhost_count;
    for (int i = 0; i < c->vhost_count; i++) {
        const sr_vhost_config_t *v = &c->vhosts[i];
        snprintf(s->vhosts[i].name, sizeof(s->vhosts[i].name), "%s", v->name);
        s->vhosts[i].is_enabled = v->is_enabled;
        s->vhosts[i].is_srt_enabled = v->srt.is_enabled;
    }
    return s;
}

sr_srt_admit_t *sr_srt_admit_new(const sr_server_config_t *c)
{
    sr_srt_admit_t *a = SR_NEW(sr_srt_admit_t);
    pthread_mutex_init(&a->mu, NULL);
    a->snap = sr_srt_admit_snapshot_new(c);
    return a;
}

void sr_srt_admit_update(sr_srt_admit_t *a, const sr_server_config_t *c)
{
    sr_srt_admit_snapshot_t *next = sr_srt_admit_snapshot_new(c);
    pthread_mutex_lock(&a->mu);
    sr_srt_admit_snapshot_t *old = a->snap;
    a->snap = next;
    pthread_mutex_unlock(&a->mu);
    sr_free(old); /* no check reads it: they hold the mutex while they do */
}

void sr_srt_admit_free(sr_srt_admit_t *a)
{
    if (!a) {
        return;
    }
    pthread_mutex_destroy(&a->mu);
    sr_free(a->snap);
    sr_free(a);
}

int sr_srt_admit_check(void *arg, const sr_srt_caller_t *caller, char *why, size_t why_size)
{
    sr_srt_admit_t *a = arg;
    sr_srt_streamid_t sid;
    sr_srt_admit_vhost_t v;
    pthread_mutex_lock(&a->mu);
    int code = sr_srt_admit_judge(caller->streamid, a->snap->default_app, sr_srt_admit_lookup_snapshot, a->snap, &sid,
                                  &v, why, why_size);
    pthread_mutex_unlock(&a->mu);
    return code;
}
