/* SPDX-License-Identifier: MIT */
/*
 * sr_rtsp_pull.h: cameras pulled by our RTSP client (vhost rtsp_pull NAME { }, ours).
 * A pull claims its stream as a relay publisher and feeds it from the camera's RTSP
 * URL (DESCRIBE, SETUP over TCP interleaved or UDP, PLAY), so every protocol serves
 * it. On demand (the default) it runs while the stream has players: the first player
 * starts it (the source observers) and it ends a few seconds after the last one
 * leaves; with on_demand off it runs from start to stop. A camera that fails or
 * restarts is reconnected with backoff, players staying attached.
 */
#ifndef SR_RTSP_PULL_H
#define SR_RTSP_PULL_H

#include "sr_core.h"
#include "sr_server.h"

SR_BEGIN_DECLS

/* Start watching server's sources for configured pulls, and start the always-on ones. */
void sr_rtsp_pull_start(sr_server_t *server);
/* Apply a reload: a pull whose config was removed, or whose camera (url, transport)
 * changed, ends; a changed one calls its new camera once the old one unpublished, if it
 * is always-on or has players; always-on pulls that do not run start; on_demand takes
 * effect in place. Never yields. */
void sr_rtsp_pull_reload(sr_server_t *server);
/* End every pull (each unpublishes) and wait for them. May yield. */
void sr_rtsp_pull_stop(sr_server_t *server);
/* Whether vhost/app/stream is a configured pull; if so it is started (when on demand
 * and not running) and held for a while, so that a client that asks before attaching
 * a consumer (an RTSP DESCRIBE) finds it. */
bool sr_rtsp_pull_hold(sr_server_t *server, const char *vhost, const char *app, const char *stream);

/* For a player that asks for a live stream (HTTP-FLV, RTSP): when vhost/app/stream is
 * a configured pull, hold it and wait, at most timeout_us, until the camera's media
 * flows (its configs reached the stream): -SR_ETIMEOUT when it does not. SR_OK at once
 * for other streams. May yield. */
int sr_rtsp_pull_await(sr_server_t *server, const char *vhost, const char *app, const char *stream,
                       sr_utime_t timeout_us);

/* One pull as the API shows it. Strings valid during the callback. */
typedef struct sr_rtsp_pull_info {
    const char *vhost, *app, *stream;
    const char *url;   /* without credentials */
    const char *state; /* "connecting", "playing", "waiting" (backoff) */
    bool is_on_demand, is_udp;
    int64_t state_since_ms;
    uint64_t reconnects, packets, frames;
    const char *last_error; /* "" none */
} sr_rtsp_pull_info_t;

void sr_rtsp_pull_foreach(sr_server_t *server, void (*fn)(const sr_rtsp_pull_info_t *info, void *arg), void *arg);

SR_END_DECLS

#endif
