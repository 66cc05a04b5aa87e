/* SPDX-License-Identifier: MIT */
/*
 * sr_rtp.h: RTP packets (RFC 3550 5.1) with RFC 8285 header extensions, sequence
 * number arithmetic, RTX unwrapping (RFC 4588) and a reorder buffer that turns packets
 * arriving in any order into an in-order stream with losses marked. WebRTC (WHIP/WHEP)
 * and RTSP build on this; the codec payload formats are sr_rtp_h264.h and
 * sr_rtp_opus.h, RTCP is sr_rtcp.h.
 *
 * Units: RTP timestamps are in the stream's clock, 90 kHz for video, 48 kHz for Opus
 * (RFC 7587 4.1, whatever the real sample rate); times passed in (arrival, now) are
 * microseconds of a monotonic clock the caller owns: the kernel reads no clock.
 *
 * Not here: sockets, SRTP, RTCP, sessions or SDP. Parsing borrows (the parsed struct
 * points into the caller's bytes); writing goes to caller buffers. Only the reorder
 * buffer allocates (sr_malloc aborts on failure). No logging, no error trail.
 * Code: sr_rtp.c (packets, sequence numbers), sr_rtp_reorder.c (the reorder buffer).
 *
 * Error codes: -SR_ETRUNCATED input ends inside a field; -SR_EFORMAT malformed input;
 * -SR_EOVERFLOW output capacity too small; -SR_EINVAL an argument outside the contract.
 */
#ifndef SR_RTP_H
#define SR_RTP_H

#include "sr_core.h"

SR_BEGIN_DECLS

#define SR_RTP_VERSION 2
#define SR_RTP_HEADER_BYTES 12 /* fixed header, without CSRCs or extension */
#define SR_RTP_MAX_CSRC 15
/* RFC 8285 header extension profiles: one-byte elements, and two-byte elements
 * (0x100 followed by 4 application bits, 0x1000..0x100f). */
#define SR_RTP_EXT_ONE_BYTE 0xbede
#define SR_RTP_EXT_TWO_BYTE 0x1000

/* A parsed RTP packet. Every pointer borrows from the parsed bytes. */
typedef struct sr_rtp_packet {
    uint8_t pt; /* payload type 0..127 */
    bool is_marker;
    uint16_t seq;
    uint32_t ts; /* RTP timestamp, in the payload type's clock */
    uint32_t ssrc;
    uint8_t nb_csrc;
    uint32_t csrc[SR_RTP_MAX_CSRC];
    bool has_extension;
    uint16_t ext_profile;   /* 0xbede, 0x1000..0x100f, or a profile this code does not read */
    const uint8_t *ext;     /* extension data after the 4-byte profile/length word */
    size_t ext_size;        /* a multiple of 4 */
    const uint8_t *payload; /* after the header, padding removed */
    size_t payload_size;    /* may be 0 (padding-only packets, used for bandwidth probing) */
    uint8_t padding_size;   /* padding bytes removed from the end, count byte included */
} sr_rtp_packet_t;

/* Parse one RTP packet data[0..size) into *out (fields point into data, which must
 * outlive *out). Checks version 2, that the CSRC list and the extension block fit,
 * and that the padding count is 1..payload bytes. The extension elements are not
 * checked here: sr_rtp_ext_find() walks them with bounds checks. -SR_ETRUNCATED when
 * data ends inside the header, CSRCs or extension; -SR_EFORMAT for another version
 * or a bad padding count. */
int sr_rtp_parse(const uint8_t *data, size_t size, sr_rtp_packet_t *out);

/* Find header extension element id in pkt (one-byte form: id 1..14; two-byte form:
 * id 1..255). On success *data points into the packet (borrowed), *size is its
 * length (0 is possible in the two-byte form). -SR_ENOT_FOUND when the packet has no
 * RFC 8285 extension, no such element, or the elements run past the extension block
 * before it (the walk stops at a one-byte id 15, RFC 8285 4.2). */
int sr_rtp_ext_find(const sr_rtp_packet_t *pkt, uint8_t id, const uint8_t **data, size_t *size);

/* One header extension element to write; data is only read during the write. */
typedef struct sr_rtp_ext_elem {
    uint8_t id;
    uint8_t size;
    const uint8_t *data;
} sr_rtp_ext_elem_t;

