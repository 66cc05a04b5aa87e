/* SPDX-License-Identifier: MIT */
/*
 * sr_http_hooks.c: SRS-compatible HTTP callbacks. Gated events (on_connect,
 * on_publish, on_play) POST to each configured URL in the caller's coroutine and stop
 * at the first refusal; leaving events (on_close, on_unpublish, on_stop) are built at
 * once and queued for one worker coroutine, so a leaving connection is never delayed.
 *
 * Not here: the HTTP client itself (protocol/sr_http_client.c), the http_hooks config
 * (sr_config_http.c), on_dvr/on_hls (the DVR and HLS modules, when they exist), and what
 * a refused client is told (the connection answers onStatus error or HTTP 403).
 *
 * The URL lists belong to the config snapshot, which a reload frees at any yield: gated
 * calls copy the URLs before their first yield, notifications copy them into the job.
 *
 * With a secret (ours), every POST carries X-Strand-Timestamp (unix seconds when it is
 * sent) and X-Strand-Signature: sha256=HEX, HEX being HMAC-SHA256(secret,
 * "TIMESTAMP.BODY") over the exact body bytes, so a hook server can check both where a
 * request came from and that it is fresh.
 */
#include "sr_http_hooks.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sr_alloc.h"
#include "sr_context.h"
#include "sr_error.h"
#include "sr_http.h"
#include "sr_http_hooks_internal.h"
#include "sr_json.h"
#include "sr_log.h"
#include "sr_request.h"
#include "sr_server.h"
#include "sr_st.h"

/* How long the idle worker sleeps between looks at its queue (a push signals it). */
#define SR_HOOKS_IDLE_US (10 * SR_UTIME_S)

/* ======================================================================== */
/* answers                                                                  */
/* ======================================================================== */

static bool sr_hooks_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool sr_hooks__is_success(int status, const char *body, size_t len)
{
    /* SRS accepts 200 and 201 (#158, #2316) */
    if (status != 200 && status != 201) {
        return false;
    }
    size_t b = 0, e = len;
    while (b < e && sr_hooks_is_space(body[b])) {
        b++;
    }
    while (e > b && sr_hooks_is_space(body[e - 1])) {
        e--;
    }
    /* the bare error code of old hook servers: exactly "0" */
    if (e - b == 1 && body[b] == '0') {
        return true;
    }
    if (e == b || body[b] != '{') {
        return false;
    }
    sr_json_t *root = NULL;
    if (sr_json_parse(body + b, e - b, &root) != SR_OK) {
        return false;
    }
    int64_t code = -1;
    bool is_ok = sr_json_int(sr_json_get(root, "code"), &code) && code == 0;
    sr_json_free(root);
    return is_ok;
}

