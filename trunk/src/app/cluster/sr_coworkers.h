/* SPDX-License-Identifier: MIT */
/*
 * sr_coworkers.h: SRS's origin cluster (cluster { origin_cluster on; coworkers API...; }).
 * An origin asked for a stream it does not publish asks each coworker's HTTP API,
 * GET /api/v1/clusters?vhost=&ip=&app=&stream=&coworker=, which answers with the RTMP
 * address of the origin that publishes it; this origin then pulls the stream from
 * there (sr_edge.c) where SRS would send the player an RTMP redirect, which ffmpeg and
 * most players do not follow. Both sides speak SRS's format, so Strand and SRS origins
 * can be coworkers of each other.
 */
#ifndef SR_COWORKERS_H
#define SR_COWORKERS_H

#include "sr_config_cluster.h"
#include "sr_core.h"
#include "sr_json.h"
#include "sr_request.h"
#include "sr_server.h"

SR_BEGIN_DECLS

/* Each coworker's request is bounded by this (connect, send, answer). */
#define SR_COWORKERS_TIMEOUT_US (2 * SR_UTIME_S)

/* Ask cc's coworkers in order which origin publishes req's stream; the first answer
 * naming an RTMP address other than this server's goes into out. -SR_ENOT_FOUND when
 * none has it (each coworker's reason is logged at info level). May yield. */
int sr_coworkers_lookup(sr_server_t *server, const sr_cluster_config_t *cc, const sr_request_t *req,
                        sr_cluster_addr_t *out);

/* The API's side: when vhost/app/stream is published here (not pulled), write the
 * "origin" member of GET /api/v1/clusters's data: {ip, port, vhost, api, routers}, with
 * ip taken from coworker ("host:port" the asker used for our API; "" for this host's
 * address) and port this server's first RTMP port. SR_ENOT_FOUND (positive, the API's
 * code) when the stream is not published here. Never yields. */
int sr_coworkers_write_origin(sr_server_t *server, const char *vhost, const char *app, const char *stream,
                              const char *coworker, sr_json_writer_t *w);

SR_END_DECLS

#endif
