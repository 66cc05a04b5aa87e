/* SPDX-License-Identifier: MIT */
/*
 * sr_rtc_tcp.c: ICE-TCP, for networks that let no UDP through. With rtc_server
 * tcp { enabled on; } the answers carry passive TCP candidates (RFC 6544) and this
 * listener takes the connections the browsers open to them. A connection carries what
 * a UDP session would (STUN, DTLS, SRTP, SRTCP), each packet framed by a 2-byte length
 * (RFC 4571). It belongs to no session until a binding request on it passes the hub's
 * checks and nominates it; from then on that session's packets go out on it.
 *
 * Sending never yields (the hub's contract): packets queue in a bounded buffer that the
 * connection's writer coroutine drains. A peer that reads too slowly loses whole
 * packets, as on a congested UDP path, never half a frame. The connection ends when the
 * peer closes it, when no checked binding came in SR_RTC_TCP_BIND_US, on a frame no
 * WebRTC stack sends, or when its session ends; a session whose connection ends stops.
 */
#include <string.h>
#include <sys/socket.h>

#include "sr_alloc.h"
#include "sr_bytes.h"
#include "sr_error.h"
#include "sr_log.h"
#include "sr_rtc.h"
#include "sr_rtc_session.h"
#include "sr_st.h"
#include "sr_stun.h"
#include "sr_time.h"

#define SR_RTC_TCP_FRAME_MAX 4096             /* RTP is kept under the MTU: bigger is not ours */
#define SR_RTC_TCP_QUEUE_MAX (1024 * 1024)    /* bytes waiting for the writer */
#define SR_RTC_TCP_BIND_US (10 * SR_UTIME_S)  /* a connection must be checked this soon */
#define SR_RTC_TCP_IDLE_US (60 * SR_UTIME_S)  /* consent checks come every few seconds */
#define SR_RTC_TCP_WRITE_US (10 * SR_UTIME_S) /* one queue's write */

typedef struct sr_rtc_tcp {
    sr_sock_t *sock;
    sr_io_t *io;
    sr_udp_peer_t peer;        /* the remote address, for XOR-MAPPED-ADDRESS */
    sr_rtc_session_t *session; /* the one this connection carries, once nominated */
    sr_buf_t queue;            /* framed packets not yet written */
    sr_buf_t writing;          /* the batch being written */
    sr_cond_t *more;
    sr_co_t *co, *writer;
    uint8_t frame[SR_RTC_TCP_FRAME_MAX]; /* the frame being read */
} sr_rtc_tcp_t;

int sr_rtc_tcp_send(sr_rtc_tcp_t *t, const void *data, size_t len)
{
    if (len > SR_RTC_TCP_FRAME_MAX || t->queue.len + 2 + len > SR_RTC_TCP_QUEUE_MAX) {
        sr_rtc_stats_mut()->tcp_dropped++;
        return sr_err_new(SR_ESOCKET_WRITE, "the ICE-TCP connection is %zu bytes behind", t->queue.len);
    }
    uint8_t head[2] = {(uint8_t)(len >> 8), (uint8_t)len};
    sr_buf_put_bytes(&t->queue, head, sizeof(head));
    sr_buf_put_bytes(&t->queue, data, len);
    sr_cond_signal(t->more);
    return SR_OK;
}

void sr_rtc_tcp_detach(sr_rtc_tcp_t *t)
{
    t->session = NULL;
    sr_co_interrupt(t->co);
}

/* The writer: whatever queued while the last batch was written goes in one write. */
static void sr_rtc_tcp_write_cycle(void *arg)
{
    sr_rtc_tcp_t *t = arg;
    while (sr_co_pull() == SR_OK) {
        if (t->queue.len == 0) {
            if (sr_cond_timedwait(t->more, SR_UTIME_S) == -SR_EINTERRUPTED) {
                break;
            }
            sr_err_clear();
            continue;
        }
        sr_buf_t batch = t->queue;
        t->queue = t->writing; /* empty: its storage is reused */
        t->writing = batch;
        int rc = sr_io_write(t->io, t->writing.data, t->writing.len);
        sr_buf_reset(&t->writing);
        if (rc != SR_OK) {
            if (rc != -SR_EINTERRUPTED) {
                sr_trace("rtc tcp %s: write: %s", sr_sock_peer_ip(t->sock), sr_err_trail());
            }
            sr_co_interrupt(t->co); /* the reader ends the connection */
            break;
        }
    }
    sr_err_clear();
}

