/* SPDX-License-Identifier: MIT */
/*
 * sr_rtcp.h: RTCP (RFC 3550 6) as WebRTC and RTSP use it: walking a compound packet,
 * sender and receiver reports with the receive statistics that fill them (RFC 3550
 * A.3, A.8), SDES CNAME, BYE, the RTP/AV feedback messages (RFC 4585: generic NACK,
 * PLI), FIR (RFC 5104 4.3.1), REMB (draft-alvestrand-rmcat-remb-03) and transport-wide
 * congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
 * 3.1), with a recorder that builds that feedback from packet arrivals, which Chrome
 * needs when it publishes with transport-cc negotiated.
 *
 * Units: RTP timestamps and jitter in the media clock (90 kHz video, 48 kHz Opus);
 * NTP timestamps as 64-bit fixed point (seconds since 1900 in the high 32 bits);
 * LSR/DLSR in 1/65536 s as on the wire; times passed in (arrival, now) are
 * microseconds of a clock the caller owns.
 *
 * Not here: SRTCP, sockets, timers, or deciding when to send (RFC 3550 6.2 interval).
 * Parsers borrow (results point into the caller's bytes), writers write caller
 * buffers; only the TWCC recorder allocates. No logging, no error trail.
 * Code: sr_rtcp.c (compound packets, reports, feedback), sr_rtcp_twcc.c (TWCC).
 *
 * Error codes: -SR_ETRUNCATED input ends inside a field; -SR_EFORMAT malformed input,
 * or a packet of another type than the parser reads; -SR_EOVERFLOW output capacity too
 * small (outputs then unspecified); -SR_EINVAL an argument outside the contract.
 */
#ifndef SR_RTCP_H
#define SR_RTCP_H

#include "sr_core.h"

SR_BEGIN_DECLS

/* Packet types, RFC 3550 12.1 and RFC 4585 6.1 */
#define SR_RTCP_SR 200
#define SR_RTCP_RR 201
#define SR_RTCP_SDES 202
#define SR_RTCP_BYE 203
#define SR_RTCP_APP 204
#define SR_RTCP_RTPFB 205 /* transport layer feedback */
#define SR_RTCP_PSFB 206  /* payload-specific feedback */
#define SR_RTCP_XR 207
/* Feedback message types (FMT, in the count field) */
#define SR_RTCP_RTPFB_NACK 1  /* generic NACK, RFC 4585 6.2.1 */
#define SR_RTCP_RTPFB_TWCC 15 /* transport-wide CC feedback */
#define SR_RTCP_PSFB_PLI 1    /* picture loss indication, RFC 4585 6.3.1 */
#define SR_RTCP_PSFB_FIR 4    /* full intra request, RFC 5104 4.3.1 */
#define SR_RTCP_PSFB_AFB 15   /* application layer feedback: REMB */

#define SR_RTCP_HEADER_BYTES 4
#define SR_RTCP_MAX_REPORTS 31 /* the 5-bit count field */

/* Whether a packet on an RTP/RTCP-multiplexed port is RTCP (RFC 5761 4: the second
 * byte, the RTCP packet type, is 192..223; RTP payload types avoid 64..95). */
static inline bool sr_rtcp_is_rtcp(const uint8_t *data, size_t size)
{
    return size >= 2 && data[1] >= 192 && data[1] <= 223;
}

/* One packet of a compound RTCP packet. Pointers borrow from the iterated bytes. */
typedef struct sr_rtcp_packet {
    uint8_t pt;          /* SR_RTCP_SR ... */
    uint8_t count;       /* RC, SC, or FMT for feedback */
    uint32_t ssrc;       /* the first word after the header (the sender's SSRC for
                            SR/RR/feedback/APP/XR, the first source of SDES/BYE), 0 if none */
    const uint8_t *data; /* the whole packet: header, body and padding */
    size_t size;         /* 4 * (length + 1) */
    const uint8_t *body; /* after the 4-byte header, padding removed */
    size_t body_size;
} sr_rtcp_packet_t;

/* Walks a compound RTCP packet. Plain value: init, then next. */
typedef struct sr_rtcp_iter {
    const uint8_t *data;
    size_t size;
    size_t pos;
} sr_rtcp_iter_t;

