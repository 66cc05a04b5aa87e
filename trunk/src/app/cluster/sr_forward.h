/* SPDX-License-Identifier: MIT */
/*
 * sr_forward.h: vhost forward { }: every published stream is pushed to each destination
 * (and to what the backend service names) by its own RTMP client coroutine, which
 * reconnects with backoff while the stream is live and starts each new session from the
 * cached GOP. A forwarded stream carries the ids of the servers it passed through
 * (strand_via), so servers that forward to each other refuse the copy that comes back
 * instead of looping.
 */
#ifndef SR_FORWARD_H
#define SR_FORWARD_H

#include "sr_core.h"
#include "sr_output.h"
#include "sr_request.h"
#include "sr_server.h"

SR_BEGIN_DECLS

/* The output registry's entry (sr_output.c). */
extern const sr_output_kind_t sr_forward_output;

/* How a refusal for a loop starts (the RTMP status description), so that the forwarder
 * on the other side stops instead of retrying. */
#define SR_FORWARD_LOOP_TEXT "Forward loop"

/* -SR_EFORWARD_LOOP when req was forwarded here through this server already. */
int sr_forward_check_loop(sr_server_t *server, const sr_request_t *req);

typedef struct sr_forward_info {
    const char *vhost, *app, *stream;
    const char *destination; /* "host:port" */
    const char *url;         /* the app/stream?query it publishes */
    const char *state;       /* "connecting", "forwarding", "backoff", "loop" */
    int64_t state_since_ms;  /* wall clock */
    uint64_t sent_bytes;
    uint64_t reconnects;
    const char *error; /* why the last session ended ("" none) */
} sr_forward_info_t;

/* Call fn for every running forwarder link (the API and the exporter). fn must not yield. */
void sr_forward_foreach(void (*fn)(const sr_forward_info_t *info, void *arg), void *arg);

SR_END_DECLS

#endif
