/* SPDX-License-Identifier: MIT */
/*
 * sr_rtc_share.c: one bridge per source and track kind for its WHEP players. The shares
 * live in a list on the one event-loop thread; a share is found by its source and kind.
 */
#include "sr_rtc_share.h"

#include "sr_alloc.h"
#include "sr_audio_bridge.h"
#include "sr_codec_id.h"
#include "sr_error.h"
#include "sr_jitter.h"
#include "sr_log.h"
#include "sr_st.h"
#include "sr_time.h"
#include "sr_video_bridge.h"

#define SR_RTC_SHARE_WAKE_US (200 * SR_UTIME_MS)
#define SR_RTC_SHARE_BATCH 32
#define SR_RTC_SHARE_WARN_US (10 * SR_UTIME_S)
/* Keyframes asked for by players (joins, PLIs) at most this often: one player's PLIs
 * must not turn every frame of everyone's stream into an IDR. */
#define SR_RTC_SHARE_KEY_GAP_US (500 * SR_UTIME_MS)
#define SR_RTC_SHARE_QUEUE_MS 10000 /* the share's consumer drops GOPs past this */

struct sr_rtc_share {
    sr_source_t *source; /* referenced */
    sr_rtc_share_kind_t kind;
    sr_consumer_t *consumer;
    sr_video_bridge_t *video; /* the one bridge of its kind */
    sr_audio_bridge_t *audio;
    sr_co_t *co;
    sr_rtc_share_reader_t *readers;
    sr_packet_t *ring;
    size_t ring_size;
    uint64_t head;      /* sequence of the next frame into the ring */
    sr_packet_t config; /* the newest config frame (payload NULL: none yet) */
    uint32_t config_gen;
    sr_utime_t warned_us;
    bool is_key_wanted;     /* a player joined or sent a PLI */
    sr_utime_t next_key_us; /* requested keyframes are this far apart at least */
    struct sr_rtc_share *next;
};

static sr_rtc_share_t *sr_rtc_shares;

/* ==== the share's coroutine ==== */

static void sr_rtc_share_wake_readers(sr_rtc_share_t *sh)
{
    for (sr_rtc_share_reader_t *r = sh->readers; r; r = r->next_reader) {
        sr_consumer_post(r->wake, SR_CONSUMER_EV_WAKEUP);
    }
}

/* Keep one bridge output (its reference moves into the share). */
static void sr_rtc_share_keep(sr_rtc_share_t *sh, sr_packet_t *pkt)
{
    if (pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER) {
        if (sh->config.payload) {
            sr_packet_deinit(&sh->config);
        }
        sh->config = *pkt;
        sh->config_gen++;
        return;
    }
    sr_packet_t *slot = &sh->ring[sh->head % sh->ring_size];
    if (slot->payload) {
        sr_packet_deinit(slot);
    }
    *slot = *pkt;
    sh->head++;
}

static const char *sr_rtc_share_kind_name(sr_rtc_share_kind_t kind)
{
    return kind == SR_RTC_SHARE_VIDEO ? "video" : "audio";
}

/* Hand one source packet of the share's track to its bridge; its error, if any. */
static int sr_rtc_share_bridge_feed(sr_rtc_share_t *sh, const sr_packet_t *pkt)
{
    if (sh->kind == SR_RTC_SHARE_AUDIO) {
        return pkt->type == SR_PACKET_AUDIO ? sr_audio_bridge_feed(sh->audio, pkt) : SR_OK;
    }
    if (pkt->type != SR_PACKET_VIDEO || pkt->codec != SR_CODEC_H264) {
        return SR_OK;
    }
    sr_utime_t now = sr_time_mono_us();
    if (sh->is_key_wanted && now >= sh->next_key_us) {
        sh->is_key_wanted = false;
        sh->next_key_us = now + SR_RTC_SHARE_KEY_GAP_US;
        sr_video_bridge_request_key(sh->video);
    }
    return sr_video_bridge_feed(sh->video, pkt);
}

static bool sr_rtc_share_bridge_take(sr_rtc_share_t *sh, sr_packet_t *out)
{
    return sh->kind == SR_RTC_SHARE_AUDIO ? sr_audio_bridge_take(sh->audio, out) : sr_video_bridge_take(sh->video, out);
}

