// SPDX-License-Identifier: MIT
// utest_mp4.cpp: the fragmented MP4 muxer (sr_mp4.h). A small box walker in this file
// reads back what the muxer wrote: every box must nest exactly in its parent, and the
// field values (track ids, timescales, tfdt, trun durations/sizes/flags/offsets, the
// avcC/hvcC/esds payloads) are checked against ISO/IEC 14496-12/-14/-15 by hand. The
// sequence headers are the real ffmpeg vectors of utest_codec.cpp.
#include <string.h>

#include <string>
#include <vector>

#include "sr_bytes.h"
#include "sr_error.h"
#include "sr_mp4.h"
#include "sr_utest.h"

namespace
{

// ffmpeg: 320x240 libx264 High (FLV AVC sequence header body), as in utest_codec.cpp.
const uint8_t kAvcHigh320[] = {0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x64, 0x00, 0x0d, 0xff, 0xe1, 0x00, 0x19,
                               0x67, 0x64, 0x00, 0x0d, 0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00,
                               0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0x20, 0xf1, 0x42, 0x99, 0x60, 0x01,
                               0x00, 0x06, 0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0, 0xfd, 0xf8, 0xf8, 0x00};
// ffmpeg: AAC LC 44.1 kHz stereo (FLV AAC sequence header body).
const uint8_t kAac44Stereo[] = {0xaf, 0x00, 0x12, 0x10, 0x56, 0xe5, 0x00};
// ffmpeg: 640x360 libx265 hvcC record (utest_codec.cpp kHevc360), behind a legacy FLV
// HEVC sequence header prefix (codec id 12, keyframe, packet type 0, cts 0).
const uint8_t kHevc360Flv[] = {0x1c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x60, 0x00, 0x00, 0x00, 0x90, 0x00, 0x00, 0x00,
                               0x00, 0x00, 0x3f, 0xf0, 0x00, 0xfc, 0xfd, 0xf8, 0xf8, 0x00, 0x00, 0x0f, 0x03, 0x20, 0x00,
                               0x01, 0x00, 0x18, 0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00,
                               0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x3f, 0x95, 0x98, 0x09, 0x21, 0x00, 0x01,
                               0x00, 0x2a, 0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03,
                               0x00, 0x00, 0x03, 0x00, 0x3f, 0xa0, 0x05, 0x02, 0x01, 0x69, 0x65, 0x95, 0x9a, 0x49, 0x32,
                               0xbc, 0x05, 0xa0, 0x20, 0x00, 0x00, 0x03, 0x00, 0x20, 0x00, 0x00, 0x03, 0x03, 0x21, 0x22,
                               0x00, 0x01, 0x00, 0x07, 0x44, 0x01, 0xc1, 0x72, 0xb4, 0x62, 0x40};

// ---- a tiny box walker ----

struct Box {
    std::string type;
    const uint8_t *data; // payload (after the 8-byte header)
    size_t size;         // payload bytes
    size_t offset;       // of the box header in the walked buffer
};

// The boxes directly inside [p, p+n). Fails the test when a size does not fit.
std::vector<Box> Children(const uint8_t *p, size_t n, size_t base = 0)
{
    std::vector<Box> out;
    size_t pos = 0;
    while (pos < n) {
        EXPECT_LE(pos + 8, n) << "box header past the end at " << pos;
        if (pos + 8 > n) {
            break;
        }
        uint32_t size = sr_get_be32(p + pos);
        EXPECT_GE(size, 8u);
        EXPECT_LE(pos + size, n) << "box " << std::string((const char *)p + pos + 4, 4) << " overruns its parent";
        if (size < 8 || pos + size > n) {
            break;
        }
        out.push_back(Box{std::string((const char *)p + pos + 4, 4), p + pos + 8, size - 8u, base + pos});
        pos += size;
    }
    return out;
}

std::vector<Box> Children(const Box &b, size_t skip = 0)
{
    return Children(b.data + skip, b.size - skip, b.offset + 8 + skip);
}

std::string Types(const std::vector<Box> &boxes)
{
    std::string s;
    for (const Box &b : boxes) {
        s += (s.empty() ? "" : " ") + b.type;
    }
    return s;
}

struct Mux {
    sr_mp4_mux_t *m = sr_mp4_mux_new();
    sr_buf_t out;
    Mux()
    {
        sr_buf_init(&out);
    }
    ~Mux()
    {
        sr_mp4_mux_free(m);
        sr_buf_deinit(&out);
    }
};

struct Trun {
    uint32_t flags, count;
    int32_t data_offset;
    std::vector<uint32_t> durations, sizes, sample_flags;
    std::vector<int32_t> cts;
};

Trun ParseTrun(const Box &b)
{
    Trun t;
    t.flags = sr_get_be32(b.data) & 0xffffff;
    t.count = sr_get_be32(b.data + 4);
    t.data_offset = (int32_t)sr_get_be32(b.data + 8);
    const uint8_t *p = b.data + 12;
    for (uint32_t i = 0; i < t.count; i++) {
        t.durations.push_back(sr_get_be32(p));
        t.sizes.push_back(sr_get_be32(p + 4));
        t.sample_flags.push_back(sr_get_be32(p + 8));
        p += 12;
        if (t.flags & 0x800) {
            t.cts.push_back((int32_t)sr_get_be32(p));
            p += 4;
        }
    }
    EXPECT_EQ(b.data + b.size, p) << "trun size";
    return t;
}

uint64_t ToScale(int64_t ms, uint32_t scale)
{
    return (uint64_t)((ms * scale + 500) / 1000);
}

} // namespace

