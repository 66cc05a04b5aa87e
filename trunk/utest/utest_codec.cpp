// SPDX-License-Identifier: MIT
// utest_codec.cpp: the codec configuration parsers (sr_codec.h) against real encoder
// output and hand-built edge cases. The byte vectors marked "ffmpeg" were produced on a
// Debian ffmpeg 5.1 / x264 / x265 3.5 install, e.g.
//   ffmpeg -f lavfi -i testsrc=size=320x240:rate=25 -t 0.2 -pix_fmt yuv420p
//          -c:v libx264 -profile:v high -f flv high320.flv
// and cut out with a throwaway script (first video/audio tag body of the FLV, or the
// hvcC box of an MP4 with its SEI array dropped to keep it short). The expected values
// are what ffprobe reports for the same files. Synthetic SPS/ASC vectors are built
// with BitWriter below, from the syntax tables of H.264 7.3.2.1.1, H.265 7.3.2.2.1
// and ISO/IEC 14496-3 1.6.2.1.
#include <string.h>

#include <vector>

#include "sr_codec.h"
#include "sr_codec_config.h"
#include "sr_error.h"
#include "sr_flv.h"
#include "sr_utest.h"

namespace
{

// ffmpeg: 320x240 yuv420p libx264 -profile:v high, 25 fps. ffprobe: High, level 13.
const uint8_t kAvcHigh320[] = {0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x64, 0x00, 0x0d, 0xff, 0xe1, 0x00, 0x19,
                               0x67, 0x64, 0x00, 0x0d, 0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00,
                               0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0x20, 0xf1, 0x42, 0x99, 0x60, 0x01,
                               0x00, 0x06, 0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0, 0xfd, 0xf8, 0xf8, 0x00};
// ffmpeg: 1280x720 libx264 -profile:v baseline, 30 fps. ffprobe: Constrained Baseline, level 31.
const uint8_t kAvcBase720[] = {0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x42, 0xc0, 0x1f, 0xff, 0xe1, 0x00,
                               0x19, 0x67, 0x42, 0xc0, 0x1f, 0xd9, 0x00, 0x50, 0x05, 0xbb, 0x01, 0x10,
                               0x00, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x83,
                               0x24, 0x80, 0x01, 0x00, 0x05, 0x68, 0xcb, 0x83, 0xcb, 0x20};
// ffmpeg: 1920x1080 libx264 -profile:v main, 25 fps (68 MB rows, 8 lines cropped). ffprobe: Main, level 40.
const uint8_t kAvcMain1080[] = {0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x4d, 0x40, 0x28, 0xff, 0xe1, 0x00,
                                0x1a, 0x67, 0x4d, 0x40, 0x28, 0xec, 0xa0, 0x3c, 0x01, 0x13, 0xf2, 0xe0,
                                0x22, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00, 0x00, 0x03, 0x00, 0x64, 0x1e,
                                0x30, 0x63, 0x2c, 0x01, 0x00, 0x05, 0x68, 0xeb, 0xe3, 0xcb, 0x20};
// ffmpeg: 322x242 libx264 -profile:v high (cropped right and bottom). ffprobe: 322x242, High, level 13.
const uint8_t kAvcOdd322[] = {0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x64, 0x00, 0x0d, 0xff, 0xe1, 0x00, 0x1b, 0x67,
                              0x64, 0x00, 0x0d, 0xac, 0xd9, 0x41, 0x50, 0x87, 0x88, 0x88, 0xc0, 0x44, 0x00, 0x00,
                              0x03, 0x00, 0x04, 0x00, 0x00, 0x03, 0x00, 0xc8, 0x3c, 0x50, 0xa6, 0x58, 0x01, 0x00,
                              0x06, 0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0, 0xfd, 0xf8, 0xf8, 0x00};
// ffmpeg: 320x240 yuv422p libx264 -profile:v high422. ffprobe: High 4:2:2, level 13.
const uint8_t kAvcHigh422[] = {0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x7a, 0x00, 0x0d, 0xff, 0xe1, 0x00, 0x19,
                               0x67, 0x7a, 0x00, 0x0d, 0xbc, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00,
                               0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0x20, 0xf1, 0x42, 0x99, 0x60, 0x01,
                               0x00, 0x06, 0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0, 0xfe, 0xf8, 0xf8, 0x00};
// ffmpeg: 320x240 libx264 -profile:v high -x264-params interlaced=1. ffprobe: field_order tt, level 21.
const uint8_t kAvcInterlaced[] = {0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x64, 0x00, 0x15, 0xff, 0xe1, 0x00, 0x1a,
                                  0x67, 0x64, 0x00, 0x15, 0xac, 0xd9, 0x41, 0x41, 0x0f, 0xcb, 0x80, 0x88, 0x00,
                                  0x00, 0x03, 0x00, 0x08, 0x00, 0x00, 0x03, 0x01, 0x90, 0xf8, 0xa1, 0x4c, 0xb0,
                                  0x01, 0x00, 0x06, 0x68, 0xfb, 0xa3, 0xcb, 0x22, 0xc0, 0xfd, 0xf8, 0xf8, 0x00};

// ffmpeg: 640x360 yuv420p libx265, hvcC from MP4 without its SEI array. ffprobe: Main, level 63.
const uint8_t kHevc360[] = {
    0x01, 0x01, 0x60, 0x00, 0x00, 0x00, 0x90, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0xf0, 0x00, 0xfc, 0xfd, 0xf8, 0xf8,
    0x00, 0x00, 0x0f, 0x03, 0x20, 0x00, 0x01, 0x00, 0x18, 0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x01, 0x60, 0x00, 0x00,
    0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x3f, 0x95, 0x98, 0x09, 0x21, 0x00, 0x01, 0x00, 0x2a,
    0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x3f, 0xa0,
    0x05, 0x02, 0x01, 0x69, 0x65, 0x95, 0x9a, 0x49, 0x32, 0xbc, 0x05, 0xa0, 0x20, 0x00, 0x00, 0x03, 0x00, 0x20, 0x00,
    0x00, 0x03, 0x03, 0x21, 0x22, 0x00, 0x01, 0x00, 0x07, 0x44, 0x01, 0xc1, 0x72, 0xb4, 0x62, 0x40};
// ffmpeg: 642x362 libx265 (conformance window). ffprobe: 642x362, Main, level 63.
const uint8_t kHevc362[] = {
    0x01, 0x01, 0x60, 0x00, 0x00, 0x00, 0x90, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0xf0, 0x00, 0xfc, 0xfd, 0xf8, 0xf8,
    0x00, 0x00, 0x0f, 0x03, 0x20, 0x00, 0x01, 0x00, 0x18, 0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x01, 0x60, 0x00, 0x00,
    0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x3f, 0x95, 0x98, 0x09, 0x21, 0x00, 0x01, 0x00, 0x2c,
    0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x3f, 0xa0,
    0x05, 0x12, 0x01, 0x71, 0xc9, 0x26, 0x59, 0x59, 0xa4, 0x93, 0x2b, 0xc0, 0x5a, 0x02, 0x00, 0x00, 0x03, 0x00, 0x02,
    0x00, 0x00, 0x03, 0x00, 0x32, 0x10, 0x22, 0x00, 0x01, 0x00, 0x07, 0x44, 0x01, 0xc1, 0x72, 0xb4, 0x62, 0x40};
// ffmpeg: 640x360 yuv420p10le libx265. ffprobe: Main 10, level 63.
const uint8_t kHevcMain10[] = {
    0x01, 0x02, 0x20, 0x00, 0x00, 0x00, 0x90, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0xf0, 0x00, 0xfc, 0xfd, 0xfa, 0xfa,
    0x00, 0x00, 0x0f, 0x03, 0x20, 0x00, 0x01, 0x00, 0x18, 0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x02, 0x20, 0x00, 0x00,
    0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x3f, 0x95, 0x98, 0x09, 0x21, 0x00, 0x01, 0x00, 0x2b,
    0x42, 0x01, 0x01, 0x02, 0x20, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x3f, 0xa0,
    0x05, 0x02, 0x01, 0x69, 0x36, 0x59, 0x59, 0xa4, 0x93, 0x2b, 0xc0, 0x5a, 0x02, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00,
    0x00, 0x03, 0x00, 0x32, 0x10, 0x22, 0x00, 0x01, 0x00, 0x07, 0x44, 0x01, 0xc1, 0x72, 0xb4, 0x62, 0x40};

// ffmpeg: -c:a aac -ar 44100 -ac 2 -f flv. ffprobe: LC, 44100, 2. Ends with the 0x2b7
// sync extension saying "no SBR".
const uint8_t kAac44Stereo[] = {0xaf, 0x00, 0x12, 0x10, 0x56, 0xe5, 0x00};
// ffmpeg: -c:a aac -ar 48000 -ac 1 -f flv. ffprobe: LC, 48000, 1.
const uint8_t kAac48Mono[] = {0xaf, 0x00, 0x11, 0x88, 0x56, 0xe5, 0x00};
// ffmpeg -f adts: first 7 bytes of the 44100/2 and 48000/1 files; aac_frame_length 345 and 219.
const uint8_t kAdts44Stereo[] = {0xff, 0xf1, 0x50, 0x80, 0x2b, 0x3f, 0xfc};
const uint8_t kAdts48Mono[] = {0xff, 0xf1, 0x4c, 0x40, 0x1b, 0x7f, 0xfc};

std::vector<uint8_t> bytes(const uint8_t *p, size_t n)
{
    return std::vector<uint8_t>(p, p + n);
}

// MSB-first bit writer for synthetic RBSPs.
class BitWriter
{
  public:
    void u(unsigned n, uint64_t v)
    {
        for (unsigned i = n; i-- > 0;) {
            bit((v >> i) & 1);
        }
    }
    void ue(uint32_t v)
    {
        uint64_t x = (uint64_t)v + 1;
        unsigned len = 0;
        while ((x >> len) > 1) {
            len++;
        }
        u(len, 0);
        u(len + 1, x);
    }
    void se(int32_t v)
    {
        ue(v > 0 ? (uint32_t)(2 * (int64_t)v - 1) : (uint32_t)(-2 * (int64_t)v));
    }
    // rbsp_trailing_bits, then the NAL unit with emulation prevention inserted.
    std::vector<uint8_t> nal(std::vector<uint8_t> header)
    {
        bit(1);
        while (nbits_ % 8) {
            bit(0);
        }
        int zeros = 0;
        for (uint8_t b : out_) {
            if (zeros >= 2 && b <= 3) {
                header.push_back(0x03);
                zeros = 0;
            }
            header.push_back(b);
            zeros = b == 0 ? zeros + 1 : 0;
        }
        return header;
    }
    std::vector<uint8_t> raw()
    {
        while (nbits_ % 8) {
            bit(0);
        }
        return out_;
    }

