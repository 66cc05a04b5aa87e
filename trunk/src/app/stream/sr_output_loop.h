/* SPDX-License-Identifier: MIT */
/*
 * sr_output_loop.h: the consumer loop every server-side output runs (HLS, DVR, and
 * forward, transcode or edge push to come): a consumer on the source, one coroutine that
 * waits for packets and hands each to the output, and a stop that ends the coroutine
 * and then hands over what is still queued, so nothing received is lost.
 */
#ifndef SR_OUTPUT_LOOP_H
#define SR_OUTPUT_LOOP_H

#include "sr_consumer.h"
#include "sr_core.h"
#include "sr_source.h"

SR_BEGIN_DECLS

struct sr_co;

typedef struct sr_output_loop {
    /* set by the output before start */
    void *arg;
    void (*prepare)(void *arg);                           /* optional: first, in the coroutine (may yield) */
    void (*on_packet)(void *arg, const sr_packet_t *pkt); /* borrowed packet (may yield) */
    void (*after_batch)(void *arg);                       /* optional: after each drain (may yield) */
    sr_utime_t wake_us;                                   /* the longest wait without packets */
    /* the loop's own */
    sr_consumer_t *consumer;
    struct sr_co *co;
    bool is_prepared;
} sr_output_loop_t;

/* Add a consumer with policy (copied) to source and start the coroutine. Never yields. */
void sr_output_loop_start(sr_output_loop_t *l, sr_source_t *source, const sr_consumer_policy_t *policy);
/* Stop the coroutine, then in the caller: prepare when it never ran, hand over every
 * packet still queued, after_batch. The consumer stays (its counters) until
 * sr_output_loop_deinit. May yield. */
void sr_output_loop_stop(sr_output_loop_t *l);
/* Remove the consumer from its source. */
void sr_output_loop_deinit(sr_output_loop_t *l);

SR_END_DECLS

#endif
