/* SPDX-License-Identifier: MIT */
/*
 * sr_rtsp_conn.c: the RTSP request side of a connection: OPTIONS, DESCRIBE, ANNOUNCE,
 * SETUP, RECORD, PLAY, PAUSE, TEARDOWN and the GET_PARAMETER/SET_PARAMETER/OPTIONS
 * keep-alives, on the session layer (sr_session.h) for policy and hooks. A request
 * that cannot be served gets its 4xx and the connection closes with one log line.
 */
#include "sr_rtsp_conn.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sr_alloc.h"
#include "sr_consts.h"
#include "sr_error.h"
#include "sr_log.h"
#include "sr_random.h"
#include "sr_rtsp.h"
#include "sr_rtsp_head.h"
#include "sr_rtsp_pull.h"
#include "sr_url.h"

#define SR_RTSP_CONN_SETUP_US (30 * SR_UTIME_S) /* to get from connect to RECORD or PLAY */
#define SR_RTSP_CONN_SEND_US (10 * SR_UTIME_S)  /* a player that takes nothing for this long is gone */
#define SR_RTSP_CONN_READ_CHUNK 4096
#define SR_RTSP_CONN_DESCRIBE_WAIT_US (3 * SR_UTIME_S) /* for a publisher's first configs */
#define SR_RTSP_CONN_PULL_WAIT_US (10 * SR_UTIME_S)    /* for a camera we pull to answer */
#define SR_RTSP_CONN_OTHER_WAIT_US (SR_UTIME_S)        /* for audio after video's config, or back */
#define SR_RTSP_CONN_PUBLIC                                                                                            \
    "OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, PAUSE, RECORD, TEARDOWN, GET_PARAMETER, SET_PARAMETER"

/* ==== replies ==== */

static int sr_rtsp_conn_send(sr_rtsp_conn_t *c)
{
    return sr_io_write(c->io, c->out.data, c->out.len);
}

static void sr_rtsp_conn_session_header(sr_rtsp_conn_t *c)
{
    if (c->session_id[0]) {
        sr_buf_printf(&c->out, "Session: %s;timeout=%d\r\n", c->session_id,
                      sr_server_config(c->server)->rtsp_server.session_timeout_s);
    }
}

/* A reply with no body but the session, if any. */
static int sr_rtsp_conn_reply(sr_rtsp_conn_t *c, const sr_rtsp_msg_t *m, int status)
{
    sr_rtsp_reply_begin(&c->out, status, m->cseq);
    sr_rtsp_conn_session_header(c);
    sr_rtsp_reply_end(&c->out, NULL, NULL, 0);
    return sr_rtsp_conn_send(c);
}

/* Refuse m with status and end the connection; the reason (rc's trail) goes to the log
 * once, here. */
static int sr_rtsp_conn_refuse(sr_rtsp_conn_t *c, const sr_rtsp_msg_t *m, int status, int rc)
{
    sr_warn("rtsp %s %.*s refused with %d (%s): %s", c->client.ip, (int)m->method.len, m->method.p, status,
            sr_err_name(rc), sr_err_trail());
    sr_err_clear();
    c->phase = SR_RTSP_PHASE_DONE;
    int wrc = sr_rtsp_conn_reply(c, m, status);
    sr_err_clear();
    return wrc == SR_OK ? SR_OK : -SR_EPEER_CLOSED; /* the connection closes either way */
}

/* ==== what the URL names ==== */

