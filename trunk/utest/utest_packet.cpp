/* SPDX-License-Identifier: MIT */
/* The codec-neutral frame: codec ids and canonical bodies from FLV tag bodies (legacy
 * and Enhanced RTMP), and frames built from canonical bytes that read back the same. */
#include <string.h>

#include "sr_flv.h"
#include "sr_packet.h"
#include "sr_payload.h"
#include "sr_utest.h"

static sr_packet_t packet_of(sr_packet_type_t type, const uint8_t *body, size_t size, int64_t dts = 0)
{
    sr_packet_t pkt;
    sr_packet_init_take(&pkt, type, dts, sr_payload_new_copy(body, size));
    return pkt;
}

static void expect_body(const sr_packet_t *pkt, const uint8_t *want, size_t want_size)
{
    size_t size = 0;
    const uint8_t *body = sr_packet_body(pkt, &size);
    ASSERT_EQ(want_size, size);
    EXPECT_EQ(0, memcmp(want, body, size));
}

TEST(Packet, ClassifiesAvcKeyframeAndSequenceHeader)
{
    const uint8_t seq[] = {0x17, 0x00, 0, 0, 0, 0x01};
    const uint8_t key[] = {0x17, 0x01, 0x00, 0x00, 0x28, 0x65};
    const uint8_t inter[] = {0x27, 0x01, 0xff, 0xff, 0xf6, 0x41};
    sr_packet_t p;
    sr_packet_init_take(&p, SR_PACKET_VIDEO, 100, sr_payload_new_copy(seq, sizeof(seq)));
    EXPECT_TRUE(p.flags & SR_PACKET_IS_SEQUENCE_HEADER);
    EXPECT_FALSE(sr_packet_is_video_keyframe(&p));
    sr_packet_deinit(&p);
    sr_packet_init_take(&p, SR_PACKET_VIDEO, 100, sr_payload_new_copy(key, sizeof(key)));
    EXPECT_TRUE(sr_packet_is_video_keyframe(&p));
    EXPECT_EQ(140, p.pts);
    sr_packet_deinit(&p);
    sr_packet_init_take(&p, SR_PACKET_VIDEO, 100, sr_payload_new_copy(inter, sizeof(inter)));
    EXPECT_FALSE(p.flags & SR_PACKET_IS_KEYFRAME);
    EXPECT_EQ(90, p.pts); // negative composition offset
    sr_packet_deinit(&p);
}

TEST(Packet, ClassifiesAacSequenceHeader)
{
    const uint8_t asc[] = {0xaf, 0x00, 0x12, 0x10};
    const uint8_t raw[] = {0xaf, 0x01, 0x21};
    EXPECT_TRUE(sr_flv_audio_is_sequence_header(asc, sizeof(asc)));
    EXPECT_FALSE(sr_flv_audio_is_sequence_header(raw, sizeof(raw)));
    EXPECT_EQ(SR_FLV_AUDIO_CODEC_AAC, sr_flv_audio_codec(raw, sizeof(raw)));
}

TEST(Packet, LegacyAvcFramesAreH264WithTheNalusAsBody)
{
    const uint8_t nalus[] = {0, 0, 0, 2, 0x65, 0x88};
    uint8_t tag[5 + sizeof(nalus)] = {0x17, 1, 0, 0, 40};
    memcpy(tag + 5, nalus, sizeof(nalus));
    sr_packet_t pkt = packet_of(SR_PACKET_VIDEO, tag, sizeof(tag), 1000);
    EXPECT_EQ(SR_CODEC_H264, pkt.codec);
    EXPECT_TRUE(pkt.flags & SR_PACKET_IS_KEYFRAME);
    EXPECT_EQ(1040, pkt.pts);
    expect_body(&pkt, nalus, sizeof(nalus));
    sr_packet_deinit(&pkt);
}

TEST(Packet, EnhancedRtmpHevcCodedFramesSkipTheCompositionTime)
{
    const uint8_t tag[] = {0x91, 'h', 'v', 'c', '1', 0, 0, 33, 0, 0, 0, 1, 0x26};
    sr_packet_t pkt = packet_of(SR_PACKET_VIDEO, tag, sizeof(tag), 0);
    EXPECT_EQ(SR_CODEC_H265, pkt.codec);
    EXPECT_EQ(8, pkt.body);
    EXPECT_EQ(33, pkt.pts);
    sr_packet_deinit(&pkt);

    const uint8_t x[] = {0xa3, 'h', 'v', 'c', '1', 0, 0, 0, 1, 0x02};
    pkt = packet_of(SR_PACKET_VIDEO, x, sizeof(x));
    EXPECT_EQ(SR_CODEC_H265, pkt.codec);
    EXPECT_EQ(5, pkt.body);
    EXPECT_FALSE(pkt.flags & SR_PACKET_IS_KEYFRAME);
    sr_packet_deinit(&pkt);
}

