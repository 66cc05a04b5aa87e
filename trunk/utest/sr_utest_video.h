// SPDX-License-Identifier: MIT
// sr_utest_video.h: the video frames of a TS asset (trunk/utest/assets) as the TS
// demuxer delivers them, canonical and in decode order, with the codec's config: what
// the RTP payload format tests send through their packetizers and depacketizers.
#ifndef SR_UTEST_VIDEO_H
#define SR_UTEST_VIDEO_H

#include <vector>

#include "sr_codec_id.h"
#include "sr_packet.h"
#include "sr_ts_demux.h"
#include "sr_utest_asset.h"

struct VideoFrame {
    std::vector<uint8_t> data; // canonical: NAL units with 4-byte lengths
    uint32_t rtp_ts;           // 90 kHz, from the pts
    bool is_keyframe;
};

struct VideoAsset {
    sr_codec_id_t codec;
    std::vector<uint8_t> config; // the decoder configuration record
    std::vector<VideoFrame> frames;

    static void On(void *arg, sr_packet_t *pkt)
    {
        VideoAsset *m = (VideoAsset *)arg;
        size_t n;
        const uint8_t *b = sr_packet_body(pkt, &n);
        if (pkt->codec == m->codec) {
            if (pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER) {
                m->config.assign(b, b + n);
            } else {
                m->frames.push_back({std::vector<uint8_t>(b, b + n), (uint32_t)(pkt->pts * 90),
                                     (pkt->flags & SR_PACKET_IS_KEYFRAME) != 0});
            }
        }
        sr_packet_deinit(pkt);
    }
};

// The frames of codec in the TS asset name.
inline VideoAsset LoadVideoAsset(const char *name, sr_codec_id_t codec)
{
    VideoAsset m;
    m.codec = codec;
    std::vector<uint8_t> ts = ReadAsset(name);
    sr_ts_demuxer_t *d = sr_ts_demux_new(VideoAsset::On, &m);
    sr_ts_demux_feed(d, ts.data(), ts.size());
    sr_ts_demux_flush(d);
    sr_ts_demux_free(d);
    return m;
}

#endif
