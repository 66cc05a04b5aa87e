/* SPDX-License-Identifier: MIT */
/*
 * sr_hls.h: the HLS sink of a published stream (see sr_sinks.h): its own consumer on
 * the source and its own coroutine, so a slow disk delays only this sink.
 */
#ifndef SR_HLS_H
#define SR_HLS_H

#include "sr_config_media.h"
#include "sr_core.h"
#include "sr_request.h"
#include "sr_server.h"
#include "sr_source.h"

SR_BEGIN_DECLS

typedef struct sr_hls sr_hls_t;

/* Start for source (referenced while running); req and cfg are copied. Returns NULL,
 * after logging why, when it cannot start. May yield. */
sr_hls_t *sr_hls_start(sr_server_t *server, sr_source_t *source, const sr_request_t *req, const sr_hls_config_t *cfg);
/* Write everything queued, finalise the files, free. NULL ok. May yield. */
void sr_hls_stop(sr_hls_t *h);

/* HLS as an entry of the output registry (sr_output.h). */
struct sr_output_kind;
extern const struct sr_output_kind sr_hls_output;

SR_END_DECLS

#endif
