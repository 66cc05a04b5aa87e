/* SPDX-License-Identifier: MIT */
/*
 * sr_rtc_http.c: WHIP (RFC 9725) and WHEP at SRS's URLs:
 *   POST   /rtc/v1/whip/?app=APP&stream=STREAM[&vhost=V&PARAMS]   body: SDP offer
 *          -> 201 Created, the SDP answer, Location: the session's URL
 *   POST   /rtc/v1/whep/?app=...&stream=...   (and SRS's /rtc/v1/whip-play/ alias)
 *   DELETE the Location -> 200, the session ends
 *   OPTIONS -> 204 with CORS, so a page on another origin can POST
 * and SRS's own JSON API, which its players page and SDK (srs.sdk.js) use:
 *   POST   /rtc/v1/play/ or /rtc/v1/publish/   body: {"streamurl": "webrtc://HOST/APP/STREAM?PARAMS",
 *          "sdp": OFFER, ...} -> 200 {"code": 0, "sdp": ANSWER, "sessionid": ID, "server": ...},
 *          or {"code": STATUS, "msg": WHY} when refused
 * The vhost comes from ?vhost= (of the URL, or of the streamurl), else the host (the
 * Host header, or the streamurl's), else the default vhost (as for HTTP-FLV); the
 * query's other keys are the params the hooks see.
 */
#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_error.h"
#include "sr_http.h"
#include "sr_json.h"
#include "sr_log.h"
#include "sr_rtc.h"
#include "sr_rtc_negotiate.h"
#include "sr_rtc_session.h"
#include "sr_url.h"

#define SR_RTC_HTTP_ANSWER_MAX 8192
#define SR_RTC_HTTP_OFFER_MAX 65536

typedef enum { SR_RTC_WHIP, SR_RTC_WHEP, SR_RTC_SRS_PUBLISH, SR_RTC_SRS_PLAY } sr_rtc_http_kind_t;

/* What an offer asks for: from the URL and headers (WHIP, WHEP) or the JSON body. */
typedef struct sr_rtc_http_ask {
    bool is_publish;
    const char *query; /* app=&stream=[&vhost=][&PARAMS] */
    const char *host;  /* the host the client named: a vhost when no ?vhost= */
    const char *offer;
    size_t offer_len;
} sr_rtc_http_ask_t;

/* How it went: status 201 with the answer, or an error status and its text. */
typedef struct sr_rtc_http_outcome {
    int status;
    char text[128];
    char answer[SR_RTC_HTTP_ANSWER_MAX];
    size_t answer_len;
    char id[24];
    char location[1024];
} sr_rtc_http_outcome_t;

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

