/* SPDX-License-Identifier: MIT */
/*
 * sr_session.c: the publish and play lifecycles (see sr_session.h). The order of a
 * publish matters: security and refer first (they cost nothing and create nothing), then
 * the busy check (no hook call for a publisher that cannot get the stream), then the
 * hooks, then the claim, which checks again because the hooks yield.
 */
#include "sr_session.h"

#include <string.h>

#include "sr_edge.h"
#include "sr_error.h"
#include "sr_forward.h"
#include "sr_http_hooks.h"
#include "sr_log.h"
#include "sr_rtsp_pull.h"
#include "sr_security.h"
#include "sr_sinks.h"
#include "sr_stream_policy.h"

/* ---- publish ---- */

static void sr_publish_hooks_unpublish(const sr_publish_t *p, sr_source_t *src)
{
    if (!p->is_relay) {
        sr_hooks_on_unpublish(p->server, p->client->cid, p->req, sr_source_id(src));
    }
}

static int sr_publish_begin_as(sr_publish_t *p, sr_server_t *server, sr_client_t *client, const sr_request_t *req,
                               const sr_vhost_config_t *v, bool is_relay)
{
    memset(p, 0, sizeof(*p));
    p->server = server;
    p->client = client;
    p->req = req;
    p->is_relay = is_relay;
    /* before anything is created or asked; a relay (edge pull) was admitted by its player */
    int rc = is_relay ? SR_OK : sr_security_admit(server, req, SR_ACCESS_PUBLISH);
    if (rc != SR_OK) {
        return rc;
    }
    sr_source_t *src = sr_source_fetch(sr_server_sources(server), req->vhost, req->app, req->stream, true);
    sr_source_policy_t policy;
    sr_stream_policy_source(v, &policy);
    sr_source_set_policy(src, &policy);
    client->is_publish = true;
    /* a copy of a stream this server forwarded (busy here, then) is refused as a loop
     * first, which tells the forwarder to stop instead of retrying */
    rc = sr_forward_check_loop(server, req);
    if (rc != SR_OK) {
        rc = sr_err_wrap(rc, "publish %s/%s/%s", req->vhost, req->app, req->stream);
    } else if (sr_source_is_publishing(src)) {
        rc = sr_err_new(SR_ESTREAM_BUSY, "stream is already published");
    } else if (!is_relay && (rc = sr_hooks_on_publish(server, client->cid, req, sr_source_id(src))) != SR_OK) {
        rc = sr_err_wrap(rc, "on_publish");
    } else if ((rc = sr_source_publish(src, client->cid)) != SR_OK) {
        sr_publish_hooks_unpublish(p, src);
    } else if (!is_relay && (rc = sr_edge_push_start(server, client, src, req, &p->push)) != SR_OK) {
        /* an edge: the origin refused the stream, or none could be reached */
        sr_source_unpublish(src);
        sr_publish_hooks_unpublish(p, src);
    }
    if (rc != SR_OK) {
        sr_source_unref(src);
        return rc;
    }
    p->source = src;
    client->source = src;
    sr_trace("%s %s/%s/%s%s start", is_relay ? "pull" : "publish", req->vhost, req->app, req->stream, req->param);
    /* the sinks read hls/dvr from the running config (v may be a detached copy) */
    const sr_vhost_config_t *live = sr_server_config_vhost(sr_server_config(server), req->vhost);
    p->sinks = live ? sr_sinks_start(server, src, req, live) : NULL;
    return SR_OK;
}

int sr_publish_begin(sr_publish_t *p, sr_server_t *server, sr_client_t *client, const sr_request_t *req,
                     const sr_vhost_config_t *v)
{
    return sr_publish_begin_as(p, server, client, req, v, false);
}

int sr_publish_begin_relay(sr_publish_t *p, sr_server_t *server, sr_client_t *client, const sr_request_t *req,
                           const sr_vhost_config_t *v)
{
    return sr_publish_begin_as(p, server, client, req, v, true);
}

void sr_publish_frame(sr_publish_t *p, const sr_packet_t *pkt)
{
    sr_source_on_packet(p->source, pkt);
}

