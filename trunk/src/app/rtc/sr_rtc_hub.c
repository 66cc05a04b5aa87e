/* SPDX-License-Identifier: MIT */
/*
 * sr_rtc_hub.c: the rtc_server's one UDP port and the sessions behind it. Every
 * datagram is sorted by its first byte (RFC 7983): STUN finds its session by the local
 * ufrag in USERNAME and must pass the MESSAGE-INTEGRITY check with that session's
 * password; everything else (DTLS, SRTP, SRTCP) finds its session by the sender's
 * address, which only a checked binding request can set. A datagram nobody claims is
 * counted and dropped. Players' media goes out through one send batch (sr_udp_batch.h):
 * a player queues a turn's packets and flushes them before it yields, so a frame
 * leaves in one syscall instead of one per packet.
 *
 * One hub per process: the HTTP handlers that make sessions and the listener that
 * serves the socket meet here.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sr_dtls.h"
#include "sr_error.h"
#include "sr_listener.h"
#include "sr_log.h"
#include "sr_rtc.h"
#include "sr_rtc_session.h"
#include "sr_srtp.h"
#include "sr_stun.h"
#include "sr_udp_batch.h"

#define SR_RTC_HUB_BUCKETS 1024
#define SR_RTC_HUB_RECV_MAX 2048
#define SR_RTC_HUB_SOCKBUF (4 * 1024 * 1024)

typedef struct sr_rtc_hub {
    sr_sock_t *sock; /* NULL while no listener serves */
    int port;
    sr_dtls_cert_t *cert;
    sr_rtc_session_t *all;
    sr_rtc_session_t *by_ufrag[SR_RTC_HUB_BUCKETS];
    sr_rtc_session_t *by_addr[SR_RTC_HUB_BUCKETS];
    sr_rtc_stats_t stats;
    /* What players queued (sr_rtc_hub_queue) for the next flush: shared by every
     * session, since only one coroutine runs at a time and each flushes before it
     * yields. */
    sr_udp_batch_t *batch;
} sr_rtc_hub_t;

static sr_rtc_hub_t sr_rtc_hub;

const sr_rtc_stats_t *sr_rtc_stats(void)
{
    return &sr_rtc_hub.stats;
}

sr_rtc_stats_t *sr_rtc_stats_mut(void)
{
    return &sr_rtc_hub.stats;
}

/* ==== the maps ==== */

static uint32_t sr_rtc_hub_hash(const void *data, size_t n)
{
    const uint8_t *p = data;
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 16777619u;
    }
    return h % SR_RTC_HUB_BUCKETS;
}

/* The bytes that name a peer: family, port and address, without sockaddr padding. */
static size_t sr_rtc_hub_addr_key(const sr_udp_peer_t *p, uint8_t out[20])
{
    if (p->addr.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&p->addr;
        memcpy(out, &a->sin6_port, 2);
        memcpy(out + 2, &a->sin6_addr, 16);
        return 18;
    }
    const struct sockaddr_in *a = (const struct sockaddr_in *)&p->addr;
    memcpy(out, &a->sin_port, 2);
    memcpy(out + 2, &a->sin_addr, 4);
    return 6;
}

static bool sr_rtc_hub_same_addr(const sr_udp_peer_t *a, const sr_udp_peer_t *b)
{
    uint8_t ka[20], kb[20];
    size_t na = sr_rtc_hub_addr_key(a, ka), nb = sr_rtc_hub_addr_key(b, kb);
    return a->addr.ss_family == b->addr.ss_family && na == nb && memcmp(ka, kb, na) == 0;
}

static uint32_t sr_rtc_hub_addr_bucket(const sr_udp_peer_t *p)
{
    uint8_t k[20];
    return sr_rtc_hub_hash(k, sr_rtc_hub_addr_key(p, k));
}

static void sr_rtc_hub_unlink_addr(sr_rtc_session_t *s)
{
    if (!s->has_peer) {
        return;
    }
    sr_rtc_session_t **pp = &sr_rtc_hub.by_addr[sr_rtc_hub_addr_bucket(&s->peer)];
    for (; *pp; pp = &(*pp)->next_addr) {
        if (*pp == s) {
            *pp = s->next_addr;
            break;
        }
    }
    s->next_addr = NULL;
}

