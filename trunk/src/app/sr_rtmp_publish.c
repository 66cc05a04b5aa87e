/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_publish.c: the publish phase of an RTMP connection. Claims the source
 * (a second publisher gets NetStream.Publish.BadName and is closed while the first
 * keeps going), then turns every audio/video/data message into a packet for the
 * source without copying its payload. Idle publishers time out: firstpkt_timeout
 * before the first media message, normal_timeout after.
 */
#include <stdio.h>
#include <string.h>

#include "sr_bytes.h"
#include "sr_consts.h"
#include "sr_error.h"
#include "sr_flv.h"
#include "sr_http_hooks.h"
#include "sr_log.h"
#include "sr_packet.h"
#include "sr_rtmp_conn_internal.h"
#include "sr_sinks.h"
#include "sr_source.h"
#include "sr_stream_policy.h"

typedef struct sr_rtmp_publish {
    sr_rtmp_conn_t *conn;
    sr_source_t *source;
    uint32_t last_ts; /* last 32-bit timestamp seen */
    int64_t ts_epoch; /* added to extend 32-bit timestamps across wraps */
    bool has_media;
    uint64_t messages;
    sr_utime_t next_idle_check_us;
} sr_rtmp_publish_t;

/* publish.kickoff_for_idle: a stream nobody watches for that long is closed, so an
 * on-demand source stops sending (looked at once a second, from the live config so a
 * reload applies). */
static int sr_rtmp_publish_check_idle(sr_rtmp_publish_t *p)
{
    sr_utime_t now = sr_time_mono_us();
    if (now < p->next_idle_check_us) {
        return SR_OK;
    }
    p->next_idle_check_us = now + SR_UTIME_S;
    const sr_vhost_config_t *v = sr_server_config_vhost(sr_server_config(p->conn->server), p->conn->req.vhost);
    int limit_ms = v ? v->kickoff_for_idle_ms : 0;
    if (limit_ms > 0 && sr_source_idle_us(p->source) >= (sr_utime_t)limit_ms * SR_UTIME_MS) {
        return sr_err_new(SR_EKICKED, "kickoff_for_idle: no players for %.1f s", limit_ms / 1000.0);
    }
    return SR_OK;
}

/* RTMP timestamps are 32-bit milliseconds; extend across a wrap (about 49 days). */
static int64_t sr_rtmp_publish_extend_ts(sr_rtmp_publish_t *p, uint32_t ts)
{
    if (p->messages > 0 && ts < p->last_ts && p->last_ts - ts > 0x80000000u) {
        p->ts_epoch += 0x100000000LL;
    }
    p->last_ts = ts;
    return p->ts_epoch + ts;
}

static int sr_rtmp_publish_on_data(sr_rtmp_publish_t *p, const sr_rtmp_msg_t *msg, int64_t dts)
{
    const uint8_t *body = NULL;
    size_t size = 0;
    bool amf3 = msg->type == SR_RTMP_MSG_AMF3_DATA;
    if (sr_rtmp_metadata_slice(msg->payload->data, msg->payload->size, amf3, &body, &size) != SR_OK) {
        return SR_OK; /* not metadata (e.g. a cue point): nothing to cache */
    }
    sr_packet_t pkt;
    sr_packet_init_take(&pkt, SR_PACKET_DATA, dts, sr_payload_new_copy(body, size));
    sr_source_on_packet(p->source, &pkt);
    sr_packet_deinit(&pkt);
    return SR_OK;
}

/* An aggregate message (RTMP 7.1.6) carries FLV tags; their timestamps are relative to the first. */
static int sr_rtmp_publish_on_aggregate(sr_rtmp_publish_t *p, const sr_rtmp_msg_t *msg, int64_t dts)
{
    sr_reader_t r;
    sr_reader_init(&r, msg->payload->data, msg->payload->size);
    int64_t first_ts = -1;
    while (sr_reader_left(&r) >= SR_FLV_TAG_HEADER_BYTES) {
        uint8_t type;
        uint32_t size, ts24;
        uint8_t ts_hi;
        const uint8_t *body;
        if (sr_reader_u8(&r, &type) || sr_reader_be24(&r, &size) || sr_reader_be24(&r, &ts24) ||
            sr_reader_u8(&r, &ts_hi) || sr_reader_skip(&r, 3) || sr_reader_ptr(&r, size, &body) ||
            sr_reader_skip(&r, SR_MIN(4, sr_reader_left(&r)))) {
            return sr_err_new(SR_ERTMP_MESSAGE, "truncated aggregate message");
        }
        int64_t ts = ((int64_t)ts_hi << 24) | ts24;
        first_ts = first_ts < 0 ? ts : first_ts;
        if ((type != SR_PACKET_AUDIO && type != SR_PACKET_VIDEO) || size == 0) {
            continue;
        }
        sr_packet_t pkt;
        sr_packet_init_take(&pkt, (sr_packet_type_t)type, dts + ts - first_ts, sr_payload_new_copy(body, size));
        sr_source_on_packet(p->source, &pkt);
        sr_packet_deinit(&pkt);
    }
    return SR_OK;
}