/* Up to SR_HOOKS_ANSWER_LOG_BYTES of an answer, printable, for a log line. */
static void sr_hooks_quote(const uint8_t *p, size_t len, char *out, size_t size)
{
    size_t n = SR_MIN(len, SR_MIN((size_t)SR_HOOKS_ANSWER_LOG_BYTES, size - 4));
    for (size_t i = 0; i < n; i++) {
        out[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '.';
    }
    if (n < len) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
}

/* ======================================================================== */
/* payloads                                                                 */
/* ======================================================================== */

enum {
    SR_HOOKS_F_BASE = 1 << 0,       /* has a payload: server_id ... app */
    SR_HOOKS_F_TCURL = 1 << 1,      /* tcUrl */
    SR_HOOKS_F_STREAM = 1 << 2,     /* stream, param */
    SR_HOOKS_F_PAGEURL = 1 << 3,    /* pageUrl */
    SR_HOOKS_F_STREAM_URL = 1 << 4, /* stream_url, stream_id */
    SR_HOOKS_F_BYTES = 1 << 5,      /* send_bytes, recv_bytes */
};

/* The fields of each event beyond the common ones (COMPAT.md "HTTP hooks"). */
static const unsigned sr_hooks_fields[SR_HOOK_COUNT] = {
    [SR_HOOK_ON_CONNECT] = SR_HOOKS_F_BASE | SR_HOOKS_F_TCURL | SR_HOOKS_F_STREAM | SR_HOOKS_F_PAGEURL,
    [SR_HOOK_ON_CLOSE] = SR_HOOKS_F_BASE | SR_HOOKS_F_BYTES,
    [SR_HOOK_ON_PUBLISH] = SR_HOOKS_F_BASE | SR_HOOKS_F_TCURL | SR_HOOKS_F_STREAM | SR_HOOKS_F_STREAM_URL,
    [SR_HOOK_ON_UNPUBLISH] = SR_HOOKS_F_BASE | SR_HOOKS_F_TCURL | SR_HOOKS_F_STREAM | SR_HOOKS_F_STREAM_URL,
    [SR_HOOK_ON_PLAY] =
        SR_HOOKS_F_BASE | SR_HOOKS_F_TCURL | SR_HOOKS_F_STREAM | SR_HOOKS_F_PAGEURL | SR_HOOKS_F_STREAM_URL,
    [SR_HOOK_ON_STOP] =
        SR_HOOKS_F_BASE | SR_HOOKS_F_TCURL | SR_HOOKS_F_STREAM | SR_HOOKS_F_PAGEURL | SR_HOOKS_F_STREAM_URL,
};

static const char *sr_hooks_str(const char *s)
{
    return s ? s : "";
}

int sr_hooks__payload(const sr_hooks__event_t *e, sr_buf_t *out)
{
    unsigned f = ((int)e->ev >= 0 && (int)e->ev < SR_HOOK_COUNT) ? sr_hooks_fields[e->ev] : 0;
    if (!(f & SR_HOOKS_F_BASE)) {
        return sr_err_new(SR_EINVAL, "no payload for hook event %d", (int)e->ev);
    }
    const sr_request_t *r = e->req;
    sr_json_writer_t w;
    sr_json_writer_init(&w, out);
    sr_json_writer_object_start(&w);
    sr_json_writer_kv_string(&w, "server_id", sr_hooks_str(e->server_id));
    sr_json_writer_kv_string(&w, "service_id", sr_hooks_str(e->service_id));
    sr_json_writer_kv_string(&w, "action", sr_hook_event_name(e->ev));
    sr_json_writer_kv_string(&w, "client_id", sr_hooks_str(e->client_id));
    sr_json_writer_kv_string(&w, "ip", r->ip);
    sr_json_writer_kv_string(&w, "vhost", r->vhost);
    sr_json_writer_kv_string(&w, "app", r->app);
    if (f & SR_HOOKS_F_TCURL) {
        sr_json_writer_kv_string(&w, "tcUrl", r->tc_url);
    }
    if (f & SR_HOOKS_F_STREAM) {
        sr_json_writer_kv_string(&w, "stream", r->stream);
        sr_json_writer_kv_string(&w, "param", r->param);
    }
    if (f & SR_HOOKS_F_PAGEURL) {
        sr_json_writer_kv_string(&w, "pageUrl", r->page_url);
    }
    if (f & SR_HOOKS_F_STREAM_URL) {
        char url[SR_REQUEST_VHOST_MAX + SR_REQUEST_APP_MAX + SR_REQUEST_STREAM_MAX + 4];
        sr_request_stream_url(r, url, sizeof(url));
        sr_json_writer_kv_string(&w, "stream_url", url);
        sr_json_writer_kv_string(&w, "stream_id", sr_hooks_str(e->stream_id));
    }
    if (f & SR_HOOKS_F_BYTES) {
        sr_json_writer_kv_uint(&w, "send_bytes", e->send_bytes);
        sr_json_writer_kv_uint(&w, "recv_bytes", e->recv_bytes);
    }
    sr_json_writer_object_end(&w);
    if (sr_json_writer_finish(&w) != SR_OK) {
        return sr_err_new(SR_EJSON, "hook %s payload", sr_hook_event_name(e->ev));
    }
    return SR_OK;
}

/* ======================================================================== */
/* signatures                                                               */
/* ======================================================================== */

void sr_hooks__hmac_sha256(const void *key, size_t key_len, const void *data, size_t len, uint8_t out[32])
{
    unsigned int n = 32;
    static const uint8_t empty = 0; /* HMAC() wants a non-NULL pointer for empty input */
    HMAC(EVP_sha256(), key_len ? key : &empty, (int)key_len, len ? data : &empty, len, out, &n);
}

void sr_hooks__sign(const char *secret, int64_t timestamp, const void *body, size_t len,
                    char out[SR_HOOKS_SIGNATURE_HEX + 1])
{
    sr_buf_t msg;
    sr_buf_init(&msg);
    sr_buf_printf(&msg, "%lld.", (long long)timestamp);
    sr_buf_put_bytes(&msg, body, len);
    uint8_t mac[32];
    sr_hooks__hmac_sha256(secret, strlen(secret), msg.data, msg.len, mac);
    sr_buf_deinit(&msg);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[mac[i] >> 4];
        out[2 * i + 1] = hex[mac[i] & 15];
    }
    out[SR_HOOKS_SIGNATURE_HEX] = '\0';
}

