/* SPDX-License-Identifier: MIT */
/*
 * sr_edge.c: edge pulls. A pull is a detached coroutine with a reference count (the
 * coroutine, and each player waiting for it to go live): it claims the local source as
 * a relay publisher (sr_publish_begin_relay), then plays the stream from an origin and
 * feeds every message in. When the origin fails it goes on with the next one without
 * releasing the source, so attached players only see a gap; after a round of failures
 * it waits (1 s doubling to 10 s). It ends when the stream has had no player and no
 * waiter for SR_EDGE_LINGER_US, when the vhost stops being an edge, or at stop.
 */
#include "sr_edge.h"

#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_consts.h"
#include "sr_coworkers.h"
#include "sr_edge_internal.h"
#include "sr_error.h"
#include "sr_log.h"
#include "sr_registry.h"
#include "sr_session.h"
#include "sr_upstream.h"

#define SR_EDGE_READ_WAKE_US SR_UTIME_S
#define SR_EDGE_BACKOFF_MIN_US SR_UTIME_S
#define SR_EDGE_BACKOFF_MAX_US (10 * SR_UTIME_S)
/* A session that lasted this long resets the backoff. */
#define SR_EDGE_STABLE_US (10 * SR_UTIME_S)

typedef struct sr_edge_pull {
    sr_edge_t *edge;
    struct sr_edge_pull *prev, *next;
    int refs;
    sr_source_t *source; /* referenced */
    sr_request_t req;    /* the stream here; its param comes from the first player */
    sr_client_t client;  /* the relay publisher (not in the client table) */
    sr_co_t *co;
    sr_cond_t *live; /* broadcast when media flows, and when the pull ends */
    bool is_live;
    bool is_ended;
    int waiters;
    sr_utime_t held_until; /* HLS players hold no connection: their requests hold the pull */
    char upstream[300];
    const char *state;
    int64_t state_since_ms;
    uint64_t bytes; /* of sessions that ended */
    const sr_io_t *live_io;
    uint64_t failovers;
    sr_publish_t session;
} sr_edge_pull_t;

/* The edge state of the process's one server (sr_edge__of checks it is that one). */
static sr_edge_t *sr_edge_state;

sr_edge_t *sr_edge__of(sr_server_t *server)
{
    return sr_edge_state && sr_edge_state->server == server ? sr_edge_state : NULL;
}

const sr_cluster_config_t *sr_edge_config(sr_server_t *server, const char *vhost)
{
    const sr_vhost_config_t *v = sr_server_config_vhost(sr_server_config(server), vhost);
    return v && v->cluster && v->cluster->is_edge && v->cluster->origin_count > 0 ? v->cluster : NULL;
}

/* Where streams of vhost may be pulled from: an edge, or an origin with a registry or
 * coworkers. */
static const sr_cluster_config_t *sr_edge_pull_config(sr_server_t *server, const char *vhost)
{
    const sr_vhost_config_t *v = sr_server_config_vhost(sr_server_config(server), vhost);
    const sr_cluster_config_t *cc = v ? v->cluster : NULL;
    return cc && ((cc->is_edge && cc->origin_count > 0) || cc->registry[0] ||
                  (cc->is_origin_cluster && cc->coworker_count > 0))
               ? cc
               : NULL;
}

bool sr_edge_is_cluster_member(sr_server_t *server, const char *vhost)
{
    const sr_cluster_config_t *cc = sr_edge_pull_config(server, vhost);
    return cc && !cc->is_edge && cc->is_origin_cluster && cc->coworker_count > 0;
}

bool sr_edge_is_pulled(sr_server_t *server, const sr_source_t *s)
{
    sr_edge_t *e = sr_edge__of(server);
    for (const sr_edge_pull_t *p = e ? e->pulls : NULL; p; p = p->next) {
        if (p->source == s) {
            return true;
        }
    }
    return false;
}

void sr_edge__upstream_stream(const sr_cluster_config_t *cc, const sr_request_t *req, char *out, size_t size)
{
    char rest[SR_REQUEST_PARAM_MAX + 1];
    sr_upstream_query_without(req->param, NULL, rest, sizeof(rest));
    const char *vhost = cc->upstream_vhost[0] ? cc->upstream_vhost : req->vhost;
    bool is_named = strcmp(vhost, SR_DEFAULT_VHOST) != 0;
    snprintf(out, size, "%s%s%s%s%s%s", req->stream, is_named || rest[0] ? "?" : "", is_named ? "vhost=" : "",
             is_named ? vhost : "", is_named && rest[0] ? "&" : "", rest);
}