/* The request's vhost: ?vhost=, else the host, else the default. */
static const sr_vhost_config_t *sr_rtc_http_vhost(const sr_http_ctx_t *ctx, const sr_rtc_http_ask_t *ask)
{
    const sr_server_config_t *cfg = sr_server_config(ctx->server);
    char name[256] = "";
    if (!sr_url_query_get(ask->query, "vhost", name, sizeof(name)) || !name[0]) {
        sr_url_query_get(ask->query, "domain", name, sizeof(name));
    }
    if (!name[0]) {
        snprintf(name, sizeof(name), "%s", ask->host);
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

static int sr_rtc_http_fill_request(sr_http_ctx_t *ctx, const sr_rtc_http_ask_t *ask, const sr_vhost_config_t *v,
                                    sr_request_t *req)
{
    char app[256] = "", stream[256] = "";
    sr_url_query_get(ask->query, "app", app, sizeof(app));
    sr_url_query_get(ask->query, "stream", stream, sizeof(stream));
    if (!app[0] || !stream[0]) {
        return sr_err_new(SR_EFORMAT, "the URL needs ?app=APP&stream=STREAM");
    }
    sr_request_set(req, SR_REQUEST_SCHEMA, "webrtc");
    sr_request_set(req, SR_REQUEST_VHOST, "%s", v->name);
    sr_request_set(req, SR_REQUEST_HOST, "%s", ask->host);
    sr_request_set(req, SR_REQUEST_APP, "%s", app);
    sr_request_set(req, SR_REQUEST_STREAM, "%s", stream);
    sr_request_set(req, SR_REQUEST_PARAM, "%s%s", ask->query[0] ? "?" : "", ask->query);
    sr_request_set(req, SR_REQUEST_TC_URL, "webrtc://%s/%s", ask->host[0] ? ask->host : "127.0.0.1", app);
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

/* Negotiate ask's offer and start its session: out->status 201 with the answer, or
 * why not. May yield. */
static int sr_rtc_http_answer(sr_http_ctx_t *ctx, const sr_rtc_http_ask_t *ask, sr_rtc_http_outcome_t *out)
{
    const char *verb = ask->is_publish ? "publish" : "play";
    out->status = 400;
    if (!sr_rtc_hub_is_up()) {
        out->status = 503;
        snprintf(out->text, sizeof(out->text), "503 WebRTC is off: rtc_server is not enabled");
        return SR_OK;
    }
    const sr_vhost_config_t *v = sr_rtc_http_vhost(ctx, ask);
    if (!v || !v->is_enabled || !v->rtc.is_enabled) {
        out->status = 403;
        snprintf(out->text, sizeof(out->text), "403 rtc is not enabled for this vhost");
        return SR_OK;
    }
    if (!sr_server_admit(ctx->server)) {
        sr_warn("rtc %s refused: max_connections %d reached", ctx->client->ip,
                sr_server_config(ctx->server)->max_connections);
        out->status = 503;
        snprintf(out->text, sizeof(out->text), "503 max_connections reached");
        return SR_OK;
    }
    if (ask->offer_len == 0 || ask->offer_len > SR_RTC_HTTP_OFFER_MAX) {
        snprintf(out->text, sizeof(out->text), "400 the body must be an SDP offer");
        return SR_OK;
    }
    sr_request_t req;
    sr_request_init(&req);
    int rc = sr_rtc_http_fill_request(ctx, ask, v, &req);
    if (rc != SR_OK) {
        sr_err_clear();
        sr_request_deinit(&req);
        snprintf(out->text, sizeof(out->text), "400 the URL needs ?app=APP&stream=STREAM");
        return SR_OK;
    }
    sr_rtc_session_t *s = sr_rtc_session_new(ctx->server, ask->is_publish, &req, v, ctx->client->ip);
    sr_request_deinit(&req);
    char host_ip[128], why[600];
    sr_rtc_http_host_ip(ctx, host_ip, sizeof(host_ip));
    rc = sr_rtc_negotiate(s, ask->offer, ask->offer_len, host_ip, out->answer, sizeof(out->answer), &out->answer_len);
    if (rc != SR_OK) {
        snprintf(why, sizeof(why), "%s", sr_err_trail());
        sr_err_clear();
        sr_warn("rtc %s %s/%s/%s: offer refused: %s", verb, s->req.vhost, s->req.app, s->req.stream, why);
        sr_rtc_session_free(s);
        snprintf(out->text, sizeof(out->text), "400 the SDP offer cannot be answered (see the server log)");
        return SR_OK;
    }
    snprintf(out->id, sizeof(out->id), "%s", s->id);
    snprintf(out->location, sizeof(out->location), "/rtc/v1/%s/?action=delete&app=%s&stream=%s&session=%s",
             ask->is_publish ? "whip" : "whep", s->req.app, s->req.stream, out->id);
    char vhost[256], app[256], stream[256];
    snprintf(vhost, sizeof(vhost), "%s", s->req.vhost);
    snprintf(app, sizeof(app), "%s", s->req.app);
    snprintf(stream, sizeof(stream), "%s", s->req.stream);
    rc = sr_rtc_session_start(s, why, sizeof(why)); /* s is not ours any more */
    if (rc != SR_OK) {
        sr_warn("rtc %s %s/%s/%s refused: %s", verb, vhost, app, stream, why);
        out->status = sr_rtc_http_status_of(rc);
        snprintf(out->text, sizeof(out->text), "%d %s", out->status, sr_err_text(rc));
        return rc == -SR_EINTERRUPTED ? rc : SR_OK;
    }
    sr_trace("rtc %s %s/%s/%s session %s: answer sent, waiting for ICE", verb, vhost, app, stream, out->id);
    out->status = 201;
    return SR_OK;
}

/* WHIP or WHEP: the SDP offer in, the answer out, 201 with the session's Location. */
static int sr_rtc_http_offer(sr_http_ctx_t *ctx, sr_rtc_http_kind_t kind)
{
    const char *host = sr_http_request_header(ctx->req, "Host");
    sr_rtc_http_ask_t ask = {.is_publish = kind == SR_RTC_WHIP,
                             .query = ctx->req->query,
                             .host = host ? host : "",
                             .offer = (const char *)ctx->req->body.data,
                             .offer_len = ctx->req->body.len};
    sr_rtc_http_outcome_t *out = sr_malloc(sizeof(*out));
    int rc = sr_rtc_http_answer(ctx, &ask, out);
    if (rc == SR_OK) {
        rc = out->status == 201
                 ? sr_rtc_http_reply(ctx, 201, "application/sdp", out->location, out->answer, out->answer_len)
                 : sr_rtc_http_text(ctx, out->status, out->text);
    }
    sr_free(out);
    return rc;
}

static int sr_rtc_http_json(sr_http_ctx_t *ctx, const sr_buf_t *body)
{
    return sr_rtc_http_reply(ctx, 200, "application/json", NULL, (const char *)body->data, body->len);
}

/* SRS's /rtc/v1/play/ and /rtc/v1/publish/: the offer and a webrtc:// stream URL in a
 * JSON object, the answer in one; always HTTP 200, a non-zero code when refused. */
static int sr_rtc_http_srs_api(sr_http_ctx_t *ctx, sr_rtc_http_kind_t kind)
{
    sr_json_t *in = NULL;
    const char *url = NULL, *offer = NULL;
    size_t offer_len = 0;
    if (sr_json_parse((const char *)ctx->req->body.data, ctx->req->body.len, &in) == SR_OK) {
        url = sr_json_string(sr_json_get(in, "streamurl"), NULL);
        offer = sr_json_string(sr_json_get(in, "sdp"), &offer_len);
    }
    sr_err_clear();
    sr_url_t u;
    char app[256] = "", query[1400] = "";
    const char *slash = NULL;
    if (url && sr_url_parse(url, &u) == SR_OK && (slash = strrchr(u.path, '/')) != NULL) {
        snprintf(app, sizeof(app), "%.*s", (int)(slash - u.path), u.path);
        snprintf(query, sizeof(query), "app=%s&stream=%s%s%s", app, slash + 1, u.query[0] ? "&" : "", u.query);
    }
    sr_err_clear();
    sr_rtc_http_outcome_t *out = sr_malloc(sizeof(*out));
    int rc = SR_OK;
    if (!query[0] || !offer) {
        out->status = 400;
        snprintf(out->text, sizeof(out->text), "400 the body needs streamurl (webrtc://HOST/APP/STREAM) and sdp");
    } else {
        sr_rtc_http_ask_t ask = {.is_publish = kind == SR_RTC_SRS_PUBLISH,
                                 .query = query,
                                 .host = u.host,
                                 .offer = offer,
                                 .offer_len = offer_len};
        rc = sr_rtc_http_answer(ctx, &ask, out);
    }
    sr_json_free(in);
    if (rc == SR_OK) {
        sr_buf_t body;
        sr_buf_init(&body);
        sr_json_writer_t w;
        sr_json_writer_init(&w, &body);
        sr_json_writer_object_start(&w);
        sr_json_writer_kv_int(&w, "code", out->status == 201 ? 0 : out->status);
        if (out->status == 201) {
            sr_json_writer_kv_string(&w, "server", sr_server_id(ctx->server));
            sr_json_writer_key(&w, "sdp");
            sr_json_writer_stringn(&w, out->answer, out->answer_len);
            sr_json_writer_kv_string(&w, "sessionid", out->id);
        } else {
            sr_json_writer_kv_string(&w, "msg", out->text);
        }
        sr_json_writer_object_end(&w);
        rc = sr_rtc_http_json(ctx, &body);
        sr_buf_deinit(&body);
    }
    sr_free(out);
    return rc;
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
    } else if (strcmp(p, "/rtc/v1/publish/") == 0 || strcmp(p, "/rtc/v1/publish") == 0) {
        kind = SR_RTC_SRS_PUBLISH;
    } else if (strcmp(p, "/rtc/v1/play/") == 0 || strcmp(p, "/rtc/v1/play") == 0) {
        kind = SR_RTC_SRS_PLAY;
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
    if (strcmp(m, "POST") == 0 && (kind == SR_RTC_SRS_PUBLISH || kind == SR_RTC_SRS_PLAY)) {
        return sr_rtc_http_srs_api(ctx, kind);
    }
    if (strcmp(m, "POST") == 0) {
        char action[32] = "";
        sr_url_query_get(ctx->req->query, "action", action, sizeof(action));
        return strcmp(action, "delete") == 0 ? sr_rtc_http_delete(ctx) : sr_rtc_http_offer(ctx, kind);
    }
    return sr_rtc_http_text(ctx, 405, "405 use POST with an SDP offer, or DELETE the session");
}
