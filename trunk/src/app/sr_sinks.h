/* SPDX-License-Identifier: MIT */
/*
 * sr_sinks.h: the publish-side consumers of a stream (HLS muxer, DVR recorder),
 * started when a publisher starts and stopped, after everything queued was written,
 * when it stops. Every publishing protocol (RTMP today; SRT, WebRTC later) calls
 * these two, so a recording never depends on how the stream arrived.
 */
#ifndef SR_SINKS_H
#define SR_SINKS_H

#include "sr_config_server.h"
#include "sr_core.h"
#include "sr_request.h"
#include "sr_server.h"
#include "sr_source.h"

SR_BEGIN_DECLS

typedef struct sr_sinks sr_sinks_t;

/* Start the sinks v enables for source (hls, dvr). req, v are copied as needed;
 * source is referenced by each sink. Never NULL. May yield. */
sr_sinks_t *sr_sinks_start(sr_server_t *server, sr_source_t *source, const sr_request_t *req,
                           const sr_vhost_config_t *v);
/* Drain and finalise every sink, then free. NULL ok. May yield. */
void sr_sinks_stop(sr_sinks_t *sinks);

SR_END_DECLS

#endif
