/* SPDX-License-Identifier: MIT */
/*
 * sr_mp4.h: a fragmented MP4 muxer (ISO/IEC 14496-12 with movie fragments): an init
 * segment (ftyp + moov with one trak per track and mvex/trex), then any number of
 * fragments (moof + mdat). Each fragment is complete on its own, so a file cut after
 * any fragment still plays up to that fragment: this is what DVR needs to survive a
 * crash. Video is H.264 (avc1 + avcC) or H.265 (hvc1 + hvcC), ISO/IEC 14496-15, with
 * the length-prefixed NAL units of the FLV body as samples; audio is AAC (mp4a + esds
 * carrying the AudioSpecificConfig, ISO/IEC 14496-14 and 14496-1 descriptors).
 *
 * Pure bytes: output is appended to a caller's sr_buf_t; no I/O, no logging. Not a
 * demuxer, and no progressive (non-fragmented) MP4, no MP3/Opus tracks, no edit lists.
 *
 * Timing: input times are milliseconds. The video track uses timescale 1000, the audio
 * track the AAC sample rate. Times are taken relative to the first sample added to the
 * muxer (any track), so a file starts near zero. A sample's duration is only known when
 * the next sample of its track arrives, so the newest sample of each track waits for the
 * next fragment; the final fragment gives it the duration of its predecessor.
 */
#ifndef SR_MP4_H
#define SR_MP4_H

#include "sr_bytes.h"
#include "sr_core.h"
#include "sr_packet.h"

SR_BEGIN_DECLS

typedef enum sr_mp4_track_kind {
    SR_MP4_TRACK_VIDEO = 0,
    SR_MP4_TRACK_AUDIO = 1,
    SR_MP4_TRACK_COUNT = 2,
} sr_mp4_track_kind_t;

#define SR_MP4_VIDEO_TIMESCALE 1000
/* Default durations when a track has only one sample: one 25 fps frame, one AAC frame. */
#define SR_MP4_VIDEO_DEFAULT_MS 40
#define SR_MP4_AAC_FRAME_SAMPLES 1024
#define SR_MP4_OPUS_FRAME_SAMPLES 960 /* 20 ms at 48 kHz, the usual Opus packet */

/* trun sample_flags (ISO/IEC 14496-12 8.8.3.1): sync samples depend on no other
 * (sample_depends_on 2); others depend on earlier ones and are non-sync. */
#define SR_MP4_FLAGS_SYNC 0x02000000u
#define SR_MP4_FLAGS_NON_SYNC 0x01010000u

typedef struct sr_mp4_mux sr_mp4_mux_t;

/* A muxer with no tracks. Free with sr_mp4_mux_free. */
sr_mp4_mux_t *sr_mp4_mux_new(void);
/* Free m and the samples it holds (unwritten ones are lost). NULL ok. */
void sr_mp4_mux_free(sr_mp4_mux_t *m);

/* Configure the video track from an FLV video sequence header body (AVC or HEVC,
 * legacy or Enhanced RTMP: a 5-byte prefix before the decoder configuration record).
 * body is copied. -SR_EFORMAT if the body is not a parsable sequence header,
 * -SR_EUNSUPPORTED for another codec, -SR_EINVAL after sr_mp4_mux_write_init. */
int sr_mp4_mux_set_video(sr_mp4_mux_t *m, const uint8_t *body, size_t size);
/* Configure the audio track from an FLV AAC sequence header body (0xaX 0x00 + ASC).
 * body is copied. Errors as sr_mp4_mux_set_video. */
int sr_mp4_mux_set_audio(sr_mp4_mux_t *m, const uint8_t *body, size_t size);
/* Configure the audio track from an OpusHead (RFC 7845 5.1, as sources hold Opus
 * configs): an 'Opus' sample entry with its dOps box, 48 kHz. head is copied. Errors
 * as sr_mp4_mux_set_video. */
