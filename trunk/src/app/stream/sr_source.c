/* SPDX-License-Identifier: MIT */
/*
 * sr_source.c: the source, its caches and fan-out, and the registry (a chained hash
 * table keyed by "vhost/app/stream"). A packet is stored once in the source's ring
 * (sr_consumer_internal.h) whatever the number of consumers, and never waits for one,
 * so a slow player cannot hold up the publisher or the other players.
 */
#include "sr_source.h"

#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_consumer_internal.h"
#include "sr_context.h"
#include "sr_error.h"
#include "sr_flv.h"
#include "sr_gop_cache.h"
#include "sr_kbps.h"
#include "sr_mix_queue.h"
#include "sr_time.h"

#define SR_SOURCE_BUCKETS 1024

struct sr_source {
    sr_source_registry_t *registry;
    sr_source_t *hash_next;
    int refs;
    char *key;
    char id[16];
    sr_kbps_t kbps;
    char *vhost;
    char *app;
    char *stream;
    bool is_publishing;
    bool has_reordered_video; /* a video frame of this publish had pts != dts (B-frames) */
    char publisher_cid[16];
    sr_packet_t meta;
    sr_packet_t video_sh;
    sr_packet_t audio_sh;
    sr_gop_cache_t *gop;
    sr_fanout_t fanout;
    int consumer_count;
    int player_count;         /* consumers that are not sinks */
    sr_utime_t idle_since_us; /* with no player since (monotonic) */
    sr_source_policy_t policy;
    sr_mix_queue_t *mix;    /* while mix_correct is on */
    struct sr_sinks *sinks; /* not owned: see sr_source_set_sinks */
    sr_source_stats_t stats;
    uint64_t dropped_gone; /* packets dropped for consumers that have left */
};

struct sr_source_registry {
    sr_source_t *buckets[SR_SOURCE_BUCKETS];
    size_t count;
    const sr_source_observer_t *observers[SR_SOURCE_MAX_OBSERVERS];
    size_t nobservers;
};

/* Call the observers' callback at offset `field` (one of sr_source_observer_t's). */
#define SR_SOURCE_NOTIFY(s, field)                                                                                     \
    do {                                                                                                               \
        sr_source_registry_t *r_ = (s)->registry;                                                                      \
        for (size_t i_ = 0; i_ < r_->nobservers; i_++) {                                                               \
            if (r_->observers[i_]->field) {                                                                            \
                r_->observers[i_]->field(r_->observers[i_]->arg, (s));                                                 \
            }                                                                                                          \
        }                                                                                                              \
    } while (0)

int sr_source_registry_observe(sr_source_registry_t *r, const sr_source_observer_t *o)
{
    if (r->nobservers == SR_SOURCE_MAX_OBSERVERS) {
        return sr_err_new(SR_EOVERFLOW, "more than %d source observers", SR_SOURCE_MAX_OBSERVERS);
    }
    r->observers[r->nobservers++] = o;
    return SR_OK;
}

void sr_source_registry_unobserve(sr_source_registry_t *r, const sr_source_observer_t *o)
{
    for (size_t i = 0; i < r->nobservers; i++) {
        if (r->observers[i] == o) {
            memmove(&r->observers[i], &r->observers[i + 1], (r->nobservers - i - 1) * sizeof(r->observers[0]));
            r->nobservers--;
            return;
        }
    }
}

/* ---- registry ---- */

static uint32_t sr_source_hash(const char *key)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h = (h ^ *p) * 16777619u;
    }
    return h % SR_SOURCE_BUCKETS;
}

sr_source_registry_t *sr_source_registry_new(void)
{
    return SR_NEW(sr_source_registry_t);
}

void sr_source_registry_free(sr_source_registry_t *r)
{
    sr_free(r);
}

static sr_source_t *sr_source_new(sr_source_registry_t *r, const char *key, const char *vhost, const char *app,
                                  const char *stream)
{
    sr_source_t *s = SR_NEW(sr_source_t);
    s->registry = r;
    s->refs = 1;
    s->key = sr_strdup(key);
    char cid[SR_CID_LEN + 1];
    sr_context_new_cid(cid);
    snprintf(s->id, sizeof(s->id), "vid-%.7s", cid);
    s->vhost = sr_strdup(vhost);
    s->app = sr_strdup(app);
    s->stream = sr_strdup(stream);
    s->gop = sr_gop_cache_new(true, 2500);
    s->stats.created_ms = sr_time_wall_us() / 1000;
    sr_kbps_sample(&s->kbps, 0, 0, s->stats.created_ms); /* the baseline, so the first rate comes one tick later */
    s->stats.audio_codec = -1;
    uint32_t b = sr_source_hash(key);
    s->hash_next = r->buckets[b];
    r->buckets[b] = s;
    r->count++;
    return s;
}