/* ======================================================================== */
/* calling                                                                  */
/* ======================================================================== */

static const sr_hooks__opts_t sr_hooks_default_opts = {.secret = "", .timeout_us = SR_HOOK_TIMEOUT_US};

/* The hook could not be asked (as opposed to a bad URL or an answer that refuses). */
static bool sr_hooks_is_unreachable(int rc)
{
    return rc == -SR_ETIMEOUT || rc == -SR_ESOCKET_CONNECT || rc == -SR_ESOCKET_READ || rc == -SR_ESOCKET_WRITE ||
           rc == -SR_EPEER_CLOSED || rc == -SR_EHTTP_CLIENT;
}

/* POST with the signature headers when there is a secret. May yield. */
static int sr_hooks_send(const char *url, const void *body, size_t len, const sr_hooks__opts_t *o, int *status,
                         sr_buf_t *answer)
{
    if (!o->secret[0]) {
        return sr_http_client_request("POST", url, "application/json", body, len, o->timeout_us, status, answer);
    }
    char ts[24], sig[8 + SR_HOOKS_SIGNATURE_HEX + 1];
    int64_t now_s = sr_time_wall_us() / SR_UTIME_S;
    snprintf(ts, sizeof(ts), "%lld", (long long)now_s);
    memcpy(sig, "sha256=", 7);
    sr_hooks__sign(o->secret, now_s, body, len, sig + 7);
    sr_http_header_t headers[] = {{"X-Strand-Timestamp", ts}, {"X-Strand-Signature", sig}};
    return sr_http_client_request_headers("POST", url, "application/json", headers, SR_ARRAY_SIZE(headers), body, len,
                                          o->timeout_us, status, answer);
}

/* One POST to url as o says, logged. SR_OK when the answer admits (or, with
 * is_error_allow, when there was no answer to be had), else -SR_EHTTP_DENIED (or
 * -SR_EINTERRUPTED) with a trail naming the URL and the answer. May yield. */
static int sr_hooks_post(const char *action, const char *client_id, const char *url, const void *body, size_t len,
                         const sr_hooks__opts_t *o)
{
    sr_buf_t answer;
    sr_buf_init(&answer);
    int status = 0;
    sr_utime_t start_us = sr_time_mono_us();
    int rc = sr_hooks_send(url, body, len, o, &status, &answer);
    int ms = (int)((sr_time_mono_us() - start_us) / SR_UTIME_MS);
    char quoted[SR_HOOKS_ANSWER_LOG_BYTES + 4];
    sr_hooks_quote(answer.data, answer.len, quoted, sizeof(quoted));
    bool is_ok = rc == SR_OK && sr_hooks__is_success(status, (const char *)answer.data, answer.len);
    sr_buf_deinit(&answer);
    if (is_ok) {
        sr_trace("http hook %s client_id=%s url=%s status=%d duration=%dms", action, client_id, url, status, ms);
        return SR_OK;
    }
    if (rc == SR_OK) {
        sr_warn("http hook %s client_id=%s url=%s status=%d duration=%dms refused: body='%s'", action, client_id, url,
                status, ms, quoted);
        return sr_err_new(SR_EHTTP_DENIED, "hook %s %s answered status=%d body='%s'", action, url, status, quoted);
    }
    if (o->is_error_allow && sr_hooks_is_unreachable(rc)) {
        sr_warn("http hook %s client_id=%s url=%s duration=%dms failed: %s; allowed (on_hook_error allow)", action,
                client_id, url, ms, sr_err_name(rc));
        sr_err_clear();
        return SR_OK;
    }
    sr_warn("http hook %s client_id=%s url=%s duration=%dms failed: %s", action, client_id, url, ms, sr_err_name(rc));
    if (sr_err_is_interrupted(rc)) {
        return sr_err_wrap(rc, "hook %s %s", action, url);
    }
    sr_err_wrap(rc, "hook %s %s failed after %dms: %s", action, url, ms, sr_err_name(rc));
    return -SR_EHTTP_DENIED;
}

