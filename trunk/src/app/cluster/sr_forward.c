/* SPDX-License-Identifier: MIT */
/*
 * sr_forward.c: one forward output per published stream, one link per destination. A
 * link is a coroutine: open the session (sr_upstream), attach a consumer, which starts
 * with the metadata, sequence headers and cached GOP, and send what it reads; on an
 * error drop the consumer, wait (1 s doubling to 30 s, back to 1 s after a session that
 * lasted), and open again. At unpublish a link sends what is still queued before it
 * closes, so the destination gets the stream's tail.
 */
#include "sr_forward.h"

#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_config_cluster.h"
#include "sr_consts.h"
#include "sr_error.h"
#include "sr_http.h"
#include "sr_json.h"
#include "sr_log.h"
#include "sr_st.h"
#include "sr_stream_policy.h"
#include "sr_upstream.h"
#include "sr_url.h"

#define SR_FORWARD_MAX_LINKS (2 * SR_CLUSTER_MAX_HOSTS)
#define SR_FORWARD_BACKOFF_MIN_US SR_UTIME_S
#define SR_FORWARD_BACKOFF_MAX_US (30 * SR_UTIME_S)
/* A session that lasted this long resets the backoff. */
#define SR_FORWARD_STABLE_US (30 * SR_UTIME_S)
/* At unpublish, how long a link may take to send its tail before it is cut. */
#define SR_FORWARD_DRAIN_US (3 * SR_UTIME_S)
#define SR_FORWARD_BACKEND_TIMEOUT_US (3 * SR_UTIME_S)
#define SR_FORWARD_VIA_KEY "strand_via"

typedef struct sr_forward sr_forward_t;

typedef struct sr_forward_link {
    sr_forward_t *fwd;
    sr_cluster_addr_t dest;
    char app[256];
    char stream[2048]; /* name?query as published there */
    char peer[300];
    sr_co_t *co;
    sr_cond_t *done; /* signalled when the coroutine is about to end */
    bool is_done;
    bool is_stopping;
    sr_consumer_t *consumer; /* while a session is up */
    const char *state;
    int64_t state_since_ms;
    uint64_t sent_bytes;    /* of sessions that ended */
    const sr_io_t *live_io; /* the session's, while one is up */
    uint64_t reconnects;
    char error[160];
    struct sr_forward_link *prev_all, *next_all; /* every link of the process, for the API */
} sr_forward_link_t;

struct sr_forward {
    sr_server_t *server;
    sr_source_t *source; /* referenced */
    sr_request_t req;
    sr_forward_config_t cfg;
    sr_consumer_policy_t policy;
    char via[256]; /* the servers the stream passed, this one last */
    sr_forward_link_t *links[SR_FORWARD_MAX_LINKS];
    int link_count;
    sr_co_t *backend_co;
};

/* The API lists links across streams; one thread, so a plain list. */
static sr_forward_link_t *sr_forward_all;

/* ---- the stream's name upstream ---- */

static void sr_forward_name_link(sr_forward_link_t *l)
{
    const sr_forward_t *f = l->fwd;
    char rest[SR_REQUEST_PARAM_MAX + 1];
    sr_upstream_query_without(f->req.param, SR_FORWARD_VIA_KEY, rest, sizeof(rest));
    char vhost[300] = "";
    if (strcmp(f->req.vhost, SR_DEFAULT_VHOST) != 0) {
        snprintf(vhost, sizeof(vhost), "vhost=%s&", f->req.vhost);
    }
    if (l->dest.app[0]) { /* a whole URL: its app and stream, our marker added */
        snprintf(l->app, sizeof(l->app), "%s", l->dest.app);
        snprintf(l->stream, sizeof(l->stream), "%s%s%s=%s", l->dest.stream, strchr(l->dest.stream, '?') ? "&" : "?",
                 SR_FORWARD_VIA_KEY, f->via);
    } else {
        snprintf(l->app, sizeof(l->app), "%s", f->req.app);
        snprintf(l->stream, sizeof(l->stream), "%s?%s%s%s%s=%s", f->req.stream, vhost, rest, rest[0] ? "&" : "",
                 SR_FORWARD_VIA_KEY, f->via);
    }
    snprintf(l->peer, sizeof(l->peer), "%s:%d", l->dest.host, l->dest.port);
}

