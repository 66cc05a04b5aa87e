/* SPDX-License-Identifier: MIT */
/*
 * sr_udp_batch.c: a batch of datagrams sent with one sendmmsg, each equal-sized run to
 * one peer as one UDP GSO message (see sr_udp_batch.h for why). The datagrams are
 * copied back to back into one buffer, so a run is already the contiguous buffer GSO
 * wants; consecutive datagrams to the same peer share one copy of its address.
 */
#include "sr_udp_batch.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>

#include "sr_alloc.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103 /* the Linux UAPI value (linux/udp.h), for C libraries that lack it */
#endif

/* One message's control data: the peer's IP_PKTINFO, then UDP_SEGMENT. */
#define SR_UDP_BATCH_CTL_BYTES (SR_UDP_PEER_CMSG_BYTES + 32)

typedef union sr_udp_batch_ctl {
    struct cmsghdr align; /* cmsg headers need their alignment */
    uint8_t bytes[SR_UDP_BATCH_CTL_BYTES];
} sr_udp_batch_ctl_t;

struct sr_udp_batch {
    bool is_gso;
    bool has_gso_worked; /* once GSO sent something, a later refusal is about one message */
    size_t count, len, nb_peers;
    uint16_t sizes[SR_UDP_BATCH_MAX_DATAGRAMS];
    uint8_t peer_of[SR_UDP_BATCH_MAX_DATAGRAMS];
    uint64_t *counters[SR_UDP_BATCH_MAX_DATAGRAMS];
    sr_udp_peer_t peers[SR_UDP_BATCH_MAX_DATAGRAMS];
    /* the messages of a flush: message m holds datagrams first[m] .. first[m]+segments[m]-1 */
    struct mmsghdr msgs[SR_UDP_BATCH_MAX_DATAGRAMS];
    struct iovec iovs[SR_UDP_BATCH_MAX_DATAGRAMS];
    sr_udp_batch_ctl_t ctls[SR_UDP_BATCH_MAX_DATAGRAMS];
    size_t offsets[SR_UDP_BATCH_MAX_DATAGRAMS];
    uint8_t first[SR_UDP_BATCH_MAX_DATAGRAMS];
    uint8_t segments[SR_UDP_BATCH_MAX_DATAGRAMS];
    uint8_t data[SR_UDP_BATCH_MAX_BYTES];
};

bool sr_udp_gso_probe(sr_sock_t *s)
{
    int size = 0;
    socklen_t n = sizeof(size);
    return getsockopt(sr_sock_fd(s), IPPROTO_UDP, UDP_SEGMENT, &size, &n) == 0;
}

sr_udp_batch_t *sr_udp_batch_new(bool use_gso)
{
    sr_udp_batch_t *b = sr_malloc(sizeof(*b));
    b->is_gso = use_gso;
    b->has_gso_worked = false;
    b->count = b->len = b->nb_peers = 0;
    return b;
}

void sr_udp_batch_free(sr_udp_batch_t *b)
{
    sr_free(b);
}

bool sr_udp_batch_has_gso(const sr_udp_batch_t *b)
{
    return b->is_gso;
}

size_t sr_udp_batch_count(const sr_udp_batch_t *b)
{
    return b->count;
}

static bool sr_udp_batch_same_peer(const sr_udp_peer_t *a, const sr_udp_peer_t *b)
{
    return a->len == b->len && a->has_local == b->has_local && memcmp(&a->addr, &b->addr, a->len) == 0 &&
           (!a->has_local || memcmp(&a->local, &b->local, sizeof(a->local)) == 0);
}

bool sr_udp_batch_add(sr_udp_batch_t *b, const void *data, size_t len, const sr_udp_peer_t *to, uint64_t *sent_bytes)
{
    if (len == 0 || len > SR_UDP_DATAGRAM_MAX_BYTES || b->count == SR_UDP_BATCH_MAX_DATAGRAMS ||
        b->len + len > SR_UDP_BATCH_MAX_BYTES) {
        return false;
    }
    if (b->nb_peers == 0 || !sr_udp_batch_same_peer(&b->peers[b->nb_peers - 1], to)) {
        b->peers[b->nb_peers++] = *to;
    }
    size_t i = b->count++;
    b->sizes[i] = (uint16_t)len;
    b->peer_of[i] = (uint8_t)(b->nb_peers - 1);
    b->counters[i] = sent_bytes;
    b->offsets[i] = b->len;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return true;
}

size_t sr_udp_gso_run_length(const uint16_t *sizes, size_t n, size_t max_segments, size_t max_bytes)
{
    if (n == 0) {
        return 0;
    }
    size_t k = 1, total = sizes[0];
    while (k < n && k < max_segments && total + sizes[k] <= max_bytes && sizes[k] <= sizes[0]) {
        total += sizes[k];
        if (sizes[k++] < sizes[0]) {
            break; /* a shorter one ends the run */
        }
    }
    return k;
}

/* ==== building the messages ==== */

/* Datagrams from i on that go to the same peer as i. */
static size_t sr_udp_batch_same_peer_count(const sr_udp_batch_t *b, size_t i)
{
    size_t k = 1;
    while (i + k < b->count && b->peer_of[i + k] == b->peer_of[i]) {
        k++;
    }
    return k;
}