static void sr_edge_pull_set_state(sr_edge_pull_t *p, const char *state)
{
    p->state = state;
    p->state_since_ms = sr_time_wall_us() / 1000;
}

static void sr_edge_pull_unref(sr_edge_pull_t *p)
{
    if (--p->refs > 0) {
        return;
    }
    sr_cond_free(p->live);
    sr_request_deinit(&p->req);
    sr_source_unref(p->source);
    sr_free(p);
}

/* A pull is still wanted while players or waiters are there, or were recently, or HLS
 * players asked for it recently. */
static bool sr_edge_pull_is_wanted(const sr_edge_pull_t *p)
{
    return p->waiters > 0 || sr_source_idle_us(p->source) < SR_EDGE_LINGER_US || sr_time_mono_us() < p->held_until;
}

static void sr_edge_pull_emit(void *arg, const sr_packet_t *pkt)
{
    sr_edge_pull_t *p = arg;
    sr_publish_frame(&p->session, pkt);
    if (!p->is_live && sr_packet_is_av(pkt) && !(pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER)) {
        p->is_live = true; /* the sequence headers came first: players can start */
        sr_cond_broadcast(p->live);
    }
}

/* The first player's params travel upstream (the origin's hooks check its token). */
static void sr_edge_pull_take_param(sr_edge_pull_t *p)
{
    if (p->req.param[0]) {
        return;
    }
    for (sr_client_t *c = sr_server_clients(p->edge->server); c; c = c->next) {
        if (c->source == p->source && !c->is_publish && c->req && c->req->param[0]) {
            sr_request_set(&p->req, SR_REQUEST_PARAM, "%s", c->req->param);
            return;
        }
    }
}

/* One session with origin o: read until it fails, the pull is no longer wanted, or stop. */
static int sr_edge_pull_session(sr_edge_pull_t *p, const sr_cluster_config_t *cc, const sr_cluster_addr_t *o)
{
    snprintf(p->upstream, sizeof(p->upstream), "%.255s:%d", o->host, o->port);
    sr_edge_pull_set_state(p, "connecting");
    char stream[SR_REQUEST_STREAM_MAX + SR_REQUEST_PARAM_MAX + 300];
    sr_edge__upstream_stream(cc, &p->req, stream, sizeof(stream));
    sr_upstream_t u;
    int rc = sr_upstream_open(&u, o, p->req.app, stream, false);
    if (rc != SR_OK) {
        return rc;
    }
    sr_trace("edge pull %s/%s/%s from rtmp://%s/%s/%s", p->req.vhost, p->req.app, p->req.stream, p->upstream,
             p->req.app, stream);
    sr_edge_pull_set_state(p, "pulling");
    p->live_io = sr_sock_io(u.sock);
    while (rc == SR_OK && sr_edge_pull_is_wanted(p)) {
        char status[128];
        rc = sr_upstream_read(&u, SR_EDGE_READ_WAKE_US, sr_edge_pull_emit, p, status, sizeof(status));
        if (rc == -SR_ETIMEOUT) {
            sr_err_clear();
            rc = SR_OK;
        }
    }
    p->bytes += p->live_io->recv_bytes;
    p->live_io = NULL;
    sr_upstream_close(&u);
    return rc;
}

/* Where to pull from, in order: the origin the registry names, the one a coworker names
 * (an origin cluster member), then (an edge) the configured origins. */
static int sr_edge_pull_candidates(sr_edge_pull_t *p, const sr_cluster_config_t *cc, sr_cluster_addr_t *out)
{
    int n = 0;
    if (cc->registry[0]) {
        if (sr_registry_lookup(p->edge->server, cc, &p->req, &out[0]) == SR_OK) {
            n++;
        } else {
            sr_warn("edge pull %s/%s/%s: registry: %s", p->req.vhost, p->req.app, p->req.stream, sr_err_trail());
            sr_err_clear();
        }
    }
    if (cc->is_origin_cluster && cc->coworker_count > 0 && !cc->is_edge) {
        if (sr_coworkers_lookup(p->edge->server, cc, &p->req, &out[n]) == SR_OK) {
            n++;
        } else {
            sr_info("edge pull %s/%s/%s: %s", p->req.vhost, p->req.app, p->req.stream, sr_err_trail());
            sr_err_clear();
        }
    }
    for (int i = 0; cc->is_edge && i < cc->origin_count; i++) {
        out[n++] = cc->origins[i];
    }
    return n;
}

/* Rounds over the candidates: the next one takes over at once when a session fails;
 * after a round without a session that lasted, wait. An origin with a registry or
 * coworkers (not an edge) gives up when they name nobody: the stream waits for a
 * publisher here. */
