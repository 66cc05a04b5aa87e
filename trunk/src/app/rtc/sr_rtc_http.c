/* SPDX-License-Identifier: MIT */
/*
 * sr_rtc_http.c: WHIP (RFC 9725) and WHEP at SRS's URLs:
 *   POST   /rtc/v1/whip/?app=APP&stream=STREAM[&vhost=V&PARAMS]   body: SDP offer
 *          -> 201 Created, the SDP answer, Location: the session's URL
 *   POST   /rtc/v1/whep/?app=...&stream=...   (and SRS's /rtc/v1/whip-play/ alias)
 *   DELETE the Location -> 200, the session ends
 *   OPTIONS -> 204 with CORS, so a page on another origin can POST
 * The vhost comes from ?vhost=, else the Host header, else the default vhost (as for
 * HTTP-FLV); the query's other keys are the params the hooks see.
 */
#include <stdio.h>
#include <string.h>

#include "sr_error.h"
#include "sr_http.h"
#include "sr_log.h"
#include "sr_rtc.h"
#include "sr_rtc_negotiate.h"
#include "sr_rtc_session.h"
#include "sr_url.h"

#define SR_RTC_HTTP_ANSWER_MAX 8192
#define SR_RTC_HTTP_OFFER_MAX 65536

typedef enum { SR_RTC_WHIP, SR_RTC_WHEP } sr_rtc_http_kind_t;

static int sr_rtc_http_text(sr_http_ctx_t *ctx, int status, const char *text)
{
    char body[600];
    int n = snprintf(body, sizeof(body), "%s\n", text);
    return sr_http_conn_reply(ctx, status, "text/plain; charset=utf-8", body, (size_t)SR_MIN(n, (int)sizeof(body) - 1),
                              true);
}

static int sr_rtc_http_reply(sr_http_ctx_t *ctx, int status, const char *content_type, const char *location,
                             const char *body, size_t len)
{
    sr_http_response_t resp;
    sr_http_response_init(&resp, ctx->io, ctx->req);
    sr_http_response_set_status(&resp, status);
    if (content_type) {
        sr_http_response_add_header(&resp, "Content-Type", content_type);
    }
    if (location) {
        sr_http_response_add_header(&resp, "Location", location);
    }
    sr_http_conn_add_cors(&resp);
    int rc = sr_http_response_write_header(&resp, (int64_t)len);
    rc = rc == SR_OK && len ? sr_http_response_write(&resp, body, len) : rc;
    rc = rc == SR_OK ? sr_http_response_end(&resp) : rc;
    return rc == SR_OK && !sr_http_response_is_keep_alive(&resp) ? -SR_EPEER_CLOSED : rc;
}

/* The request's vhost: ?vhost=, else Host, else the default. */
static const sr_vhost_config_t *sr_rtc_http_vhost(const sr_http_ctx_t *ctx)
{
    const sr_server_config_t *cfg = sr_server_config(ctx->server);
    char name[256] = "";
    if (!sr_url_query_get(ctx->req->query, "vhost", name, sizeof(name)) || !name[0]) {
        sr_url_query_get(ctx->req->query, "domain", name, sizeof(name));
    }
    if (!name[0]) {
        const char *host = sr_http_request_header(ctx->req, "Host");
        snprintf(name, sizeof(name), "%s", host ? host : "");
        char *colon = strrchr(name, ':');
        if (colon && !strchr(name, ']')) {
            *colon = '\0';
        }
    }
    return sr_server_config_vhost(cfg, name);
}

/* The IP the client reached us at (for api_as_candidates): the Host header's, when it
 * is an address. */
static void sr_rtc_http_host_ip(const sr_http_ctx_t *ctx, char *out, size_t size)
{
    const char *host = sr_http_request_header(ctx->req, "Host");
    snprintf(out, size, "%s", host ? host : "");
    char *end = out[0] == '[' ? strchr(out, ']') : strrchr(out, ':');
    if (out[0] == '[') {
        memmove(out, out + 1, strlen(out));
        end = strchr(out, ']');
    }
    if (end) {
        *end = '\0';
    }
}