sr_source_t *sr_source_fetch(sr_source_registry_t *r, const char *vhost, const char *app, const char *stream,
                             bool create)
{
    char key[1024];
    snprintf(key, sizeof(key), "%s/%s/%s", vhost, app, stream);
    for (sr_source_t *s = r->buckets[sr_source_hash(key)]; s; s = s->hash_next) {
        if (strcmp(s->key, key) == 0) {
            return sr_source_ref(s);
        }
    }
    return create ? sr_source_new(r, key, vhost, app, stream) : NULL;
}

sr_source_t *sr_source_ref(sr_source_t *s)
{
    s->refs++;
    return s;
}

static void sr_source_clear_caches(sr_source_t *s)
{
    sr_packet_deinit(&s->meta);
    sr_packet_deinit(&s->video_sh);
    sr_packet_deinit(&s->audio_sh);
    sr_gop_cache_clear(s->gop);
}

void sr_source_unref(sr_source_t *s)
{
    if (!s || --s->refs > 0) {
        return;
    }
    sr_source_registry_t *r = s->registry;
    sr_source_t **pp = &r->buckets[sr_source_hash(s->key)];
    while (*pp && *pp != s) {
        pp = &(*pp)->hash_next;
    }
    if (*pp) {
        *pp = s->hash_next;
        r->count--;
    }
    sr_source_clear_caches(s);
    sr_mix_queue_free(s->mix);
    sr_gop_cache_free(s->gop);
    sr_fanout_deinit(&s->fanout);
    sr_free(s->key);
    sr_free(s->vhost);
    sr_free(s->app);
    sr_free(s->stream);
    sr_free(s);
}

size_t sr_source_registry_count(const sr_source_registry_t *r)
{
    return r->count;
}

void sr_source_registry_foreach(sr_source_registry_t *r, void (*fn)(sr_source_t *s, void *arg), void *arg)
{
    for (size_t b = 0; b < SR_SOURCE_BUCKETS; b++) {
        for (sr_source_t *s = r->buckets[b]; s; s = s->hash_next) {
            fn(s, arg);
        }
    }
}

/* ---- accessors ---- */

const char *sr_source_id(const sr_source_t *s)
{
    return s->id;
}

sr_source_t *sr_source_registry_find_id(sr_source_registry_t *r, const char *id)
{
    for (size_t b = 0; b < SR_SOURCE_BUCKETS; b++) {
        for (sr_source_t *s = r->buckets[b]; s; s = s->hash_next) {
            if (strcmp(s->id, id) == 0) {
                return s;
            }
        }
    }
    return NULL;
}

void sr_source_registry_sample(sr_source_registry_t *r, int64_t now_ms)
{
    for (size_t b = 0; b < SR_SOURCE_BUCKETS; b++) {
        for (sr_source_t *s = r->buckets[b]; s; s = s->hash_next) {
            sr_kbps_sample(&s->kbps, s->stats.recv_bytes, 0, now_ms);
        }
    }
}

void sr_source_registry_tick(sr_source_registry_t *r)
{
    for (size_t b = 0; b < SR_SOURCE_BUCKETS; b++) {
        for (sr_source_t *s = r->buckets[b]; s; s = s->hash_next) {
            sr_fanout_wake_stragglers(&s->fanout);
        }
    }
}

int sr_source_kbps_recv(const sr_source_t *s)
{
    return sr_kbps_recv(&s->kbps);
}

const sr_packet_t *sr_source_video_sequence_header(const sr_source_t *s)
{
    return &s->video_sh;
}

const sr_packet_t *sr_source_audio_sequence_header(const sr_source_t *s)
{
    return &s->audio_sh;
}

const char *sr_source_vhost(const sr_source_t *s)
{
    return s->vhost;
}

const char *sr_source_app(const sr_source_t *s)
{
    return s->app;
}

