/* SPDX-License-Identifier: MIT */
/*
 * sr_edge_internal.h: what sr_edge.c (pulls) and sr_edge_push.c (pushes, token checks)
 * share: the server's edge state and the naming of a stream at the origin.
 */
#ifndef SR_EDGE_INTERNAL_H
#define SR_EDGE_INTERNAL_H

#include "sr_edge.h"
#include "sr_st.h"

SR_BEGIN_DECLS

struct sr_edge_pull;

typedef struct sr_edge {
    sr_server_t *server;
    sr_source_observer_t observer;
    struct sr_edge_pull *pulls;
    struct sr_edge_push *pushes;
    sr_cond_t *pulls_gone; /* signalled as pulls end, for stop */
} sr_edge_t;

/* The server's edge state, or NULL before sr_edge_start. */
sr_edge_t *sr_edge__of(sr_server_t *server);
/* The stream's name at the origin: "stream?vhost=V&params" with the upstream vhost
 * (cluster.vhost, else the stream's own when it is not the default one) and req's
 * params without their vhost. */
void sr_edge__upstream_stream(const sr_cluster_config_t *cc, const sr_request_t *req, char *out, size_t size);

/* The pushes' part of sr_edge_foreach. e may be NULL. */
void sr_edge__foreach_push(sr_edge_t *e, void (*fn)(const sr_edge_info_t *info, void *arg), void *arg);

SR_END_DECLS

#endif
