/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_ts_pace.c: the due time of each message of a TS file, from its PCRs (see
 * the header). Two passes: collect the PCR samples (packet index, 27 MHz clock,
 * unwrapped across 2^33 and never going back), then walk the messages and read the
 * clock at each one's first packet.
 */
#include "sr_bench_ts_pace.h"

#include <string.h>

#include "sr_alloc.h"
#include "sr_error.h"

#define SR_BENCH_TS_PACKET 188u
#define SR_BENCH_TS_SYNC 0x47
#define SR_BENCH_TS_PCR_PER_US 27.0
#define SR_BENCH_TS_PCR_WRAP ((INT64_C(1) << 33) * 300) /* 27 MHz ticks */

/* A PCR: the packet that carries it and its clock in 27 MHz ticks. */
typedef struct sr_bench_ts_pcr {
    size_t packet;
    int64_t ticks;
} sr_bench_ts_pcr_t;

typedef struct sr_bench_ts_clock {
    sr_bench_ts_pcr_t *pcrs;
    size_t count, cap;
} sr_bench_ts_clock_t;

/* The PCR of packet p (adaptation field with PCR_flag), and its PID. */
static bool sr_bench_ts_pace_pcr(const uint8_t *p, uint16_t *pid, int64_t *ticks)
{
    if (!(p[3] & 0x20) || p[4] < 7 || !(p[5] & 0x10)) {
        return false;
    }
    int64_t base = (int64_t)p[6] << 25 | (int64_t)p[7] << 17 | (int64_t)p[8] << 9 | (int64_t)p[9] << 1 | p[10] >> 7;
    *ticks = base * 300 + ((p[10] & 1) << 8 | p[11]);
    *pid = (uint16_t)((p[1] & 0x1f) << 8 | p[2]);
    return true;
}

static void sr_bench_ts_clock_add(sr_bench_ts_clock_t *k, size_t packet, int64_t ticks)
{
    if (k->count > 0) {
        int64_t prev = k->pcrs[k->count - 1].ticks;
        while (ticks + SR_BENCH_TS_PCR_WRAP / 2 < prev) {
            ticks += SR_BENCH_TS_PCR_WRAP; /* the 33-bit base wrapped */
        }
        ticks = SR_MAX(ticks, prev); /* a discontinuity backwards: hold */
    }
    if (k->count == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 256;
        k->pcrs = sr_realloc(k->pcrs, k->cap * sizeof(k->pcrs[0]));
    }
    k->pcrs[k->count++] = (sr_bench_ts_pcr_t){packet, ticks};
}

/* Collect the PCRs of the first PID with one; returns the number of whole packets. */
static size_t sr_bench_ts_clock_collect(const uint8_t *ts, size_t size, sr_bench_ts_clock_t *k)
{
    size_t n = 0;
    int pcr_pid = -1;
    for (; (n + 1) * SR_BENCH_TS_PACKET <= size && ts[n * SR_BENCH_TS_PACKET] == SR_BENCH_TS_SYNC; n++) {
        uint16_t pid;
        int64_t ticks;
        if (!sr_bench_ts_pace_pcr(ts + n * SR_BENCH_TS_PACKET, &pid, &ticks)) {
            continue;
        }
        if (pcr_pid < 0) {
            pcr_pid = pid;
        }
        if (pid == pcr_pid) {
            sr_bench_ts_clock_add(k, n, ticks);
        }
    }
    return n;
}

/* Microseconds from t0 to t (ticks), rounded. */
static uint64_t sr_bench_ts_clock_us(double t, double t0)
{
    return (uint64_t)((t - t0) / SR_BENCH_TS_PCR_PER_US + 0.5);
}

/* The clock at packet index at, in ticks; *j is a cursor for calls with rising at. */
static double sr_bench_ts_clock_at(const sr_bench_ts_clock_t *k, size_t at, size_t *j)
{
    const sr_bench_ts_pcr_t *first = &k->pcrs[0], *last = &k->pcrs[k->count - 1];
    if (at <= first->packet) {
        return (double)first->ticks;
    }
    if (at >= last->packet) {
        double rate = (double)(last->ticks - first->ticks) / (double)(last->packet - first->packet);
        return (double)last->ticks + rate * (double)(at - last->packet);
    }
    while (k->pcrs[*j + 1].packet <= at) {
        (*j)++;
    }
    const sr_bench_ts_pcr_t *a = &k->pcrs[*j], *b = &k->pcrs[*j + 1];
    return (double)a->ticks +
           (double)(b->ticks - a->ticks) * (double)(at - a->packet) / (double)(b->packet - a->packet);
}

int sr_bench_ts_pace_index(const uint8_t *ts, size_t size, size_t msg_bytes, sr_bench_ts_pace_t *out)
{
    sr_bench_ts_clock_t k = {0};
    memset(out, 0, sizeof(*out));
    size_t packets = sr_bench_ts_clock_collect(ts, size, &k);
    if (packets == 0 || k.count < 2 || k.pcrs[k.count - 1].ticks <= k.pcrs[0].ticks) {
        sr_free(k.pcrs);
        return sr_err_new(SR_EFORMAT, "%zu TS packets with %zu PCRs: nothing to pace by", packets, k.count);
    }
    size_t per_msg = SR_MAX(msg_bytes / SR_BENCH_TS_PACKET, (size_t)1);
    size_t j = 0;
    double t0 = (double)k.pcrs[0].ticks;
    out->count = (packets + per_msg - 1) / per_msg;
    out->msgs = sr_calloc(out->count, sizeof(out->msgs[0]));
    for (size_t m = 0; m < out->count; m++) {
        size_t first = m * per_msg;
        sr_bench_ts_msg_t *msg = &out->msgs[m];
        msg->offset = first * SR_BENCH_TS_PACKET;
        msg->size = (uint32_t)(SR_MIN(per_msg, packets - first) * SR_BENCH_TS_PACKET);
        msg->due_us = sr_bench_ts_clock_us(sr_bench_ts_clock_at(&k, first, &j), t0);
    }
    out->loop_us = sr_bench_ts_clock_us(sr_bench_ts_clock_at(&k, packets, &j), t0);
    sr_free(k.pcrs);
    return SR_OK;
}

void sr_bench_ts_pace_deinit(sr_bench_ts_pace_t *p)
{
    sr_free(p->msgs);
    memset(p, 0, sizeof(*p));
}
