/* SPDX-License-Identifier: MIT */
/*
 * sr_gop_cache.c: the GOP cache of a source (see sr_gop_cache.h for the contract).
 *
 * Storage is a ring of sr_packet_t by value, each holding one payload reference. A video
 * GOP only ever grows at the back and is dropped whole, but an audio-only cache drops its
 * oldest packet on every add once full, which the ring makes O(1). Capacity grows by
 * doubling and is kept across GOPs, so a steady stream stops allocating after its first
 * large GOP.
 */
#include "sr_gop_cache.h"

#include "sr_alloc.h"

#define SR_GOP_CACHE_MIN_CAP 64

struct sr_gop_cache {
    bool enabled;
    int max_frames;
    bool has_video; /* a video packet was seen: audio is then only cached inside a GOP */
    bool in_gop;    /* the cache starts with a video keyframe and is collecting */
    uint64_t overflows;
    sr_packet_t *ring; /* cap slots, cap is 0 or a power of two */
    size_t cap;
    size_t head; /* slot of the oldest packet */
    size_t count;
};

static sr_packet_t *sr_gop_cache_slot(const sr_gop_cache_t *c, size_t i)
{
    return &c->ring[(c->head + i) & (c->cap - 1)];
}

static void sr_gop_cache_grow(sr_gop_cache_t *c)
{
    size_t cap = c->cap ? c->cap * 2 : SR_GOP_CACHE_MIN_CAP;
    sr_packet_t *ring = (sr_packet_t *)sr_malloc(cap * sizeof(*ring));

    for (size_t i = 0; i < c->count; i++) {
        ring[i] = *sr_gop_cache_slot(c, i);
    }
    sr_free(c->ring);
    c->ring = ring;
    c->cap = cap;
    c->head = 0;
}

static void sr_gop_cache_push(sr_gop_cache_t *c, const sr_packet_t *pkt)
{
    if (c->count == c->cap) {
        sr_gop_cache_grow(c);
    }
    sr_packet_copy(sr_gop_cache_slot(c, c->count), pkt);
    c->count++;
}

static void sr_gop_cache_pop_front(sr_gop_cache_t *c)
{
    sr_packet_deinit(sr_gop_cache_slot(c, 0));
    c->head = (c->head + 1) & (c->cap - 1);
    c->count--;
}

/* drop every cached packet, keep the capacity and the stream state */
static void sr_gop_cache_release(sr_gop_cache_t *c)
{
    while (c->count > 0) {
        sr_gop_cache_pop_front(c);
    }
    c->head = 0;
    c->in_gop = false;
}

sr_gop_cache_t *sr_gop_cache_new(bool enabled, int max_frames)
{
    sr_gop_cache_t *c = SR_NEW(sr_gop_cache_t);

    c->enabled = enabled;
    c->max_frames = max_frames;
    return c;
}

void sr_gop_cache_free(sr_gop_cache_t *c)
{
    if (!c) {
        return;
    }
    sr_gop_cache_release(c);
    sr_free(c->ring);
    sr_free(c);
}

void sr_gop_cache_set_enabled(sr_gop_cache_t *c, bool enabled)
{
    if (!enabled) {
        sr_gop_cache_release(c);
    }
    c->enabled = enabled;
}

bool sr_gop_cache_is_enabled(const sr_gop_cache_t *c)
{
    return c->enabled;
}

void sr_gop_cache_set_max_frames(sr_gop_cache_t *c, int max_frames)
{
    c->max_frames = max_frames;
}

/* first sight of video: an audio-only cache is no longer a valid start for a player */
static void sr_gop_cache_saw_video(sr_gop_cache_t *c)
{
    if (!c->has_video) {
        c->has_video = true;
        if (!c->in_gop) {
            sr_gop_cache_release(c);
        }
    }
}

/* a GOP that outgrew max_frames is useless to a new player: drop it until the next keyframe */
static void sr_gop_cache_check_overflow(sr_gop_cache_t *c)
{
    if (c->max_frames > 0 && c->count > (size_t)c->max_frames) {
        sr_gop_cache_release(c);
        c->overflows++;
    }
}

static void sr_gop_cache_add_video(sr_gop_cache_t *c, const sr_packet_t *pkt)
{
    sr_gop_cache_saw_video(c);
    if (sr_packet_is_video_keyframe(pkt)) {
        sr_gop_cache_release(c);
        c->in_gop = true;
        sr_gop_cache_push(c, pkt);
        return;
    }
    if (!c->in_gop) {
        return; /* no keyframe to decode it from */
    }
    sr_gop_cache_push(c, pkt);
    sr_gop_cache_check_overflow(c);
}

static void sr_gop_cache_add_audio(sr_gop_cache_t *c, const sr_packet_t *pkt)
{
    if (c->in_gop) {
        sr_gop_cache_push(c, pkt);
        sr_gop_cache_check_overflow(c);
        return;
    }
    if (c->has_video) {
        return; /* a video stream between GOPs: a player must start on a keyframe */
    }
    /* audio-only: every AAC/MP3 frame is a start point, keep the most recent ones */
    size_t limit = c->max_frames > 0 ? (size_t)c->max_frames : SR_GOP_CACHE_DEFAULT_MAX_FRAMES;
    sr_gop_cache_push(c, pkt);
    while (c->count > limit) {
        sr_gop_cache_pop_front(c);
    }
}

void sr_gop_cache_add(sr_gop_cache_t *c, const sr_packet_t *pkt)
{
    if (!c->enabled) {
        return;
    }
    if (!sr_packet_is_av(pkt) || (pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER)) {
        if (pkt->type == SR_PACKET_VIDEO) {
            sr_gop_cache_saw_video(c);
        }
        return; /* the source caches metadata and sequence headers itself */
    }
    if (pkt->type == SR_PACKET_VIDEO) {
        sr_gop_cache_add_video(c, pkt);
    } else {
        sr_gop_cache_add_audio(c, pkt);
    }
}

size_t sr_gop_cache_count(const sr_gop_cache_t *c)
{
    return c->count;
}

const sr_packet_t *sr_gop_cache_at(const sr_gop_cache_t *c, size_t i)
{
    return i < c->count ? sr_gop_cache_slot(c, i) : NULL;
}

void sr_gop_cache_clear(sr_gop_cache_t *c)
{
    sr_gop_cache_release(c);
    c->has_video = false;
}

int64_t sr_gop_cache_duration_ms(const sr_gop_cache_t *c)
{
    if (c->count < 2) {
        return 0;
    }
    int64_t d = 0;
    /* publisher timestamps are not corrected yet: any int64 may arrive */
    if (__builtin_sub_overflow(sr_gop_cache_slot(c, c->count - 1)->dts, sr_gop_cache_slot(c, 0)->dts, &d)) {
        return 0;
    }
    return d > 0 ? d : 0;
}

bool sr_gop_cache_starts_with_keyframe(const sr_gop_cache_t *c)
{
    return c->count > 0 && sr_packet_is_video_keyframe(sr_gop_cache_slot(c, 0));
}

uint64_t sr_gop_cache_overflows(const sr_gop_cache_t *c)
{
    return c->overflows;
}
