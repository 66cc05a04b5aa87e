/* SPDX-License-Identifier: MIT */
/*
 * sr_rtsp_pull.c: the camera client. Each pull is a detached coroutine: it claims the
 * stream as a relay publisher (no publish hooks: the camera is the server's own
 * choice), then runs camera sessions one after the other with backoff (1 s doubling
 * to 10 s, reset by a session that lasted) until it is no longer wanted. A session is
 * OPTIONS, DESCRIBE (answering a 401 with Basic or Digest), SETUP of every track we
 * carry, PLAY, then RTP into sr_rtsp_ingest; a GET_PARAMETER keeps it alive, and a
 * camera silent for SR_RTSP_PULL_SILENT_US is dropped and called again.
 */
#include "sr_rtsp_pull.h"

#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_consts.h"
#include "sr_error.h"
#include "sr_log.h"
#include "sr_resolve.h"
#include "sr_rtsp_auth.h"
#include "sr_rtsp_head.h"
#include "sr_rtsp_ingest.h"
#include "sr_rtsp_msg.h"
#include "sr_rtsp_track.h"
#include "sr_rtsp_udp.h"
#include "sr_session.h"
#include "sr_st.h"
#include "sr_time.h"
#include "sr_url.h"

#define SR_RTSP_PULL_CONNECT_US (5 * SR_UTIME_S)
#define SR_RTSP_PULL_REPLY_US (10 * SR_UTIME_S)
#define SR_RTSP_PULL_SILENT_US (10 * SR_UTIME_S)
#define SR_RTSP_PULL_KEEPALIVE_US (20 * SR_UTIME_S)
#define SR_RTSP_PULL_BACKOFF_MIN_US SR_UTIME_S
#define SR_RTSP_PULL_BACKOFF_MAX_US (10 * SR_UTIME_S)
#define SR_RTSP_PULL_STABLE_US (10 * SR_UTIME_S)
#define SR_RTSP_PULL_LINGER_US (3 * SR_UTIME_S) /* after the last player */
#define SR_RTSP_PULL_HOLD_US (10 * SR_UTIME_S)  /* for a client that has not attached yet */
#define SR_RTSP_PULL_RETIRE_US (5 * SR_UTIME_S) /* a replacement waits this long for the pull it replaces */
#define SR_RTSP_PULL_READ_CHUNK 16384

typedef struct sr_rtsp_pulls sr_rtsp_pulls_t;

typedef struct sr_rtsp_pull {
    sr_rtsp_pulls_t *owner;
    struct sr_rtsp_pull *prev, *next;
    sr_rtsp_pull_config_t cfg;
    char vhost[256];
    char url[1024]; /* cfg.url without credentials: what requests name */
    char user[256], pass[256];
    sr_request_t req;
    sr_client_t client;
    sr_publish_t session;
    sr_co_t *co;
    bool has_players;
    bool is_retired; /* a reload removed its config or changed its camera: it ends */
    sr_utime_t held_until;
    const char *state;
    int64_t state_since_ms;
    uint64_t reconnects, packets, frames;
    char last_error[256];
    /* the camera session */
    sr_sock_t *sock;
    sr_io_t *io;
    sr_buf_t in, out;
    long cseq;
    char session_id[128];
    char auth_header[1024]; /* Authorization for the next request, "" none */
    sr_rtsp_auth_challenge_t challenge;
    bool has_challenge;
    uint32_t nonce_count;
    sr_rtsp_track_t tracks[SR_RTSP_MAX_TRACKS];
    size_t nb_tracks;
    char base[1024]; /* Content-Base, or the URL */
    sr_rtsp_ingest_t *ingest;
    sr_utime_t last_media_us;
} sr_rtsp_pull_t;

struct sr_rtsp_pulls {
    sr_server_t *server;
    sr_source_observer_t observer;
    sr_rtsp_pull_t *pulls;
    sr_cond_t *gone;
};

/* The pulls of the process's one server. */
static sr_rtsp_pulls_t *sr_rtsp_pulls_state;

static sr_rtsp_pulls_t *sr_rtsp_pulls_of(sr_server_t *server)
{
    return sr_rtsp_pulls_state && sr_rtsp_pulls_state->server == server ? sr_rtsp_pulls_state : NULL;
}

static void sr_rtsp_pull_set_state(sr_rtsp_pull_t *p, const char *state)
{
    p->state = state;
    p->state_since_ms = sr_time_wall_us() / 1000;
}