static void sr_rtc_share_feed(sr_rtc_share_t *sh, const sr_packet_t *pkt)
{
    int rc = sr_rtc_share_bridge_feed(sh, pkt);
    sr_utime_t now = sr_time_mono_us();
    if (rc != SR_OK && rc != -SR_EINTERRUPTED && now - sh->warned_us >= SR_RTC_SHARE_WARN_US) {
        sh->warned_us = now; /* a stream of broken frames: one line per period, the count at the end */
        sr_warn("rtc %s share %s: %s", sr_rtc_share_kind_name(sh->kind), sr_source_id(sh->source), sr_err_trail());
    }
    sr_err_clear();
    sr_packet_t out;
    bool has_new = false;
    while (sr_rtc_share_bridge_take(sh, &out)) {
        sr_rtc_share_keep(sh, &out);
        has_new = true;
    }
    if (has_new) {
        sr_rtc_share_wake_readers(sh);
    }
}

static void sr_rtc_share_cycle(void *arg)
{
    sr_rtc_share_t *sh = arg;
    while (sr_co_pull() == SR_OK) {
        int rc = sr_consumer_wait(sh->consumer, SR_RTC_SHARE_WAKE_US);
        if (rc == -SR_EINTERRUPTED) {
            break;
        }
        sr_err_clear();
        sr_consumer_take_events(sh->consumer);
        sr_packet_t pkts[SR_RTC_SHARE_BATCH];
        size_t n;
        while ((n = sr_consumer_fetch(sh->consumer, pkts, SR_ARRAY_SIZE(pkts))) > 0) {
            for (size_t i = 0; i < n; i++) {
                sr_rtc_share_feed(sh, &pkts[i]);
                sr_packet_deinit(&pkts[i]);
            }
        }
    }
    sr_err_clear();
}

/* ==== readers ==== */

static sr_rtc_share_t *sr_rtc_share_new(sr_source_t *src, sr_rtc_share_kind_t kind, int bitrate)
{
    sr_rtc_share_t *sh = SR_NEW(sr_rtc_share_t);
    sh->source = sr_source_ref(src);
    sh->kind = kind;
    sr_consumer_policy_t policy = {
        .queue_length_ms = SR_RTC_SHARE_QUEUE_MS,
        .time_jitter = SR_JITTER_OFF, /* the players' consumers read the source's timeline too */
        .is_min_latency = true,
        .is_sink = true, /* not a player: the source's player count and idle time stay the players' */
    };
    sh->consumer = sr_source_consumer_add(src, &policy);
    if (kind == SR_RTC_SHARE_AUDIO) {
        sh->audio = sr_audio_bridge_new(SR_CODEC_OPUS, bitrate);
        sh->ring_size = SR_RTC_SHARE_AUDIO_RING;
    } else {
        sh->video = sr_video_bridge_new(bitrate);
        sh->ring_size = SR_RTC_SHARE_VIDEO_RING;
    }
    sh->ring = sr_calloc(sh->ring_size, sizeof(sr_packet_t));
    sh->co = sr_co_start(sr_rtc_share_cycle, sh, ""); /* outlives the player that made it */
    sh->next = sr_rtc_shares;
    sr_rtc_shares = sh;
    sr_trace("rtc %s share %s: %s for WebRTC players", sr_rtc_share_kind_name(kind), sr_source_id(src),
             kind == SR_RTC_SHARE_AUDIO ? "transcoding AAC to Opus" : "transcoding H.264 without B-frames");
    return sh;
}

static void sr_rtc_share_log_end(const sr_rtc_share_t *sh)
{
    const char *id = sr_source_id(sh->source);
    if (sh->kind == SR_RTC_SHARE_AUDIO) {
        sr_audio_bridge_stats_t st;
        sr_audio_bridge_stats(sh->audio, &st);
        sr_trace("rtc audio share %s: end, %llu frames in, %llu out, %llu dropped (pool behind), %llu refused", id,
                 (unsigned long long)st.frames_in, (unsigned long long)st.frames_out,
                 (unsigned long long)st.dropped_busy, (unsigned long long)st.refused);
        return;
    }
    sr_video_bridge_stats_t st;
    sr_video_bridge_stats(sh->video, &st);
    sr_trace("rtc video share %s: end, %llu frames in, %llu out (%s), %llu dropped (pool behind), %llu refused, "
             "%.1f s of codec time",
             id, (unsigned long long)st.frames_in, (unsigned long long)st.frames_out,
             sr_video_bridge_encoder(sh->video), (unsigned long long)st.dropped_busy, (unsigned long long)st.refused,
             (double)st.busy_us / 1e6);
}