static sr_rtc_session_t *sr_rtc_hub_by_addr(const sr_udp_peer_t *p)
{
    for (sr_rtc_session_t *s = sr_rtc_hub.by_addr[sr_rtc_hub_addr_bucket(p)]; s; s = s->next_addr) {
        if (sr_rtc_hub_same_addr(&s->peer, p)) {
            return s;
        }
    }
    return NULL;
}

static sr_rtc_session_t *sr_rtc_hub_by_ufrag(const char *ufrag, size_t n)
{
    for (sr_rtc_session_t *s = sr_rtc_hub.by_ufrag[sr_rtc_hub_hash(ufrag, n)]; s; s = s->next_ufrag) {
        if (strlen(s->local_ufrag) == n && memcmp(s->local_ufrag, ufrag, n) == 0) {
            return s;
        }
    }
    return NULL;
}

void sr_rtc_hub_add(sr_rtc_session_t *s)
{
    size_t n = strlen(s->local_ufrag);
    uint32_t b = sr_rtc_hub_hash(s->local_ufrag, n);
    s->next_ufrag = sr_rtc_hub.by_ufrag[b];
    sr_rtc_hub.by_ufrag[b] = s;
    s->next_all = sr_rtc_hub.all;
    sr_rtc_hub.all = s;
}

void sr_rtc_hub_remove(sr_rtc_session_t *s)
{
    sr_rtc_hub_flush(); /* what s queued counts its bytes into s */
    sr_rtc_session_t **pp = &sr_rtc_hub.by_ufrag[sr_rtc_hub_hash(s->local_ufrag, strlen(s->local_ufrag))];
    for (; *pp; pp = &(*pp)->next_ufrag) {
        if (*pp == s) {
            *pp = s->next_ufrag;
            break;
        }
    }
    for (pp = &sr_rtc_hub.all; *pp; pp = &(*pp)->next_all) {
        if (*pp == s) {
            *pp = s->next_all;
            break;
        }
    }
    sr_rtc_hub_unlink_addr(s);
    s->has_peer = false;
    if (s->tcp) {
        sr_rtc_tcp_detach(s->tcp);
        s->tcp = NULL;
    }
}

sr_rtc_session_t *sr_rtc_hub_find(const char *id)
{
    for (sr_rtc_session_t *s = sr_rtc_hub.all; s; s = s->next_all) {
        if (strcmp(s->id, id) == 0) {
            return s;
        }
    }
    return NULL;
}

void sr_rtc_hub_request_keyframe(const sr_source_t *source)
{
    for (sr_rtc_session_t *s = sr_rtc_hub.all; s; s = s->next_all) {
        if (s->is_publish && sr_rtc_publish_is_of(s, source)) {
            sr_rtc_publish_want_keyframe(s);
        }
    }
}

void sr_rtc_hub_set_peer(sr_rtc_session_t *s, const sr_udp_peer_t *peer)
{
    if (s->has_peer && sr_rtc_hub_same_addr(&s->peer, peer)) {
        return;
    }
    sr_rtc_session_t *other = sr_rtc_hub_by_addr(peer);
    if (other && other != s) {
        sr_rtc_hub_unlink_addr(other); /* the address moved to a new session (a reconnect) */
        other->has_peer = false;
    }
    sr_rtc_hub_unlink_addr(s);
    s->peer = *peer;
    s->has_peer = true;
    uint32_t b = sr_rtc_hub_addr_bucket(peer);
    s->next_addr = sr_rtc_hub.by_addr[b];
    sr_rtc_hub.by_addr[b] = s;
}

/* ==== state the HTTP side reads ==== */

bool sr_rtc_hub_is_up(void)
{
    return sr_rtc_hub.sock != NULL && sr_rtc_hub.cert != NULL;
}

int sr_rtc_hub_port(void)
{
    return sr_rtc_hub.port;
}

const char *sr_rtc_hub_fingerprint(void)
{
    return sr_rtc_hub.cert ? sr_dtls_cert_fingerprint(sr_rtc_hub.cert) : NULL;
}

const sr_dtls_cert_t *sr_rtc_hub_cert(void)
{
    return sr_rtc_hub.cert;
}

int sr_rtc_hub_send(sr_rtc_session_t *s, const void *data, size_t len)
{
    if (s->tcp) {
        int rc = sr_rtc_tcp_send(s->tcp, data, len);
        s->io.send_bytes += rc == SR_OK ? len : 0;
        return rc;
    }
    if (!sr_rtc_hub.sock || !s->has_peer) {
        return sr_err_new(SR_ESOCKET_WRITE, "no path to the peer yet");
    }
    int rc = sr_udp_sendto_now(sr_rtc_hub.sock, data, len, &s->peer);
    if (rc == SR_OK) {
        s->io.send_bytes += len;
    }
    return rc;
}

