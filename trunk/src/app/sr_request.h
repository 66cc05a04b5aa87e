/* SPDX-License-Identifier: MIT */
/*
 * sr_request.h: who a client is and which stream it wants: tcUrl, vhost, app,
 * stream and the query parameters, discovered the way SRS does it (a `vhost=` or
 * `domain=` parameter on the stream or the app, else the tcUrl host).
 */
#ifndef SR_REQUEST_H
#define SR_REQUEST_H

#include "sr_core.h"

SR_BEGIN_DECLS

typedef struct sr_request {
    char tc_url[1024];
    char page_url[512];
    char swf_url[512];
    char schema[16];
    char host[256];
    int port;
    char vhost[256];
    char app[256];
    char stream[256];
    char param[1024]; /* "?a=1&b=2" or "" */
    double object_encoding;
    char ip[64];
} sr_request_t;

/* Fill from the connect command: tcUrl and the app field (which may carry "?params").
 * A missing or unparsable tcUrl falls back to the app field alone. */
void sr_request_from_connect(sr_request_t *req, const char *tc_url, const char *app_field, int default_port);
/* Set the stream from a publish/play name ("name?params"); parameters on the stream
 * override those on the app, and a vhost parameter re-targets the vhost. */
void sr_request_set_stream(sr_request_t *req, const char *stream_field);
/* "vhost/app/stream": the key of the stream's source. */
void sr_request_source_key(const sr_request_t *req, char *out, size_t size);
/* "/app/stream" as SRS reports stream_url (with the vhost prefixed when not the default). */
void sr_request_stream_url(const sr_request_t *req, char *out, size_t size);

SR_END_DECLS

#endif
