/* SPDX-License-Identifier: MIT */
/*
 * sr_video_bridge.c: the video transcoder on the worker pool. A job (open a transcoder,
 * or feed it one frame) reads only the bridge's own copy of the input, never a
 * payload; the encoded frames are copied into packets on the event loop after it.
 */
#include "sr_video_bridge.h"

#include <string.h>

#include "sr_alloc.h"
#include "sr_codec_id.h"
#include "sr_error.h"
#include "sr_log.h"
#include "sr_time.h"
#include "sr_video_transcode.h"
#include "sr_work.h"

typedef struct sr_video_bridge_job {
    bool is_open;
    const uint8_t *data; /* the record or the frame: the bridge's copy */
    size_t size;
    int64_t dts_ms, pts_ms;
    bool is_key, is_key_wanted;
    int bitrate;
    sr_video_transcoder_t *t; /* open: the result; feed: the transcoder fed */
    int rc;
} sr_video_bridge_job_t;

struct sr_video_bridge {
    int bitrate;
    sr_video_transcoder_t *t;
    uint8_t *record; /* the input record t was opened with */
    size_t record_size;
    uint8_t *in; /* the frame being fed */
    size_t in_cap;
    bool is_skipping;    /* a frame was dropped: nothing until the next keyframe */
    bool is_key_wanted;  /* for the next feed */
    uint32_t config_gen; /* of the last output config emitted */
    int64_t last_dts;
    sr_video_transcode_frame_t frame; /* taken, not yet turned into a packet */
    bool has_frame;
    sr_utime_t warned_us;
    sr_video_bridge_job_t job;
    sr_video_bridge_stats_t stats;
};

/* Video jobs waiting on or running in the pool, all bridges together. */
static int sr_video_bridge_inflight;

static void sr_video_bridge_job_run(void *arg)
{
    sr_video_bridge_job_t *j = arg;
    if (j->is_open) {
        j->rc = sr_video_transcoder_new(j->data, j->size, j->bitrate, &j->t);
        return;
    }
    if (j->is_key_wanted) {
        sr_video_transcoder_request_key(j->t);
    }
    j->rc = sr_video_transcoder_feed(j->t, j->data, j->size, j->dts_ms, j->pts_ms, j->is_key);
}

sr_video_bridge_t *sr_video_bridge_new(int bitrate)
{
    sr_video_bridge_t *b = SR_NEW(sr_video_bridge_t);
    b->bitrate = bitrate;
    return b;
}

void sr_video_bridge_free(sr_video_bridge_t *b)
{
    if (!b) {
        return;
    }
    sr_video_transcoder_free(b->t);
    sr_free(b->record);
    sr_free(b->in);
    sr_free(b);
}

static int sr_video_bridge_run(sr_video_bridge_t *b)
{
    sr_utime_t start = sr_time_mono_us();
    sr_video_bridge_inflight++;
    int rc = sr_work_run(sr_video_bridge_job_run, &b->job);
    sr_video_bridge_inflight--;
    b->stats.busy_us += (uint64_t)(sr_time_mono_us() - start);
    return rc;
}

static int sr_video_bridge_open(sr_video_bridge_t *b, const uint8_t *record, size_t size)
{
    if (b->t && size == b->record_size && memcmp(record, b->record, size) == 0) {
        return SR_OK; /* a repeated sequence header: keep the encoder and its state */
    }
    b->record = sr_realloc(b->record, size);
    memcpy(b->record, record, size);
    b->record_size = size;
    b->job = (sr_video_bridge_job_t){.is_open = true, .data = b->record, .size = size, .bitrate = b->bitrate};
    int rc = sr_video_bridge_run(b);
    sr_video_transcoder_free(b->t);
    b->t = b->job.t;
    b->is_skipping = true; /* the new decoder starts at a keyframe */
    b->has_frame = false;
    if (b->job.rc != SR_OK) {
        return sr_err_new(-b->job.rc, "open H.264 transcoder: %s", sr_err_text(b->job.rc));
    }
    return rc;
}