/* Write the RTP header of h (pt, is_marker, seq, ts, ssrc, nb_csrc/csrc; the other
 * fields are ignored) into out[0..cap) and set *written. With nb_ext > 0 an RFC 8285
 * extension block follows: the one-byte form when every id is 1..14 and every size
 * 1..16 (e.g. a transport-wide sequence number: 2 bytes), the two-byte form otherwise,
 * zero-padded to 4 bytes. No RTP padding. The payload goes right after *written
 * bytes. -SR_EINVAL for pt > 127, nb_csrc > 15, an id 0 or one-byte id 15 (in the
 * two-byte form any id 1..255), more extension bytes than fit 16 bits of words;
 * -SR_EOVERFLOW when cap is too small (out unspecified). */
int sr_rtp_header_write(const sr_rtp_packet_t *h, const sr_rtp_ext_elem_t *ext, size_t nb_ext, uint8_t *out, size_t cap,
                        size_t *written);

/* Turn a retransmission (RFC 4588 4: the original sequence number in the first 2
 * payload bytes) into the original packet in place: seq from the OSN, payload after
 * it, pt and ssrc set to the original stream's (from SDP a=fmtp:<rtx pt> apt=, and the
 * ssrc-group FID). -SR_ETRUNCATED when the payload is shorter than 2 bytes (an RTX
 * padding-only packet: drop it). */
int sr_rtp_rtx_unwrap(sr_rtp_packet_t *pkt, uint8_t pt, uint32_t ssrc);

/* ==== sequence numbers and timestamps ==== */

/* a - b for 16-bit sequence numbers with wrap: positive when a comes after b. */
static inline int16_t sr_rtp_seq_diff(uint16_t a, uint16_t b)
{
    return (int16_t)(uint16_t)(a - b);
}
/* Whether sequence number a comes before b (RFC 1982 serial arithmetic). */
static inline bool sr_rtp_seq_lt(uint16_t a, uint16_t b)
{
    return sr_rtp_seq_diff(a, b) < 0;
}

/* Extends 16-bit sequence numbers (or 32-bit timestamps) to 64 bits by counting wraps
 * (the roll-over counter). Each value is taken as the one nearest the last value
 * seen, so reordering by less than half the range is handled both ways. Plain value:
 * zero it, or sr_rtp_unwrap_init. */
typedef struct sr_rtp_unwrap {
    int64_t last;
    bool is_started;
} sr_rtp_unwrap_t;

static inline void sr_rtp_unwrap_init(sr_rtp_unwrap_t *u)
{
    u->last = 0;
    u->is_started = false;
}
/* The extended sequence number of seq: the first one is seq itself; later ones may be
 * below zero if they precede the first across a wrap. */
int64_t sr_rtp_seq_unwrap(sr_rtp_unwrap_t *u, uint16_t seq);
/* The same for 32-bit RTP timestamps (a 90 kHz clock wraps every 13 hours). Don't mix
 * seq and ts in one sr_rtp_unwrap_t. */
int64_t sr_rtp_ts_unwrap(sr_rtp_unwrap_t *u, uint32_t ts);

/* ==== packetizer output, shared by the payload formats ==== */

/* One RTP payload of a packetized frame: out->data[offset .. offset + size). */
typedef struct sr_rtp_payload {
    uint32_t offset;
    uint32_t size;
    bool is_marker; /* the last payload of the frame: set the RTP marker bit */
} sr_rtp_payload_t;

/* Where a packetizer writes a frame's payloads: caller storage, filled once per frame
 * and sent to every player, each writing its own RTP header (ssrc, seq, timestamp) in
 * front of each payload. On -SR_EOVERFLOW, len and nb_items say how much was needed,
 * so the caller can grow the arrays and packetize again. */
typedef struct sr_rtp_payloads {
    uint8_t *data; /* payload bytes */
    size_t cap;
    sr_rtp_payload_t *items;
    size_t max_items;
    size_t len;      /* out: bytes of data used (needed on overflow) */
    size_t nb_items; /* out: payloads (needed on overflow) */
} sr_rtp_payloads_t;

/* Grow out's arrays to what a packetizer that returned -SR_EOVERFLOW said it needs
 * (at least doubling), so that it can be called again. Aborts on allocation failure
 * (sr_realloc). */
void sr_rtp_payloads_grow(sr_rtp_payloads_t *out);
/* Free out's arrays and zero it. */
void sr_rtp_payloads_free(sr_rtp_payloads_t *out);