const char *sr_source_stream(const sr_source_t *s)
{
    return s->stream;
}

void sr_source_get_stats(const sr_source_t *s, sr_source_stats_t *out)
{
    *out = s->stats;
    out->consumers = s->consumer_count;
    out->is_publishing = s->is_publishing;
    snprintf(out->publisher_cid, sizeof(out->publisher_cid), "%s", s->publisher_cid);
}

uint64_t sr_source_dropped(const sr_source_t *s)
{
    uint64_t n = s->dropped_gone;
    for (sr_consumer_t *c = s->fanout.consumers; c; c = sr_consumer__next(c)) {
        n += sr_consumer_dropped(c);
    }
    return n;
}

static void sr_source_fan_out(sr_source_t *s, const sr_packet_t *pkt);

/* Send what the mix queue holds, oldest first (mix_correct turned off, or unpublish). */
static void sr_source_mix_flush(sr_source_t *s)
{
    sr_packet_t pkt;
    while (s->mix && sr_mix_queue_flush_one(s->mix, &pkt)) {
        sr_source_fan_out(s, &pkt);
        sr_packet_deinit(&pkt);
    }
}

void sr_source_set_policy(sr_source_t *s, const sr_source_policy_t *policy)
{
    s->policy = *policy;
    sr_gop_cache_set_enabled(s->gop, policy->is_gop_cache);
    sr_gop_cache_set_max_frames(s->gop, policy->gop_cache_max_frames);
    if (policy->is_mix_correct && !s->mix) {
        s->mix = sr_mix_queue_new();
    } else if (!policy->is_mix_correct && s->mix) {
        sr_source_mix_flush(s);
        sr_mix_queue_free(s->mix);
        s->mix = NULL;
    }
}

void sr_source_set_sinks(sr_source_t *s, struct sr_sinks *sinks)
{
    s->sinks = sinks;
}

struct sr_sinks *sr_source_sinks(const sr_source_t *s)
{
    return s->sinks;
}

sr_utime_t sr_source_idle_us(const sr_source_t *s)
{
    if (s->player_count > 0) {
        return 0;
    }
    sr_utime_t now = sr_time_mono_us();
    return now > s->idle_since_us ? now - s->idle_since_us : 0;
}

/* ---- publish ---- */

int sr_source_publish(sr_source_t *s, const char *publisher_cid)
{
    if (s->is_publishing) {
        return sr_err_new(SR_ESTREAM_BUSY, "stream %s is already published by %s", s->key, s->publisher_cid);
    }
    s->is_publishing = true;
    s->idle_since_us = sr_time_mono_us();
    snprintf(s->publisher_cid, sizeof(s->publisher_cid), "%s", publisher_cid);
    s->has_reordered_video = false;
    sr_source_clear_caches(s);
    sr_fanout_new_publish(&s->fanout); /* players that stayed through a reconnect continue */
    sr_source_post_all(s, SR_CONSUMER_EV_PUBLISH);
    SR_SOURCE_NOTIFY(s, on_publish);
    return SR_OK;
}

void sr_source_unpublish(sr_source_t *s)
{
    if (!s->is_publishing) {
        return;
    }
    sr_source_mix_flush(s); /* what the publisher sent is delivered */
    s->is_publishing = false;
    s->publisher_cid[0] = '\0';
    sr_source_clear_caches(s);
    sr_source_post_all(s, SR_CONSUMER_EV_UNPUBLISH);
    SR_SOURCE_NOTIFY(s, on_unpublish);
}

bool sr_source_has_reordered_video(const sr_source_t *s)
{
    return s->has_reordered_video;
}

bool sr_source_is_publishing(const sr_source_t *s)
{
    return s->is_publishing;
}

static void sr_source_cache_replace(sr_packet_t *slot, const sr_packet_t *pkt)
{
    sr_packet_deinit(slot);
    sr_packet_copy(slot, pkt);
}

static void sr_source_note_codecs(sr_source_t *s, const sr_packet_t *pkt)
{
    const uint8_t *d = pkt->payload->data;
    size_t n = pkt->payload->size;
    if (pkt->type == SR_PACKET_VIDEO) {
        s->stats.video_codec = sr_flv_video_codec(d, n);
    } else if (pkt->type == SR_PACKET_AUDIO) {
        s->stats.audio_codec = sr_flv_audio_codec(d, n);
    }
}

