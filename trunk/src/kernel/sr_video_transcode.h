/* SPDX-License-Identifier: MIT */
/*
 * sr_video_transcode.h: H.264 with B-frames -> H.264 without, for WebRTC players.
 * A WebRTC receiver (Chrome's frame buffer) wants RTP timestamps that never go back in
 * decode order, which a stream with B-frames breaks on every B-frame. This decodes the
 * stream with libavcodec and encodes it again with libx264 (or, where libavcodec lacks
 * it, libopenh264 or another H.264 encoder it has) with no B-frames and no lookahead
 * (tune zerolatency): every output frame has pts == dts, in increasing order.
 *
 * Frames go in and out in their canonical form (sr_codec_id.h): NAL units with 4-byte
 * lengths; the output's AVCDecoderConfigurationRecord comes from the parameter sets of
 * its first keyframe (and changes when they do). Output keyframes follow the input's
 * (an input keyframe is encoded as an IDR) and sr_video_transcoder_request_key.
 *
 * Like sr_audio_transcode.h: one thread at a time, no ST, no logging, no error trail,
 * no payloads, no sr_alloc, so feed may run as a job on the worker pool. Frames are
 * kept in the decoder's pixel format (no scaler): 4:2:0, 4:2:2 and 4:4:4 8-bit pass
 * when the encoder takes them.
 *
 * Not for: other codecs, scaling, frame rate changes, offline files (no flush).
 */
#ifndef SR_VIDEO_TRANSCODE_H
#define SR_VIDEO_TRANSCODE_H

#include "sr_core.h"

SR_BEGIN_DECLS

/* Encoded frames one transcoder holds until they are taken; beyond it the oldest go. */
#define SR_VIDEO_TRANSCODE_MAX_QUEUED 16
/* The largest picture taken (8192x4320 covers H.264 level 6.2). */
#define SR_VIDEO_TRANSCODE_MAX_PIXELS (8192 * 4320)
/* Bytes of sr_video_transcoder_error() text, NUL included. */
#define SR_VIDEO_TRANSCODE_ERROR_BYTES 256

typedef struct sr_video_transcoder sr_video_transcoder_t;

/* A new transcoder for the H.264 stream whose AVCDecoderConfigurationRecord is
 * record[0..size) (only read during the call) into *out, bitrate in bit/s (0: about
 * 0.1 bit per pixel and frame, from the first picture, which is what x264 needs for a
 * picture close to a typical camera encoder's). The encoder opens at the first decoded
 * picture, when its size is known. Errors: -SR_EINVAL for an empty record or a
 * negative bitrate; -SR_EUNSUPPORTED when libavcodec has no H.264 decoder or encoder;
 * -SR_EFORMAT when the decoder refuses the record; -SR_ENOMEM. */
int sr_video_transcoder_new(const uint8_t *record, size_t size, int bitrate, sr_video_transcoder_t **out);
/* Release t and every frame it holds. NULL is ignored. */
void sr_video_transcoder_free(sr_video_transcoder_t *t);

/* Decode one input frame (canonical bytes, only read during the call) with its dts and
 * pts in ms and whether it is a keyframe, and encode every picture that comes out (the
 * decoder holds as many as the stream reorders). Take them before the next feed.
 * Errors, for this frame only: -SR_EFORMAT when the decoder refuses it, -SR_EINVAL for
 * an empty frame, -SR_EUNSUPPORTED when the encoder cannot take the picture (size,
 * pixel format), -SR_EINTERNAL when the encoder fails, -SR_ENOMEM. */
int sr_video_transcoder_feed(sr_video_transcoder_t *t, const uint8_t *frame, size_t size, int64_t dts_ms,
                             int64_t pts_ms, bool is_key);
/* Make the next encoded picture a keyframe (a new player joined). */
void sr_video_transcoder_request_key(sr_video_transcoder_t *t);

/* One encoded frame: pts == dts. data is borrowed from t until the next take or feed. */
typedef struct sr_video_transcode_frame {
    const uint8_t *data; /* canonical: 4-byte length prefixes, no SPS/PPS/AUD */
    size_t size;
    int64_t ts_ms;
    bool is_key;
} sr_video_transcode_frame_t;
/* Take the oldest frame not yet taken into *out. False when none is left. */
bool sr_video_transcoder_take(sr_video_transcoder_t *t, sr_video_transcode_frame_t *out);
/* The output's current AVCDecoderConfigurationRecord (borrowed, valid until the next
 * feed) and its generation: 0 before the first keyframe, +1 each time it changes. */
uint32_t sr_video_transcoder_config(const sr_video_transcoder_t *t, const uint8_t **data, size_t *size);
/* The encoder's name ("libx264", ...), "" before it opened. Static. */
const char *sr_video_transcoder_encoder(const sr_video_transcoder_t *t);

/* Text of the last failure ("" if none yet): what failed and libav's message. */
const char *sr_video_transcoder_error(const sr_video_transcoder_t *t);

typedef struct sr_video_transcode_stats {
    uint64_t frames_in;      /* input frames fed */
    uint64_t frames_refused; /* input frames the decoder refused */
    uint64_t pictures;       /* pictures decoded and handed to the encoder */
    uint64_t frames_out;     /* frames encoded */
    uint64_t frames_dropped; /* encoded frames dropped: the queue was full or not convertible */
    uint64_t keys_out;       /* keyframes encoded */
    int width, height;       /* of the last picture */
} sr_video_transcode_stats_t;
void sr_video_transcoder_stats(const sr_video_transcoder_t *t, sr_video_transcode_stats_t *out);

SR_END_DECLS

#endif
