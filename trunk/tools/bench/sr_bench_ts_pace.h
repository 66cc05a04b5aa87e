/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_ts_pace.h: when each message of an MPEG-TS file is due, for strand_bench's
 * SRT publisher. The file is cut into messages of whole 188-byte packets (1316 bytes,
 * seven packets, as SRT carries TS), and each message is due when the file's own clock
 * says its first packet is: the PCR (ISO/IEC 13818-1 2.4.2.2) of the first PID that
 * carries one, taken as a constant rate between two PCR packets, held at the first PCR
 * before it and extended at the file's average rate after the last. So a publisher
 * sends the file at the rate its muxer meant, in real time, without demuxing it.
 *
 * Not here: sending, sleeping, or rewriting the file (a loop starts the file's
 * timestamps again). Pure bytes: no I/O, no ST; usable from the unit tests.
 */
#ifndef SR_BENCH_TS_PACE_H
#define SR_BENCH_TS_PACE_H

#include "sr_core.h"

SR_BEGIN_DECLS

/* Bytes of one SRT message of TS: seven packets. */
#define SR_BENCH_TS_MSG_BYTES 1316u

/* One message: a run of whole packets and when it is due. */
typedef struct sr_bench_ts_msg {
    size_t offset;   /* of its first byte in the file */
    uint32_t size;   /* bytes, a multiple of 188 */
    uint64_t due_us; /* after message 0 (whose due_us is 0) */
} sr_bench_ts_msg_t;

/* The messages of one file, in file order, due_us never decreasing. */
typedef struct sr_bench_ts_pace {
    sr_bench_ts_msg_t *msgs;
    size_t count;
    uint64_t loop_us; /* one pass: when the byte after the last would be due (> 0) */
} sr_bench_ts_pace_t;

/* Index the TS file at ts[0..size) (borrowed; the messages point into it by offset)
 * into messages of at most msg_bytes (rounded down to whole packets, at least one).
 * The file ends at its first packet without the sync byte, or at a cut last packet.
 * Returns SR_OK, or -SR_EFORMAT when it does not start with a TS packet or has fewer
 * than two PCRs that advance (nothing to pace by); *out is then empty. */
int sr_bench_ts_pace_index(const uint8_t *ts, size_t size, size_t msg_bytes, sr_bench_ts_pace_t *out);
/* Free the messages; p may be empty. */
void sr_bench_ts_pace_deinit(sr_bench_ts_pace_t *p);

SR_END_DECLS

#endif