/* ==== requests to the camera ==== */

static int sr_rtsp_pull_send(sr_rtsp_pull_t *p, const char *method, const char *url, const char *extra)
{
    sr_buf_reset(&p->out);
    sr_buf_printf(&p->out, "%s %s RTSP/1.0\r\nCSeq: %ld\r\nUser-Agent: Strand\r\n%s", method, url, ++p->cseq,
                  extra ? extra : "");
    if (p->session_id[0]) {
        sr_buf_printf(&p->out, "Session: %s\r\n", p->session_id);
    }
    if (p->has_challenge) {
        char value[1024];
        int rc = sr_rtsp_auth_write(&p->challenge, p->user, p->pass, method, url, ++p->nonce_count, "5374726e64", value,
                                    sizeof(value));
        if (rc != SR_OK) {
            return sr_err_new(-rc, "the camera's credentials do not fit a request");
        }
        sr_buf_printf(&p->out, "Authorization: %s\r\n", value);
    }
    sr_buf_put_str(&p->out, "\r\n");
    return sr_io_write(p->io, p->out.data, p->out.len);
}

/* Read until a whole message is at the start of p->in; *n its length. Interleaved
 * frames are handed to the ingest as they come. */
static int sr_rtsp_pull_next(sr_rtsp_pull_t *p, sr_rtsp_msg_t *m, size_t *n, sr_utime_t timeout_us)
{
    for (;;) {
        int k = sr_rtsp_msg_parse(p->in.data, p->in.len, m);
        if (k < 0) {
            return sr_err_new(-k, "camera sent a malformed message");
        }
        if (k > 0) {
            *n = (size_t)k;
            return SR_OK;
        }
        sr_buf_reserve(&p->in, SR_RTSP_PULL_READ_CHUNK);
        sr_sock_set_timeouts(p->sock, timeout_us, SR_RTSP_PULL_REPLY_US);
        size_t got = 0;
        int rc = sr_io_read(p->io, p->in.data + p->in.len, p->in.cap - p->in.len, &got);
        if (rc != SR_OK) {
            return rc;
        }
        p->in.len += got;
    }
}

static void sr_rtsp_pull_consume(sr_rtsp_pull_t *p, size_t n)
{
    memmove(p->in.data, p->in.data + n, p->in.len - n);
    p->in.len -= n;
}

static void sr_rtsp_pull_media(sr_rtsp_pull_t *p, const sr_rtsp_msg_t *m)
{
    p->last_media_us = sr_time_mono_us();
    for (size_t i = 0; p->ingest && i < p->nb_tracks; i++) {
        const sr_rtsp_transport_t *t = &p->tracks[i].transport;
        if (p->tracks[i].is_setup && (m->channel == t->interleaved[0] || m->channel == t->interleaved[1])) {
            sr_rtsp_ingest_packet(p->ingest, i, m->channel == t->interleaved[1], m->body, m->body_len);
            return;
        }
    }
}

/* Wait for the reply to the last request (interleaved frames meanwhile go to the
 * ingest). The caller consumes it with sr_rtsp_pull_consume(p, *n). */
static int sr_rtsp_pull_reply(sr_rtsp_pull_t *p, sr_rtsp_msg_t *m, size_t *n)
{
    sr_utime_t deadline = sr_time_mono_us() + SR_RTSP_PULL_REPLY_US;
    for (;;) {
        sr_utime_t now = sr_time_mono_us();
        int rc = now < deadline ? sr_rtsp_pull_next(p, m, n, deadline - now)
                                : sr_err_new(SR_ETIMEOUT, "camera did not answer within 10 s");
        if (rc != SR_OK) {
            return rc;
        }
        if (m->kind == SR_RTSP_MSG_RESPONSE && (m->cseq < 0 || m->cseq == p->cseq)) {
            return SR_OK;
        }
        if (m->kind == SR_RTSP_MSG_INTERLEAVED) {
            sr_rtsp_pull_media(p, m);
        }
        sr_rtsp_pull_consume(p, *n); /* an old reply, or a request from the camera: not answered */
    }
}

/* A request and its 2xx reply (left in p->in for the caller: consume *n). A 401 is
 * answered once with the credentials of the URL. */