int sr_hooks__call(const char *action, const char *client_id, char *const *urls, int count, const void *body,
                   size_t len, const sr_hooks__opts_t *opts)
{
    for (int i = 0; i < count; i++) {
        int rc = sr_hooks_post(action, client_id, urls[i], body, len, opts ? opts : &sr_hooks_default_opts);
        if (rc != SR_OK) {
            return rc; /* the first refusal decides: later URLs are not called */
        }
    }
    return SR_OK;
}

/* ======================================================================== */
/* notification queue                                                       */
/* ======================================================================== */

typedef struct sr_hooks_job {
    struct sr_hooks_job *next;
    char action[32];
    char client_id[64];
    char **urls;
    int count;
    sr_buf_t body;
    sr_hooks__opts_t opts; /* never is_error_allow: a notification gates nothing */
} sr_hooks_job_t;

struct sr_hooks {
    sr_hooks_job_t *head, *tail;
    int queued;      /* jobs in the list */
    bool is_sending; /* the worker holds one more */
    int max_pending;
    sr_utime_t timeout_us;
    bool is_stopping;
    sr_utime_t deadline_us; /* once stopping */
    bool is_done;           /* the worker returned */
    uint64_t dropped;
    sr_cond_t *wake; /* a job arrived or stop began */
    sr_cond_t *done; /* the worker returned */
    sr_co_t *worker;
};

static char **sr_hooks_urls_dup(char *const *urls, int count)
{
    char **v = sr_calloc((size_t)SR_MAX(count, 1), sizeof(char *));
    for (int i = 0; i < count; i++) {
        v[i] = sr_strdup(urls[i]);
    }
    return v;
}

static void sr_hooks_urls_free(char **urls, int count)
{
    for (int i = 0; i < count; i++) {
        sr_free(urls[i]);
    }
    sr_free(urls);
}

static void sr_hooks_job_free(sr_hooks_job_t *job)
{
    sr_hooks_urls_free(job->urls, job->count);
    sr_buf_deinit(&job->body);
    sr_free(job);
}

/* Send one job to every URL; a failure is logged (by sr_hooks_post) and ignored. When
 * stopping, each call gets only what remains until the deadline. May yield. */
static void sr_hooks_job_send(sr_hooks_t *h, sr_hooks_job_t *job)
{
    for (int i = 0; i < job->count; i++) {
        sr_hooks__opts_t o = job->opts;
        sr_utime_t timeout_us = o.timeout_us;
        if (h->is_stopping) {
            sr_utime_t now = sr_time_mono_us();
            if (now >= h->deadline_us) {
                h->dropped++;
                return;
            }
            timeout_us = SR_MIN(timeout_us, h->deadline_us - now);
        }
        o.timeout_us = timeout_us;
        int rc = sr_hooks_post(job->action, job->client_id, job->urls[i], job->body.data, job->body.len, &o);
        sr_err_clear(); /* swallowed: logged above */
        if (rc != SR_OK && h->is_stopping) {
            h->dropped++; /* cut off by the quit deadline: not delivered */
        }
        if (sr_err_is_interrupted(rc) || sr_co_pull() != SR_OK) {
            return;
        }
    }
}