/* ==== reorder buffer (sr_rtp_reorder.c) ==== */

/* Most packets a reorder buffer holds (its window): a power of two below 2^15 so
 * sequence number distances stay unambiguous. */
#define SR_RTP_REORDER_MAX_WINDOW 16384
/* A payload larger than this is dropped (counted in too_large): UDP carries at most
 * 65507 bytes, real RTP at most an MTU. */
#define SR_RTP_REORDER_MAX_PAYLOAD 16384
/* A jump of more than this many sequence numbers ahead, or any distance back beyond
 * the window, is a stream restart candidate (RFC 3550 A.1 MAX_DROPOUT), not a gap. */
#define SR_RTP_REORDER_MAX_DROPOUT 3000

/* Called for each packet released, in sequence order. pkt is valid only during the
 * call; rely only on its pt, is_marker, seq, ts, ssrc and payload/payload_size (a
 * packet that waited keeps no CSRCs or extension; one that passed straight through is
 * the caller's, pointing into the caller's bytes). lost counts the
 * sequence numbers given up just before this packet (0 normally); a stream restart
 * (a sequence jump the buffer resynchronised on) is reported as lost 1, since
 * continuity is unknown. The callee must not push into or free the buffer. */
typedef void (*sr_rtp_reorder_fn)(void *arg, const sr_rtp_packet_t *pkt, uint32_t lost);

typedef struct sr_rtp_reorder_stats {
    uint64_t received;   /* packets pushed */
    uint64_t released;   /* packets given to the callback */
    uint64_t duplicates; /* dropped: already held, or already released or given up */
    uint64_t strays;     /* dropped: too far from the stream to place (a restart is followed
                            from its second packet) */
    uint64_t lost;       /* sequence numbers given up */
    uint64_t resyncs;    /* stream restarts followed */
    uint64_t too_large;  /* dropped: payload above SR_RTP_REORDER_MAX_PAYLOAD */
    uint32_t held;       /* packets waiting now for a gap before them */
} sr_rtp_reorder_stats_t;

typedef struct sr_rtp_reorder sr_rtp_reorder_t;

/* A reorder buffer of window packets (a power of two 2..SR_RTP_REORDER_MAX_WINDOW,
 * else NULL) that waits at most max_delay_us for a gap to fill before giving its
 * sequence numbers up as lost (for NACK retransmissions to arrive in time, about an
 * RTT plus jitter; 0 never waits: every gap is lost at once). A gap also ends when a
 * packet arrives window or more beyond it. Releases through on_packet(arg, ...); arg
 * is borrowed. Memory: up to window copies of held payloads, allocated while packets
 * wait (in-order packets are passed through without a copy). Free with
 * sr_rtp_reorder_free. */
sr_rtp_reorder_t *sr_rtp_reorder_new(size_t window, int64_t max_delay_us, sr_rtp_reorder_fn on_packet, void *arg);
/* Free r and the held packets (not released). NULL ok. */
void sr_rtp_reorder_free(sr_rtp_reorder_t *r);
/* Take one packet (borrowed: the payload is copied if it must wait) that arrived at
 * now_us, release what is now in order, and give up gaps older than max_delay_us.
 * Duplicates, packets older than what was released and oversized payloads are
 * counted and dropped. Packets are released from inside this call. */
void sr_rtp_reorder_push(sr_rtp_reorder_t *r, const sr_rtp_packet_t *pkt, int64_t now_us);
/* Give up gaps that have waited max_delay_us at now_us (call it from a timer when no
 * packets come, so the held ones are not stuck). */
void sr_rtp_reorder_tick(sr_rtp_reorder_t *r, int64_t now_us);
/* Release everything held, every gap as lost (end of stream). */
void sr_rtp_reorder_flush(sr_rtp_reorder_t *r);
/* The sequence numbers missing now before held packets, oldest first, into
 * seqs[0..max): what to NACK (RFC 4585 6.2.1). Returns how many were written; the
 * list is cut at max. */
size_t sr_rtp_reorder_missing(const sr_rtp_reorder_t *r, uint16_t *seqs, size_t max);
/* Counters since new. Borrowed from r. */
const sr_rtp_reorder_stats_t *sr_rtp_reorder_stats(const sr_rtp_reorder_t *r);

SR_END_DECLS

#endif
