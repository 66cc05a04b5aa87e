/* SPDX-License-Identifier: MIT */
/*
 * sr_http_stream.c: live streams over HTTP (vhost http_remux): a GET of a mount such
 * as /live/livestream.flv attaches a consumer to the source and streams FLV, with the
 * same fast start as RTMP (metadata, sequence headers, cached GOP). Each FLV tag is
 * written as three iovecs (tag header, the shared payload, previous-tag-size) so the
 * media is never copied. A viewer of a stream that is not live gets 404; the response
 * ends when the publisher leaves.
 */
#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_bytes.h"
#include "sr_consts.h"
#include "sr_error.h"
#include "sr_flv.h"
#include "sr_http_conn.h"
#include "sr_http_hooks.h"
#include "sr_log.h"
#include "sr_request.h"
#include "sr_rtmp_conn.h"
#include "sr_source.h"
#include "sr_st.h"
#include "sr_url.h"

#define SR_HTTP_STREAM_BATCH 128
#define SR_HTTP_STREAM_IDLE_WAKE_US (1 * SR_UTIME_S)

typedef struct sr_http_stream {
    sr_http_ctx_t *ctx;
    sr_http_response_t resp;
    sr_consumer_t *consumer;
    sr_vhost_config_t vhost;
    sr_request_t *req;
    uint64_t sent_packets;
} sr_http_stream_t;

/* ---- mount matching ---- */

/* Expand a mount template for vhost/app/stream ("[vhost]/" is dropped for the default vhost). */
static void sr_http_stream_expand(const char *tpl, const char *vhost, const char *app, const char *stream, char *out,
                                  size_t size)
{
    sr_buf_t b;
    sr_buf_init(&b);
    bool is_default = strcmp(vhost, SR_DEFAULT_VHOST) == 0;
    for (const char *p = tpl; *p;) {
        if (strncmp(p, "[vhost]", 7) == 0) {
            p += 7;
            if (is_default) {
                p += *p == '/' ? 1 : 0;
            } else {
                sr_buf_put_str(&b, vhost);
            }
        } else if (strncmp(p, "[app]", 5) == 0) {
            sr_buf_put_str(&b, app);
            p += 5;
        } else if (strncmp(p, "[stream]", 8) == 0) {
            sr_buf_put_str(&b, stream);
            p += 8;
        } else {
            sr_buf_put_u8(&b, (uint8_t)*p++);
        }
    }
    snprintf(out, size, "%s%.*s", b.len && b.data[0] == '/' ? "" : "/", (int)b.len, b.data ? (char *)b.data : "");
    sr_buf_deinit(&b);
}

/* The vhost a request is for: ?vhost=, else the Host header when it names a vhost, else the default. */
static const sr_vhost_config_t *sr_http_stream_vhost(const sr_http_ctx_t *ctx)
{
    const sr_server_config_t *cfg = sr_server_config(ctx->server);
    char name[256] = "";
    if (!sr_url_query_get(ctx->req->query, "vhost", name, sizeof(name)) || !name[0]) {
        const char *host = sr_http_request_header(ctx->req, "Host");
        snprintf(name, sizeof(name), "%s", host ? host : "");
        char *colon = name[0] == '[' ? NULL : strchr(name, ':');
        if (colon) {
            *colon = '\0';
        }
    }
    return sr_server_config_vhost(cfg, name);
}

/* Split /app.../stream.ext and check it against the vhost's mount. */
static bool sr_http_stream_match(const sr_vhost_config_t *v, const char *path, char *app, size_t app_size, char *stream,
                                 size_t stream_size)
{
    const char *ext = strrchr(v->http_remux.mount, '.');
    size_t n = strlen(path);
    if (!ext || n <= strlen(ext) + 1 || strcmp(path + n - strlen(ext), ext) != 0) {
        return false;
    }
    const char *slash = path + n - strlen(ext);
    while (slash > path && *slash != '/') {
        slash--;
    }
    if (slash == path) {
        return false;
    }
    snprintf(stream, stream_size, "%.*s", (int)(path + n - strlen(ext) - slash - 1), slash + 1);
    const char *a = path + 1;
    bool has_vhost = strstr(v->http_remux.mount, "[vhost]") && strcmp(v->name, SR_DEFAULT_VHOST) != 0;
    if (has_vhost) {
        size_t vn = strlen(v->name);
        if (strncmp(a, v->name, vn) != 0 || a[vn] != '/') {
            return false;
        }
        a += vn + 1;
    }
    if (a >= slash) {
        return false;
    }
    snprintf(app, app_size, "%.*s", (int)(slash - a), a);
    char expect[1024];
    sr_http_stream_expand(v->http_remux.mount, v->name, app, stream, expect, sizeof(expect));
    return strcmp(expect, path) == 0;
}