int sr_forward_check_loop(sr_server_t *server, const sr_request_t *req)
{
    char via[256];
    const char *q = req->param[0] == '?' ? req->param + 1 : req->param;
    if (!sr_url_query_get(q, SR_FORWARD_VIA_KEY, via, sizeof(via))) {
        return SR_OK;
    }
    const char *id = sr_server_id(server);
    size_t n = strlen(id);
    for (const char *p = via; (p = strstr(p, id)) != NULL; p += n) {
        bool is_start = p == via || p[-1] == '.';
        bool is_end = p[n] == '\0' || p[n] == '.';
        if (is_start && is_end) {
            return sr_err_new(SR_EFORWARD_LOOP, "stream was forwarded through this server already (%s)", via);
        }
    }
    return SR_OK;
}

/* ---- a link ---- */

static void sr_forward_set_state(sr_forward_link_t *l, const char *state)
{
    l->state = state;
    l->state_since_ms = sr_time_wall_us() / 1000;
}

/* One session: send until an error, or until stopped (then the tail, bounded). */
static int sr_forward_pump(sr_forward_link_t *l, sr_upstream_t *u)
{
    sr_forward_t *f = l->fwd;
    l->consumer = sr_source_consumer_add(f->source, &f->policy);
    int rc = SR_OK;
    while (rc == SR_OK) {
        if (l->is_stopping) {
            sr_sock_set_timeouts(u->sock, 0, SR_FORWARD_DRAIN_US);
            rc = sr_upstream_send_queued(u, l->consumer);
            break;
        }
        rc = sr_consumer_wait(l->consumer, sr_consumer_batch_wait_us(l->consumer));
        if (rc == -SR_ETIMEOUT) {
            sr_err_clear();
            rc = SR_OK;
        }
        sr_consumer_take_events(l->consumer);
        if (rc == SR_OK) {
            rc = sr_upstream_send_queued(u, l->consumer);
        }
    }
    sr_source_consumer_remove(l->consumer);
    l->consumer = NULL;
    return rc;
}

static void sr_forward_link_run(void *arg)
{
    sr_forward_link_t *l = arg;
    sr_utime_t backoff = SR_FORWARD_BACKOFF_MIN_US;
    while (!l->is_stopping && sr_co_pull() == SR_OK) {
        sr_forward_set_state(l, "connecting");
        sr_upstream_t u;
        int rc = sr_upstream_open(&u, &l->dest, l->app, l->stream, true);
        if (rc == SR_OK) {
            sr_trace("forward %s/%s/%s to %s://%s/%s/%s", l->fwd->req.vhost, l->fwd->req.app, l->fwd->req.stream,
                     l->dest.is_tls ? "rtmps" : "rtmp", l->peer, l->app, l->stream);
            sr_forward_set_state(l, "forwarding");
            sr_utime_t began = sr_time_mono_us();
            l->live_io = sr_sock_io(u.sock);
            rc = sr_forward_pump(l, &u);
            l->sent_bytes += l->live_io->send_bytes;
            l->live_io = NULL;
            sr_upstream_close(&u);
            if (sr_time_mono_us() - began >= SR_FORWARD_STABLE_US) {
                backoff = SR_FORWARD_BACKOFF_MIN_US;
            }
        }
        if (l->is_stopping || rc == -SR_EINTERRUPTED) {
            sr_err_clear();
            break;
        }
        snprintf(l->error, sizeof(l->error), "%s", sr_err_trail());
        if (strstr(l->error, SR_FORWARD_LOOP_TEXT)) {
            sr_warn("forward to %s: the stream came from there, not forwarded back", l->peer);
            sr_err_clear();
            sr_forward_set_state(l, "loop");
            break;
        }
        sr_warn("forward to %s: %s; again in %.0f s", l->peer, sr_err_trail(), (double)backoff / SR_UTIME_S);
        sr_err_clear();
        l->reconnects++;
        sr_forward_set_state(l, "backoff");
        if (sr_usleep(backoff) != SR_OK) {
            sr_err_clear();
            break;
        }
        backoff = SR_MIN(backoff * 2, SR_FORWARD_BACKOFF_MAX_US);
    }
    l->is_done = true;
    sr_cond_signal(l->done);
}