static void sr_edge_pull_loop(sr_edge_pull_t *p)
{
    sr_utime_t backoff = SR_EDGE_BACKOFF_MIN_US;
    while (sr_co_pull() == SR_OK && sr_edge_pull_is_wanted(p)) {
        const sr_cluster_config_t *cc = sr_edge_pull_config(p->edge->server, p->req.vhost);
        if (!cc) {
            break; /* a reload made the vhost an ordinary one */
        }
        sr_edge_pull_take_param(p);
        sr_cluster_addr_t cands[SR_CLUSTER_MAX_HOSTS + 1];
        int n = sr_edge_pull_candidates(p, cc, cands);
        if (n == 0) {
            break;
        }
        for (int i = 0; i < n && sr_edge_pull_is_wanted(p); i++) {
            sr_utime_t began = sr_time_mono_us();
            int rc = sr_edge_pull_session(p, cc, &cands[i]);
            if (rc == SR_OK || rc == -SR_EINTERRUPTED) {
                sr_err_clear();
                break; /* no longer wanted, or stopping: the loop condition says */
            }
            sr_warn("edge pull %s/%s/%s from %s: %s", p->req.vhost, p->req.app, p->req.stream, p->upstream,
                    sr_err_trail());
            sr_err_clear();
            p->failovers++;
            if (sr_time_mono_us() - began >= SR_EDGE_STABLE_US) {
                backoff = SR_EDGE_BACKOFF_MIN_US;
            }
        }
        if (!sr_edge_pull_is_wanted(p) || sr_co_pull() != SR_OK) {
            break;
        }
        sr_edge_pull_set_state(p, "backoff");
        if (sr_usleep(backoff) != SR_OK) {
            sr_err_clear();
            break;
        }
        backoff = SR_MIN(backoff * 2, SR_EDGE_BACKOFF_MAX_US);
    }
}

static void sr_edge_pull_run(void *arg)
{
    sr_edge_pull_t *p = arg;
    sr_edge_t *e = p->edge;
    const sr_vhost_config_t *v = sr_server_config_vhost(sr_server_config(e->server), p->req.vhost);
    int rc = v ? sr_publish_begin_relay(&p->session, e->server, &p->client, &p->req, v) : -SR_EVHOST_NOT_FOUND;
    if (rc == SR_OK) {
        sr_edge_pull_loop(p);
        sr_publish_end(&p->session);
    } else if (rc != -SR_ESTREAM_BUSY) {
        sr_warn("edge pull %s/%s/%s: %s", p->req.vhost, p->req.app, p->req.stream, sr_err_trail());
    }
    sr_err_clear(); /* busy: published at this edge, nothing to pull */
    sr_trace("edge pull %s/%s/%s ends", p->req.vhost, p->req.app, p->req.stream);
    p->is_ended = true;
    sr_cond_broadcast(p->live);
    if (p->prev) {
        p->prev->next = p->next;
    } else {
        e->pulls = p->next;
    }
    if (p->next) {
        p->next->prev = p->prev;
    }
    sr_cond_signal(e->pulls_gone);
    sr_edge_pull_unref(p);
}

static sr_edge_pull_t *sr_edge_find_pull(sr_edge_t *e, const sr_source_t *s)
{
    for (sr_edge_pull_t *p = e->pulls; p; p = p->next) {
        if (p->source == s) {
            return p;
        }
    }
    return NULL;
}

/* Start pulling s unless it is live or pulled already. Never yields. */
static sr_edge_pull_t *sr_edge_pull_start(sr_edge_t *e, sr_source_t *s, const char *param)
{
    sr_edge_pull_t *p = sr_edge_find_pull(e, s);
    if (p || sr_source_is_publishing(s)) {
        return p;
    }
    p = SR_NEW(sr_edge_pull_t);
    p->edge = e;
    p->refs = 1;
    p->source = sr_source_ref(s);
    sr_request_init(&p->req);
    sr_request_set(&p->req, SR_REQUEST_VHOST, "%s", sr_source_vhost(s));
    sr_request_set(&p->req, SR_REQUEST_APP, "%s", sr_source_app(s));
    sr_request_set(&p->req, SR_REQUEST_STREAM, "%s", sr_source_stream(s));
    sr_request_set(&p->req, SR_REQUEST_PARAM, "%s", param ? param : "");
    sr_request_set(&p->req, SR_REQUEST_SCHEMA, "rtmp");
    sr_request_set(&p->req, SR_REQUEST_IP, "127.0.0.1");
    p->client.type = "edge-pull";
    p->live = sr_cond_new();
    sr_edge_pull_set_state(p, "connecting");
    p->next = e->pulls;
    if (e->pulls) {
        e->pulls->prev = p;
    }
    e->pulls = p;
    p->co = sr_co_start_detached(sr_edge_pull_run, p, "");
    snprintf(p->client.cid, sizeof(p->client.cid), "%s", sr_co_cid_of(p->co));
    return p;
}

