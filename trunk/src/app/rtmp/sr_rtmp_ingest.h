/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_ingest.h: RTMP media messages into packets, for every receiver of an RTMP
 * stream (a publishing client, an edge pulling from its origin): audio and video by
 * reference to the message's payload, metadata sliced out of its @setDataFrame wrapper,
 * aggregate messages split into their FLV tags, 32-bit timestamps extended across wraps.
 */
#ifndef SR_RTMP_INGEST_H
#define SR_RTMP_INGEST_H

#include "sr_core.h"
#include "sr_packet.h"
#include "sr_rtmp_chunk.h"

SR_BEGIN_DECLS

typedef struct sr_rtmp_ingest {
    uint32_t last_ts; /* last 32-bit timestamp seen */
    int64_t ts_epoch; /* added to extend 32-bit timestamps across wraps */
    uint64_t messages;
} sr_rtmp_ingest_t;

typedef void (*sr_rtmp_ingest_emit_fn)(void *arg, const sr_packet_t *pkt);

/* Whether msg carries media or metadata (audio, video, AMF0/AMF3 data, aggregate). */
bool sr_rtmp_ingest_is_media(const sr_rtmp_msg_t *msg);
/* Turn one such message into packets, each handed (borrowed) to emit. Empty audio or
 * video and data that is not metadata are dropped. -SR_ERTMP_MESSAGE for a truncated
 * aggregate. Never yields unless emit does. */
int sr_rtmp_ingest_message(sr_rtmp_ingest_t *in, const sr_rtmp_msg_t *msg, sr_rtmp_ingest_emit_fn emit, void *arg);

SR_END_DECLS

#endif