/* Walk data[0..size), borrowed for the iterator's lifetime. */
void sr_rtcp_iter_init(sr_rtcp_iter_t *it, const uint8_t *data, size_t size);
/* The next packet into *pkt. Checks version 2, that the length fits what is left and
 * that a padding count (P bit, RFC 3550 6.4.1) is 1..body bytes. The first packet need
 * not be an SR or RR (reduced-size RTCP, RFC 5506). Returns SR_OK, -SR_ENOT_FOUND
 * after the last one, -SR_ETRUNCATED when fewer than 4 bytes or fewer than the
 * length says are left, -SR_EFORMAT for another version or a bad padding count;
 * after an error the walk ends (next gives -SR_ENOT_FOUND). */
int sr_rtcp_next(sr_rtcp_iter_t *it, sr_rtcp_packet_t *pkt);

/* ==== sender and receiver reports (RFC 3550 6.4) ==== */

/* A report block, RFC 3550 6.4.1. */
typedef struct sr_rtcp_report {
    uint32_t ssrc;            /* the source reported on */
    uint8_t fraction_lost;    /* lost / expected since the previous report, in 1/256 */
    int32_t cumulative_lost;  /* 24-bit signed: expected - received (duplicates make it < 0) */
    uint32_t ext_highest_seq; /* wraps << 16 | highest sequence number received */
    uint32_t jitter;          /* interarrival jitter in RTP timestamp units */
    uint32_t lsr;             /* middle 32 bits of the NTP time of the last SR, 0 if none */
    uint32_t dlsr;            /* since receiving that SR, in 1/65536 s */
} sr_rtcp_report_t;

typedef struct sr_rtcp_sr {
    uint32_t ssrc;   /* the sender */
    uint64_t ntp;    /* wallclock of rtp_ts: NTP 32.32 fixed point */
    uint32_t rtp_ts; /* the same instant in the media clock */
    uint32_t packet_count;
    uint32_t octet_count; /* payload bytes */
    uint8_t nb_reports;
    sr_rtcp_report_t reports[SR_RTCP_MAX_REPORTS];
} sr_rtcp_sr_t;

typedef struct sr_rtcp_rr {
    uint32_t ssrc; /* the receiver */
    uint8_t nb_reports;
    sr_rtcp_report_t reports[SR_RTCP_MAX_REPORTS];
} sr_rtcp_rr_t;

/* Parse an SR (pt 200) into *out; profile extensions after the report blocks are
 * ignored. -SR_EFORMAT for another type; -SR_ETRUNCATED when the body is shorter than
 * its report count. */
int sr_rtcp_parse_sr(const sr_rtcp_packet_t *pkt, sr_rtcp_sr_t *out);
/* Parse an RR (pt 201) into *out. Codes as sr_rtcp_parse_sr. */
int sr_rtcp_parse_rr(const sr_rtcp_packet_t *pkt, sr_rtcp_rr_t *out);
/* Write an SR with sr->nb_reports (0..31) report blocks into out[0..cap) and set
 * *written (28 + 24 per block). -SR_EINVAL for more than 31 blocks; -SR_EOVERFLOW. */
int sr_rtcp_write_sr(const sr_rtcp_sr_t *sr, uint8_t *out, size_t cap, size_t *written);
/* Write an RR (8 + 24 per block). Codes as sr_rtcp_write_sr. */
int sr_rtcp_write_rr(const sr_rtcp_rr_t *rr, uint8_t *out, size_t cap, size_t *written);

/* NTP fixed point (RFC 3550 4) of a Unix time in microseconds, and back. */
uint64_t sr_rtcp_ntp_from_us(int64_t unix_us);
int64_t sr_rtcp_ntp_to_us(uint64_t ntp);
/* The middle 32 bits of an NTP timestamp: the LSR of a report on that SR. */
static inline uint32_t sr_rtcp_ntp_mid32(uint64_t ntp)
{
    return (uint32_t)(ntp >> 16);
}
/* A delay in microseconds as DLSR (1/65536 s), saturated to 32 bits; 0 if negative. */
uint32_t sr_rtcp_dlsr_from_us(int64_t us);
/* The round-trip time (RFC 3550 6.4.1) a sender gets from a report block: now_ntp is
 * when the block arrived. -1 when the block names no SR (lsr 0) or the result is
 * negative (clock skew, a bogus block). */
int64_t sr_rtcp_rtt_us(uint64_t now_ntp, uint32_t lsr, uint32_t dlsr);

