/* SPDX-License-Identifier: MIT */
/*
 * sr_sinks.h: the publish-side consumers of a stream (HLS muxer, DVR recorder),
 * started when a publisher starts and stopped, after everything queued was written,
 * when it stops. Every publishing protocol (RTMP today; SRT, WebRTC later) calls
 * start and stop, so a recording never depends on how the stream arrived. A reload
 * reaches live streams too: sr_sinks_reload starts what the new config enables, and
 * stops (finalising its files) what it disables or changes, without touching the
 * publisher or the players.
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

/* Start the sinks v enables for source (hls, dvr) and attach them to the source, where
 * a reload finds them. req, v are copied as needed; source is referenced. Never NULL. */
sr_sinks_t *sr_sinks_start(sr_server_t *server, sr_source_t *source, const sr_request_t *req,
                           const sr_vhost_config_t *v);
/* Detach, drain and finalise every sink, then free. NULL ok. May yield. */
void sr_sinks_stop(sr_sinks_t *sinks);
/* Bring the sinks of every live stream in line with the server's (new) config: start
 * HLS/DVR newly enabled, stop those disabled, restart those whose settings changed. May
 * yield; a stream that unpublishes meanwhile is left to its publisher. */
void sr_sinks_reload(sr_server_t *server);

SR_END_DECLS

#endif
