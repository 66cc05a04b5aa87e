/* SPDX-License-Identifier: MIT */
/*
 * sr_request.h: who a client is and which stream it wants: tcUrl, vhost, app,
 * stream and the query parameters, discovered the way SRS does it (a `vhost=` or
 * `domain=` parameter on the stream or the app, else the tcUrl host).
 *
 * Every connection and HTTP viewer holds one, so the strings live on the heap, sized
 * to their content, instead of in fixed arrays. Each field is read as a plain
 * NUL-terminated string that is never NULL ("" when empty) and is written only
 * through the functions below. A setter frees the field's previous string, so a
 * pointer to a field's content is valid only until the field is set again.
 */
#ifndef SR_REQUEST_H
#define SR_REQUEST_H

#include "sr_core.h"

SR_BEGIN_DECLS

/* The longest content of each field, in bytes (without the NUL). What a client sends
 * (sr_request_from_connect, sr_request_set_stream) is refused when longer, as SRS
 * refuses it: a name cut short could name another stream. sr_request_set truncates. */
#define SR_REQUEST_TC_URL_MAX 1023
#define SR_REQUEST_PAGE_URL_MAX 511
#define SR_REQUEST_SWF_URL_MAX 511
#define SR_REQUEST_SCHEMA_MAX 15
#define SR_REQUEST_HOST_MAX 255
#define SR_REQUEST_VHOST_MAX 255
#define SR_REQUEST_APP_MAX 255
#define SR_REQUEST_STREAM_MAX 255
#define SR_REQUEST_PARAM_MAX 1023
#define SR_REQUEST_IP_MAX 63

/* Owned by the request: read-only for everyone else. */
typedef struct sr_request {
    const char *tc_url;
    const char *page_url;
    const char *swf_url;
    const char *schema;
    const char *host;
    int port;
    const char *vhost;
    const char *app;
    const char *stream;
    const char *param; /* "?a=1&b=2" or "" */
    double object_encoding;
    const char *ip;
} sr_request_t;

/* The string fields, to name one to sr_request_set. */
typedef enum sr_request_field {
    SR_REQUEST_TC_URL,
    SR_REQUEST_PAGE_URL,
    SR_REQUEST_SWF_URL,
    SR_REQUEST_SCHEMA,
    SR_REQUEST_HOST,
    SR_REQUEST_VHOST,
    SR_REQUEST_APP,
    SR_REQUEST_STREAM,
    SR_REQUEST_PARAM,
    SR_REQUEST_IP,
    SR_REQUEST_FIELD_COUNT
} sr_request_field_t;

/* Make req (caller storage) empty: every string "", port and object_encoding 0.
 * Allocates nothing. Every owner calls it before any reader sees req. */
void sr_request_init(sr_request_t *req);
/* Free the strings req owns and leave it as sr_request_init does. Safe to call twice,
 * and on a zeroed struct (NULL fields count as empty). */
void sr_request_deinit(sr_request_t *req);
/* Set one field to the printf-style fmt, truncated at the field's _MAX. The previous
 * string is freed after the new one is formatted, so the arguments may point into
 * req (even into the field itself). */
void sr_request_set(sr_request_t *req, sr_request_field_t field, const char *fmt, ...) SR_PRINTF(3, 4);
/* Make dst (initialised or zeroed) a deep copy of src (borrowed): what dst owned is
 * freed, and the two share no strings, so each is deinitialised on its own. */
void sr_request_copy(sr_request_t *dst, const sr_request_t *src);

/* Fill from the connect command: tcUrl and the app field (which may carry "?params").
 * A missing or unparsable tcUrl falls back to the app field alone. -SR_ENAME_TOO_LONG
 * (the trail names the part and its length, not its content) when the tcUrl, its host,
 * the app, its parameters or a vhost parameter is over its _MAX; req is then partly set. */
int sr_request_from_connect(sr_request_t *req, const char *tc_url, const char *app_field, int default_port);
/* Set the stream from a publish/play name ("name?params"); parameters on the stream
 * override those on the app, and a vhost parameter re-targets the vhost.
 * -SR_ENAME_TOO_LONG as above for the name, its parameters or a vhost parameter. */
int sr_request_set_stream(sr_request_t *req, const char *stream_field);
/* "vhost/app/stream": the key of the stream's source. */
void sr_request_source_key(const sr_request_t *req, char *out, size_t size);
/* "/app/stream" as SRS reports stream_url (with the vhost prefixed when not the default). */
void sr_request_stream_url(const sr_request_t *req, char *out, size_t size);

SR_END_DECLS

#endif
