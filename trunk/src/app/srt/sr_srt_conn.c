/* SPDX-License-Identifier: MIT */
/*
 * sr_srt_conn.c: wire code around the session layer (sr_session.h) for SRT. A caller
 * whose stream id does not parse or names a vhost that is unknown, disabled or without
 * srt { enabled on; } is refused at handshake time by the listener's gate
 * (sr_srt_admit.h); the connection judges again from the live config (a reload may
 * have come in between). A caller refused then, or whose stream is busy or refused by
 * a hook, is logged once and closed. A publisher that sends nothing for
 * publish.normal_timeout is closed.
 */
#include "sr_srt_conn.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_consts.h"
#include "sr_error.h"
#include "sr_log.h"
#include "sr_mix_queue.h"
#include "sr_server.h"
#include "sr_session.h"
#include "sr_srt.h"
#include "sr_srt_admit.h"
#include "sr_srt_streamid.h"
#include "sr_st.h"
#include "sr_ts.h"
#include "sr_ts_demux.h"

#define SR_SRT_CONN_RECV_MAX 1500        /* one live-mode message: at most 1456 bytes */
#define SR_SRT_CONN_WAKE_US (SR_UTIME_S) /* a player looks at its peer at least this often */
#define SR_SRT_CONN_SEND_US (5 * SR_UTIME_S)
#define SR_SRT_CONN_BATCH 64
/* SRT players are handed at most this much media at once: libsrt stamps each message
 * with its send time and a receiver releases them on that clock, so a burst of a whole
 * mw_latency (350 ms by default) arrives as a burst that receivers must absorb at once;
 * at 500 players on one client core, two bench runs lost a quarter to a third of the
 * frames that way, and none at 50 ms (doc/performance.md). */
#define SR_SRT_CONN_MAX_BATCH_US (50 * SR_UTIME_MS)

typedef struct sr_srt_conn {
    sr_server_t *server;
    sr_srt_sock_t *sock;
    sr_client_t client;
    sr_request_t req;
    sr_vhost_config_t vhost; /* detached copy */
    uint64_t frames;
} sr_srt_conn_t;

/* ==== what the caller asks for ==== */

/* The error of a refusal by sr_srt_admit_judge. */
static int sr_srt_conn_refusal(int code, const char *why)
{
    int err = code == SR_SRT_REJECT_BAD_REQUEST ? SR_EFORMAT
              : code == SR_SRT_REJECT_NOT_FOUND ? SR_EVHOST_NOT_FOUND
                                                : SR_EVHOST_DISABLED;
    return sr_err_new(err, "%s", why);
}

/* What the caller asks for, judged again from the live config (the handshake's gate
 * saw a snapshot that a reload may have replaced since). */
static int sr_srt_conn_resolve(sr_srt_conn_t *c, bool *is_publish)
{
    const sr_server_config_t *cfg = sr_server_config(c->server);
    const char *id = sr_srt_streamid(c->sock);
    sr_srt_streamid_t sid;
    sr_srt_admit_vhost_t av;
    char why[300];
    int code = sr_srt_admit_judge(id, cfg->srt_server.default_app, sr_srt_admit_lookup_config, cfg, &sid, &av, why,
                                  sizeof(why));
    if (code != 0) {
        return sr_err_wrap(sr_srt_conn_refusal(code, why), "stream id '%.300s'", id);
    }
    const char *vhost = sid.vhost[0] ? sid.vhost : SR_DEFAULT_VHOST;
    const sr_vhost_config_t *v = sr_server_config_vhost_exact(cfg, av.name);
    sr_server_config_vhost_detach(&c->vhost, v);
    sr_request_set(&c->req, SR_REQUEST_SCHEMA, "srt");
    sr_request_set(&c->req, SR_REQUEST_VHOST, "%s", v->name);
    sr_request_set(&c->req, SR_REQUEST_HOST, "%s", vhost);
    sr_request_set(&c->req, SR_REQUEST_APP, "%s", sid.app);
    sr_request_set(&c->req, SR_REQUEST_STREAM, "%s", sid.stream);
    sr_request_set(&c->req, SR_REQUEST_PARAM, "%s", sid.param);
    sr_request_set(&c->req, SR_REQUEST_TC_URL, "srt://%s/%s", vhost, sid.app);
    snprintf(c->client.vhost, sizeof(c->client.vhost), "%s", v->name);
    *is_publish = sid.is_publish;
    return SR_OK;
}

/* ==== publish ==== */