TEST(Packet, AudioCodecsAndBodies)
{
    const uint8_t aac_sh[] = {0xaf, 0, 0x12, 0x10};
    sr_packet_t pkt = packet_of(SR_PACKET_AUDIO, aac_sh, sizeof(aac_sh));
    EXPECT_EQ(SR_CODEC_AAC, pkt.codec);
    EXPECT_TRUE(pkt.flags & SR_PACKET_IS_SEQUENCE_HEADER);
    expect_body(&pkt, aac_sh + 2, 2);
    sr_packet_deinit(&pkt);

    const uint8_t mp3[] = {0x2f, 0xff, 0xfb, 0x90};
    pkt = packet_of(SR_PACKET_AUDIO, mp3, sizeof(mp3));
    EXPECT_EQ(SR_CODEC_MP3, pkt.codec);
    expect_body(&pkt, mp3 + 1, 3);
    sr_packet_deinit(&pkt);

    const uint8_t speex[] = {0xb6, 1, 2};
    pkt = packet_of(SR_PACKET_AUDIO, speex, sizeof(speex));
    EXPECT_EQ(SR_CODEC_NONE, pkt.codec);
    sr_packet_deinit(&pkt);
}

TEST(Packet, TruncatedHeadersNeverPointPastThePayload)
{
    const uint8_t short_ex[] = {0x90, 'h', 'v'};
    sr_packet_t pkt = packet_of(SR_PACKET_VIDEO, short_ex, sizeof(short_ex));
    size_t size = 99;
    sr_packet_body(&pkt, &size);
    EXPECT_LE(pkt.body, sizeof(short_ex));
    EXPECT_LE(size, sizeof(short_ex));
    sr_packet_deinit(&pkt);

    const uint8_t avc_one[] = {0x17};
    pkt = packet_of(SR_PACKET_VIDEO, avc_one, sizeof(avc_one));
    sr_packet_body(&pkt, &size);
    EXPECT_EQ(0u, size);
    sr_packet_deinit(&pkt);

    const uint8_t meta[] = {2, 0, 10};
    pkt = packet_of(SR_PACKET_DATA, meta, sizeof(meta));
    EXPECT_EQ(SR_CODEC_NONE, pkt.codec);
    expect_body(&pkt, meta, sizeof(meta));
    sr_packet_deinit(&pkt);
}

/* A frame built from canonical bytes must read back, through the FLV classification
 * every RTMP-published frame takes, as the same codec, flags, times and body. */
static void expect_round_trip(sr_codec_id_t codec, uint8_t flags, int64_t dts, int64_t pts)
{
    const uint8_t canon[] = {0, 0, 0, 3, 0x41, 0x9a, 0x21};
    sr_packet_t built;
    memcpy(sr_packet_init_frame(&built, codec, flags, dts, pts, sizeof(canon)), canon, sizeof(canon));
    sr_packet_t back = packet_of((sr_packet_type_t)built.type, built.payload->data, built.payload->size, dts);
    EXPECT_EQ(codec, back.codec) << sr_codec_id_name(codec);
    EXPECT_EQ(built.body, back.body) << sr_codec_id_name(codec);
    EXPECT_EQ(flags, back.flags) << sr_codec_id_name(codec);
    EXPECT_EQ(pts, back.pts) << sr_codec_id_name(codec);
    expect_body(&back, canon, sizeof(canon));
    sr_packet_deinit(&back);
    sr_packet_deinit(&built);
}

TEST(Packet, FramesBuiltFromCanonicalBytesReadBackAlike)
{
    expect_round_trip(SR_CODEC_H264, SR_PACKET_IS_KEYFRAME, 1000, 1080);
    expect_round_trip(SR_CODEC_H264, 0, 1000, 1000);
    expect_round_trip(SR_CODEC_H264, SR_PACKET_IS_KEYFRAME | SR_PACKET_IS_SEQUENCE_HEADER, 0, 0);
    expect_round_trip(SR_CODEC_H265, SR_PACKET_IS_KEYFRAME, 40, 120);
    expect_round_trip(SR_CODEC_H265, SR_PACKET_IS_KEYFRAME | SR_PACKET_IS_SEQUENCE_HEADER, 0, 0);
    expect_round_trip(SR_CODEC_H265, 0, 40, 20);
    expect_round_trip(SR_CODEC_AAC, 0, 23, 23);
    expect_round_trip(SR_CODEC_AAC, SR_PACKET_IS_SEQUENCE_HEADER, 0, 0);
    expect_round_trip(SR_CODEC_MP3, 0, 26, 26);
    expect_round_trip(SR_CODEC_OPUS, 0, 20, 20);
    expect_round_trip(SR_CODEC_OPUS, SR_PACKET_IS_SEQUENCE_HEADER, 0, 0);
    expect_round_trip(SR_CODEC_G711A, 0, 20, 20);
    expect_round_trip(SR_CODEC_G711U, 0, 20, 20);
    EXPECT_EQ(0, sr_payload_live_count());
}