static int sr_rtmp_publish_on_command(sr_rtmp_publish_t *p, const sr_rtmp_msg_t *msg, bool *is_done)
{
    sr_rtmp_conn_t *c = p->conn;
    sr_rtmp_command_t cmd;
    if (sr_rtmp_command_parse(msg->payload->data, msg->payload->size, msg->type == SR_RTMP_MSG_AMF3_COMMAND, &cmd)) {
        return sr_err_new(SR_ERTMP_COMMAND, "malformed command while publishing");
    }
    int rc = SR_OK;
    if (strcmp(cmd.name, SR_RTMP_CMD_FC_UNPUBLISH) == 0) {
        sr_buf_reset(&c->scratch);
        sr_rtmp_build_on_fc_unpublish(&c->scratch, SR_RTMP_STATUS_UNPUBLISH_SUCCESS, "Stop publishing");
        rc = sr_rtmp_conn__send_scratch(c, SR_RTMP_CSID_COMMAND, SR_RTMP_MSG_AMF0_COMMAND, SR_RTMP_STREAM_ID);
        if (rc == SR_OK) {
            sr_rtmp_build_result_undefined(&c->scratch, cmd.transaction_id);
            rc = sr_rtmp_conn__send_scratch(c, SR_RTMP_CSID_COMMAND, SR_RTMP_MSG_AMF0_COMMAND, 0);
        }
        *is_done = true;
    } else if (strcmp(cmd.name, SR_RTMP_CMD_DELETE_STREAM) == 0 || strcmp(cmd.name, SR_RTMP_CMD_CLOSE_STREAM) == 0) {
        *is_done = true;
    }
    sr_rtmp_command_deinit(&cmd);
    return rc;
}

static int sr_rtmp_publish_on_message(sr_rtmp_publish_t *p, sr_rtmp_msg_t *msg, bool *is_done)
{
    sr_rtmp_conn_t *c = p->conn;
    int64_t dts = sr_rtmp_publish_extend_ts(p, msg->timestamp);
    p->messages++;
    switch (msg->type) {
    case SR_RTMP_MSG_AUDIO:
    case SR_RTMP_MSG_VIDEO: {
        if (msg->payload->size == 0) {
            return SR_OK; /* FFmpeg sends empty audio at times: nothing to play */
        }
        if (!p->has_media) {
            p->has_media = true;
            sr_sock_set_timeouts(c->sock, (sr_utime_t)c->vhost.normal_timeout_ms * SR_UTIME_MS, SR_SEND_TIMEOUT_US);
        }
        sr_packet_t pkt;
        sr_packet_init_take(&pkt, (sr_packet_type_t)msg->type, dts, sr_payload_ref(msg->payload));
        sr_source_on_packet(p->source, &pkt);
        sr_packet_deinit(&pkt);
        return SR_OK;
    }
    case SR_RTMP_MSG_AMF0_DATA:
    case SR_RTMP_MSG_AMF3_DATA:
        return sr_rtmp_publish_on_data(p, msg, dts);
    case SR_RTMP_MSG_AMF0_COMMAND:
    case SR_RTMP_MSG_AMF3_COMMAND:
        return sr_rtmp_publish_on_command(p, msg, is_done);
    case SR_RTMP_MSG_AGGREGATE:
        return sr_rtmp_publish_on_aggregate(p, msg, dts);
    default:
        return sr_rtmp_conn__on_control(c, msg);
    }
}

static int sr_rtmp_publish_loop(sr_rtmp_publish_t *p)
{
    sr_rtmp_conn_t *c = p->conn;
    bool is_done = false;
    sr_sock_set_timeouts(c->sock, (sr_utime_t)c->vhost.firstpkt_timeout_ms * SR_UTIME_MS, SR_SEND_TIMEOUT_US);
    while (!is_done) {
        sr_rtmp_msg_t msg;
        int rc = sr_co_pull();
        if (rc == SR_OK) {
            rc = sr_rtmp_reader_read(c->reader, &msg);
        }
        if (rc == -SR_ETIMEOUT) {
            return sr_err_new(SR_EPUBLISH_TIMEOUT, "no media for %d ms",
                              p->has_media ? c->vhost.normal_timeout_ms : c->vhost.firstpkt_timeout_ms);
        }
        if (rc != SR_OK) {
            return rc;
        }
        rc = sr_rtmp_publish_on_message(p, &msg, &is_done);
        sr_payload_unref(msg.payload);
        if (rc == SR_OK) {
            rc = sr_rtmp_conn__maybe_ack(c);
        }
        if (rc == SR_OK) {
            rc = sr_rtmp_publish_check_idle(p);
        }
        if (rc != SR_OK) {
            return rc;
        }
    }
    return SR_OK;
}