/* A publisher's frames on their way from the demuxer to the source. */
typedef struct sr_srt_conn_ingest {
    sr_publish_t session;
    sr_ts_demuxer_t *demux;
    sr_mix_queue_t *mix; /* TS muxers send audio in late bursts: back into dts order */
} sr_srt_conn_ingest_t;

static void sr_srt_conn_on_frame(void *arg, sr_packet_t *pkt)
{
    sr_srt_conn_ingest_t *in = arg;
    bool has_audio = false, has_video = false;
    sr_ts_demux_tracks(in->demux, &has_audio, &has_video);
    sr_mix_queue_expect_both(in->mix, has_audio && has_video);
    sr_packet_t out;
    if (sr_mix_queue_count(in->mix) == SR_MIX_QUEUE_MAX && sr_mix_queue_flush_one(in->mix, &out)) {
        sr_publish_frame(&in->session, &out);
        sr_packet_deinit(&out);
    }
    sr_mix_queue_push(in->mix, pkt);
    sr_packet_deinit(pkt);
    while (sr_mix_queue_pop(in->mix, &out)) {
        sr_publish_frame(&in->session, &out);
        sr_packet_deinit(&out);
    }
}

/* End of input: what the demuxer and the queue still hold goes to the source. */
static void sr_srt_conn_ingest_flush(sr_srt_conn_ingest_t *in)
{
    sr_ts_demux_flush(in->demux);
    sr_packet_t out;
    while (sr_mix_queue_flush_one(in->mix, &out)) {
        sr_publish_frame(&in->session, &out);
        sr_packet_deinit(&out);
    }
}

static int sr_srt_conn_publish_loop(sr_srt_conn_t *c, sr_publish_t *p, sr_ts_demuxer_t *demux)
{
    sr_io_t *io = sr_srt_io(c->sock);
    uint8_t buf[SR_SRT_CONN_RECV_MAX];
    for (;;) {
        size_t n = 0;
        int rc = sr_co_pull();
        rc = rc ? rc : sr_io_read(io, buf, sizeof(buf), &n);
        if (rc == -SR_ETIMEOUT) {
            return sr_err_new(SR_EPUBLISH_TIMEOUT, "no data for %d ms", c->vhost.normal_timeout_ms);
        }
        if (rc != SR_OK) {
            return rc;
        }
        sr_ts_demux_feed(demux, buf, n);
        if ((rc = sr_publish_check_idle(p)) != SR_OK) {
            return rc;
        }
    }
}

static int sr_srt_conn_publish(sr_srt_conn_t *c)
{
    c->client.type = "srt-publish";
    c->client.is_publish = true;
    sr_srt_conn_ingest_t in = {0};
    int rc = sr_publish_begin(&in.session, c->server, &c->client, &c->req, &c->vhost);
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "publish %s/%s refused", c->req.app, c->req.stream);
    }
    sr_trace("srt publish %s/%s/%s start", c->req.vhost, c->req.app, c->req.stream);
    sr_srt_set_timeouts(c->sock, (sr_utime_t)c->vhost.normal_timeout_ms * SR_UTIME_MS, SR_SRT_CONN_SEND_US, 0);
    in.demux = sr_ts_demux_new(sr_srt_conn_on_frame, &in);
    in.mix = sr_mix_queue_new();
    rc = sr_srt_conn_publish_loop(c, &in.session, in.demux);
    sr_srt_conn_ingest_flush(&in);
    const sr_ts_demux_stats_t *st = sr_ts_demux_stats(in.demux);
    sr_trace("srt publish %s/%s/%s stop: %llu TS packets, %llu frames, %llu dropped, %llu cc errors, %llu resyncs",
             c->req.vhost, c->req.app, c->req.stream, (unsigned long long)st->packets, (unsigned long long)st->frames,
             (unsigned long long)st->dropped, (unsigned long long)st->cc_errors, (unsigned long long)st->resyncs);
    sr_srt_stats_t ss;
    if (sr_srt_stats(c->sock, &ss) == SR_OK) {
        sr_trace("srt publish %s/%s/%s link: %lld packets, %lld lost, %lld dropped, %lld retransmitted, rtt %.1f ms",
                 c->req.vhost, c->req.app, c->req.stream, (long long)ss.pkts_recv, (long long)ss.pkts_recv_loss,
                 (long long)ss.pkts_recv_drop, (long long)ss.pkts_retrans, ss.rtt_ms);
    }
    sr_ts_demux_free(in.demux);
    sr_mix_queue_free(in.mix);
    sr_publish_end(&in.session);
    return rc;
}

