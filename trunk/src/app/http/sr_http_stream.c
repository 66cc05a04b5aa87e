/* SPDX-License-Identifier: MIT */
/*
 * sr_http_stream.c: live streams over HTTP (vhost http_remux): a GET of a mount such
 * as /live/livestream.flv attaches a consumer to the source and streams it, with the
 * same fast start as RTMP (metadata, sequence headers, cached GOP). The mount's
 * extension picks the container: .flv (each tag is three iovecs: tag header, the shared
 * payload, previous-tag-size, so the media is never copied), .ts (this viewer's MPEG-TS
 * muxer), .aac (ADTS header + the shared raw frame) or .mp3 (the shared frames). A
 * viewer of a stream that is not live gets 404; the response ends when the publisher
 * leaves.
 */
#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_bytes.h"
#include "sr_codec.h"
#include "sr_consts.h"
#include "sr_error.h"
#include "sr_flv.h"
#include "sr_http_conn.h"
#include "sr_log.h"
#include "sr_request.h"
#include "sr_session.h"
#include "sr_st.h"
#include "sr_ts.h"
#include "sr_url.h"

#define SR_HTTP_STREAM_BATCH 32

typedef enum sr_http_stream_format {
    SR_HTTP_STREAM_FLV,
    SR_HTTP_STREAM_TS,
    SR_HTTP_STREAM_AAC,
    SR_HTTP_STREAM_MP3,
} sr_http_stream_format_t;

/* One viewer; on the heap (the batch arrays are larger than a coroutine stack should hold). */
typedef struct sr_http_stream {
    sr_http_ctx_t *ctx;
    sr_http_response_t resp;
    sr_consumer_t *consumer;
    sr_vhost_config_t vhost;
    sr_request_t *req;
    sr_http_stream_format_t format;
    sr_ts_muxer_t *ts;   /* .ts: this viewer's muxer (continuity counters are per stream) */
    sr_buf_t ts_out;     /* .ts: the batch's TS packets */
    sr_aac_config_t aac; /* .aac: from the AAC sequence header */
    bool has_aac;
    uint64_t sent_packets;
    sr_packet_t pkts[SR_HTTP_STREAM_BATCH];
    /* per packet: FLV, the previous tag's size then the tag header; AAC, the ADTS header */
    uint8_t heads[SR_HTTP_STREAM_BATCH + 1][4 + SR_FLV_TAG_HEADER_BYTES];
    uint32_t flv_prev_size; /* of the batch's last tag so far: written before the next header */
    struct iovec iov[SR_HTTP_STREAM_BATCH * 2 + 2];
} sr_http_stream_t;

static const struct {
    const char *ext;
    sr_http_stream_format_t format;
    const char *content_type;
} sr_http_stream_formats[] = {
    {".flv", SR_HTTP_STREAM_FLV, "video/x-flv"},
    {".ts", SR_HTTP_STREAM_TS, "video/MP2T"},
    {".aac", SR_HTTP_STREAM_AAC, "audio/aac"},
    {".mp3", SR_HTTP_STREAM_MP3, "audio/mpeg"},
};

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

/* The vhost a request is for, SRS-style: ?vhost=, else a first path segment naming a
 * configured vhost whose mount has [vhost] (then *path skips it), else the Host header,
 * else the default vhost. */
