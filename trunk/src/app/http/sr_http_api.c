/* SPDX-License-Identifier: MIT */
/*
 * sr_http_api.c: the SRS-compatible HTTP API under /api/v1 (http_api): versions,
 * summaries, vhosts, streams, clients (and DELETE to kick one), raw reload; and
 * Strand's transcoders, ingesters and execs (sr_http_api_process.c). Replies are
 * JSON with SRS's envelope {code, server, service, pid} and SRS's error codes; an id
 * that is not found is HTTP 200 with a nonzero code, as SRS does. Optional Basic auth,
 * CORS and JSONP (?callback=). Every reply is built with the JSON writer, so names that
 * peers chose (streams, tcUrls) are always escaped.
 *
 * Module layout: this file routes and writes the JSON; sr_http_api_summary.c samples
 * /proc and writes summaries; sr_http_api_util.c holds the pure helpers; sr_exporter.c
 * is the Prometheus side. Not here: the config raw API beyond rpc=reload, and SRS's
 * debug endpoints (rusages, self_proc_stats, meminfos, features, requests, perf,
 * tcmalloc, clusters). See doc/api.md.
 */
#include "sr_http_conn.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sr_codec.h"
#include "sr_consts.h"
#include "sr_error.h"
#include "sr_http_api_internal.h"
#include "sr_json.h"
#include "sr_log.h"
#include "sr_request.h"
#include "sr_time.h"
#include "sr_url.h"

/* One API request being answered. */
typedef struct sr_http_api_call {
    sr_http_ctx_t *ctx;
    const char *id; /* "" for the collection, else the resource id from the path */
    sr_json_writer_t *w;
    bool is_delete;
} sr_http_api_call_t;

/* A handler writes its members into the open reply object and returns SR_OK, an SRS
 * error code (> 0) to answer with that code alone, or a negative Strand code to close
 * the connection without an answer. May yield. */
typedef int (*sr_http_api_fn)(sr_http_api_call_t *call);

/* ======================================================================== */
/* replies                                                                  */
/* ======================================================================== */

/* The envelope every reply starts with. */
static void sr_http_api_envelope(const sr_http_ctx_t *ctx, sr_json_writer_t *w, int code)
{
    char pid[24];
    snprintf(pid, sizeof(pid), "%d", (int)getpid());
    sr_json_writer_object_start(w);
    sr_json_writer_kv_int(w, "code", code);
    sr_json_writer_kv_string(w, "server", sr_server_id(ctx->server));
    sr_json_writer_kv_string(w, "service", sr_server_service_id(ctx->server));
    sr_json_writer_kv_string(w, "pid", pid);
}

/* Send json (a complete value) with status, wrapped in callback(...) when the query asks
 * for JSONP with a safe name. */
static int sr_http_api_send(sr_http_ctx_t *ctx, int status, const sr_buf_t *json)
{
    bool is_cors = sr_server_config(ctx->server)->http_api.is_crossdomain;
    char cb[80];
    if (!sr_url_query_get(ctx->req->query, "callback", cb, sizeof(cb)) || !sr_http_api__is_jsonp_name(cb)) {
        return sr_http_conn_reply(ctx, status, "application/json", json->data, json->len, is_cors);
    }
    sr_buf_t js;
    sr_buf_init(&js);
    sr_buf_printf(&js, "%s(", cb);
    sr_buf_put_bytes(&js, json->data, json->len);
    sr_buf_put_str(&js, ")");
    int rc = sr_http_conn_reply(ctx, status, "text/javascript", js.data, js.len, is_cors);
    sr_buf_deinit(&js);
    return rc;
}

/* Answer with the envelope and code alone. */
static int sr_http_api_send_code(sr_http_ctx_t *ctx, int status, int code)
{
    sr_buf_t out;
    sr_json_writer_t w;
    sr_buf_init(&out);
    sr_json_writer_init(&w, &out);
    sr_http_api_envelope(ctx, &w, code);
    sr_json_writer_object_end(&w);
    int rc = sr_http_api_send(ctx, status, &out);
    sr_buf_deinit(&out);
    return rc;
}