static int sr_rtsp_pull_ask(sr_rtsp_pull_t *p, const char *method, const char *url, const char *extra, sr_rtsp_msg_t *m,
                            size_t *n)
{
    for (int attempt = 0;; attempt++) {
        int rc = sr_rtsp_pull_send(p, method, url, extra);
        rc = rc ? rc : sr_rtsp_pull_reply(p, m, n);
        if (rc != SR_OK) {
            return sr_err_wrap(rc, "%s %s", method, url);
        }
        if (m->status == 401 && attempt == 0 && p->user[0]) {
            const sr_rtsp_str_t *h = sr_rtsp_msg_header(m, "WWW-Authenticate");
            rc = h ? sr_rtsp_auth_parse_challenge(h->p, h->len, &p->challenge) : -SR_EFORMAT;
            sr_rtsp_pull_consume(p, *n);
            if (rc != SR_OK) {
                return sr_err_new(-rc, "%s %s: a challenge we cannot answer", method, url);
            }
            p->has_challenge = true;
            p->nonce_count = 0;
            continue;
        }
        if (m->status < 200 || m->status > 299) {
            int status = m->status;
            sr_rtsp_pull_consume(p, *n);
            return sr_err_new(status == 401 ? SR_ESECURITY_DENIED : SR_ENOT_FOUND, "%s %s: the camera answered %d",
                              method, url, status);
        }
        return SR_OK;
    }
}

/* ==== one camera session ==== */

static int sr_rtsp_pull_describe(sr_rtsp_pull_t *p)
{
    sr_rtsp_msg_t m;
    size_t n = 0;
    int rc = sr_rtsp_pull_ask(p, "OPTIONS", p->url, NULL, &m, &n);
    if (rc == SR_OK) {
        sr_rtsp_pull_consume(p, n);
    } else if (rc != -SR_ENOT_FOUND) {
        return rc;
    }
    sr_err_clear(); /* some cameras refuse OPTIONS; DESCRIBE tells */
    rc = sr_rtsp_pull_ask(p, "DESCRIBE", p->url, "Accept: application/sdp\r\n", &m, &n);
    if (rc != SR_OK) {
        return rc;
    }
    const sr_rtsp_str_t *base = sr_rtsp_msg_header(&m, "Content-Base");
    if (!base) {
        base = sr_rtsp_msg_header(&m, "Content-Location");
    }
    snprintf(p->base, sizeof(p->base), "%.*s", base ? (int)base->len : (int)strlen(p->url), base ? base->p : p->url);
    rc = sr_rtsp_sdp_parse((const char *)m.body, m.body_len, p->tracks, SR_RTSP_MAX_TRACKS, &p->nb_tracks);
    sr_rtsp_pull_consume(p, n);
    return rc;
}

/* The URL of a track: its control, absolute or relative to the base. */
static void sr_rtsp_pull_track_url(const sr_rtsp_pull_t *p, const sr_rtsp_track_t *t, char *out, size_t size)
{
    size_t bl = strlen(p->base);
    if (strstr(t->control, "://")) {
        snprintf(out, size, "%s", t->control);
    } else if (strcmp(t->control, "*") == 0) {
        snprintf(out, size, "%s", p->base);
    } else {
        snprintf(out, size, "%s%s%s", p->base, bl && p->base[bl - 1] == '/' ? "" : "/", t->control);
    }
}

static void sr_rtsp_pull_on_udp(void *owner, int track, bool is_rtcp, const uint8_t *data, size_t len)
{
    sr_rtsp_pull_t *p = owner;
    p->last_media_us = sr_time_mono_us();
    if (p->ingest) {
        sr_rtsp_ingest_packet(p->ingest, (size_t)track, is_rtcp, data, len);
    }
}