/* Drop a frame because the pool is behind, and the rest of its GOP with it. */
static void sr_video_bridge_drop_busy(sr_video_bridge_t *b)
{
    b->stats.dropped_busy++;
    b->is_skipping = true;
    sr_utime_t now = sr_time_mono_us();
    if (now - b->warned_us >= SR_VIDEO_BRIDGE_WARN_US) {
        b->warned_us = now;
        sr_warn("video transcode behind: %d jobs in flight, %llu frames dropped to the next keyframe so far",
                sr_video_bridge_inflight, (unsigned long long)b->stats.dropped_busy);
    }
}

static int sr_video_bridge_transcode(sr_video_bridge_t *b, const sr_packet_t *pkt)
{
    bool is_key = (pkt->flags & SR_PACKET_IS_KEYFRAME) != 0;
    if (!b->t || (b->is_skipping && !is_key)) {
        return SR_OK;
    }
    if (sr_video_bridge_inflight >= SR_VIDEO_BRIDGE_MAX_INFLIGHT) {
        sr_video_bridge_drop_busy(b);
        return SR_OK;
    }
    size_t size;
    const uint8_t *data = sr_packet_body(pkt, &size);
    if (size == 0 || size > SR_VIDEO_BRIDGE_FRAME_MAX_BYTES) {
        return sr_err_new(SR_EFORMAT, "H.264 frame of %zu bytes", size);
    }
    if (size > b->in_cap) {
        b->in = sr_realloc(b->in, size);
        b->in_cap = size;
    }
    memcpy(b->in, data, size); /* the worker must not read a payload */
    b->is_skipping = false;
    b->has_frame = false; /* the feed invalidates a frame taken and not yet packed */
    b->job = (sr_video_bridge_job_t){.data = b->in,
                                     .size = size,
                                     .dts_ms = pkt->dts,
                                     .pts_ms = pkt->pts,
                                     .is_key = is_key,
                                     .is_key_wanted = b->is_key_wanted,
                                     .t = b->t};
    b->is_key_wanted = false;
    int rc = sr_video_bridge_run(b);
    b->stats.frames_in++;
    b->last_dts = pkt->dts;
    if (b->job.rc != SR_OK) {
        b->stats.refused++;
        return sr_err_new(-b->job.rc, "H.264 frame at %lld ms: %s", (long long)pkt->dts,
                          sr_video_transcoder_error(b->t));
    }
    return rc;
}

int sr_video_bridge_feed(sr_video_bridge_t *b, const sr_packet_t *pkt)
{
    if (pkt->type != SR_PACKET_VIDEO || pkt->codec != SR_CODEC_H264) {
        return SR_OK;
    }
    if (pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER) {
        size_t size;
        const uint8_t *data = sr_packet_body(pkt, &size);
        return size ? sr_video_bridge_open(b, data, size) : SR_OK;
    }
    return sr_video_bridge_transcode(b, pkt);
}

bool sr_video_bridge_take(sr_video_bridge_t *b, sr_packet_t *out)
{
    if (!b->t) {
        return false;
    }
    if (!b->has_frame) {
        b->has_frame = sr_video_transcoder_take(b->t, &b->frame);
        if (!b->has_frame) {
            return false;
        }
    }
    const uint8_t *rec;
    size_t rec_size;
    uint32_t gen = sr_video_transcoder_config(b->t, &rec, &rec_size);
    if (gen != b->config_gen && rec_size) {
        b->config_gen = gen; /* the record the frame just taken needs goes out before it */
        int64_t ts = b->frame.ts_ms;
        memcpy(sr_packet_init_frame(out, SR_CODEC_H264, SR_PACKET_IS_SEQUENCE_HEADER, ts, ts, rec_size), rec, rec_size);
        return true;
    }
    const sr_video_transcode_frame_t *f = &b->frame;
    uint8_t flags = f->is_key ? SR_PACKET_IS_KEYFRAME : 0;
    memcpy(sr_packet_init_frame(out, SR_CODEC_H264, flags, f->ts_ms, f->ts_ms, f->size), f->data, f->size);
    b->has_frame = false;
    b->stats.frames_out++;
    return true;
}

void sr_video_bridge_request_key(sr_video_bridge_t *b)
{
    b->is_key_wanted = true;
}

const char *sr_video_bridge_encoder(const sr_video_bridge_t *b)
{
    return b->t ? sr_video_transcoder_encoder(b->t) : "";
}

void sr_video_bridge_stats(const sr_video_bridge_t *b, sr_video_bridge_stats_t *out)
{
    *out = b->stats;
}