/* 401 with the Basic challenge (sr_http_conn_reply cannot add headers). */
static int sr_http_api_send_unauthorized(sr_http_ctx_t *ctx)
{
    static const char body[] = "{\"code\":401}";
    sr_http_response_t resp;
    sr_http_response_init(&resp, ctx->io, ctx->req);
    sr_http_response_set_status(&resp, 401);
    sr_http_response_add_header(&resp, "Content-Type", "application/json");
    sr_http_response_add_header(&resp, "WWW-Authenticate", "Basic realm=\"" SR_SERVER_NAME "\"");
    if (sr_server_config(ctx->server)->http_api.is_crossdomain) {
        sr_http_conn_add_cors(&resp);
    }
    int rc = sr_http_response_write_header(&resp, (int64_t)(sizeof(body) - 1));
    if (rc == SR_OK) {
        rc = sr_http_response_write(&resp, body, sizeof(body) - 1);
    }
    if (rc == SR_OK) {
        rc = sr_http_response_end(&resp);
    }
    return rc == SR_OK && !sr_http_response_is_keep_alive(&resp) ? -SR_EPEER_CLOSED : rc;
}

/* ======================================================================== */
/* lookups                                                                  */
/* ======================================================================== */

/* SRS's stream url: "/app/stream", with the vhost in front when it is not the default. */
static void sr_http_api_stream_url(const char *vhost, const char *app, const char *stream, char *out, size_t size)
{
    if (!vhost || strcmp(vhost, SR_DEFAULT_VHOST) == 0) {
        snprintf(out, size, "/%s/%s", app, stream);
    } else {
        snprintf(out, size, "%s/%s/%s", vhost, app, stream);
    }
}

sr_source_t *sr_http_api__client_source(sr_server_t *s, const sr_client_t *c)
{
    if (c->source || !c->req || !c->req->stream[0] || !c->type) {
        return c->source;
    }
    /* No reference is kept: fetch's +1 is undone at once and nothing yields meanwhile. */
    sr_source_t *src = sr_source_fetch(sr_server_sources(s), c->req->vhost, c->req->app, c->req->stream, false);
    sr_source_unref(src);
    return src;
}

/* Whether the API lists c: a client that is publishing or playing (SRS lists clients
 * once they have a stream), and never the API request's own connection. */
static bool sr_http_api_is_listed(const sr_http_ctx_t *ctx, const sr_client_t *c)
{
    return c->type != NULL && c != ctx->client;
}

/* What the client table says about one stream. */
typedef struct sr_http_api_stream_agg {
    int clients;
    uint64_t send_bytes;
    int send_kbps;
    const sr_client_t *publisher;
} sr_http_api_stream_agg_t;

static void sr_http_api_stream_aggregate(sr_http_ctx_t *ctx, sr_source_t *src, sr_http_api_stream_agg_t *agg)
{
    memset(agg, 0, sizeof(*agg));
    for (sr_client_t *c = sr_server_clients(ctx->server); c; c = c->next) {
        if (!sr_http_api_is_listed(ctx, c) || sr_http_api__client_source(ctx->server, c) != src) {
            continue;
        }
        agg->clients++;
        agg->send_bytes += c->io ? c->io->send_bytes : 0;
        agg->send_kbps += sr_kbps_send(&c->kbps);
        if (c->is_publish) {
            agg->publisher = c;
        }
    }
}

/* ======================================================================== */
/* index, versions                                                          */
/* ======================================================================== */

static int sr_http_api_root(sr_http_api_call_t *call)
{
    sr_json_writer_key(call->w, "urls");
    sr_json_writer_object_start(call->w);
    sr_json_writer_kv_string(call->w, "v1", "the api version 1.0");
    sr_json_writer_object_end(call->w);
    return SR_OK;
}

static int sr_http_api_v1(sr_http_api_call_t *call)
{
    static const char *const urls[][2] = {
        {"versions", "the version of Strand (SRS-compatible API)"},
        {"summaries", "the summary(pid, argv, pwd, cpu, mem) of the server"},
        {"vhosts", "manage all vhosts or specified vhost"},
        {"streams", "manage all streams or specified stream"},
        {"clients", "manage all clients or specified client, default query top 10 clients"},
        {"raw", "raw api, supports rpc=reload"},
        {"forwards", "the forward links of live streams (Strand)"},
        {"edges", "the edge pulls and pushes with their origins (Strand)"},
        {"rtsp_pulls", "the RTSP cameras pulled by rtsp_pull (Strand)"},
        {"clusters", "which origin of an origin cluster publishes a stream (SRS's coworkers)"},
        {"transcoders", "the ffmpeg children of transcode (Strand)"},
        {"ingesters", "the ffmpeg children of ingest (Strand)"},
        {"execs", "the commands of exec publish (Strand)"},
    };
    sr_json_writer_key(call->w, "urls");
    sr_json_writer_object_start(call->w);
    for (size_t i = 0; i < SR_ARRAY_SIZE(urls); i++) {
        sr_json_writer_kv_string(call->w, urls[i][0], urls[i][1]);
    }
    sr_json_writer_object_end(call->w);
    return SR_OK;
}

