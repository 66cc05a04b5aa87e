/* SPDX-License-Identifier: MIT */
/*
 * sr_consumer.c: consumers reading a source's shared ring, and the fan-out that wakes
 * them. A consumer is a cursor into the ring, a few packets given ahead of it (the
 * cached GOP of a new player, headers re-given after a skip), its own timestamp
 * correction, applied as it reads, and its wake-up rule: more than `mw_msgs` packets
 * spanning `mw_latency` (merged writes: fewer, larger writev calls), every packet with
 * min_latency, one packet per interval with send_min_interval (SRS's pacing).
 *
 * A consumer that falls more than queue_length behind skips its cursor to the newest
 * keyframe (or to the end, then waits for a keyframe), so it never gets video frames
 * whose keyframe it missed; sequence headers and metadata it skipped are given again.
 * The bound is applied when the consumer reads and, for one blocked in a write, when the
 * source trims the ring.
 */
#include "sr_consumer.h"

#include "sr_alloc.h"
#include "sr_consumer_internal.h"
#include "sr_error.h"
#include "sr_source.h"
#include "sr_st.h"

/* The ring is looked at for trimming at least this often (an audio-only stream has no
 * keyframes to trim at). */
#define SR_FANOUT_TRIM_EVERY 256

enum { SR_WAIT_NONE, SR_WAIT_BATCH, SR_WAIT_EAGER };

struct sr_consumer {
    sr_fanout_t *fanout;
    struct sr_source *source;
    sr_consumer_t *prev, *next;   /* the fan-out's consumers */
    sr_consumer_t *wprev, *wnext; /* the list it waits in */
    uint8_t wait_list;            /* SR_WAIT_* */
    uint64_t cursor;              /* the next ring seq to read */
    sr_packet_t *given;           /* read before the ring: [given_pos, given_count) */
    size_t given_pos, given_count, given_cap;
    sr_jitter_t jitter;
    sr_consumer_policy_t policy;
    sr_utime_t latency_cap_us; /* sr_consumer_cap_latency, 0: none */
    sr_cond_t *cond;
    bool has_fetched;         /* the first batch (the cached GOP) went out */
    bool is_waiting_keyframe; /* skipped to the end: video resumes at a keyframe */
    bool is_flush_due;        /* a straggler: hand over what there is, batch or not */
    sr_utime_t next_fetch_us; /* send_min_interval: when the next packet may go */
    unsigned events;
    uint64_t dropped;
};

/* ---- reading ---- */

static size_t sr_consumer_pending(const sr_consumer_t *c)
{
    return (c->given_count - c->given_pos) + (size_t)(c->fanout->ring.head - c->cursor);
}

/* The span of unread ring packets on the source's timeline, in ms. */
static int64_t sr_consumer_span_ms(const sr_consumer_t *c)
{
    const sr_packet_ring_t *r = &c->fanout->ring;
    if (c->cursor + 1 >= r->head) {
        return 0;
    }
    return sr_packet_ring_at(r, r->head - 1)->t_ms - sr_packet_ring_at(r, c->cursor)->t_ms;
}

static bool sr_consumer_is_config(const sr_packet_t *p)
{
    return !sr_packet_is_av(p) || (p->flags & SR_PACKET_IS_SEQUENCE_HEADER);
}

static void sr_consumer_correct(sr_consumer_t *c, sr_packet_t *p)
{
    int64_t dts = sr_jitter_correct(&c->jitter, p);
    p->pts = p->pts - p->dts + dts;
    p->dts = dts;
}

void sr_consumer__give(sr_consumer_t *c, const sr_packet_t *pkt)
{
    if (c->given_count == c->given_cap) {
        c->given_cap = c->given_cap ? 2 * c->given_cap : 8;
        c->given = sr_realloc(c->given, c->given_cap * sizeof(*c->given));
    }
    sr_packet_copy(&c->given[c->given_count++], pkt);
}

/* The first unread packet within queue_length of the newest (the source's times never
 * decrease, so a binary search finds it). */
