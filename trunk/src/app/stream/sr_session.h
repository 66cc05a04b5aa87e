/* SPDX-License-Identifier: MIT */
/*
 * sr_session.h: one publish or one play of a live stream, from its beginning to its
 * end, for any protocol. The protocol files (RTMP, HTTP-FLV; SRT, WebRTC and RTSP next)
 * are wire code: they parse what the client asks for into an sr_request_t, call begin,
 * move media, and call end. Everything that is policy is here, once: the vhost's
 * settings, security and refer (sr_security), the busy check, the on_publish/
 * on_unpublish/on_play/on_stop hooks, the source's and the player's policy, the HLS/DVR
 * sinks, kickoff_for_idle, and the client's entry in the API's tables.
 *
 * Not here: vhost discovery (the protocol knows where the name is: tcUrl, ?vhost=, Host
 * header, the first path segment), on_connect/on_close (a connection is not a session).
 */
#ifndef SR_SESSION_H
#define SR_SESSION_H

#include "sr_config_server.h"
#include "sr_consumer.h"
#include "sr_core.h"
#include "sr_packet.h"
#include "sr_request.h"
#include "sr_server.h"
#include "sr_source.h"

SR_BEGIN_DECLS

struct sr_sinks;

/* Caller storage; the fields are read-only for the protocol. */
typedef struct sr_publish {
    sr_server_t *server;
    sr_client_t *client;
    const sr_request_t *req;   /* borrowed from the connection for the session's life */
    sr_source_t *source;       /* referenced from begin to end */
    struct sr_sinks *sinks;    /* HLS, DVR */
    struct sr_edge_push *push; /* an edge's copy to its origin, or NULL */
    sr_utime_t next_idle_check_us;
    bool is_relay; /* fed by this server (an edge pull): no hooks */
} sr_publish_t;

/* Begin publishing req (its vhost resolved) for client: check security and refer, claim
 * the stream, ask the on_publish hooks, start the sinks. -SR_ESECURITY_DENIED when the
 * vhost's security or refer refuses the client, -SR_ESTREAM_BUSY when another publisher
 * has it, the hook's code when a hook refused (the client is then told and closed by the
 * protocol). On failure nothing needs ending. May yield (hooks). */
int sr_publish_begin(sr_publish_t *p, sr_server_t *server, sr_client_t *client, const sr_request_t *req,
                     const sr_vhost_config_t *v);
/* sr_publish_begin for a stream this server fetches itself (an edge pulling from its
 * origin): the same claim and sinks, without the publish hooks, which ran where the
 * stream was published. May yield. */
int sr_publish_begin_relay(sr_publish_t *p, sr_server_t *server, sr_client_t *client, const sr_request_t *req,
                           const sr_vhost_config_t *v);
/* One frame from the publisher (borrowed). Never yields. */
void sr_publish_frame(sr_publish_t *p, const sr_packet_t *pkt);
/* -SR_EKICKED when publish.kickoff_for_idle says the stream has had no player for too
 * long (looked at once a second, from the live config). Never yields. */
int sr_publish_check_idle(sr_publish_t *p);
/* End it: everything received is written by the sinks, the stream is released, the
 * on_unpublish hooks are queued. May yield. */
void sr_publish_end(sr_publish_t *p);

typedef struct sr_play {
    sr_server_t *server;
    sr_client_t *client;
    const sr_request_t *req; /* borrowed from the connection for the session's life */
    sr_source_t *source;     /* referenced from begin to end */
    sr_consumer_t *consumer; /* from sr_play_attach */
} sr_play_t;

/* Begin playing req (its vhost resolved) for client: check security and refer
 * (-SR_ESECURITY_DENIED, before the stream is looked up), find the stream (with is_live_only,
 * -SR_ENOT_FOUND unless it is being published; else it is created and waits for its
 * publisher) and ask the on_play hooks (their code when one refused). On failure
 * nothing needs ending. May yield (hooks). */
int sr_play_begin(sr_play_t *p, sr_server_t *server, sr_client_t *client, const sr_request_t *req, bool is_live_only);
/* Attach the consumer, with the player policy of vhost v: it gets the metadata,
 * sequence headers and cached GOP first. Call once, after the protocol told its client
 * that playing starts. */
sr_consumer_t *sr_play_attach(sr_play_t *p, const sr_vhost_config_t *v);
/* End it: the on_stop hooks are queued, the consumer and the source released. */
void sr_play_end(sr_play_t *p);

SR_END_DECLS

#endif
