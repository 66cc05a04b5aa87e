/* SPDX-License-Identifier: MIT */
/*
 * sr_msg_queue.c: a consumer's bounded packet queue (see sr_msg_queue.h for the contract).
 *
 * Storage is a ring of sr_packet_t by value, each holding one payload reference; capacity
 * doubles when full and is kept afterwards. "Media" below means an A/V packet that is not
 * a sequence header: the only kind that counts toward the duration and the only kind that
 * is ever dropped. To keep push O(1) amortized the queue tracks, as offsets from the
 * front, the oldest media packet (for the duration) and the newest video keyframe (the
 * shrink point). A shrink costs O(packets dropped + headers kept), paid for by the pushes
 * of the dropped packets.
 */
#include "sr_msg_queue.h"

#include "sr_alloc.h"

#define SR_MSG_QUEUE_MIN_CAP 32
/* An emptied ring larger than this is given back: a burst (the GOP cache a new player
 * starts with) should not cost every player its size for the whole session. */
#define SR_MSG_QUEUE_KEEP_CAP 64

struct sr_msg_queue {
    int64_t max_duration_ms;
    sr_packet_t *ring; /* cap slots, cap is 0 or a power of two */
    size_t cap;
    size_t head; /* slot of the oldest packet */
    size_t count;
    size_t bytes;
    size_t media;           /* media packets queued */
    size_t first_media;     /* offset of the oldest media packet; valid when media > 0 */
    int64_t last_media_dts; /* dts of the newest media packet; valid when media > 0 */
    bool has_key;
    size_t last_key;       /* offset of the newest video keyframe; valid when has_key */
    bool waiting_keyframe; /* drop video until a keyframe */
    uint64_t dropped;
    uint64_t shrinks;
};

static bool sr_msg_queue_is_media(const sr_packet_t *pkt)
{
    return sr_packet_is_av(pkt) && !(pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER);
}

static size_t sr_msg_queue_payload_bytes(const sr_packet_t *pkt)
{
    return pkt->payload ? pkt->payload->size : 0;
}

static sr_packet_t *sr_msg_queue_slot(const sr_msg_queue_t *q, size_t i)
{
    return &q->ring[(q->head + i) & (q->cap - 1)];
}

static void sr_msg_queue_grow(sr_msg_queue_t *q)
{
    size_t cap = q->cap ? q->cap * 2 : SR_MSG_QUEUE_MIN_CAP;
    sr_packet_t *ring = (sr_packet_t *)sr_malloc(cap * sizeof(*ring));

    for (size_t i = 0; i < q->count; i++) {
        ring[i] = *sr_msg_queue_slot(q, i);
    }
    sr_free(q->ring);
    q->ring = ring;
    q->cap = cap;
    q->head = 0;
}

sr_msg_queue_t *sr_msg_queue_new(int64_t max_duration_ms)
{
    sr_msg_queue_t *q = SR_NEW(sr_msg_queue_t);

    q->max_duration_ms = max_duration_ms;
    return q;
}

void sr_msg_queue_free(sr_msg_queue_t *q)
{
    if (!q) {
        return;
    }
    sr_msg_queue_clear(q);
    sr_free(q->ring);
    sr_free(q);
}

void sr_msg_queue_set_max_duration_ms(sr_msg_queue_t *q, int64_t max_duration_ms)
{
    q->max_duration_ms = max_duration_ms;
}

int64_t sr_msg_queue_duration_ms(const sr_msg_queue_t *q)
{
    int64_t d = 0;

    if (q->media < 2) {
        return 0;
    }
    if (__builtin_sub_overflow(q->last_media_dts, sr_msg_queue_slot(q, q->first_media)->dts, &d) || d == INT64_MIN) {
        return INT64_MAX;
    }
    return d < 0 ? -d : d;
}

static bool sr_msg_queue_is_over(const sr_msg_queue_t *q)
{
    return q->max_duration_ms > 0 && sr_msg_queue_duration_ms(q) > q->max_duration_ms;
}

/* copy pkt to the back and update the bookkeeping */
static void sr_msg_queue_append(sr_msg_queue_t *q, const sr_packet_t *pkt)
{
    if (q->count == q->cap) {
        sr_msg_queue_grow(q);
    }
    sr_packet_copy(sr_msg_queue_slot(q, q->count), pkt);
    if (sr_msg_queue_is_media(pkt)) {
        if (q->media == 0) {
            q->first_media = q->count;
        }
        q->media++;
        q->last_media_dts = pkt->dts;
    }
    if (sr_packet_is_video_keyframe(pkt)) {
        q->has_key = true;
        q->last_key = q->count;
    }
    q->bytes += sr_msg_queue_payload_bytes(pkt);
    q->count++;
}