  private:
    void bit(unsigned b)
    {
        if (nbits_ % 8 == 0) {
            out_.push_back(0);
        }
        if (b) {
            out_.back() |= (uint8_t)(0x80 >> (nbits_ % 8));
        }
        nbits_++;
    }
    std::vector<uint8_t> out_;
    size_t nbits_ = 0;
};

// Every prefix shorter than n must fail except the lengths in ok; none may crash.
template <typename T, typename F> void expect_prefixes(const uint8_t *data, size_t n, F parse, std::vector<size_t> ok)
{
    for (size_t len = 0; len < n; len++) {
        std::vector<uint8_t> copy(data, data + len); // exact-size heap copy: ASan sees overreads
        T out;
        int rc = parse(copy.data(), len, &out);
        bool want_ok = false;
        for (size_t k : ok) {
            want_ok = want_ok || k == len;
        }
        if (want_ok) {
            EXPECT_EQ(SR_OK, rc) << "prefix " << len;
        } else {
            EXPECT_TRUE(rc == -SR_ETRUNCATED || rc == -SR_EFORMAT) << "prefix " << len << " " << sr_err_name(rc);
        }
    }
}

// Flip bits of every byte: any result is fine, a crash or sanitizer report is not.
template <typename T, typename F> void mutate_all(const uint8_t *data, size_t n, F parse)
{
    for (size_t i = 0; i < n; i++) {
        for (uint8_t mask : {0x01, 0x04, 0x10, 0x80, 0xff}) {
            std::vector<uint8_t> copy(data, data + n);
            copy[i] ^= mask;
            T out;
            int rc = parse(copy.data(), n, &out);
            EXPECT_LE(rc, 0);
        }
    }
}

std::vector<uint8_t> read_all_bits(sr_bits_t *b)
{
    std::vector<uint8_t> got;
    uint32_t v;
    while (sr_bits_read(b, 8, &v) == SR_OK) {
        got.push_back((uint8_t)v);
    }
    return got;
}

} // namespace

// ==== bit reader ====

TEST(CodecBits, ReadsExpGolombVectors)
{
    // 1 010 011 00100 00111 0001000: codeNums 0, 1, 2, 3, 6, 7 (H.264 Table 9-2)
    const uint8_t d[] = {0xa6, 0x43, 0x88};
    sr_bits_t b;
    sr_bits_init(&b, d, sizeof(d));
    const uint32_t want[] = {0, 1, 2, 3, 6, 7};
    for (uint32_t w : want) {
        uint32_t v = 99;
        ASSERT_SR_OK(sr_bits_ue(&b, &v));
        EXPECT_EQ(w, v);
    }
    EXPECT_TRUE(sr_bits_is_empty(&b));
    uint32_t v;
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_bits_ue(&b, &v));

    // se(v): codeNum k -> (-1)^(k+1) * ceil(k/2) (Table 9-3)
    sr_bits_init(&b, d, sizeof(d));
    const int32_t want_se[] = {0, 1, -1, 2, -3, 4};
    for (int32_t w : want_se) {
        int32_t s = 99;
        ASSERT_SR_OK(sr_bits_se(&b, &s));
        EXPECT_EQ(w, s);
    }
}

TEST(CodecBits, ExpGolombLimits)
{
    // 31 leading zeros, a one, 31 ones: the largest codeNum that fits 32 bits
    const uint8_t max[] = {0x00, 0x00, 0x00, 0x01, 0xff, 0xff, 0xff, 0xfe};
    sr_bits_t b;
    sr_bits_init(&b, max, sizeof(max));
    uint32_t v = 0;
    ASSERT_SR_OK(sr_bits_ue(&b, &v));
    EXPECT_EQ(0xfffffffeu, v);
    sr_bits_init(&b, max, sizeof(max));
    int32_t s = 0;
    ASSERT_SR_OK(sr_bits_se(&b, &s));
    EXPECT_EQ(-2147483647, s);

    // 32 leading zeros would not fit: malformed, not truncated
    const uint8_t too_long[] = {0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00};
    sr_bits_init(&b, too_long, sizeof(too_long));
    EXPECT_SR_ERR(SR_EFORMAT, sr_bits_ue(&b, &v));

    // prefix complete, suffix cut off
    const uint8_t cut[] = {0x00, 0x01};
    sr_bits_init(&b, cut, sizeof(cut));
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_bits_ue(&b, &v));

    const uint8_t three[] = {0x60}; // 011 -> 2
    sr_bits_init(&b, three, sizeof(three));
    EXPECT_SR_ERR(SR_EFORMAT, sr_bits_ue_max(&b, 1, &v));
}