/* ---- FLV ---- */

static int sr_http_stream_send_batch(sr_http_stream_t *hs)
{
    sr_packet_t pkts[SR_HTTP_STREAM_BATCH];
    uint8_t heads[SR_HTTP_STREAM_BATCH][SR_FLV_TAG_HEADER_BYTES];
    uint8_t sizes[SR_HTTP_STREAM_BATCH][4];
    struct iovec iov[SR_HTTP_STREAM_BATCH * 3];
    size_t n = sr_consumer_fetch(hs->consumer, pkts, SR_HTTP_STREAM_BATCH);
    int cnt = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t size = pkts[i].payload->size;
        sr_flv_write_tag_header(heads[i], pkts[i].type, size, pkts[i].dts);
        sr_put_be32(sizes[i], size + SR_FLV_TAG_HEADER_BYTES);
        iov[cnt++] = (struct iovec){heads[i], SR_FLV_TAG_HEADER_BYTES};
        iov[cnt++] = (struct iovec){pkts[i].payload->data, size};
        iov[cnt++] = (struct iovec){sizes[i], 4};
    }
    int rc = cnt ? sr_http_response_writev(&hs->resp, iov, cnt) : SR_OK;
    hs->sent_packets += n;
    for (size_t i = 0; i < n; i++) {
        sr_packet_deinit(&pkts[i]);
    }
    return rc;
}

static int sr_http_stream_loop(sr_http_stream_t *hs)
{
    sr_utime_t wait_us = hs->vhost.is_min_latency ? SR_HTTP_STREAM_IDLE_WAKE_US
                                                  : SR_MIN((sr_utime_t)hs->vhost.mw_latency_ms * SR_UTIME_MS + 1,
                                                           SR_HTTP_STREAM_IDLE_WAKE_US);
    for (;;) {
        int rc = sr_consumer_wait(hs->consumer, wait_us);
        if (rc == -SR_EINTERRUPTED) {
            return rc;
        }
        if (sr_consumer_take_events(hs->consumer) & SR_CONSUMER_EV_UNPUBLISH) {
            return SR_OK; /* the publisher left: end the response */
        }
        rc = SR_OK;
        while (rc == SR_OK && sr_consumer_queued(hs->consumer) > 0) {
            rc = sr_http_stream_send_batch(hs);
        }
        if (rc != SR_OK) {
            return rc;
        }
    }
}

static int sr_http_stream_flv(sr_http_stream_t *hs, sr_source_t *src)
{
    sr_http_ctx_t *ctx = hs->ctx;
    sr_http_response_init(&hs->resp, ctx->io, ctx->req);
    sr_http_response_add_header(&hs->resp, "Content-Type", "video/x-flv");
    sr_http_response_add_header(&hs->resp, "Cache-Control", "no-cache");
    if (sr_server_config(ctx->server)->http_server.is_crossdomain) {
        sr_http_conn_add_cors(&hs->resp);
    }
    sr_source_stats_t st;
    sr_source_get_stats(src, &st);
    bool has_video = hs->vhost.http_remux.has_video && (!hs->vhost.http_remux.is_guess_has_av || st.video_codec);
    bool has_audio = hs->vhost.http_remux.has_audio && (!hs->vhost.http_remux.is_guess_has_av || st.audio_codec >= 0);
    uint8_t header[SR_FLV_FILE_HEADER_BYTES];
    sr_flv_write_file_header(header, has_audio, has_video);
    int rc = sr_http_response_write_header(&hs->resp, -1);
    if (rc == SR_OK) {
        rc = sr_http_response_write(&hs->resp, header, sizeof(header));
    }
    if (rc != SR_OK || strcmp(ctx->req->method_name, "HEAD") == 0) {
        return rc;
    }
    sr_consumer_policy_t policy;
    sr_rtmp_conn_consumer_policy(&hs->vhost, &policy);
    hs->consumer = sr_source_consumer_add(src, &policy);
    ctx->client->source = src;
    sr_trace("flv play %s/%s/%s%s start", hs->req->vhost, hs->req->app, hs->req->stream, hs->req->param);
    rc = sr_http_stream_loop(hs);
    sr_trace("flv play %s/%s/%s stop: sent %llu packets, dropped %llu (%s)", hs->req->vhost, hs->req->app,
             hs->req->stream, (unsigned long long)hs->sent_packets,
             (unsigned long long)sr_consumer_dropped(hs->consumer), rc == SR_OK ? "unpublished" : sr_err_name(rc));
    ctx->client->source = NULL;
    sr_source_consumer_remove(hs->consumer);
    if (rc == SR_OK) {
        rc = sr_http_response_end(&hs->resp);
    }
    return rc == SR_OK ? -SR_EPEER_CLOSED : rc; /* a live response ends the connection */
}

