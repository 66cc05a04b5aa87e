/* SPDX-License-Identifier: MIT */
/*
 * sr_consumer.c: the consumer queue with its wake-up rule. The sender sleeps on a
 * cond until more than `mw_msgs` packets spanning `mw_latency` are queued (merged
 * writes: fewer, larger writev calls) or its own timeout passes; with min_latency
 * every packet wakes it. With send_min_interval (SRS's pacing for devices that want a
 * steady packet rate) it hands out one packet per interval instead.
 */
#include "sr_consumer.h"

#include "sr_alloc.h"
#include "sr_consumer_internal.h"
#include "sr_error.h"
#include "sr_jitter.h"
#include "sr_msg_queue.h"
#include "sr_st.h"

struct sr_consumer {
    struct sr_source *source;
    sr_consumer_t *prev, *next;
    sr_msg_queue_t *queue;
    sr_jitter_t jitter;
    sr_consumer_policy_t policy;
    sr_cond_t *cond;
    bool is_waiting;
    bool has_fetched;         /* the first batch (the cached GOP) went out */
    sr_utime_t next_fetch_us; /* send_min_interval: when the next packet may go */
    unsigned events;
};

sr_consumer_t *sr_consumer__new(struct sr_source *source, const sr_consumer_policy_t *policy)
{
    sr_consumer_t *c = SR_NEW(sr_consumer_t);
    c->source = source;
    c->policy = *policy;
    c->queue = sr_msg_queue_new(policy->queue_length_ms);
    sr_jitter_init(&c->jitter, (sr_jitter_algo_t)policy->time_jitter);
    c->cond = sr_cond_new();
    return c;
}

void sr_consumer__free(sr_consumer_t *c)
{
    if (!c) {
        return;
    }
    sr_msg_queue_free(c->queue);
    sr_cond_free(c->cond);
    sr_free(c);
}

sr_consumer_t *sr_consumer__next(const sr_consumer_t *c)
{
    return c->next;
}

void sr_consumer__link(sr_consumer_t *c, sr_consumer_t **head)
{
    c->prev = NULL;
    c->next = *head;
    if (*head) {
        (*head)->prev = c;
    }
    *head = c;
}

void sr_consumer__unlink(sr_consumer_t *c, sr_consumer_t **head)
{
    if (c->prev) {
        c->prev->next = c->next;
    } else if (*head == c) {
        *head = c->next;
    }
    if (c->next) {
        c->next->prev = c->prev;
    }
    c->prev = c->next = NULL;
}

static bool sr_consumer_is_paced(const sr_consumer_t *c)
{
    return c->policy.send_min_interval_us > 0 && sr_time_mono_us() < c->next_fetch_us;
}

static bool sr_consumer_is_ready(const sr_consumer_t *c)
{
    if (c->events) {
        return true;
    }
    size_t count = sr_msg_queue_count(c->queue);
    if (c->policy.send_min_interval_us > 0) {
        return count > 0 && !sr_consumer_is_paced(c);
    }
    if (c->policy.is_min_latency || !c->has_fetched) {
        return count > 0; /* a new player gets the GOP cache at once: fast start */
    }
    /* As SRS: more than mw_msgs queued and mw_latency of media, so a batch is one
     * writev per mw_latency, not per few frames. */
    return count > (size_t)c->policy.mw_msgs &&
           (sr_utime_t)sr_msg_queue_duration_ms(c->queue) * SR_UTIME_MS >= c->policy.mw_latency_us;
}

void sr_consumer_enqueue(sr_consumer_t *c, const sr_packet_t *pkt)
{
    sr_packet_t p = *pkt; /* borrowed view: the queue takes its own reference */
    int64_t dts = sr_jitter_correct(&c->jitter, pkt);
    p.pts = pkt->pts - pkt->dts + dts;
    p.dts = dts;
    sr_msg_queue_push(c->queue, &p);
    if (c->is_waiting && sr_consumer_is_ready(c)) {
        sr_cond_signal(c->cond);
    }
}

void sr_consumer__restart_timeline(sr_consumer_t *c)
{
    sr_jitter_restart(&c->jitter);
}

void sr_consumer__enqueue_all(sr_consumer_t *head, const sr_packet_t *pkt)
{
    /* Thousands of consumers live in thousands of places: ask for the next one's
     * memory while this one is served, so the misses overlap instead of adding up. */
    for (sr_consumer_t *c = head; c; c = c->next) {
        if (c->next) {
            __builtin_prefetch(c->next);
            __builtin_prefetch(c->next->queue);
        }
        sr_consumer_enqueue(c, pkt);
    }
}

void sr_consumer_post(sr_consumer_t *c, unsigned events)
{
    c->events |= events;
    if (c->is_waiting) {
        sr_cond_signal(c->cond);
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
        if (c->policy.send_min_interval_us > 0 && sr_msg_queue_count(c->queue) > 0) {
            until = SR_MIN(until, c->next_fetch_us); /* a paced packet is due then */
        }
        c->is_waiting = true;
        rc = sr_cond_timedwait(c->cond, until > now ? until - now : 0);
        c->is_waiting = false;
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
    return c->policy.is_min_latency ? SR_CONSUMER_IDLE_WAKE_US
                                    : SR_MIN(c->policy.mw_latency_us + 1, SR_CONSUMER_IDLE_WAKE_US);
}

bool sr_consumer_can_fetch(const sr_consumer_t *c)
{
    return sr_msg_queue_count(c->queue) > 0 && !sr_consumer_is_paced(c);
}

size_t sr_consumer_fetch(sr_consumer_t *c, sr_packet_t *out, size_t max)
{
    if (c->policy.send_min_interval_us > 0) {
        if (sr_consumer_is_paced(c)) {
            return 0;
        }
        max = SR_MIN(max, 1);
        c->next_fetch_us = sr_time_mono_us() + c->policy.send_min_interval_us;
    }
    c->has_fetched = true;
    return sr_msg_queue_pop_many(c->queue, out, max);
}

unsigned sr_consumer_take_events(sr_consumer_t *c)
{
    unsigned ev = c->events;
    c->events = 0;
    return ev;
}

void sr_consumer_set_policy(sr_consumer_t *c, const sr_consumer_policy_t *policy)
{
    c->policy = *policy;
    sr_msg_queue_set_max_duration_ms(c->queue, policy->queue_length_ms);
}

bool sr_consumer_is_sink(const sr_consumer_t *c)
{
    return c->policy.is_sink;
}

uint64_t sr_consumer_dropped(const sr_consumer_t *c)
{
    return sr_msg_queue_dropped(c->queue);
}

size_t sr_consumer_queued(const sr_consumer_t *c)
{
    return sr_msg_queue_count(c->queue);
}

struct sr_source *sr_consumer_source(const sr_consumer_t *c)
{
    return c->source;
}