int sr_rtmp_publish_run(sr_rtmp_conn_t *c, const sr_rtmp_command_t *cmd)
{
    const char *stream = sr_rtmp_command_arg_string(cmd, 0);
    if (!stream || !stream[0]) {
        return sr_err_new(SR_ERTMP_COMMAND, "publish without a stream name");
    }
    int rc = sr_request_set_stream(&c->req, stream);
    if (rc == SR_OK) {
        rc = sr_rtmp_conn__resolve_vhost(c);
    }
    if (rc != SR_OK) {
        sr_rtmp_conn__send_status(c, SR_RTMP_LEVEL_ERROR, SR_RTMP_STATUS_PUBLISH_BAD_NAME, sr_err_text(rc));
        return rc;
    }
    sr_rtmp_publish_t p = {.conn = c};
    p.source = sr_source_fetch(sr_server_sources(c->server), c->req.vhost, c->req.app, c->req.stream, true);
    sr_source_policy_t policy;
    sr_stream_policy_source(&c->vhost, &policy);
    sr_source_set_policy(p.source, &policy);
    c->client.type = c->is_fmle ? "fmle-publish" : "flash-publish";
    c->client.is_publish = true;
    /* Busy first (no hook call for a publisher that cannot get the stream), then the
     * hook, then claim: the hook yields, so the claim checks again. */
    if (sr_source_is_publishing(p.source)) {
        rc = sr_err_new(SR_ESTREAM_BUSY, "stream is already published");
    } else if ((rc = sr_hooks_on_publish(c->server, c->client.cid, &c->req, sr_source_id(p.source))) != SR_OK) {
        sr_rtmp_conn__send_status(c, SR_RTMP_LEVEL_ERROR, SR_RTMP_STATUS_PUBLISH_BAD_NAME, "Publish denied by hook");
        sr_source_unref(p.source);
        return rc;
    } else if ((rc = sr_source_publish(p.source, c->client.cid)) != SR_OK) {
        sr_hooks_on_unpublish(c->server, c->client.cid, &c->req, sr_source_id(p.source));
    }
    if (rc != SR_OK) {
        sr_rtmp_conn__send_status(c, SR_RTMP_LEVEL_ERROR, SR_RTMP_STATUS_PUBLISH_BAD_NAME, "Stream already publishing");
        sr_source_unref(p.source);
        return rc;
    }
    sr_trace("publish %s/%s/%s%s start", c->req.vhost, c->req.app, c->req.stream, c->req.param);
    if (c->is_fmle) {
        sr_buf_reset(&c->scratch);
        sr_rtmp_build_on_fc_publish(&c->scratch, SR_RTMP_STATUS_PUBLISH_START, "Started publishing stream.");
        rc = sr_rtmp_conn__send_scratch(c, SR_RTMP_CSID_COMMAND, SR_RTMP_MSG_AMF0_COMMAND, SR_RTMP_STREAM_ID);
    }
    if (rc == SR_OK) {
        rc = sr_rtmp_conn__send_status(c, SR_RTMP_LEVEL_STATUS, SR_RTMP_STATUS_PUBLISH_START,
                                       "Started publishing stream.");
    }
    c->client.source = p.source;
    /* The sinks read hls/dvr from the running config (c->vhost keeps no pointers into it). */
    const sr_vhost_config_t *live = sr_server_config_vhost(sr_server_config(c->server), c->req.vhost);
    sr_sinks_t *sinks = rc == SR_OK && live ? sr_sinks_start(c->server, p.source, &c->req, live) : NULL;
    if (rc == SR_OK) {
        rc = sr_rtmp_publish_loop(&p);
    }
    c->client.source = NULL;
    sr_sinks_stop(sinks); /* everything received is written before the stream is released */
    sr_source_unpublish(p.source);
    sr_hooks_on_unpublish(c->server, c->client.cid, &c->req, sr_source_id(p.source));
    sr_trace("publish %s/%s/%s stop after %llu messages", c->req.vhost, c->req.app, c->req.stream,
             (unsigned long long)p.messages);
    sr_source_unref(p.source);
    return rc;
}
