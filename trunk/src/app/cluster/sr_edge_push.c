/* SPDX-License-Identifier: MIT */
/*
 * sr_edge_push.c: streams published to an edge go to an origin. The session with the
 * origin is opened before the publisher is told it may start, so the origin's refusal
 * (busy, a hook) is the publisher's; then a coroutine sends the local source there.
 * There is no reconnecting: when the origin fails the publisher is kicked, and its
 * reconnect tries the origins again from the first. Also token_traverse.
 */
#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_consumer.h"
#include "sr_edge_internal.h"
#include "sr_error.h"
#include "sr_log.h"
#include "sr_stream_policy.h"
#include "sr_upstream.h"

#define SR_EDGE_PUSH_DRAIN_US (3 * SR_UTIME_S)

typedef struct sr_edge_push {
    sr_edge_t *edge;
    struct sr_edge_push *prev, *next;
    sr_server_t *server;
    sr_client_t *client; /* the publisher, kicked when the origin fails */
    sr_request_t req;
    sr_upstream_t up;
    sr_consumer_t *consumer;
    sr_co_t *co;
    sr_cond_t *done;
    bool is_done;
    bool is_stopping;
    int64_t since_ms;
} sr_edge_push_t;

/* Open a session with the first origin that answers: publish req's stream, or with
 * is_connect_only connect with req's params (its token) on the app. A refusal ends the
 * search (the next origin would say the same). May yield. */
static int sr_edge_open_origin(const sr_cluster_config_t *cc, const sr_request_t *req, bool is_connect_only,
                               sr_upstream_t *u)
{
    char stream[SR_REQUEST_STREAM_MAX + SR_REQUEST_PARAM_MAX + 300];
    sr_edge__upstream_stream(cc, req, stream, sizeof(stream));
    char app[SR_REQUEST_APP_MAX + SR_REQUEST_PARAM_MAX + 300];
    const char *query = strchr(stream, '?');
    snprintf(app, sizeof(app), "%s%s", req->app, is_connect_only && query ? query : "");
    int rc = -SR_ENOT_FOUND;
    for (int i = 0; i < cc->origin_count; i++) {
        const sr_cluster_addr_t *o = &cc->origins[i];
        rc = sr_upstream_open(u, o, app, is_connect_only ? NULL : stream, true);
        if (rc == SR_OK || rc == -SR_ERTMP_CLOSE || rc == -SR_ERTMP_COMMAND || rc == -SR_EINTERRUPTED) {
            return rc;
        }
        sr_warn("edge: origin %s:%d: %s", o->host, o->port, sr_err_trail());
        sr_err_clear();
    }
    return rc == -SR_ENOT_FOUND ? rc : sr_err_new(SR_ESOCKET_CONNECT, "edge: no origin answered");
}

static void sr_edge_push_run(void *arg)
{
    sr_edge_push_t *p = arg;
    int rc = SR_OK;
    while (rc == SR_OK && !p->is_stopping) {
        rc = sr_consumer_wait(p->consumer, sr_consumer_batch_wait_us(p->consumer));
        if (rc == -SR_ETIMEOUT) {
            sr_err_clear();
            rc = SR_OK;
        }
        sr_consumer_take_events(p->consumer);
        if (rc == SR_OK) {
            if (p->is_stopping) {
                sr_sock_set_timeouts(p->up.sock, 0, SR_EDGE_PUSH_DRAIN_US);
            }
            rc = sr_upstream_send_queued(&p->up, p->consumer);
        }
    }
    if (rc != SR_OK && rc != -SR_EINTERRUPTED && !p->is_stopping) {
        sr_warn("edge push %s/%s/%s to %s failed, kicking the publisher: %s", p->req.vhost, p->req.app, p->req.stream,
                p->up.peer, sr_err_trail());
        sr_server_client_kick(p->server, p->client);
    }
    sr_err_clear();
    p->is_done = true;
    sr_cond_signal(p->done);
}

int sr_edge_push_start(sr_server_t *server, sr_client_t *client, sr_source_t *source, const sr_request_t *req,
                       struct sr_edge_push **out)
{
    *out = NULL;
    const sr_cluster_config_t *cc = sr_edge_config(server, req->vhost);
    if (!cc) {
        return SR_OK;
    }
    sr_edge_push_t *p = SR_NEW(sr_edge_push_t);
    int rc = sr_edge_open_origin(cc, req, false, &p->up);
    if (rc != SR_OK) {
        sr_free(p);
        return sr_err_wrap(rc, "edge: publish to the origin");
    }
    sr_trace("edge push %s/%s/%s to %s", req->vhost, req->app, req->stream, p->up.peer);
    p->server = server;
    p->client = client;
    sr_request_init(&p->req);
    sr_request_copy(&p->req, req);
    p->done = sr_cond_new();
    p->since_ms = sr_time_wall_us() / 1000;
    const sr_vhost_config_t *v = sr_server_config_vhost(sr_server_config(server), req->vhost);
    sr_consumer_policy_t policy;
    sr_stream_policy_player(v, &policy);
    policy.is_sink = true;
    p->consumer = sr_source_consumer_add(source, &policy);
    p->edge = sr_edge__of(server);
    if (p->edge) {
        p->next = p->edge->pushes;
        if (p->next) {
            p->next->prev = p;
        }
        p->edge->pushes = p;
    }
    p->co = sr_co_start(sr_edge_push_run, p, NULL);
    *out = p;
    return SR_OK;
}

void sr_edge_push_stop(struct sr_edge_push *p)
{
    if (!p) {
        return;
    }
    p->is_stopping = true;
    sr_consumer_post(p->consumer, SR_CONSUMER_EV_WAKEUP);
    sr_utime_t deadline = sr_time_mono_us() + SR_EDGE_PUSH_DRAIN_US + SR_UTIME_S;
    while (!p->is_done && sr_time_mono_us() < deadline) {
        if (sr_cond_timedwait(p->done, deadline - sr_time_mono_us()) == -SR_EINTERRUPTED) {
            sr_err_clear();
            break;
        }
    }
    sr_co_stop(p->co);
    sr_edge_t *e = sr_edge__of(p->server);
    if (e && e == p->edge) {
        if (p->prev) {
            p->prev->next = p->next;
        } else {
            e->pushes = p->next;
        }
        if (p->next) {
            p->next->prev = p->prev;
        }
    }
    sr_source_consumer_remove(p->consumer);
    sr_upstream_close(&p->up);
    sr_cond_free(p->done);
    sr_request_deinit(&p->req);
    sr_free(p);
}

void sr_edge__foreach_push(sr_edge_t *e, void (*fn)(const sr_edge_info_t *info, void *arg), void *arg)
{
    for (const sr_edge_push_t *p = e ? e->pushes : NULL; p; p = p->next) {
        sr_edge_info_t info = {
            .vhost = p->req.vhost,
            .app = p->req.app,
            .stream = p->req.stream,
            .direction = "push",
            .upstream = p->up.peer,
            .state = "pushing",
            .state_since_ms = p->since_ms,
            .bytes = p->up.sock ? sr_sock_io(p->up.sock)->send_bytes : 0,
        };
        fn(&info, arg);
    }
}

int sr_edge_check_connect(sr_server_t *server, const sr_request_t *req)
{
    const sr_cluster_config_t *cc = sr_edge_config(server, req->vhost);
    if (!cc || !cc->is_token_traverse) {
        return SR_OK;
    }
    sr_upstream_t u;
    int rc = sr_edge_open_origin(cc, req, true, &u);
    sr_upstream_close(&u);
    return rc == SR_OK ? SR_OK : sr_err_wrap(rc, "token_traverse");
}