TEST(Mp4Mux, InitSegmentLayout)
{
    Mux x;
    ASSERT_SR_OK(sr_mp4_mux_set_video(x.m, kAvcHigh320, sizeof(kAvcHigh320)));
    ASSERT_SR_OK(sr_mp4_mux_set_audio(x.m, kAac44Stereo, sizeof(kAac44Stereo)));
    ASSERT_SR_OK(sr_mp4_mux_write_init(x.m, &x.out));
    std::vector<Box> top = Children(x.out.data, x.out.len);
    ASSERT_EQ("ftyp moov", Types(top));
    const uint8_t ftyp[] = {'i', 's', 'o', '5', 0, 0, 2, 0, 'i', 's', 'o', '5', 'i', 's', 'o', '6', 'm', 'p', '4', '1'};
    ASSERT_EQ(sizeof(ftyp), top[0].size);
    EXPECT_EQ(0, memcmp(ftyp, top[0].data, sizeof(ftyp)));
    std::vector<Box> moov = Children(top[1]);
    ASSERT_EQ("mvhd trak trak mvex", Types(moov));
    EXPECT_EQ(100u, moov[0].size);                    // mvhd version 0
    EXPECT_EQ(1000u, sr_get_be32(moov[0].data + 12)); // movie timescale
    EXPECT_EQ(3u, sr_get_be32(moov[0].data + 96));    // next_track_ID

    // video trak: tkhd id 1 and 320x240, mdhd 1000, avc1 320x240 with the record as avcC
    std::vector<Box> trak = Children(moov[1]);
    ASSERT_EQ("tkhd mdia", Types(trak));
    EXPECT_EQ(0x000003u, sr_get_be32(trak[0].data) & 0xffffff);
    EXPECT_EQ(1u, sr_get_be32(trak[0].data + 12));
    EXPECT_EQ(320u << 16, sr_get_be32(trak[0].data + 76));
    EXPECT_EQ(240u << 16, sr_get_be32(trak[0].data + 80));
    std::vector<Box> mdia = Children(trak[1]);
    ASSERT_EQ("mdhd hdlr minf", Types(mdia));
    EXPECT_EQ(1000u, sr_get_be32(mdia[0].data + 12));
    EXPECT_EQ(0, memcmp("vide", mdia[1].data + 8, 4));
    std::vector<Box> minf = Children(mdia[2]);
    ASSERT_EQ("vmhd dinf stbl", Types(minf));
    std::vector<Box> dref = Children(Children(minf[1])[0], 8);
    ASSERT_EQ("url ", Types(dref));
    EXPECT_EQ(1u, sr_get_be32(dref[0].data)); // self-contained
    std::vector<Box> stbl = Children(minf[2]);
    ASSERT_EQ("stsd stts stsc stsz stco", Types(stbl));
    EXPECT_EQ(0u, sr_get_be32(stbl[1].data + 4)); // stts entry_count
    EXPECT_EQ(0u, sr_get_be32(stbl[3].data + 8)); // stsz sample_count
    std::vector<Box> stsd = Children(stbl[0], 8);
    ASSERT_EQ("avc1", Types(stsd));
    EXPECT_EQ(1u, sr_get_be16(stsd[0].data + 6)); // data_reference_index
    EXPECT_EQ(320u, sr_get_be16(stsd[0].data + 24));
    EXPECT_EQ(240u, sr_get_be16(stsd[0].data + 26));
    std::vector<Box> avc1 = Children(stsd[0], 78);
    ASSERT_EQ("avcC", Types(avc1));
    ASSERT_EQ(sizeof(kAvcHigh320) - 5, avc1[0].size);
    EXPECT_EQ(0, memcmp(kAvcHigh320 + 5, avc1[0].data, avc1[0].size));

    // audio trak: id 2, volume 1.0, mdhd 44100, mp4a 2 ch 44100 with esds carrying the ASC
    trak = Children(moov[2]);
    EXPECT_EQ(2u, sr_get_be32(trak[0].data + 12));
    EXPECT_EQ(0x0100u, sr_get_be16(trak[0].data + 36));
    mdia = Children(trak[1]);
    EXPECT_EQ(44100u, sr_get_be32(mdia[0].data + 12));
    EXPECT_EQ(0, memcmp("soun", mdia[1].data + 8, 4));
    minf = Children(mdia[2]);
    ASSERT_EQ("smhd dinf stbl", Types(minf));
    stsd = Children(Children(minf[2])[0], 8);
    ASSERT_EQ("mp4a", Types(stsd));
    EXPECT_EQ(2u, sr_get_be16(stsd[0].data + 16));
    EXPECT_EQ(16u, sr_get_be16(stsd[0].data + 18));
    EXPECT_EQ(44100u << 16, sr_get_be32(stsd[0].data + 24));
    std::vector<Box> mp4a = Children(stsd[0], 28);
    ASSERT_EQ("esds", Types(mp4a));
    const uint8_t esds[] = {0,    0,  0,    0,                                              // version, flags
                            0x03, 28, 0,    0,    0,                                        // ES_Descriptor
                            0x04, 20, 0x40, 0x15, 0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 0, // DecoderConfig
                            0x05, 5,  0x12, 0x10, 0x56, 0xe5, 0x00,                         // the ASC
                            0x06, 1,  0x02};                                                // SLConfig
    ASSERT_EQ(sizeof(esds), mp4a[0].size);
    EXPECT_EQ(0, memcmp(esds, mp4a[0].data, sizeof(esds)));

    std::vector<Box> mvex = Children(moov[3]);
    ASSERT_EQ("trex trex", Types(mvex));
    EXPECT_EQ(1u, sr_get_be32(mvex[0].data + 4));
    EXPECT_EQ(2u, sr_get_be32(mvex[1].data + 4));
    EXPECT_EQ(1u, sr_get_be32(mvex[1].data + 8)); // default_sample_description_index
}