static int sr_rtsp_conn_resolve(sr_rtsp_conn_t *c, const sr_rtsp_msg_t *m)
{
    sr_rtsp_url_t u;
    int rc = sr_rtsp_url_parse(m->url.p, m->url.len, &u);
    if (rc != SR_OK) {
        return sr_err_new(-rc, "url '%.*s'", (int)SR_MIN(m->url.len, 300), m->url.p);
    }
    const char *slash = strrchr(u.path, '/');
    if (!slash || slash == u.path || !slash[1]) {
        return sr_err_new(SR_EFORMAT, "url '%.*s' names no app/stream", (int)SR_MIN(m->url.len, 300), m->url.p);
    }
    char vhost_name[256] = "";
    if (!sr_url_query_get(u.query, "vhost", vhost_name, sizeof(vhost_name)) || !vhost_name[0]) {
        snprintf(vhost_name, sizeof(vhost_name), "%s", u.host[0] ? u.host : SR_DEFAULT_VHOST);
    }
    const sr_vhost_config_t *v = sr_server_config_vhost(sr_server_config(c->server), vhost_name);
    if (!v || !v->is_enabled) {
        return sr_err_new(v ? SR_EVHOST_DISABLED : SR_EVHOST_NOT_FOUND, "vhost %s", vhost_name);
    }
    sr_server_config_vhost_detach(&c->vhost, v);
    sr_request_set(&c->req, SR_REQUEST_SCHEMA, "rtsp");
    sr_request_set(&c->req, SR_REQUEST_VHOST, "%s", v->name);
    sr_request_set(&c->req, SR_REQUEST_HOST, "%s", u.host);
    sr_request_set(&c->req, SR_REQUEST_APP, "%.*s", (int)(slash - u.path), u.path);
    sr_request_set(&c->req, SR_REQUEST_STREAM, "%s", slash + 1);
    sr_request_set(&c->req, SR_REQUEST_PARAM, "%s%s", u.query[0] ? "?" : "", u.query);
    sr_request_set(&c->req, SR_REQUEST_TC_URL, "rtsp://%s/%.*s", u.host, (int)(slash - u.path), u.path);
    snprintf(c->client.vhost, sizeof(c->client.vhost), "%s", v->name);
    c->has_stream = true;
    return SR_OK;
}

/* ==== requests ==== */

static int sr_rtsp_conn_options(sr_rtsp_conn_t *c, const sr_rtsp_msg_t *m)
{
    sr_rtsp_reply_begin(&c->out, 200, m->cseq);
    sr_buf_put_str(&c->out, "Public: " SR_RTSP_CONN_PUBLIC "\r\n");
    sr_rtsp_conn_session_header(c);
    sr_rtsp_reply_end(&c->out, NULL, NULL, 0);
    return sr_rtsp_conn_send(c);
}

/* A sequence header the source has, or NULL (the source keeps an empty packet). */
static const sr_packet_t *sr_rtsp_conn_sh(const sr_packet_t *sh)
{
    return sh && sh->payload ? sh : NULL;
}

/* A sequence header of a codec RTSP players can be sent, or NULL. */
static const sr_packet_t *sr_rtsp_conn_playable(const sr_packet_t *sh)
{
    sh = sr_rtsp_conn_sh(sh);
    return sh && sr_rtsp_play_can_send((sr_codec_id_t)sh->codec) ? sh : NULL;
}

/* The stream's configs, waiting a little for a publisher that has just started. */
static int sr_rtsp_conn_find_configs(sr_rtsp_conn_t *c, sr_source_t **out)
{
    int rc = sr_rtsp_pull_await(c->server, c->req.vhost, c->req.app, c->req.stream, SR_RTSP_CONN_PULL_WAIT_US);
    if (rc == -SR_EINTERRUPTED) {
        return rc;
    }
    sr_err_clear(); /* a camera that is not there yet is not found below */
    sr_source_registry_t *reg = sr_server_sources(c->server);
    sr_utime_t deadline = sr_time_mono_us() + SR_RTSP_CONN_DESCRIBE_WAIT_US;
    sr_utime_t other_deadline = 0; /* once one config is there, the other gets a moment */
    for (;;) {
        sr_utime_t now = sr_time_mono_us();
        sr_source_t *s = sr_source_fetch(reg, c->req.vhost, c->req.app, c->req.stream, false);
        bool is_live = s && sr_source_is_publishing(s);
        bool has_video = is_live && sr_rtsp_conn_sh(sr_source_video_sequence_header(s));
        bool has_audio = is_live && sr_rtsp_conn_sh(sr_source_audio_sequence_header(s));
        if ((has_video || has_audio) && !other_deadline) {
            other_deadline = now + SR_RTSP_CONN_OTHER_WAIT_US;
        }
        if (is_live && ((has_video && has_audio) || now >= deadline || (other_deadline && now >= other_deadline))) {
            *out = s;
            return SR_OK;
        }
        if (s) {
            sr_source_unref(s);
        }
        if (!is_live) {
            return sr_err_new(SR_ENOT_FOUND, "stream %s/%s/%s is not published", c->req.vhost, c->req.app,
                              c->req.stream);
        }
        if ((rc = sr_usleep(100 * SR_UTIME_MS)) != SR_OK) {
            return rc;
        }
    }
}