static uint64_t sr_consumer_bound_start(const sr_consumer_t *c)
{
    const sr_packet_ring_t *r = &c->fanout->ring;
    int64_t from_ms = sr_packet_ring_at(r, r->head - 1)->t_ms - c->policy.queue_length_ms;
    uint64_t lo = c->cursor, hi = r->head - 1;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (sr_packet_ring_at(r, mid)->t_ms < from_ms) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Give pkt again, instead of an unread one of the same kind given before. */
static void sr_consumer_give_again(sr_consumer_t *c, const sr_packet_t *pkt)
{
    for (size_t i = c->given_pos; i < c->given_count; i++) {
        sr_packet_t *g = &c->given[i];
        if (g->type == pkt->type && sr_consumer_is_config(g)) {
            sr_packet_deinit(g);
            sr_packet_copy(g, pkt);
            return;
        }
    }
    sr_consumer__give(c, pkt);
}

/* Past queue_length: jump to the newest keyframe if what follows it fits the bound;
 * else to the packets within the bound, with video dropped until the next keyframe
 * (audio keeps flowing, and an audio-only stream keeps its last queue_length). Skipped
 * metadata and sequence headers are given again (at the time of the last skipped packet,
 * so the timeline stays smooth), and skipped packets still pass through the timestamp
 * correction: the player's timeline shows the real gap. */
static void sr_consumer_skip(sr_consumer_t *c)
{
    sr_fanout_t *f = c->fanout;
    const sr_packet_ring_t *r = &f->ring;
    uint64_t to;
    bool is_keyframe_next = f->has_keyframe && f->keyframe_seq >= c->cursor && f->keyframe_seq >= r->tail &&
                            sr_packet_ring_at(r, r->head - 1)->t_ms - sr_packet_ring_at(r, f->keyframe_seq)->t_ms <=
                                c->policy.queue_length_ms;
    to = is_keyframe_next ? f->keyframe_seq : sr_consumer_bound_start(c);
    if (to <= c->cursor) {
        return;
    }
    int64_t last_dts = sr_packet_ring_at(r, to - 1)->pkt.dts;
    for (int i = 0; i < SR_FANOUT_CONFIGS; i++) {
        if (f->has_config[i] && f->config_seq[i] >= c->cursor && f->config_seq[i] < to) {
            sr_packet_t p = sr_packet_ring_at(r, f->config_seq[i])->pkt;
            p.pts = p.dts = last_dts;
            sr_consumer_give_again(c, &p);
        }
    }
    for (; c->cursor < to; c->cursor++) {
        const sr_ring_slot_t *slot = sr_packet_ring_at(r, c->cursor);
        if (slot->marks & SR_RING_NEW_PUBLISH) {
            sr_jitter_restart(&c->jitter);
        }
        if (!sr_consumer_is_config(&slot->pkt)) {
            sr_jitter_correct(&c->jitter, &slot->pkt);
            c->dropped++;
        }
    }
    c->is_waiting_keyframe = !is_keyframe_next;
}

static void sr_consumer_bound(sr_consumer_t *c)
{
    if (c->policy.queue_length_ms > 0 && sr_consumer_span_ms(c) > c->policy.queue_length_ms) {
        sr_consumer_skip(c);
    }
}

static bool sr_consumer_is_paced(const sr_consumer_t *c)
{
    return c->policy.send_min_interval_us > 0 && sr_time_mono_us() < c->next_fetch_us;
}

bool sr_consumer_can_fetch(const sr_consumer_t *c)
{
    return sr_consumer_pending(c) > 0 && !sr_consumer_is_paced(c);
}

size_t sr_consumer_fetch(sr_consumer_t *c, sr_packet_t *out, size_t max)
{
    return sr_consumer_fetch_wired(c, out, NULL, NULL, max);
}

size_t sr_consumer_fetch_wired(sr_consumer_t *c, sr_packet_t *out, const sr_wire_t **wires, uint64_t *seqs, size_t max)
{
    if (c->policy.send_min_interval_us > 0) {
        if (sr_consumer_is_paced(c)) {
            return 0;
        }
        max = SR_MIN(max, 1);
        c->next_fetch_us = sr_time_mono_us() + c->policy.send_min_interval_us;
    }
    c->has_fetched = true;
    c->is_flush_due = false;
    sr_consumer_bound(c);
    size_t n = 0;
    for (; n < max && c->given_pos < c->given_count; n++) {
        out[n] = c->given[c->given_pos++]; /* its reference moves to the caller */
        sr_consumer_correct(c, &out[n]);
        if (wires) {
            wires[n] = NULL;
            seqs[n] = UINT64_MAX;
        }
    }
    if (c->given_pos == c->given_count && c->given_count) {
        sr_free(c->given); /* a GOP's worth, once: not kept for the player's life */
        c->given = NULL;
        c->given_pos = c->given_count = c->given_cap = 0;
    }
    const sr_packet_ring_t *r = &c->fanout->ring;
    while (n < max && c->cursor < r->head) {
        const sr_ring_slot_t *slot = sr_packet_ring_at(r, c->cursor++);
        if (slot->marks & SR_RING_NEW_PUBLISH) {
            sr_jitter_restart(&c->jitter);
        }
        if (c->is_waiting_keyframe && slot->pkt.type == SR_PACKET_VIDEO && !sr_consumer_is_config(&slot->pkt)) {
            if (!sr_packet_is_video_keyframe(&slot->pkt)) {
                sr_jitter_correct(&c->jitter, &slot->pkt);
                c->dropped++;
                continue;
            }
            c->is_waiting_keyframe = false;
        }
        sr_packet_copy(&out[n], &slot->pkt);
        sr_consumer_correct(c, &out[n]);
        if (wires) {
            wires[n] = slot->wire.block ? &slot->wire : NULL;
            seqs[n] = c->cursor - 1;
        }
        n++;
    }
    return n;
}

/* ---- waiting ---- */

static bool sr_consumer_is_ready(const sr_consumer_t *c)
{
    if (c->events) {
        return true;
    }
    size_t count = sr_consumer_pending(c);
    if (c->is_flush_due) {
        return count > 0;
    }
    if (c->policy.send_min_interval_us > 0) {
        return count > 0 && !sr_consumer_is_paced(c);
    }
    if (c->policy.is_min_latency || !c->has_fetched) {
        return count > 0; /* a new player gets the GOP cache at once: fast start */
    }
    /* As SRS: more than mw_msgs queued and mw_latency of media, so a batch is one
     * writev per mw_latency, not per few frames. */
    return count > (size_t)c->policy.mw_msgs &&
           (sr_utime_t)sr_consumer_span_ms(c) * SR_UTIME_MS >= c->policy.mw_latency_us;
}

/* Waits in the batch list: same rule as the other players, and woken by the source. */
static bool sr_consumer_is_batched(const sr_consumer_t *c)
{
    return c->has_fetched && !c->policy.is_sink && !c->policy.is_min_latency && c->policy.send_min_interval_us == 0;
}

static void sr_consumer_wait_link(sr_consumer_t *c)
{
    sr_fanout_t *f = c->fanout;
    c->wprev = c->wnext = NULL;
    if (!sr_consumer_is_batched(c)) {
        c->wait_list = SR_WAIT_EAGER;
        c->wnext = f->eager;
        if (f->eager) {
            f->eager->wprev = c;
        }
        f->eager = c;
        return;
    }
    /* Kept in cursor order: a waiter has read everything, so this is nearly always the tail. */
    c->wait_list = SR_WAIT_BATCH;
    sr_consumer_t *after = f->batch_tail;
    while (after && after->cursor > c->cursor) {
        after = after->wprev;
    }
    c->wprev = after;
    c->wnext = after ? after->wnext : f->batch_head;
    if (c->wnext) {
        c->wnext->wprev = c;
    } else {
        f->batch_tail = c;
    }
    if (after) {
        after->wnext = c;
    } else {
        f->batch_head = c;
    }
}

static void sr_consumer_wait_unlink(sr_consumer_t *c)
{
    sr_fanout_t *f = c->fanout;
    if (c->wait_list == SR_WAIT_NONE) {
        return;
    }
    sr_consumer_t **head = c->wait_list == SR_WAIT_BATCH ? &f->batch_head : &f->eager;
    if (c->wprev) {
        c->wprev->wnext = c->wnext;
    } else {
        *head = c->wnext;
    }
    if (c->wnext) {
        c->wnext->wprev = c->wprev;
    } else if (c->wait_list == SR_WAIT_BATCH) {
        f->batch_tail = c->wprev;
    }
    c->wprev = c->wnext = NULL;
    c->wait_list = SR_WAIT_NONE;
}

static void sr_consumer_wake(sr_consumer_t *c)
{
    sr_consumer_wait_unlink(c);
    sr_cond_signal(c->cond);
}

void sr_consumer_post(sr_consumer_t *c, unsigned events)
{
    c->events |= events;
    if (c->wait_list != SR_WAIT_NONE) {
        sr_consumer_wake(c);
    }
}

int sr_consumer_wait(sr_consumer_t *c, sr_utime_t timeout_us)
{
    sr_utime_t now0 = sr_time_mono_us();
    sr_utime_t deadline = timeout_us > UINT64_MAX - now0 ? UINT64_MAX : now0 + timeout_us;
    int rc = SR_OK;
    while (!sr_consumer_is_ready(c)) {
        sr_utime_t now = sr_time_mono_us();
        if (now >= deadline) {
            rc = -SR_ETIMEOUT;
            break;
        }
        sr_utime_t until = deadline;
        if (c->policy.send_min_interval_us > 0 && sr_consumer_pending(c) > 0) {
            until = SR_MIN(until, c->next_fetch_us); /* a paced packet is due then */
        }
        sr_consumer_wait_link(c);
        /* no deadline: no timer either, the source wakes this consumer */
        rc = sr_cond_timedwait(c->cond, until == UINT64_MAX ? SR_UTIME_NO_TIMEOUT : until > now ? until - now : 0);
        sr_consumer_wait_unlink(c);
        if (rc == -SR_EINTERRUPTED) {
            break;
        }
    }
    if (rc == -SR_ETIMEOUT && sr_consumer_can_fetch(c)) {
        rc = SR_OK;
    }
    return rc;
}

sr_utime_t sr_consumer_batch_wait_us(const sr_consumer_t *c)
{
    if (sr_consumer_is_batched(c) && sr_source_is_publishing(c->source)) {
        return SR_UTIME_NO_TIMEOUT; /* media flows: the source wakes it, and the tick a sparse stream's */
    }
    return c->policy.is_min_latency ? SR_CONSUMER_IDLE_WAKE_US
                                    : SR_MIN(c->policy.mw_latency_us + 1, SR_CONSUMER_IDLE_WAKE_US);
}

/* ---- the fan-out ---- */

static void sr_fanout_wake(sr_fanout_t *f)
{
    sr_consumer_t *c;
    while ((c = f->batch_head) && sr_consumer_is_ready(c)) {
        sr_consumer_wake(c);
    }
    for (c = f->eager; c;) {
        sr_consumer_t *next = c->wnext;
        if (sr_consumer_is_ready(c)) {
            sr_consumer_wake(c);
        }
        c = next;
    }
}

/* Release what every consumer has read; first hold a blocked consumer to its bound. */
static void sr_fanout_trim(sr_fanout_t *f)
{
    uint64_t oldest = f->ring.head;
    for (sr_consumer_t *c = f->consumers; c; c = c->next) {
        sr_consumer_bound(c);
        oldest = SR_MIN(oldest, c->cursor);
    }
    sr_packet_ring_trim(&f->ring, oldest);
    f->trim_seq = f->ring.head;
}

void sr_fanout_push(sr_fanout_t *f, const sr_packet_t *pkt)
{
    if (sr_packet_is_av(pkt)) {
        f->last_t_ms = sr_jitter_correct(&f->clock, pkt);
    }
    if (!f->consumers) {
        f->next_marks = 0; /* nobody reads: a consumer that comes starts at the next packet */
        return;
    }
    bool is_keyframe = sr_packet_is_video_keyframe(pkt);
    if (is_keyframe || sr_packet_ring_is_full(&f->ring) || f->ring.head - f->trim_seq >= SR_FANOUT_TRIM_EVERY) {
        sr_fanout_trim(f);
    }
    uint64_t seq = sr_packet_ring_push(&f->ring, pkt, f->last_t_ms, f->next_marks);
    f->next_marks = 0;
    if (f->wire_kind) {
        sr_ring_slot_t *slot = &f->ring.slots[seq & f->ring.mask];
        f->wire_kind->build(f->wire_state, &slot->pkt, f->last_t_ms, seq, &slot->wire);
    }
    if (is_keyframe) {
        f->has_keyframe = true;
        f->keyframe_seq = seq;
    } else if (sr_consumer_is_config(pkt)) {
        int i = pkt->type == SR_PACKET_DATA    ? SR_FANOUT_META
                : pkt->type == SR_PACKET_VIDEO ? SR_FANOUT_VIDEO_SH
                                               : SR_FANOUT_AUDIO_SH;
        f->has_config[i] = true;
        f->config_seq[i] = seq;
    }
    sr_fanout_wake(f);
}

void sr_fanout_new_publish(sr_fanout_t *f)
{
    sr_jitter_restart(&f->clock);
    f->next_marks |= SR_RING_NEW_PUBLISH;
}

void sr_fanout_wake_stragglers(sr_fanout_t *f)
{
    sr_utime_t now = sr_time_mono_us();
    sr_consumer_t *c;
    while ((c = f->batch_head) && c->cursor < f->ring.head &&
           now - sr_packet_ring_at(&f->ring, c->cursor)->arrived_us >= c->policy.mw_latency_us) {
        c->is_flush_due = true;
        sr_consumer_wake(c);
    }
}

static void sr_fanout_wire_stop(sr_fanout_t *f)
{
    if (f->wire_kind) {
        f->wire_kind->state_free(f->wire_state);
        f->wire_kind = NULL;
        f->wire_state = NULL;
    }
}

void sr_fanout_deinit(sr_fanout_t *f)
{
    sr_packet_ring_deinit(&f->ring);
    sr_fanout_wire_stop(f);
}

bool sr_consumer_use_wire(sr_consumer_t *c, const sr_wire_kind_t *kind, uint32_t key)
{
    sr_fanout_t *f = c->fanout;
    if (!f->wire_kind) {
        f->wire_kind = kind;
        f->wire_key = key;
        f->wire_state = kind->state_new(key);
    }
    return f->wire_kind == kind && f->wire_key == key;
}

/* ---- life ---- */

sr_consumer_t *sr_consumer__new(sr_fanout_t *f, struct sr_source *source, const sr_consumer_policy_t *policy)
{
    if (!f->is_clock_set) {
        sr_jitter_init(&f->clock, SR_JITTER_FULL);
        f->is_clock_set = true;
    }
    sr_consumer_t *c = SR_NEW(sr_consumer_t);
    c->fanout = f;
    c->source = source;
    c->policy = *policy;
    c->cursor = f->ring.head;
    sr_jitter_init(&c->jitter, (sr_jitter_algo_t)policy->time_jitter);
    c->cond = sr_cond_new();
    c->next = f->consumers;
    if (f->consumers) {
        f->consumers->prev = c;
    }
    f->consumers = c;
    return c;
}

void sr_consumer__free(sr_consumer_t *c)
{
    if (!c) {
        return;
    }
    sr_fanout_t *f = c->fanout;
    sr_consumer_wait_unlink(c);
    if (c->prev) {
        c->prev->next = c->next;
    } else {
        f->consumers = c->next;
    }
    if (c->next) {
        c->next->prev = c->prev;
    }
    if (!f->consumers) {
        sr_packet_ring_trim(&f->ring, f->ring.head); /* nobody reads what is left */
        sr_fanout_wire_stop(f);
    }
    for (size_t i = c->given_pos; i < c->given_count; i++) {
        sr_packet_deinit(&c->given[i]);
    }
    sr_free(c->given);
    sr_cond_free(c->cond);
    sr_free(c);
}

sr_consumer_t *sr_consumer__next(const sr_consumer_t *c)
{
    return c->next;
}

/* ---- accessors ---- */

unsigned sr_consumer_take_events(sr_consumer_t *c)
{
    unsigned ev = c->events;
    c->events = 0;
    return ev;
}

void sr_consumer_set_policy(sr_consumer_t *c, const sr_consumer_policy_t *policy)
{
    c->policy = *policy;
    if (c->latency_cap_us > 0) {
        c->policy.mw_latency_us = SR_MIN(c->policy.mw_latency_us, c->latency_cap_us);
    }
}

void sr_consumer_cap_latency(sr_consumer_t *c, sr_utime_t cap_us)
{
    c->latency_cap_us = cap_us;
    sr_consumer_set_policy(c, &c->policy);
}

bool sr_consumer_is_sink(const sr_consumer_t *c)
{
    return c->policy.is_sink;
}

uint64_t sr_consumer_dropped(const sr_consumer_t *c)
{
    return c->dropped;
}

size_t sr_consumer_queued(const sr_consumer_t *c)
{
    return sr_consumer_pending(c);
}

struct sr_source *sr_consumer_source(const sr_consumer_t *c)
{
    return c->source;
}
