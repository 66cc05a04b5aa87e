/* SPDX-License-Identifier: MIT */
#include "sr_output_loop.h"

#include "sr_error.h"
#include "sr_st.h"

#define SR_OUTPUT_LOOP_BATCH 64

static void sr_output_loop_prepare(sr_output_loop_t *l)
{
    if (!l->is_prepared) {
        l->is_prepared = true;
        if (l->prepare) {
            l->prepare(l->arg);
        }
    }
}

/* Hand over everything queued, batch by batch. */
static void sr_output_loop_drain(sr_output_loop_t *l)
{
    sr_packet_t batch[SR_OUTPUT_LOOP_BATCH];
    size_t n;
    while ((n = sr_consumer_fetch(l->consumer, batch, SR_ARRAY_SIZE(batch))) > 0) {
        for (size_t i = 0; i < n; i++) {
            l->on_packet(l->arg, &batch[i]);
            sr_packet_deinit(&batch[i]);
        }
    }
    if (l->after_batch) {
        l->after_batch(l->arg);
    }
}

static void sr_output_loop_cycle(void *arg)
{
    sr_output_loop_t *l = arg;
    sr_output_loop_prepare(l);
    while (sr_co_pull() == SR_OK) {
        int rc = sr_consumer_wait(l->consumer, l->wake_us);
        sr_consumer_take_events(l->consumer); /* an output lives for one publish: stop ends it */
        if (rc == -SR_EINTERRUPTED || sr_co_pull() != SR_OK) {
            break;
        }
        sr_output_loop_drain(l);
    }
}

void sr_output_loop_start(sr_output_loop_t *l, sr_source_t *source, const sr_consumer_policy_t *policy)
{
    l->consumer = sr_source_consumer_add(source, policy);
    l->is_prepared = false;
    l->co = sr_co_start(sr_output_loop_cycle, l, NULL);
}

void sr_output_loop_stop(sr_output_loop_t *l)
{
    sr_co_stop(l->co);
    l->co = NULL;
    /* Here, in the caller: file jobs wait for their end even when the caller is being
     * stopped (server quit), so what was queued is still written. */
    sr_output_loop_prepare(l);
    sr_output_loop_drain(l);
}

void sr_output_loop_deinit(sr_output_loop_t *l)
{
    if (l->consumer) {
        sr_source_consumer_remove(l->consumer);
        l->consumer = NULL;
    }
}
