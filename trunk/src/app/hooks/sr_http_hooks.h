/* SPDX-License-Identifier: MIT */
/*
 * sr_http_hooks.h: SRS-compatible HTTP callbacks (vhost http_hooks). A client's
 * connect, publish and play are gated: each URL configured for the event gets a POST
 * with a JSON payload, in order, and the client is admitted only if every one answers
 * HTTP 200/201 with a body of `0` or `{"code": 0, ...}` (COMPAT.md "HTTP hooks").
 * Leaving (close, unpublish, stop) is only reported: the payload is built at once and
 * queued for one worker coroutine, so a slow hook server never delays a connection.
 *
 * Not here: the HTTP client (protocol/sr_http.h), parsing http_hooks (sr_config_http),
 * on_dvr/on_hls/on_hls_notify (their modules build on the same internals when they exist),
 * or what a refused client is told (RTMP onStatus, HTTP 403: the connection's job).
 *
 * Every call reads the vhost's hooks from the server's current config snapshot and
 * copies the URLs before its first yield, so a reload during a hook call is safe.
 */
#ifndef SR_HTTP_HOOKS_H
#define SR_HTTP_HOOKS_H

#include "sr_bytes.h"
#include "sr_config_http.h"
#include "sr_core.h"
#include "sr_json.h"
#include "sr_time.h"

SR_BEGIN_DECLS

struct sr_request;
struct sr_server;

/* Bound on one hook call (connect, send, answer) unless http_hooks { timeout MS; } says
 * otherwise. An unreachable or silent hook server costs a gated client at most this per
 * URL, then refuses it (or admits it with on_hook_error allow); other connections keep
 * running because only the caller's coroutine waits. SRS has no bound of its own here
 * (its client uses 30 s socket timeouts). */
#define SR_HOOK_TIMEOUT_US (5 * SR_UTIME_S)
/* Notifications waiting for the worker; more are dropped with a warning. */
#define SR_HOOKS_QUEUE_MAX 1000
/* Bytes of a hook's answer quoted in the refusal trail and the log. */
#define SR_HOOKS_ANSWER_LOG_BYTES 200

/* The notification queue and its worker coroutine; one per server. */
typedef struct sr_hooks sr_hooks_t;

/* ---- gating: run in the caller's coroutine ----
 * s, client_id (the connection's cid; NULL: the running coroutine's) and req are
 * borrowed for the call only; the payload is built from req before the first yield.
 * The hooks of req->vhost are used (the default vhost when it has no block of its own).
 * Returns SR_OK when the client is allowed: hooks disabled, no URL for the event, or
 * every URL accepted. Otherwise, at the first URL that fails (later URLs are not called):
 *   -SR_EHTTP_DENIED   refused: a non-200/201 status, a body other than 0/{"code":0},
 *                      a bad URL, or a transport error (unreachable, timeout after the
 *                      vhost's hook timeout) unless on_hook_error is allow, which skips
 *                      that URL with a warning. The trail names the event, the URL
 *                      and the answer (status + first SR_HOOKS_ANSWER_LOG_BYTES of body,
 *                      or the transport error), ready for the refusal log line.
 *   -SR_EINTERRUPTED   the calling coroutine was asked to stop (kick, server quit).
 * Logs one trace line per URL called (event, URL, status, duration), a warn on refusal.
 * May yield. */
int sr_hooks_on_connect(struct sr_server *s, const char *client_id, const struct sr_request *req);
/* stream_id: the source's id (sr_source_id), borrowed; NULL or "" is sent as "". */
int sr_hooks_on_publish(struct sr_server *s, const char *client_id, const struct sr_request *req,
                        const char *stream_id);
int sr_hooks_on_play(struct sr_server *s, const char *client_id, const struct sr_request *req, const char *stream_id);

/* ---- notifications: never yield, never fail ----
 * Same arguments as above, borrowed for the call only: the URLs are copied and the JSON
 * built now, then queued for the worker (started here if sr_hooks_start was not
 * called). Beyond SR_HOOKS_QUEUE_MAX pending the notification is dropped with a warning.
 * The worker calls every URL (a failure is logged at warn and ignored, as SRS does),
 * signed and bounded as the vhost's http_hooks say.
 * Call on_close only for a client that went through on_connect, on_unpublish after a
 * publish that on_publish allowed, on_stop after an allowed play. */
void sr_hooks_on_close(struct sr_server *s, const char *client_id, const struct sr_request *req, uint64_t send_bytes,
                       uint64_t recv_bytes);
void sr_hooks_on_unpublish(struct sr_server *s, const char *client_id, const struct sr_request *req,
                           const char *stream_id);
void sr_hooks_on_stop(struct sr_server *s, const char *client_id, const struct sr_request *req, const char *stream_id);
/* Write the fields every stream event carries (server_id, service_id, action, client_id,
 * ip, vhost, app, tcUrl, stream, param, stream_url, stream_id) into an open JSON object;
 * on_dvr and on_hls add their own after these. */
void sr_hooks_write_stream_fields(sr_json_writer_t *w, struct sr_server *s, sr_hook_event_t ev, const char *client_id,
                                  const struct sr_request *req, const char *stream_id);
/* Queue a notification whose JSON body the caller built (on_dvr, on_hls: their modules
 * know the fields) to the URLs of req's vhost for ev. body is consumed (moved out and
 * reset). Never yields, never fails. */
void sr_hooks_notify_body(struct sr_server *s, const struct sr_request *req, sr_hook_event_t ev, const char *client_id,
                          sr_buf_t *body);

/* ---- lifetime ---- */

/* Start the notification worker and attach it to s (sr_server_set_hooks). Idempotent.
 * Optional: the first notification starts it too. */
void sr_hooks_start(struct sr_server *s);
/* Deliver what is queued, waiting until deadline_us at most (an absolute time on the
 * sr_time_mono_us() clock; each call in flight is cut to what remains), then stop the
 * worker, free the queue (logging how many notifications were left undelivered) and
 * detach it from s. Call on quit after the connections closed, so their on_unpublish,
 * on_stop and on_close go out. Idempotent; a notification after it starts a new worker.
 * Never call from the worker itself. May yield. */
void sr_hooks_stop(struct sr_server *s, sr_utime_t deadline_us);

SR_END_DECLS

#endif
