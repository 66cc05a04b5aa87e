/* SPDX-License-Identifier: MIT */
/*
 * sr_audio_transcode.h: the audio transcoder that bridges RTMP and WebRTC: AAC -> Opus
 * (RTMP/SRT publishers watched over WebRTC) and Opus -> AAC (WebRTC publishers watched
 * over RTMP, HLS, DVR), with libavcodec and libswresample. Frames go in and out in
 * their canonical form (sr_codec_id.h): one raw AAC access unit, one Opus packet.
 *
 * One transcoder is used by one thread at a time and touches nothing else: no ST, no
 * logging, no error trail, no payloads, no sr_alloc (libav allocates what it needs),
 * so its calls may run as a job on the worker pool (sr_work.h) while the coroutine
 * that owns it waits. The caller then reads the failure text with
 * sr_audio_transcoder_error() and puts it into its error trail.
 *
 * Timing: output timestamps follow the samples produced, from the first input pts, so
 * output frames are evenly spaced (Opus 20 ms, AAC 1024 samples) whatever the rounding
 * of the input's. The input's pts is still compared with where its samples should
 * fall: a gap of SR_AUDIO_TRANSCODE_GAP_MS or more (lost frames, a frame refused as
 * corrupt) is filled with silence so A/V sync holds; a jump of more than
 * SR_AUDIO_TRANSCODE_RESYNC_MS either way (a republish, a timestamp reset) restarts
 * the timeline at the new pts, dropping the less than one frame of samples not yet
 * encoded. The output lags the input by the encoder's priming (Opus 312 samples, AAC
 * 1024), as with any encoder that publishes over RTMP.
 *
 * Not for: video, other codecs, RTP packetization, mixing, or offline files (there is
 * no end-of-stream flush: a live stream has no end worth the last 20 ms).
 */
#ifndef SR_AUDIO_TRANSCODE_H
#define SR_AUDIO_TRANSCODE_H

#include "sr_codec_id.h"
#include "sr_core.h"

SR_BEGIN_DECLS

/* The bitrate used when the caller gives 0 (SRS rtc.opus_bitrate and rtc.aac_bitrate). */
#define SR_AUDIO_TRANSCODE_DEFAULT_BITRATE 48000
/* A cap of this many bytes holds any output frame (AAC: 6144 bits per channel, at
 * most 2 channels; Opus: one 20 ms packet of at most 1275 bytes, RFC 6716 3.4). */
#define SR_AUDIO_TRANSCODE_FRAME_MAX_BYTES 4096
/* Output frames one transcoder holds until they are taken; beyond it the oldest are
 * dropped. One input frame completes at most 12 (a 120 ms Opus packet plus a filled
 * gap of up to SR_AUDIO_TRANSCODE_RESYNC_MS). */
#define SR_AUDIO_TRANSCODE_MAX_QUEUED 32
/* An input this much later than its samples' place is a gap to fill with silence. */
#define SR_AUDIO_TRANSCODE_GAP_MS 15
/* An input more than this far (either way) from its samples' place restarts the timeline. */
#define SR_AUDIO_TRANSCODE_RESYNC_MS 100
/* Bytes of sr_audio_transcoder_error() text, NUL included. */
#define SR_AUDIO_TRANSCODE_ERROR_BYTES 256

typedef struct sr_audio_transcoder sr_audio_transcoder_t;

/* A new transcoder from codec `from` to codec `to` into *out (free it with
 * sr_audio_transcoder_free), or NULL on failure.
 *   from SR_CODEC_AAC: config is its AudioSpecificConfig (required, must parse with
 *     sr_aac_parse_config). Output Opus: 48 kHz, the source's channels up to 2 (more
 *     are downmixed to stereo).
 *   from SR_CODEC_OPUS: config is its OpusHead, or NULL with config_size 0 (RTP
 *     carries none: 48 kHz stereo is assumed). Output AAC LC: 48 kHz, the source's
 *     channels up to 2.
 * bitrate in bit/s, 0 for SR_AUDIO_TRANSCODE_DEFAULT_BITRATE. config is only read
 * during the call. Errors: -SR_EINVAL for another pair of codecs, a missing AAC config
 * or a bitrate outside 6000..510000; -SR_EFORMAT or -SR_ETRUNCATED for a config that
 * does not parse; -SR_EUNSUPPORTED when libavcodec lacks the decoder or encoder or
 * refuses the settings; -SR_ENOMEM when libav cannot allocate. No error trail is
 * written (see the top of this file); the failure text is lost with the object. */
int sr_audio_transcoder_new(sr_codec_id_t from, const uint8_t *config, size_t config_size, sr_codec_id_t to,
                            int bitrate, sr_audio_transcoder_t **out);
/* Release t and every frame it holds. NULL is ignored. */
void sr_audio_transcoder_free(sr_audio_transcoder_t *t);

/* The output's config frame into *data (borrowed from t, valid until it is freed) and
 * *size: an AudioSpecificConfig (AAC LC, 2 bytes) or an OpusHead (19 bytes: family 0,
 * pre-skip 0 as for a live stream, sr_opus_head_default). Always SR_OK. */
int sr_audio_transcoder_config(const sr_audio_transcoder_t *t, const uint8_t **data, size_t *size);
/* Output channel count (1 or 2) and sample rate in Hz. */
int sr_audio_transcoder_channels(const sr_audio_transcoder_t *t);
int sr_audio_transcoder_sample_rate(const sr_audio_transcoder_t *t);

/* Decode one input frame (canonical bytes, only read during the call) with its pts in
 * ms and encode every output frame it completes; take them with
 * sr_audio_transcoder_take before the next feed. Errors, each for this frame only
 * (the next frame is decoded as usual): -SR_EFORMAT when the decoder refuses the
 * frame, -SR_EINVAL for an empty frame, -SR_EINTERNAL when the resampler or encoder
 * fails, -SR_ENOMEM when libav cannot allocate; sr_audio_transcoder_error() then says
 * what libav reported. */
int sr_audio_transcoder_feed(sr_audio_transcoder_t *t, const uint8_t *frame, size_t size, int64_t pts_ms);
/* Take the oldest output frame not yet taken: its bytes into out[0..cap), *len and its
 * pts in ms. False when none is left. A frame longer than cap (never with
 * SR_AUDIO_TRANSCODE_FRAME_MAX_BYTES) is dropped and counted, and false returned. */
bool sr_audio_transcoder_take(sr_audio_transcoder_t *t, uint8_t *out, size_t cap, size_t *len, int64_t *pts_ms);

/* Text of the last failure of feed ("" if none yet): what failed and libav's message. */
const char *sr_audio_transcoder_error(const sr_audio_transcoder_t *t);

/* What a transcoder has done, for stats and tests. */
typedef struct sr_audio_transcode_stats {
    uint64_t frames_in;      /* input frames decoded */
    uint64_t frames_refused; /* input frames the decoder refused */
    uint64_t frames_out;     /* output frames encoded */
    uint64_t frames_dropped; /* output frames dropped: the queue was full or cap too small */
    uint64_t resyncs;        /* timeline restarts on an input jump */
    uint64_t gap_samples;    /* output samples of silence put into gaps */
} sr_audio_transcode_stats_t;
void sr_audio_transcoder_stats(const sr_audio_transcoder_t *t, sr_audio_transcode_stats_t *out);

SR_END_DECLS

#endif