static int sr_rtsp_pull_setup_one(sr_rtsp_pull_t *p, size_t i, bool is_udp)
{
    sr_rtsp_track_t *t = &p->tracks[i];
    char url[1200], extra[256];
    sr_rtsp_pull_track_url(p, t, url, sizeof(url));
    if (is_udp) {
        snprintf(extra, sizeof(extra), "Transport: RTP/AVP;unicast;client_port=%d-%d\r\n", sr_rtsp_udp_port(false),
                 sr_rtsp_udp_port(true));
    } else {
        snprintf(extra, sizeof(extra), "Transport: RTP/AVP/TCP;unicast;interleaved=%zu-%zu\r\n", 2 * i, 2 * i + 1);
    }
    sr_rtsp_msg_t m;
    size_t n = 0;
    int rc = sr_rtsp_pull_ask(p, "SETUP", url, extra, &m, &n);
    if (rc != SR_OK) {
        return rc;
    }
    const sr_rtsp_str_t *th = sr_rtsp_msg_header(&m, "Transport");
    const sr_rtsp_str_t *sh = sr_rtsp_msg_header(&m, "Session");
    if (sh && !p->session_id[0]) {
        sr_rtsp_session_id(sh->p, sh->len, p->session_id, sizeof(p->session_id));
    }
    sr_rtsp_transport_t tr;
    if (!th || sr_rtsp_transport_parse(th->p, th->len, &tr, 1) != 1 || tr.is_tcp != !is_udp ||
        (is_udp && !tr.has_server_port)) {
        sr_err_clear();
        sr_rtsp_pull_consume(p, n);
        return sr_err_new(SR_EUNSUPPORTED, "SETUP %s: the camera answered another transport", url);
    }
    if (!is_udp && !tr.has_interleaved) {
        tr.has_interleaved = true;
        tr.interleaved[0] = (uint8_t)(2 * i);
        tr.interleaved[1] = (uint8_t)(2 * i + 1);
    }
    t->transport = tr;
    t->is_setup = true;
    sr_rtsp_pull_consume(p, n);
    if (is_udp) {
        const char *ip = sr_sock_peer_ip(p->sock);
        rc = sr_udp_peer_make(ip, tr.server_port[0], &t->rtp_peer);
        rc = rc ? rc : sr_udp_peer_make(ip, tr.server_port[1], &t->rtcp_peer);
        if (rc != SR_OK) {
            return rc;
        }
        sr_rtsp_udp_register(&t->rtp_peer, false, sr_rtsp_pull_on_udp, p, (int)i);
        sr_rtsp_udp_register(&t->rtcp_peer, true, sr_rtsp_pull_on_udp, p, (int)i);
    }
    return SR_OK;
}

static int sr_rtsp_pull_setup(sr_rtsp_pull_t *p)
{
    bool is_udp = p->cfg.is_udp && sr_rtsp_udp_is_ready();
    int setups = 0;
    for (size_t i = 0; i < p->nb_tracks; i++) {
        if (p->tracks[i].codec == SR_CODEC_NONE) {
            continue;
        }
        int rc = sr_rtsp_pull_setup_one(p, i, is_udp);
        if (rc != SR_OK) {
            return rc;
        }
        setups++;
    }
    if (!setups) {
        return sr_err_new(SR_EUNSUPPORTED, "the camera offers no track we carry");
    }
    sr_rtsp_msg_t m;
    size_t n = 0;
    int rc = sr_rtsp_pull_ask(p, "PLAY", p->base, "Range: npt=0.000-\r\n", &m, &n);
    if (rc == SR_OK) {
        sr_rtsp_pull_consume(p, n);
    }
    return rc;
}

/* Whether the pull is still wanted: always-on, a player, or held. */
static bool sr_rtsp_pull_is_wanted(const sr_rtsp_pull_t *p)
{
    return !p->is_retired && (!p->cfg.is_on_demand || p->has_players || sr_time_mono_us() < p->held_until);
}

static int sr_rtsp_pull_play(sr_rtsp_pull_t *p)
{
    p->ingest = sr_rtsp_ingest_new(&p->session, p->tracks, p->nb_tracks);
    sr_rtsp_pull_set_state(p, "playing");
    sr_trace("rtsp pull %s/%s/%s: playing %s", p->vhost, p->cfg.app, p->cfg.stream, p->url);
    p->last_media_us = sr_time_mono_us();
    sr_utime_t next_keepalive = p->last_media_us + SR_RTSP_PULL_KEEPALIVE_US;
    int rc = SR_OK;
    while (rc == SR_OK && (rc = sr_co_pull()) == SR_OK && sr_rtsp_pull_is_wanted(p)) {
        sr_rtsp_msg_t m;
        size_t n = 0;
        rc = sr_rtsp_pull_next(p, &m, &n, 200 * SR_UTIME_MS);
        if (rc == SR_OK) {
            if (m.kind == SR_RTSP_MSG_INTERLEAVED) {
                sr_rtsp_pull_media(p, &m);
            }
            sr_rtsp_pull_consume(p, n); /* keep-alive replies, requests from the camera */
        } else if (rc == -SR_ETIMEOUT) {
            sr_err_clear();
            rc = SR_OK;
        }
        sr_utime_t now = sr_time_mono_us();
        sr_rtsp_ingest_tick(p->ingest);
        if (rc == SR_OK && now - p->last_media_us > SR_RTSP_PULL_SILENT_US) {
            rc =
                sr_err_new(SR_ETIMEOUT, "the camera sent nothing for %d s", (int)(SR_RTSP_PULL_SILENT_US / SR_UTIME_S));
        }
        if (rc == SR_OK && now >= next_keepalive) {
            next_keepalive = now + SR_RTSP_PULL_KEEPALIVE_US;
            rc = sr_rtsp_pull_send(p, "GET_PARAMETER", p->base, NULL);
        }
    }
    if (rc == SR_OK || rc == -SR_EINTERRUPTED) {
        sr_err_clear();
        sr_rtsp_pull_send(p, "TEARDOWN", p->base, NULL); /* best effort */
        sr_err_clear();
    }
    p->packets += sr_rtsp_ingest_packets(p->ingest);
    p->frames += sr_rtsp_ingest_frames(p->ingest);
    sr_rtsp_ingest_free(p->ingest);
    p->ingest = NULL;
    return rc;
}