/* ==== play ==== */

/* Mux a batch to TS and send it: PAT/PMT again before every keyframe, so a receiver
 * that lost the start finds its way in at the next GOP. */
static int sr_srt_conn_send_batch(sr_srt_conn_t *c, sr_ts_muxer_t *mux, sr_buf_t *ts, sr_packet_t *pkts, size_t n)
{
    sr_buf_reset(ts);
    for (size_t i = 0; i < n; i++) {
        if (sr_packet_is_video_keyframe(&pkts[i])) {
            sr_ts_muxer_start_segment(mux);
        }
        sr_ts_muxer_write(mux, &pkts[i], ts); /* a frame TS cannot carry is skipped */
        sr_packet_deinit(&pkts[i]);
        c->frames++;
    }
    return ts->len ? sr_io_write(sr_srt_io(c->sock), ts->data, ts->len) : SR_OK;
}

static int sr_srt_conn_play_loop(sr_srt_conn_t *c, sr_consumer_t *consumer)
{
    sr_ts_muxer_t *mux = sr_ts_muxer_new();
    sr_buf_t ts;
    sr_buf_init(&ts);
    int rc = SR_OK;
    while (rc == SR_OK && (rc = sr_co_pull()) == SR_OK) {
        rc = sr_consumer_wait(consumer, SR_SRT_CONN_WAKE_US);
        sr_consumer_take_events(consumer); /* a republish continues in the same TS */
        if (rc == -SR_EINTERRUPTED) {
            break;
        }
        rc = sr_srt_is_broken(c->sock) ? sr_err_new(SR_EPEER_CLOSED, "srt player gone") : SR_OK;
        sr_packet_t pkts[SR_SRT_CONN_BATCH];
        size_t n;
        while (rc == SR_OK && (n = sr_consumer_fetch(consumer, pkts, SR_ARRAY_SIZE(pkts))) > 0) {
            rc = sr_srt_conn_send_batch(c, mux, &ts, pkts, n);
        }
    }
    sr_buf_deinit(&ts);
    sr_ts_muxer_free(mux);
    return rc;
}

static int sr_srt_conn_play(sr_srt_conn_t *c)
{
    c->client.type = "srt-play";
    sr_play_t p;
    int rc = sr_play_begin(&p, c->server, &c->client, &c->req, false); /* waits for a publisher, as RTMP */
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "play %s/%s refused", c->req.app, c->req.stream);
    }
    sr_trace("srt play %s/%s/%s start", c->req.vhost, c->req.app, c->req.stream);
    sr_srt_set_timeouts(c->sock, SR_SRT_CONN_WAKE_US, SR_SRT_CONN_SEND_US, 0);
    sr_consumer_t *consumer = sr_play_attach(&p, &c->vhost);
    sr_consumer_cap_latency(consumer, SR_SRT_CONN_MAX_BATCH_US);
    rc = sr_srt_conn_play_loop(c, consumer);
    sr_trace("srt play %s/%s/%s stop: sent %llu frames, dropped %llu", c->req.vhost, c->req.app, c->req.stream,
             (unsigned long long)c->frames, (unsigned long long)sr_consumer_dropped(consumer));
    sr_play_end(&p);
    return rc;
}

/* ==== connection ==== */

/* The API's "link" of an SRT client: libsrt's statistics of its socket. */
static bool sr_srt_conn_link_stats(const sr_client_t *client, sr_client_link_t *out)
{
    const sr_srt_conn_t *c = (const sr_srt_conn_t *)((const char *)client - offsetof(sr_srt_conn_t, client));
    sr_srt_stats_t st;
    if (sr_srt_stats(c->sock, &st) != SR_OK) {
        sr_err_clear();
        return false;
    }
    *out = (sr_client_link_t){"srt",           st.rtt_ms,         st.mbps_recv,
                              st.mbps_send,    st.pkts_recv_loss, st.pkts_send_loss,
                              st.pkts_retrans, st.pkts_recv_drop, st.pkts_send_drop};
    return true;
}