static int sr_http_api_versions(sr_http_api_call_t *call)
{
    sr_json_writer_key(call->w, "data");
    sr_json_writer_object_start(call->w);
    sr_json_writer_kv_int(call->w, "major", SR_VERSION_MAJOR);
    sr_json_writer_kv_int(call->w, "minor", SR_VERSION_MINOR);
    sr_json_writer_kv_int(call->w, "revision", SR_VERSION_REVISION);
    sr_json_writer_kv_string(call->w, "version", SR_VERSION_STRING);
    sr_json_writer_object_end(call->w);
    return SR_OK;
}

/* ======================================================================== */
/* summaries                                                                */
/* ======================================================================== */

static int sr_http_api_summaries(sr_http_api_call_t *call)
{
    sr_proc_usage_t u;
    int rc = sr_http_api__proc_sample(&u); /* yields for the CPU window; the tables are read after it */
    if (rc != SR_OK) {
        return rc; /* stopped or kicked meanwhile: close without answering */
    }
    sr_http_api__write_summaries(call->w, call->ctx->server, &u);
    return SR_OK;
}

/* ======================================================================== */
/* vhosts                                                                   */
/* ======================================================================== */

static void sr_http_api_count_streams(sr_source_t *src, void *arg)
{
    void **a = arg;
    if (strcmp(sr_source_vhost(src), (const char *)a[0]) == 0 && sr_source_is_publishing(src)) {
        (*(int *)a[1])++;
    }
}

static void sr_http_api_vhost_write(sr_http_api_call_t *call, const sr_vhost_config_t *v)
{
    sr_json_writer_t *w = call->w;
    char id[16];
    int clients = 0, streams = 0, recv_kbps = 0, send_kbps = 0;
    uint64_t recv = 0, send = 0;
    for (sr_client_t *c = sr_server_clients(call->ctx->server); c; c = c->next) {
        if (!sr_http_api_is_listed(call->ctx, c) || strcmp(c->vhost, v->name) != 0) {
            continue;
        }
        clients++;
        recv += c->io ? c->io->recv_bytes : 0;
        send += c->io ? c->io->send_bytes : 0;
        recv_kbps += sr_kbps_recv(&c->kbps);
        send_kbps += sr_kbps_send(&c->kbps);
    }
    void *arg[2] = {(void *)v->name, &streams};
    sr_source_registry_foreach(sr_server_sources(call->ctx->server), sr_http_api_count_streams, arg);
    sr_http_api__vhost_id(v->name, id, sizeof(id));
    sr_json_writer_object_start(w);
    sr_json_writer_kv_string(w, "id", id);
    sr_json_writer_kv_string(w, "name", v->name);
    sr_json_writer_kv_bool(w, "enabled", v->is_enabled);
    sr_json_writer_kv_int(w, "clients", clients);
    sr_json_writer_kv_int(w, "streams", streams);
    sr_json_writer_kv_uint(w, "send_bytes", send);
    sr_json_writer_kv_uint(w, "recv_bytes", recv);
    sr_json_writer_key(w, "kbps");
    sr_json_writer_object_start(w);
    sr_json_writer_kv_int(w, "recv_30s", recv_kbps);
    sr_json_writer_kv_int(w, "send_30s", send_kbps);
    sr_json_writer_object_end(w);
    sr_json_writer_key(w, "hls");
    sr_json_writer_object_start(w);
    bool is_hls = v->hls && v->hls->is_enabled;
    sr_json_writer_kv_bool(w, "enabled", is_hls);
    if (is_hls) {
        sr_json_writer_kv_double(w, "fragment", v->hls->fragment_s);
    }
    sr_json_writer_object_end(w);
    sr_json_writer_object_end(w);
}