/* What a receiver counts of one source to fill a report block (RFC 3550 A.3 loss,
 * A.8 jitter). Plain value: sr_rtcp_rx_stats_init, then update per packet. */
typedef struct sr_rtcp_rx_stats {
    uint32_t clock_rate; /* Hz of the RTP timestamps */
    bool is_started;
    int64_t last_seq; /* extended */
    int64_t base_seq;
    int64_t max_seq;
    uint32_t received;
    uint32_t expected_prior; /* at the previous report */
    uint32_t received_prior;
    uint32_t jitter_q4; /* jitter * 16, the A.8 estimator */
    uint32_t last_ts;
    uint32_t transit; /* arrival in clock units - rtp ts, mod 2^32 */
} sr_rtcp_rx_stats_t;

/* Start counting a source whose timestamps run at clock_rate Hz (90000, 48000). */
void sr_rtcp_rx_stats_init(sr_rtcp_rx_stats_t *s, uint32_t clock_rate);
/* Count one packet received (duplicates too, as RFC 3550 A.3 does): seq, its RTP
 * timestamp, its arrival in microseconds. Jitter takes only in-order packets that
 * start a new timestamp, so the packets of one video frame don't count as jitter. */
void sr_rtcp_rx_stats_update(sr_rtcp_rx_stats_t *s, uint16_t seq, uint32_t rtp_ts, int64_t arrival_us);
/* Fill *out for source ssrc with lsr/dlsr from the caller (sr_rtcp_ntp_mid32 of the
 * last SR's ntp, sr_rtcp_dlsr_from_us of the time since it arrived; 0, 0 without an SR)
 * and start the next fraction_lost interval. */
void sr_rtcp_rx_stats_report(sr_rtcp_rx_stats_t *s, uint32_t ssrc, uint32_t lsr, uint32_t dlsr, sr_rtcp_report_t *out);

/* ==== SDES and BYE ==== */

/* Write an SDES (pt 202) with one chunk: ssrc and a CNAME item (RFC 3550 6.5.1) of
 * cname_size bytes (1..255), null-terminated and padded to 4 bytes. cname is only read
 * during the call. -SR_EINVAL for an empty or longer CNAME; -SR_EOVERFLOW. */
int sr_rtcp_write_sdes_cname(uint32_t ssrc, const char *cname, size_t cname_size, uint8_t *out, size_t cap,
                             size_t *written);

typedef struct sr_rtcp_bye {
    uint8_t nb_ssrc;
    uint32_t ssrc[SR_RTCP_MAX_REPORTS];
    const uint8_t *reason; /* borrowed, not terminated; NULL if none */
    size_t reason_size;
} sr_rtcp_bye_t;

/* Parse a BYE (pt 203): the sources leaving and the optional reason. -SR_EFORMAT for
 * another type; -SR_ETRUNCATED when the body is shorter than its source count or the
 * reason length. */
int sr_rtcp_parse_bye(const sr_rtcp_packet_t *pkt, sr_rtcp_bye_t *out);

/* ==== feedback messages (RFC 4585 6.1) ==== */

/* The common header of every RTPFB and PSFB message. */
typedef struct sr_rtcp_fb {
    uint32_t sender_ssrc;
    uint32_t media_ssrc; /* the stream the feedback is about (0 in FIR and REMB) */
} sr_rtcp_fb_t;

/* Parse the common feedback header of an RTPFB or PSFB packet of any FMT.
 * -SR_EFORMAT for another type; -SR_ETRUNCATED when the body is under 8 bytes. */
int sr_rtcp_parse_fb(const sr_rtcp_packet_t *pkt, sr_rtcp_fb_t *out);

/* Parse a generic NACK (RTPFB FMT 1): each PID+BLP pair expanded into the sequence
 * numbers it names, in packet order, into seqs[0..max) with *nb their count.
 * -SR_EOVERFLOW when there are more than max (the first max are in seqs, *nb = max);
 * -SR_EFORMAT for another type or FMT; -SR_ETRUNCATED for a short body. */
int sr_rtcp_parse_nack(const sr_rtcp_packet_t *pkt, sr_rtcp_fb_t *fb, uint16_t *seqs, size_t max, size_t *nb);
/* Write a generic NACK for seqs[0..nb) (nb >= 1), sorted in sequence order (wrap
 * allowed): each sequence number up to 16 after a PID goes in its BLP, others start a
 * new pair; duplicates are harmless. -SR_EINVAL when nb is 0; -SR_EOVERFLOW. */
