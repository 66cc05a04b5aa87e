/* SPDX-License-Identifier: MIT */
/*
 * sr_sinks.c: a live stream's running outputs, one slot per kind of the output
 * registry (sr_output.h), attached to its source so that a reload can reach them
 * (sr_source_sinks). An output being stopped is detached from its slot first: whoever
 * stops it (the publisher leaving, or a reload) owns it alone while the stop yields.
 */
#include "sr_sinks.h"

#include <string.h>

#include "sr_alloc.h"
#include "sr_log.h"
#include "sr_output.h"

typedef struct sr_sinks_slot {
    void *output;   /* running, or NULL */
    void *settings; /* what it was started with (kind->settings_size bytes), owned */
} sr_sinks_slot_t;

struct sr_sinks {
    sr_server_t *server;
    sr_source_t *source; /* referenced */
    sr_request_t req;
    sr_sinks_slot_t *slots; /* sr_output_kind_count of them, indexed like the registry */
};

static const sr_vhost_config_t *sr_sinks_vhost(const sr_sinks_t *s)
{
    return sr_server_config_vhost_exact(sr_server_config(s->server), s->req.vhost);
}

/* Start kind k if v wants it and it is not running. Never yields. Returns whether it started. */
static bool sr_sinks_start_kind(sr_sinks_t *s, size_t k, const sr_vhost_config_t *v)
{
    const sr_output_kind_t *kind = sr_output_kinds[k];
    sr_sinks_slot_t *slot = &s->slots[k];
    const void *wanted = kind->wanted(v, &s->req);
    if (slot->output || !wanted) {
        return false;
    }
    slot->settings = slot->settings ? slot->settings : sr_malloc(kind->settings_size);
    memcpy(slot->settings, wanted, kind->settings_size);
    slot->output = kind->start(s->server, s->source, &s->req, slot->settings);
    return slot->output != NULL;
}

/* Detach the output of slot k (NULL when none). Never yields. */
static void *sr_sinks_detach(sr_sinks_t *s, size_t k)
{
    void *output = s->slots[k].output;
    s->slots[k].output = NULL;
    return output;
}

sr_sinks_t *sr_sinks_start(sr_server_t *server, sr_source_t *source, const sr_request_t *req,
                           const sr_vhost_config_t *v)
{
    sr_sinks_t *s = SR_NEW(sr_sinks_t);
    s->slots = sr_calloc(sr_output_kind_count, sizeof(*s->slots));
    s->server = server;
    s->source = sr_source_ref(source);
    sr_request_init(&s->req);
    sr_request_copy(&s->req, req);
    for (size_t k = 0; k < sr_output_kind_count; k++) {
        sr_sinks_start_kind(s, k, v);
    }
    sr_source_set_sinks(source, s);
    return s;
}

void sr_sinks_stop(sr_sinks_t *s)
{
    if (!s) {
        return;
    }
    sr_source_set_sinks(s->source, NULL);
    /* every slot emptied before the first stop yields, then stopped in reverse order */
    void **outputs = sr_calloc(sr_output_kind_count, sizeof(*outputs));
    for (size_t k = 0; k < sr_output_kind_count; k++) {
        outputs[k] = sr_sinks_detach(s, k);
    }
    for (size_t k = sr_output_kind_count; k-- > 0;) {
        if (outputs[k]) {
            sr_output_kinds[k]->stop(outputs[k]);
        }
        sr_free(s->slots[k].settings);
    }
    sr_free(outputs);
    sr_free(s->slots);
    sr_request_deinit(&s->req);
    sr_source_unref(s->source);
    sr_free(s);
}

/* ---- reload ---- */

typedef struct sr_sinks_sources {
    sr_source_t **items;
    size_t count, cap;
} sr_sinks_sources_t;

static void sr_sinks_collect(sr_source_t *src, void *arg)
{
    sr_sinks_sources_t *all = arg;
    if (!sr_source_sinks(src)) {
        return;
    }
    if (all->count == all->cap) {
        all->cap = all->cap ? all->cap * 2 : 16;
        all->items = sr_realloc(all->items, all->cap * sizeof(*all->items));
    }
    all->items[all->count++] = sr_source_ref(src);
}

/* Bring kind k of src's stream in line with the running config: stop it when no longer
 * wanted or wanted with other settings, then start it when wanted. The source's sinks
 * are looked up again after every yield: the stream may have unpublished. May yield. */
static void sr_sinks_reload_kind(sr_source_t *src, size_t k)
{
    const sr_output_kind_t *kind = sr_output_kinds[k];
    sr_sinks_t *s = sr_source_sinks(src);
    if (!s) {
        return;
    }
    const void *wanted = kind->wanted(sr_sinks_vhost(s), &s->req);
    if (s->slots[k].output && (!wanted || !kind->same(s->slots[k].settings, wanted))) {
        sr_trace("reload: %s of %s/%s/%s %s", kind->name, s->req.vhost, s->req.app, s->req.stream,
                 wanted ? "restarts with new settings" : "stops");
        kind->stop(sr_sinks_detach(s, k));
        if (!(s = sr_source_sinks(src))) {
            return;
        }
    }
    if (sr_sinks_start_kind(s, k, sr_sinks_vhost(s))) {
        sr_trace("reload: %s/%s/%s now writes %s", s->req.vhost, s->req.app, s->req.stream, kind->name);
    }
}

void sr_sinks_reload(sr_server_t *server)
{
    sr_sinks_sources_t all = {0};
    sr_source_registry_foreach(sr_server_sources(server), sr_sinks_collect, &all);
    for (size_t i = 0; i < all.count; i++) {
        for (size_t k = 0; k < sr_output_kind_count; k++) {
            sr_sinks_reload_kind(all.items[i], k);
        }
        sr_source_unref(all.items[i]);
    }
    sr_free(all.items);
}