static int sr_rtsp_pull_connect(sr_rtsp_pull_t *p)
{
    sr_url_t u;
    if (sr_url_parse(p->url, &u) != SR_OK) {
        sr_err_clear();
        return sr_err_new(SR_ECONFIG, "rtsp_pull url %s", p->url);
    }
    char ip[64];
    int rc = sr_resolve_host(u.host, ip, sizeof(ip));
    rc = rc ? rc : sr_sock_connect_tcp(ip, u.port ? u.port : 554, SR_RTSP_PULL_CONNECT_US, &p->sock);
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "connect %s", p->url);
    }
    p->io = sr_sock_io(p->sock);
    sr_sock_set_nodelay(p->sock, true);
    return SR_OK;
}

static int sr_rtsp_pull_session(sr_rtsp_pull_t *p)
{
    sr_rtsp_pull_set_state(p, "connecting");
    p->cseq = 0;
    p->session_id[0] = '\0';
    p->has_challenge = false;
    p->nb_tracks = 0;
    sr_buf_reset(&p->in);
    int rc = sr_rtsp_pull_connect(p);
    rc = rc ? rc : sr_rtsp_pull_describe(p);
    rc = rc ? rc : sr_rtsp_pull_setup(p);
    rc = rc ? rc : sr_rtsp_pull_play(p);
    sr_rtsp_udp_unregister(p);
    if (p->sock) {
        sr_sock_close(p->sock);
        p->sock = NULL;
    }
    return rc;
}

/* ==== the pull's life ==== */

static void sr_rtsp_pull_loop(sr_rtsp_pull_t *p)
{
    sr_utime_t backoff = SR_RTSP_PULL_BACKOFF_MIN_US;
    while (sr_co_pull() == SR_OK && sr_rtsp_pull_is_wanted(p)) {
        sr_utime_t began = sr_time_mono_us();
        int rc = sr_rtsp_pull_session(p);
        if (rc == SR_OK || rc == -SR_EINTERRUPTED) {
            sr_err_clear();
            continue; /* the loop condition says whether to go on */
        }
        snprintf(p->last_error, sizeof(p->last_error), "%s", sr_err_trail());
        sr_warn("rtsp pull %s/%s/%s from %s: %s", p->vhost, p->cfg.app, p->cfg.stream, p->url, p->last_error);
        sr_err_clear();
        p->reconnects++;
        if (sr_time_mono_us() - began >= SR_RTSP_PULL_STABLE_US) {
            backoff = SR_RTSP_PULL_BACKOFF_MIN_US;
        }
        sr_rtsp_pull_set_state(p, "waiting");
        if (sr_usleep(backoff) != SR_OK) {
            sr_err_clear();
            break;
        }
        backoff = SR_MIN(backoff * 2, SR_RTSP_PULL_BACKOFF_MAX_US);
    }
}

static void sr_rtsp_pull_free(sr_rtsp_pull_t *p)
{
    sr_rtsp_pulls_t *o = p->owner;
    if (p->prev) {
        p->prev->next = p->next;
    } else {
        o->pulls = p->next;
    }
    if (p->next) {
        p->next->prev = p->prev;
    }
    sr_request_deinit(&p->req);
    sr_buf_deinit(&p->in);
    sr_buf_deinit(&p->out);
    sr_free(p);
    sr_cond_broadcast(o->gone);
}