int sr_rtc_hub_queue(sr_rtc_session_t *s, const void *data, size_t len)
{
    if (s->tcp) {
        return sr_rtc_hub_send(s, data, len); /* an ICE-TCP connection's queue batches anyway */
    }
    if (!sr_rtc_hub.sock || !s->has_peer) {
        return sr_err_new(SR_ESOCKET_WRITE, "no path to the peer yet");
    }
    if (sr_udp_batch_add(sr_rtc_hub.batch, data, len, &s->peer, &s->io.send_bytes)) {
        return SR_OK;
    }
    sr_rtc_hub_flush(); /* full */
    if (!sr_udp_batch_add(sr_rtc_hub.batch, data, len, &s->peer, &s->io.send_bytes)) {
        return sr_err_new(SR_ESOCKET_WRITE, "a datagram of %zu bytes does not fit a send batch", len);
    }
    return SR_OK;
}

void sr_rtc_hub_flush(void)
{
    if (!sr_rtc_hub.sock || sr_udp_batch_count(sr_rtc_hub.batch) == 0) {
        return;
    }
    sr_udp_batch_result_t r;
    sr_udp_batch_flush(sr_rtc_hub.batch, sr_rtc_hub.sock, &r);
    if (r.is_gso_refused) {
        sr_warn("rtc: the kernel refused UDP GSO, each datagram goes alone from now on");
    }
}

/* ==== datagrams ==== */

/* A binding request that passes the checks: its session, with the success answer
 * written into out (*w bytes); else NULL (nothing to answer). */
static sr_rtc_session_t *sr_rtc_hub_check_binding(uint8_t *data, size_t len, const sr_udp_peer_t *from,
                                                  sr_stun_msg_t *m, uint8_t *out, size_t cap, size_t *w)
{
    if (sr_stun_parse(data, len, m) != SR_OK || m->type != SR_STUN_BINDING_REQUEST) {
        sr_err_clear(); /* indications (keep-alives), answers, malformed: nothing to answer */
        return NULL;
    }
    size_t n = 0;
    const char *remote = NULL;
    sr_rtc_session_t *s = sr_stun_username_split(m, &n, &remote) ? sr_rtc_hub_by_ufrag(m->username, n) : NULL;
    /* the sender's ufrag must be the one of its offer, and the password ours */
    if (!s || strcmp(remote, s->remote_ufrag) != 0 || sr_stun_verify(data, len, s->local_pwd) != SR_OK) {
        sr_err_clear();
        sr_rtc_hub.stats.stun_refused++;
        return NULL;
    }
    if (sr_stun_write_binding_success(out, cap, w, m->txid, (const struct sockaddr *)&from->addr, s->local_pwd) !=
        SR_OK) {
        sr_err_clear();
        return NULL;
    }
    return s;
}

static void sr_rtc_hub_on_stun(uint8_t *data, size_t len, const sr_udp_peer_t *from)
{
    sr_stun_msg_t m;
    uint8_t out[256];
    size_t w = 0;
    sr_rtc_session_t *s = sr_rtc_hub_check_binding(data, len, from, &m, out, sizeof(out), &w);
    if (!s) {
        return;
    }
    /* media goes to the pair the controlling peer nominates (USE-CANDIDATE); until one
     * is, to the first that checked. A check on another pair is answered, not followed. */
    if ((!s->has_peer && !s->tcp) || m.use_candidate) {
        if (s->tcp) {
            sr_rtc_tcp_detach(s->tcp); /* the peer moved from TCP to UDP */
            s->tcp = NULL;
        }
        sr_rtc_hub_set_peer(s, from);
    }
    if (sr_udp_sendto_now(sr_rtc_hub.sock, out, w, from) != SR_OK) {
        sr_err_clear();
    }
    sr_rtc_session_on_binding(s, from);
}