int sr_publish_check_idle(sr_publish_t *p)
{
    sr_utime_t now = sr_time_mono_us();
    if (now < p->next_idle_check_us) {
        return SR_OK;
    }
    p->next_idle_check_us = now + SR_UTIME_S;
    const sr_vhost_config_t *v = sr_server_config_vhost(sr_server_config(p->server), p->req->vhost);
    int limit_ms = v ? v->kickoff_for_idle_ms : 0;
    if (limit_ms > 0 && sr_source_idle_us(p->source) >= (sr_utime_t)limit_ms * SR_UTIME_MS) {
        return sr_err_new(SR_EKICKED, "kickoff_for_idle: no players for %.1f s", limit_ms / 1000.0);
    }
    return SR_OK;
}

void sr_publish_end(sr_publish_t *p)
{
    if (!p->source) {
        return;
    }
    p->client->source = NULL;
    sr_edge_push_stop(p->push); /* the origin gets the tail too */
    p->push = NULL;
    sr_sinks_stop(p->sinks); /* everything received is written before the stream is released */
    p->sinks = NULL;
    sr_source_unpublish(p->source);
    sr_publish_hooks_unpublish(p, p->source);
    sr_source_unref(p->source);
    p->source = NULL;
}

/* ---- play ---- */

int sr_play_begin(sr_play_t *p, sr_server_t *server, sr_client_t *client, const sr_request_t *req, bool is_live_only)
{
    memset(p, 0, sizeof(*p));
    p->server = server;
    p->client = client;
    p->req = req;
    int rc = sr_security_admit(server, req, SR_ACCESS_PLAY); /* a refused player learns nothing of the stream */
    if (rc != SR_OK) {
        return rc;
    }
    /* an edge fetches the stream from its origin first; a member of SRS's origin cluster
     * refuses a stream no member has, so that an edge in front tries the next origin */
    bool is_member = sr_edge_is_cluster_member(server, req->vhost);
    rc = is_live_only || is_member ? sr_edge_await(server, req, SR_EDGE_AWAIT_US) : SR_OK;
    if (rc == -SR_EINTERRUPTED || (is_member && rc == -SR_ENOT_FOUND)) {
        return rc;
    }
    sr_err_clear();
    /* a camera pulled on demand: its first player waits for it (others find it live) */
    if (is_live_only &&
        sr_rtsp_pull_await(server, req->vhost, req->app, req->stream, SR_EDGE_AWAIT_US) == -SR_EINTERRUPTED) {
        return -SR_EINTERRUPTED;
    }
    sr_err_clear();
    sr_source_t *src = sr_source_fetch(sr_server_sources(server), req->vhost, req->app, req->stream, !is_live_only);
    if (!src || (is_live_only && !sr_source_is_publishing(src))) {
        sr_source_unref(src);
        return sr_err_new(SR_ENOT_FOUND, "stream %s/%s/%s is not live", req->vhost, req->app, req->stream);
    }
    rc = sr_hooks_on_play(server, client->cid, req, sr_source_id(src));
    if (rc != SR_OK) {
        sr_source_unref(src);
        return sr_err_wrap(rc, "on_play");
    }
    p->source = src;
    return SR_OK;
}

sr_consumer_t *sr_play_attach(sr_play_t *p, const sr_vhost_config_t *v)
{
    sr_consumer_policy_t policy;
    sr_stream_policy_player(v, &policy);
    p->consumer = sr_source_consumer_add(p->source, &policy);
    p->client->source = p->source;
    sr_trace("play %s/%s/%s%s start", p->req->vhost, p->req->app, p->req->stream, p->req->param);
    return p->consumer;
}

void sr_play_end(sr_play_t *p)
{
    if (!p->source) {
        return;
    }
    p->client->source = NULL;
    sr_hooks_on_stop(p->server, p->client->cid, p->req, sr_source_id(p->source));
    sr_source_consumer_remove(p->consumer); /* it held its own source reference */
    sr_source_unref(p->source);
    p->consumer = NULL;
    p->source = NULL;
}