/*
 * Drop the media packets among the oldest cut ones. The kept sequence headers and data
 * messages slide, in order, into the slots just before cut, so the packets from cut on do
 * not move. cut is the offset of a media packet (the newest keyframe) or the count.
 */
static void sr_msg_queue_drop_front(sr_msg_queue_t *q, size_t cut)
{
    size_t w = cut; /* the kept packets end up in [w, cut) */

    for (size_t i = cut; i-- > 0;) {
        sr_packet_t *p = sr_msg_queue_slot(q, i);
        if (sr_msg_queue_is_media(p)) {
            q->bytes -= sr_msg_queue_payload_bytes(p);
            q->media--;
            q->dropped++;
            sr_packet_deinit(p);
            continue;
        }
        w--;
        if (w != i) {
            *sr_msg_queue_slot(q, w) = *p; /* move: the old slot falls outside the queue */
        }
    }
    q->head = (q->head + w) & (q->cap - 1);
    q->count -= w;
    q->first_media = cut - w;
    if (q->has_key && q->last_key >= cut) {
        q->last_key -= w;
    } else {
        q->has_key = false;
    }
}

/* one shrink event: whole GOPs first, everything media if that is not enough */
static void sr_msg_queue_shrink(sr_msg_queue_t *q)
{
    q->shrinks++;
    if (q->has_key && q->last_key > q->first_media) {
        sr_msg_queue_drop_front(q, q->last_key);
        if (!sr_msg_queue_is_over(q)) {
            return;
        }
    }
    /* the newest GOP alone is too long, or there is no GOP start to keep */
    sr_msg_queue_drop_front(q, q->count);
    q->waiting_keyframe = true;
}

void sr_msg_queue_push(sr_msg_queue_t *q, const sr_packet_t *pkt)
{
    bool media = sr_msg_queue_is_media(pkt);

    if (media && pkt->type == SR_PACKET_VIDEO) {
        if (sr_packet_is_video_keyframe(pkt)) {
            q->waiting_keyframe = false;
        } else if (q->waiting_keyframe) {
            q->dropped++; /* its keyframe was dropped: a decoder cannot use it */
            return;
        }
    }
    sr_msg_queue_append(q, pkt);
    if (media && sr_msg_queue_is_over(q)) {
        sr_msg_queue_shrink(q);
    }
}

/* after n packets left the front: find the oldest media packet again if it left too */
static void sr_msg_queue_after_pop(sr_msg_queue_t *q, size_t n)
{
    if (q->has_key && q->last_key >= n) {
        q->last_key -= n;
    } else {
        q->has_key = false;
    }
    if (q->media == 0) {
        return;
    }
    if (q->first_media >= n) {
        q->first_media -= n;
        return;
    }
    /* each packet is skipped here at most once before it is popped: O(1) amortized */
    q->first_media = 0;
    while (!sr_msg_queue_is_media(sr_msg_queue_slot(q, q->first_media))) {
        q->first_media++;
    }
}

size_t sr_msg_queue_pop_many(sr_msg_queue_t *q, sr_packet_t *out, size_t max)
{
    size_t n = SR_MIN(max, q->count);

    for (size_t i = 0; i < n; i++) {
        out[i] = *sr_msg_queue_slot(q, i);
        q->bytes -= sr_msg_queue_payload_bytes(&out[i]);
        if (sr_msg_queue_is_media(&out[i])) {
            q->media--;
        }
    }
    if (n == 0) {
        return 0;
    }
    q->head = (q->head + n) & (q->cap - 1);
    q->count -= n;
    sr_msg_queue_after_pop(q, n);
    if (q->count == 0 && q->cap > SR_MSG_QUEUE_KEEP_CAP) {
        sr_free(q->ring);
        q->ring = NULL;
        q->cap = 0;
        q->head = 0;
    }
    return n;
}

void sr_msg_queue_clear(sr_msg_queue_t *q)
{
    for (size_t i = 0; i < q->count; i++) {
        sr_packet_deinit(sr_msg_queue_slot(q, i));
    }
    q->head = 0;
    q->count = 0;
    q->bytes = 0;
    q->media = 0;
    q->has_key = false;
    q->waiting_keyframe = true;
}

size_t sr_msg_queue_count(const sr_msg_queue_t *q)
{
    return q->count;
}

size_t sr_msg_queue_bytes(const sr_msg_queue_t *q)
{
    return q->bytes;
}

uint64_t sr_msg_queue_dropped(const sr_msg_queue_t *q)
{
    return q->dropped;
}

uint64_t sr_msg_queue_shrinks(const sr_msg_queue_t *q)
{
    return q->shrinks;
}

bool sr_msg_queue_is_waiting_keyframe(const sr_msg_queue_t *q)
{
    return q->waiting_keyframe;
}
