/* SPDX-License-Identifier: MIT */
/*
 * sr_hls_cut.h: when an HLS segment ends. A segment of a stream with video starts on a
 * keyframe, always: one that does not (SPS/PPS and IDR missing) makes hls.js fail with
 * bufferAppendError and other players show garbage until the next keyframe, so a GOP
 * longer than hls_fragment (OBS's default keyframe interval is 250 frames, 8.3 s at
 * 30 fps) gives long segments, not broken ones. Only a stream that sends no keyframe
 * for SR_HLS_CUT_MAX_S is cut without one, so its playlist keeps moving. Audio-only
 * streams are cut by duration (hls_fragment * hls_aof_ratio); with hls_wait_keyframe
 * off, video streams are too (the user asked for it). Pure arithmetic.
 */
#ifndef SR_HLS_CUT_H
#define SR_HLS_CUT_H

#include "sr_core.h"

SR_BEGIN_DECLS

/* A segment longer than this is cut even without a keyframe (a broken encoder). */
#define SR_HLS_CUT_MAX_S 60.0

typedef struct sr_hls_cut_rule {
    double fragment_s; /* hls_fragment: the target */
    double aof_ratio;  /* hls_aof_ratio: audio-only streams */
    bool is_wait_keyframe;
} sr_hls_cut_rule_t;

/* Whether a frame at elapsed_s after the segment's start begins the next segment.
 * has_video: the stream carries video; is_keyframe: this frame is a video keyframe. */
bool sr_hls_cut_is_due(const sr_hls_cut_rule_t *rule, bool has_video, bool is_keyframe, double elapsed_s);

SR_END_DECLS

#endif
