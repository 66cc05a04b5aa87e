/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_play.c: the play phase of an RTMP connection, on the connection's one
 * coroutine. It sleeps on its consumer; on each wake it polls the socket for what
 * the player sent (acks, pings, pause, closeStream) without waiting, then sends the
 * queued media in one batch: one writev carries many messages whose payloads are
 * shared with every other player. Never parking on a read keeps idle players out of
 * ST's io queue, which each event dispatch walks whole.
 */
#include <stdio.h>
#include <string.h>

#include "sr_consts.h"
#include "sr_error.h"
#include "sr_log.h"
#include "sr_packet.h"
#include "sr_rtmp_conn_internal.h"
#include "sr_rtmp_control.h"
#include "sr_rtmp_wire.h"
#include "sr_session.h"
#include "sr_st.h"
#include "sr_tls.h"

#define SR_RTMP_PLAY_BATCH 32
/* The player's input is looked at most this often while media flows (one FIONREAD per
 * second, not per batch: it cost as much as a tenth of the server's time at 2000
 * players), and on every idle wake: commands and acks are rare, a dead peer shows as a
 * failed write. A pause takes effect within this time. */
#define SR_RTMP_PLAY_POLL_US SR_UTIME_S
/* Messages handled per poll, so a chatty player cannot starve its own sending. */
#define SR_RTMP_PLAY_POLL_MAX_MSGS 64

enum { SR_RTMP_PLAY_AUDIO, SR_RTMP_PLAY_VIDEO, SR_RTMP_PLAY_DATA, SR_RTMP_PLAY_STREAMS };

typedef struct sr_rtmp_play {
    sr_rtmp_conn_t *conn;
    sr_consumer_t *consumer;
    bool is_wired; /* the source builds the shared wire form for our chunk size */
    /* per chunk stream, the last message sent: ring seq (UINT64_MAX: none from the ring)
     * and timestamp, what a shared fmt 1 header is relative to */
    uint64_t last_seq[SR_RTMP_PLAY_STREAMS];
    int64_t last_ts[SR_RTMP_PLAY_STREAMS];
    sr_utime_t next_poll_us;
    bool is_paused;
    bool is_pause_notified; /* the state last told to the player */
    bool is_closed;         /* closeStream/deleteStream */
    uint64_t sent_packets;
    uint64_t sent_shared; /* of which in the shared wire form */
} sr_rtmp_play_t;

/* ---- what the player sends ---- */

static int sr_rtmp_play_on_command(sr_rtmp_play_t *p, const sr_rtmp_msg_t *msg)
{
    sr_rtmp_command_t cmd;
    if (sr_rtmp_command_parse(msg->payload->data, msg->payload->size, msg->type == SR_RTMP_MSG_AMF3_COMMAND, &cmd)) {
        return sr_err_new(SR_ERTMP_COMMAND, "malformed command while playing");
    }
    if (strcmp(cmd.name, SR_RTMP_CMD_PAUSE) == 0) {
        const sr_amf0_t *flag = cmd.nargs > 0 ? cmd.args[0] : NULL;
        p->is_paused = flag && sr_amf0_boolean(flag);
    } else if (strcmp(cmd.name, SR_RTMP_CMD_CLOSE_STREAM) == 0 || strcmp(cmd.name, SR_RTMP_CMD_DELETE_STREAM) == 0) {
        p->is_closed = true;
    }
    sr_rtmp_command_deinit(&cmd);
    return SR_OK;
}

/* Handle every whole message the player has sent so far, without waiting for more. */
static int sr_rtmp_play_poll_input(sr_rtmp_play_t *p)
{
    sr_rtmp_conn_t *c = p->conn;
    int rc = SR_OK;
    for (int i = 0; i < SR_RTMP_PLAY_POLL_MAX_MSGS && rc == SR_OK && !p->is_closed; i++) {
        sr_rtmp_msg_t msg;
        rc = sr_rtmp_reader_read(c->reader, &msg);
        if (rc == -SR_ETIMEOUT) {
            sr_err_clear();
            return SR_OK; /* nothing more buffered; a partial message waits in the reader */
        }
        if (rc != SR_OK) {
            return rc;
        }
        if (msg.type == SR_RTMP_MSG_AMF0_COMMAND || msg.type == SR_RTMP_MSG_AMF3_COMMAND) {
            rc = sr_rtmp_play_on_command(p, &msg);
        } else {
            rc = sr_rtmp_conn__on_control(c, &msg);
        }
        sr_payload_unref(msg.payload);
        if (rc == SR_OK) {
            rc = sr_rtmp_conn__maybe_ack(c);
        }
    }
    return rc;
}