static void sr_rtc_share_free(sr_rtc_share_t *sh)
{
    sr_co_stop(sh->co); /* may yield: sh is out of the list, so no reader joins it meanwhile */
    sr_rtc_share_log_end(sh);
    sr_video_bridge_free(sh->video);
    sr_audio_bridge_free(sh->audio);
    for (size_t i = 0; i < sh->ring_size; i++) {
        if (sh->ring[i].payload) {
            sr_packet_deinit(&sh->ring[i]);
        }
    }
    sr_free(sh->ring);
    if (sh->config.payload) {
        sr_packet_deinit(&sh->config);
    }
    sr_source_consumer_remove(sh->consumer);
    sr_source_unref(sh->source);
    sr_free(sh);
}

void sr_rtc_share_join(sr_rtc_share_reader_t *r, sr_source_t *src, sr_rtc_share_kind_t kind, sr_consumer_t *wake,
                       int bitrate)
{
    sr_rtc_share_t *sh = sr_rtc_shares;
    while (sh && (sh->source != src || sh->kind != kind)) {
        sh = sh->next;
    }
    if (!sh) {
        sh = sr_rtc_share_new(src, kind, bitrate);
    }
    *r = (sr_rtc_share_reader_t){.share = sh, .wake = wake, .next_reader = sh->readers};
    sh->readers = r;
    r->next = sh->head;
    if (kind == SR_RTC_SHARE_VIDEO) {
        /* Start at the keyframe asked for now rather than the newest in the ring, which
         * may be seconds old: the player would start that far behind. A new share starts
         * at the source's cached GOP, whose keyframe comes first anyway. */
        r->is_placed = true;
        r->is_waiting_key = true;
        sh->is_key_wanted = true;
    }
}

bool sr_rtc_share_is_joined(const sr_rtc_share_reader_t *r)
{
    return r->share != NULL;
}

void sr_rtc_share_leave(sr_rtc_share_reader_t *r)
{
    sr_rtc_share_t *sh = r->share;
    if (!sh) {
        return;
    }
    r->share = NULL;
    sr_rtc_share_reader_t **pp = &sh->readers;
    while (*pp && *pp != r) {
        pp = &(*pp)->next_reader;
    }
    if (*pp) {
        *pp = r->next_reader;
    }
    if (sh->readers) {
        return;
    }
    sr_rtc_share_t **sp = &sr_rtc_shares;
    while (*sp && *sp != sh) {
        sp = &(*sp)->next;
    }
    if (*sp) {
        *sp = sh->next;
    }
    sr_rtc_share_free(sh);
}

void sr_rtc_share_place(sr_rtc_share_reader_t *r, int64_t dts)
{
    sr_rtc_share_t *sh = r->share;
    if (!sh || r->is_placed) {
        return;
    }
    r->is_placed = true;
    /* Back from the newest while the frames are at dts or later: a republish that
     * restarted the timeline leaves older, larger dts further back, not in between. */
    uint64_t oldest = sh->head > sh->ring_size ? sh->head - sh->ring_size : 0;
    uint64_t i = sh->head;
    while (i > oldest && sh->ring[(i - 1) % sh->ring_size].dts >= dts) {
        i--;
    }
    r->next = i;
}

bool sr_rtc_share_fetch(sr_rtc_share_reader_t *r, sr_packet_t *out)
{
    sr_rtc_share_t *sh = r->share;
    if (!sh || !r->is_placed) {
        return false;
    }
    if (sh->config.payload && r->config_gen != sh->config_gen) {
        r->config_gen = sh->config_gen;
        sr_packet_copy(out, &sh->config);
        return true;
    }
    if (sh->head - r->next > sh->ring_size) {
        r->skipped += sh->head - r->next; /* overwritten before it was read */
        r->next = sh->head;
        r->is_waiting_key = sh->kind == SR_RTC_SHARE_VIDEO;
    }
    while (r->next < sh->head) {
        const sr_packet_t *p = &sh->ring[r->next % sh->ring_size];
        r->next++;
        if (r->is_waiting_key && !(p->flags & SR_PACKET_IS_KEYFRAME)) {
            continue;
        }
        r->is_waiting_key = false;
        sr_packet_copy(out, p);
        return true;
    }
    return false;
}

void sr_rtc_share_request_key(sr_rtc_share_reader_t *r)
{
    if (r->share && r->share->kind == SR_RTC_SHARE_VIDEO) {
        r->share->is_key_wanted = true;
    }
}
