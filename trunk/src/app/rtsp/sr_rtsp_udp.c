/* SPDX-License-Identifier: MIT */
/*
 * sr_rtsp_udp.c: the two shared sockets and the table of registered peers. Lookups
 * are by exact address and port in a small open-addressing hash, since every RTP
 * packet of a UDP publisher goes through one.
 */
#include "sr_rtsp_udp.h"

#include <netinet/in.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_error.h"
#include "sr_log.h"
#include "sr_server.h"

#define SR_RTSP_UDP_MAX 2048 /* datagram buffer: RTP over UDP stays under the MTU */

typedef struct sr_rtsp_udp_entry {
    struct sr_rtsp_udp_entry *next;
    sr_udp_peer_t peer;
    bool is_rtcp;
    sr_rtsp_udp_fn fn;
    void *owner;
    int track;
} sr_rtsp_udp_entry_t;

#define SR_RTSP_UDP_BUCKETS 256

static struct {
    sr_sock_t *socks[2]; /* RTP, RTCP */
    sr_rtsp_udp_entry_t *buckets[SR_RTSP_UDP_BUCKETS];
    uint64_t unknown;
} sr_rtsp_udp;

static bool sr_rtsp_udp_peer_equal(const sr_udp_peer_t *a, const sr_udp_peer_t *b)
{
    if (a->addr.ss_family != b->addr.ss_family) {
        return false;
    }
    if (a->addr.ss_family == AF_INET) {
        const struct sockaddr_in *x = (const void *)&a->addr, *y = (const void *)&b->addr;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    const struct sockaddr_in6 *x = (const void *)&a->addr, *y = (const void *)&b->addr;
    return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
}

static size_t sr_rtsp_udp_hash(const sr_udp_peer_t *p, bool is_rtcp)
{
    uint32_t h = is_rtcp ? 0x9e3779b9u : 0;
    if (p->addr.ss_family == AF_INET) {
        const struct sockaddr_in *a = (const void *)&p->addr;
        h ^= a->sin_addr.s_addr * 2654435761u ^ a->sin_port;
    } else {
        const struct sockaddr_in6 *a = (const void *)&p->addr;
        const uint8_t *b = a->sin6_addr.s6_addr;
        for (size_t i = 0; i < 16; i++) {
            h = h * 31 + b[i];
        }
        h ^= a->sin6_port;
    }
    return (h ^ h >> 16) % SR_RTSP_UDP_BUCKETS;
}

void sr_rtsp_udp_register(const sr_udp_peer_t *peer, bool is_rtcp, sr_rtsp_udp_fn fn, void *owner, int track)
{
    sr_rtsp_udp_entry_t **head = &sr_rtsp_udp.buckets[sr_rtsp_udp_hash(peer, is_rtcp)];
    for (sr_rtsp_udp_entry_t *e = *head; e; e = e->next) {
        if (e->is_rtcp == is_rtcp && sr_rtsp_udp_peer_equal(&e->peer, peer)) {
            e->fn = fn;
            e->owner = owner;
            e->track = track;
            return;
        }
    }
    sr_rtsp_udp_entry_t *e = SR_NEW(sr_rtsp_udp_entry_t);
    e->peer = *peer;
    e->is_rtcp = is_rtcp;
    e->fn = fn;
    e->owner = owner;
    e->track = track;
    e->next = *head;
    *head = e;
}

void sr_rtsp_udp_unregister(void *owner)
{
    for (size_t i = 0; i < SR_RTSP_UDP_BUCKETS; i++) {
        sr_rtsp_udp_entry_t **pp = &sr_rtsp_udp.buckets[i];
        while (*pp) {
            sr_rtsp_udp_entry_t *e = *pp;
            if (e->owner == owner) {
                *pp = e->next;
                sr_free(e);
            } else {
                pp = &e->next;
            }
        }
    }
}

bool sr_rtsp_udp_is_ready(void)
{
    return sr_rtsp_udp.socks[0] && sr_rtsp_udp.socks[1];
}

int sr_rtsp_udp_port(bool is_rtcp)
{
    sr_sock_t *s = sr_rtsp_udp.socks[is_rtcp];
    return s ? sr_sock_local_port(s) : 0;
}

int sr_rtsp_udp_send(bool is_rtcp, const void *data, size_t len, const sr_udp_peer_t *to)
{
    sr_sock_t *s = sr_rtsp_udp.socks[is_rtcp];
    if (!s) {
        return sr_err_new(SR_ESOCKET_WRITE, "rtsp udp socket closed");
    }
    return sr_udp_sendto_now(s, data, len, to);
}

static void sr_rtsp_udp_dispatch(bool is_rtcp, const sr_udp_peer_t *from, const uint8_t *data, size_t len)
{
    for (sr_rtsp_udp_entry_t *e = sr_rtsp_udp.buckets[sr_rtsp_udp_hash(from, is_rtcp)]; e; e = e->next) {
        if (e->is_rtcp == is_rtcp && sr_rtsp_udp_peer_equal(&e->peer, from)) {
            e->fn(e->owner, e->track, is_rtcp, data, len);
            return;
        }
    }
    if (sr_rtsp_udp.unknown++ % 1000 == 0) {
        char ip[64];
        int port = 0;
        sr_udp_peer_text(from, ip, sizeof(ip), &port);
        sr_trace("rtsp %s: a datagram from %s:%d, which no session set up (%llu so far)", is_rtcp ? "rtcp" : "rtp", ip,
                 port, (unsigned long long)sr_rtsp_udp.unknown);
    }
}

static void sr_rtsp_udp_serve(sr_sock_t *sock, bool is_rtcp)
{
    uint8_t *buf = sr_malloc(SR_RTSP_UDP_MAX);
    sr_rtsp_udp.socks[is_rtcp] = sock;
    for (;;) {
        size_t n = 0;
        sr_udp_peer_t from;
        int rc = sr_udp_recvfrom(sock, buf, SR_RTSP_UDP_MAX, &n, &from, SR_UTIME_S);
        if (rc == -SR_EINTERRUPTED) {
            break;
        }
        if (rc == SR_OK) {
            sr_rtsp_udp_dispatch(is_rtcp, &from, buf, n);
        }
        sr_err_clear();
    }
    sr_err_clear();
    sr_rtsp_udp.socks[is_rtcp] = NULL;
    sr_free(buf);
}

static void sr_rtsp_udp_serve_rtp(sr_server_t *s, sr_sock_t *sock)
{
    SR_UNUSED(s);
    sr_rtsp_udp_serve(sock, false);
}

static void sr_rtsp_udp_serve_rtcp(sr_server_t *s, sr_sock_t *sock)
{
    SR_UNUSED(s);
    sr_rtsp_udp_serve(sock, true);
}

static int sr_rtsp_udp_addresses_rtp(const sr_listen_proto_t *self, const sr_server_config_t *c, sr_listen_addr_t *out,
                                     int max)
{
    SR_UNUSED(self);
    return sr_listen_one(c->rtsp_server.is_enabled, &c->rtsp_server.rtp_addr, out, max);
}

static int sr_rtsp_udp_addresses_rtcp(const sr_listen_proto_t *self, const sr_server_config_t *c, sr_listen_addr_t *out,
                                      int max)
{
    SR_UNUSED(self);
    return sr_listen_one(c->rtsp_server.is_enabled, &c->rtsp_server.rtcp_addr, out, max);
}

const sr_listen_proto_t sr_rtsp_rtp_listen_proto = {
    .name = "rtsp-rtp",
    .role = SR_ROLE_RTSP,
    .transport = SR_LISTEN_UDP,
    .addresses = sr_rtsp_udp_addresses_rtp,
    .serve = sr_rtsp_udp_serve_rtp,
};

const sr_listen_proto_t sr_rtsp_rtcp_listen_proto = {
    .name = "rtsp-rtcp",
    .role = SR_ROLE_RTSP,
    .transport = SR_LISTEN_UDP,
    .addresses = sr_rtsp_udp_addresses_rtcp,
    .serve = sr_rtsp_udp_serve_rtcp,
};
