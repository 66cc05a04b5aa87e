/* SPDX-License-Identifier: MIT */
/*
 * sr_udp_batch.h: datagrams queued for one UDP socket and sent in as few syscalls as
 * the kernel allows. One sendmsg per datagram is what a WebRTC fan-out spends most of
 * its CPU on (a frame is several RTP packets, times every player), so a flush sends
 * the whole batch with one sendmmsg, and each run of datagrams to the same peer that
 * have the same size (the last may be shorter) goes as one message with UDP GSO (the
 * UDP_SEGMENT control message, Linux >= 4.18): the kernel cuts it into the datagrams
 * late, after one pass through the stack. RTP fragments of one frame are equal-sized
 * (sr_rtp_h264.h), so a frame to one player is one such run.
 *
 * Sending never blocks and never yields (MSG_DONTWAIT): a full socket buffer drops
 * what did not fit, as a congested network would. When the kernel refuses GSO at its
 * first use, the batch turns it off and sends every datagram alone from then on.
 *
 * Not here: queueing policy (when to flush is the caller's), receiving, pacing.
 */
#ifndef SR_UDP_BATCH_H
#define SR_UDP_BATCH_H

#include "sr_core.h"
#include "sr_st.h"

SR_BEGIN_DECLS

/* What a batch holds at most; sr_udp_batch_add says when it is full. */
#define SR_UDP_BATCH_MAX_DATAGRAMS 64
#define SR_UDP_BATCH_MAX_BYTES (80 * 1024)
/* The largest datagram UDP over IPv4 carries (65535 less the IP and UDP headers). */
#define SR_UDP_DATAGRAM_MAX_BYTES 65507
/* What one GSO message carries at most: the kernel's UDP_MAX_SEGMENTS (64 since 4.18),
 * and a total that stays under the 64 KiB of one IP datagram with its headers. */
#define SR_UDP_GSO_MAX_SEGMENTS 64
#define SR_UDP_GSO_MAX_BYTES (63 * 1024)

typedef struct sr_udp_batch sr_udp_batch_t;

/* What one flush did. */
typedef struct sr_udp_batch_result {
    size_t sent;         /* datagrams the kernel took */
    size_t dropped;      /* datagrams it refused (a full socket buffer, an unreachable peer) */
    size_t syscalls;     /* sendmmsg and sendmsg calls made */
    bool is_gso_refused; /* the kernel refused GSO at its first use: it is off from now on */
} sr_udp_batch_result_t;

/* Whether the kernel takes UDP_SEGMENT on s (asks it with getsockopt; no datagram). */
bool sr_udp_gso_probe(sr_sock_t *s);
/* An empty batch that sends with GSO when use_gso (from sr_udp_gso_probe). Free it with
 * sr_udp_batch_free. */
sr_udp_batch_t *sr_udp_batch_new(bool use_gso);
/* Free b and whatever it still holds, unsent. NULL is ignored. */
void sr_udp_batch_free(sr_udp_batch_t *b);
/* Whether b still sends with GSO. */
bool sr_udp_batch_has_gso(const sr_udp_batch_t *b);
/* Datagrams queued in b. */
size_t sr_udp_batch_count(const sr_udp_batch_t *b);
/* Copy one datagram (data, len bytes) to `to` into b. sent_bytes (NULL: none) is a
 * counter that the flush adds len to once the kernel took the datagram; it must live
 * until then. Returns false, copying nothing, when b is full (flush and add again) or
 * len is 0 or larger than SR_UDP_DATAGRAM_MAX_BYTES. */
bool sr_udp_batch_add(sr_udp_batch_t *b, const void *data, size_t len, const sr_udp_peer_t *to, uint64_t *sent_bytes);
/* Send everything b holds on s and empty it; result (NULL: not wanted) says how it
 * went. Never blocks, never yields. */
void sr_udp_batch_flush(sr_udp_batch_t *b, sr_sock_t *s, sr_udp_batch_result_t *result);

/* How many of the n datagrams of sizes[] (all to one peer, in order) one GSO message
 * takes from the start: all of the first's size, except that the last taken may be
 * shorter, at most max_segments of them and max_bytes in all. At least 1 when n > 0;
 * 0 when n is 0. Pure; the batch uses it, tests call it. */
size_t sr_udp_gso_run_length(const uint16_t *sizes, size_t n, size_t max_segments, size_t max_bytes);

SR_END_DECLS

#endif