static int sr_http_api_vhosts(sr_http_api_call_t *call)
{
    const sr_server_config_t *cfg = sr_server_config(call->ctx->server);
    if (call->id[0]) {
        for (int i = 0; i < cfg->vhost_count; i++) {
            char id[16];
            sr_http_api__vhost_id(cfg->vhosts[i].name, id, sizeof(id));
            if (strcmp(id, call->id) == 0 || strcmp(cfg->vhosts[i].name, call->id) == 0) {
                sr_json_writer_key(call->w, "vhost");
                sr_http_api_vhost_write(call, &cfg->vhosts[i]);
                return SR_OK;
            }
        }
        return SR_HTTP_API_CODE_VHOST_NOT_FOUND;
    }
    sr_json_writer_key(call->w, "vhosts");
    sr_json_writer_array_start(call->w);
    for (int i = 0; i < cfg->vhost_count; i++) {
        sr_http_api_vhost_write(call, &cfg->vhosts[i]);
    }
    sr_json_writer_array_end(call->w);
    return SR_OK;
}

/* ======================================================================== */
/* streams                                                                  */
/* ======================================================================== */

/* The sequence header's body, or NULL. */
static const sr_payload_t *sr_http_api_sh(const sr_packet_t *sh)
{
    return sh && sh->payload && sh->payload->size > 0 ? sh->payload : NULL;
}

/* video{codec, profile, level, width, height} from the cached sequence header, null
 * without video. A stream whose header does not parse still reports its codec. With
 * publish.parse_sps off the SPS is not parsed: width and height are 0, as with SRS. */
static void sr_http_api_video_write(sr_json_writer_t *w, sr_server_t *server, const sr_source_t *src,
                                    const sr_source_stats_t *st)
{
    sr_json_writer_key(w, "video");
    if (st->video_codec <= 0) {
        sr_json_writer_null(w);
        return;
    }
    sr_codec_video_info_t vi = {st->video_codec, sr_codec_video_name(st->video_codec), "Other", "Other", 0, 0};
    const sr_payload_t *sh = sr_http_api_sh(sr_source_video_sequence_header(src));
    const sr_vhost_config_t *v = sr_server_config_vhost(sr_server_config(server), sr_source_vhost(src));
    int (*parse)(const uint8_t *, size_t, sr_codec_video_info_t *) =
        !v || v->is_parse_sps ? sr_codec_video_info_parse : sr_codec_video_info_parse_header;
    if (sh && parse(sh->data, sh->size, &vi) != SR_OK) {
        vi.profile_name = vi.level_name = "Other";
        vi.width = vi.height = 0;
    }
    sr_json_writer_object_start(w);
    sr_json_writer_kv_string(w, "codec", vi.codec_name ? vi.codec_name : sr_codec_video_name(st->video_codec));
    sr_json_writer_kv_string(w, "profile", vi.profile_name ? vi.profile_name : "Other");
    sr_json_writer_kv_string(w, "level", vi.level_name ? vi.level_name : "Other");
    sr_json_writer_kv_uint(w, "width", vi.width);
    sr_json_writer_kv_uint(w, "height", vi.height);
    sr_json_writer_object_end(w);
}

/* audio{codec, sample_rate, channel, profile}, null without audio. */
static void sr_http_api_audio_write(sr_json_writer_t *w, const sr_source_t *src, const sr_source_stats_t *st)
{
    sr_json_writer_key(w, "audio");
    if (st->audio_codec < 0) {
        sr_json_writer_null(w);
        return;
    }
    sr_codec_audio_info_t ai = {st->audio_codec, sr_codec_audio_name(st->audio_codec), "", 0, 0};
    const sr_payload_t *sh = sr_http_api_sh(sr_source_audio_sequence_header(src));
    if (sh && sr_codec_audio_info_parse(sh->data, sh->size, &ai) != SR_OK) {
        ai.profile_name = "";
        ai.sample_rate = ai.channels = 0;
    }
    sr_json_writer_object_start(w);
    sr_json_writer_kv_string(w, "codec", ai.codec_name ? ai.codec_name : sr_codec_audio_name(st->audio_codec));
    sr_json_writer_kv_uint(w, "sample_rate", ai.sample_rate);
    sr_json_writer_kv_uint(w, "channel", ai.channels);
    sr_json_writer_kv_string(w, "profile", ai.profile_name && ai.profile_name[0] ? ai.profile_name : "Other");
    sr_json_writer_object_end(w);
}

