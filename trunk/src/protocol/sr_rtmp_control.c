/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_control.c: build and parse the bodies of RTMP protocol control messages
 * (RTMP 5.4) and User Control messages (RTMP 7.1.7). Pure bytes; sending them and
 * acting on them is the caller's job.
 */
#include "sr_rtmp_control.h"

#include <string.h>

#include "sr_bytes.h"
#include "sr_error.h"

void sr_rtmp_control_encode_set_chunk_size(uint8_t out[SR_RTMP_CONTROL_U32_BYTES], uint32_t size)
{
    sr_put_be32(out, size & 0x7FFFFFFF); /* the first bit MUST be zero */
}

void sr_rtmp_control_encode_abort(uint8_t out[SR_RTMP_CONTROL_U32_BYTES], uint32_t csid)
{
    sr_put_be32(out, csid);
}

void sr_rtmp_control_encode_ack(uint8_t out[SR_RTMP_CONTROL_U32_BYTES], uint32_t sequence)
{
    sr_put_be32(out, sequence);
}

void sr_rtmp_control_encode_window_ack_size(uint8_t out[SR_RTMP_CONTROL_U32_BYTES], uint32_t size)
{
    sr_put_be32(out, size);
}

void sr_rtmp_control_encode_set_peer_bandwidth(uint8_t out[SR_RTMP_PEER_BANDWIDTH_BYTES], uint32_t size, uint8_t limit)
{
    sr_put_be32(out, size);
    out[4] = limit;
}

size_t sr_rtmp_control_encode_user_control(uint8_t out[SR_RTMP_USER_CONTROL_MAX_BYTES],
                                           const sr_rtmp_user_control_t *uc)
{
    sr_put_be16(out, uc->event);
    sr_put_be32(out + 2, uc->data);
    if (uc->event != SR_RTMP_UC_SET_BUFFER_LENGTH) {
        return 6;
    }
    sr_put_be32(out + 6, uc->buffer_ms);
    return 10;
}

int sr_rtmp_control_parse_u32(const uint8_t *data, size_t size, uint32_t *value)
{
    if (size < SR_RTMP_CONTROL_U32_BYTES) {
        return -SR_ERTMP_MESSAGE;
    }
    *value = sr_get_be32(data);
    return SR_OK;
}

int sr_rtmp_control_parse_set_peer_bandwidth(const uint8_t *data, size_t size, uint32_t *window, uint8_t *limit)
{
    if (size < SR_RTMP_PEER_BANDWIDTH_BYTES) {
        return -SR_ERTMP_MESSAGE;
    }
    *window = sr_get_be32(data);
    *limit = data[4];
    return SR_OK;
}

/* Bytes of event data the known events carry; 0 for events we do not know. */
static size_t sr_rtmp_control_user_data_size(uint16_t event)
{
    switch (event) {
    case SR_RTMP_UC_STREAM_BEGIN:
    case SR_RTMP_UC_STREAM_EOF:
    case SR_RTMP_UC_STREAM_DRY:
    case SR_RTMP_UC_STREAM_IS_RECORDED:
    case SR_RTMP_UC_PING_REQUEST:
    case SR_RTMP_UC_PING_RESPONSE:
        return 4;
    case SR_RTMP_UC_SET_BUFFER_LENGTH:
        return 8;
    default:
        return 0;
    }
}

int sr_rtmp_control_parse_user_control(const uint8_t *data, size_t size, sr_rtmp_user_control_t *uc)
{
    if (size < 2) {
        return -SR_ERTMP_MESSAGE;
    }
    memset(uc, 0, sizeof(*uc));
    uc->event = sr_get_be16(data);
    if (size - 2 < sr_rtmp_control_user_data_size(uc->event)) {
        return -SR_ERTMP_MESSAGE;
    }
    if (size >= 6) {
        uc->data = sr_get_be32(data + 2);
    }
    if (uc->event == SR_RTMP_UC_SET_BUFFER_LENGTH) {
        uc->buffer_ms = sr_get_be32(data + 6);
    }
    return SR_OK;
}
