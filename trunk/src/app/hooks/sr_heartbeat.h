/* SPDX-License-Identifier: MIT */
/*
 * sr_heartbeat.h: SRS's heartbeat (global heartbeat { }): one coroutine POSTs this
 * server's identity to a URL every interval, so a management service knows which
 * servers are alive, where, and (with summaries on) how loaded they are:
 *
 *     {"device_id": "my-srs-device", "ip": "192.168.1.10", "summaries": {...}}
 *
 * ip is this host's first non-loopback IPv4 address; summaries is the data object of
 * GET /api/v1/summaries. A failed POST is logged (the first, then at most once a
 * minute, and the recovery) and changes nothing else: the heartbeat never blocks a
 * connection. The config is read from the running snapshot before each POST, so a
 * reload (enable, disable, new URL or interval) applies at the next beat.
 *
 * Not here: the HTTP client (protocol/sr_http.h), parsing the block (sr_config_http).
 */
#ifndef SR_HEARTBEAT_H
#define SR_HEARTBEAT_H

#include "sr_bytes.h"
#include "sr_config_http.h"
#include "sr_core.h"

SR_BEGIN_DECLS

struct sr_server;

typedef struct sr_heartbeat sr_heartbeat_t;

/* Start the heartbeat coroutine of s (borrowed; it must outlive the heartbeat). It
 * sends at once when enabled, then every interval; when disabled it only watches for a
 * reload. Never fails. */
sr_heartbeat_t *sr_heartbeat_start(struct sr_server *s);
/* The server's config was replaced: look at it now (the wait for the next beat ends).
 * NULL ok. Never yields. */
void sr_heartbeat_reload(sr_heartbeat_t *h);
/* Stop the coroutine (a POST in flight is cut short) and free h. NULL ok. May yield. */
void sr_heartbeat_stop(sr_heartbeat_t *h);

/* The JSON body of one beat for c (borrowed) and ip (borrowed) into out
 * (caller-initialised): device_id, ip and, with c->is_summaries, the summaries of s
 * (which may be NULL only without summaries). SR_OK, or -SR_EINTERRUPTED when the caller
 * was stopped while sampling (out then holds a partial body). May yield (summaries). */
int sr_heartbeat_body(struct sr_server *s, const sr_heartbeat_config_t *c, const char *ip, sr_buf_t *out);
/* This host's first non-loopback IPv4 address (interface order) into out; "" when it
 * has none. Never yields. */
void sr_heartbeat_local_ip(char *out, size_t size);

SR_END_DECLS

#endif
