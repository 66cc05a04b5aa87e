/* SPDX-License-Identifier: MIT */
/*
 * sr_output.h: the registry of server-side outputs of a live stream: what each kind
 * needs from the config, and how to start and stop one. HLS and DVR are its entries;
 * forward, transcode and edge push will be new files plus one line in sr_output.c.
 * sr_sinks runs them for each published stream and a reload keeps them in line with
 * the config.
 */
#ifndef SR_OUTPUT_H
#define SR_OUTPUT_H

#include "sr_config_server.h"
#include "sr_core.h"
#include "sr_request.h"
#include "sr_server.h"
#include "sr_source.h"

SR_BEGIN_DECLS

typedef struct sr_output_kind {
    const char *name; /* for logs: "hls", "dvr" */
    /* The kind's settings in v (borrowed, copied by the caller, settings_size bytes), or
     * NULL when v does not ask for this output for the stream of req. */
    const void *(*wanted)(const sr_vhost_config_t *v, const sr_request_t *req);
    size_t settings_size;
    /* Whether two settings ask for the same output (a reload restarts it if not). */
    bool (*same)(const void *a, const void *b);
    /* Start one for source; req and settings are copied. NULL when it cannot start (it
     * has logged why). Never yields. */
    void *(*start)(sr_server_t *server, sr_source_t *source, const sr_request_t *req, const void *settings);
    /* Write what is queued, finalise, free. May yield. */
    void (*stop)(void *output);
} sr_output_kind_t;

/* The registry, in start order. */
extern const sr_output_kind_t *const sr_output_kinds[];
extern const size_t sr_output_kind_count;

SR_END_DECLS

#endif