static int sr_rtsp_conn_describe(sr_rtsp_conn_t *c, const sr_rtsp_msg_t *m)
{
    if (c->phase != SR_RTSP_PHASE_SETUP || c->is_announced) {
        return sr_rtsp_conn_refuse(c, m, 455, sr_err_new(SR_EFORMAT, "DESCRIBE after the session began"));
    }
    int rc = sr_rtsp_conn_resolve(c, m);
    if (rc != SR_OK) {
        return sr_rtsp_conn_refuse(c, m, rc == -SR_EFORMAT ? 400 : 404, rc);
    }
    sr_source_t *s = NULL;
    rc = sr_rtsp_conn_find_configs(c, &s);
    if (rc == SR_OK) {
        rc = sr_rtsp_sdp_describe(sr_rtsp_conn_playable(sr_source_video_sequence_header(s)),
                                  sr_rtsp_conn_playable(sr_source_audio_sequence_header(s)), c->tracks,
                                  SR_RTSP_MAX_TRACKS, &c->nb_tracks, &c->sdp);
        sr_source_unref(s);
    }
    if (rc != SR_OK) {
        return sr_rtsp_conn_refuse(c, m, rc == -SR_EINTERRUPTED ? 503 : 404, rc);
    }
    snprintf(c->base_url, sizeof(c->base_url), "%.*s", (int)m->url.len, m->url.p);
    size_t n = strlen(c->base_url);
    sr_rtsp_reply_begin(&c->out, 200, m->cseq);
    sr_buf_printf(&c->out, "Content-Base: %s%s\r\n", c->base_url, n && c->base_url[n - 1] == '/' ? "" : "/");
    sr_rtsp_reply_end(&c->out, "application/sdp", c->sdp.data, c->sdp.len);
    sr_buf_deinit(&c->sdp); /* not needed again */
    sr_buf_init(&c->sdp);
    return sr_rtsp_conn_send(c);
}

static int sr_rtsp_conn_announce(sr_rtsp_conn_t *c, const sr_rtsp_msg_t *m)
{
    if (c->phase != SR_RTSP_PHASE_SETUP || c->nb_tracks) {
        return sr_rtsp_conn_refuse(c, m, 455, sr_err_new(SR_EFORMAT, "ANNOUNCE after the session began"));
    }
    int rc = sr_rtsp_conn_resolve(c, m);
    if (rc != SR_OK) {
        return sr_rtsp_conn_refuse(c, m, rc == -SR_EFORMAT ? 400 : 404, rc);
    }
    rc = sr_rtsp_sdp_parse((const char *)m->body, m->body_len, c->tracks, SR_RTSP_MAX_TRACKS, &c->nb_tracks);
    if (rc != SR_OK) {
        return sr_rtsp_conn_refuse(c, m, 415, rc);
    }
    c->is_announced = true;
    return sr_rtsp_conn_reply(c, m, 200);
}