static void sr_forward_add_link(sr_forward_t *f, const sr_cluster_addr_t *dest)
{
    if (f->link_count == SR_FORWARD_MAX_LINKS) {
        sr_warn("forward %s/%s/%s: more than %d destinations, %s:%d left out", f->req.vhost, f->req.app, f->req.stream,
                SR_FORWARD_MAX_LINKS, dest->host, dest->port);
        return;
    }
    sr_forward_link_t *l = SR_NEW(sr_forward_link_t);
    l->fwd = f;
    l->dest = *dest;
    l->done = sr_cond_new();
    sr_forward_name_link(l);
    sr_forward_set_state(l, "connecting");
    l->next_all = sr_forward_all;
    if (sr_forward_all) {
        sr_forward_all->prev_all = l;
    }
    sr_forward_all = l;
    f->links[f->link_count++] = l;
    l->co = sr_co_start(sr_forward_link_run, l, "");
}

/* Let the link send its tail and end, then free it. May yield. */
static void sr_forward_stop_link(sr_forward_link_t *l)
{
    l->is_stopping = true;
    if (l->consumer) {
        sr_consumer_post(l->consumer, SR_CONSUMER_EV_WAKEUP);
    } else {
        sr_co_interrupt(l->co); /* connecting or waiting to retry: nothing to send */
    }
    sr_utime_t deadline = sr_time_mono_us() + SR_FORWARD_DRAIN_US + SR_UTIME_S;
    while (!l->is_done && sr_time_mono_us() < deadline) {
        if (sr_cond_timedwait(l->done, deadline - sr_time_mono_us()) == -SR_EINTERRUPTED) {
            sr_err_clear();
            break;
        }
    }
    sr_co_stop(l->co);
    if (l->prev_all) {
        l->prev_all->next_all = l->next_all;
    } else {
        sr_forward_all = l->next_all;
    }
    if (l->next_all) {
        l->next_all->prev_all = l->prev_all;
    }
    sr_cond_free(l->done);
    sr_free(l);
}

/* ---- backend: an HTTP service names the destinations (SRS's on_forward) ---- */

static void sr_forward_backend_body(const sr_forward_t *f, sr_buf_t *out)
{
    sr_json_writer_t w;
    sr_json_writer_init(&w, out);
    sr_json_writer_object_start(&w);
    sr_json_writer_kv_string(&w, "action", "on_forward");
    sr_json_writer_kv_string(&w, "server_id", sr_server_id(f->server));
    sr_json_writer_kv_string(&w, "service_id", sr_server_service_id(f->server));
    sr_source_stats_t stats;
    sr_source_get_stats(f->source, &stats);
    sr_json_writer_kv_string(&w, "client_id", stats.publisher_cid);
    sr_json_writer_kv_string(&w, "ip", f->req.ip);
    sr_json_writer_kv_string(&w, "vhost", f->req.vhost);
    sr_json_writer_kv_string(&w, "app", f->req.app);
    sr_json_writer_kv_string(&w, "tcUrl", f->req.tc_url);
    sr_json_writer_kv_string(&w, "stream", f->req.stream);
    sr_json_writer_kv_string(&w, "param", f->req.param);
    sr_json_writer_object_end(&w);
}

/* {"code":0,"data":{"urls":["rtmp://..."]}}: a link per URL. */
static int sr_forward_backend_answer(sr_forward_t *f, const sr_buf_t *answer)
{
    sr_json_t *root = NULL;
    int rc = sr_json_parse((const char *)answer->data, answer->len, &root);
    if (rc != SR_OK) {
        return rc;
    }
    int64_t code = -1;
    sr_json_t *urls = sr_json_get(sr_json_get(root, "data"), "urls");
    if (!sr_json_int(sr_json_get(root, "code"), &code) || code != 0) {
        rc = sr_err_new(SR_EHTTP_DENIED, "backend answered code %lld", (long long)code);
    }
    for (size_t i = 0; rc == SR_OK && i < sr_json_array_count(urls); i++) {
        const char *url = sr_json_string(sr_json_array_at(urls, i), NULL);
        sr_cluster_addr_t dest;
        if (url && sr_config_cluster_addr(NULL, url, true, &dest) == SR_OK) {
            sr_forward_add_link(f, &dest);
        } else {
            sr_warn("forward backend: '%s' is not an rtmp:// or rtmps:// URL, skipped", url ? url : "(not a string)");
            sr_err_clear();
        }
    }
    sr_json_free(root);
    return rc;
}