int sr_mp4_mux_set_opus(sr_mp4_mux_t *m, const uint8_t *head, size_t size);
/* Configure the track of a source's sequence header sh (video, AAC or Opus) with the
 * matching sr_mp4_mux_set_* (sr_mp4_mux_is_same_config then compares sh's payload);
 * -SR_EINVAL without a payload. */
int sr_mp4_mux_configure(sr_mp4_mux_t *m, const sr_packet_t *sh);
/* Whether the track of this kind is configured. */
bool sr_mp4_mux_has_track(const sr_mp4_mux_t *m, sr_mp4_track_kind_t kind);
/* Whether this FLV sequence header body equals the one the track was configured with
 * (false when the track is not configured). body is borrowed. */
bool sr_mp4_mux_is_same_config(const sr_mp4_mux_t *m, sr_mp4_track_kind_t kind, const uint8_t *body, size_t size);

/* Append the init segment (ftyp, moov) for the configured tracks to out (borrowed). The
 * video track is track 1 when present. Tracks are fixed from then on. -SR_EINVAL when no
 * track is configured or the init segment was already written. */
int sr_mp4_mux_write_init(sr_mp4_mux_t *m, sr_buf_t *out);

/* Queue one sample for the next fragment: size bytes at data (copied), decode time
 * dts_ms, presentation offset cts_ms (pts - dts, may be negative), is_sync for a random
 * access point. -SR_EINVAL if the init segment is not written or the track is absent. */
int sr_mp4_mux_add_sample(sr_mp4_mux_t *m, sr_mp4_track_kind_t kind, int64_t dts_ms, int32_t cts_ms, bool is_sync,
                          const uint8_t *data, size_t size);
/* Queue an FLV media tag body of type 8 (audio) or 9 (video) as a sample: the FLV
 * header bytes are stripped (video: 5 bytes, or 8/5 for Enhanced RTMP coded frames;
 * AAC: 2 bytes) and the NAL units pass through length-prefixed. dts_ms/pts_ms are the
 * packet's times. Sequence headers are not samples: use sr_mp4_mux_set_*. body is
 * copied. Errors as sr_mp4_mux_add_sample, -SR_EFORMAT for a body too short or not a
 * coded frame. */
int sr_mp4_mux_add_flv(sr_mp4_mux_t *m, uint8_t type, int64_t dts_ms, int64_t pts_ms, const uint8_t *body, size_t size);
/* Queue a source's media packet: sr_mp4_mux_add_flv for video and AAC, the Opus packet
 * itself (the packet's body) for Opus. Errors as sr_mp4_mux_add_flv. */
int sr_mp4_mux_add_packet(sr_mp4_mux_t *m, const sr_packet_t *pkt);

/* Milliseconds of media queued for the next fragment (the longest track). */
int64_t sr_mp4_mux_queued_ms(const sr_mp4_mux_t *m);
/* Samples queued for the next fragment, over all tracks. */
size_t sr_mp4_mux_queued_samples(const sr_mp4_mux_t *m);

/* Append one fragment (moof + mdat) to out (borrowed) with every queued sample whose
 * duration is known; with is_final the newest sample of each track goes too. Returns
 * the number of samples written (0: nothing appended). */
size_t sr_mp4_mux_write_fragment(sr_mp4_mux_t *m, sr_buf_t *out, bool is_final);
/* The same with is_final, where the newest video sample lasts until end_ms (the time of
 * the frame that comes next, e.g. the keyframe that starts an HLS segment), so the
 * next fragment's decode time follows on exactly. Audio's newest lasts as its
 * predecessor. SR_MP4_END_UNKNOWN: as sr_mp4_mux_write_fragment(m, out, true). */
#define SR_MP4_END_UNKNOWN INT64_MIN
size_t sr_mp4_mux_write_fragment_until(sr_mp4_mux_t *m, sr_buf_t *out, int64_t end_ms);

SR_END_DECLS

#endif