/* The transport of the client's list we can serve for track t (index i), into *out. */
static bool sr_rtsp_conn_pick_transport(sr_rtsp_conn_t *c, const sr_rtsp_transport_t *alts, int n, size_t i,
                                        sr_rtsp_transport_t *out)
{
    for (int k = 0; k < n; k++) {
        const sr_rtsp_transport_t *a = &alts[k];
        if (a->is_multicast) {
            continue;
        }
        *out = *a;
        if (a->is_tcp) {
            if (!a->has_interleaved) {
                out->has_interleaved = true;
                out->interleaved[0] = (uint8_t)(2 * i);
                out->interleaved[1] = (uint8_t)(2 * i + 1);
            }
            return true;
        }
        if (a->has_client_port && sr_rtsp_udp_is_ready()) {
            out->has_server_port = true;
            out->server_port[0] = (uint16_t)sr_rtsp_udp_port(false);
            out->server_port[1] = (uint16_t)sr_rtsp_udp_port(true);
            return true;
        }
    }
    return false;
}

static void sr_rtsp_conn_on_udp(void *owner, int track, bool is_rtcp, const uint8_t *data, size_t len)
{
    sr_rtsp_conn_t *c = owner;
    c->last_seen_us = sr_time_mono_us();
    if (c->ingest && c->phase == SR_RTSP_PHASE_RECORD) {
        sr_rtsp_ingest_packet(c->ingest, (size_t)track, is_rtcp, data, len);
    }
}

static int sr_rtsp_conn_udp_peers(sr_rtsp_conn_t *c, sr_rtsp_track_t *t, int index)
{
    const char *ip = sr_sock_peer_ip(c->sock);
    int rc = sr_udp_peer_make(ip, t->transport.client_port[0], &t->rtp_peer);
    rc = rc ? rc : sr_udp_peer_make(ip, t->transport.client_port[1], &t->rtcp_peer);
    if (rc != SR_OK) {
        return rc;
    }
    /* a player's RTP port sends too: ffmpeg opens its NAT binding with a packet */
    sr_rtsp_udp_register(&t->rtp_peer, false, sr_rtsp_conn_on_udp, c, index);
    sr_rtsp_udp_register(&t->rtcp_peer, true, sr_rtsp_conn_on_udp, c, index);
    return SR_OK;
}

static int sr_rtsp_conn_setup(sr_rtsp_conn_t *c, const sr_rtsp_msg_t *m)
{
    if (c->phase != SR_RTSP_PHASE_SETUP || !c->nb_tracks) {
        return sr_rtsp_conn_refuse(c, m, 455, sr_err_new(SR_EFORMAT, "SETUP before DESCRIBE or ANNOUNCE"));
    }
    int i = sr_rtsp_track_find(c->tracks, c->nb_tracks, m->url.p, m->url.len);
    if (i < 0 && c->nb_tracks == 1) {
        i = 0; /* a single track may be set up by the stream's URL */
    }
    const sr_rtsp_str_t *th = sr_rtsp_msg_header(m, "Transport");
    sr_rtsp_transport_t alts[SR_RTSP_TRANSPORT_MAX];
    int n = th ? sr_rtsp_transport_parse(th->p, th->len, alts, SR_RTSP_TRANSPORT_MAX) : 0;
    if (i < 0) {
        return sr_rtsp_conn_refuse(c, m, 404, sr_err_new(SR_ENOT_FOUND, "no track %.*s", (int)m->url.len, m->url.p));
    }
    sr_rtsp_track_t *t = &c->tracks[i];
    if (n <= 0 || !sr_rtsp_conn_pick_transport(c, alts, n, (size_t)i, &t->transport)) {
        sr_err_clear();
        sr_trace("rtsp %s: no transport we serve in '%.*s'", c->client.ip, th ? (int)SR_MIN(th->len, 200) : 0,
                 th ? th->p : "");
        return sr_rtsp_conn_reply(c, m, 461); /* the client may try another (ffmpeg does) */
    }
    if (!t->transport.is_tcp) {
        int rc = sr_rtsp_conn_udp_peers(c, t, i);
        if (rc != SR_OK) {
            return sr_rtsp_conn_refuse(c, m, 400, rc);
        }
    }
    t->is_setup = true;
    if (!c->session_id[0]) {
        snprintf(c->session_id, sizeof(c->session_id), "%08x%08x", (unsigned)sr_random_u32(),
                 (unsigned)sr_random_u32());
    }
    sr_rtsp_reply_begin(&c->out, 200, m->cseq);
    sr_buf_put_str(&c->out, "Transport: ");
    sr_rtsp_transport_write(&t->transport, &c->out);
    sr_buf_put_str(&c->out, "\r\n");
    sr_rtsp_conn_session_header(c);
    sr_rtsp_reply_end(&c->out, NULL, NULL, 0);
    return sr_rtsp_conn_send(c);
}