TEST(CodecBits, ReadsFieldsAcrossBytesAndRefusesOverread)
{
    const uint8_t d[] = {0xab, 0xcd, 0xef, 0x12, 0x34};
    sr_bits_t b;
    sr_bits_init(&b, d, sizeof(d));
    uint32_t v;
    ASSERT_SR_OK(sr_bits_read(&b, 4, &v));
    EXPECT_EQ(0xau, v);
    ASSERT_SR_OK(sr_bits_read(&b, 32, &v));
    EXPECT_EQ(0xbcdef123u, v);
    bool f;
    ASSERT_SR_OK(sr_bits_flag(&b, &f));
    EXPECT_FALSE(f); // 0x4 = 0100
    ASSERT_SR_OK(sr_bits_skip(&b, 2));
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_bits_skip(&b, 2));
    EXPECT_SR_ERR(SR_EINVAL, sr_bits_read(&b, 33, &v));
    sr_bits_init(&b, nullptr, 0);
    EXPECT_TRUE(sr_bits_is_empty(&b));
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_bits_flag(&b, &f));
    ASSERT_SR_OK(sr_bits_read(&b, 0, &v));
    EXPECT_EQ(0u, v);
}

TEST(CodecBits, RemovesEmulationPreventionBytes)
{
    // 00 00 03 xx -> 00 00 xx; the count restarts after each 03; a lone 00 03 stays;
    // a trailing 00 00 03 (cabac_zero_word) is dropped.
    const uint8_t nal[] = {0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03, 0x00, 0x00,
                           0x03, 0x03, 0x00, 0x03, 0xff, 0x00, 0x00, 0x03};
    const uint8_t rbsp[] = {0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x03, 0xff, 0x00, 0x00};
    sr_bits_t b;
    sr_bits_init_rbsp(&b, nal, sizeof(nal));
    EXPECT_EQ(bytes(rbsp, sizeof(rbsp)), read_all_bits(&b));
    EXPECT_TRUE(sr_bits_is_empty(&b));
    sr_bits_init(&b, nal, sizeof(nal)); // plain mode keeps every byte
    EXPECT_EQ(bytes(nal, sizeof(nal)), read_all_bits(&b));

    // an Exp-Golomb code spanning a removed byte: 00 00 03 01 -> 23 zeros, 1, 23-bit suffix
    const uint8_t span[] = {0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03, 0x00, 0x01};
    sr_bits_init_rbsp(&b, span, sizeof(span));
    uint32_t v;
    ASSERT_SR_OK(sr_bits_ue(&b, &v));
    EXPECT_EQ((1u << 23) - 1 + 0x000000u, v);
}

// ==== AVC ====

TEST(CodecAvc, ParsesHighProfile320x240)
{
    sr_avc_config_t c;
    ASSERT_SR_OK(sr_avc_parse_flv(kAvcHigh320, sizeof(kAvcHigh320), &c));
    EXPECT_EQ(1, c.version);
    EXPECT_EQ(100, c.profile);
    EXPECT_EQ(13, c.level);
    EXPECT_EQ(4, c.nal_length_size);
    ASSERT_EQ(1, c.nb_sps);
    ASSERT_EQ(1, c.nb_pps);
    EXPECT_EQ(kAvcHigh320 + 13, c.sps[0].data); // borrowed, header byte included
    EXPECT_EQ(0x19u, c.sps[0].size);
    EXPECT_EQ(0x67, c.sps[0].data[0]);
    EXPECT_EQ(kAvcHigh320 + 41, c.pps[0].data);
    EXPECT_EQ(6u, c.pps[0].size);
    EXPECT_EQ(100, c.info.profile_idc);
    EXPECT_EQ(13, c.info.level_idc);
    EXPECT_EQ(1, c.info.chroma_format_idc);
    EXPECT_EQ(8, c.info.bit_depth_luma);
    EXPECT_TRUE(c.info.frame_mbs_only);
    EXPECT_EQ(20u, c.info.pic_width_in_mbs);
    EXPECT_EQ(15u, c.info.pic_height_in_map_units);
    EXPECT_EQ(320u, c.info.width);
    EXPECT_EQ(240u, c.info.height);
    ASSERT_TRUE(c.info.has_timing);
    EXPECT_EQ(25.0, (double)c.info.time_scale / (2.0 * c.info.num_units_in_tick));
    EXPECT_STREQ("High", sr_avc_profile_name(c.info.profile_idc));
    EXPECT_STREQ("1.3", sr_avc_level_name(c.info.level_idc));
}

TEST(CodecAvc, ParsesConstrainedBaseline720p)
{
    sr_avc_config_t c;
    ASSERT_SR_OK(sr_avc_parse_flv(kAvcBase720, sizeof(kAvcBase720), &c));
    EXPECT_EQ(66, c.info.profile_idc);
    EXPECT_EQ(0xc0, c.info.constraint_flags); // constraint_set0 and set1: constrained baseline
    EXPECT_STREQ("Baseline", sr_avc_profile_name(c.info.profile_idc));
    EXPECT_STREQ("3.1", sr_avc_level_name(c.info.level_idc));
    EXPECT_EQ(45u, c.info.pic_height_in_map_units); // 720 = 45 MB rows: no crop
    EXPECT_EQ(0u, c.info.crop_bottom);
    EXPECT_EQ(1280u, c.info.width);
    EXPECT_EQ(720u, c.info.height);
    ASSERT_TRUE(c.info.has_timing);
    EXPECT_EQ(30.0, (double)c.info.time_scale / (2.0 * c.info.num_units_in_tick));
}

TEST(CodecAvc, CropsMain1080p)
{
    sr_avc_config_t c;
    ASSERT_SR_OK(sr_avc_parse_flv(kAvcMain1080, sizeof(kAvcMain1080), &c));
    EXPECT_STREQ("Main", sr_avc_profile_name(c.info.profile_idc));
    EXPECT_STREQ("4", sr_avc_level_name(c.info.level_idc));
    EXPECT_EQ(68u, c.info.pic_height_in_map_units);
    EXPECT_EQ(4u, c.info.crop_bottom); // 4:2:0 crop unit is 2 lines
    EXPECT_EQ(1920u, c.info.width);
    EXPECT_EQ(1080u, c.info.height);
}

TEST(CodecAvc, CropsOddSize)
{
    sr_avc_config_t c;
    ASSERT_SR_OK(sr_avc_parse_flv(kAvcOdd322, sizeof(kAvcOdd322), &c));
    EXPECT_EQ(21u, c.info.pic_width_in_mbs);
    EXPECT_EQ(16u, c.info.pic_height_in_map_units);
    EXPECT_EQ(7u, c.info.crop_right);
    EXPECT_EQ(7u, c.info.crop_bottom);
    EXPECT_EQ(322u, c.info.width);
    EXPECT_EQ(242u, c.info.height);
}