static const sr_vhost_config_t *sr_http_stream_vhost(const sr_http_ctx_t *ctx, const char **path)
{
    const sr_server_config_t *cfg = sr_server_config(ctx->server);
    char name[256] = "";
    *path = ctx->req->path;
    if (sr_url_query_get(ctx->req->query, "vhost", name, sizeof(name)) && name[0]) {
        return sr_server_config_vhost(cfg, name);
    }
    size_t seg = strcspn(*path + 1, "/");
    if (seg > 0 && seg < sizeof(name) && (*path)[1 + seg] == '/') {
        snprintf(name, sizeof(name), "%.*s", (int)seg, *path + 1);
        const sr_vhost_config_t *v = sr_server_config_vhost_exact(cfg, name);
        if (v && strcmp(v->name, SR_DEFAULT_VHOST) != 0 && strstr(v->http_remux.mount, "[vhost]")) {
            *path += 1 + seg;
            return v;
        }
    }
    const char *host = sr_http_request_header(ctx->req, "Host");
    snprintf(name, sizeof(name), "%s", host ? host : "");
    char *colon = name[0] == '[' ? NULL : strchr(name, ':');
    if (colon) {
        *colon = '\0';
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
    size_t stream_len = (size_t)(path + n - strlen(ext) - slash - 1);
    const char *a = path + 1;
    if (a >= slash || stream_len >= stream_size || (size_t)(slash - a) >= app_size) {
        return false; /* never a name cut short: it could be another stream's */
    }
    snprintf(stream, stream_size, "%.*s", (int)stream_len, slash + 1);
    snprintf(app, app_size, "%.*s", (int)(slash - a), a);
    char expect[1024];
    /* the vhost was chosen already (Host, ?vhost= or the first segment): match without it */
    sr_http_stream_expand(v->http_remux.mount, SR_DEFAULT_VHOST, app, stream, expect, sizeof(expect));
    return strcmp(expect, path) == 0;
}

/* ---- FLV ---- */

/* FLV: the tag header, then the shared payload; the tag's size goes in front of the next
 * tag's header (or ends the batch), so a tag costs two iovecs and no copy. */
static int sr_http_stream_iov_flv(sr_http_stream_t *hs, size_t i, int cnt)
{
    const sr_packet_t *p = &hs->pkts[i];
    uint32_t size = p->payload->size;
    uint8_t *h = hs->heads[i];
    sr_flv_write_tag_header(h + 4, p->type, size, p->dts);
    if (hs->flv_prev_size) {
        sr_put_be32(h, hs->flv_prev_size);
        hs->iov[cnt++] = (struct iovec){h, 4 + SR_FLV_TAG_HEADER_BYTES};
    } else {
        hs->iov[cnt++] = (struct iovec){h + 4, SR_FLV_TAG_HEADER_BYTES};
    }
    hs->iov[cnt++] = (struct iovec){p->payload->data, size};
    hs->flv_prev_size = size + SR_FLV_TAG_HEADER_BYTES;
    return cnt;
}

static int sr_http_stream_iov_flv_end(sr_http_stream_t *hs, size_t n, int cnt)
{
    if (hs->flv_prev_size) {
        sr_put_be32(hs->heads[n], hs->flv_prev_size);
        hs->iov[cnt++] = (struct iovec){hs->heads[n], 4};
        hs->flv_prev_size = 0;
    }
    return cnt;
}

/* AAC: an ADTS header, then the raw frame from the shared payload (after the 2-byte FLV audio header). */
static int sr_http_stream_iov_aac(sr_http_stream_t *hs, size_t i, int cnt)
{
    const sr_packet_t *p = &hs->pkts[i];
    const uint8_t *d = p->payload->data;
    size_t n = p->payload->size;
    if (p->type != SR_PACKET_AUDIO || sr_flv_audio_codec(d, n) != SR_FLV_AUDIO_CODEC_AAC || n < 2) {
        return cnt;
    }
    if (p->flags & SR_PACKET_IS_SEQUENCE_HEADER) {
        hs->has_aac = sr_aac_parse_flv(d, n, &hs->aac) == SR_OK;
        return cnt;
    }
    if (!hs->has_aac || sr_aac_adts_header(&hs->aac, n - 2, hs->heads[i]) != SR_OK) {
        return cnt;
    }
    hs->iov[cnt++] = (struct iovec){hs->heads[i], SR_AAC_ADTS_HEADER_BYTES};
    hs->iov[cnt++] = (struct iovec){(void *)(d + 2), n - 2};
    return cnt;
}

/* MP3: the frames as they are, after the 1-byte FLV audio header. */
static int sr_http_stream_iov_mp3(sr_http_stream_t *hs, size_t i, int cnt)
{
    const sr_packet_t *p = &hs->pkts[i];
    const uint8_t *d = p->payload->data;
    size_t n = p->payload->size;
    if (p->type == SR_PACKET_AUDIO && n > 1 && sr_flv_audio_codec(d, n) == SR_FLV_AUDIO_CODEC_MP3) {
        hs->iov[cnt++] = (struct iovec){(void *)(d + 1), n - 1};
    }
    return cnt;
}

static int sr_http_stream_send_batch(sr_http_stream_t *hs)
{
    size_t n = sr_consumer_fetch(hs->consumer, hs->pkts, SR_HTTP_STREAM_BATCH);
    int cnt = 0;
    sr_buf_reset(&hs->ts_out);
    for (size_t i = 0; i < n; i++) {
        switch (hs->format) {
        case SR_HTTP_STREAM_FLV:
            cnt = sr_http_stream_iov_flv(hs, i, cnt);
            break;
        case SR_HTTP_STREAM_AAC:
            cnt = sr_http_stream_iov_aac(hs, i, cnt);
            break;
        case SR_HTTP_STREAM_MP3:
            cnt = sr_http_stream_iov_mp3(hs, i, cnt);
            break;
        case SR_HTTP_STREAM_TS:
            sr_ts_muxer_write(hs->ts, &hs->pkts[i], &hs->ts_out); /* a frame it cannot carry is skipped */
            break;
        }
    }
    if (hs->format == SR_HTTP_STREAM_FLV) {
        cnt = sr_http_stream_iov_flv_end(hs, n, cnt);
    }
    if (hs->ts_out.len) {
        hs->iov[cnt++] = (struct iovec){hs->ts_out.data, hs->ts_out.len};
    }
    int rc = cnt ? sr_http_response_writev(&hs->resp, hs->iov, cnt) : SR_OK;
    hs->sent_packets += n;
    for (size_t i = 0; i < n; i++) {
        sr_packet_deinit(&hs->pkts[i]);
    }
    return rc;
}

static int sr_http_stream_loop(sr_http_stream_t *hs)
{
    sr_co_trim_stack(); /* parsing the request ran deeper than this loop will */
    for (;;) {
        int rc = sr_consumer_wait(hs->consumer, sr_consumer_batch_wait_us(hs->consumer));
        if (rc == -SR_EINTERRUPTED) {
            return rc;
        }
        if (sr_consumer_take_events(hs->consumer) & SR_CONSUMER_EV_UNPUBLISH) {
            return SR_OK; /* the publisher left: end the response */
        }
        rc = SR_OK;
        while (rc == SR_OK && sr_consumer_can_fetch(hs->consumer)) {
            rc = sr_http_stream_send_batch(hs);
        }
        if (rc != SR_OK) {
            return rc;
        }
    }
}

static int sr_http_stream_play(sr_http_stream_t *hs, sr_play_t *session)
{
    sr_source_t *src = session->source;
    sr_http_ctx_t *ctx = hs->ctx;
    sr_http_response_init(&hs->resp, ctx->io, ctx->req);
    sr_http_response_add_header(&hs->resp, "Content-Type", sr_http_stream_formats[hs->format].content_type);
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
    if (rc == SR_OK && hs->format == SR_HTTP_STREAM_FLV) {
        rc = sr_http_response_write(&hs->resp, header, sizeof(header));
    }
    if (rc != SR_OK || strcmp(ctx->req->method_name, "HEAD") == 0) {
        return rc;
    }
    hs->consumer = sr_play_attach(session, &hs->vhost);
    rc = sr_http_stream_loop(hs);
    sr_trace("play %s/%s/%s stop: sent %llu packets, dropped %llu (%s)", hs->req->vhost, hs->req->app, hs->req->stream,
             (unsigned long long)hs->sent_packets, (unsigned long long)sr_consumer_dropped(hs->consumer),
             rc == SR_OK ? "unpublished" : sr_err_name(rc));
    if (rc == SR_OK) {
        rc = sr_http_response_end(&hs->resp);
    }
    return rc == SR_OK ? -SR_EPEER_CLOSED : rc; /* a live response ends the connection */
}

static void sr_http_stream_fill_request(sr_http_stream_t *hs, const char *app, const char *stream)
{
    const sr_http_request_t *r = hs->ctx->req;
    const char *host = sr_http_request_header(r, "Host");
    sr_request_set(hs->req, SR_REQUEST_TC_URL, "http://%s/%s", host ? host : "127.0.0.1", app);
    sr_request_set(hs->req, SR_REQUEST_SCHEMA, "http");
    sr_request_set(hs->req, SR_REQUEST_VHOST, "%s", hs->vhost.name);
    sr_request_set(hs->req, SR_REQUEST_APP, "%s", app);
    sr_request_set(hs->req, SR_REQUEST_STREAM, "%s", stream);
    sr_request_set(hs->req, SR_REQUEST_PARAM, "%s%s", r->query[0] ? "?" : "", r->query);
    sr_request_set(hs->req, SR_REQUEST_IP, "%s", hs->ctx->client->ip);
    const char *referer = sr_http_request_header(r, "Referer");
    sr_request_set(hs->req, SR_REQUEST_PAGE_URL, "%s", referer ? referer : "");
}

static sr_http_stream_t *sr_http_stream_new(sr_http_ctx_t *ctx, const sr_vhost_config_t *v, int format)
{
    sr_http_stream_t *hs = SR_NEW(sr_http_stream_t);
    hs->ctx = ctx;
    sr_server_config_vhost_detach(&hs->vhost, v);
    hs->format = sr_http_stream_formats[format].format;
    hs->ts = hs->format == SR_HTTP_STREAM_TS ? sr_ts_muxer_new() : NULL;
    sr_buf_init(&hs->ts_out);
    hs->req = SR_NEW(sr_request_t);
    sr_request_init(hs->req);
    return hs;
}

static void sr_http_stream_free(sr_http_stream_t *hs)
{
    sr_ts_muxer_free(hs->ts);
    sr_buf_deinit(&hs->ts_out);
    sr_request_deinit(hs->req);
    sr_free(hs->req);
    sr_free(hs);
}

/* Index in sr_http_stream_formats of the mount's extension, or -1. */
static int sr_http_stream_format_of(const char *mount)
{
    const char *ext = strrchr(mount, '.');
    for (size_t i = 0; ext && i < SR_ARRAY_SIZE(sr_http_stream_formats); i++) {
        if (strcmp(ext, sr_http_stream_formats[i].ext) == 0) {
            return (int)i;
        }
    }
    return -1;
}

int sr_http_stream_serve(sr_http_ctx_t *ctx)
{
    const char *path = NULL;
    const sr_vhost_config_t *v = sr_http_stream_vhost(ctx, &path);
    char app[256], stream[256];
    if (!v || !v->is_enabled || !v->http_remux.is_enabled ||
        !sr_http_stream_match(v, path, app, sizeof(app), stream, sizeof(stream))) {
        return -SR_ENOT_FOUND;
    }
    int format = sr_http_stream_format_of(v->http_remux.mount);
    if (format < 0) {
        return sr_http_conn_reply(ctx, 501, "text/plain; charset=utf-8", "501 Not Implemented\n", 20, false);
    }
    sr_http_stream_t *hs = sr_http_stream_new(ctx, v, format);
    sr_http_stream_fill_request(hs, app, stream);
    sr_play_t session;
    int rc = sr_play_begin(&session, ctx->server, ctx->client, hs->req, true);
    if (rc != SR_OK) {
        sr_http_stream_free(hs);
        if (rc == -SR_ENOT_FOUND) {
            return sr_http_conn_reply(ctx, 404, "text/plain; charset=utf-8", "404 Not Found (stream not live)\n", 32,
                                      false);
        }
        sr_warn("http play %s/%s/%s denied: %s", v->name, app, stream, sr_err_trail());
        return rc == -SR_EINTERRUPTED
                   ? rc
                   : sr_http_conn_reply(ctx, 403, "text/plain; charset=utf-8", "403 Forbidden\n", 14, false);
    }
    snprintf(ctx->client->vhost, sizeof(ctx->client->vhost), "%s", v->name);
    ctx->client->type = "flv-play";
    ctx->client->req = hs->req;
    rc = sr_http_stream_play(hs, &session);
    sr_play_end(&session);
    ctx->client->req = NULL;
    ctx->client->type = NULL;
    sr_http_stream_free(hs);
    return rc;
}