static void sr_srt_conn_cycle(void *arg)
{
    sr_srt_conn_t *c = arg;
    bool is_publish = false;
    int rc = sr_srt_conn_resolve(c, &is_publish);
    if (rc == SR_OK) {
        rc = is_publish ? sr_srt_conn_publish(c) : sr_srt_conn_play(c);
    }
    bool is_error = rc != SR_OK && !sr_err_is_peer_close(rc) && !sr_err_is_interrupted(rc);
    if (is_error) {
        sr_warn("srt %s:%d closed: %s", c->client.ip, sr_srt_peer_port(c->sock), sr_err_trail());
    } else {
        sr_trace("srt %s:%d closed (%s), recv=%llu send=%llu", c->client.ip, sr_srt_peer_port(c->sock), sr_err_name(rc),
                 (unsigned long long)sr_srt_io(c->sock)->recv_bytes,
                 (unsigned long long)sr_srt_io(c->sock)->send_bytes);
    }
    sr_err_clear();
    sr_server_client_remove(c->server, &c->client, is_error);
    sr_request_deinit(&c->req);
    sr_srt_close(c->sock);
    sr_free(c);
}

static void sr_srt_conn_start(sr_server_t *server, sr_srt_sock_t *sock)
{
    sr_srt_conn_t *c = SR_NEW(sr_srt_conn_t);
    c->server = server;
    c->sock = sock;
    sr_request_init(&c->req);
    sr_request_set(&c->req, SR_REQUEST_IP, "%s", sr_srt_peer_ip(sock));
    c->client.req = &c->req;
    c->client.link_stats = sr_srt_conn_link_stats;
    sr_server_client_start(server, &c->client, sr_srt_peer_ip(sock), sr_srt_io(sock), sr_srt_conn_cycle, c);
}

/* ==== the listener ==== */

static int sr_srt_conn_addresses(const sr_listen_proto_t *self, const sr_server_config_t *c, sr_listen_addr_t *out,
                                 int max)
{
    SR_UNUSED(self);
    return sr_listen_one(c->srt_server.is_enabled, &c->srt_server.addr, out, max);
}

/* The listener's handle: its socket and the handshake gate's snapshot. */
typedef struct sr_srt_conn_listener {
    sr_srt_sock_t *sock;
    sr_srt_admit_t *admit;
} sr_srt_conn_listener_t;

static int sr_srt_conn_open(sr_server_t *s, const sr_server_config_t *c, const sr_listen_addr_t *addr, void **handle)
{
    SR_UNUSED(s);
    sr_srt_conn_listener_t *l = SR_NEW(sr_srt_conn_listener_t);
    l->admit = sr_srt_admit_new(c);
    int rc = sr_srt_listen(addr->ip, addr->port, &c->srt_server.opts, 128, sr_srt_admit_check, l->admit, &l->sock);
    if (rc != SR_OK) {
        sr_srt_admit_free(l->admit);
        sr_free(l);
        l = NULL;
    }
    *handle = l;
    return rc;
}

static void sr_srt_conn_serve(sr_server_t *s, void *handle)
{
    sr_srt_conn_listener_t *l = handle;
    while (sr_co_pull() == SR_OK) {
        sr_srt_sock_t *client = NULL;
        int rc = sr_srt_accept(l->sock, SR_UTIME_S, &client);
        if (rc == -SR_EINTERRUPTED) {
            break;
        }
        if (rc == -SR_ETIMEOUT) {
            continue;
        }
        if (rc != SR_OK) {
            sr_warn("srt accept failed: %s", sr_err_trail());
            sr_usleep(10 * SR_UTIME_MS);
            continue;
        }
        if (!sr_server_admit(s)) {
            sr_warn("refuse srt %s:%d: max_connections %d reached", sr_srt_peer_ip(client), sr_srt_peer_port(client),
                    sr_server_config(s)->max_connections);
            sr_srt_close(client);
            continue;
        }
        sr_srt_conn_start(s, client);
    }
}

static void sr_srt_conn_close_listener(void *handle)
{
    sr_srt_conn_listener_t *l = handle;
    /* libsrt takes the listener out of its receive queue under the lock its listen
     * callback runs under: once this returns, the gate is not called any more */
    sr_srt_close(l->sock);
    sr_srt_admit_free(l->admit);
    sr_free(l);
}

static void sr_srt_conn_reload_listener(void *handle, const sr_server_config_t *c)
{
    sr_srt_conn_listener_t *l = handle;
    sr_srt_admit_update(l->admit, c);
}

const sr_listen_proto_t sr_srt_listen_proto = {
    .name = "srt",
    .role = SR_ROLE_SRT,
    .transport = SR_LISTEN_OWN,
    .addresses = sr_srt_conn_addresses,
    .open = sr_srt_conn_open,
    .serve_own = sr_srt_conn_serve,
    .close = sr_srt_conn_close_listener,
    .reload = sr_srt_conn_reload_listener,
};