static int sr_rtc_http_fill_request(sr_http_ctx_t *ctx, const sr_vhost_config_t *v, sr_request_t *req)
{
    char app[256] = "", stream[256] = "";
    sr_url_query_get(ctx->req->query, "app", app, sizeof(app));
    sr_url_query_get(ctx->req->query, "stream", stream, sizeof(stream));
    if (!app[0] || !stream[0]) {
        return sr_err_new(SR_EFORMAT, "the URL needs ?app=APP&stream=STREAM");
    }
    const char *host = sr_http_request_header(ctx->req, "Host");
    sr_request_set(req, SR_REQUEST_SCHEMA, "webrtc");
    sr_request_set(req, SR_REQUEST_VHOST, "%s", v->name);
    sr_request_set(req, SR_REQUEST_HOST, "%s", host ? host : "");
    sr_request_set(req, SR_REQUEST_APP, "%s", app);
    sr_request_set(req, SR_REQUEST_STREAM, "%s", stream);
    sr_request_set(req, SR_REQUEST_PARAM, "%s%s", ctx->req->query[0] ? "?" : "", ctx->req->query);
    sr_request_set(req, SR_REQUEST_TC_URL, "webrtc://%s/%s", host ? host : "127.0.0.1", app);
    sr_request_set(req, SR_REQUEST_IP, "%s", ctx->client->ip);
    const char *referer = sr_http_request_header(ctx->req, "Referer"); /* the page, for refer { } */
    sr_request_set(req, SR_REQUEST_PAGE_URL, "%s", referer ? referer : "");
    return SR_OK;
}

static int sr_rtc_http_status_of(int rc)
{
    switch (-rc) {
    case SR_ESTREAM_BUSY:
        return 409;
    case SR_ENOT_FOUND:
    case SR_EVHOST_NOT_FOUND:
        return 404;
    case SR_EFORMAT:
    case SR_EUNSUPPORTED:
        return 400;
    default:
        return 403;
    }
}

