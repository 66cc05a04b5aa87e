/* SPDX-License-Identifier: MIT */
#include "sr_stream_policy.h"

#include <string.h>

#include "sr_jitter.h"

void sr_stream_policy_source(const sr_vhost_config_t *v, sr_source_policy_t *out)
{
    memset(out, 0, sizeof(*out));
    out->is_gop_cache = v->is_gop_cache;
    out->gop_cache_max_frames = v->gop_cache_max_frames;
    out->is_atc = v->is_atc;
    out->is_mix_correct = v->is_mix_correct;
}

void sr_stream_policy_player(const sr_vhost_config_t *v, sr_consumer_policy_t *out)
{
    memset(out, 0, sizeof(*out));
    out->queue_length_ms = v->queue_length_ms;
    out->time_jitter = v->is_atc ? SR_JITTER_OFF : v->time_jitter;
    out->mw_msgs = v->mw_msgs;
    out->mw_latency_us = (sr_utime_t)v->mw_latency_ms * SR_UTIME_MS;
    out->is_min_latency = v->is_min_latency;
    out->send_min_interval_us = (sr_utime_t)v->send_min_interval_us;
}