int sr_rtcp_write_nack(uint32_t sender_ssrc, uint32_t media_ssrc, const uint16_t *seqs, size_t nb, uint8_t *out,
                       size_t cap, size_t *written);

/* Parse a PLI (PSFB FMT 1). -SR_EFORMAT for another type or FMT; -SR_ETRUNCATED. */
int sr_rtcp_parse_pli(const sr_rtcp_packet_t *pkt, sr_rtcp_fb_t *fb);
/* Write a PLI for media_ssrc (12 bytes). -SR_EOVERFLOW. */
int sr_rtcp_write_pli(uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t *out, size_t cap, size_t *written);

/* One FIR request, RFC 5104 4.3.1.1. */
typedef struct sr_rtcp_fir_entry {
    uint32_t ssrc;  /* the stream asked for a keyframe */
    uint8_t seq_nr; /* command sequence number: a repeated request keeps it */
} sr_rtcp_fir_entry_t;

/* Parse a FIR (PSFB FMT 4) into entries[0..max), *nb their count. -SR_EOVERFLOW when
 * there are more than max (the first max are kept); -SR_EFORMAT for another type or
 * FMT, or no entry; -SR_ETRUNCATED. */
int sr_rtcp_parse_fir(const sr_rtcp_packet_t *pkt, sr_rtcp_fb_t *fb, sr_rtcp_fir_entry_t *entries, size_t max,
                      size_t *nb);
/* Write a FIR asking media_ssrc for a keyframe with command sequence number seq_nr
 * (increment it per new request, RFC 5104 4.3.1.2) (20 bytes). -SR_EOVERFLOW. */
int sr_rtcp_write_fir(uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t seq_nr, uint8_t *out, size_t cap,
                      size_t *written);

/* SSRCs a parsed REMB keeps. */
#define SR_RTCP_REMB_MAX_SSRC 16

/* Receiver estimated maximum bitrate, draft-alvestrand-rmcat-remb-03 2.2. */
typedef struct sr_rtcp_remb {
    uint32_t sender_ssrc;
    uint64_t bitrate_bps; /* mantissa << exponent, saturated to UINT64_MAX */
    uint8_t nb_ssrc;      /* in the packet; the first SR_RTCP_REMB_MAX_SSRC are kept */
    uint32_t ssrc[SR_RTCP_REMB_MAX_SSRC];
} sr_rtcp_remb_t;

/* Parse a REMB (PSFB FMT 15 with the "REMB" identifier). -SR_EUNSUPPORTED for another
 * application layer feedback; -SR_EFORMAT for another type or FMT; -SR_ETRUNCATED when
 * the body is shorter than its SSRC count. */
int sr_rtcp_parse_remb(const sr_rtcp_packet_t *pkt, sr_rtcp_remb_t *out);
/* Write a REMB of bitrate_bps (encoded with an 18-bit mantissa, rounded down) for
 * ssrcs[0..nb) (nb 0..255). -SR_EINVAL for nb > 255; -SR_EOVERFLOW. */
int sr_rtcp_write_remb(uint32_t sender_ssrc, uint64_t bitrate_bps, const uint32_t *ssrcs, size_t nb, uint8_t *out,
                       size_t cap, size_t *written);

/* ==== transport-wide congestion control feedback (sr_rtcp_twcc.c) ==== */

#define SR_RTCP_TWCC_DELTA_US 250        /* receive delta unit */
#define SR_RTCP_TWCC_REFERENCE_US 64000  /* reference time unit */
#define SR_RTCP_TWCC_HEADER_BYTES 20     /* RTCP header, SSRCs, base, count, reference, fb count */
#define SR_RTCP_TWCC_MIN_PACKET_BYTES 24 /* the header, one chunk, one large delta */

