/* SPDX-License-Identifier: MIT */
/*
 * sr_audio_bridge.c: the transcoder on the worker pool. A job (open a transcoder, or
 * feed it one frame) lives in the bridge and reads only the bridge's own copies of the
 * input, never a payload, so the worker touches only memory the waiting coroutine
 * owns. Taking the encoded frames is a copy, done on the event loop after the job.
 */
#include "sr_audio_bridge.h"

#include <string.h>

#include "sr_alloc.h"
#include "sr_audio_transcode.h"
#include "sr_error.h"
#include "sr_work.h"

#define SR_AUDIO_BRIDGE_PENDING 4 /* config and pass-through packets of one feed: 2 at most */

typedef enum sr_audio_bridge_op {
    SR_AUDIO_BRIDGE_OPEN,
    SR_AUDIO_BRIDGE_FEED,
} sr_audio_bridge_op_t;

/* One job; its fields are written by the coroutine before and read after sr_work_run. */
typedef struct sr_audio_bridge_job {
    sr_audio_bridge_op_t op;
    sr_codec_id_t from;
    const uint8_t *data; /* OPEN: the config (NULL for none); FEED: the frame */
    size_t size;
    int64_t pts_ms;           /* FEED */
    int bitrate;              /* OPEN */
    sr_audio_transcoder_t *t; /* OPEN: the result; FEED: the transcoder fed */
    int rc;
} sr_audio_bridge_job_t;

struct sr_audio_bridge {
    sr_codec_id_t to;
    int bitrate;
    sr_audio_transcoder_t *t;
    sr_codec_id_t from;  /* what t decodes */
    uint8_t *config;     /* the input config t was opened with */
    size_t config_size;  /* 0: none (Opus from RTP) */
    bool has_config;     /* a config frame opened t */
    uint8_t *out_config; /* the last output config frame emitted */
    size_t out_config_size;
    uint8_t *in; /* the frame being fed */
    size_t in_cap;
    sr_audio_bridge_job_t job;
    sr_packet_t pending[SR_AUDIO_BRIDGE_PENDING]; /* config and pass-through packets to take */
    unsigned nb_pending;
    uint8_t frame[SR_AUDIO_TRANSCODE_FRAME_MAX_BYTES]; /* one encoded frame on its way to a packet */
    sr_audio_bridge_stats_t stats;
};

/* Bridge jobs waiting on or running in the pool, all bridges together: how far behind
 * the pool is, as seen from the one event-loop thread. */
static int sr_audio_bridge_inflight;

/* ==== on a worker thread ==== */

static void sr_audio_bridge_job_run(void *arg)
{
    sr_audio_bridge_job_t *j = arg;
    if (j->op == SR_AUDIO_BRIDGE_OPEN) {
        sr_codec_id_t to = j->from == SR_CODEC_AAC ? SR_CODEC_OPUS : SR_CODEC_AAC;
        j->rc = sr_audio_transcoder_new(j->from, j->data, j->size, to, j->bitrate, &j->t);
    } else {
        j->rc = sr_audio_transcoder_feed(j->t, j->data, j->size, j->pts_ms);
    }
}

/* ==== on the event loop ==== */

sr_audio_bridge_t *sr_audio_bridge_new(sr_codec_id_t to, int bitrate)
{
    if (to != SR_CODEC_OPUS && to != SR_CODEC_AAC) {
        return NULL;
    }
    sr_audio_bridge_t *b = SR_NEW(sr_audio_bridge_t);
    b->to = to;
    b->bitrate = bitrate;
    return b;
}

void sr_audio_bridge_free(sr_audio_bridge_t *b)
{
    if (!b) {
        return;
    }
    sr_audio_transcoder_free(b->t);
    for (unsigned i = 0; i < b->nb_pending; i++) {
        sr_packet_deinit(&b->pending[i]);
    }
    sr_free(b->config);
    sr_free(b->out_config);
    sr_free(b->in);
    sr_free(b);
}

/* Queue a packet to take (consumes pkt's reference); the oldest goes when full. */
static void sr_audio_bridge_pend(sr_audio_bridge_t *b, sr_packet_t *pkt)
{
    if (b->nb_pending == SR_AUDIO_BRIDGE_PENDING) {
        sr_packet_deinit(&b->pending[0]);
        memmove(&b->pending[0], &b->pending[1], (SR_AUDIO_BRIDGE_PENDING - 1) * sizeof(b->pending[0]));
        b->nb_pending--;
    }
    b->pending[b->nb_pending++] = *pkt;
}

/* Run the bridge's job on the pool; the in-flight count covers the wait. */
static int sr_audio_bridge_run(sr_audio_bridge_t *b)
{
    sr_audio_bridge_inflight++;
    int rc = sr_work_run(sr_audio_bridge_job_run, &b->job);
    sr_audio_bridge_inflight--;
    return rc;
}

/* Emit the transcoder's output config frame at dts unless it is the one emitted last. */
static void sr_audio_bridge_emit_config(sr_audio_bridge_t *b, int64_t dts)
{
    const uint8_t *cfg;
    size_t size;
    sr_audio_transcoder_config(b->t, &cfg, &size);
    if (b->out_config && size == b->out_config_size && memcmp(cfg, b->out_config, size) == 0) {
        return;
    }
    b->out_config = sr_realloc(b->out_config, size);
    memcpy(b->out_config, cfg, size);
    b->out_config_size = size;
    sr_packet_t pkt;
    memcpy(sr_packet_init_frame(&pkt, b->to, SR_PACKET_IS_SEQUENCE_HEADER, dts, dts, size), cfg, size);
    sr_audio_bridge_pend(b, &pkt);
}