static void sr_http_api_stream_write(sr_http_api_call_t *call, sr_source_t *src)
{
    sr_json_writer_t *w = call->w;
    sr_source_stats_t st;
    sr_http_api_stream_agg_t agg;
    char vid[16], url[1024];
    sr_source_get_stats(src, &st);
    sr_http_api_stream_aggregate(call->ctx, src, &agg);
    sr_http_api__vhost_id(sr_source_vhost(src), vid, sizeof(vid));
    sr_http_api_stream_url(sr_source_vhost(src), sr_source_app(src), sr_source_stream(src), url, sizeof(url));
    const sr_request_t *preq = agg.publisher ? agg.publisher->req : NULL;
    sr_json_writer_object_start(w);
    sr_json_writer_kv_string(w, "id", sr_source_id(src));
    sr_json_writer_kv_string(w, "name", sr_source_stream(src));
    sr_json_writer_kv_string(w, "vhost", vid);
    sr_json_writer_kv_string(w, "app", sr_source_app(src));
    sr_json_writer_kv_string(w, "tcUrl", preq ? preq->tc_url : "");
    sr_json_writer_kv_string(w, "url", url);
    sr_json_writer_kv_int(w, "live_ms", st.created_ms);
    sr_json_writer_kv_int(w, "clients", agg.clients);
    sr_json_writer_kv_uint(w, "frames", st.frames);
    sr_json_writer_kv_uint(w, "dropped", sr_source_dropped(src)); /* Strand's: packets players fell behind on */
    sr_json_writer_kv_uint(w, "send_bytes", agg.send_bytes);
    sr_json_writer_kv_uint(w, "recv_bytes", st.recv_bytes);
    sr_json_writer_key(w, "kbps");
    sr_json_writer_object_start(w);
    sr_json_writer_kv_int(w, "recv_30s", sr_source_kbps_recv(src));
    sr_json_writer_kv_int(w, "send_30s", agg.send_kbps);
    sr_json_writer_object_end(w);
    sr_json_writer_key(w, "publish");
    sr_json_writer_object_start(w);
    sr_json_writer_kv_bool(w, "active", st.is_publishing);
    sr_json_writer_kv_string(w, "cid", st.publisher_cid);
    sr_json_writer_object_end(w);
    sr_http_api_video_write(w, call->ctx->server, src, &st);
    sr_http_api_audio_write(w, src, &st);
    sr_json_writer_object_end(w);
}

typedef struct sr_http_api_page {
    sr_http_api_call_t *call;
    int index; /* of the next source visited */
    int start;
    int count;
} sr_http_api_page_t;

static void sr_http_api_stream_page(sr_source_t *src, void *arg)
{
    sr_http_api_page_t *p = arg;
    int i = p->index++;
    if (i >= p->start && i < p->start + p->count) {
        sr_http_api_stream_write(p->call, src);
    }
}

static int sr_http_api_streams(sr_http_api_call_t *call)
{
    sr_source_registry_t *reg = sr_server_sources(call->ctx->server);
    if (call->id[0]) {
        sr_source_t *src = sr_source_registry_find_id(reg, call->id);
        if (!src) {
            return SR_HTTP_API_CODE_STREAM_NOT_FOUND;
        }
        sr_json_writer_key(call->w, "stream");
        sr_http_api_stream_write(call, src);
        return SR_OK;
    }
    sr_http_api_page_t page = {call, 0, 0, 0};
    sr_http_api__parse_page(call->ctx->req->query, &page.start, &page.count);
    sr_json_writer_kv_uint(call->w, "total", sr_source_registry_count(reg));
    sr_json_writer_key(call->w, "streams");
    sr_json_writer_array_start(call->w);
    sr_source_registry_foreach(reg, sr_http_api_stream_page, &page);
    sr_json_writer_array_end(call->w);
    return SR_OK;
}

/* ======================================================================== */
/* clients                                                                  */
/* ======================================================================== */

