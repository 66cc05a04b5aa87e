// SPDX-License-Identifier: MIT
// fuzz_ts_demux.c: libFuzzer harness for the MPEG-TS demuxer (kernel/sr_ts_demux.h). The
// input is a TS byte stream, fed in chunks whose size the last input byte picks (1..199
// bytes, or 1316 like SRT), then flushed. Invariants: feed always succeeds; no more
// packets are counted than 188-byte runs fit in the input; every frame is counted in
// frames; each frame has a known codec and a non-empty body; a codec's first frame is its
// config (MP3 has none) and every config parses (AVC/HEVC record, AudioSpecificConfig,
// OpusHead); video frames are 4-byte-length-prefixed NAL units that fill the body.
// ASan checks that every packet handed out and the demuxer itself are freed.
#include <stdlib.h>
#include <string.h>

#include "sr_codec.h"
#include "sr_codec_config.h"
#include "sr_error.h"
#include "sr_ts_demux.h"

#include "fuzz.h"

typedef struct {
    uint64_t frames;
    bool has_config[16];
} sink_t;

static void check_config(const sr_packet_t *pkt, const uint8_t *b, size_t n)
{
    sr_avc_config_t avc;
    sr_hevc_config_t hevc;
    sr_aac_config_t aac;
    sr_opus_head_t opus;
    switch (pkt->codec) {
    case SR_CODEC_H264:
        FUZZ_CHECK(sr_avc_parse_config(b, n, &avc) == SR_OK && avc.nal_length_size == 4);
        break;
    case SR_CODEC_H265:
        FUZZ_CHECK(sr_hevc_parse_config(b, n, &hevc) == SR_OK && hevc.nal_length_size == 4);
        break;
    case SR_CODEC_AAC:
        FUZZ_CHECK(sr_aac_parse_config(b, n, &aac) == SR_OK);
        break;
    case SR_CODEC_OPUS:
        FUZZ_CHECK(sr_opus_head_parse(b, n, &opus) == SR_OK);
        break;
    default:
        FUZZ_CHECK(!"a config frame of a codec without configs");
    }
}

static void on_frame(void *arg, sr_packet_t *pkt)
{
    sink_t *s = arg;
    size_t n = 0;
    const uint8_t *b = sr_packet_body(pkt, &n);
    s->frames++;
    FUZZ_CHECK(pkt->codec >= SR_CODEC_H264 && pkt->codec <= SR_CODEC_OPUS && n > 0);
    FUZZ_CHECK(pkt->type == (sr_codec_id_is_video(pkt->codec) ? SR_PACKET_VIDEO : SR_PACKET_AUDIO));
    if (pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER) {
        check_config(pkt, b, n);
        s->has_config[pkt->codec] = true;
    } else {
        FUZZ_CHECK(pkt->codec == SR_CODEC_MP3 || s->has_config[pkt->codec]);
    }
    if (sr_codec_id_is_video(pkt->codec) && !(pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER)) {
        size_t pos = 0;
        while (n - pos >= 4) {
            size_t len = (size_t)b[pos] << 24 | (size_t)b[pos + 1] << 16 | (size_t)b[pos + 2] << 8 | b[pos + 3];
            FUZZ_CHECK(len > 0 && len <= n - pos - 4);
            pos += 4 + len;
        }
        FUZZ_CHECK(pos == n);
    }
    sr_packet_deinit(pkt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sink_t sink = {0};
    size_t chunk = size == 0 ? 1 : data[size - 1] % 2 ? 1316 : 1 + data[size - 1] % 199;
    sr_ts_demuxer_t *d = sr_ts_demux_new(on_frame, &sink);
    for (size_t off = 0; off < size; off += chunk) {
        FUZZ_CHECK(sr_ts_demux_feed(d, data + off, size - off < chunk ? size - off : chunk) == SR_OK);
    }
    sr_ts_demux_flush(d);
    const sr_ts_demux_stats_t *st = sr_ts_demux_stats(d);
    FUZZ_CHECK(st->packets <= size / 188);
    FUZZ_CHECK(st->frames == sink.frames);
    sr_ts_demux_free(d);
    return 0;
}