/* A parsed TWCC feedback packet and the cursor over its packet statuses. */
typedef struct sr_rtcp_twcc {
    uint32_t sender_ssrc;
    uint32_t media_ssrc;
    uint16_t base_seq;      /* transport-wide sequence number of the first status */
    uint16_t status_count;  /* statuses described, >= 1 */
    int32_t reference_time; /* 24-bit signed, in 64 ms units, the sender's own clock */
    uint8_t fb_count;       /* feedback packet count, to spot lost feedback */
    /* cursor, private: */
    const uint8_t *_chunks; /* next chunk */
    const uint8_t *_deltas; /* next receive delta */
    const uint8_t *_end;
    uint16_t _index;      /* statuses returned */
    uint16_t _chunk;      /* the chunk being read */
    uint16_t _chunk_left; /* statuses left in it */
    int64_t _arrival_us;
} sr_rtcp_twcc_t;

/* One packet status of a TWCC feedback. */
typedef struct sr_rtcp_twcc_entry {
    uint16_t seq;
    bool is_received;
    int32_t delta_us;   /* receive delta from the previous received packet (the first:
                           from the reference time), a multiple of 250; 0 if not received */
    int64_t arrival_us; /* reference_time * 64000 + the deltas so far: only differences
                           between arrivals (of one feedback or consecutive ones) mean
                           anything */
} sr_rtcp_twcc_entry_t;

/* Parse a TWCC feedback (RTPFB FMT 15) into *out and check all of it: every status
 * chunk and receive delta its status count needs must be there (bytes after them,
 * padding or not, are ignored). pkt's bytes must outlive *out. -SR_EFORMAT for
 * another type or FMT, a status count of 0, or a reserved status symbol (11);
 * -SR_ETRUNCATED when chunks or deltas are missing. */
int sr_rtcp_twcc_parse(const sr_rtcp_packet_t *pkt, sr_rtcp_twcc_t *out);
/* The next packet status into *e, in sequence order; false after status_count. */
bool sr_rtcp_twcc_next(sr_rtcp_twcc_t *t, sr_rtcp_twcc_entry_t *e);

/* Transport-wide sequence numbers a recorder remembers: the unreported ones, and
 * recent reported ones so a late arrival can be reported again. */
#define SR_RTCP_TWCC_HISTORY 4096

typedef struct sr_rtcp_twcc_stats {
    uint64_t recorded;   /* arrivals taken */
    uint64_t duplicates; /* arrivals of a sequence number already recorded */
    uint64_t too_old;    /* arrivals older than the history: ignored */
    uint64_t unreported; /* sequence numbers pushed out of the history before any feedback */
    uint64_t packets;    /* feedback packets built */
} sr_rtcp_twcc_stats_t;

typedef struct sr_rtcp_twcc_recorder sr_rtcp_twcc_recorder_t;

/* A recorder of packet arrivals for one transport (all SSRCs of a PeerConnection share
 * one transport-wide sequence). Bounded memory (SR_RTCP_TWCC_HISTORY entries). Never
 * NULL; free with sr_rtcp_twcc_recorder_free. */
sr_rtcp_twcc_recorder_t *sr_rtcp_twcc_recorder_new(void);
void sr_rtcp_twcc_recorder_free(sr_rtcp_twcc_recorder_t *r);
/* Record that the packet with transport-wide sequence number seq (the RTP header
 * extension, RFC 8285) arrived at arrival_us. A packet whose number was already
 * reported as lost is reported again with the next feedback (from its number on). */
void sr_rtcp_twcc_record(sr_rtcp_twcc_recorder_t *r, uint16_t seq, int64_t arrival_us);
/* Build one feedback packet (RTCP RTPFB FMT 15, padded to 4 bytes with the P bit)
 * into out[0..cap) covering what arrived since the last feedback, as much as fits in
 * cap; the chunks are run-length where a run of one status is long enough and status
 * vectors otherwise, receive deltas 1 byte (0..63.75 ms) or 2 (signed). A gap between
 * arrivals too large for a 2-byte delta (8 s) ends the packet. Call again while it
 * returns SR_OK to drain; each packet takes the next feedback packet count.
 * -SR_ENOT_FOUND when nothing is left to report; -SR_EOVERFLOW when cap is below
 * SR_RTCP_TWCC_MIN_PACKET_BYTES. */
int sr_rtcp_twcc_build(sr_rtcp_twcc_recorder_t *r, uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t *out, size_t cap,
                       size_t *written);
/* Counters since new. Borrowed from r. */
const sr_rtcp_twcc_stats_t *sr_rtcp_twcc_stats(const sr_rtcp_twcc_recorder_t *r);

SR_END_DECLS

#endif