/* Strand's own field: "link" {protocol, rtt_ms, ...} for SRT clients. */
static void sr_http_api_client_link_write(sr_json_writer_t *w, const sr_client_t *c)
{
    sr_client_link_t l;
    if (!c->link_stats || !c->link_stats(c, &l)) {
        return;
    }
    sr_json_writer_key(w, "link");
    sr_json_writer_object_start(w);
    sr_json_writer_kv_string(w, "protocol", l.protocol);
    sr_json_writer_kv_double(w, "rtt_ms", l.rtt_ms);
    sr_json_writer_kv_double(w, "mbps_recv", l.mbps_recv);
    sr_json_writer_kv_double(w, "mbps_send", l.mbps_send);
    sr_json_writer_kv_int(w, "recv_loss", l.pkts_recv_loss);
    sr_json_writer_kv_int(w, "send_loss", l.pkts_send_loss);
    sr_json_writer_kv_int(w, "retrans", l.pkts_retrans);
    sr_json_writer_kv_int(w, "recv_drop", l.pkts_recv_drop);
    sr_json_writer_kv_int(w, "send_drop", l.pkts_send_drop);
    sr_json_writer_object_end(w);
}

static void sr_http_api_client_write(sr_http_api_call_t *call, const sr_client_t *c)
{
    sr_json_writer_t *w = call->w;
    const sr_request_t *req = c->req;
    sr_source_t *src = sr_http_api__client_source(call->ctx->server, c);
    char vid[16], url[1024] = "";
    sr_http_api__vhost_id(c->vhost[0] ? c->vhost : SR_DEFAULT_VHOST, vid, sizeof(vid));
    if (req && req->stream[0]) {
        sr_http_api_stream_url(req->vhost, req->app, req->stream, url, sizeof(url));
    }
    int64_t now_ms = sr_time_wall_us() / 1000;
    sr_json_writer_object_start(w);
    sr_json_writer_kv_string(w, "id", c->cid);
    sr_json_writer_kv_string(w, "vhost", vid);
    sr_json_writer_kv_string(w, "stream", src ? sr_source_id(src) : "");
    sr_json_writer_kv_string(w, "ip", c->ip);
    sr_json_writer_kv_string(w, "pageUrl", req ? req->page_url : "");
    sr_json_writer_kv_string(w, "swfUrl", req ? req->swf_url : "");
    sr_json_writer_kv_string(w, "tcUrl", req ? req->tc_url : "");
    sr_json_writer_kv_string(w, "url", url);
    sr_json_writer_kv_string(w, "name", req ? req->stream : "");
    sr_json_writer_kv_string(w, "type", c->type ? c->type : "unknown");
    sr_json_writer_kv_bool(w, "publish", c->is_publish);
    sr_json_writer_kv_double(w, "alive", (double)(now_ms - c->start_ms) / 1000.0);
    sr_json_writer_kv_uint(w, "send_bytes", c->io ? c->io->send_bytes : 0);
    sr_json_writer_kv_uint(w, "recv_bytes", c->io ? c->io->recv_bytes : 0);
    sr_json_writer_key(w, "kbps");
    sr_json_writer_object_start(w);
    sr_json_writer_kv_int(w, "recv_30s", sr_kbps_recv(&c->kbps));
    sr_json_writer_kv_int(w, "send_30s", sr_kbps_send(&c->kbps));
    sr_json_writer_object_end(w);
    sr_http_api_client_link_write(w, c);
    sr_json_writer_object_end(w);
}

static int sr_http_api_clients_list(sr_http_api_call_t *call)
{
    int start = 0, count = 0, total = 0, index = 0;
    sr_http_api__parse_page(call->ctx->req->query, &start, &count);
    for (sr_client_t *c = sr_server_clients(call->ctx->server); c; c = c->next) {
        total += sr_http_api_is_listed(call->ctx, c);
    }
    sr_json_writer_kv_int(call->w, "total", total);
    sr_json_writer_key(call->w, "clients");
    sr_json_writer_array_start(call->w);
    for (sr_client_t *c = sr_server_clients(call->ctx->server); c && index < start + count; c = c->next) {
        if (sr_http_api_is_listed(call->ctx, c) && index++ >= start) {
            sr_http_api_client_write(call, c);
        }
    }
    sr_json_writer_array_end(call->w);
    return SR_OK;
}

static int sr_http_api_clients(sr_http_api_call_t *call)
{
    if (!call->id[0]) {
        return call->is_delete ? SR_HTTP_API_CODE_CLIENT_NOT_FOUND : sr_http_api_clients_list(call);
    }
    sr_client_t *c = sr_server_client_find(call->ctx->server, call->id);
    if (!c) {
        return SR_HTTP_API_CODE_CLIENT_NOT_FOUND;
    }
    if (call->is_delete) {
        /* The connection closes at its next yield; a publisher's stream ends with it. */
        sr_server_client_kick(call->ctx->server, c);
        return SR_OK;
    }
    sr_json_writer_key(call->w, "client");
    sr_http_api_client_write(call, c);
    return SR_OK;
}