TEST(CodecAvc, ParsesHigh422AndInterlaced)
{
    sr_avc_config_t c;
    ASSERT_SR_OK(sr_avc_parse_flv(kAvcHigh422, sizeof(kAvcHigh422), &c));
    EXPECT_STREQ("High 4:2:2", sr_avc_profile_name(c.info.profile_idc));
    EXPECT_EQ(2, c.info.chroma_format_idc);
    EXPECT_EQ(320u, c.info.width);
    EXPECT_EQ(240u, c.info.height);

    ASSERT_SR_OK(sr_avc_parse_flv(kAvcInterlaced, sizeof(kAvcInterlaced), &c));
    EXPECT_FALSE(c.info.frame_mbs_only);
    EXPECT_EQ(8u, c.info.pic_height_in_map_units); // field MB pairs: 8 * 2 * 16 = 256 rows
    EXPECT_EQ(320u, c.info.width);
    EXPECT_EQ(240u, c.info.height);
    EXPECT_STREQ("2.1", sr_avc_level_name(c.info.level_idc));
}

TEST(CodecAvc, AcceptsEnhancedRtmpAndRawRecord)
{
    std::vector<uint8_t> ex = {0x90, 'a', 'v', 'c', '1'}; // IsExHeader | keyframe, SequenceStart
    ex.insert(ex.end(), kAvcOdd322 + 5, kAvcOdd322 + sizeof(kAvcOdd322));
    sr_avc_config_t c;
    ASSERT_SR_OK(sr_avc_parse_flv(ex.data(), ex.size(), &c));
    EXPECT_EQ(322u, c.info.width);
    ASSERT_SR_OK(sr_avc_parse_config(kAvcOdd322 + 5, sizeof(kAvcOdd322) - 5, &c));
    EXPECT_EQ(242u, c.info.height);

    const uint8_t nalu[] = {0x17, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x65};
    EXPECT_SR_ERR(SR_EFORMAT, sr_avc_parse_flv(nalu, sizeof(nalu), &c));
    EXPECT_SR_ERR(SR_EFORMAT, sr_avc_parse_flv(kAac44Stereo, sizeof(kAac44Stereo), &c));
    ex[1] = 'h'; // hvc1 is not AVC
    EXPECT_SR_ERR(SR_EFORMAT, sr_avc_parse_flv(ex.data(), ex.size(), &c));
}

TEST(CodecAvc, EveryTruncationFails)
{
    auto parse = [](const uint8_t *p, size_t n, sr_avc_config_t *o) { return sr_avc_parse_flv(p, n, o); };
    // High profile records end with the optional 4-byte chroma/bit-depth tail: the
    // record without it is valid, a partial tail is not.
    expect_prefixes<sr_avc_config_t>(kAvcHigh320, sizeof(kAvcHigh320), parse, {sizeof(kAvcHigh320) - 4});
    expect_prefixes<sr_avc_config_t>(kAvcBase720, sizeof(kAvcBase720), parse, {});
    expect_prefixes<sr_avc_config_t>(kAvcMain1080, sizeof(kAvcMain1080), parse, {});
    expect_prefixes<sr_avc_config_t>(kAvcInterlaced, sizeof(kAvcInterlaced), parse, {sizeof(kAvcInterlaced) - 4});
}

TEST(CodecAvc, SurvivesMutations)
{
    auto parse = [](const uint8_t *p, size_t n, sr_avc_config_t *o) { return sr_avc_parse_flv(p, n, o); };
    mutate_all<sr_avc_config_t>(kAvcHigh320, sizeof(kAvcHigh320), parse);
    mutate_all<sr_avc_config_t>(kAvcOdd322, sizeof(kAvcOdd322), parse);
    // the SPS alone, cut at every length (the record's lengths cannot hide an overread)
    auto sps = [](const uint8_t *p, size_t n, sr_avc_sps_t *o) { return sr_avc_parse_sps(p, n, o); };
    mutate_all<sr_avc_sps_t>(kAvcMain1080 + 13, 0x1a, sps);
    for (size_t len = 0; len < 0x1a; len++) {
        std::vector<uint8_t> copy(kAvcMain1080 + 13, kAvcMain1080 + 13 + len);
        sr_avc_sps_t s;
        int rc = sr_avc_parse_sps(copy.data(), len, &s);
        if (rc == SR_OK) { // only a cut inside the VUI may still parse the size
            EXPECT_EQ(1080u, s.height);
        }
    }
}

TEST(CodecAvc, RejectsMalformedRecords)
{
    std::vector<uint8_t> r = bytes(kAvcBase720 + 5, sizeof(kAvcBase720) - 5);
    sr_avc_config_t c;
    ASSERT_SR_OK(sr_avc_parse_config(r.data(), r.size(), &c));
    auto bad = r;
    bad[0] = 2; // configurationVersion
    EXPECT_SR_ERR(SR_EFORMAT, sr_avc_parse_config(bad.data(), bad.size(), &c));
    bad = r;
    bad[4] = 0xfe; // lengthSizeMinusOne 2
    EXPECT_SR_ERR(SR_EFORMAT, sr_avc_parse_config(bad.data(), bad.size(), &c));
    bad = r;
    bad[5] = 0xe0; // no SPS
    EXPECT_SR_ERR(SR_EFORMAT, sr_avc_parse_config(bad.data(), bad.size(), &c));
    bad = r;
    bad[8] = 0x68; // the SPS slot holds a PPS
    EXPECT_SR_ERR(SR_EFORMAT, sr_avc_parse_config(bad.data(), bad.size(), &c));
    bad = r;
    bad[6] = 0xff; // SPS length past the end
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_avc_parse_config(bad.data(), bad.size(), &c));
}

TEST(CodecAvc, KeepsAtMostFourParameterSets)
{
    // record with 6 copies of the 720p SPS and 5 of its PPS: all checked, 4 kept
    const uint8_t *sps = kAvcBase720 + 13, *pps = kAvcBase720 + 41;
    std::vector<uint8_t> r = {0x01, 0x42, 0xc0, 0x1f, 0xff, 0xe6};
    for (int i = 0; i < 6; i++) {
        r.insert(r.end(), {0x00, 0x19});
        r.insert(r.end(), sps, sps + 0x19);
    }
    r.push_back(5);
    for (int i = 0; i < 5; i++) {
        r.insert(r.end(), {0x00, 0x05});
        r.insert(r.end(), pps, pps + 5);
    }
    sr_avc_config_t c;
    ASSERT_SR_OK(sr_avc_parse_config(r.data(), r.size(), &c));
    EXPECT_EQ(SR_CODEC_MAX_PARAM_SETS, c.nb_sps);
    EXPECT_EQ(SR_CODEC_MAX_PARAM_SETS, c.nb_pps);
    EXPECT_EQ(0x68, c.pps[3].data[0]);
    EXPECT_EQ(1280u, c.info.width);
}