/* Whether a pull that a reload retired still publishes p's stream. */
static bool sr_rtsp_pull_is_replacing(const sr_rtsp_pull_t *p)
{
    for (const sr_rtsp_pull_t *q = p->owner->pulls; q; q = q->next) {
        if (q->is_retired && !strcmp(q->vhost, p->vhost) && !strcmp(q->cfg.app, p->cfg.app) &&
            !strcmp(q->cfg.stream, p->cfg.stream)) {
            return true;
        }
    }
    return false;
}

static void sr_rtsp_pull_run(void *arg)
{
    sr_rtsp_pull_t *p = arg;
    sr_server_t *server = p->owner->server;
    /* After a reload changed the camera, the stream is ours once the old pull unpublished. */
    sr_utime_t deadline = sr_time_mono_us() + SR_RTSP_PULL_RETIRE_US;
    while (sr_rtsp_pull_is_replacing(p) && sr_time_mono_us() < deadline && sr_co_pull() == SR_OK) {
        sr_cond_timedwait(p->owner->gone, 100 * SR_UTIME_MS);
        sr_err_clear();
    }
    const sr_vhost_config_t *v = sr_server_config_vhost(sr_server_config(server), p->vhost);
    int rc = v ? sr_publish_begin_relay(&p->session, server, &p->client, &p->req, v) : -SR_EVHOST_NOT_FOUND;
    if (rc == SR_OK) {
        sr_trace("rtsp pull %s/%s/%s starts from %s%s", p->vhost, p->cfg.app, p->cfg.stream, p->url,
                 p->cfg.is_on_demand ? " (on demand)" : "");
        sr_rtsp_pull_loop(p);
        sr_publish_end(&p->session);
    } else if (rc != -SR_ESTREAM_BUSY) {
        sr_warn("rtsp pull %s/%s/%s: %s", p->vhost, p->cfg.app, p->cfg.stream, sr_err_trail());
    }
    sr_err_clear(); /* busy: someone publishes it here, nothing to pull */
    sr_trace("rtsp pull %s/%s/%s ends", p->vhost, p->cfg.app, p->cfg.stream);
    sr_rtsp_pull_free(p);
}

/* Split "rtsp://user:pass@host..." into the URL without credentials and them. */
static void sr_rtsp_pull_credentials(sr_rtsp_pull_t *p)
{
    const char *auth = p->cfg.url + strlen("rtsp://");
    const char *slash = strchr(auth, '/');
    const char *at = memchr(auth, '@', slash ? (size_t)(slash - auth) : strlen(auth));
    if (!at) {
        snprintf(p->url, sizeof(p->url), "%s", p->cfg.url);
        return;
    }
    const char *colon = memchr(auth, ':', (size_t)(at - auth));
    char raw[256];
    snprintf(raw, sizeof(raw), "%.*s", (int)((colon ? colon : at) - auth), auth);
    if (sr_url_decode(raw, p->user, sizeof(p->user)) != SR_OK) {
        snprintf(p->user, sizeof(p->user), "%s", raw);
    }
    if (colon) {
        snprintf(raw, sizeof(raw), "%.*s", (int)(at - colon - 1), colon + 1);
        if (sr_url_decode(raw, p->pass, sizeof(p->pass)) != SR_OK) {
            snprintf(p->pass, sizeof(p->pass), "%s", raw);
        }
    }
    sr_err_clear();
    snprintf(p->url, sizeof(p->url), "rtsp://%s", at + 1);
}

static sr_rtsp_pull_t *sr_rtsp_pull_find(sr_rtsp_pulls_t *o, const char *vhost, const char *app, const char *stream)
{
    for (sr_rtsp_pull_t *p = o->pulls; p; p = p->next) {
        if (!p->is_retired && !strcmp(p->vhost, vhost) && !strcmp(p->cfg.app, app) && !strcmp(p->cfg.stream, stream)) {
            return p;
        }
    }
    return NULL;
}

/* The configured pull of vhost/app/stream in the live config, or NULL. */
static const sr_rtsp_pull_config_t *sr_rtsp_pull_config(sr_server_t *server, const char *vhost, const char *app,
                                                        const char *stream)
{
    const sr_vhost_config_t *v = sr_server_config_vhost_exact(sr_server_config(server), vhost);
    for (int i = 0; v && v->is_enabled && v->rtsp && i < v->rtsp->pull_count; i++) {
        const sr_rtsp_pull_config_t *c = &v->rtsp->pulls[i];
        if (!strcmp(c->app, app) && !strcmp(c->stream, stream)) {
            return c;
        }
    }
    return NULL;
}

