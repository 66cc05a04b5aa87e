/* SPDX-License-Identifier: MIT */
/*
 * sr_http_hooks_internal.h: the parts of sr_http_hooks that do not need a server, for
 * the unit tests (and later on_dvr/on_hls): the answer rule, the payload builder, the
 * ordered gated call over a URL list, and the notification queue with its worker.
 * App code uses sr_http_hooks.h.
 */
#ifndef SR_HTTP_HOOKS_INTERNAL_H
#define SR_HTTP_HOOKS_INTERNAL_H

#include "sr_bytes.h"
#include "sr_config_http.h"
#include "sr_http_hooks.h"

SR_BEGIN_DECLS

/* Whether a hook's answer admits the client: status 200 or 201 and a body (len bytes at
 * body, borrowed, need not be NUL-terminated; NULL when len is 0) that is `0` with
 * optional surrounding whitespace, or a JSON object whose "code" is the number 0. An
 * empty body, "ok", {"code":"0"}, {"code":1} or a JSON number other than a bare 0 fail. */
bool sr_hooks__is_success(int status, const char *body, size_t len);

/* What one payload says. Strings are borrowed; NULL is sent as "". */
typedef struct sr_hooks__event {
    sr_hook_event_t ev; /* SR_HOOK_ON_CONNECT .. SR_HOOK_ON_STOP */
    const char *server_id;
    const char *service_id;
    const char *client_id;
    const char *stream_id;           /* on_publish/unpublish/play/stop */
    const struct sr_request *req;    /* borrowed, not NULL */
    uint64_t send_bytes, recv_bytes; /* on_close */
} sr_hooks__event_t;

/* Append the JSON payload of e to out (caller-initialised): server_id, service_id,
 * action, client_id, ip, vhost, app for every event, then the event's own fields
 * (COMPAT.md). Returns SR_OK, or -SR_EINVAL for an event without a payload here. */
int sr_hooks__payload(const sr_hooks__event_t *e, sr_buf_t *out);

/* How each POST of a call goes out (copied from the vhost's http_hooks). */
typedef struct sr_hooks__opts {
    char secret[SR_HOOKS_SECRET_MAX + 1]; /* "": unsigned */
    sr_utime_t timeout_us;                /* bound on one POST */
    bool is_error_allow;                  /* a gated call admits when the hook cannot be asked */
} sr_hooks__opts_t;

/* Hex digits of an HMAC-SHA256, without the NUL. */
#define SR_HOOKS_SIGNATURE_HEX 64

/* HMAC-SHA256 (RFC 2104, FIPS 180-4) of data (len bytes) with key (key_len bytes);
 * all borrowed. */
void sr_hooks__hmac_sha256(const void *key, size_t key_len, const void *data, size_t len, uint8_t out[32]);
/* The X-Strand-Signature value's hex part: lower-case hex of HMAC-SHA256(secret, the
 * decimal timestamp, ".", then the body's len bytes) into out (NUL-terminated). */
void sr_hooks__sign(const char *secret, int64_t timestamp, const void *body, size_t len,
                    char out[SR_HOOKS_SIGNATURE_HEX + 1]);

/* POST body (len bytes, borrowed) to urls[0..count-1] (borrowed) in order, each as opts
 * says (NULL: unsigned, SR_HOOK_TIMEOUT_US, refuse on error), stopping at the first
 * failure. With opts->is_error_allow, a URL that cannot be asked (connection refused,
 * timeout, socket error, no valid HTTP answer) is skipped with a warning instead; an
 * answer that refuses still refuses, and a bad URL still fails. action and client_id
 * (borrowed) are for the log. Returns what the sr_hooks_on_connect contract says. May
 * yield. */
int sr_hooks__call(const char *action, const char *client_id, char *const *urls, int count, const void *body,
                   size_t len, const sr_hooks__opts_t *opts);

/* A queue of at most max_pending notifications and its worker coroutine, which sends
 * each with timeout_us per URL unless the notification has its own options. Free with
 * sr_hooks__free. */
sr_hooks_t *sr_hooks__new(sr_utime_t timeout_us, int max_pending);
/* Queue one notification: action and client_id are copied, urls[0..count-1] copied,
 * opts copied (NULL: unsigned, the queue's timeout), body taken (its storage moves into
 * the queue and *body is re-initialised, also when the notification is dropped). The
 * signature is made when it is sent, with the time of sending. Never yields. Returns
 * false when dropped (full). */
bool sr_hooks__push(sr_hooks_t *h, const char *action, const char *client_id, char *const *urls, int count,
                    sr_buf_t *body, const sr_hooks__opts_t *opts);
/* Notifications queued or being sent. */
int sr_hooks__pending(const sr_hooks_t *h);
/* Notifications dropped because the queue was full or the deadline passed. */
uint64_t sr_hooks__dropped(const sr_hooks_t *h);
/* Drain until deadline_us (sr_time_mono_us clock), stop the worker, free h. NULL ok.
 * May yield. */
void sr_hooks__free(sr_hooks_t *h, sr_utime_t deadline_us);

SR_END_DECLS

#endif