static int sr_rtc_http_offer(sr_http_ctx_t *ctx, sr_rtc_http_kind_t kind)
{
    bool is_publish = kind == SR_RTC_WHIP;
    if (!sr_rtc_hub_is_up()) {
        return sr_rtc_http_text(ctx, 503, "503 WebRTC is off: rtc_server is not enabled");
    }
    const sr_vhost_config_t *v = sr_rtc_http_vhost(ctx);
    if (!v || !v->is_enabled || !v->rtc.is_enabled) {
        return sr_rtc_http_text(ctx, 403, "403 rtc is not enabled for this vhost");
    }
    if (!sr_server_admit(ctx->server)) {
        sr_warn("rtc %s refused: max_connections %d reached", ctx->client->ip,
                sr_server_config(ctx->server)->max_connections);
        return sr_rtc_http_text(ctx, 503, "503 max_connections reached");
    }
    if (ctx->req->body.len == 0 || ctx->req->body.len > SR_RTC_HTTP_OFFER_MAX) {
        return sr_rtc_http_text(ctx, 400, "400 the body must be an SDP offer");
    }
    sr_request_t req;
    sr_request_init(&req);
    int rc = sr_rtc_http_fill_request(ctx, v, &req);
    if (rc != SR_OK) {
        sr_err_clear();
        sr_request_deinit(&req);
        return sr_rtc_http_text(ctx, 400, "400 the URL needs ?app=APP&stream=STREAM");
    }
    sr_rtc_session_t *s = sr_rtc_session_new(ctx->server, is_publish, &req, v, ctx->client->ip);
    sr_request_deinit(&req);
    char host_ip[128], answer[SR_RTC_HTTP_ANSWER_MAX], why[600];
    sr_rtc_http_host_ip(ctx, host_ip, sizeof(host_ip));
    size_t answer_len = 0;
    rc = sr_rtc_negotiate(s, (const char *)ctx->req->body.data, ctx->req->body.len, host_ip, answer, sizeof(answer),
                          &answer_len);
    if (rc != SR_OK) {
        snprintf(why, sizeof(why), "%s", sr_err_trail());
        sr_err_clear();
        sr_warn("rtc %s %s/%s/%s: offer refused: %s", is_publish ? "publish" : "play", s->req.vhost, s->req.app,
                s->req.stream, why);
        sr_rtc_session_free(s);
        return sr_rtc_http_text(ctx, 400, "400 the SDP offer cannot be answered (see the server log)");
    }
    char id[sizeof(s->id)], location[1024];
    snprintf(id, sizeof(id), "%s", s->id);
    snprintf(location, sizeof(location), "/rtc/v1/%s/?action=delete&app=%s&stream=%s&session=%s",
             is_publish ? "whip" : "whep", s->req.app, s->req.stream, id);
    char vhost[256], app[256], stream[256];
    snprintf(vhost, sizeof(vhost), "%s", s->req.vhost);
    snprintf(app, sizeof(app), "%s", s->req.app);
    snprintf(stream, sizeof(stream), "%s", s->req.stream);
    rc = sr_rtc_session_start(s, why, sizeof(why)); /* s is not ours any more */
    if (rc != SR_OK) {
        sr_warn("rtc %s %s/%s/%s refused: %s", is_publish ? "publish" : "play", vhost, app, stream, why);
        char text[128];
        int status = sr_rtc_http_status_of(rc);
        snprintf(text, sizeof(text), "%d %s", status, sr_err_text(rc));
        return rc == -SR_EINTERRUPTED ? rc : sr_rtc_http_text(ctx, status, text);
    }
    sr_trace("rtc %s %s/%s/%s session %s: answer sent, waiting for ICE", is_publish ? "publish" : "play", vhost, app,
             stream, id);
    return sr_rtc_http_reply(ctx, 201, "application/sdp", location, answer, answer_len);
}

static int sr_rtc_http_delete(sr_http_ctx_t *ctx)
{
    char id[64] = "";
    sr_url_query_get(ctx->req->query, "session", id, sizeof(id));
    sr_rtc_session_t *s = id[0] ? sr_rtc_hub_find(id) : NULL;
    if (!s) {
        return sr_rtc_http_text(ctx, 404, "404 no such session");
    }
    sr_rtc_session_stop(s, "DELETE from the client");
    return sr_rtc_http_reply(ctx, 200, NULL, NULL, NULL, 0);
}

int sr_rtc_http_serve(sr_http_ctx_t *ctx)
{
    const char *p = ctx->req->path;
    sr_rtc_http_kind_t kind;
    if (strcmp(p, "/rtc/v1/whip/") == 0 || strcmp(p, "/rtc/v1/whip") == 0) {
        kind = SR_RTC_WHIP;
    } else if (strcmp(p, "/rtc/v1/whep/") == 0 || strcmp(p, "/rtc/v1/whep") == 0 ||
               strcmp(p, "/rtc/v1/whip-play/") == 0 || strcmp(p, "/rtc/v1/whip-play") == 0) {
        kind = SR_RTC_WHEP;
    } else {
        return -SR_ENOT_FOUND;
    }
    const char *m = ctx->req->method_name;
    if (strcmp(m, "OPTIONS") == 0) {
        return sr_rtc_http_reply(ctx, 204, NULL, NULL, NULL, 0);
    }
    if (strcmp(m, "DELETE") == 0) {
        return sr_rtc_http_delete(ctx);
    }
    if (strcmp(m, "POST") == 0) {
        char action[32] = "";
        sr_url_query_get(ctx->req->query, "action", action, sizeof(action));
        return strcmp(action, "delete") == 0 ? sr_rtc_http_delete(ctx) : sr_rtc_http_offer(ctx, kind);
    }
    return sr_rtc_http_text(ctx, 405, "405 use POST with an SDP offer, or DELETE the session");
}