/* Start the pull of c in vhost unless it runs. Never yields. */
static sr_rtsp_pull_t *sr_rtsp_pull_launch(sr_rtsp_pulls_t *o, const char *vhost, const sr_rtsp_pull_config_t *c)
{
    sr_rtsp_pull_t *p = sr_rtsp_pull_find(o, vhost, c->app, c->stream);
    if (p) {
        return p;
    }
    p = SR_NEW(sr_rtsp_pull_t);
    p->owner = o;
    p->cfg = *c;
    snprintf(p->vhost, sizeof(p->vhost), "%s", vhost);
    sr_rtsp_pull_credentials(p);
    sr_buf_init(&p->in);
    sr_buf_init(&p->out);
    sr_request_init(&p->req);
    sr_request_set(&p->req, SR_REQUEST_VHOST, "%s", vhost);
    sr_request_set(&p->req, SR_REQUEST_APP, "%s", c->app);
    sr_request_set(&p->req, SR_REQUEST_STREAM, "%s", c->stream);
    sr_request_set(&p->req, SR_REQUEST_SCHEMA, "rtsp");
    sr_request_set(&p->req, SR_REQUEST_IP, "127.0.0.1");
    sr_request_set(&p->req, SR_REQUEST_TC_URL, "%s", p->url);
    p->client.type = "rtsp-pull";
    p->held_until = sr_time_mono_us() + SR_RTSP_PULL_HOLD_US;
    sr_rtsp_pull_set_state(p, "connecting");
    p->next = o->pulls;
    if (o->pulls) {
        o->pulls->prev = p;
    }
    o->pulls = p;
    p->co = sr_co_start_detached(sr_rtsp_pull_run, p, "");
    snprintf(p->client.cid, sizeof(p->client.cid), "%s", sr_co_cid_of(p->co));
    return p;
}

static void sr_rtsp_pull_on_first_player(void *arg, sr_source_t *s)
{
    sr_rtsp_pulls_t *o = arg;
    const sr_rtsp_pull_config_t *c =
        sr_rtsp_pull_config(o->server, sr_source_vhost(s), sr_source_app(s), sr_source_stream(s));
    if (c) {
        sr_rtsp_pull_launch(o, sr_source_vhost(s), c)->has_players = true;
    }
}

static void sr_rtsp_pull_on_last_player(void *arg, sr_source_t *s)
{
    sr_rtsp_pulls_t *o = arg;
    sr_rtsp_pull_t *p = sr_rtsp_pull_find(o, sr_source_vhost(s), sr_source_app(s), sr_source_stream(s));
    if (p) {
        p->has_players = false;
        p->held_until = sr_time_mono_us() + SR_RTSP_PULL_LINGER_US;
    }
}

bool sr_rtsp_pull_hold(sr_server_t *server, const char *vhost, const char *app, const char *stream)
{
    sr_rtsp_pulls_t *o = sr_rtsp_pulls_of(server);
    const sr_rtsp_pull_config_t *c = o ? sr_rtsp_pull_config(server, vhost, app, stream) : NULL;
    if (!c) {
        return false;
    }
    sr_rtsp_pull_t *p = sr_rtsp_pull_launch(o, vhost, c);
    p->held_until = SR_MAX(p->held_until, sr_time_mono_us() + SR_RTSP_PULL_HOLD_US);
    return true;
}

int sr_rtsp_pull_await(sr_server_t *server, const char *vhost, const char *app, const char *stream,
                       sr_utime_t timeout_us)
{
    if (!sr_rtsp_pull_hold(server, vhost, app, stream)) {
        return SR_OK;
    }
    sr_utime_t deadline = sr_time_mono_us() + timeout_us;
    for (;;) {
        sr_source_t *s = sr_source_fetch(sr_server_sources(server), vhost, app, stream, false);
        bool is_live = s && sr_source_is_publishing(s) &&
                       (sr_source_video_sequence_header(s)->payload || sr_source_audio_sequence_header(s)->payload);
        if (s) {
            sr_source_unref(s);
        }
        if (is_live) {
            return SR_OK;
        }
        if (sr_time_mono_us() >= deadline) {
            return sr_err_new(SR_ETIMEOUT, "camera of %s/%s/%s not live within %d ms", vhost, app, stream,
                              (int)(timeout_us / SR_UTIME_MS));
        }
        int rc = sr_usleep(100 * SR_UTIME_MS);
        if (rc != SR_OK) {
            return rc;
        }
    }
}

