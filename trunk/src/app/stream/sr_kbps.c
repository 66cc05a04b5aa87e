/* SPDX-License-Identifier: MIT */
#include "sr_kbps.h"

void sr_kbps_sample(sr_kbps_t *k, uint64_t recv_bytes, uint64_t send_bytes, int64_t now_ms)
{
    k->recv[k->next] = recv_bytes;
    k->send[k->next] = send_bytes;
    k->at_ms[k->next] = now_ms;
    k->next = (k->next + 1) % SR_KBPS_SAMPLES;
    if (k->count < SR_KBPS_SAMPLES) {
        k->count++;
    }
}

static int sr_kbps_rate(const sr_kbps_t *k, const uint64_t *bytes)
{
    if (k->count < 2) {
        return 0;
    }
    int newest = (k->next + SR_KBPS_SAMPLES - 1) % SR_KBPS_SAMPLES;
    int oldest = (k->next + SR_KBPS_SAMPLES - k->count) % SR_KBPS_SAMPLES;
    int64_t ms = k->at_ms[newest] - k->at_ms[oldest];
    if (ms <= 0 || bytes[newest] < bytes[oldest]) {
        return 0;
    }
    return (int)((bytes[newest] - bytes[oldest]) * 8 / (uint64_t)ms);
}

int sr_kbps_recv(const sr_kbps_t *k)
{
    return sr_kbps_rate(k, k->recv);
}

int sr_kbps_send(const sr_kbps_t *k)
{
    return sr_kbps_rate(k, k->send);
}