static void sr_hooks_worker_cycle(void *arg)
{
    sr_hooks_t *h = arg;
    while (sr_co_pull() == SR_OK) {
        if (!h->head) {
            if (h->is_stopping) {
                break; /* drained */
            }
            sr_cond_timedwait(h->wake, SR_HOOKS_IDLE_US);
            continue;
        }
        if (h->is_stopping && sr_time_mono_us() >= h->deadline_us) {
            break; /* sr_hooks__free drops the rest */
        }
        sr_hooks_job_t *job = h->head;
        h->head = job->next;
        if (!h->head) {
            h->tail = NULL;
        }
        h->queued--;
        h->is_sending = true;
        sr_hooks_job_send(h, job);
        h->is_sending = false;
        sr_hooks_job_free(job);
    }
    h->is_done = true;
    sr_cond_signal(h->done);
}

sr_hooks_t *sr_hooks__new(sr_utime_t timeout_us, int max_pending)
{
    sr_hooks_t *h = SR_NEW(sr_hooks_t);
    h->timeout_us = timeout_us;
    h->max_pending = max_pending;
    h->wake = sr_cond_new();
    h->done = sr_cond_new();
    h->worker = sr_co_start(sr_hooks_worker_cycle, h, ""); /* its own cid; lines name the client */
    sr_trace("http hooks worker started (queue max %d, timeout %dms)", max_pending, (int)(timeout_us / SR_UTIME_MS));
    return h;
}

bool sr_hooks__push(sr_hooks_t *h, const char *action, const char *client_id, char *const *urls, int count,
                    sr_buf_t *body, const sr_hooks__opts_t *opts)
{
    if (sr_hooks__pending(h) >= h->max_pending) {
        /* one line for the first drop and every 100th: a dead hook server must not flood the log */
        if (h->dropped++ % 100 == 0) {
            sr_warn("http hook %s client_id=%s dropped: %d notifications pending (max %d), %llu dropped so far", action,
                    sr_hooks_str(client_id), sr_hooks__pending(h), h->max_pending, (unsigned long long)h->dropped);
        }
        sr_buf_deinit(body);
        sr_buf_init(body);
        return false;
    }
    sr_hooks_job_t *job = SR_NEW(sr_hooks_job_t);
    snprintf(job->action, sizeof(job->action), "%s", action);
    snprintf(job->client_id, sizeof(job->client_id), "%s", sr_hooks_str(client_id));
    job->urls = sr_hooks_urls_dup(urls, count);
    job->count = count;
    job->body = *body; /* take the storage */
    job->opts = opts ? *opts : sr_hooks_default_opts;
    job->opts.timeout_us = opts ? opts->timeout_us : h->timeout_us;
    job->opts.is_error_allow = false;
    sr_buf_init(body);
    if (h->tail) {
        h->tail->next = job;
    } else {
        h->head = job;
    }
    h->tail = job;
    h->queued++;
    sr_cond_signal(h->wake);
    return true;
}

int sr_hooks__pending(const sr_hooks_t *h)
{
    return h->queued + (h->is_sending ? 1 : 0);
}

uint64_t sr_hooks__dropped(const sr_hooks_t *h)
{
    return h->dropped;
}

void sr_hooks__free(sr_hooks_t *h, sr_utime_t deadline_us)
{
    if (!h || h->is_stopping) {
        return; /* a second stop while the first drains: the first frees */
    }
    h->is_stopping = true;
    h->deadline_us = deadline_us;
    sr_cond_signal(h->wake);
    /* wait for the worker to drain the queue, at most until the deadline */
    while (!h->is_done) {
        sr_utime_t now = sr_time_mono_us();
        if (now >= deadline_us || sr_err_is_interrupted(sr_cond_timedwait(h->done, deadline_us - now))) {
            break;
        }
    }
    sr_co_stop(h->worker); /* interrupts a call still in flight at the deadline */
    int left = 0;
    while (h->head) {
        sr_hooks_job_t *job = h->head;
        h->head = job->next;
        sr_hooks_job_free(job);
        left++;
    }
    h->dropped += (uint64_t)left;
    if (left > 0 || h->dropped > 0) {
        sr_warn("http hooks stopped: %d notifications undelivered at the deadline, %llu dropped in all", left,
                (unsigned long long)h->dropped);
    } else {
        sr_trace("http hooks stopped, every notification delivered");
    }
    sr_cond_free(h->wake);
    sr_cond_free(h->done);
    sr_free(h);
}

