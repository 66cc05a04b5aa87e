/* SPDX-License-Identifier: MIT */
/*
 * sr_rtp_timeline.c: arrival time until the sender reports, its NTP clock after. The
 * switch is made once, with the offset that keeps the reference track continuous; the
 * other tracks move by how far their arrival times were off, which is the A/V sync
 * the reports exist to give.
 */
#include "sr_rtp_timeline.h"

#include <string.h>

#include "sr_rtcp.h"

void sr_rtp_clock_init(sr_rtp_clock_t *c, uint32_t clock_hz)
{
    memset(c, 0, sizeof(*c));
    c->clock_hz = clock_hz ? clock_hz : 90000;
}

void sr_rtp_timeline_init(sr_rtp_timeline_t *t)
{
    memset(t, 0, sizeof(*t));
}

void sr_rtp_timeline_add(sr_rtp_timeline_t *t, sr_rtp_clock_t *c)
{
    if (t->nb_tracks < SR_RTP_TIMELINE_MAX_TRACKS) {
        t->tracks[t->nb_tracks++] = c;
    }
}

int64_t sr_rtp_clock_push(sr_rtp_clock_t *c, uint32_t ts, int64_t arrival_ms)
{
    if (!c->has_first) {
        c->has_first = true;
        c->ext_ts = c->first_ts = ts;
        c->last_ts = ts;
        c->first_ms = arrival_ms;
        return c->ext_ts;
    }
    c->ext_ts += (int32_t)(ts - c->last_ts);
    c->last_ts = ts;
    return c->ext_ts;
}

int64_t sr_rtp_clock_ext(const sr_rtp_clock_t *c, uint32_t ts)
{
    return c->ext_ts + (int32_t)(ts - c->last_ts);
}

void sr_rtp_clock_on_sr(sr_rtp_clock_t *c, uint32_t rtp_ts, uint64_t ntp)
{
    if (!c->has_first) {
        return;
    }
    c->sr_ts = sr_rtp_clock_ext(c, rtp_ts);
    c->sr_ntp_ms = sr_rtcp_ntp_to_us(ntp) / 1000;
    c->has_sr = true;
}

static int64_t sr_rtp_clock_arrival_ms(const sr_rtp_clock_t *c, int64_t ext)
{
    return c->first_ms + (ext - c->first_ts) * 1000 / c->clock_hz;
}

static int64_t sr_rtp_clock_ntp_ms(const sr_rtp_clock_t *c, int64_t ext)
{
    return c->sr_ntp_ms + (ext - c->sr_ts) * 1000 / c->clock_hz;
}

int64_t sr_rtp_timeline_ms(sr_rtp_timeline_t *t, const sr_rtp_clock_t *c, int64_t ext)
{
    for (size_t i = 0; i < t->nb_tracks; i++) {
        if (!t->tracks[i]->has_sr) {
            return sr_rtp_clock_arrival_ms(c, ext);
        }
    }
    if (t->nb_tracks == 0) {
        return sr_rtp_clock_arrival_ms(c, ext);
    }
    if (!t->has_ntp_offset) {
        const sr_rtp_clock_t *ref = t->tracks[0];
        t->ntp_offset_ms = sr_rtp_clock_arrival_ms(ref, ref->ext_ts) - sr_rtp_clock_ntp_ms(ref, ref->ext_ts);
        t->has_ntp_offset = true;
    }
    return sr_rtp_clock_ntp_ms(c, ext) + t->ntp_offset_ms;
}