sr_rtc_session_t *sr_rtc_hub_on_tcp_stun(struct sr_rtc_tcp *t, uint8_t *data, size_t len, const sr_udp_peer_t *peer)
{
    sr_stun_msg_t m;
    uint8_t out[256];
    size_t w = 0;
    sr_rtc_session_t *s = sr_rtc_hub_check_binding(data, len, peer, &m, out, sizeof(out), &w);
    if (!s) {
        return NULL;
    }
    if ((!s->has_peer && !s->tcp) || m.use_candidate) {
        sr_rtc_hub_unlink_addr(s); /* media leaves the UDP path */
        s->has_peer = false;
        if (s->tcp && s->tcp != t) {
            sr_rtc_tcp_detach(s->tcp);
        }
        s->tcp = t;
    }
    if (sr_rtc_tcp_send(t, out, w) != SR_OK) {
        sr_err_clear();
    }
    sr_rtc_session_on_binding(s, peer);
    return s;
}

static void sr_rtc_hub_on_datagram(uint8_t *data, size_t len, const sr_udp_peer_t *from)
{
    if (sr_stun_is_stun(data, len)) {
        sr_rtc_hub_on_stun(data, len, from);
        return;
    }
    sr_rtc_session_t *s = sr_rtc_hub_by_addr(from);
    if (!s) {
        sr_rtc_hub.stats.unclaimed++;
        return;
    }
    s->io.recv_bytes += len;
    sr_rtc_session_on_datagram(s, data, len);
}

/* ==== the listener ==== */

static int sr_rtc_hub_addresses(const sr_listen_proto_t *self, const sr_server_config_t *c, sr_listen_addr_t *out,
                                int max)
{
    SR_UNUSED(self);
    return sr_listen_one(c->rtc_server.is_enabled, &c->rtc_server.addr, out, max);
}

static int sr_rtc_hub_make_cert(const sr_server_config_t *c)
{
    if (sr_rtc_hub.cert) {
        return SR_OK;
    }
    const sr_rtc_server_config_t *r = &c->rtc_server;
    int rc = sr_srtp_library_init();
    rc = rc                ? rc
         : r->cert_path[0] ? sr_dtls_cert_load(r->cert_path, r->key_path, &sr_rtc_hub.cert)
                           : sr_dtls_cert_generate(&sr_rtc_hub.cert);
    if (rc == SR_OK) {
        sr_trace("rtc DTLS certificate %s, fingerprint %s", r->cert_path[0] ? r->cert_path : "generated",
                 sr_dtls_cert_fingerprint(sr_rtc_hub.cert));
    }
    return rc;
}

/* Stop every session (the listener closes): each ends in its own coroutine. */
static void sr_rtc_hub_stop_all(void)
{
    for (sr_rtc_session_t *s = sr_rtc_hub.all; s; s = s->next_all) {
        sr_rtc_session_stop(s, "the rtc listener closed");
    }
}

static void sr_rtc_hub_serve(sr_server_t *server, sr_sock_t *sock)
{
    if (sr_rtc_hub_make_cert(sr_server_config(server)) != SR_OK) {
        sr_error("rtc: no DTLS certificate, WebRTC is off: %s", sr_err_trail());
        sr_err_clear();
        return;
    }
    int size = SR_RTC_HUB_SOCKBUF;
    setsockopt(sr_sock_fd(sock), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    setsockopt(sr_sock_fd(sock), SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    bool has_gso = sr_udp_gso_probe(sock);
    sr_rtc_hub.batch = sr_udp_batch_new(has_gso);
    sr_rtc_hub.sock = sock;
    sr_rtc_hub.port = sr_sock_local_port(sock);
    sr_trace("rtc: players' datagrams go in batches (sendmmsg), runs of equal size with UDP GSO: %s",
             has_gso ? "yes" : "no, the kernel has none");
    uint8_t buf[SR_RTC_HUB_RECV_MAX];
    while (sr_co_pull() == SR_OK) {
        size_t n = 0;
        sr_udp_peer_t from;
        int rc = sr_udp_recvfrom(sock, buf, sizeof(buf), &n, &from, SR_UTIME_S);
        if (rc == -SR_EINTERRUPTED) {
            break;
        }
        if (rc != SR_OK) {
            sr_err_clear();
            continue;
        }
        sr_rtc_hub_on_datagram(buf, n, &from);
    }
    sr_err_clear();
    sr_rtc_hub_flush();
    sr_rtc_hub.sock = NULL;
    sr_udp_batch_free(sr_rtc_hub.batch);
    sr_rtc_hub.batch = NULL;
    sr_rtc_hub_stop_all();
}

const sr_listen_proto_t sr_rtc_listen_proto = {
    .name = "rtc",
    .role = SR_ROLE_RTC,
    .transport = SR_LISTEN_UDP,
    .addresses = sr_rtc_hub_addresses,
    .serve = sr_rtc_hub_serve,
};