static void sr_rtc_tcp_on_packet(sr_rtc_tcp_t *t, uint8_t *data, size_t len)
{
    if (sr_stun_is_stun(data, len)) {
        sr_rtc_session_t *s = sr_rtc_hub_on_tcp_stun(t, data, len, &t->peer);
        if (s && s->tcp == t && t->session != s) {
            t->session = s;
            sr_sock_set_timeouts(t->sock, SR_RTC_TCP_IDLE_US, SR_RTC_TCP_WRITE_US);
            sr_trace("rtc %s: media over ICE-TCP from %s", s->id, sr_sock_peer_ip(t->sock));
        }
        return;
    }
    if (!t->session) {
        sr_rtc_stats_mut()->unclaimed++; /* DTLS or media before a nominated binding */
        return;
    }
    t->session->io.recv_bytes += len;
    sr_rtc_session_on_datagram(t->session, data, len);
}

/* Read frames until the connection or its session ends. */
static const char *sr_rtc_tcp_read_frames(sr_rtc_tcp_t *t)
{
    uint8_t *frame = t->frame;
    sr_utime_t bind_deadline = sr_time_mono_us() + SR_RTC_TCP_BIND_US;
    while (sr_co_pull() == SR_OK) {
        uint8_t head[2];
        if (sr_io_read_fully(t->io, head, sizeof(head)) != SR_OK) {
            return sr_err_trail();
        }
        size_t len = (size_t)head[0] << 8 | head[1];
        if (len == 0 || len > SR_RTC_TCP_FRAME_MAX) {
            return len ? "a frame larger than any WebRTC packet" : "an empty frame";
        }
        if (sr_io_read_fully(t->io, frame, len) != SR_OK) {
            return sr_err_trail();
        }
        sr_rtc_tcp_on_packet(t, frame, len);
        if (!t->session && sr_time_mono_us() > bind_deadline) {
            return "no checked binding request in time";
        }
    }
    return "stopped";
}

static void sr_rtc_tcp_cycle(void *arg)
{
    sr_rtc_tcp_t *t = arg;
    t->writer = sr_co_start(sr_rtc_tcp_write_cycle, t, NULL);
    const char *why = sr_rtc_tcp_read_frames(t);
    if (t->session) {
        sr_trace("rtc %s: its ICE-TCP connection from %s ended: %s", t->session->id, sr_sock_peer_ip(t->sock), why);
    }
    sr_err_clear();
    sr_co_stop(t->writer); /* may yield: the session may detach meanwhile */
    if (t->session && t->session->tcp == t) {
        t->session->tcp = NULL;
        sr_rtc_session_stop(t->session, "its ICE-TCP connection closed");
    }
    sr_sock_close(t->sock);
    sr_buf_deinit(&t->queue);
    sr_buf_deinit(&t->writing);
    sr_cond_free(t->more);
    sr_free(t);
}

static void sr_rtc_tcp_accept(sr_server_t *server, sr_sock_t *sock, unsigned roles)
{
    SR_UNUSED(server);
    SR_UNUSED(roles);
    if (!sr_rtc_hub_is_up()) {
        sr_sock_close(sock); /* no UDP hub, no sessions to carry */
        return;
    }
    sr_rtc_tcp_t *t = SR_NEW(sr_rtc_tcp_t);
    t->sock = sock;
    t->io = sr_sock_io(sock);
    t->peer.len = sizeof(t->peer.addr);
    if (getpeername(sr_sock_fd(sock), (struct sockaddr *)&t->peer.addr, &t->peer.len) != 0) {
        t->peer.len = 0;
    }
    sr_sock_set_nodelay(sock, true);
    sr_sock_set_timeouts(sock, SR_RTC_TCP_BIND_US, SR_RTC_TCP_WRITE_US);
    sr_buf_init(&t->queue);
    sr_buf_init(&t->writing);
    t->more = sr_cond_new();
    t->co = sr_co_start_detached(sr_rtc_tcp_cycle, t, "");
}

static int sr_rtc_tcp_addresses(const sr_listen_proto_t *self, const sr_server_config_t *c, sr_listen_addr_t *out,
                                int max)
{
    SR_UNUSED(self);
    const sr_rtc_server_config_t *r = &c->rtc_server;
    return sr_listen_one(r->is_enabled && r->is_tcp_enabled, &r->tcp_addr, out, max);
}

const sr_listen_proto_t sr_rtc_tcp_listen_proto = {
    .name = "rtc-tcp",
    .role = SR_ROLE_RTC,
    .transport = SR_LISTEN_TCP,
    .addresses = sr_rtc_tcp_addresses,
    .accept = sr_rtc_tcp_accept,
};
