/* SPDX-License-Identifier: MIT */
/*
 * sr_http_players.c: what the bundled players page (research/players, served from
 * http_server.dir/players/) needs from the server that serves it: GET /players/server.json
 * tells it the ports and which servers are on, so it never assumes SRS's defaults, and
 * GET / leads to it when the web root has no index.html of its own.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sr_bytes.h"
#include "sr_consts.h"
#include "sr_error.h"
#include "sr_http_conn.h"
#include "sr_json.h"

#define SR_HTTP_PLAYERS_INFO "/players/server.json"

static const sr_vhost_config_t *sr_http_players_default_vhost(const sr_server_config_t *cfg)
{
    return sr_server_config_vhost_exact(cfg, SR_DEFAULT_VHOST);
}

static void sr_http_players_port(sr_json_writer_t *w, const char *key, bool is_enabled, int port)
{
    sr_json_writer_key(w, key);
    sr_json_writer_object_start(w);
    sr_json_writer_kv_bool(w, "enabled", is_enabled);
    sr_json_writer_kv_int(w, "port", is_enabled ? port : 0);
    sr_json_writer_object_end(w);
}

/* {rtmp, http, api, srt, rtc, https, api_https: {enabled, port}, flv, hls}: flv/hls say
 * whether the default vhost serves them; rtc is on when rtc_server is and the default
 * vhost has rtc on; a page served over HTTPS calls api_https. */
static int sr_http_players_info(sr_http_ctx_t *ctx)
{
    const sr_server_config_t *cfg = sr_server_config(ctx->server);
    const sr_vhost_config_t *v = sr_http_players_default_vhost(cfg);
    sr_buf_t b;
    sr_buf_init(&b);
    sr_json_writer_t w;
    sr_json_writer_init(&w, &b);
    sr_json_writer_object_start(&w);
    sr_http_players_port(&w, "rtmp", cfg->listen_count > 0, cfg->listen_count ? cfg->listens[0].port : 0);
    sr_http_players_port(&w, "http", cfg->http_server.is_enabled, cfg->http_server.addr.port);
    sr_http_players_port(&w, "api", cfg->http_api.is_enabled, cfg->http_api.addr.port);
    sr_http_players_port(&w, "srt", cfg->srt_server.is_enabled, cfg->srt_server.addr.port);
    sr_http_players_port(&w, "rtc", cfg->rtc_server.is_enabled && v && v->is_enabled && v->rtc.is_enabled,
                         cfg->rtc_server.addr.port);
    sr_http_players_port(&w, "https", cfg->http_server.https.is_enabled, cfg->http_server.https.addr.port);
    sr_http_players_port(&w, "api_https", cfg->http_api.https.is_enabled, cfg->http_api.https.addr.port);
    sr_json_writer_kv_bool(&w, "flv", v && v->is_enabled && v->http_remux.is_enabled);
    sr_json_writer_kv_bool(&w, "hls", v && v->is_enabled && v->hls && v->hls->is_enabled);
    sr_json_writer_object_end(&w);
    int rc = sr_json_writer_finish(&w);
    if (rc == SR_OK) {
        rc = sr_http_conn_reply(ctx, 200, "application/json", b.data, b.len, cfg->http_server.is_crossdomain);
    }
    sr_buf_deinit(&b);
    return rc;
}

static int sr_http_players_redirect(sr_http_ctx_t *ctx)
{
    sr_http_response_t resp;
    sr_http_response_init(&resp, ctx->io, ctx->req);
    sr_http_response_set_status(&resp, 302);
    sr_http_response_add_header(&resp, "Location", "/players/");
    int rc = sr_http_response_write_header(&resp, 0);
    rc = rc == SR_OK ? sr_http_response_end(&resp) : rc;
    return rc == SR_OK && !sr_http_response_is_keep_alive(&resp) ? -SR_EPEER_CLOSED : rc;
}

/* Whether the web root has an index.html, which then wins over the redirect (SRS
 * users may keep their own home page there). */
static bool sr_http_players_has_index(const sr_server_config_t *cfg)
{
    char path[1200];
    struct stat st;
    snprintf(path, sizeof(path), "%s/index.html", cfg->http_server.dir);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int sr_http_players_serve(sr_http_ctx_t *ctx)
{
    const char *path = ctx->req->path;
    bool is_read = strcmp(ctx->req->method_name, "GET") == 0 || strcmp(ctx->req->method_name, "HEAD") == 0;
    if (is_read && strcmp(path, SR_HTTP_PLAYERS_INFO) == 0) {
        return sr_http_players_info(ctx);
    }
    if (is_read && strcmp(path, "/") == 0 && !sr_http_players_has_index(sr_server_config(ctx->server))) {
        return sr_http_players_redirect(ctx);
    }
    return -SR_ENOT_FOUND;
}