static bool sr_rtsp_conn_any_setup(const sr_rtsp_conn_t *c)
{
    for (size_t i = 0; i < c->nb_tracks; i++) {
        if (c->tracks[i].is_setup) {
            return true;
        }
    }
    return false;
}

static int sr_rtsp_conn_record(sr_rtsp_conn_t *c, const sr_rtsp_msg_t *m)
{
    if (c->phase != SR_RTSP_PHASE_SETUP || !c->is_announced || !sr_rtsp_conn_any_setup(c)) {
        return sr_rtsp_conn_refuse(c, m, 455, sr_err_new(SR_EFORMAT, "RECORD before ANNOUNCE and SETUP"));
    }
    c->client.type = "rtsp-publish";
    c->client.is_publish = true;
    int rc = sr_publish_begin(&c->publish, c->server, &c->client, &c->req, &c->vhost);
    if (rc != SR_OK) {
        rc = sr_err_wrap(rc, "publish %s/%s refused", c->req.app, c->req.stream);
        return sr_rtsp_conn_refuse(c, m, rc == -SR_ESTREAM_BUSY ? 406 : 403, rc);
    }
    c->ingest = sr_rtsp_ingest_new(&c->publish, c->tracks, c->nb_tracks);
    c->phase = SR_RTSP_PHASE_RECORD;
    sr_trace("rtsp publish %s/%s/%s start", c->req.vhost, c->req.app, c->req.stream);
    return sr_rtsp_conn_reply(c, m, 200);
}

static int sr_rtsp_conn_play(sr_rtsp_conn_t *c, const sr_rtsp_msg_t *m)
{
    if (c->phase == SR_RTSP_PHASE_PLAY) {
        c->is_paused = false; /* PLAY after PAUSE */
        return sr_rtsp_conn_reply(c, m, 200);
    }
    if (c->phase != SR_RTSP_PHASE_SETUP || c->is_announced || !sr_rtsp_conn_any_setup(c)) {
        return sr_rtsp_conn_refuse(c, m, 455, sr_err_new(SR_EFORMAT, "PLAY before DESCRIBE and SETUP"));
    }
    c->client.type = "rtsp-play";
    int rc = sr_play_begin(&c->play, c->server, &c->client, &c->req, true);
    if (rc != SR_OK) {
        rc = sr_err_wrap(rc, "play %s/%s refused", c->req.app, c->req.stream);
        return sr_rtsp_conn_refuse(c, m, rc == -SR_ENOT_FOUND ? 404 : 403, rc);
    }
    c->phase = SR_RTSP_PHASE_PLAY;
    sr_buf_t info;
    sr_buf_init(&info);
    sr_rtsp_play_prepare(c, &info);
    sr_rtsp_reply_begin(&c->out, 200, m->cseq);
    sr_buf_printf(&c->out, "Range: npt=0.000-\r\nRTP-Info: %.*s\r\n", (int)info.len, (const char *)info.data);
    sr_rtsp_conn_session_header(c);
    sr_rtsp_reply_end(&c->out, NULL, NULL, 0);
    sr_buf_deinit(&info);
    return sr_rtsp_conn_send(c);
}

