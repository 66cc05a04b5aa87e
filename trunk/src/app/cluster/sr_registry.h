/* SPDX-License-Identifier: MIT */
/*
 * sr_registry.h: the origin cluster on Redis. An origin whose vhost names a registry
 * (cluster { registry redis://HOST:PORT/DB; }) lists each stream published to it as
 * key "strand:stream:VHOST/APP/STREAM" = "HOST:PORT" (its advertised RTMP address)
 * with a TTL it refreshes while the stream is live and deletes at unpublish (only if
 * the key still names it). Edges and other origins look a stream up there before they
 * pull (sr_edge.c). Redis being down stops nothing that flows: registrations are
 * retried on every refresh, lookups fail with the reason.
 */
#ifndef SR_REGISTRY_H
#define SR_REGISTRY_H

#include "sr_config_cluster.h"
#include "sr_core.h"
#include "sr_request.h"
#include "sr_server.h"

SR_BEGIN_DECLS

/* How long a registration lives without a refresh, and how often it is refreshed. */
#define SR_REGISTRY_TTL_S 10
#define SR_REGISTRY_REFRESH_US (3 * SR_UTIME_S)

/* Register the server's published streams from now on. Never yields. */
void sr_registry_start(sr_server_t *server);
/* Remove this server's registrations (bounded wait) and stop. May yield. */
void sr_registry_stop(sr_server_t *server);
/* The origin that publishes req's stream according to cc's registry, other than this
 * server, into out. -SR_ENOT_FOUND when the registry names none (or names us); the
 * Redis error otherwise. May yield. */
int sr_registry_lookup(sr_server_t *server, const sr_cluster_config_t *cc, const sr_request_t *req,
                       sr_cluster_addr_t *out);

SR_END_DECLS

#endif