static void sr_edge_on_first_player(void *arg, sr_source_t *s)
{
    sr_edge_t *e = arg;
    if (sr_edge_pull_config(e->server, sr_source_vhost(s))) {
        sr_edge_pull_start(e, s, NULL);
    }
}

/* Wait, at most timeout_us, until p's media flows or p ends. */
static int sr_edge_pull_wait_live(sr_edge_pull_t *p, const sr_request_t *req, sr_utime_t timeout_us)
{
    int rc = SR_OK;
    p->refs++;
    p->waiters++;
    sr_utime_t deadline = sr_time_mono_us() + timeout_us;
    while (rc == SR_OK && !p->is_live && !p->is_ended) {
        sr_utime_t now = sr_time_mono_us();
        rc = now < deadline ? sr_cond_timedwait(p->live, deadline - now)
                            : sr_err_new(SR_ETIMEOUT, "edge: %s/%s/%s not live from any origin within %d ms",
                                         req->vhost, req->app, req->stream, (int)(timeout_us / SR_UTIME_MS));
    }
    p->waiters--;
    sr_edge_pull_unref(p);
    return rc;
}

int sr_edge_await(sr_server_t *server, const sr_request_t *req, sr_utime_t timeout_us)
{
    return sr_edge_hold(server, req, 0, timeout_us);
}

int sr_edge_hold(sr_server_t *server, const sr_request_t *req, sr_utime_t hold_us, sr_utime_t timeout_us)
{
    sr_edge_t *e = sr_edge__of(server);
    if (!e || !sr_edge_pull_config(server, req->vhost)) {
        return SR_OK;
    }
    sr_source_t *s = sr_source_fetch(sr_server_sources(server), req->vhost, req->app, req->stream, true);
    sr_edge_pull_t *p = sr_edge_pull_start(e, s, req->param);
    int rc = SR_OK;
    if (p) {
        p->held_until = SR_MAX(p->held_until, sr_time_mono_us() + hold_us);
        p->refs++;
        rc = timeout_us > 0 ? sr_edge_pull_wait_live(p, req, timeout_us) : SR_OK;
        if (rc == SR_OK && p->is_ended && !p->is_live && !sr_source_is_publishing(s)) {
            rc = sr_err_new(SR_ENOT_FOUND, "no origin has %s/%s/%s", req->vhost, req->app, req->stream);
        }
        sr_edge_pull_unref(p);
    }
    sr_source_unref(s);
    return rc;
}

void sr_edge_start(sr_server_t *server)
{
    sr_edge_t *e = SR_NEW(sr_edge_t);
    e->server = server;
    e->pulls_gone = sr_cond_new();
    e->observer = (sr_source_observer_t){.on_first_player = sr_edge_on_first_player, .arg = e};
    sr_source_registry_observe(sr_server_sources(server), &e->observer);
    sr_edge_state = e;
}

void sr_edge_stop(sr_server_t *server)
{
    sr_edge_t *e = sr_edge__of(server);
    if (!e) {
        return;
    }
    sr_source_registry_unobserve(sr_server_sources(server), &e->observer);
    for (sr_edge_pull_t *p = e->pulls; p; p = p->next) {
        sr_co_interrupt(p->co); /* each unregisters itself last */
    }
    while (e->pulls) {
        sr_cond_timedwait_through_stop(e->pulls_gone, 100 * SR_UTIME_MS);
        sr_err_clear();
    }
    sr_cond_free(e->pulls_gone);
    sr_edge_state = NULL;
    sr_free(e);
}

void sr_edge_foreach(sr_server_t *server, void (*fn)(const sr_edge_info_t *info, void *arg), void *arg)
{
    sr_edge_t *e = sr_edge__of(server);
    for (const sr_edge_pull_t *p = e ? e->pulls : NULL; p; p = p->next) {
        sr_edge_info_t info = {
            .vhost = p->req.vhost,
            .app = p->req.app,
            .stream = p->req.stream,
            .direction = "pull",
            .upstream = p->upstream,
            .state = p->state,
            .state_since_ms = p->state_since_ms,
            .bytes = p->bytes + (p->live_io ? p->live_io->recv_bytes : 0),
            .failovers = p->failovers,
        };
        fn(&info, arg);
    }
    sr_edge__foreach_push(e, fn, arg);
}
