/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_publish.c: the publish phase of an RTMP connection, as wire code around a
 * publish session (sr_session.h): a stream that is busy or refused by a hook gets
 * NetStream.Publish.BadName and the connection is closed while the first publisher
 * keeps going; then every audio/video/data message becomes a packet for the session
 * without copying its payload. Idle publishers time out: firstpkt_timeout before the
 * first media message, normal_timeout after.
 */
#include <stdio.h>
#include <string.h>

#include "sr_bytes.h"
#include "sr_consts.h"
#include "sr_error.h"
#include "sr_flv.h"
#include "sr_log.h"
#include "sr_packet.h"
#include "sr_rtmp_conn_internal.h"
#include "sr_session.h"

typedef struct sr_rtmp_publish {
    sr_rtmp_conn_t *conn;
    sr_publish_t session;
    uint32_t last_ts; /* last 32-bit timestamp seen */
    int64_t ts_epoch; /* added to extend 32-bit timestamps across wraps */
    bool has_media;
    uint64_t messages;
} sr_rtmp_publish_t;

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
    sr_publish_frame(&p->session, &pkt);
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
        sr_publish_frame(&p->session, &pkt);
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
        sr_publish_frame(&p->session, &pkt);
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
            rc = sr_publish_check_idle(&p->session);
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
    c->client.type = c->is_fmle ? "fmle-publish" : "flash-publish";
    sr_rtmp_publish_t p = {.conn = c};
    if ((rc = sr_publish_begin(&p.session, c->server, &c->client, &c->req, &c->vhost)) != SR_OK) {
        sr_rtmp_conn__send_status(c, SR_RTMP_LEVEL_ERROR, SR_RTMP_STATUS_PUBLISH_BAD_NAME,
                                  rc == -SR_ESTREAM_BUSY       ? "Stream already publishing"
                                  : rc == -SR_ESECURITY_DENIED ? "Publish denied by security"
                                                               : "Publish denied by hook");
        return rc;
    }
    if (c->is_fmle) {
        sr_buf_reset(&c->scratch);
        sr_rtmp_build_on_fc_publish(&c->scratch, SR_RTMP_STATUS_PUBLISH_START, "Started publishing stream.");
        rc = sr_rtmp_conn__send_scratch(c, SR_RTMP_CSID_COMMAND, SR_RTMP_MSG_AMF0_COMMAND, SR_RTMP_STREAM_ID);
    }
    if (rc == SR_OK) {
        rc = sr_rtmp_conn__send_status(c, SR_RTMP_LEVEL_STATUS, SR_RTMP_STATUS_PUBLISH_START,
                                       "Started publishing stream.");
    }
    if (rc == SR_OK) {
        rc = sr_rtmp_publish_loop(&p);
    }
    sr_publish_end(&p.session);
    sr_trace("publish %s/%s/%s stop after %llu messages", c->req.vhost, c->req.app, c->req.stream,
             (unsigned long long)p.messages);
    return rc;
}