/* ---- sending ---- */

/* Only pause state is reported. A publisher that leaves or comes back is not: ffmpeg,
 * ffplay and librtmp stop playing on NetStream.Play.UnpublishNotify, and OBS reconnects
 * on every network blip. As with SRS, players stay attached and the new publisher's
 * media follows (with timestamps that keep increasing, see sr_jitter). */
static int sr_rtmp_play_on_events(sr_rtmp_play_t *p)
{
    sr_rtmp_conn_t *c = p->conn;
    sr_consumer_take_events(p->consumer);
    if (p->is_paused == p->is_pause_notified) {
        return SR_OK;
    }
    p->is_pause_notified = p->is_paused;
    return p->is_paused
               ? sr_rtmp_conn__send_status(c, SR_RTMP_LEVEL_STATUS, SR_RTMP_STATUS_PAUSE_NOTIFY, "Paused.")
               : sr_rtmp_conn__send_status(c, SR_RTMP_LEVEL_STATUS, SR_RTMP_STATUS_UNPAUSE_NOTIFY, "Unpaused.");
}

static const uint32_t sr_rtmp_play_csids[SR_RTMP_PLAY_STREAMS] = {SR_RTMP_CSID_AUDIO, SR_RTMP_CSID_VIDEO,
                                                                  SR_RTMP_CSID_DATA};

static int sr_rtmp_play_stream(uint8_t type)
{
    return type == SR_PACKET_AUDIO   ? SR_RTMP_PLAY_AUDIO
           : type == SR_PACKET_VIDEO ? SR_RTMP_PLAY_VIDEO
                                     : SR_RTMP_PLAY_DATA;
}

/* One message: the shared wire form when its header says what ours would (the same
 * previous message on the chunk stream, our timestamp the same delta after it), else
 * our own fmt 0 header over the shared payload. */
static int sr_rtmp_play_send(sr_rtmp_play_t *p, const sr_packet_t *pkt, const sr_wire_t *wire, uint64_t seq)
{
    sr_rtmp_writer_t *w = p->conn->writer;
    int i = sr_rtmp_play_stream(pkt->type);
    int rc;
    if (wire && p->last_seq[i] == wire->base_seq && pkt->dts - p->last_ts[i] == wire->delta) {
        rc = sr_rtmp_writer_add_chunked(w, wire->block, wire->block->data + wire->off, wire->len);
        p->sent_shared++;
    } else {
        rc = sr_rtmp_writer_add(w, sr_rtmp_play_csids[i], pkt->type, SR_RTMP_STREAM_ID, (uint32_t)pkt->dts,
                                pkt->payload);
    }
    p->last_seq[i] = seq;
    p->last_ts[i] = pkt->dts;
    return rc;
}

static int sr_rtmp_play_send_batch(sr_rtmp_play_t *p)
{
    sr_packet_t pkts[SR_RTMP_PLAY_BATCH];
    const sr_wire_t *wires[SR_RTMP_PLAY_BATCH];
    uint64_t seqs[SR_RTMP_PLAY_BATCH];
    size_t n = sr_consumer_fetch_wired(p->consumer, pkts, wires, seqs, SR_RTMP_PLAY_BATCH);
    int rc = SR_OK;
    for (size_t i = 0; i < n; i++) {
        if (rc == SR_OK && !p->is_paused) {
            rc = sr_rtmp_play_send(p, &pkts[i], p->is_wired ? wires[i] : NULL, seqs[i]);
            p->sent_packets++;
        }
        sr_packet_deinit(&pkts[i]);
    }
    return rc;
}

static int sr_rtmp_play_loop(sr_rtmp_play_t *p)
{
    sr_rtmp_conn_t *c = p->conn;
    sr_sock_set_timeouts(c->sock, 0, SR_SEND_TIMEOUT_US);
    sr_co_trim_stack(); /* the handshake and connect ran deeper than this loop will */
    for (;;) {
        int rc = sr_consumer_wait(p->consumer, sr_consumer_batch_wait_us(p->consumer));
        if (rc == -SR_EINTERRUPTED) {
            return rc;
        }
        sr_utime_t now = sr_time_mono_us();
        /* while media flows, only look when bytes wait (a closed peer fails the next
         * write); an idle wake reads, which also sees the end of the stream */
        bool is_poll_due = now >= p->next_poll_us;
        if (is_poll_due) {
            p->next_poll_us = now + SR_RTMP_PLAY_POLL_US;
        }
        /* under TLS, bytes may also wait decrypted or as part of a record */
        if (rc != SR_OK || (is_poll_due && (sr_sock_pending_bytes(c->sock) > 0 || sr_tls_has_pending(c->tls)))) {
            if ((rc = sr_rtmp_play_poll_input(p)) != SR_OK) {
                return rc;
            }
            if (p->is_closed) {
                return SR_OK;
            }
        }
        rc = sr_rtmp_play_on_events(p);
        while (rc == SR_OK && sr_consumer_can_fetch(p->consumer)) {
            rc = sr_rtmp_play_send_batch(p);
        }
        if (rc == SR_OK) {
            rc = sr_rtmp_writer_flush(c->writer);
        }
        if (rc != SR_OK) {
            return rc;
        }
    }
}