namespace
{

struct AvcSpsOpts {
    uint32_t profile = 100;
    uint32_t chroma = 1;
    bool scaling = false;
    uint32_t poc_type = 0;
    uint32_t poc_cycle = 3;
    bool frame_mbs_only = true;
    uint32_t w_mbs = 20, h_units = 15;
    uint32_t crop[4] = {0, 0, 0, 0};
    bool vui_timing = false;
};

std::vector<uint8_t> make_avc_sps(const AvcSpsOpts &o)
{
    BitWriter w;
    w.u(8, o.profile);
    w.u(8, 0);
    w.u(8, 40);
    w.ue(0); // seq_parameter_set_id
    if (o.profile == 100 || o.profile == 244) {
        w.ue(o.chroma);
        if (o.chroma == 3) {
            w.u(1, 0); // separate_colour_plane_flag
        }
        w.ue(2); // bit_depth_luma_minus8
        w.ue(2);
        w.u(1, 0);
        w.u(1, o.scaling);
        for (int i = 0; o.scaling && i < (o.chroma != 3 ? 8 : 12); i++) {
            w.u(1, 1); // list present: nextScale 13, then 0 (the rest repeat, no more deltas)
            w.se(5);
            w.se(-13);
        }
    }
    w.ue(0); // log2_max_frame_num_minus4
    w.ue(o.poc_type);
    if (o.poc_type == 0) {
        w.ue(2);
    } else if (o.poc_type == 1) {
        w.u(1, 0);
        w.se(-2);
        w.se(1);
        w.ue(o.poc_cycle);
        for (uint32_t i = 0; i < o.poc_cycle && i < 300; i++) {
            w.se((int32_t)i - 1);
        }
    }
    w.ue(4); // max_num_ref_frames
    w.u(1, 0);
    w.ue(o.w_mbs - 1);
    w.ue(o.h_units - 1);
    w.u(1, o.frame_mbs_only);
    if (!o.frame_mbs_only) {
        w.u(1, 1);
    }
    w.u(1, 1); // direct_8x8_inference_flag
    bool crop = o.crop[0] || o.crop[1] || o.crop[2] || o.crop[3];
    w.u(1, crop);
    for (int i = 0; crop && i < 4; i++) {
        w.ue(o.crop[i]);
    }
    w.u(1, o.vui_timing);
    if (o.vui_timing) {
        w.u(1, 1); // aspect_ratio_info_present_flag
        w.u(8, 255);
        w.u(32, 0x00010001);
        w.u(1, 0);
        w.u(1, 1); // video_signal_type_present_flag
        w.u(4, 5);
        w.u(1, 1);
        w.u(24, 0x010101);
        w.u(1, 1); // chroma_loc_info_present_flag
        w.ue(0);
        w.ue(0);
        w.u(1, 1); // timing_info_present_flag
        w.u(32, 1001);
        w.u(32, 60000);
        w.u(1, 1);
    }
    return w.nal({0x67});
}

} // namespace

TEST(CodecAvc, ParsesSyntheticSpsBranches)
{
    AvcSpsOpts o;
    o.chroma = 3;
    o.scaling = true;
    o.poc_type = 1;
    o.frame_mbs_only = false;
    o.h_units = 8;
    o.crop[1] = 5; // right: 4:4:4 crop unit x is 1
    o.crop[3] = 3; // bottom: field coding doubles the unit: 6 lines
    o.vui_timing = true;
    std::vector<uint8_t> nal = make_avc_sps(o);
    sr_avc_sps_t s;
    ASSERT_SR_OK(sr_avc_parse_sps(nal.data(), nal.size(), &s));
    EXPECT_EQ(3, s.chroma_format_idc);
    EXPECT_EQ(10, s.bit_depth_luma);
    EXPECT_EQ(1, s.pic_order_cnt_type);
    EXPECT_EQ(4u, s.max_num_ref_frames);
    EXPECT_EQ(315u, s.width);
    EXPECT_EQ(250u, s.height);
    ASSERT_TRUE(s.has_timing);
    EXPECT_EQ(1001u, s.num_units_in_tick);
    EXPECT_EQ(60000u, s.time_scale);

    o = AvcSpsOpts();
    o.chroma = 0; // monochrome: crop unit 1 x 1
    o.poc_type = 2;
    o.crop[0] = 1;
    o.crop[2] = 1;
    nal = make_avc_sps(o);
    ASSERT_SR_OK(sr_avc_parse_sps(nal.data(), nal.size(), &s));
    EXPECT_EQ(319u, s.width);
    EXPECT_EQ(239u, s.height);
    EXPECT_FALSE(s.has_timing);

    o = AvcSpsOpts();
    o.profile = 66; // no chroma fields: 4:2:0, units of 2
    o.crop[0] = 2;
    nal = make_avc_sps(o);
    ASSERT_SR_OK(sr_avc_parse_sps(nal.data(), nal.size(), &s));
    EXPECT_EQ(316u, s.width);
}

TEST(CodecAvc, RejectsOutOfRangeSps)
{
    AvcSpsOpts o;
    o.poc_type = 1;
    o.poc_cycle = 256; // num_ref_frames_in_pic_order_cnt_cycle is 0..255
    std::vector<uint8_t> nal = make_avc_sps(o);
    sr_avc_sps_t s;
    EXPECT_SR_ERR(SR_EFORMAT, sr_avc_parse_sps(nal.data(), nal.size(), &s));

    o = AvcSpsOpts();
    o.crop[1] = 160; // crops the whole width
    nal = make_avc_sps(o);
    EXPECT_SR_ERR(SR_EFORMAT, sr_avc_parse_sps(nal.data(), nal.size(), &s));

    o = AvcSpsOpts();
    o.poc_type = 3;
    nal = make_avc_sps(o);
    EXPECT_SR_ERR(SR_EFORMAT, sr_avc_parse_sps(nal.data(), nal.size(), &s));

    const uint8_t pps[] = {0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0};
    EXPECT_SR_ERR(SR_EFORMAT, sr_avc_parse_sps(pps, sizeof(pps), &s));
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_avc_parse_sps(pps, 0, &s));
}

TEST(CodecAvc, NamesProfilesAndLevelsLikeSrs)
{
    EXPECT_STREQ("Baseline", sr_avc_profile_name(66));
    EXPECT_STREQ("Main", sr_avc_profile_name(77));
    EXPECT_STREQ("Extended", sr_avc_profile_name(88));
    EXPECT_STREQ("High", sr_avc_profile_name(100));
    EXPECT_STREQ("High 10", sr_avc_profile_name(110));
    EXPECT_STREQ("High 4:2:2", sr_avc_profile_name(122));
    EXPECT_STREQ("High 4:4:4", sr_avc_profile_name(244));
    EXPECT_STREQ("Other", sr_avc_profile_name(0));
    EXPECT_STREQ("1", sr_avc_level_name(10));
    EXPECT_STREQ("1.1", sr_avc_level_name(11));
    EXPECT_STREQ("3.1", sr_avc_level_name(31));
    EXPECT_STREQ("4", sr_avc_level_name(40));
    EXPECT_STREQ("5.1", sr_avc_level_name(51));
    EXPECT_STREQ("6.2", sr_avc_level_name(62));
    EXPECT_STREQ("1b", sr_avc_level_name(9));
    EXPECT_STREQ("Other", sr_avc_level_name(0));
    EXPECT_STREQ("Other", sr_avc_level_name(33));
}

// ==== HEVC ====

TEST(CodecHevc, Parses640x360Main)
{
    sr_hevc_config_t c;
    ASSERT_SR_OK(sr_hevc_parse_config(kHevc360, sizeof(kHevc360), &c));
    EXPECT_EQ(1, c.version);
    EXPECT_EQ(1, c.profile_idc);
    EXPECT_FALSE(c.tier);
    EXPECT_EQ(63, c.level_idc);
    EXPECT_EQ(1, c.chroma_format_idc);
    EXPECT_EQ(4, c.nal_length_size);
    ASSERT_EQ(1, c.nb_vps);
    ASSERT_EQ(1, c.nb_sps);
    ASSERT_EQ(1, c.nb_pps);
    EXPECT_EQ(kHevc360 + 28, c.vps[0].data);
    EXPECT_EQ(0x18u, c.vps[0].size);
    EXPECT_EQ(0x42, c.sps[0].data[0]);
    EXPECT_EQ(0x2au, c.sps[0].size);
    EXPECT_EQ(0x44, c.pps[0].data[0]);
    EXPECT_EQ(1, c.info.max_sub_layers);
    EXPECT_EQ(1, c.info.profile_idc);
    EXPECT_EQ(63, c.info.level_idc);
    EXPECT_EQ(640u, c.info.width);
    EXPECT_EQ(360u, c.info.height);
    EXPECT_EQ(8, c.info.bit_depth_luma);
    EXPECT_STREQ("Main", sr_hevc_profile_name(c.profile_idc));
    EXPECT_STREQ("2.1", sr_hevc_level_name(c.level_idc));
}