/* ======================================================================== */
/* server API                                                               */
/* ======================================================================== */

/* The vhost's hooks for ev, or NULL when disabled or without URLs. Owned by the config
 * snapshot: valid until the next yield. */
static const sr_hooks_config_t *sr_hooks_config_of(sr_server_t *s, const sr_request_t *req, sr_hook_event_t ev)
{
    const sr_vhost_config_t *v = sr_server_config_vhost(sr_server_config(s), req->vhost);
    const sr_hooks_config_t *hc = v ? v->hooks : NULL;
    if (!hc || !hc->is_enabled || hc->counts[ev] <= 0) {
        return NULL;
    }
    return hc;
}

static sr_hooks__event_t sr_hooks_event(sr_server_t *s, sr_hook_event_t ev, const char *client_id,
                                        const sr_request_t *req, const char *stream_id)
{
    sr_hooks__event_t e = {
        .ev = ev,
        .server_id = sr_server_id(s),
        .service_id = sr_server_service_id(s),
        .client_id = client_id ? client_id : sr_co_cid(),
        .stream_id = stream_id,
        .req = req,
    };
    return e;
}

/* The sending options of a vhost's hooks. */
static void sr_hooks_opts_of(const sr_hooks_config_t *hc, sr_hooks__opts_t *o)
{
    snprintf(o->secret, sizeof(o->secret), "%s", hc->secret);
    o->timeout_us = hc->timeout_ms > 0 ? (sr_utime_t)hc->timeout_ms * SR_UTIME_MS : SR_HOOK_TIMEOUT_US;
    o->is_error_allow = hc->is_error_allow;
}

static int sr_hooks_gate(sr_server_t *s, const sr_hooks__event_t *e)
{
    const sr_hooks_config_t *hc = sr_hooks_config_of(s, e->req, e->ev);
    if (!hc) {
        return SR_OK;
    }
    sr_hooks__opts_t opts;
    sr_hooks_opts_of(hc, &opts);
    /* copy what outlives the first yield: the URLs (a reload frees hc) and the cid */
    int count = hc->counts[e->ev];
    char **urls = sr_hooks_urls_dup(hc->urls[e->ev], count);
    char client_id[64];
    snprintf(client_id, sizeof(client_id), "%s", sr_hooks_str(e->client_id));
    sr_buf_t body;
    sr_buf_init(&body);
    int rc = sr_hooks__payload(e, &body);
    if (rc == SR_OK) {
        rc = sr_hooks__call(sr_hook_event_name(e->ev), client_id, urls, count, body.data, body.len, &opts);
    }
    sr_buf_deinit(&body);
    sr_hooks_urls_free(urls, count);
    return rc;
}

static sr_hooks_t *sr_hooks_ensure(sr_server_t *s)
{
    sr_hooks_t *h = sr_server_hooks(s);
    if (!h) {
        h = sr_hooks__new(SR_HOOK_TIMEOUT_US, SR_HOOKS_QUEUE_MAX);
        sr_server_set_hooks(s, h);
    }
    return h;
}

static void sr_hooks_notify(sr_server_t *s, const sr_hooks__event_t *e)
{
    const sr_hooks_config_t *hc = sr_hooks_config_of(s, e->req, e->ev);
    if (!hc) {
        return;
    }
    sr_buf_t body;
    sr_buf_init(&body);
    if (sr_hooks__payload(e, &body) == SR_OK) {
        /* no yield since sr_hooks_config_of: hc is still valid, and push copies the URLs */
        sr_hooks__opts_t opts;
        sr_hooks_opts_of(hc, &opts);
        sr_hooks__push(sr_hooks_ensure(s), sr_hook_event_name(e->ev), e->client_id, hc->urls[e->ev], hc->counts[e->ev],
                       &body, &opts);
    } else {
        sr_warn("http hook %s not sent: %s", sr_hook_event_name(e->ev), sr_err_trail());
        sr_err_clear();
    }
    sr_buf_deinit(&body);
}