static void sr_http_stream_fill_request(sr_http_stream_t *hs, const char *app, const char *stream)
{
    const sr_http_request_t *r = hs->ctx->req;
    const char *host = sr_http_request_header(r, "Host");
    snprintf(hs->req->tc_url, sizeof(hs->req->tc_url), "http://%s/%s", host ? host : "127.0.0.1", app);
    snprintf(hs->req->schema, sizeof(hs->req->schema), "http");
    snprintf(hs->req->vhost, sizeof(hs->req->vhost), "%s", hs->vhost.name);
    snprintf(hs->req->app, sizeof(hs->req->app), "%s", app);
    snprintf(hs->req->stream, sizeof(hs->req->stream), "%s", stream);
    snprintf(hs->req->param, sizeof(hs->req->param), "%s%s", r->query[0] ? "?" : "", r->query);
    snprintf(hs->req->ip, sizeof(hs->req->ip), "%s", hs->ctx->client->ip);
    const char *referer = sr_http_request_header(r, "Referer");
    snprintf(hs->req->page_url, sizeof(hs->req->page_url), "%s", referer ? referer : "");
}

int sr_http_stream_serve(sr_http_ctx_t *ctx)
{
    const sr_vhost_config_t *v = sr_http_stream_vhost(ctx);
    char app[256], stream[256];
    if (!v || !v->is_enabled || !v->http_remux.is_enabled ||
        !sr_http_stream_match(v, ctx->req->path, app, sizeof(app), stream, sizeof(stream))) {
        return -SR_ENOT_FOUND;
    }
    if (strcmp(strrchr(v->http_remux.mount, '.'), ".flv") != 0) {
        return sr_http_conn_reply(ctx, 501, "text/plain; charset=utf-8", "501 Not Implemented\n", 20, false);
    }
    sr_http_stream_t hs = {.ctx = ctx, .vhost = *v};
    /* The config may be reloaded (and freed) while we stream: drop what points into it. */
    hs.vhost.node = NULL;
    hs.vhost.hooks = NULL;
    hs.vhost.hls = NULL;
    hs.vhost.dvr = NULL;
    sr_source_t *src = sr_source_fetch(sr_server_sources(ctx->server), v->name, app, stream, false);
    if (!src || !sr_source_is_publishing(src)) {
        sr_source_unref(src);
        return sr_http_conn_reply(ctx, 404, "text/plain; charset=utf-8", "404 Not Found (stream not live)\n", 32,
                                  false);
    }
    hs.req = SR_NEW(sr_request_t);
    sr_http_stream_fill_request(&hs, app, stream);
    int rc = sr_hooks_on_play(ctx->server, ctx->client->cid, hs.req, sr_source_id(src));
    if (rc != SR_OK) {
        sr_warn("flv play %s/%s/%s denied: %s", v->name, app, stream, sr_err_trail());
        sr_free(hs.req);
        sr_source_unref(src);
        return rc == -SR_EINTERRUPTED
                   ? rc
                   : sr_http_conn_reply(ctx, 403, "text/plain; charset=utf-8", "403 Forbidden\n", 14, false);
    }
    snprintf(ctx->client->vhost, sizeof(ctx->client->vhost), "%s", v->name);
    ctx->client->type = "flv-play";
    ctx->client->req = hs.req;
    rc = sr_http_stream_flv(&hs, src);
    sr_hooks_on_stop(ctx->server, ctx->client->cid, hs.req, sr_source_id(src));
    ctx->client->req = NULL;
    ctx->client->type = NULL;
    sr_free(hs.req);
    sr_source_unref(src);
    return rc;
}