/* ======================================================================== */
/* raw                                                                      */
/* ======================================================================== */

static int sr_http_api_raw(sr_http_api_call_t *call)
{
    const sr_http_api_config_t *api = &sr_server_config(call->ctx->server)->http_api;
    char rpc[32] = "";
    sr_url_query_get(call->ctx->req->query, "rpc", rpc, sizeof(rpc));
    if (!api->is_raw_api) {
        return SR_HTTP_API_CODE_RAW_DISABLED;
    }
    if (strcmp(rpc, "reload") != 0) {
        return SR_HTTP_API_CODE_RAW;
    }
    if (!api->is_allow_reload) {
        return SR_HTTP_API_CODE_RAW_DISABLED;
    }
    sr_trace("http api: reload requested by %s", call->ctx->client ? call->ctx->client->ip : "?");
    /* Frees the running config: api points into it and is not used after this. */
    if (sr_server_reload_file(call->ctx->server) != SR_OK) {
        sr_err_clear(); /* logged by the reload */
        return SR_HTTP_API_CODE_RELOAD_FAILED;
    }
    return SR_OK;
}

static int sr_http_api_forwards(sr_http_api_call_t *call)
{
    sr_http_api__write_forwards(call->w);
    return SR_OK;
}

static int sr_http_api_edges(sr_http_api_call_t *call)
{
    sr_http_api__write_edges(call->w, call->ctx->server);
    return SR_OK;
}

static int sr_http_api_rtsp_pulls(sr_http_api_call_t *call)
{
    sr_http_api__write_rtsp_pulls(call->w, call->ctx->server);
    return SR_OK;
}

static int sr_http_api_clusters(sr_http_api_call_t *call)
{
    return sr_http_api__write_clusters(call->w, call->ctx->server, call->ctx->req->query);
}

/* ======================================================================== */
/* external programs (sr_http_api_process.c)                                */
/* ======================================================================== */

static int sr_http_api_transcoders(sr_http_api_call_t *call)
{
    sr_http_api__write_transcoders(call->w, call->ctx->server);
    return SR_OK;
}

static int sr_http_api_ingesters(sr_http_api_call_t *call)
{
    sr_http_api__write_ingesters(call->w, call->ctx->server);
    return SR_OK;
}

static int sr_http_api_execs(sr_http_api_call_t *call)
{
    sr_http_api__write_execs(call->w, call->ctx->server);
    return SR_OK;
}

/* ======================================================================== */
/* routing                                                                  */
/* ======================================================================== */

typedef struct sr_http_api_route {
    const char *name; /* the segment after /api/v1/ */
    sr_http_api_fn fn;
    bool has_id;    /* NAME/ID is served too */
    bool is_delete; /* DELETE is served too */
} sr_http_api_route_t;

static const sr_http_api_route_t sr_http_api_routes[] = {
    {"versions", sr_http_api_versions, false, false},
    {"summaries", sr_http_api_summaries, false, false},
    {"vhosts", sr_http_api_vhosts, true, false},
    {"streams", sr_http_api_streams, true, false},
    {"clients", sr_http_api_clients, true, true},
    {"raw", sr_http_api_raw, false, false},
    {"transcoders", sr_http_api_transcoders, false, false},
    {"ingesters", sr_http_api_ingesters, false, false},
    {"execs", sr_http_api_execs, false, false},
    {"forwards", sr_http_api_forwards, false, false},
    {"edges", sr_http_api_edges, false, false},
    {"rtsp_pulls", sr_http_api_rtsp_pulls, false, false},
    {"clusters", sr_http_api_clusters, false, false},
};

/* Split "/api/v1/NAME[/ID][/]" into name and id ("" when absent). Returns false when the
 * path has more segments or they do not fit. "/api[/]" and "/api/v1[/]" give the
 * indexes ("" and "v1" as name). */