TEST(Mp4Mux, HevcAndSingleTrack)
{
    Mux x;
    ASSERT_SR_OK(sr_mp4_mux_set_video(x.m, kHevc360Flv, sizeof(kHevc360Flv)));
    EXPECT_TRUE(sr_mp4_mux_is_same_config(x.m, SR_MP4_TRACK_VIDEO, kHevc360Flv, sizeof(kHevc360Flv)));
    EXPECT_FALSE(sr_mp4_mux_is_same_config(x.m, SR_MP4_TRACK_VIDEO, kAvcHigh320, sizeof(kAvcHigh320)));
    EXPECT_FALSE(sr_mp4_mux_has_track(x.m, SR_MP4_TRACK_AUDIO));
    ASSERT_SR_OK(sr_mp4_mux_write_init(x.m, &x.out));
    std::vector<Box> moov = Children(Children(x.out.data, x.out.len)[1]);
    ASSERT_EQ("mvhd trak mvex", Types(moov));
    EXPECT_EQ(2u, sr_get_be32(moov[0].data + 96));
    std::vector<Box> trak = Children(moov[1]);
    EXPECT_EQ(640u << 16, sr_get_be32(trak[0].data + 76));
    EXPECT_EQ(360u << 16, sr_get_be32(trak[0].data + 80));
    std::vector<Box> stsd = Children(Children(Children(Children(trak[1])[2])[2])[0], 8);
    ASSERT_EQ("hvc1", Types(stsd));
    std::vector<Box> hvc1 = Children(stsd[0], 78);
    ASSERT_EQ("hvcC", Types(hvc1));
    ASSERT_EQ(sizeof(kHevc360Flv) - 5, hvc1[0].size);
    EXPECT_EQ(0, memcmp(kHevc360Flv + 5, hvc1[0].data, hvc1[0].size));
}