TEST(CodecHevc, AppliesConformanceWindowAndMain10)
{
    sr_hevc_config_t c;
    ASSERT_SR_OK(sr_hevc_parse_config(kHevc362, sizeof(kHevc362), &c));
    EXPECT_GT(c.info.pic_width, 642u);
    EXPECT_EQ(642u, c.info.width);
    EXPECT_EQ(362u, c.info.height);

    ASSERT_SR_OK(sr_hevc_parse_config(kHevcMain10, sizeof(kHevcMain10), &c));
    EXPECT_STREQ("Main 10", sr_hevc_profile_name(c.info.profile_idc));
    EXPECT_EQ(10, c.info.bit_depth_luma);
    EXPECT_EQ(10, c.bit_depth_luma);
    EXPECT_EQ(640u, c.info.width);
    EXPECT_EQ(360u, c.info.height);
}

TEST(CodecHevc, AcceptsLegacyAndEnhancedFlv)
{
    std::vector<uint8_t> legacy = {0x1c, 0x00, 0x00, 0x00, 0x00};
    legacy.insert(legacy.end(), kHevc360, kHevc360 + sizeof(kHevc360));
    std::vector<uint8_t> ex = {0x90, 'h', 'v', 'c', '1'};
    ex.insert(ex.end(), kHevc360, kHevc360 + sizeof(kHevc360));
    sr_hevc_config_t c;
    ASSERT_SR_OK(sr_hevc_parse_flv(legacy.data(), legacy.size(), &c));
    EXPECT_EQ(640u, c.info.width);
    ASSERT_SR_OK(sr_hevc_parse_flv(ex.data(), ex.size(), &c));
    EXPECT_EQ(360u, c.info.height);
    EXPECT_SR_ERR(SR_EFORMAT, sr_hevc_parse_flv(kAvcHigh320, sizeof(kAvcHigh320), &c));
}

TEST(CodecHevc, EveryTruncationFailsAndMutationsAreSafe)
{
    auto parse = [](const uint8_t *p, size_t n, sr_hevc_config_t *o) { return sr_hevc_parse_config(p, n, o); };
    expect_prefixes<sr_hevc_config_t>(kHevc360, sizeof(kHevc360), parse, {});
    expect_prefixes<sr_hevc_config_t>(kHevc362, sizeof(kHevc362), parse, {});
    mutate_all<sr_hevc_config_t>(kHevc362, sizeof(kHevc362), parse);
    std::vector<uint8_t> bad = bytes(kHevc360, sizeof(kHevc360));
    bad[21] = 0xfe; // lengthSizeMinusOne 2
    sr_hevc_config_t c;
    EXPECT_SR_ERR(SR_EFORMAT, sr_hevc_parse_config(bad.data(), bad.size(), &c));
    bad = bytes(kHevc360, sizeof(kHevc360));
    bad[0] = 0;
    EXPECT_SR_ERR(SR_EFORMAT, sr_hevc_parse_config(bad.data(), bad.size(), &c));
}

namespace
{

// SPS with sub-layers: layer 0 has a sub-layer profile, layer 1 a sub-layer level.
std::vector<uint8_t> make_hevc_sps(unsigned sub_layers_minus1, uint32_t chroma, uint32_t w, uint32_t h,
                                   const uint32_t conf[4])
{
    BitWriter b;
    b.u(4, 0);
    b.u(3, sub_layers_minus1);
    b.u(1, 1);
    b.u(2, 0); // general_profile_space
    b.u(1, 1); // general_tier_flag: High
    b.u(5, 4); // RExt
    b.u(32, 0x08000000);
    b.u(4, 0x9);
    b.u(43, 0x123456789ull);
    b.u(1, 0);
    b.u(8, 153);
    for (unsigned i = 0; i < sub_layers_minus1; i++) {
        b.u(1, i == 0);
        b.u(1, i == 1);
    }
    for (unsigned i = sub_layers_minus1; sub_layers_minus1 > 0 && i < 8; i++) {
        b.u(2, 0);
    }
    for (unsigned i = 0; i < sub_layers_minus1; i++) {
        if (i == 0) {
            b.u(2 + 1 + 5, 0x01);
            b.u(32, 0xffffffff);
            b.u(4 + 43 + 1, 0);
        }
        if (i == 1) {
            b.u(8, 0xff);
        }
    }
    b.ue(0); // sps_seq_parameter_set_id
    b.ue(chroma);
    if (chroma == 3) {
        b.u(1, 0);
    }
    b.ue(w);
    b.ue(h);
    bool win = conf[0] || conf[1] || conf[2] || conf[3];
    b.u(1, win);
    for (int i = 0; win && i < 4; i++) {
        b.ue(conf[i]);
    }
    b.ue(4); // bit_depth_luma_minus8
    b.ue(4);
    return b.nal({0x42, 0x01});
}

} // namespace

TEST(CodecHevc, SkipsSubLayerProfileTierLevel)
{
    const uint32_t conf[4] = {1, 2, 0, 4}; // 4:2:2: x in 2-sample units, y in lines
    for (unsigned sub = 0; sub <= 6; sub++) {
        std::vector<uint8_t> nal = make_hevc_sps(sub, 2, 1288, 720, conf);
        sr_hevc_sps_t s;
        SCOPED_TRACE(sub);
        ASSERT_SR_OK(sr_hevc_parse_sps(nal.data(), nal.size(), &s));
        EXPECT_EQ(sub + 1, s.max_sub_layers);
        EXPECT_TRUE(s.tier);
        EXPECT_EQ(4, s.profile_idc);
        EXPECT_EQ(153, s.level_idc);
        EXPECT_EQ(2, s.chroma_format_idc);
        EXPECT_EQ(1282u, s.width);
        EXPECT_EQ(716u, s.height);
        EXPECT_EQ(12, s.bit_depth_chroma);
        for (size_t len = 0; len + 1 < nal.size(); len++) { // the last byte may hold only the stop bit
            std::vector<uint8_t> cut(nal.begin(), nal.begin() + len);
            EXPECT_LT(sr_hevc_parse_sps(cut.data(), len, &s), 0) << len;
        }
    }
    const uint32_t none[4] = {0, 0, 0, 0};
    std::vector<uint8_t> nal = make_hevc_sps(7, 1, 640, 360, none); // 8 sub-layers: out of range
    sr_hevc_sps_t s;
    EXPECT_SR_ERR(SR_EFORMAT, sr_hevc_parse_sps(nal.data(), nal.size(), &s));
    const uint32_t whole[4] = {320, 0, 0, 0};
    nal = make_hevc_sps(0, 1, 640, 360, whole);
    EXPECT_SR_ERR(SR_EFORMAT, sr_hevc_parse_sps(nal.data(), nal.size(), &s));
}

