/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_sdp.h: the little of an SDP answer the WHEP player of strand_bench reads
 * (sr_bench_whep_play.c). Pure text functions, unit tested.
 */
#ifndef SR_BENCH_SDP_H
#define SR_BENCH_SDP_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The value of the first "a=NAME:VALUE" line of sdp (NUL-terminated; CRLF or LF line
 * ends) into out[0..size), NUL-terminated. False when there is no such line or the value
 * does not fit. A line "a=NAMEX:..." does not match NAME. */
bool sr_bench_sdp_attr(const char *sdp, const char *name, char *out, size_t size);

#ifdef __cplusplus
}
#endif

#endif