static void sr_forward_backend_run(void *arg)
{
    sr_forward_t *f = arg;
    sr_buf_t body, answer;
    sr_buf_init(&body);
    sr_buf_init(&answer);
    sr_forward_backend_body(f, &body);
    int status = 0;
    int rc = sr_http_client_request("POST", f->cfg.backend, "application/json", body.data, body.len,
                                    SR_FORWARD_BACKEND_TIMEOUT_US, &status, &answer);
    if (rc == SR_OK && status / 100 != 2) {
        rc = sr_err_new(SR_EHTTP_DENIED, "status %d", status);
    }
    if (rc == SR_OK) {
        rc = sr_forward_backend_answer(f, &answer);
    }
    if (rc != SR_OK && rc != -SR_EINTERRUPTED) {
        sr_warn("forward backend %s for %s/%s/%s: %s", f->cfg.backend, f->req.vhost, f->req.app, f->req.stream,
                sr_err_trail());
    }
    sr_err_clear();
    sr_buf_deinit(&body);
    sr_buf_deinit(&answer);
}

/* ---- the output kind ---- */

static const void *sr_forward_wanted(const sr_vhost_config_t *v, const sr_request_t *req)
{
    (void)req;
    const sr_forward_config_t *c = v && v->is_enabled ? v->forward : NULL; /* a reload may remove the vhost */
    return c && c->is_enabled && (c->destination_count > 0 || c->backend[0]) ? c : NULL;
}

static bool sr_forward_same(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(sr_forward_config_t)) == 0;
}

static void *sr_forward_start(sr_server_t *server, sr_source_t *source, const sr_request_t *req, const void *settings)
{
    sr_forward_t *f = SR_NEW(sr_forward_t);
    f->server = server;
    f->source = sr_source_ref(source);
    sr_request_init(&f->req);
    sr_request_copy(&f->req, req);
    f->cfg = *(const sr_forward_config_t *)settings;
    const sr_vhost_config_t *v = sr_server_config_vhost(sr_server_config(server), req->vhost);
    sr_stream_policy_player(v, &f->policy);
    f->policy.is_sink = true; /* not a player: no on_first_player, no kickoff_for_idle credit */
    char prior[200] = "";
    const char *q = req->param[0] == '?' ? req->param + 1 : req->param;
    sr_url_query_get(q, SR_FORWARD_VIA_KEY, prior, sizeof(prior));
    snprintf(f->via, sizeof(f->via), "%s%s%s", prior, prior[0] ? "." : "", sr_server_id(server));
    for (int i = 0; i < f->cfg.destination_count; i++) {
        sr_forward_add_link(f, &f->cfg.destinations[i]);
    }
    if (f->cfg.backend[0]) {
        f->backend_co = sr_co_start(sr_forward_backend_run, f, NULL);
    }
    return f;
}

static void sr_forward_stop(void *output)
{
    sr_forward_t *f = output;
    sr_co_stop(f->backend_co); /* no link is added after this */
    for (int i = 0; i < f->link_count; i++) {
        sr_forward_stop_link(f->links[i]);
    }
    sr_request_deinit(&f->req);
    sr_source_unref(f->source);
    sr_free(f);
}

const sr_output_kind_t sr_forward_output = {
    .name = "forward",
    .wanted = sr_forward_wanted,
    .settings_size = sizeof(sr_forward_config_t),
    .same = sr_forward_same,
    .start = sr_forward_start,
    .stop = sr_forward_stop,
};

void sr_forward_foreach(void (*fn)(const sr_forward_info_t *info, void *arg), void *arg)
{
    for (const sr_forward_link_t *l = sr_forward_all; l; l = l->next_all) {
        sr_forward_info_t info = {
            .vhost = l->fwd->req.vhost,
            .app = l->fwd->req.app,
            .stream = l->fwd->req.stream,
            .destination = l->peer,
            .url = l->stream,
            .state = l->state,
            .state_since_ms = l->state_since_ms,
            .sent_bytes = l->sent_bytes + (l->live_io ? l->live_io->send_bytes : 0),
            .reconnects = l->reconnects,
            .error = l->error,
        };
        fn(&info, arg);
    }
}