/* Start the always-on pulls of the live config that do not run. Never yields. */
static void sr_rtsp_pull_launch_always_on(sr_rtsp_pulls_t *o)
{
    const sr_server_config_t *cfg = sr_server_config(o->server);
    for (int i = 0; i < cfg->vhost_count; i++) {
        const sr_vhost_config_t *v = &cfg->vhosts[i];
        for (int k = 0; v->is_enabled && v->rtsp && k < v->rtsp->pull_count; k++) {
            if (!v->rtsp->pulls[k].is_on_demand) {
                sr_rtsp_pull_launch(o, v->name, &v->rtsp->pulls[k]);
            }
        }
    }
}

void sr_rtsp_pull_start(sr_server_t *server)
{
    sr_rtsp_pulls_t *o = SR_NEW(sr_rtsp_pulls_t);
    o->server = server;
    o->gone = sr_cond_new();
    o->observer = (sr_source_observer_t){
        .on_first_player = sr_rtsp_pull_on_first_player, .on_last_player = sr_rtsp_pull_on_last_player, .arg = o};
    sr_source_registry_observe(sr_server_sources(server), &o->observer);
    sr_rtsp_pulls_state = o;
    sr_rtsp_pull_launch_always_on(o);
}

void sr_rtsp_pull_reload(sr_server_t *server)
{
    sr_rtsp_pulls_t *o = sr_rtsp_pulls_of(server);
    if (!o) {
        return;
    }
    for (sr_rtsp_pull_t *p = o->pulls; p; p = p->next) {
        const sr_rtsp_pull_config_t *c = sr_rtsp_pull_config(server, p->vhost, p->cfg.app, p->cfg.stream);
        if (p->is_retired || (c && !strcmp(c->url, p->cfg.url) && c->is_udp == p->cfg.is_udp)) {
            if (c) {
                p->cfg.is_on_demand = c->is_on_demand; /* on_demand alone: it keeps going, or ends when unwanted */
            }
            continue;
        }
        sr_trace("reload: rtsp pull %s/%s/%s %s", p->vhost, p->cfg.app, p->cfg.stream,
                 c ? "changed its camera, it calls the new one" : "is no longer configured, it ends");
        p->is_retired = true;
        sr_co_interrupt(p->co);
        if (c && p->has_players) {
            p->has_players = false;
            sr_rtsp_pull_launch(o, p->vhost, c)->has_players = true;
        }
    }
    sr_rtsp_pull_launch_always_on(o);
}

void sr_rtsp_pull_stop(sr_server_t *server)
{
    sr_rtsp_pulls_t *o = sr_rtsp_pulls_of(server);
    if (!o) {
        return;
    }
    sr_source_registry_unobserve(sr_server_sources(server), &o->observer);
    for (sr_rtsp_pull_t *p = o->pulls; p; p = p->next) {
        sr_co_interrupt(p->co); /* each unlinks itself last */
    }
    while (o->pulls) {
        sr_cond_timedwait_through_stop(o->gone, 100 * SR_UTIME_MS);
        sr_err_clear();
    }
    sr_cond_free(o->gone);
    sr_rtsp_pulls_state = NULL;
    sr_free(o);
}

void sr_rtsp_pull_foreach(sr_server_t *server, void (*fn)(const sr_rtsp_pull_info_t *info, void *arg), void *arg)
{
    sr_rtsp_pulls_t *o = sr_rtsp_pulls_of(server);
    for (sr_rtsp_pull_t *p = o ? o->pulls : NULL; p; p = p->next) {
        uint64_t live_packets = p->ingest ? sr_rtsp_ingest_packets(p->ingest) : 0;
        uint64_t live_frames = p->ingest ? sr_rtsp_ingest_frames(p->ingest) : 0;
        sr_rtsp_pull_info_t info = {p->vhost,
                                    p->cfg.app,
                                    p->cfg.stream,
                                    p->url,
                                    p->state,
                                    p->cfg.is_on_demand,
                                    p->cfg.is_udp,
                                    p->state_since_ms,
                                    p->reconnects,
                                    p->packets + live_packets,
                                    p->frames + live_frames,
                                    p->last_error};
        fn(&info, arg);
    }
}