/* Open a transcoder from `from` with config[0..size) (NULL: none) in place of the
 * current one. */
static int sr_audio_bridge_open(sr_audio_bridge_t *b, sr_codec_id_t from, const uint8_t *config, size_t size,
                                int64_t dts)
{
    uint8_t *copy = size ? sr_malloc(size) : NULL;
    if (size) {
        memcpy(copy, config, size);
    }
    b->job = (sr_audio_bridge_job_t){
        .op = SR_AUDIO_BRIDGE_OPEN, .from = from, .data = copy, .size = size, .bitrate = b->bitrate};
    int rc = sr_audio_bridge_run(b);
    sr_audio_transcoder_free(b->t); /* its frames were taken after its last feed */
    b->t = b->job.t;
    sr_free(b->config);
    b->config = copy;
    b->config_size = size;
    b->from = from;
    b->has_config = config != NULL;
    if (b->job.rc != SR_OK) {
        return sr_err_new(-b->job.rc, "open %s to %s transcoder: %s", sr_codec_id_name(from), sr_codec_id_name(b->to),
                          sr_err_text(b->job.rc));
    }
    sr_audio_bridge_emit_config(b, dts);
    return rc;
}

static bool sr_audio_bridge_is_same_config(const sr_audio_bridge_t *b, sr_codec_id_t from, const uint8_t *data,
                                           size_t size)
{
    return b->t && b->has_config && b->from == from && size == b->config_size && memcmp(data, b->config, size) == 0;
}

/* Transcode one frame of the other codec. */
static int sr_audio_bridge_transcode(sr_audio_bridge_t *b, const sr_packet_t *pkt, const uint8_t *data, size_t size)
{
    sr_codec_id_t from = (sr_codec_id_t)pkt->codec;
    if (!b->t || b->from != from) {
        if (from == SR_CODEC_AAC) {
            b->stats.dropped_no_config++; /* nothing can decode AAC without its config */
            return SR_OK;
        }
        int rc = sr_audio_bridge_open(b, from, NULL, 0, pkt->dts);
        if (rc != SR_OK) {
            return rc;
        }
    }
    if (sr_audio_bridge_inflight >= SR_AUDIO_BRIDGE_MAX_INFLIGHT) {
        b->stats.dropped_busy++;
        return SR_OK;
    }
    if (size > SR_AUDIO_BRIDGE_FRAME_MAX_BYTES) {
        return sr_err_new(SR_EFORMAT, "%s frame of %zu bytes", sr_codec_id_name(from), size);
    }
    if (size > b->in_cap) {
        b->in = sr_realloc(b->in, size);
        b->in_cap = size;
    }
    memcpy(b->in, data, size); /* the worker must not read a payload: a copy it alone owns */
    b->job = (sr_audio_bridge_job_t){
        .op = SR_AUDIO_BRIDGE_FEED, .from = from, .data = b->in, .size = size, .pts_ms = pkt->pts, .t = b->t};
    int rc = sr_audio_bridge_run(b);
    b->stats.frames_in++;
    if (b->job.rc == -SR_EFORMAT) {
        b->stats.refused++;
    }
    if (b->job.rc != SR_OK) {
        return sr_err_new(-b->job.rc, "%s frame at %lld ms: %s", sr_codec_id_name(from), (long long)pkt->pts,
                          sr_audio_transcoder_error(b->t));
    }
    return rc;
}

int sr_audio_bridge_feed(sr_audio_bridge_t *b, const sr_packet_t *pkt)
{
    if (pkt->type != SR_PACKET_AUDIO) {
        return sr_err_new(SR_EINVAL, "not an audio packet (type %d)", pkt->type);
    }
    if (pkt->codec == b->to) {
        sr_packet_t copy;
        sr_packet_copy(&copy, pkt);
        sr_audio_bridge_pend(b, &copy);
        return SR_OK;
    }
    if (pkt->codec != SR_CODEC_AAC && pkt->codec != SR_CODEC_OPUS) {
        return sr_err_new(SR_EUNSUPPORTED, "audio codec %s", sr_codec_id_name((sr_codec_id_t)pkt->codec));
    }
    size_t size;
    const uint8_t *data = sr_packet_body(pkt, &size);
    if (!(pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER)) {
        return sr_audio_bridge_transcode(b, pkt, data, size);
    }
    if (sr_audio_bridge_is_same_config(b, (sr_codec_id_t)pkt->codec, data, size)) {
        return SR_OK; /* a repeated sequence header: keep the transcoder and its timeline */
    }
    return sr_audio_bridge_open(b, (sr_codec_id_t)pkt->codec, data, size, pkt->dts);
}

bool sr_audio_bridge_take(sr_audio_bridge_t *b, sr_packet_t *out)
{
    if (b->nb_pending) {
        *out = b->pending[0];
        b->nb_pending--;
        memmove(&b->pending[0], &b->pending[1], b->nb_pending * sizeof(b->pending[0]));
        return true;
    }
    size_t len;
    int64_t pts;
    if (!b->t || !sr_audio_transcoder_take(b->t, b->frame, sizeof(b->frame), &len, &pts)) {
        return false;
    }
    memcpy(sr_packet_init_frame(out, b->to, 0, pts, pts, len), b->frame, len);
    b->stats.frames_out++;
    return true;
}

void sr_audio_bridge_stats(const sr_audio_bridge_t *b, sr_audio_bridge_stats_t *out)
{
    *out = b->stats;
}
