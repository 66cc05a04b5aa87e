/* SPDX-License-Identifier: MIT */
/*
 * sr_kbps.h: bitrate over the last 30 seconds from cumulative byte counters, sampled
 * every few seconds (SRS's kbps.recv_30s / send_30s). Pure arithmetic: the server's
 * sampler feeds it, the API and the exporter read it.
 */
#ifndef SR_KBPS_H
#define SR_KBPS_H

#include "sr_core.h"

SR_BEGIN_DECLS

#define SR_KBPS_SAMPLES 7 /* 6 intervals of 5 s = 30 s */
#define SR_KBPS_INTERVAL_MS 5000

typedef struct sr_kbps {
    uint64_t recv[SR_KBPS_SAMPLES];
    uint64_t send[SR_KBPS_SAMPLES];
    int64_t at_ms[SR_KBPS_SAMPLES];
    int next;
    int count;
} sr_kbps_t;

/* Record the cumulative counters at time now_ms. */
void sr_kbps_sample(sr_kbps_t *k, uint64_t recv_bytes, uint64_t send_bytes, int64_t now_ms);
/* Average kbit/s between the oldest and newest sample (0 with fewer than two). */
int sr_kbps_recv(const sr_kbps_t *k);
int sr_kbps_send(const sr_kbps_t *k);

SR_END_DECLS

#endif
