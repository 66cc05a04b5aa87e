/* SPDX-License-Identifier: MIT */
#include "sr_rtmp_ingest.h"

#include "sr_bytes.h"
#include "sr_error.h"
#include "sr_flv.h"
#include "sr_rtmp_command.h"

bool sr_rtmp_ingest_is_media(const sr_rtmp_msg_t *msg)
{
    switch (msg->type) {
    case SR_RTMP_MSG_AUDIO:
    case SR_RTMP_MSG_VIDEO:
    case SR_RTMP_MSG_AMF0_DATA:
    case SR_RTMP_MSG_AMF3_DATA:
    case SR_RTMP_MSG_AGGREGATE:
        return true;
    default:
        return false;
    }
}

/* RTMP timestamps are 32-bit milliseconds; extend across a wrap (about 49 days). Only
 * media timestamps count: commands carry 0, which is no wrap. */
static int64_t sr_rtmp_ingest_extend_ts(sr_rtmp_ingest_t *in, uint32_t ts)
{
    if (in->messages > 0 && ts < in->last_ts && in->last_ts - ts > 0x80000000u) {
        in->ts_epoch += 0x100000000LL;
    }
    in->last_ts = ts;
    in->messages++;
    return in->ts_epoch + ts;
}

static void sr_rtmp_ingest_emit(sr_packet_type_t type, int64_t dts, sr_payload_t *payload, sr_rtmp_ingest_emit_fn emit,
                                void *arg)
{
    sr_packet_t pkt;
    sr_packet_init_take(&pkt, type, dts, payload);
    emit(arg, &pkt);
    sr_packet_deinit(&pkt);
}

/* An aggregate message (RTMP 7.1.6) carries FLV tags; their timestamps are relative to the first. */
static int sr_rtmp_ingest_aggregate(const sr_rtmp_msg_t *msg, int64_t dts, sr_rtmp_ingest_emit_fn emit, void *arg)
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
        if ((type == SR_PACKET_AUDIO || type == SR_PACKET_VIDEO) && size > 0) {
            sr_rtmp_ingest_emit((sr_packet_type_t)type, dts + ts - first_ts, sr_payload_new_copy(body, size), emit,
                                arg);
        }
    }
    return SR_OK;
}

int sr_rtmp_ingest_message(sr_rtmp_ingest_t *in, const sr_rtmp_msg_t *msg, sr_rtmp_ingest_emit_fn emit, void *arg)
{
    int64_t dts = sr_rtmp_ingest_extend_ts(in, msg->timestamp);
    const uint8_t *body = NULL;
    size_t size = 0;
    switch (msg->type) {
    case SR_RTMP_MSG_AUDIO:
    case SR_RTMP_MSG_VIDEO:
        if (msg->payload->size > 0) { /* FFmpeg sends empty audio at times: nothing to play */
            sr_rtmp_ingest_emit((sr_packet_type_t)msg->type, dts, sr_payload_ref(msg->payload), emit, arg);
        }
        return SR_OK;
    case SR_RTMP_MSG_AMF0_DATA:
    case SR_RTMP_MSG_AMF3_DATA:
        if (sr_rtmp_metadata_slice(msg->payload->data, msg->payload->size, msg->type == SR_RTMP_MSG_AMF3_DATA, &body,
                                   &size) == SR_OK) {
            sr_rtmp_ingest_emit(SR_PACKET_DATA, dts, sr_payload_new_copy(body, size), emit, arg);
        }
        return SR_OK; /* not metadata (e.g. a cue point): nothing to cache */
    case SR_RTMP_MSG_AGGREGATE:
        return sr_rtmp_ingest_aggregate(msg, dts, emit, arg);
    default:
        return SR_OK;
    }
}
