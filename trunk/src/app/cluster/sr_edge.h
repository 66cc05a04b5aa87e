/* SPDX-License-Identifier: MIT */
/*
 * sr_edge.h: a vhost in cluster mode remote is an edge. Play: the first player of a
 * stream makes the edge pull it from the first origin that answers; every player of
 * every protocol shares that pull (it publishes into the local source, so the edge also
 * writes HLS and DVR of it); the pull ends some seconds after the last player left; an
 * origin that fails is replaced by the next one while players stay attached. Publish:
 * a stream published to the edge is published to an origin first, whose refusal is the
 * publisher's, then copied there (sr_edge_push.c). token_traverse asks the origin to
 * accept each client's connect. With a registry (sr_registry.h), an edge tries the
 * origin the registry names first, and an origin pulls a stream it does not have from
 * the origin that does.
 */
#ifndef SR_EDGE_H
#define SR_EDGE_H

#include "sr_config_cluster.h"
#include "sr_core.h"
#include "sr_request.h"
#include "sr_server.h"
#include "sr_source.h"

SR_BEGIN_DECLS

/* How long a player that needs the stream live at once (HTTP-FLV) waits for the pull. */
#define SR_EDGE_AWAIT_US (10 * SR_UTIME_S)
/* A pull without players ends after this long. */
#define SR_EDGE_LINGER_US (3 * SR_UTIME_S)

/* Watch the server's streams for edge vhosts. Never yields. */
void sr_edge_start(sr_server_t *server);
/* End every pull; their streams unpublish. May yield. */
void sr_edge_stop(sr_server_t *server);
/* The cluster settings of vhost when it is an edge in the running config, else NULL. */
const sr_cluster_config_t *sr_edge_config(sr_server_t *server, const char *vhost);
/* Whether vhost's origins form SRS's origin cluster (origin_cluster, coworkers) and this
 * is one of them: a play of a stream no member publishes is refused (an edge in front
 * then tries the next origin). */
bool sr_edge_is_cluster_member(sr_server_t *server, const char *vhost);
/* Whether s is fed by a pull of this server (not published here). */
bool sr_edge_is_pulled(sr_server_t *server, const sr_source_t *s);
/* For a player that needs its stream live before it starts: where streams are pulled
 * (an edge vhost, a registry, coworkers), make sure the stream is pulled and wait until
 * its media flows, at most timeout_us (-SR_ETIMEOUT; -SR_ENOT_FOUND when the pull ended
 * because nobody has it). SR_OK at once elsewhere and when the stream is live. May
 * yield. */
int sr_edge_await(sr_server_t *server, const sr_request_t *req, sr_utime_t timeout_us);
/* For an HLS request, which holds no connection: as sr_edge_await (timeout_us 0: no
 * wait), and the pull goes on for at least hold_us more even without players. May yield. */
int sr_edge_hold(sr_server_t *server, const sr_request_t *req, sr_utime_t hold_us, sr_utime_t timeout_us);
/* token_traverse: on an edge vhost that asks for it, connect to an origin with the
 * client's tcUrl and app (its token) and return the origin's refusal. May yield. */
int sr_edge_check_connect(sr_server_t *server, const sr_request_t *req);

struct sr_edge_push;
/* For a publisher on an edge vhost: publish req to the first origin that answers (its
 * refusal is returned), then copy source there until stopped; when the origin fails,
 * client is kicked, and reconnecting tries the origins again. *out NULL for other
 * vhosts. May yield. */
int sr_edge_push_start(sr_server_t *server, sr_client_t *client, sr_source_t *source, const sr_request_t *req,
                       struct sr_edge_push **out);
/* Send what is queued, close, free. NULL ok. May yield. */
void sr_edge_push_stop(struct sr_edge_push *push);

typedef struct sr_edge_info {
    const char *vhost, *app, *stream;
    const char *direction; /* "pull" or "push" */
    const char *upstream;  /* "host:port" of the origin in use or being tried */
    const char *state;     /* "connecting", "pulling" / "pushing", "backoff" */
    int64_t state_since_ms;
    uint64_t bytes; /* received (pull) or sent (push) */
    uint64_t failovers;
} sr_edge_info_t;

/* Call fn for every pull and push (the API). fn must not yield. */
void sr_edge_foreach(sr_server_t *server, void (*fn)(const sr_edge_info_t *info, void *arg), void *arg);

SR_END_DECLS

#endif