static void sr_source_fan_out(sr_source_t *s, const sr_packet_t *pkt)
{
    if (pkt->type == SR_PACKET_DATA) {
        sr_source_cache_replace(&s->meta, pkt);
    } else if (pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER) {
        sr_source_cache_replace(pkt->type == SR_PACKET_VIDEO ? &s->video_sh : &s->audio_sh, pkt);
        sr_source_note_codecs(s, pkt);
    } else {
        if (pkt->type == SR_PACKET_VIDEO) {
            s->stats.frames++;
        }
        if (s->stats.packets < 64 || (pkt->flags & SR_PACKET_IS_KEYFRAME)) {
            sr_source_note_codecs(s, pkt);
        }
        sr_gop_cache_add(s->gop, pkt);
    }
    sr_fanout_push(&s->fanout, pkt);
}

void sr_source_on_packet(sr_source_t *s, const sr_packet_t *pkt)
{
    s->stats.packets++;
    s->stats.recv_bytes += pkt->payload->size;
    if (pkt->type == SR_PACKET_VIDEO && pkt->pts != pkt->dts) {
        s->has_reordered_video = true;
    }
    if (!s->mix || !sr_packet_is_av(pkt)) {
        sr_source_fan_out(s, pkt);
        return;
    }
    sr_packet_t out;
    if (sr_mix_queue_count(s->mix) == SR_MIX_QUEUE_MAX && sr_mix_queue_flush_one(s->mix, &out)) {
        sr_source_fan_out(s, &out); /* full: the oldest cannot wait any longer */
        sr_packet_deinit(&out);
    }
    sr_mix_queue_push(s->mix, pkt);
    while (sr_mix_queue_pop(s->mix, &out)) {
        sr_source_fan_out(s, &out);
        sr_packet_deinit(&out);
    }
}

/* ---- consumers ---- */

sr_consumer_t *sr_source_consumer_add(sr_source_t *s, const sr_consumer_policy_t *policy)
{
    sr_consumer_t *c = sr_consumer__new(&s->fanout, sr_source_ref(s), policy);
    s->consumer_count++;
    if (!policy->is_sink && s->player_count++ == 0) {
        SR_SOURCE_NOTIFY(s, on_first_player);
    }
    /* Fast start: metadata, sequence headers, then the GOP from its keyframe. Under
     * atc the headers carry the GOP's time: the player's timeline starts there, not at
     * 0 followed by a jump to the encoder's clock. */
    bool is_atc_start = s->policy.is_atc && sr_gop_cache_count(s->gop) > 0;
    const sr_packet_t *cached[] = {&s->meta, &s->video_sh, &s->audio_sh};
    for (size_t i = 0; i < SR_ARRAY_SIZE(cached); i++) {
        if (!cached[i]->payload) {
            continue;
        }
        sr_packet_t p = *cached[i]; /* a borrowed view; the consumer takes its own reference */
        if (is_atc_start) {
            p.dts = p.pts = sr_gop_cache_at(s->gop, 0)->dts;
        }
        sr_consumer__give(c, &p);
    }
    for (size_t i = 0; i < sr_gop_cache_count(s->gop); i++) {
        sr_consumer__give(c, sr_gop_cache_at(s->gop, i));
    }
    return c;
}

void sr_source_consumer_remove(sr_consumer_t *c)
{
    if (!c) {
        return;
    }
    sr_source_t *s = sr_consumer_source(c);
    s->consumer_count--;
    if (!sr_consumer_is_sink(c) && --s->player_count == 0) {
        s->idle_since_us = sr_time_mono_us();
        SR_SOURCE_NOTIFY(s, on_last_player);
    }
    s->dropped_gone += sr_consumer_dropped(c);
    sr_consumer__free(c);
    sr_source_unref(s);
}

void sr_source_post_all(sr_source_t *s, unsigned events)
{
    for (sr_consumer_t *c = s->fanout.consumers; c; c = sr_consumer__next(c)) {
        sr_consumer_post(c, events);
    }
}

void sr_source_set_consumer_policy(sr_source_t *s, const sr_consumer_policy_t *policy)
{
    for (sr_consumer_t *c = s->fanout.consumers; c; c = sr_consumer__next(c)) {
        if (!sr_consumer_is_sink(c)) {
            sr_consumer_set_policy(c, policy);
        }
    }
}