int sr_hooks_on_connect(sr_server_t *s, const char *client_id, const sr_request_t *req)
{
    sr_hooks__event_t e = sr_hooks_event(s, SR_HOOK_ON_CONNECT, client_id, req, NULL);
    return sr_hooks_gate(s, &e);
}

int sr_hooks_on_publish(sr_server_t *s, const char *client_id, const sr_request_t *req, const char *stream_id)
{
    sr_hooks__event_t e = sr_hooks_event(s, SR_HOOK_ON_PUBLISH, client_id, req, stream_id);
    return sr_hooks_gate(s, &e);
}

int sr_hooks_on_play(sr_server_t *s, const char *client_id, const sr_request_t *req, const char *stream_id)
{
    sr_hooks__event_t e = sr_hooks_event(s, SR_HOOK_ON_PLAY, client_id, req, stream_id);
    return sr_hooks_gate(s, &e);
}

void sr_hooks_on_close(sr_server_t *s, const char *client_id, const sr_request_t *req, uint64_t send_bytes,
                       uint64_t recv_bytes)
{
    sr_hooks__event_t e = sr_hooks_event(s, SR_HOOK_ON_CLOSE, client_id, req, NULL);
    e.send_bytes = send_bytes;
    e.recv_bytes = recv_bytes;
    sr_hooks_notify(s, &e);
}

void sr_hooks_on_unpublish(sr_server_t *s, const char *client_id, const sr_request_t *req, const char *stream_id)
{
    sr_hooks__event_t e = sr_hooks_event(s, SR_HOOK_ON_UNPUBLISH, client_id, req, stream_id);
    sr_hooks_notify(s, &e);
}

void sr_hooks_on_stop(sr_server_t *s, const char *client_id, const sr_request_t *req, const char *stream_id)
{
    sr_hooks__event_t e = sr_hooks_event(s, SR_HOOK_ON_STOP, client_id, req, stream_id);
    sr_hooks_notify(s, &e);
}

void sr_hooks_write_stream_fields(sr_json_writer_t *w, sr_server_t *s, sr_hook_event_t ev, const char *client_id,
                                  const sr_request_t *req, const char *stream_id)
{
    char url[1024];
    sr_request_stream_url(req, url, sizeof(url));
    sr_json_writer_kv_string(w, "server_id", sr_server_id(s));
    sr_json_writer_kv_string(w, "service_id", sr_server_service_id(s));
    sr_json_writer_kv_string(w, "action", sr_hook_event_name(ev));
    sr_json_writer_kv_string(w, "client_id", sr_hooks_str(client_id));
    sr_json_writer_kv_string(w, "ip", req->ip);
    sr_json_writer_kv_string(w, "vhost", req->vhost);
    sr_json_writer_kv_string(w, "app", req->app);
    sr_json_writer_kv_string(w, "tcUrl", req->tc_url);
    sr_json_writer_kv_string(w, "stream", req->stream);
    sr_json_writer_kv_string(w, "param", req->param);
    sr_json_writer_kv_string(w, "stream_url", url);
    sr_json_writer_kv_string(w, "stream_id", sr_hooks_str(stream_id));
}

void sr_hooks_notify_body(sr_server_t *s, const sr_request_t *req, sr_hook_event_t ev, const char *client_id,
                          sr_buf_t *body)
{
    const sr_hooks_config_t *hc = sr_hooks_config_of(s, req, ev);
    if (hc) {
        sr_hooks__opts_t opts;
        sr_hooks_opts_of(hc, &opts);
        sr_hooks__push(sr_hooks_ensure(s), sr_hook_event_name(ev), client_id, hc->urls[ev], hc->counts[ev], body,
                       &opts);
    }
}

void sr_hooks_start(sr_server_t *s)
{
    sr_hooks_ensure(s);
}

void sr_hooks_stop(sr_server_t *s, sr_utime_t deadline_us)
{
    sr_hooks_t *h = sr_server_hooks(s);
    if (!h || h->is_stopping) {
        return;
    }
    /* stays attached while it drains, so late notifications join the queue */
    sr_hooks__free(h, deadline_us);
    sr_server_set_hooks(s, NULL);
}