/* A request of a session that names another session: 454 (RFC 2326 11.3.10). */
static bool sr_rtsp_conn_is_other_session(const sr_rtsp_conn_t *c, const sr_rtsp_msg_t *m)
{
    const sr_rtsp_str_t *h = sr_rtsp_msg_header(m, "Session");
    char id[64];
    return h && c->session_id[0] && sr_rtsp_session_id(h->p, h->len, id, sizeof(id)) && strcmp(id, c->session_id);
}

static bool sr_rtsp_conn_is(const sr_rtsp_msg_t *m, const char *method)
{
    return m->method.len == strlen(method) && memcmp(m->method.p, method, m->method.len) == 0;
}

static int sr_rtsp_conn_request(sr_rtsp_conn_t *c, const sr_rtsp_msg_t *m)
{
    c->last_seen_us = sr_time_mono_us();
    if (sr_rtsp_conn_is_other_session(c, m)) {
        return sr_rtsp_conn_reply(c, m, 454);
    }
    if (sr_rtsp_conn_is(m, "OPTIONS")) {
        return sr_rtsp_conn_options(c, m);
    }
    if (sr_rtsp_conn_is(m, "DESCRIBE")) {
        return sr_rtsp_conn_describe(c, m);
    }
    if (sr_rtsp_conn_is(m, "ANNOUNCE")) {
        return sr_rtsp_conn_announce(c, m);
    }
    if (sr_rtsp_conn_is(m, "SETUP")) {
        return sr_rtsp_conn_setup(c, m);
    }
    if (sr_rtsp_conn_is(m, "RECORD")) {
        return sr_rtsp_conn_record(c, m);
    }
    if (sr_rtsp_conn_is(m, "PLAY")) {
        return sr_rtsp_conn_play(c, m);
    }
    if (sr_rtsp_conn_is(m, "PAUSE")) {
        c->is_paused = c->phase == SR_RTSP_PHASE_PLAY;
        return sr_rtsp_conn_reply(c, m, 200);
    }
    if (sr_rtsp_conn_is(m, "TEARDOWN")) {
        int rc = sr_rtsp_conn_reply(c, m, 200);
        c->phase = SR_RTSP_PHASE_DONE;
        return rc;
    }
    if (sr_rtsp_conn_is(m, "GET_PARAMETER") || sr_rtsp_conn_is(m, "SET_PARAMETER")) {
        return sr_rtsp_conn_reply(c, m, 200);
    }
    sr_trace("rtsp %s: method %.*s not implemented", c->client.ip, (int)SR_MIN(m->method.len, 32), m->method.p);
    return sr_rtsp_conn_reply(c, m, 501);
}

/* An interleaved frame: the publisher's RTP/RTCP, or a player's RTCP. */
static void sr_rtsp_conn_interleaved(sr_rtsp_conn_t *c, const sr_rtsp_msg_t *m)
{
    c->last_seen_us = sr_time_mono_us();
    if (!c->ingest || c->phase != SR_RTSP_PHASE_RECORD) {
        return;
    }
    for (size_t i = 0; i < c->nb_tracks; i++) {
        const sr_rtsp_transport_t *t = &c->tracks[i].transport;
        if (c->tracks[i].is_setup && t->is_tcp &&
            (m->channel == t->interleaved[0] || m->channel == t->interleaved[1])) {
            sr_rtsp_ingest_packet(c->ingest, i, m->channel == t->interleaved[1], m->body, m->body_len);
            return;
        }
    }
}