static bool sr_http_api_split(const char *path, char *name, size_t nsize, char *id, size_t isize)
{
    name[0] = id[0] = '\0';
    if (strcmp(path, "/api") == 0 || strcmp(path, "/api/") == 0) {
        return true;
    }
    if (strcmp(path, "/api/v1") == 0 || strcmp(path, "/api/v1/") == 0) {
        snprintf(name, nsize, "v1");
        return true;
    }
    if (strncmp(path, "/api/v1/", 8) != 0) {
        return false;
    }
    const char *p = path + 8;
    const char *slash = strchr(p, '/');
    size_t nlen = slash ? (size_t)(slash - p) : strlen(p);
    if (nlen == 0 || nlen >= nsize) {
        return false;
    }
    snprintf(name, nsize, "%.*s", (int)nlen, p);
    if (!slash) {
        return true;
    }
    const char *q = slash + 1;
    size_t ilen = strcspn(q, "/");
    if (ilen >= isize || (q[ilen] == '/' && q[ilen + 1] != '\0')) {
        return false;
    }
    snprintf(id, isize, "%.*s", (int)ilen, q);
    return true;
}

/* The handler for name, or NULL. */
static const sr_http_api_route_t *sr_http_api_find(const char *name)
{
    for (size_t i = 0; i < SR_ARRAY_SIZE(sr_http_api_routes); i++) {
        if (strcmp(sr_http_api_routes[i].name, name) == 0) {
            return &sr_http_api_routes[i];
        }
    }
    return NULL;
}

/* Run fn and answer: the envelope and its members, or the envelope and its code alone. */
static int sr_http_api_run(sr_http_ctx_t *ctx, sr_http_api_fn fn, const char *id, bool is_delete)
{
    sr_buf_t out;
    sr_json_writer_t w;
    sr_buf_init(&out);
    sr_json_writer_init(&w, &out);
    sr_http_api_call_t call = {ctx, id, &w, is_delete};
    sr_http_api_envelope(ctx, &w, SR_OK);
    int code = fn(&call);
    sr_json_writer_object_end(&w);
    int rc;
    if (code < 0) {
        rc = code; /* the connection must close (e.g. interrupted while sampling) */
    } else if (code != SR_OK) {
        rc = sr_http_api_send_code(ctx, 200, code);
    } else if (sr_json_writer_finish(&w) != SR_OK) {
        sr_error("http api: %s built invalid JSON", ctx->req->path); /* a bug here, not the peer's */
        rc = sr_http_api_send_code(ctx, 500, SR_EINTERNAL);
    } else {
        rc = sr_http_api_send(ctx, 200, &out);
    }
    sr_buf_deinit(&out);
    return rc;
}

/* Basic auth when http_api.auth is on. */
static bool sr_http_api_is_authorized(const sr_http_ctx_t *ctx)
{
    const sr_http_api_config_t *api = &sr_server_config(ctx->server)->http_api;
    if (!api->is_auth) {
        return true;
    }
    const char *h = sr_http_request_header(ctx->req, "Authorization");
    return sr_http_api__basic_auth_ok(h, api->username, api->password);
}

int sr_http_api_serve(sr_http_ctx_t *ctx)
{
    const char *method = ctx->req->method_name;
    bool is_cors = sr_server_config(ctx->server)->http_api.is_crossdomain;
    if (strcmp(method, "OPTIONS") == 0) {
        return sr_http_conn_reply(ctx, 200, NULL, NULL, 0, is_cors); /* CORS preflight */
    }
    if (!sr_http_api_is_authorized(ctx)) {
        sr_warn("http api: %s %s from %s: bad or missing credentials", method, ctx->req->path,
                ctx->client ? ctx->client->ip : "?");
        return sr_http_api_send_unauthorized(ctx);
    }
    char name[32], id[64];
    if (!sr_http_api_split(ctx->req->path, name, sizeof(name), id, sizeof(id))) {
        return sr_http_api_send_code(ctx, 404, 404);
    }
    const sr_http_api_route_t *r = NULL;
    sr_http_api_fn fn = !name[0] ? sr_http_api_root : strcmp(name, "v1") == 0 ? sr_http_api_v1 : NULL;
    if (!fn && (r = sr_http_api_find(name)) != NULL && (r->has_id || !id[0])) {
        fn = r->fn;
    }
    if (!fn) {
        return sr_http_api_send_code(ctx, 404, 404);
    }
    bool is_delete = strcmp(method, "DELETE") == 0;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 && !(is_delete && r && r->is_delete)) {
        return sr_http_api_send_code(ctx, 405, 405);
    }
    return sr_http_api_run(ctx, fn, id, is_delete);
}