TEST(CodecHevc, NamesProfilesAndLevels)
{
    EXPECT_STREQ("Main", sr_hevc_profile_name(1));
    EXPECT_STREQ("Main 10", sr_hevc_profile_name(2));
    EXPECT_STREQ("Main Still Picture", sr_hevc_profile_name(3));
    EXPECT_STREQ("Rext", sr_hevc_profile_name(4));
    EXPECT_STREQ("Other", sr_hevc_profile_name(9));
    EXPECT_STREQ("1", sr_hevc_level_name(30));
    EXPECT_STREQ("3.1", sr_hevc_level_name(93));
    EXPECT_STREQ("5.1", sr_hevc_level_name(153));
    EXPECT_STREQ("6.2", sr_hevc_level_name(186));
    EXPECT_STREQ("Other", sr_hevc_level_name(31));
}

// ==== AAC ====

TEST(CodecAac, ParsesLc44100Stereo)
{
    sr_aac_config_t c;
    ASSERT_SR_OK(sr_aac_parse_flv(kAac44Stereo, sizeof(kAac44Stereo), &c));
    EXPECT_EQ(2, c.object_type);
    EXPECT_EQ(2, c.core_object_type);
    EXPECT_EQ(4, c.sample_rate_index);
    EXPECT_EQ(44100u, c.sample_rate);
    EXPECT_EQ(2, c.channel_config);
    EXPECT_EQ(2, c.channels);
    EXPECT_FALSE(c.has_sbr); // sync extension present, sbrPresentFlag 0
    EXPECT_EQ(0u, c.ext_sample_rate);
    EXPECT_STREQ("LC", sr_aac_profile_name(c.object_type));

    ASSERT_SR_OK(sr_aac_parse_flv(kAac48Mono, sizeof(kAac48Mono), &c));
    EXPECT_EQ(48000u, c.sample_rate);
    EXPECT_EQ(1, c.channels);
    EXPECT_STREQ("LC", sr_aac_profile_name(c.object_type));
}

TEST(CodecAac, ParsesExplicitHeAndHev2)
{
    // aot 5, index 6 (24000), 2 ch, extension index 3 (48000), core aot 2
    const uint8_t he[] = {0x2b, 0x11, 0x88, 0x00};
    sr_aac_config_t c;
    ASSERT_SR_OK(sr_aac_parse_config(he, sizeof(he), &c));
    EXPECT_EQ(5, c.object_type);
    EXPECT_EQ(2, c.core_object_type);
    EXPECT_EQ(24000u, c.sample_rate);
    EXPECT_EQ(48000u, c.ext_sample_rate);
    EXPECT_TRUE(c.has_sbr);
    EXPECT_FALSE(c.has_ps);
    EXPECT_STREQ("HE", sr_aac_profile_name(c.object_type));
    // aot 29, index 6, 1 ch, extension index 3, core aot 2
    const uint8_t hev2[] = {0xeb, 0x09, 0x88};
    ASSERT_SR_OK(sr_aac_parse_config(hev2, sizeof(hev2), &c));
    EXPECT_EQ(29, c.object_type);
    EXPECT_TRUE(c.has_ps);
    EXPECT_EQ(1, c.channels);
    EXPECT_STREQ("HEv2", sr_aac_profile_name(c.object_type));
    // an ADTS header for HE-AAC carries the LC core at the core rate
    uint8_t adts[7];
    ASSERT_SR_OK(sr_aac_adts_header(&c, 100, adts));
    EXPECT_EQ(1, adts[2] >> 6);
    EXPECT_EQ(6, (adts[2] >> 2) & 0xf);
}

TEST(CodecAac, ParsesImplicitSbrPsEscapeAndExplicitRate)
{
    BitWriter w; // LC 24000 mono, GASpecificConfig, then 0x2b7 SBR and 0x548 PS
    w.u(5, 2);
    w.u(4, 6);
    w.u(4, 1);
    w.u(3, 0);
    w.u(11, 0x2b7);
    w.u(5, 5);
    w.u(1, 1);
    w.u(4, 3);
    w.u(11, 0x548);
    w.u(1, 1);
    std::vector<uint8_t> asc = w.raw();
    sr_aac_config_t c;
    ASSERT_SR_OK(sr_aac_parse_config(asc.data(), asc.size(), &c));
    EXPECT_EQ(2, c.object_type);
    EXPECT_TRUE(c.has_sbr);
    EXPECT_TRUE(c.has_ps);
    EXPECT_EQ(24000u, c.sample_rate);
    EXPECT_EQ(48000u, c.ext_sample_rate);

    BitWriter e; // escape: 31 then 6 bits, 42 (USAC)
    e.u(5, 31);
    e.u(6, 10);
    e.u(4, 3);
    e.u(4, 2);
    asc = e.raw();
    ASSERT_SR_OK(sr_aac_parse_config(asc.data(), asc.size(), &c));
    EXPECT_EQ(42, c.object_type);
    EXPECT_EQ(48000u, c.sample_rate);
    EXPECT_STREQ("Other", sr_aac_profile_name(c.object_type));

    BitWriter x; // index 15: explicit 24-bit frequency
    x.u(5, 2);
    x.u(4, 15);
    x.u(24, 37800);
    x.u(4, 7);
    x.u(3, 0);
    asc = x.raw();
    ASSERT_SR_OK(sr_aac_parse_config(asc.data(), asc.size(), &c));
    EXPECT_EQ(15, c.sample_rate_index);
    EXPECT_EQ(37800u, c.sample_rate);
    EXPECT_EQ(8, c.channels); // channelConfiguration 7 is 7.1
    uint8_t adts[7];
    EXPECT_SR_ERR(SR_EINVAL, sr_aac_adts_header(&c, 100, adts)); // ADTS has no explicit rate
}

TEST(CodecAac, RejectsMalformedConfigs)
{
    sr_aac_config_t c;
    const uint8_t reserved_rate[] = {0x16, 0x90}; // index 13
    EXPECT_SR_ERR(SR_EFORMAT, sr_aac_parse_config(reserved_rate, sizeof(reserved_rate), &c));
    const uint8_t reserved_channels[] = {0x12, 0x40}; // channelConfiguration 8
    EXPECT_SR_ERR(SR_EFORMAT, sr_aac_parse_config(reserved_channels, sizeof(reserved_channels), &c));
    const uint8_t null_object[] = {0x02, 0x10};
    EXPECT_SR_ERR(SR_EFORMAT, sr_aac_parse_config(null_object, sizeof(null_object), &c));
    const uint8_t raw_frame[] = {0xaf, 0x01, 0x21, 0x10};
    EXPECT_SR_ERR(SR_EFORMAT, sr_aac_parse_flv(raw_frame, sizeof(raw_frame), &c));
    const uint8_t mp3[] = {0x2f, 0x00, 0x12, 0x10};
    EXPECT_SR_ERR(SR_EFORMAT, sr_aac_parse_flv(mp3, sizeof(mp3), &c));
    // the core fields end at byte 4 of the body; the optional sync extension may be cut
    auto parse = [](const uint8_t *p, size_t n, sr_aac_config_t *o) { return sr_aac_parse_flv(p, n, o); };
    expect_prefixes<sr_aac_config_t>(kAac44Stereo, sizeof(kAac44Stereo), parse, {4, 5, 6});
    mutate_all<sr_aac_config_t>(kAac44Stereo, sizeof(kAac44Stereo), parse);
}

