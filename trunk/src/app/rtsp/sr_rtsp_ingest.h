/* SPDX-License-Identifier: MIT */
/*
 * sr_rtsp_ingest.h: RTP in, frames into a source, for the tracks an SDP described:
 * an RTSP publisher (ANNOUNCE, RECORD) and a camera we pull share it. Packets come
 * over TCP interleaved or UDP, in any order; each track is reordered and
 * depacketized, its RTP clock put on one timeline with the others (RTCP SRs keep
 * audio and video in sync), and the configs from the SDP go out before the first
 * frames. Never yields: the UDP listener calls it too.
 */
#ifndef SR_RTSP_INGEST_H
#define SR_RTSP_INGEST_H

#include "sr_core.h"
#include "sr_rtsp_track.h"
#include "sr_session.h"

SR_BEGIN_DECLS

typedef struct sr_rtsp_ingest sr_rtsp_ingest_t;

/* An ingest into session (borrowed, begun) of tracks[0..n) (copied: codec, clock and
 * config are used). Tracks with SR_CODEC_NONE are ignored. */
sr_rtsp_ingest_t *sr_rtsp_ingest_new(sr_publish_t *session, const sr_rtsp_track_t *tracks, size_t n);
/* Deliver what is held (end of stream) and free. NULL ok. */
void sr_rtsp_ingest_free(sr_rtsp_ingest_t *in);
/* One RTP or RTCP packet of track (an index into the tracks given to new). */
void sr_rtsp_ingest_packet(sr_rtsp_ingest_t *in, size_t track, bool is_rtcp, const uint8_t *data, size_t len);
/* Give up gaps that waited too long (a timer, when packets stop). */
void sr_rtsp_ingest_tick(sr_rtsp_ingest_t *in);
/* Frames delivered so far, and RTP packets taken. */
uint64_t sr_rtsp_ingest_frames(const sr_rtsp_ingest_t *in);
uint64_t sr_rtsp_ingest_packets(const sr_rtsp_ingest_t *in);

SR_END_DECLS

#endif
