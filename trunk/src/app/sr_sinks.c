/* SPDX-License-Identifier: MIT */
/*
 * sr_sinks.c: a live stream's sinks, attached to its source so that a reload can
 * reach them (sr_source_sinks). A sink being stopped is detached first: whoever stops
 * it (the publisher leaving, or a reload) owns it alone while the stop yields.
 */
#include "sr_sinks.h"

#include <string.h>

#include "sr_alloc.h"
#include "sr_dvr.h"
#include "sr_hls.h"
#include "sr_log.h"

struct sr_sinks {
    sr_server_t *server;
    sr_source_t *source; /* referenced */
    sr_request_t req;
    sr_hls_t *hls;
    sr_dvr_t *dvr;
    sr_hls_config_t hls_cfg; /* what the running sinks were started with */
    sr_dvr_config_t dvr_cfg;
};

/* What v asks of this stream: enabled blocks, dvr_apply matching. */
static bool sr_sinks_wants_hls(const sr_vhost_config_t *v)
{
    return v && v->is_enabled && v->hls && v->hls->is_enabled;
}

static bool sr_sinks_wants_dvr(const sr_sinks_t *s, const sr_vhost_config_t *v)
{
    return v && v->is_enabled && v->dvr && v->dvr->is_enabled &&
           sr_config_media_dvr_applies(v->dvr, s->req.app, s->req.stream);
}

/* Start what v enables and is not running. Never yields. */
static void sr_sinks_start_wanted(sr_sinks_t *s, const sr_vhost_config_t *v)
{
    if (!s->dvr && sr_sinks_wants_dvr(s, v)) {
        s->dvr_cfg = *v->dvr;
        s->dvr = sr_dvr_start(s->server, s->source, &s->req, &s->dvr_cfg);
    }
    if (!s->hls && sr_sinks_wants_hls(v)) {
        s->hls_cfg = *v->hls;
        s->hls = sr_hls_start(s->server, s->source, &s->req, &s->hls_cfg);
    }
}

sr_sinks_t *sr_sinks_start(sr_server_t *server, sr_source_t *source, const sr_request_t *req,
                           const sr_vhost_config_t *v)
{
    sr_sinks_t *s = SR_NEW(sr_sinks_t);
    s->server = server;
    s->source = sr_source_ref(source);
    sr_request_init(&s->req);
    sr_request_copy(&s->req, req);
    sr_sinks_start_wanted(s, v);
    sr_source_set_sinks(source, s);
    return s;
}

void sr_sinks_stop(sr_sinks_t *s)
{
    if (!s) {
        return;
    }
    sr_source_set_sinks(s->source, NULL);
    sr_hls_t *hls = s->hls;
    sr_dvr_t *dvr = s->dvr;
    s->hls = NULL;
    s->dvr = NULL;
    sr_hls_stop(hls);
    sr_dvr_stop(dvr);
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

static const sr_vhost_config_t *sr_sinks_vhost(const sr_sinks_t *s)
{
    return sr_server_config_vhost_exact(sr_server_config(s->server), s->req.vhost);
}

/* Stop the running sinks that the config no longer wants as they are. Detached before
 * the stop yields; returns false when the stream unpublished meanwhile. May yield. */
static bool sr_sinks_stop_unwanted(sr_source_t *src)
{
    sr_sinks_t *s = sr_source_sinks(src);
    const sr_vhost_config_t *v = s ? sr_sinks_vhost(s) : NULL;
    if (s && s->hls && (!sr_sinks_wants_hls(v) || !sr_config_media_hls_equal(&s->hls_cfg, v->hls))) {
        sr_hls_t *old = s->hls;
        s->hls = NULL;
        sr_trace("reload: hls of %s/%s/%s %s", s->req.vhost, s->req.app, s->req.stream,
                 sr_sinks_wants_hls(v) ? "restarts with new settings" : "stops");
        sr_hls_stop(old);
    }
    s = sr_source_sinks(src);
    v = s ? sr_sinks_vhost(s) : NULL;
    if (s && s->dvr && (!sr_sinks_wants_dvr(s, v) || !sr_config_media_dvr_equal(&s->dvr_cfg, v->dvr))) {
        sr_dvr_t *old = s->dvr;
        s->dvr = NULL;
        sr_trace("reload: dvr of %s/%s/%s %s", s->req.vhost, s->req.app, s->req.stream,
                 sr_sinks_wants_dvr(s, v) ? "restarts with new settings" : "stops");
        sr_dvr_stop(old);
    }
    return sr_source_sinks(src) != NULL;
}

void sr_sinks_reload(sr_server_t *server)
{
    sr_sinks_sources_t all = {0};
    sr_source_registry_foreach(sr_server_sources(server), sr_sinks_collect, &all);
    for (size_t i = 0; i < all.count; i++) {
        if (sr_sinks_stop_unwanted(all.items[i])) {
            sr_sinks_t *s = sr_source_sinks(all.items[i]);
            bool had_hls = s->hls, had_dvr = s->dvr;
            sr_sinks_start_wanted(s, sr_sinks_vhost(s));
            if ((s->hls && !had_hls) || (s->dvr && !had_dvr)) {
                sr_trace("reload: %s/%s/%s now writes%s%s", s->req.vhost, s->req.app, s->req.stream,
                         s->hls && !had_hls ? " hls" : "", s->dvr && !had_dvr ? " dvr" : "");
            }
        }
        sr_source_unref(all.items[i]);
    }
    sr_free(all.items);
}