int sr_rtsp_conn_process(sr_rtsp_conn_t *c)
{
    size_t used = 0;
    int rc = SR_OK;
    while (rc == SR_OK && c->phase != SR_RTSP_PHASE_DONE && used < c->in.len) {
        sr_rtsp_msg_t m;
        int n = sr_rtsp_msg_parse(c->in.data + used, c->in.len - used, &m);
        if (n == 0) {
            break;
        }
        if (n < 0) {
            rc = sr_err_new(-n, "rtsp from %s: malformed message", c->client.ip);
            sr_rtsp_reply_begin(&c->out, 400, -1);
            sr_rtsp_reply_end(&c->out, NULL, NULL, 0);
            sr_rtsp_conn_send(c); /* best effort: the connection closes anyway */
            break;
        }
        used += (size_t)n;
        if (m.kind == SR_RTSP_MSG_INTERLEAVED) {
            sr_rtsp_conn_interleaved(c, &m);
        } else if (m.kind == SR_RTSP_MSG_REQUEST) {
            rc = sr_rtsp_conn_request(c, &m);
        }
    }
    memmove(c->in.data, c->in.data + used, c->in.len - used);
    c->in.len -= used;
    if (c->in.len == 0 && c->phase == SR_RTSP_PHASE_PLAY) {
        sr_buf_deinit(&c->in); /* a player rarely sends: keep no buffer for it */
        sr_buf_init(&c->in);
    }
    return rc;
}

int sr_rtsp_conn_read(sr_rtsp_conn_t *c, sr_utime_t timeout_us)
{
    sr_buf_reserve(&c->in, SR_RTSP_CONN_READ_CHUNK);
    sr_sock_set_timeouts(c->sock, timeout_us, SR_RTSP_CONN_SEND_US);
    size_t n = 0;
    int rc = sr_io_read(c->io, c->in.data + c->in.len, c->in.cap - c->in.len, &n);
    if (rc != SR_OK) {
        return rc;
    }
    c->in.len += n;
    return sr_rtsp_conn_process(c);
}

/* ==== phases ==== */

static int sr_rtsp_conn_publish_loop(sr_rtsp_conn_t *c)
{
    sr_utime_t timeout = (sr_utime_t)SR_MAX(c->vhost.normal_timeout_ms, 1000) * SR_UTIME_MS;
    int rc = SR_OK;
    while (rc == SR_OK && c->phase == SR_RTSP_PHASE_RECORD && (rc = sr_co_pull()) == SR_OK) {
        rc = sr_rtsp_conn_read(c, 100 * SR_UTIME_MS);
        if (rc == -SR_ETIMEOUT) {
            sr_err_clear();
            rc = sr_time_mono_us() - c->last_seen_us > timeout
                     ? sr_err_new(SR_EPUBLISH_TIMEOUT, "rtsp publisher sent nothing for %lld ms",
                                  (long long)(timeout / SR_UTIME_MS))
                     : SR_OK;
        }
        sr_rtsp_ingest_tick(c->ingest);
        if (rc == SR_OK) {
            rc = sr_publish_check_idle(&c->publish);
        }
    }
    return rc;
}

static int sr_rtsp_conn_run(sr_rtsp_conn_t *c)
{
    int rc = SR_OK;
    sr_utime_t deadline = sr_time_mono_us() + SR_RTSP_CONN_SETUP_US;
    while (rc == SR_OK && c->phase == SR_RTSP_PHASE_SETUP) {
        sr_utime_t now = sr_time_mono_us();
        if (now >= deadline) {
            return sr_err_new(SR_ETIMEOUT, "rtsp session not started within %d s",
                              (int)(SR_RTSP_CONN_SETUP_US / SR_UTIME_S));
        }
        rc = sr_rtsp_conn_read(c, deadline - now);
    }
    if (rc == SR_OK && c->phase == SR_RTSP_PHASE_RECORD) {
        rc = sr_rtsp_conn_publish_loop(c);
    } else if (rc == SR_OK && c->phase == SR_RTSP_PHASE_PLAY) {
        sr_consumer_t *consumer = sr_play_attach(&c->play, &c->vhost);
        sr_trace("rtsp play %s/%s/%s start", c->req.vhost, c->req.app, c->req.stream);
        rc = sr_rtsp_play_run(c, consumer);
    }
    return rc;
}