/* Stream Begin, Play.Reset, Play.Start, |RtmpSampleAccess: what players wait for.
 * Nothing else: ffmpeg turns any other data message (NetStream.Data.Start, say) into
 * an extra stream, and `-map 0 -t N` recordings then wait for it forever. */
static int sr_rtmp_play_start(sr_rtmp_conn_t *c)
{
    sr_rtmp_user_control_t begin = {SR_RTMP_UC_STREAM_BEGIN, SR_RTMP_STREAM_ID, 0};
    uint8_t body[SR_RTMP_USER_CONTROL_MAX_BYTES];
    size_t n = sr_rtmp_control_encode_user_control(body, &begin);
    int rc = sr_rtmp_writer_add_bytes(c->writer, SR_RTMP_CSID_CONTROL, SR_RTMP_MSG_USER_CONTROL, 0, 0, body, n);
    if (rc == SR_OK) {
        rc = sr_rtmp_conn__send_status(c, SR_RTMP_LEVEL_STATUS, SR_RTMP_STATUS_PLAY_RESET,
                                       "Playing and resetting stream.");
    }
    if (rc == SR_OK) {
        rc = sr_rtmp_conn__send_status(c, SR_RTMP_LEVEL_STATUS, SR_RTMP_STATUS_PLAY_START, "Started playing stream.");
    }
    if (rc == SR_OK) {
        sr_buf_reset(&c->scratch);
        sr_rtmp_build_sample_access(&c->scratch);
        rc = sr_rtmp_conn__send_scratch(c, SR_RTMP_CSID_DATA, SR_RTMP_MSG_AMF0_DATA, SR_RTMP_STREAM_ID);
    }
    return rc;
}

int sr_rtmp_play_run(sr_rtmp_conn_t *c, const sr_rtmp_command_t *cmd)
{
    const char *stream = sr_rtmp_command_arg_string(cmd, 0);
    if (!stream || !stream[0]) {
        return sr_err_new(SR_ERTMP_COMMAND, "play without a stream name");
    }
    int rc = sr_request_set_stream(&c->req, stream);
    if (rc == SR_OK) {
        rc = sr_rtmp_conn__resolve_vhost(c);
    }
    if (rc != SR_OK) {
        sr_rtmp_conn__send_status(c, SR_RTMP_LEVEL_ERROR, SR_RTMP_STATUS_PLAY_STREAM_NOT_FOUND, sr_err_text(rc));
        return rc;
    }
    c->client.type = "rtmp-play";
    sr_play_t session;
    /* a stream that is not live yet is waited for, as SRS does */
    if ((rc = sr_play_begin(&session, c->server, &c->client, &c->req, false)) != SR_OK) {
        sr_rtmp_conn__send_status(c, SR_RTMP_LEVEL_ERROR, SR_RTMP_STATUS_PLAY_STREAM_NOT_FOUND,
                                  rc == -SR_ESECURITY_DENIED ? "Play denied by security" : "Play denied by hook");
        return rc;
    }
    sr_rtmp_play_t p = {.conn = c};
    for (int i = 0; i < SR_RTMP_PLAY_STREAMS; i++) {
        p.last_seq[i] = UINT64_MAX;
    }
    if ((rc = sr_rtmp_play_start(c)) == SR_OK) {
        p.consumer = sr_play_attach(&session, &c->vhost);
        p.is_wired =
            sr_consumer_use_wire(p.consumer, &sr_rtmp_wire_kind, (uint32_t)sr_rtmp_writer_chunk_size(c->writer));
        rc = sr_rtmp_play_loop(&p);
        sr_trace("play %s/%s/%s stop: sent %llu packets, dropped %llu (%llu sent in the shared wire form)",
                 c->req.vhost, c->req.app, c->req.stream, (unsigned long long)p.sent_packets,
                 (unsigned long long)sr_consumer_dropped(p.consumer), (unsigned long long)p.sent_shared);
    }
    sr_play_end(&session);
    return rc;
}
