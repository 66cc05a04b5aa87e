/* SPDX-License-Identifier: MIT */
/*
 * sr_stream_policy.h: what a vhost's config means for a live stream, in the plain
 * structs the source and its consumers run on: the source policy (GOP cache, atc,
 * mix_correct) and the consumer policy every player gets whatever its protocol
 * (queue_length, time_jitter, merged writes, send_min_interval). One place, used at
 * publish, at play and at reload, so a protocol never derives them itself.
 */
#ifndef SR_STREAM_POLICY_H
#define SR_STREAM_POLICY_H

#include "sr_config_server.h"
#include "sr_consumer.h"
#include "sr_core.h"
#include "sr_source.h"

SR_BEGIN_DECLS

/* The policy of the source of a stream of vhost v. */
void sr_stream_policy_source(const sr_vhost_config_t *v, sr_source_policy_t *out);
/* The consumer policy vhost v gives its players (RTMP, HTTP, ...). `atc on` turns
 * time_jitter off, as with SRS. */
void sr_stream_policy_player(const sr_vhost_config_t *v, sr_consumer_policy_t *out);

SR_END_DECLS

#endif