/* Message m: segments datagrams from first on, as one GSO message when more than one. */
static void sr_udp_batch_message(sr_udp_batch_t *b, size_t m, size_t first, size_t segments)
{
    const sr_udp_peer_t *to = &b->peers[b->peer_of[first]];
    size_t bytes = 0;
    for (size_t k = 0; k < segments; k++) {
        bytes += b->sizes[first + k];
    }
    b->first[m] = (uint8_t)first;
    b->segments[m] = (uint8_t)segments;
    b->iovs[m].iov_base = b->data + b->offsets[first];
    b->iovs[m].iov_len = bytes;
    struct msghdr *mh = &b->msgs[m].msg_hdr;
    memset(mh, 0, sizeof(*mh));
    mh->msg_name = (void *)&to->addr;
    mh->msg_namelen = to->len;
    mh->msg_iov = &b->iovs[m];
    mh->msg_iovlen = 1;
    uint8_t *ctl = b->ctls[m].bytes;
    size_t ctl_len = sr_udp_peer_cmsg(to, ctl, SR_UDP_PEER_CMSG_BYTES);
    if (segments > 1) {
        /* UDP_SEGMENT: the size of each datagram the kernel cuts the buffer into */
        struct cmsghdr *c = (struct cmsghdr *)(ctl + ctl_len);
        memset(c, 0, CMSG_SPACE(sizeof(uint16_t)));
        c->cmsg_level = IPPROTO_UDP;
        c->cmsg_type = UDP_SEGMENT;
        c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
        uint16_t gso_size = b->sizes[first];
        memcpy(CMSG_DATA(c), &gso_size, sizeof(gso_size));
        ctl_len += CMSG_SPACE(sizeof(uint16_t));
    }
    mh->msg_control = ctl_len ? ctl : NULL;
    mh->msg_controllen = ctl_len;
}

/* Group the queued datagrams into messages; returns how many. */
static size_t sr_udp_batch_build(sr_udp_batch_t *b)
{
    size_t m = 0;
    for (size_t i = 0; i < b->count; m++) {
        size_t run = 1;
        if (b->is_gso) {
            size_t same = sr_udp_batch_same_peer_count(b, i);
            run = sr_udp_gso_run_length(&b->sizes[i], same, SR_UDP_GSO_MAX_SEGMENTS, SR_UDP_GSO_MAX_BYTES);
        }
        sr_udp_batch_message(b, m, i, run);
        i += run;
    }
    return m;
}

/* ==== sending ==== */

static void sr_udp_batch_account(sr_udp_batch_t *b, size_t m, bool is_sent, sr_udp_batch_result_t *r)
{
    for (size_t k = b->first[m]; k < (size_t)b->first[m] + b->segments[m]; k++) {
        if (!is_sent) {
            r->dropped++;
        } else {
            r->sent++;
            if (b->counters[k]) {
                *b->counters[k] += b->sizes[k];
            }
        }
    }
}

/* A GSO message the kernel refused: its datagrams one by one. */
static void sr_udp_batch_send_singly(sr_udp_batch_t *b, int fd, size_t m, sr_udp_batch_result_t *r)
{
    size_t first = b->first[m], segments = b->segments[m];
    for (size_t k = 0; k < segments; k++) {
        sr_udp_batch_message(b, m, first + k, 1);
        r->syscalls++;
        sr_udp_batch_account(b, m, sendmsg(fd, &b->msgs[m].msg_hdr, MSG_DONTWAIT) >= 0, r);
    }
}

/* What Linux answers a GSO message it will not take: no UDP_SEGMENT (ENOPROTOOPT,
 * EINVAL), no checksum offload or IPsec on the route (EIO), a segment over the path
 * MTU (EMSGSIZE, which one by one becomes IP fragments instead). */
static bool sr_udp_batch_is_gso_refusal(int err)
{
    return err == EIO || err == EINVAL || err == ENOPROTOOPT || err == EOPNOTSUPP || err == EMSGSIZE;
}

void sr_udp_batch_flush(sr_udp_batch_t *b, sr_sock_t *s, sr_udp_batch_result_t *result)
{
    sr_udp_batch_result_t ignored;
    sr_udp_batch_result_t *r = result ? result : &ignored;
    memset(r, 0, sizeof(*r));
    int fd = sr_sock_fd(s);
    size_t nb = sr_udp_batch_build(b);
    for (size_t m = 0; m < nb;) {
        r->syscalls++;
        int got = sendmmsg(fd, &b->msgs[m], (unsigned)(nb - m), MSG_DONTWAIT);
        if (got > 0) {
            for (size_t k = 0; k < (size_t)got; k++) {
                b->has_gso_worked |= b->segments[m + k] > 1;
                sr_udp_batch_account(b, m + k, true, r);
            }
            m += (size_t)got;
            continue;
        }
        int err = got == 0 ? EAGAIN : errno; /* 0 sent: nothing to tell, treat as full */
        if (err == EINTR) {
            continue;
        }
        if (b->segments[m] > 1 && sr_udp_batch_is_gso_refusal(err)) {
            if (!b->has_gso_worked && b->is_gso) {
                b->is_gso = false; /* an old kernel, a device without checksum offload */
                r->is_gso_refused = true;
            }
            sr_udp_batch_send_singly(b, fd, m++, r);
        } else if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) {
            for (; m < nb; m++) { /* the socket buffer is full: the rest would not fit either */
                sr_udp_batch_account(b, m, false, r);
            }
        } else {
            sr_udp_batch_account(b, m++, false, r); /* this peer is unreachable: the others may not be */
        }
    }
    b->count = b->len = b->nb_peers = 0;
}
