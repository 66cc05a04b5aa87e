/* SPDX-License-Identifier: MIT */
/*
 * sr_source.h: one live stream (vhost/app/stream) and the registry of them. A
 * source has at most one publisher and any number of consumers. It caches the
 * metadata, the audio and video sequence headers and the current GOP, so a new
 * consumer can start decoding at once, and fans every packet out to the consumers
 * by reference (the payload is never copied).
 *
 * Sources are refcounted: the registry drops a source when the last reference
 * (publisher, consumer, or a coroutine holding it across a yield) goes.
 */
#ifndef SR_SOURCE_H
#define SR_SOURCE_H

#include "sr_consumer.h"
#include "sr_core.h"
#include "sr_packet.h"
#include "sr_time.h"

SR_BEGIN_DECLS

typedef struct sr_source sr_source_t;
typedef struct sr_source_registry sr_source_registry_t;
struct sr_sinks;

typedef struct sr_source_policy {
    bool is_gop_cache;
    int gop_cache_max_frames;
    bool is_atc;         /* play.atc: a new player's cached headers carry the GOP's time, not 0 */
    bool is_mix_correct; /* play.mix_correct: audio and video put in one dts order (sr_mix_queue) */
} sr_source_policy_t;

typedef struct sr_source_stats {
    int64_t created_ms;  /* wall clock */
    uint64_t recv_bytes; /* payload bytes published */
    uint64_t frames;     /* video frames published */
    uint64_t packets;    /* all packets published */
    int consumers;
    bool is_publishing;
    char publisher_cid[16];
    int video_codec; /* FLV codec id, 0 none */
    int audio_codec; /* FLV sound format, -1 none */
} sr_source_stats_t;

sr_source_registry_t *sr_source_registry_new(void);
/* Free the registry; every source must be released by then. */
void sr_source_registry_free(sr_source_registry_t *r);
/* The source for key vhost/app/stream with one reference for the caller; created
 * when create is true, else NULL when absent. */
sr_source_t *sr_source_fetch(sr_source_registry_t *r, const char *vhost, const char *app, const char *stream,
                             bool create);
sr_source_t *sr_source_ref(sr_source_t *s);
/* Drop a reference; the last one removes the source from the registry and frees it. */
void sr_source_unref(sr_source_t *s);
size_t sr_source_registry_count(const sr_source_registry_t *r);
/* Call fn for each source. fn must not yield or release the source it is given. */
void sr_source_registry_foreach(sr_source_registry_t *r, void (*fn)(sr_source_t *s, void *arg), void *arg);

/* Who watches every stream of a registry: stats today, on-demand pulls (an edge that
 * pulls while a stream has players) next. Each callback may be NULL; it runs inside the
 * event and must not yield (post work to a coroutine instead). A "player" is a
 * consumer that is not a sink (HLS, DVR). */
typedef struct sr_source_observer {
    void (*on_publish)(void *arg, sr_source_t *s);
    void (*on_unpublish)(void *arg, sr_source_t *s);
    void (*on_first_player)(void *arg, sr_source_t *s); /* players 0 -> 1 */
    void (*on_last_player)(void *arg, sr_source_t *s);  /* players 1 -> 0 */
    void *arg;
} sr_source_observer_t;

#define SR_SOURCE_MAX_OBSERVERS 8
/* Observe every source of r (o borrowed until removed). -SR_EOVERFLOW past the maximum. */
int sr_source_registry_observe(sr_source_registry_t *r, const sr_source_observer_t *o);
void sr_source_registry_unobserve(sr_source_registry_t *r, const sr_source_observer_t *o);

/* Stream id for the API ("vid-" + 7 characters), stable for the source's life. */
const char *sr_source_id(const sr_source_t *s);
/* The source with this id, or NULL (no reference taken: use before the next yield). */
sr_source_t *sr_source_registry_find_id(sr_source_registry_t *r, const char *id);
/* Sample every source's received bytes for its kbps (the server's sampler calls it). */
void sr_source_registry_sample(sr_source_registry_t *r, int64_t now_ms);
/* Wake players of streams too sparse to fill a merged batch in mw_latency (the source
 * wakes the others as packets come): the server calls it every SR_SOURCE_TICK_US, so
 * no player waits with a timer of its own while its stream is live. */
#define SR_SOURCE_TICK_US SR_UTIME_S
void sr_source_registry_tick(sr_source_registry_t *r);
/* Received kbit/s over the last 30 s. */
int sr_source_kbps_recv(const sr_source_t *s);
/* The cached sequence headers (NULL payload when none), for codec details. */
const sr_packet_t *sr_source_video_sequence_header(const sr_source_t *s);
const sr_packet_t *sr_source_audio_sequence_header(const sr_source_t *s);
const char *sr_source_vhost(const sr_source_t *s);
const char *sr_source_app(const sr_source_t *s);
const char *sr_source_stream(const sr_source_t *s);
void sr_source_get_stats(const sr_source_t *s, sr_source_stats_t *out);
/* Packets dropped for slow consumers of this source since it was created, those that
 * have left included (the exporter's strand_consumer_dropped_total). */
uint64_t sr_source_dropped(const sr_source_t *s);
void sr_source_set_policy(sr_source_t *s, const sr_source_policy_t *policy);
/* How long the stream has had no player (consumers that are not sinks), 0 while it has
 * one: publish.kickoff_for_idle. Counted from the publish, or from the last player's
 * leaving. */
sr_utime_t sr_source_idle_us(const sr_source_t *s);

/* The publish-side sinks (HLS, DVR) of the live stream, set by sr_sinks while they run
 * (NULL otherwise); the source only keeps the pointer, for a reload to find them. */
void sr_source_set_sinks(sr_source_t *s, struct sr_sinks *sinks);
struct sr_sinks *sr_source_sinks(const sr_source_t *s);

/* Claim the source for a publisher. Returns -SR_ESTREAM_BUSY when one is active.
 * Consumers that stayed attached get SR_CONSUMER_EV_PUBLISH, and their timelines
 * continue after what they were given. */
int sr_source_publish(sr_source_t *s, const char *publisher_cid);
/* Release the publisher: consumers get SR_CONSUMER_EV_UNPUBLISH and stay attached
 * (an RTMP player waits for the next publisher, an HTTP stream ends); the caches are
 * cleared so a republish starts clean. */
void sr_source_unpublish(sr_source_t *s);
bool sr_source_is_publishing(const sr_source_t *s);
/* Whether a video frame of the current publish had pts != dts (B-frames): outputs
 * whose receivers need decode-order timestamps (WebRTC) transcode such a stream. */
bool sr_source_has_reordered_video(const sr_source_t *s);
/* Feed one packet from the publisher (borrowed): cache and fan out. */
void sr_source_on_packet(sr_source_t *s, const sr_packet_t *pkt);

/* Attach a new consumer (which holds a source reference) and give it the cached
 * metadata, sequence headers and GOP first. */
sr_consumer_t *sr_source_consumer_add(sr_source_t *s, const sr_consumer_policy_t *policy);
/* Detach and free a consumer; releases its source reference. NULL ok. */
void sr_source_consumer_remove(sr_consumer_t *c);
/* Post events to every consumer (e.g. kick on reload). */
void sr_source_post_all(sr_source_t *s, unsigned events);
/* Apply a new consumer policy to every consumer (reload). */
void sr_source_set_consumer_policy(sr_source_t *s, const sr_consumer_policy_t *policy);

SR_END_DECLS

#endif