TEST(Mp4Mux, OpusTrackFromAnOpusHead)
{
    // OpusHead (RFC 7845 5.1, little-endian): stereo, pre-skip 312, 48 kHz input, gain
    // -256 (Q7.8: -1 dB), family 0
    const uint8_t head[] = {'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, 2, 0x38, 0x01, 0x80, 0xbb, 0, 0, 0x00, 0xff, 0};
    Mux x;
    sr_packet_t sh;
    uint8_t *dst = sr_packet_init_frame(&sh, SR_CODEC_OPUS, SR_PACKET_IS_SEQUENCE_HEADER, 0, 0, sizeof(head));
    memcpy(dst, head, sizeof(head));
    int rc = sr_mp4_mux_configure(x.m, &sh);
    // the same config packet is the same config; another is not
    EXPECT_TRUE(sr_mp4_mux_is_same_config(x.m, SR_MP4_TRACK_AUDIO, sh.payload->data, sh.payload->size));
    EXPECT_FALSE(sr_mp4_mux_is_same_config(x.m, SR_MP4_TRACK_AUDIO, head, sizeof(head)));
    sr_packet_deinit(&sh);
    ASSERT_SR_OK(rc);
    EXPECT_FALSE(sr_mp4_mux_has_track(x.m, SR_MP4_TRACK_VIDEO));
    ASSERT_SR_OK(sr_mp4_mux_write_init(x.m, &x.out));
    std::vector<Box> moov = Children(Children(x.out.data, x.out.len)[1]);
    ASSERT_EQ("mvhd trak mvex", Types(moov));
    std::vector<Box> mdia = Children(Children(moov[1])[1]);
    EXPECT_EQ(48000u, sr_get_be32(mdia[0].data + 12)); // Opus decodes at 48 kHz
    std::vector<Box> stsd = Children(Children(Children(mdia[2])[2])[0], 8);
    ASSERT_EQ("Opus", Types(stsd));
    EXPECT_EQ(2u, sr_get_be16(stsd[0].data + 16));
    EXPECT_EQ(48000u << 16, sr_get_be32(stsd[0].data + 24));
    std::vector<Box> opus = Children(stsd[0], 28);
    ASSERT_EQ("dOps", Types(opus));
    // Encapsulation of Opus in ISO BMFF 4.3.2: version 0, the same fields big-endian
    const uint8_t dops[] = {0, 2, 0x01, 0x38, 0x00, 0x00, 0xbb, 0x80, 0xff, 0x00, 0};
    ASSERT_EQ(sizeof(dops), opus[0].size);
    EXPECT_EQ(0, memcmp(dops, opus[0].data, sizeof(dops)));
    // a broken head is refused, not written
    Mux y;
    EXPECT_NE(SR_OK, sr_mp4_mux_set_opus(y.m, (const uint8_t *)"OpusTail\x01\x02", 10));
    EXPECT_FALSE(sr_mp4_mux_has_track(y.m, SR_MP4_TRACK_AUDIO));
}

TEST(Mp4Mux, RefusesMisuse)
{
    Mux x;
    const uint8_t nalu[] = {0, 0, 0, 1, 0x65};
    EXPECT_SR_ERR(SR_EINVAL, sr_mp4_mux_write_init(x.m, &x.out)); // no track
    EXPECT_SR_ERR(SR_EUNSUPPORTED, sr_mp4_mux_set_video(x.m, kAac44Stereo, sizeof(kAac44Stereo)));
    EXPECT_SR_ERR(SR_EUNSUPPORTED, sr_mp4_mux_set_audio(x.m, kAvcHigh320, sizeof(kAvcHigh320)));
    EXPECT_NE(SR_OK, sr_mp4_mux_set_video(x.m, kAvcHigh320, 20)); // truncated record
    EXPECT_NE(SR_OK, sr_mp4_mux_set_audio(x.m, kAac44Stereo, 2));
    ASSERT_SR_OK(sr_mp4_mux_set_audio(x.m, kAac44Stereo, sizeof(kAac44Stereo)));
    EXPECT_SR_ERR(SR_EINVAL, sr_mp4_mux_add_sample(x.m, SR_MP4_TRACK_AUDIO, 0, 0, true, nalu, 5)); // before init
    ASSERT_SR_OK(sr_mp4_mux_write_init(x.m, &x.out));
    EXPECT_SR_ERR(SR_EINVAL, sr_mp4_mux_write_init(x.m, &x.out));
    EXPECT_SR_ERR(SR_EINVAL, sr_mp4_mux_set_video(x.m, kAvcHigh320, sizeof(kAvcHigh320)));
    EXPECT_SR_ERR(SR_EINVAL, sr_mp4_mux_add_sample(x.m, SR_MP4_TRACK_VIDEO, 0, 0, true, nalu, 5)); // no video
    const uint8_t short_video[] = {0x17, 0x01, 0x00};
    EXPECT_SR_ERR(SR_EFORMAT, sr_mp4_mux_add_flv(x.m, 9, 0, 0, short_video, sizeof(short_video)));
    const uint8_t aac_header[] = {0xaf, 0x00, 0x12, 0x10};
    EXPECT_SR_ERR(SR_EFORMAT, sr_mp4_mux_add_flv(x.m, 8, 0, 0, aac_header, sizeof(aac_header)));
    EXPECT_SR_ERR(SR_EFORMAT, sr_mp4_mux_add_flv(x.m, 18, 0, 0, aac_header, sizeof(aac_header)));
    size_t before = x.out.len;
    EXPECT_EQ(0u, sr_mp4_mux_write_fragment(x.m, &x.out, true)); // nothing queued
    EXPECT_EQ(before, x.out.len);
}

TEST(Mp4Mux, FragmentTimingOffsetsAndFlags)
{
    Mux x;
    ASSERT_SR_OK(sr_mp4_mux_set_video(x.m, kAvcHigh320, sizeof(kAvcHigh320)));
    ASSERT_SR_OK(sr_mp4_mux_set_audio(x.m, kAac44Stereo, sizeof(kAac44Stereo)));
    ASSERT_SR_OK(sr_mp4_mux_write_init(x.m, &x.out));
    size_t init_len = x.out.len;
    // FLV bodies: keyframe with cts 80 ms, a B-frame-like P with cts -40 written as pts < dts
    const uint8_t v0[] = {0x17, 0x01, 0x00, 0x00, 0x50, 0x00, 0x00, 0x00, 0x02, 0x65, 0x88};
    const uint8_t v1[] = {0x27, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x41};
    const uint8_t a0[] = {0xaf, 0x01, 0x21, 0x10, 0x05};
    // times start at 1000 ms: the muxer measures from its first sample
    ASSERT_SR_OK(sr_mp4_mux_add_flv(x.m, 9, 1000, 1080, v0, sizeof(v0)));
    ASSERT_SR_OK(sr_mp4_mux_add_flv(x.m, 8, 1000, 1000, a0, sizeof(a0)));
    ASSERT_SR_OK(sr_mp4_mux_add_flv(x.m, 8, 1023, 1023, a0, sizeof(a0)));
    ASSERT_SR_OK(sr_mp4_mux_add_flv(x.m, 9, 1040, 1000, v1, sizeof(v1)));
    ASSERT_SR_OK(sr_mp4_mux_add_flv(x.m, 8, 1046, 1046, a0, sizeof(a0)));
    ASSERT_SR_OK(sr_mp4_mux_add_flv(x.m, 9, 1080, 1080, v1, sizeof(v1)));
    EXPECT_EQ(5u + 1u, sr_mp4_mux_queued_samples(x.m));
    EXPECT_EQ(80, sr_mp4_mux_queued_ms(x.m));

    // first fragment: the newest sample of each track waits (its duration is unknown)
    EXPECT_EQ(4u, sr_mp4_mux_write_fragment(x.m, &x.out, false));
    EXPECT_EQ(2u, sr_mp4_mux_queued_samples(x.m));
    std::vector<Box> top = Children(x.out.data + init_len, x.out.len - init_len, init_len);
    ASSERT_EQ("moof mdat", Types(top));
    std::vector<Box> moof = Children(top[0]);
    ASSERT_EQ("mfhd traf traf", Types(moof));
    EXPECT_EQ(1u, sr_get_be32(moof[0].data + 4));
    std::vector<Box> traf = Children(moof[1]);
    ASSERT_EQ("tfhd tfdt trun", Types(traf));
    EXPECT_EQ(0x020000u, sr_get_be32(traf[0].data)); // default-base-is-moof
    EXPECT_EQ(1u, sr_get_be32(traf[0].data + 4));
    EXPECT_EQ(1u, traf[1].data[0]); // tfdt version 1: 64-bit
    EXPECT_EQ(0u, sr_get_be32(traf[1].data + 4) + sr_get_be32(traf[1].data + 8));
    EXPECT_EQ(1u, traf[2].data[0]); // trun version 1: signed composition offsets
    Trun vt = ParseTrun(traf[2]);
    EXPECT_EQ(0xf01u, vt.flags);
    ASSERT_EQ(2u, vt.count);
    EXPECT_EQ((std::vector<uint32_t>{40, 40}), vt.durations);
    EXPECT_EQ((std::vector<uint32_t>{6, 5}), vt.sizes); // the 5-byte FLV header stripped
    EXPECT_EQ((std::vector<int32_t>{80, -40}), vt.cts);
    EXPECT_EQ((std::vector<uint32_t>{SR_MP4_FLAGS_SYNC, SR_MP4_FLAGS_NON_SYNC}), vt.sample_flags);
    const uint8_t *moof_at = x.out.data + top[0].offset;
    EXPECT_EQ(0, memcmp(moof_at + vt.data_offset, v0 + 5, 6)); // offsets count from the moof
    EXPECT_EQ(0, memcmp(moof_at + vt.data_offset + 6, v1 + 5, 5));

    traf = Children(moof[2]);
    EXPECT_EQ(2u, sr_get_be32(traf[0].data + 4));
    Trun at = ParseTrun(traf[2]);
    EXPECT_EQ(0x701u, at.flags);
    ASSERT_EQ(2u, at.count);
    EXPECT_EQ(ToScale(23, 44100), at.durations[0]);
    EXPECT_EQ(ToScale(46, 44100) - ToScale(23, 44100), at.durations[1]);
    EXPECT_EQ((std::vector<uint32_t>{3, 3}), at.sizes);
    EXPECT_EQ(vt.data_offset + 11, at.data_offset); // audio data follows the video data
    EXPECT_EQ(0, memcmp(moof_at + at.data_offset, a0 + 2, 3));
    EXPECT_EQ(11u + 6u, top[1].size);

    // the final fragment takes the held samples, with their predecessor's duration
    size_t second = x.out.len;
    EXPECT_EQ(2u, sr_mp4_mux_write_fragment(x.m, &x.out, true));
    EXPECT_EQ(0u, sr_mp4_mux_queued_samples(x.m));
    top = Children(x.out.data + second, x.out.len - second, second);
    ASSERT_EQ("moof mdat", Types(top));
    moof = Children(top[0]);
    EXPECT_EQ(2u, sr_get_be32(moof[0].data + 4));
    traf = Children(moof[1]);
    EXPECT_EQ(80u, sr_get_be32(traf[1].data + 8)); // tfdt = 1080 - 1000
    vt = ParseTrun(traf[2]);
    EXPECT_EQ((std::vector<uint32_t>{40}), vt.durations);
    traf = Children(moof[2]);
    EXPECT_EQ(ToScale(46, 44100), sr_get_be32(traf[1].data + 8));
    at = ParseTrun(traf[2]);
    EXPECT_EQ((std::vector<uint32_t>{(uint32_t)(ToScale(46, 44100) - ToScale(23, 44100))}), at.durations);
}

TEST(Mp4Mux, GeneratedFileWalksBackWithContinuousTimes)
{
    Mux x;
    ASSERT_SR_OK(sr_mp4_mux_set_video(x.m, kAvcHigh320, sizeof(kAvcHigh320)));
    ASSERT_SR_OK(sr_mp4_mux_set_audio(x.m, kAac44Stereo, sizeof(kAac44Stereo)));
    ASSERT_SR_OK(sr_mp4_mux_write_init(x.m, &x.out));
    // 3 s at 25 fps with a keyframe every second, AAC frames every 1024/44.1 ms, one
    // fragment per keyframe as the DVR cuts them
    std::vector<uint8_t> frame(300, 0xab);
    int64_t next_audio = 0;
    size_t fragments = 0;
    for (int i = 0; i < 75; i++) {
        int64_t dts = i * 40;
        ASSERT_SR_OK(sr_mp4_mux_add_sample(x.m, SR_MP4_TRACK_VIDEO, dts, 0, i % 25 == 0, frame.data(), 100 + i));
        if (i % 25 == 0 && i > 0) {
            // the keyframe just added waits, so the next fragment starts with it
            fragments += sr_mp4_mux_write_fragment(x.m, &x.out, false) > 0;
        }
        while (next_audio * 1024 * 1000 / 44100 < dts + 40) {
            ASSERT_SR_OK(sr_mp4_mux_add_sample(x.m, SR_MP4_TRACK_AUDIO, next_audio * 1024 * 1000 / 44100, 0, true,
                                               frame.data(), 10));
            next_audio++;
        }
    }
    fragments += sr_mp4_mux_write_fragment(x.m, &x.out, true) > 0;
    EXPECT_EQ(3u, fragments);

    std::vector<Box> top = Children(x.out.data, x.out.len);
    ASSERT_EQ("ftyp moov moof mdat moof mdat moof mdat", Types(top));
    uint64_t next_dts[2] = {0, 0};
    uint32_t samples[2] = {0, 0};
    uint64_t bytes = 0;
    for (size_t f = 2; f < top.size(); f += 2) {
        std::vector<Box> moof = Children(top[f]);
        size_t mdat_begin = top[f + 1].offset + 8 - top[f].offset;
        size_t mdat_end = mdat_begin + top[f + 1].size;
        for (size_t t = 1; t < moof.size(); t++) {
            std::vector<Box> traf = Children(moof[t]);
            uint32_t id = sr_get_be32(traf[0].data + 4);
            ASSERT_TRUE(id == 1 || id == 2);
            uint64_t tfdt = ((uint64_t)sr_get_be32(traf[1].data + 4) << 32) | sr_get_be32(traf[1].data + 8);
            EXPECT_EQ(next_dts[id - 1], tfdt) << "track " << id << " fragment " << f / 2;
            Trun tr = ParseTrun(traf[2]);
            EXPECT_EQ(SR_MP4_FLAGS_SYNC, tr.sample_flags[0]) << "every fragment starts on a sync sample";
            uint64_t size = 0;
            for (uint32_t i = 0; i < tr.count; i++) {
                next_dts[id - 1] += tr.durations[i];
                size += tr.sizes[i];
            }
            EXPECT_GE((size_t)tr.data_offset, mdat_begin);
            EXPECT_LE(tr.data_offset + size, mdat_end);
            samples[id - 1] += tr.count;
            bytes += size;
        }
        bytes -= top[f + 1].size; // every mdat byte belongs to one sample
        EXPECT_EQ(0u, bytes);
    }
    EXPECT_EQ(75u, samples[0]);
    EXPECT_EQ((uint32_t)next_audio, samples[1]);
    EXPECT_EQ(3000u, next_dts[0]); // 75 frames of 40 ms
    uint64_t last_audio = ToScale((next_audio - 1) * 1024 * 1000 / 44100, 44100);
    EXPECT_GT(next_dts[1], last_audio);
}

TEST(Mp4Mux, FragmentUntilGivesTheLastFrameTheTimeToTheNext)
{
    Mux x;
    ASSERT_SR_OK(sr_mp4_mux_set_video(x.m, kAvcHigh320, sizeof(kAvcHigh320)));
    ASSERT_SR_OK(sr_mp4_mux_set_audio(x.m, kAac44Stereo, sizeof(kAac44Stereo)));
    ASSERT_SR_OK(sr_mp4_mux_write_init(x.m, &x.out));
    size_t init_len = x.out.len;
    const uint8_t v0[] = {0x17, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x65};
    const uint8_t v1[] = {0x27, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x41};
    const uint8_t a0[] = {0xaf, 0x01, 0x21};
    ASSERT_SR_OK(sr_mp4_mux_add_flv(x.m, 9, 0, 0, v0, sizeof(v0)));
    ASSERT_SR_OK(sr_mp4_mux_add_flv(x.m, 8, 0, 0, a0, sizeof(a0)));
    ASSERT_SR_OK(sr_mp4_mux_add_flv(x.m, 9, 40, 40, v1, sizeof(v1)));
    ASSERT_SR_OK(sr_mp4_mux_add_flv(x.m, 8, 23, 23, a0, sizeof(a0)));
    // an HLS segment ends where the next keyframe (at 100 ms, a late frame) starts: the
    // last frame lasts 60 ms, not its predecessor's 40; audio keeps its own length
    EXPECT_EQ(4u, sr_mp4_mux_write_fragment_until(x.m, &x.out, 100));
    std::vector<Box> moof = Children(Children(x.out.data + init_len, x.out.len - init_len, init_len)[0]);
    Trun vt = ParseTrun(Children(moof[1])[2]);
    EXPECT_EQ((std::vector<uint32_t>{40, 60}), vt.durations);
    Trun at = ParseTrun(Children(moof[2])[2]);
    EXPECT_EQ(at.durations[0], at.durations[1]);
    // the next fragment's decode time follows on exactly
    size_t second = x.out.len;
    ASSERT_SR_OK(sr_mp4_mux_add_flv(x.m, 9, 100, 100, v0, sizeof(v0)));
    EXPECT_EQ(1u, sr_mp4_mux_write_fragment_until(x.m, &x.out, SR_MP4_END_UNKNOWN));
    moof = Children(Children(x.out.data + second, x.out.len - second, second)[0]);
    EXPECT_EQ(100u, sr_get_be32(Children(moof[1])[1].data + 8)); // tfdt
}