TEST(CodecAac, BuildsAdtsHeaderLikeFfmpeg)
{
    sr_aac_config_t c;
    uint8_t h[SR_AAC_ADTS_HEADER_BYTES];
    ASSERT_SR_OK(sr_aac_parse_flv(kAac44Stereo, sizeof(kAac44Stereo), &c));
    ASSERT_SR_OK(sr_aac_adts_header(&c, 345 - 7, h));
    EXPECT_EQ(bytes(kAdts44Stereo, 7), bytes(h, 7));
    ASSERT_SR_OK(sr_aac_parse_flv(kAac48Mono, sizeof(kAac48Mono), &c));
    ASSERT_SR_OK(sr_aac_adts_header(&c, 219 - 7, h));
    EXPECT_EQ(bytes(kAdts48Mono, 7), bytes(h, 7));

    ASSERT_SR_OK(sr_aac_adts_header(&c, 8191 - 7, h)); // largest aac_frame_length
    EXPECT_EQ(8191u, ((h[3] & 3u) << 11) | (h[4] << 3) | (h[5] >> 5));
    memset(h, 0xee, sizeof(h));
    EXPECT_SR_ERR(SR_EINVAL, sr_aac_adts_header(&c, 8191 - 6, h));
    EXPECT_EQ(0xee, h[0]); // untouched on error
}

// ==== FLV facts and summaries ====

TEST(CodecFlv, AudioHeaderFacts)
{
    EXPECT_EQ(44100u, sr_codec_flv_audio_sample_rate(0xaf));
    EXPECT_EQ(2, sr_codec_flv_audio_channels(0xaf));
    EXPECT_EQ(16, sr_codec_flv_audio_bits(0xaf));
    // ffmpeg: -c:a libmp3lame -ar 22050 -ac 1 -f flv starts its tags with 0x2a
    EXPECT_EQ(22050u, sr_codec_flv_audio_sample_rate(0x2a));
    EXPECT_EQ(1, sr_codec_flv_audio_channels(0x2a));
    EXPECT_EQ(5512u, sr_codec_flv_audio_sample_rate(0x20));
    EXPECT_EQ(11025u, sr_codec_flv_audio_sample_rate(0x24));
    EXPECT_EQ(8, sr_codec_flv_audio_bits(0x24));
    EXPECT_EQ(8000u, sr_codec_flv_audio_sample_rate(0x52));  // Nellymoser 8 kHz
    EXPECT_EQ(16000u, sr_codec_flv_audio_sample_rate(0xb2)); // Speex
    EXPECT_STREQ("MP3", sr_codec_audio_name(2));
    EXPECT_STREQ("AAC", sr_codec_audio_name(10));
    EXPECT_STREQ("Other", sr_codec_audio_name(15));
    EXPECT_STREQ("H264", sr_codec_video_name(7));
    EXPECT_STREQ("H265", sr_codec_video_name(12));
    EXPECT_STREQ("Other", sr_codec_video_name(2));
}

TEST(CodecFlv, SummarisesStreamsLikeSrsApi)
{
    sr_codec_video_info_t v;
    ASSERT_SR_OK(sr_codec_video_info_parse(kAvcMain1080, sizeof(kAvcMain1080), &v));
    EXPECT_STREQ("H264", v.codec_name);
    EXPECT_STREQ("Main", v.profile_name);
    EXPECT_STREQ("4", v.level_name);
    EXPECT_EQ(1920u, v.width);
    EXPECT_EQ(1080u, v.height);
    std::vector<uint8_t> ex = {0x90, 'h', 'v', 'c', '1'};
    ex.insert(ex.end(), kHevc362, kHevc362 + sizeof(kHevc362));
    ASSERT_SR_OK(sr_codec_video_info_parse(ex.data(), ex.size(), &v));
    EXPECT_STREQ("H265", v.codec_name);
    EXPECT_STREQ("Main", v.profile_name);
    EXPECT_STREQ("2.1", v.level_name);
    EXPECT_EQ(642u, v.width);
    const uint8_t vp6[] = {0x14, 0x00, 0x00};
    EXPECT_SR_ERR(SR_EUNSUPPORTED, sr_codec_video_info_parse(vp6, sizeof(vp6), &v));
    EXPECT_SR_ERR(SR_EUNSUPPORTED, sr_codec_video_info_parse_header(vp6, sizeof(vp6), &v));

    sr_codec_audio_info_t a;
    ASSERT_SR_OK(sr_codec_audio_info_parse(kAac48Mono, sizeof(kAac48Mono), &a));
    EXPECT_STREQ("AAC", a.codec_name);
    EXPECT_STREQ("LC", a.profile_name);
    EXPECT_EQ(48000u, a.sample_rate);
    EXPECT_EQ(1, a.channels);
    const uint8_t mp3[] = {0x2a, 0xff, 0xf3, 0x40};
    ASSERT_SR_OK(sr_codec_audio_info_parse(mp3, sizeof(mp3), &a));
    EXPECT_STREQ("MP3", a.codec_name);
    EXPECT_EQ(22050u, a.sample_rate);
    EXPECT_EQ(1, a.channels);
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_codec_audio_info_parse(mp3, 0, &a));

    // Opus (E-RTMP audio FourCC, as an SRT or WebRTC publisher brings it): named, 48 kHz
    sr_opus_head_t head;
    ASSERT_SR_OK(sr_opus_head_default(2, &head));
    uint8_t opus[SR_FLV_FRAME_HEADER_MAX + SR_OPUS_HEAD_MIN_BYTES];
    size_t hn = sr_flv_frame_header_write(opus, SR_CODEC_OPUS, false, true, 0);
    size_t on = 0;
    ASSERT_SR_OK(sr_opus_head_write(&head, opus + hn, sizeof(opus) - hn, &on));
    ASSERT_SR_OK(sr_codec_audio_info_parse(opus, hn + on, &a));
    EXPECT_STREQ("Opus", a.codec_name);
    EXPECT_EQ(48000u, a.sample_rate);
    EXPECT_EQ(2, a.channels);
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_codec_audio_info_parse(opus, hn + 4, &a));
}

// Issue 9.7: publish.parse_sps off reports codec, profile and level without parsing the SPS.
TEST(CodecFlv, SummaryFromTheRecordHeaderAlone)
{
    sr_codec_video_info_t v;
    ASSERT_SR_OK(sr_codec_video_info_parse_header(kAvcMain1080, sizeof(kAvcMain1080), &v));
    EXPECT_STREQ("H264", v.codec_name);
    EXPECT_STREQ("Main", v.profile_name);
    EXPECT_STREQ("4", v.level_name);
    EXPECT_EQ(0u, v.width);
    EXPECT_EQ(0u, v.height);
    std::vector<uint8_t> ex = {0x90, 'h', 'v', 'c', '1'};
    ex.insert(ex.end(), kHevc362, kHevc362 + sizeof(kHevc362));
    ASSERT_SR_OK(sr_codec_video_info_parse_header(ex.data(), ex.size(), &v));
    EXPECT_STREQ("H265", v.codec_name);
    EXPECT_STREQ("Main", v.profile_name);
    EXPECT_STREQ("2.1", v.level_name);
    EXPECT_EQ(0u, v.width);
    // a record whose SPS is garbage still has a header to report
    std::vector<uint8_t> bad(kAvcMain1080, kAvcMain1080 + sizeof(kAvcMain1080));
    for (size_t i = 13; i < bad.size(); i++) {
        bad[i] = 0xff;
    }
    ASSERT_SR_OK(sr_codec_video_info_parse_header(bad.data(), bad.size(), &v));
    EXPECT_STREQ("Main", v.profile_name);
    for (size_t n = 0; n < 9; n++) {
        EXPECT_NE(SR_OK, sr_codec_video_info_parse_header(kAvcMain1080, n, &v)) << n;
    }
}