static void sr_rtsp_conn_end(sr_rtsp_conn_t *c)
{
    sr_rtsp_udp_unregister(c);
    if (c->ingest) {
        sr_trace("rtsp publish %s/%s/%s stop: %llu RTP packets, %llu frames", c->req.vhost, c->req.app, c->req.stream,
                 (unsigned long long)sr_rtsp_ingest_packets(c->ingest),
                 (unsigned long long)sr_rtsp_ingest_frames(c->ingest));
        sr_rtsp_ingest_free(c->ingest);
        c->ingest = NULL;
        sr_publish_end(&c->publish);
    }
    if (c->player) {
        sr_trace("rtsp play %s/%s/%s stop: sent %llu frames", c->req.vhost, c->req.app, c->req.stream,
                 (unsigned long long)c->frames_sent);
        sr_play_end(&c->play);
        sr_rtsp_play_free(c);
    }
}

static void sr_rtsp_conn_cycle(void *arg)
{
    sr_rtsp_conn_t *c = arg;
    c->last_seen_us = sr_time_mono_us();
    int rc = sr_rtsp_conn_run(c);
    sr_rtsp_conn_end(c);
    bool is_error = rc != SR_OK && !sr_err_is_peer_close(rc) && !sr_err_is_interrupted(rc);
    if (is_error) {
        sr_warn("rtsp %s:%d closed: %s", c->client.ip, sr_sock_peer_port(c->sock), sr_err_trail());
    } else {
        sr_trace("rtsp %s:%d closed (%s), recv=%llu send=%llu", c->client.ip, sr_sock_peer_port(c->sock),
                 rc == SR_OK ? "ended" : sr_err_name(rc), (unsigned long long)c->io->recv_bytes,
                 (unsigned long long)c->io->send_bytes);
    }
    sr_err_clear();
    sr_server_client_remove(c->server, &c->client, is_error);
    sr_request_deinit(&c->req);
    sr_buf_deinit(&c->in);
    sr_buf_deinit(&c->out);
    sr_buf_deinit(&c->sdp);
    sr_sock_close(c->sock);
    sr_free(c);
}

/* ==== the listener ==== */

static void sr_rtsp_conn_accept(sr_server_t *server, sr_sock_t *sock, unsigned roles)
{
    SR_UNUSED(roles);
    sr_rtsp_conn_t *c = SR_NEW(sr_rtsp_conn_t);
    c->server = server;
    c->sock = sock;
    c->io = sr_sock_io(sock);
    sr_sock_set_nodelay(sock, true);
    sr_buf_init(&c->in);
    sr_buf_init(&c->out);
    sr_buf_init(&c->sdp);
    sr_request_init(&c->req);
    sr_request_set(&c->req, SR_REQUEST_IP, "%s", sr_sock_peer_ip(sock));
    c->client.req = &c->req;
    c->client.type = "rtsp";
    sr_server_client_start(server, &c->client, sr_sock_peer_ip(sock), c->io, sr_rtsp_conn_cycle, c);
}

static int sr_rtsp_conn_addresses(const sr_listen_proto_t *self, const sr_server_config_t *c, sr_listen_addr_t *out,
                                  int max)
{
    SR_UNUSED(self);
    return sr_listen_one(c->rtsp_server.is_enabled, &c->rtsp_server.addr, out, max);
}

const sr_listen_proto_t sr_rtsp_listen_proto = {
    .name = "rtsp",
    .role = SR_ROLE_RTSP,
    .transport = SR_LISTEN_TCP,
    .addresses = sr_rtsp_conn_addresses,
    .accept = sr_rtsp_conn_accept,
};
