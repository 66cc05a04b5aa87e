// SPDX-License-Identifier: MIT
// utest_codec_config.cpp: codec configs from any origin (sr_codec_config.h): Annex-B
// NAL iteration and length-prefixed frames, AVC/HEVC record writers, ADTS and the
// AudioSpecificConfig writer, OpusHead, SDP fmtp. Every built config goes back through
// the sr_codec.h parsers. Byte vectors marked "ffmpeg" come from Debian ffmpeg 5.1 /
// x264 / x265 3.5 / libopus:
//   ffmpeg -f lavfi -i testsrc=size=640x360:rate=25 -t 1 -pix_fmt yuv420p -c:v libx264
//          -bsf:v h264_mp4toannexb -f h264 out.h264     (libx265 -f hevc likewise;
//          without -pix_fmt the RGB source gives 4:4:4: High 4:4:4 and RExt)
//   ffmpeg -f lavfi -i sine=...:sample_rate=44100 -ac 2 -c:a aac -f adts out.aac
//   ffmpeg -f lavfi -i sine=...:sample_rate=48000 -c:a libopus [-ac 6 -mapping_family 1] -f ogg
// The parameter sets are the first NAL units of the streams; the expected records are
// the avcC/hvcC boxes ffmpeg writes for the same encodes into MP4 (hvcC without its SEI
// array); the OpusHead is the first Ogg packet.
#include <string.h>

#include <string>
#include <vector>

#include "sr_base64.h"
#include "sr_codec.h"
#include "sr_codec_config.h"
#include "sr_error.h"
#include "sr_utest.h"

namespace
{

typedef std::vector<uint8_t> Bytes;

// ffmpeg: 640x360 yuv420p libx264. ffprobe: High, level 30.
const uint8_t kAvcSps[] = {0x67, 0x64, 0x00, 0x1e, 0xac, 0xd9, 0x40, 0xa0, 0x2f, 0xf9, 0x70, 0x11, 0x00,
                           0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x03, 0x00, 0x32, 0x0f, 0x16, 0x2d, 0x96};
const uint8_t kAvcPps[] = {0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0};
const uint8_t kAvcIdrHead[] = {0x65, 0x88, 0x84, 0x00, 0x2f, 0xff, 0xfe, 0xf6, 0xae, 0xfc, 0xcb, 0x2b,
                               0x74, 0x7e, 0x95, 0x2e, 0x1d, 0x59, 0xa0, 0xf5, 0xb3, 0xa1, 0x8d, 0x94};
const char kAvcSpsB64[] = "Z2QAHqzZQKAv+XARAAADAAEAAAMAMg8WLZY=";
const char kAvcPpsB64[] = "aOvjyyLA";
// ffmpeg's avcC for that encode: header, SPS, PPS, the High profile extension
const uint8_t kAvcRecordHead[] = {0x01, 0x64, 0x00, 0x1e, 0xff, 0xe1, 0x00, 0x1a};
const uint8_t kAvcRecordTail[] = {0xfd, 0xf8, 0xf8, 0x00};

// ffmpeg: 640x360 RGB source, libx264 picks yuv444p. ffprobe: High 4:4:4 Predictive (244).
const uint8_t kAvc444Sps[] = {0x67, 0xf4, 0x00, 0x1e, 0x91, 0x9b, 0x28, 0x14, 0x05, 0xff, 0x13, 0x80, 0x88, 0x00,
                              0x00, 0x03, 0x00, 0x08, 0x00, 0x00, 0x03, 0x01, 0x90, 0x78, 0xb1, 0x6c, 0xb0};
const uint8_t kAvc444Pps[] = {0x68, 0xeb, 0xe3, 0xc4, 0x48, 0x44};
const uint8_t kAvc444RecordTail[] = {0xff, 0xf8, 0xf8, 0x00}; // chroma_format 3

// ffmpeg: 640x360 yuv420p libx265. ffprobe: Main, level 63. The first IRAP is a CRA (20).
const uint8_t kHevcVps[] = {0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00,
                            0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x3f, 0x95, 0x98, 0x09};
const uint8_t kHevcSps[] = {0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00,
                            0x00, 0x03, 0x00, 0x3f, 0xa0, 0x05, 0x02, 0x01, 0x69, 0x65, 0x95, 0x9a, 0x49, 0x32,
                            0xbc, 0x05, 0xa0, 0x20, 0x00, 0x00, 0x03, 0x00, 0x20, 0x00, 0x00, 0x03, 0x03, 0x21};
const uint8_t kHevcPps[] = {0x44, 0x01, 0xc1, 0x72, 0xb4, 0x62, 0x40};
const uint8_t kHevcCraHead[] = {0x28, 0x01, 0xaf, 0x1d, 0x30, 0xb5, 0x5c, 0x7a, 0xc4, 0x48, 0xfc, 0x92,
                                0xd0, 0xf7, 0x02, 0x35, 0x7f, 0xff, 0x76, 0x39, 0xfb, 0x06, 0x8a, 0xbb};
const char kHevcVpsB64[] = "QAEMAf//AWAAAAMAkAAAAwAAAwA/lZgJ";
const char kHevcSpsB64[] = "QgEBAWAAAAMAkAAAAwAAAwA/oAUCAWlllZpJMrwFoCAAAAMAIAAAAwMh";
const char kHevcPpsB64[] = "RAHBcrRiQA==";
// the 22 bytes before numOfArrays of ffmpeg's hvcC for that encode
const uint8_t kHevcRecordHead[] = {0x01, 0x01, 0x60, 0x00, 0x00, 0x00, 0x90, 0x00, 0x00, 0x00, 0x00,
                                   0x00, 0x3f, 0xf0, 0x00, 0xfc, 0xfd, 0xf8, 0xf8, 0x00, 0x00, 0x0f};

// ffmpeg: 640x360 RGB source, libx265 picks yuv444p. ffprobe: Rext.
const uint8_t kHevc444Vps[] = {0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x04, 0x08, 0x00, 0x00, 0x03, 0x00,
                               0x9e, 0x08, 0x00, 0x00, 0x03, 0x00, 0x00, 0x3f, 0x95, 0x98, 0x09};
const uint8_t kHevc444Sps[] = {0x42, 0x01, 0x01, 0x04, 0x08, 0x00, 0x00, 0x03, 0x00, 0x9e, 0x08, 0x00,
                               0x00, 0x03, 0x00, 0x00, 0x3f, 0x90, 0x00, 0xa0, 0x40, 0x2d, 0x2c, 0xb2,
                               0xb3, 0x49, 0x26, 0x57, 0x80, 0xb7, 0x02, 0x02, 0x00, 0x04, 0x00, 0x00,
                               0x03, 0x00, 0x04, 0x00, 0x00, 0x03, 0x00, 0x64, 0x20};
const uint8_t kHevc444Pps[] = {0x44, 0x01, 0xc1, 0x72, 0x86, 0x0c, 0x46, 0x24};
const uint8_t kHevc444RecordHead[] = {0x01, 0x04, 0x08, 0x00, 0x00, 0x00, 0x9e, 0x08, 0x00, 0x00, 0x00,
                                      0x00, 0x3f, 0xf0, 0x00, 0xfc, 0xff, 0xf8, 0xf8, 0x00, 0x00, 0x0f};

// ffmpeg -f adts: the first header of the 44100 Hz stereo file (aac_frame_length 345)
// and of a 48000 Hz mono one (219).
const uint8_t kAdts44Stereo[] = {0xff, 0xf1, 0x50, 0x80, 0x2b, 0x3f, 0xfc};
const uint8_t kAdts48Mono[] = {0xff, 0xf1, 0x4c, 0x40, 0x1b, 0x7f, 0xfc};

// ffmpeg libopus in Ogg: stereo (family 0, pre-skip 312) and 5.1 (family 1).
const uint8_t kOpusStereo[] = {0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64, 0x01, 0x02,
                               0x38, 0x01, 0x80, 0xbb, 0x00, 0x00, 0x00, 0x00, 0x00};
const uint8_t kOpus51[] = {0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64, 0x01, 0x06, 0x38, 0x01, 0x80, 0xbb,
                           0x00, 0x00, 0x00, 0x00, 0x01, 0x04, 0x02, 0x00, 0x04, 0x01, 0x02, 0x03, 0x05};

Bytes bytes(const uint8_t *p, size_t n)
{
    return Bytes(p, p + n);
}

void append(Bytes &b, const Bytes &more)
{
    b.insert(b.end(), more.begin(), more.end());
}

// An Annex-B access unit: each NAL unit after a start code of start_len bytes (3 or 4).
Bytes annexb(const std::vector<Bytes> &nalus, size_t start_len = 4)
{
    Bytes out;
    for (const Bytes &n : nalus) {
        out.insert(out.end(), start_len - 1, 0x00);
        out.push_back(0x01);
        append(out, n);
    }
    return out;
}

// The canonical frame of the same NAL units.
Bytes length_prefixed(const std::vector<Bytes> &nalus)
{
    Bytes out;
    for (const Bytes &n : nalus) {
        uint32_t len = (uint32_t)n.size();
        out.insert(out.end(), {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len});
        append(out, n);
    }
    return out;
}

std::vector<Bytes> iterate(const Bytes &au, int *rc_out = nullptr)
{
    sr_annexb_iter_t it;
    sr_codec_nalu_t nal;
    std::vector<Bytes> out;
    sr_annexb_iter_init(&it, au.data(), au.size());
    int rc;
    while ((rc = sr_annexb_next(&it, &nal)) == SR_OK) {
        EXPECT_GE(nal.data, au.data());
        EXPECT_LE(nal.data + nal.size, au.data() + au.size());
        out.push_back(bytes(nal.data, nal.size));
    }
    if (rc_out) {
        *rc_out = rc;
    } else {
        EXPECT_SR_ERR(SR_ENOT_FOUND, rc);
    }
    return out;
}

// Convert with the size call first, then into a buffer of exactly that size.
Bytes to_frame(sr_codec_id_t codec, const Bytes &au, uint64_t drop)
{
    size_t size = 0, written = 0;
    EXPECT_SR_OK(sr_annexb_frame_size(codec, au.data(), au.size(), drop, &size));
    Bytes out(size);
    EXPECT_SR_OK(sr_annexb_frame_write(codec, au.data(), au.size(), drop, out.data(), out.size(), &written));
    EXPECT_EQ(size, written);
    if (size > 0) {
        Bytes small(size - 1);
        EXPECT_SR_ERR(SR_EOVERFLOW,
                      sr_annexb_frame_write(codec, au.data(), au.size(), drop, small.data(), small.size(), &written));
    }
    return out;
}

sr_codec_nalu_t nalu(const uint8_t *p, size_t n)
{
    sr_codec_nalu_t r = {p, n};
    return r;
}

Bytes avc_record(const sr_codec_nalu_t *sps, size_t nb_sps, const sr_codec_nalu_t *pps, size_t nb_pps)
{
    uint8_t buf[1024];
    size_t n = 0;
    EXPECT_SR_OK(sr_avc_config_write(sps, nb_sps, pps, nb_pps, buf, sizeof(buf), &n));
    return bytes(buf, n);
}

Bytes hevc_record(const sr_codec_param_sets_t &ps)
{
    uint8_t buf[1024];
    size_t n = 0;
    EXPECT_SR_OK(sr_hevc_config_write(ps.vps, ps.nb_vps, ps.sps, ps.nb_sps, ps.pps, ps.nb_pps, buf, sizeof(buf), &n));
    return bytes(buf, n);
}

// The config an fmtp line builds, or "ERR:<name>".
std::string fmtp(sr_codec_id_t codec, const std::string &text, uint8_t channels = 0, size_t cap = 1024)
{
    Bytes out(cap);
    size_t n = 0;
    int rc = sr_codec_fmtp_config(codec, text.data(), text.size(), channels, out.data(), out.size(), &n);
    if (rc != SR_OK) {
        return std::string("ERR:") + sr_err_name(rc);
    }
    return std::string((const char *)out.data(), n);
}

std::string str(const Bytes &b)
{
    return std::string((const char *)b.data(), b.size());
}

} // namespace

// ==== Annex-B ====

TEST(CodecAnnexb, IteratesThreeAndFourByteStartCodes)
{
    Bytes sps = bytes(kAvcSps, sizeof(kAvcSps)), pps = bytes(kAvcPps, sizeof(kAvcPps));
    Bytes idr = bytes(kAvcIdrHead, sizeof(kAvcIdrHead));
    // leading zeros, a 4-byte start code, 3-byte ones, trailing zeros after a NAL unit
    Bytes au = {0x00, 0x00};
    append(au, annexb({sps}, 4));
    au.insert(au.end(), {0x00, 0x00});
    append(au, annexb({pps, idr}, 3));
    au.insert(au.end(), {0x00, 0x00, 0x00});
    std::vector<Bytes> nalus = iterate(au);
    ASSERT_EQ(3u, nalus.size());
    EXPECT_EQ(sps, nalus[0]);
    EXPECT_EQ(pps, nalus[1]);
    EXPECT_EQ(idr, nalus[2]);
}

TEST(CodecAnnexb, SkipsEmptyNalUnitsAndRefusesNonAnnexb)
{
    Bytes pps = bytes(kAvcPps, sizeof(kAvcPps));
    // start codes back to back, and one at the very end
    Bytes au = {0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01};
    append(au, annexb({pps}, 3));
    au.insert(au.end(), {0x00, 0x00, 0x01});
    std::vector<Bytes> nalus = iterate(au);
    ASSERT_EQ(1u, nalus.size());
    EXPECT_EQ(pps, nalus[0]);
    EXPECT_TRUE(iterate(Bytes{}).empty());
    EXPECT_TRUE(iterate(Bytes{0x00, 0x00, 0x00}).empty());
    EXPECT_TRUE(iterate(Bytes{0x00, 0x00, 0x01}).empty());
    // length-prefixed data is not Annex-B: a non-zero byte before any start code
    int rc;
    iterate(length_prefixed({pps}), &rc);
    EXPECT_SR_ERR(SR_EFORMAT, rc);
    iterate(Bytes{0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x68}, &rc);
    EXPECT_SR_ERR(SR_EFORMAT, rc);
    size_t n;
    EXPECT_SR_ERR(SR_EFORMAT, sr_annexb_frame_size(SR_CODEC_H264, pps.data(), pps.size(), 0, &n));
    EXPECT_SR_ERR(SR_EFORMAT, sr_annexb_frame_size(SR_CODEC_H264, nullptr, 0, 0, &n));
    EXPECT_SR_ERR(SR_EINVAL, sr_annexb_frame_size(SR_CODEC_AAC, au.data(), au.size(), 0, &n));
}

TEST(CodecAnnexb, ZeroBytesInsideANalUnitStay)
{
    // 0x000000 or 0x000002 cannot occur in a NAL unit (emulation prevention), but a
    // NAL unit may hold 0x0000 followed by 0x03 and zeros before its last byte
    Bytes nal = {0x65, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x01, 0x80};
    std::vector<Bytes> nalus = iterate(annexb({nal}));
    ASSERT_EQ(1u, nalus.size());
    EXPECT_EQ(nal, nalus[0]);
}

TEST(CodecAnnexb, WritesLengthPrefixedFramesWithoutParameterSets)
{
    Bytes sps = bytes(kAvcSps, sizeof(kAvcSps)), pps = bytes(kAvcPps, sizeof(kAvcPps));
    Bytes idr = bytes(kAvcIdrHead, sizeof(kAvcIdrHead));
    Bytes aud = {0x09, 0xf0}, sei = {0x06, 0x05, 0x01, 0xaa, 0x80};
    Bytes au = annexb({aud, sps, pps, sei, idr});
    EXPECT_EQ(length_prefixed({aud, sps, pps, sei, idr}), to_frame(SR_CODEC_H264, au, 0));
    EXPECT_EQ(length_prefixed({sei, idr}), to_frame(SR_CODEC_H264, au, SR_AVC_NAL_CONFIG_TYPES));
    // everything dropped: an empty frame, not an error
    EXPECT_EQ(Bytes{}, to_frame(SR_CODEC_H264, annexb({sps, pps}), SR_AVC_NAL_CONFIG_TYPES));

    Bytes vps = bytes(kHevcVps, sizeof(kHevcVps)), hsps = bytes(kHevcSps, sizeof(kHevcSps));
    Bytes hpps = bytes(kHevcPps, sizeof(kHevcPps)), cra = bytes(kHevcCraHead, sizeof(kHevcCraHead));
    Bytes haud = {0x46, 0x01, 0x50}, hsei = {0x4e, 0x01, 0x05, 0x01, 0xaa, 0x80};
    Bytes hau = annexb({haud, vps, hsps, hpps, hsei, cra}, 3);
    EXPECT_EQ(length_prefixed({hsei, cra}), to_frame(SR_CODEC_H265, hau, SR_HEVC_NAL_CONFIG_TYPES));
    // an H.265 stream read as H.264 sees other types: nothing matches the H.264 mask but
    // the CRA (0x28 & 0x1f = 8 = PPS)
    EXPECT_EQ(length_prefixed({haud, vps, hsps, hpps, hsei}), to_frame(SR_CODEC_H264, hau, SR_AVC_NAL_CONFIG_TYPES));
}

TEST(CodecAnnexb, FindsKeyframesAndParameterSets)
{
    Bytes sps = bytes(kAvcSps, sizeof(kAvcSps)), pps = bytes(kAvcPps, sizeof(kAvcPps));
    Bytes idr = bytes(kAvcIdrHead, sizeof(kAvcIdrHead)), p_slice = {0x41, 0x9a, 0x02, 0x80};
    Bytes au = annexb({sps, pps, idr});
    sr_annexb_au_t info;
    ASSERT_SR_OK(sr_annexb_scan(SR_CODEC_H264, au.data(), au.size(), &info));
    EXPECT_TRUE(info.has_irap);
    ASSERT_EQ(1, info.ps.nb_sps);
    ASSERT_EQ(1, info.ps.nb_pps);
    EXPECT_EQ(0, info.ps.nb_vps);
    EXPECT_EQ(sps, bytes(info.ps.sps[0].data, info.ps.sps[0].size));
    EXPECT_EQ(pps, bytes(info.ps.pps[0].data, info.ps.pps[0].size));
    EXPECT_FALSE(info.has_more_param_sets);
    Bytes inter = annexb({p_slice});
    ASSERT_SR_OK(sr_annexb_scan(SR_CODEC_H264, inter.data(), inter.size(), &info));
    EXPECT_FALSE(info.has_irap);
    EXPECT_EQ(0, info.ps.nb_sps);
    // six PPS: four kept, the rest noted
    Bytes many = annexb({pps, pps, pps, pps, pps, pps});
    ASSERT_SR_OK(sr_annexb_scan(SR_CODEC_H264, many.data(), many.size(), &info));
    EXPECT_EQ(SR_CODEC_MAX_PARAM_SETS, info.ps.nb_pps);
    EXPECT_TRUE(info.has_more_param_sets);

    Bytes vps = bytes(kHevcVps, sizeof(kHevcVps)), hsps = bytes(kHevcSps, sizeof(kHevcSps));
    Bytes hpps = bytes(kHevcPps, sizeof(kHevcPps)), cra = bytes(kHevcCraHead, sizeof(kHevcCraHead));
    Bytes hau = annexb({vps, hsps, hpps, cra});
    ASSERT_SR_OK(sr_annexb_scan(SR_CODEC_H265, hau.data(), hau.size(), &info));
    EXPECT_TRUE(info.has_irap);
    EXPECT_EQ(1, info.ps.nb_vps);
    EXPECT_EQ(1, info.ps.nb_sps);
    EXPECT_EQ(1, info.ps.nb_pps);
    // IRAP types are 16..23; TRAIL_R (1) and RASL (8) are not keyframes
    for (int type = 0; type < 64; type++) {
        Bytes slice = {(uint8_t)(type << 1), 0x01, 0xaf};
        Bytes one = annexb({slice});
        ASSERT_SR_OK(sr_annexb_scan(SR_CODEC_H265, one.data(), one.size(), &info));
        EXPECT_EQ(type >= 16 && type <= 23, info.has_irap) << type;
    }
    EXPECT_SR_ERR(SR_EFORMAT, sr_annexb_scan(SR_CODEC_H265, nullptr, 0, &info));
    EXPECT_SR_ERR(SR_EINVAL, sr_annexb_scan(SR_CODEC_OPUS, hau.data(), hau.size(), &info));
}

TEST(CodecAnnexb, EveryCutIsSafe)
{
    Bytes au = annexb(
        {bytes(kAvcSps, sizeof(kAvcSps)), bytes(kAvcPps, sizeof(kAvcPps)), bytes(kAvcIdrHead, sizeof(kAvcIdrHead))});
    for (size_t len = 0; len <= au.size(); len++) {
        Bytes cut(au.begin(), au.begin() + len); // exact-size heap copy: ASan sees overreads
        size_t n = 0, w = 0;
        int rc = sr_annexb_frame_size(SR_CODEC_H264, cut.data(), cut.size(), SR_AVC_NAL_CONFIG_TYPES, &n);
        if (rc != SR_OK) {
            EXPECT_SR_ERR(SR_EFORMAT, rc);
            continue;
        }
        Bytes out(n);
        EXPECT_SR_OK(sr_annexb_frame_write(SR_CODEC_H264, cut.data(), cut.size(), SR_AVC_NAL_CONFIG_TYPES, out.data(),
                                           out.size(), &w));
        EXPECT_EQ(n, w);
        sr_annexb_au_t info;
        EXPECT_SR_OK(sr_annexb_scan(SR_CODEC_H264, cut.data(), cut.size(), &info));
    }
}

// ==== AVC and HEVC records ====

TEST(CodecRecord, AvcRecordFromAnnexbMatchesFfmpeg)
{
    Bytes au = annexb(
        {bytes(kAvcSps, sizeof(kAvcSps)), bytes(kAvcPps, sizeof(kAvcPps)), bytes(kAvcIdrHead, sizeof(kAvcIdrHead))});
    sr_annexb_au_t info;
    ASSERT_SR_OK(sr_annexb_scan(SR_CODEC_H264, au.data(), au.size(), &info));
    Bytes rec = avc_record(info.ps.sps, info.ps.nb_sps, info.ps.pps, info.ps.nb_pps);
    Bytes want = bytes(kAvcRecordHead, sizeof(kAvcRecordHead));
    append(want, bytes(kAvcSps, sizeof(kAvcSps)));
    append(want, {0x01, 0x00, 0x06});
    append(want, bytes(kAvcPps, sizeof(kAvcPps)));
    append(want, bytes(kAvcRecordTail, sizeof(kAvcRecordTail)));
    EXPECT_EQ(want, rec);

    sr_avc_config_t c;
    ASSERT_SR_OK(sr_avc_parse_config(rec.data(), rec.size(), &c));
    EXPECT_EQ(640u, c.info.width);
    EXPECT_EQ(360u, c.info.height);
    EXPECT_EQ(100, c.profile);
    EXPECT_EQ(30, c.level);
    EXPECT_EQ(4, c.nal_length_size);
    EXPECT_STREQ("High", sr_avc_profile_name(c.profile));
    EXPECT_EQ(1, c.nb_pps);
}

TEST(CodecRecord, AvcHigh444RecordCarriesChromaFormat)
{
    sr_codec_nalu_t sps = nalu(kAvc444Sps, sizeof(kAvc444Sps)), pps = nalu(kAvc444Pps, sizeof(kAvc444Pps));
    Bytes rec = avc_record(&sps, 1, &pps, 1);
    ASSERT_GT(rec.size(), 4u);
    EXPECT_EQ(bytes(kAvc444RecordTail, 4), Bytes(rec.end() - 4, rec.end()));
    EXPECT_EQ(0xf4, rec[1]);
    sr_avc_config_t c;
    ASSERT_SR_OK(sr_avc_parse_config(rec.data(), rec.size(), &c));
    EXPECT_EQ(640u, c.info.width);
    EXPECT_EQ(360u, c.info.height);
    EXPECT_EQ(3, c.info.chroma_format_idc);
}

TEST(CodecRecord, AvcBaselineRecordHasNoExtension)
{
    // the SPS of the RFC 6184-style example line (42c01f): Constrained Baseline 3.1
    uint8_t sps[64], pps[16];
    size_t nsps, npps;
    ASSERT_SR_OK(sr_base64_decode("Z0LAH9oBQBbpUgAAAwACAAADAGQeMGVA", 32, sps, sizeof(sps), &nsps));
    ASSERT_SR_OK(sr_base64_decode("aM4yyA==", 8, pps, sizeof(pps), &npps));
    sr_codec_nalu_t s = nalu(sps, nsps), p = nalu(pps, npps);
    Bytes rec = avc_record(&s, 1, &p, 1);
    EXPECT_EQ(6 + 2 + nsps + 1 + 2 + npps, rec.size()); // no 4-byte tail
    sr_avc_config_t c;
    ASSERT_SR_OK(sr_avc_parse_config(rec.data(), rec.size(), &c));
    EXPECT_EQ(66, c.profile);
    EXPECT_EQ(0xc0, c.compat);
    EXPECT_EQ(31, c.level);
    EXPECT_EQ(1280u, c.info.width);
    EXPECT_EQ(720u, c.info.height);
}

TEST(CodecRecord, AvcWriterRefusesBadInput)
{
    sr_codec_nalu_t sps = nalu(kAvcSps, sizeof(kAvcSps)), pps = nalu(kAvcPps, sizeof(kAvcPps));
    uint8_t buf[256];
    size_t n;
    EXPECT_SR_ERR(SR_EFORMAT, sr_avc_config_write(&sps, 0, &pps, 1, buf, sizeof(buf), &n));
    EXPECT_SR_ERR(SR_EFORMAT, sr_avc_config_write(&pps, 1, &sps, 1, buf, sizeof(buf), &n)); // swapped
    sr_codec_nalu_t empty = nalu(kAvcPps, 0);
    EXPECT_SR_ERR(SR_EFORMAT, sr_avc_config_write(&sps, 1, &empty, 1, buf, sizeof(buf), &n));
    sr_codec_nalu_t cut = nalu(kAvcSps, 4); // parses no further than the level
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_avc_config_write(&cut, 1, &pps, 1, buf, sizeof(buf), &n));
    sr_codec_nalu_t huge = nalu(kAvcSps, 70000);
    EXPECT_SR_ERR(SR_EFORMAT, sr_avc_config_write(&huge, 1, &pps, 1, buf, sizeof(buf), &n));
    std::vector<sr_codec_nalu_t> many(32, sps);
    EXPECT_SR_ERR(SR_EFORMAT, sr_avc_config_write(many.data(), many.size(), &pps, 1, buf, sizeof(buf), &n));
    // no PPS is a valid record; every capacity below the size overflows
    size_t full;
    ASSERT_SR_OK(sr_avc_config_write(&sps, 1, &pps, 1, buf, sizeof(buf), &full));
    for (size_t cap = 0; cap < full; cap++) {
        Bytes small(cap);
        EXPECT_SR_ERR(SR_EOVERFLOW, sr_avc_config_write(&sps, 1, &pps, 1, small.data(), cap, &n));
        EXPECT_EQ(0u, n);
    }
    ASSERT_SR_OK(sr_avc_config_write(&sps, 1, &pps, 0, buf, sizeof(buf), &n));
    sr_avc_config_t c;
    EXPECT_SR_OK(sr_avc_parse_config(buf, n, &c));
}

TEST(CodecRecord, HevcRecordFromAnnexbMatchesFfmpeg)
{
    Bytes vps = bytes(kHevcVps, sizeof(kHevcVps)), sps = bytes(kHevcSps, sizeof(kHevcSps));
    Bytes pps = bytes(kHevcPps, sizeof(kHevcPps));
    Bytes au = annexb({vps, sps, pps, bytes(kHevcCraHead, sizeof(kHevcCraHead))});
    sr_annexb_au_t info;
    ASSERT_SR_OK(sr_annexb_scan(SR_CODEC_H265, au.data(), au.size(), &info));
    Bytes rec = hevc_record(info.ps);
    Bytes want = bytes(kHevcRecordHead, sizeof(kHevcRecordHead));
    want.push_back(3);
    append(want, {0xa0, 0x00, 0x01, 0x00, (uint8_t)vps.size()});
    append(want, vps);
    append(want, {0xa1, 0x00, 0x01, 0x00, (uint8_t)sps.size()});
    append(want, sps);
    append(want, {0xa2, 0x00, 0x01, 0x00, (uint8_t)pps.size()});
    append(want, pps);
    EXPECT_EQ(want, rec);

    sr_hevc_config_t c;
    ASSERT_SR_OK(sr_hevc_parse_config(rec.data(), rec.size(), &c));
    EXPECT_EQ(640u, c.info.width);
    EXPECT_EQ(360u, c.info.height);
    EXPECT_EQ(1, c.profile_idc);
    EXPECT_EQ(63, c.level_idc);
    EXPECT_EQ(0x60000000u, c.profile_compat_flags);
    EXPECT_EQ(4, c.nal_length_size);
    EXPECT_EQ(1, c.nb_vps);
    EXPECT_EQ(1, c.nb_pps);
}

TEST(CodecRecord, HevcRextRecordMatchesFfmpegHeader)
{
    sr_codec_param_sets_t ps = {};
    ps.nb_vps = ps.nb_sps = ps.nb_pps = 1;
    ps.vps[0] = nalu(kHevc444Vps, sizeof(kHevc444Vps));
    ps.sps[0] = nalu(kHevc444Sps, sizeof(kHevc444Sps));
    ps.pps[0] = nalu(kHevc444Pps, sizeof(kHevc444Pps));
    Bytes rec = hevc_record(ps);
    ASSERT_GT(rec.size(), sizeof(kHevc444RecordHead));
    EXPECT_EQ(bytes(kHevc444RecordHead, sizeof(kHevc444RecordHead)), Bytes(rec.begin(), rec.begin() + 22));
    sr_hevc_config_t c;
    ASSERT_SR_OK(sr_hevc_parse_config(rec.data(), rec.size(), &c));
    EXPECT_EQ(4, c.profile_idc);
    EXPECT_EQ(3, c.chroma_format_idc);
    EXPECT_EQ(640u, c.info.width);
    EXPECT_EQ(360u, c.info.height);
}

TEST(CodecRecord, HevcWriterNeedsOnlyAnSps)
{
    sr_codec_param_sets_t ps = {};
    ps.nb_sps = 1;
    ps.sps[0] = nalu(kHevcSps, sizeof(kHevcSps));
    Bytes rec = hevc_record(ps);
    ASSERT_EQ(23u + 5 + sizeof(kHevcSps), rec.size());
    EXPECT_EQ(1, rec[22]); // numOfArrays
    sr_hevc_config_t c;
    ASSERT_SR_OK(sr_hevc_parse_config(rec.data(), rec.size(), &c));
    EXPECT_EQ(0, c.nb_vps);

    uint8_t buf[256];
    size_t n;
    sr_codec_nalu_t vps = nalu(kHevcVps, sizeof(kHevcVps)), sps = ps.sps[0];
    sr_codec_nalu_t pps = nalu(kHevcPps, sizeof(kHevcPps)), one = nalu(kHevcPps, 1);
    EXPECT_SR_ERR(SR_EFORMAT, sr_hevc_config_write(&vps, 1, &sps, 0, &pps, 1, buf, sizeof(buf), &n));
    EXPECT_SR_ERR(SR_EFORMAT, sr_hevc_config_write(&sps, 1, &sps, 1, &pps, 1, buf, sizeof(buf), &n));
    EXPECT_SR_ERR(SR_EFORMAT, sr_hevc_config_write(&vps, 1, &sps, 1, &one, 1, buf, sizeof(buf), &n));
    sr_codec_nalu_t avc = nalu(kAvcSps, sizeof(kAvcSps));
    EXPECT_SR_ERR(SR_EFORMAT, sr_hevc_config_write(nullptr, 0, &avc, 1, nullptr, 0, buf, sizeof(buf), &n));
    for (size_t len = 2; len < 20; len++) { // cut inside profile_tier_level
        sr_codec_nalu_t cut = nalu(kHevcSps, len);
        EXPECT_SR_ERR(SR_ETRUNCATED, sr_hevc_config_write(nullptr, 0, &cut, 1, nullptr, 0, buf, sizeof(buf), &n));
    }
    EXPECT_SR_ERR(SR_EOVERFLOW, sr_hevc_config_write(&vps, 1, &sps, 1, &pps, 1, buf, 40, &n));
    EXPECT_SR_ERR(SR_EOVERFLOW, sr_hevc_config_write(&vps, 1, &sps, 1, &pps, 1, nullptr, 0, &n));
}

// ==== AAC ====

TEST(CodecAdts, ParsesFfmpegHeadersAndRoundTrips)
{
    sr_aac_adts_t a;
    ASSERT_SR_OK(sr_aac_adts_parse(kAdts44Stereo, sizeof(kAdts44Stereo), &a));
    EXPECT_EQ(7u, a.header_bytes);
    EXPECT_EQ(345u, a.frame_bytes);
    EXPECT_EQ(1, a.raw_blocks);
    EXPECT_FALSE(a.has_crc);
    EXPECT_FALSE(a.is_mpeg2);
    EXPECT_EQ(2, a.config.object_type);
    EXPECT_EQ(44100u, a.config.sample_rate);
    EXPECT_EQ(2, a.config.channels);
    // ADTS -> AudioSpecificConfig -> parser, and back to the same ADTS header
    uint8_t asc[8];
    size_t n;
    ASSERT_SR_OK(sr_aac_config_write(&a.config, asc, sizeof(asc), &n));
    EXPECT_EQ(Bytes({0x12, 0x10}), bytes(asc, n));
    sr_aac_config_t c;
    ASSERT_SR_OK(sr_aac_parse_config(asc, n, &c));
    EXPECT_EQ(2, c.object_type);
    EXPECT_EQ(44100u, c.sample_rate);
    EXPECT_EQ(2, c.channels);
    uint8_t h[SR_AAC_ADTS_HEADER_BYTES];
    ASSERT_SR_OK(sr_aac_adts_header(&c, a.frame_bytes - a.header_bytes, h));
    EXPECT_EQ(bytes(kAdts44Stereo, 7), bytes(h, 7));

    ASSERT_SR_OK(sr_aac_adts_parse(kAdts48Mono, sizeof(kAdts48Mono), &a));
    EXPECT_EQ(219u, a.frame_bytes);
    ASSERT_SR_OK(sr_aac_config_write(&a.config, asc, sizeof(asc), &n));
    EXPECT_EQ(Bytes({0x11, 0x88}), bytes(asc, n));
    ASSERT_SR_OK(sr_aac_adts_header(&a.config, a.frame_bytes - 7, h));
    EXPECT_EQ(bytes(kAdts48Mono, 7), bytes(h, 7));
}

TEST(CodecAdts, ReadsCrcAndMpeg2Headers)
{
    Bytes crc = bytes(kAdts44Stereo, 7);
    crc[1] = 0xf8; // ID 1 (MPEG-2), protection_absent 0
    crc.insert(crc.end(), {0x12, 0x34});
    sr_aac_adts_t a;
    ASSERT_SR_OK(sr_aac_adts_parse(crc.data(), crc.size(), &a));
    EXPECT_TRUE(a.has_crc);
    EXPECT_TRUE(a.is_mpeg2);
    EXPECT_EQ(9u, a.header_bytes);
    // the CRC bytes must be there
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_aac_adts_parse(crc.data(), 8, &a));
    // four raw data blocks with CRC: three positions and the CRC after the header
    crc[6] |= 3;
    crc.insert(crc.end(), 6, 0x00);
    ASSERT_SR_OK(sr_aac_adts_parse(crc.data(), crc.size(), &a));
    EXPECT_EQ(4, a.raw_blocks);
    EXPECT_EQ(15u, a.header_bytes);
}

TEST(CodecAdts, RefusesMalformedHeaders)
{
    sr_aac_adts_t a;
    for (size_t len = 0; len < 7; len++) {
        Bytes cut(kAdts44Stereo, kAdts44Stereo + len);
        EXPECT_SR_ERR(SR_ETRUNCATED, sr_aac_adts_parse(cut.data(), cut.size(), &a));
    }
    Bytes bad = bytes(kAdts44Stereo, 7);
    bad[1] = 0xe1; // syncword
    EXPECT_SR_ERR(SR_EFORMAT, sr_aac_adts_parse(bad.data(), bad.size(), &a));
    bad = bytes(kAdts44Stereo, 7);
    bad[1] = 0xf3; // layer 1
    EXPECT_SR_ERR(SR_EFORMAT, sr_aac_adts_parse(bad.data(), bad.size(), &a));
    bad = bytes(kAdts44Stereo, 7);
    bad[2] = (uint8_t)((bad[2] & ~0x3c) | (13 << 2)); // reserved sampling index
    EXPECT_SR_ERR(SR_EFORMAT, sr_aac_adts_parse(bad.data(), bad.size(), &a));
    bad[2] = (uint8_t)((bad[2] & ~0x3c) | (15 << 2));
    EXPECT_SR_ERR(SR_EFORMAT, sr_aac_adts_parse(bad.data(), bad.size(), &a));
    bad = bytes(kAdts44Stereo, 7);
    bad[3] &= 0xfc;
    bad[4] = 0x00;
    bad[5] = 0xdf; // aac_frame_length 6 < 7
    EXPECT_SR_ERR(SR_EFORMAT, sr_aac_adts_parse(bad.data(), bad.size(), &a));
}

TEST(CodecAac, WritesHeAndExplicitRateConfigsThatParseBack)
{
    struct Case {
        sr_aac_config_t c;
        size_t bytes;
    } cases[] = {
        // explicit HE-AAC (5) and HE-AACv2 (29): 24 kHz core, 48 kHz SBR
        {{5, 2, 6, 24000, 2, 2, true, false, 48000}, 4},
        {{29, 2, 6, 24000, 1, 1, true, true, 48000}, 4},
        // LC with backward-compatible SBR (and PS) signalling
        {{2, 2, 6, 24000, 2, 2, true, false, 48000}, 5},
        {{2, 2, 6, 24000, 1, 1, true, true, 48000}, 7},
        // explicit 24-bit rate, 5.1 and 7.1 layouts, AAC Main and LTP
        {{2, 2, 15, 37800, 6, 6, false, false, 0}, 5},
        {{1, 1, 3, 48000, 7, 8, false, false, 0}, 2},
        {{4, 4, 11, 8000, 1, 1, false, false, 0}, 2},
    };
    for (const Case &k : cases) {
        uint8_t asc[32];
        size_t n;
        ASSERT_SR_OK(sr_aac_config_write(&k.c, asc, sizeof(asc), &n));
        EXPECT_EQ(k.bytes, n) << (int)k.c.object_type;
        sr_aac_config_t p;
        ASSERT_SR_OK(sr_aac_parse_config(asc, n, &p));
        EXPECT_EQ(k.c.object_type, p.object_type);
        EXPECT_EQ(k.c.core_object_type, p.core_object_type);
        EXPECT_EQ(k.c.sample_rate, p.sample_rate);
        EXPECT_EQ(k.c.channel_config, p.channel_config);
        EXPECT_EQ(k.c.channels, p.channels);
        EXPECT_EQ(k.c.has_sbr, p.has_sbr);
        EXPECT_EQ(k.c.has_ps, p.has_ps);
        EXPECT_EQ(k.c.ext_sample_rate, p.ext_sample_rate);
        EXPECT_SR_ERR(SR_EOVERFLOW, sr_aac_config_write(&k.c, asc, n - 1, &n));
    }
}

TEST(CodecAac, ConfigWriterRefusesWhatItCannotExpress)
{
    sr_aac_config_t ok = {2, 2, 4, 44100, 2, 2, false, false, 0};
    uint8_t asc[32];
    size_t n;
    sr_aac_config_t c = ok;
    c.channel_config = 0; // needs a program_config_element
    EXPECT_SR_ERR(SR_EINVAL, sr_aac_config_write(&c, asc, sizeof(asc), &n));
    c = ok;
    c.channel_config = 8;
    EXPECT_SR_ERR(SR_EINVAL, sr_aac_config_write(&c, asc, sizeof(asc), &n));
    c = ok;
    c.object_type = c.core_object_type = 23; // ER AAC LD: not a plain GASpecificConfig
    EXPECT_SR_ERR(SR_EINVAL, sr_aac_config_write(&c, asc, sizeof(asc), &n));
    c = ok;
    c.sample_rate_index = 13;
    EXPECT_SR_ERR(SR_EINVAL, sr_aac_config_write(&c, asc, sizeof(asc), &n));
    c = ok;
    c.sample_rate_index = 15;
    c.sample_rate = 0;
    EXPECT_SR_ERR(SR_EINVAL, sr_aac_config_write(&c, asc, sizeof(asc), &n));
    c = ok;
    c.object_type = 5; // explicit SBR without its rate
    EXPECT_SR_ERR(SR_EINVAL, sr_aac_config_write(&c, asc, sizeof(asc), &n));
    EXPECT_SR_ERR(SR_EOVERFLOW, sr_aac_config_write(&ok, asc, 1, &n));
}

// ==== Opus ====

TEST(CodecOpus, ParsesAndWritesFfmpegHeads)
{
    sr_opus_head_t h;
    ASSERT_SR_OK(sr_opus_head_parse(kOpusStereo, sizeof(kOpusStereo), &h));
    EXPECT_EQ(1, h.version);
    EXPECT_EQ(2, h.channels);
    EXPECT_EQ(312, h.pre_skip);
    EXPECT_EQ(48000u, h.input_sample_rate);
    EXPECT_EQ(0, h.output_gain);
    EXPECT_EQ(0, h.mapping_family);
    EXPECT_EQ(1, h.streams);
    EXPECT_EQ(1, h.coupled);
    uint8_t out[300];
    size_t n;
    ASSERT_SR_OK(sr_opus_head_write(&h, out, sizeof(out), &n));
    EXPECT_EQ(bytes(kOpusStereo, sizeof(kOpusStereo)), bytes(out, n));

    ASSERT_SR_OK(sr_opus_head_parse(kOpus51, sizeof(kOpus51), &h));
    EXPECT_EQ(6, h.channels);
    EXPECT_EQ(1, h.mapping_family);
    EXPECT_EQ(4, h.streams);
    EXPECT_EQ(2, h.coupled);
    EXPECT_EQ(Bytes({0, 4, 1, 2, 3, 5}), bytes(h.mapping, 6));
    ASSERT_SR_OK(sr_opus_head_write(&h, out, sizeof(out), &n));
    EXPECT_EQ(bytes(kOpus51, sizeof(kOpus51)), bytes(out, n));
    EXPECT_SR_ERR(SR_EOVERFLOW, sr_opus_head_write(&h, out, n - 1, &n));
    // a negative gain and trailing bytes of a later minor version
    Bytes more = bytes(kOpusStereo, sizeof(kOpusStereo));
    more[8] = 2;
    more[16] = 0x00;
    more[17] = 0xff; // -1.0 dB in Q7.8
    more.push_back(0x42);
    ASSERT_SR_OK(sr_opus_head_parse(more.data(), more.size(), &h));
    EXPECT_EQ(-256, h.output_gain);
    EXPECT_EQ(2, h.version);
}

TEST(CodecOpus, RefusesMalformedHeads)
{
    sr_opus_head_t h;
    for (size_t len = 0; len < sizeof(kOpus51); len++) {
        Bytes cut(kOpus51, kOpus51 + len);
        EXPECT_SR_ERR(SR_ETRUNCATED, sr_opus_head_parse(cut.data(), cut.size(), &h));
    }
    auto with = [](const uint8_t *p, size_t n, size_t at, uint8_t v) {
        Bytes b(p, p + n);
        b[at] = v;
        return b;
    };
    Bytes b = with(kOpusStereo, sizeof(kOpusStereo), 0, 'o'); // magic
    EXPECT_SR_ERR(SR_EFORMAT, sr_opus_head_parse(b.data(), b.size(), &h));
    b = with(kOpusStereo, sizeof(kOpusStereo), 8, 0x10); // major version 1
    EXPECT_SR_ERR(SR_EUNSUPPORTED, sr_opus_head_parse(b.data(), b.size(), &h));
    b = with(kOpusStereo, sizeof(kOpusStereo), 8, 0);
    EXPECT_SR_ERR(SR_EFORMAT, sr_opus_head_parse(b.data(), b.size(), &h));
    b = with(kOpusStereo, sizeof(kOpusStereo), 9, 0); // no channels
    EXPECT_SR_ERR(SR_EFORMAT, sr_opus_head_parse(b.data(), b.size(), &h));
    b = with(kOpusStereo, sizeof(kOpusStereo), 9, 3); // family 0 is mono or stereo
    EXPECT_SR_ERR(SR_EFORMAT, sr_opus_head_parse(b.data(), b.size(), &h));
    b = with(kOpus51, sizeof(kOpus51), 20, 5); // more coupled than streams
    EXPECT_SR_ERR(SR_EFORMAT, sr_opus_head_parse(b.data(), b.size(), &h));
    b = with(kOpus51, sizeof(kOpus51), 19, 0); // no streams
    EXPECT_SR_ERR(SR_EFORMAT, sr_opus_head_parse(b.data(), b.size(), &h));
    b = with(kOpus51, sizeof(kOpus51), 26, 6); // stream 6 of 4+2
    EXPECT_SR_ERR(SR_EFORMAT, sr_opus_head_parse(b.data(), b.size(), &h));
    b = with(kOpus51, sizeof(kOpus51), 26, 255); // silent channel
    EXPECT_SR_OK(sr_opus_head_parse(b.data(), b.size(), &h));
    // family 1 stops at 8 channels; family 255 may have up to 255
    Bytes wide = bytes(kOpus51, 19);
    wide[9] = 9;
    wide.insert(wide.end(), {9, 0});
    wide.insert(wide.end(), {0, 1, 2, 3, 4, 5, 6, 7, 8});
    EXPECT_SR_ERR(SR_EFORMAT, sr_opus_head_parse(wide.data(), wide.size(), &h));
    wide[18] = 255;
    EXPECT_SR_OK(sr_opus_head_parse(wide.data(), wide.size(), &h));
    h.channels = 0;
    uint8_t out[64];
    size_t n;
    EXPECT_SR_ERR(SR_EINVAL, sr_opus_head_write(&h, out, sizeof(out), &n));
}

// ==== SDP fmtp ====

TEST(CodecFmtp, FindsParametersCaseInsensitively)
{
    const char *v;
    size_t n;
    std::string f = " packetization-mode=1; Profile-Level-Id = 42e01f ;sprop-parameter-sets=Z0I=,aM4=;flag";
    ASSERT_TRUE(sr_codec_fmtp_find(f.data(), f.size(), "profile-level-id", &v, &n));
    EXPECT_EQ("42e01f", std::string(v, n));
    ASSERT_TRUE(sr_codec_fmtp_find(f.data(), f.size(), "packetization-mode", &v, &n));
    EXPECT_EQ("1", std::string(v, n));
    ASSERT_TRUE(sr_codec_fmtp_find(f.data(), f.size(), "flag", &v, &n));
    EXPECT_EQ(0u, n);
    EXPECT_FALSE(sr_codec_fmtp_find(f.data(), f.size(), "sprop", &v, &n));
    EXPECT_FALSE(sr_codec_fmtp_find(nullptr, 0, "flag", &v, &n));
    // the length bounds the search, not a NUL
    EXPECT_FALSE(sr_codec_fmtp_find(f.data(), 10, "packetization-mode", &v, &n));
}

TEST(CodecFmtp, H264FromSpropMatchesAnnexb)
{
    std::string line = "packetization-mode=1;profile-level-id=64001e;sprop-parameter-sets=" + std::string(kAvcSpsB64) +
                       "," + kAvcPpsB64;
    sr_codec_nalu_t sps = nalu(kAvcSps, sizeof(kAvcSps)), pps = nalu(kAvcPps, sizeof(kAvcPps));
    std::string want = str(avc_record(&sps, 1, &pps, 1));
    EXPECT_EQ(want, fmtp(SR_CODEC_H264, line));
    // order, spaces and a trailing comma do not matter
    EXPECT_EQ(want, fmtp(SR_CODEC_H264, "sprop-parameter-sets= " + std::string(kAvcSpsB64) + " , " + kAvcPpsB64 +
                                            ", ; packetization-mode=1"));
    // the example line of the brief: 42c01f, two SPS copies are two SPS
    std::string ex = fmtp(SR_CODEC_H264, "packetization-mode=1;profile-level-id=42e01f;sprop-parameter-sets="
                                         "Z0LAH9oBQBbpUgAAAwACAAADAGQeMGVA,aM4yyA==");
    sr_avc_config_t c;
    ASSERT_SR_OK(sr_avc_parse_config((const uint8_t *)ex.data(), ex.size(), &c));
    EXPECT_EQ(1280u, c.info.width);
    EXPECT_EQ(66, c.profile);
}

TEST(CodecFmtp, H265FromSpropMatchesAnnexb)
{
    std::string line = "profile-id=1; sprop-vps=" + std::string(kHevcVpsB64) + "; sprop-sps=" + kHevcSpsB64 +
                       "; sprop-pps=" + kHevcPpsB64;
    Bytes au = annexb(
        {bytes(kHevcVps, sizeof(kHevcVps)), bytes(kHevcSps, sizeof(kHevcSps)), bytes(kHevcPps, sizeof(kHevcPps))});
    sr_annexb_au_t info;
    ASSERT_SR_OK(sr_annexb_scan(SR_CODEC_H265, au.data(), au.size(), &info));
    std::string got = fmtp(SR_CODEC_H265, line);
    EXPECT_EQ(str(hevc_record(info.ps)), got);
    sr_hevc_config_t c;
    ASSERT_SR_OK(sr_hevc_parse_config((const uint8_t *)got.data(), got.size(), &c));
    EXPECT_EQ(640u, c.info.width);
    EXPECT_EQ(360u, c.info.height);
    // a VPS in the SPS slot is malformed
    EXPECT_EQ("ERR:EFORMAT", fmtp(SR_CODEC_H265, "sprop-sps=" + std::string(kHevcVpsB64)));
}

TEST(CodecFmtp, AacFromMpeg4GenericConfig)
{
    EXPECT_EQ(std::string("\x12\x10", 2),
              fmtp(SR_CODEC_AAC, "streamtype=5; profile-level-id=15; mode=AAC-hbr; config=1210; sizelength=13"));
    EXPECT_EQ(std::string("\x11\x90", 2), fmtp(SR_CODEC_AAC, "config=1190"));
    EXPECT_EQ("ERR:EFORMAT", fmtp(SR_CODEC_AAC, "config=121"));
    EXPECT_EQ("ERR:EFORMAT", fmtp(SR_CODEC_AAC, "config=12zz"));
    EXPECT_EQ("ERR:EFORMAT", fmtp(SR_CODEC_AAC, "config="));
    EXPECT_EQ("ERR:ETRUNCATED", fmtp(SR_CODEC_AAC, "config=17f0")); // rate index 15 without the rate
    EXPECT_EQ("ERR:ENOT_FOUND", fmtp(SR_CODEC_AAC, "mode=AAC-hbr"));
    EXPECT_EQ("ERR:EUNSUPPORTED", fmtp(SR_CODEC_AAC, "cpresent=0; config=400024203fc0"));
    EXPECT_EQ("ERR:EOVERFLOW", fmtp(SR_CODEC_AAC, "config=1210", 0, 1));
}

TEST(CodecFmtp, OpusFromTheRtpmapChannelCount)
{
    std::string h = fmtp(SR_CODEC_OPUS, "minptime=10;useinbandfec=1", 2);
    sr_opus_head_t o;
    ASSERT_SR_OK(sr_opus_head_parse((const uint8_t *)h.data(), h.size(), &o));
    EXPECT_EQ(2, o.channels);
    EXPECT_EQ(0, o.pre_skip);
    EXPECT_EQ(48000u, o.input_sample_rate);
    EXPECT_EQ(0, o.mapping_family);
    EXPECT_EQ(h, fmtp(SR_CODEC_OPUS, "", 0)); // rtpmap without a channel count
    EXPECT_EQ(19u, fmtp(SR_CODEC_OPUS, "", 1).size());
    EXPECT_EQ("ERR:EINVAL", fmtp(SR_CODEC_OPUS, "", 6));
    EXPECT_EQ("ERR:EUNSUPPORTED", fmtp(SR_CODEC_VP9, "profile-id=0"));
}

TEST(CodecFmtp, RefusesMalformedParameterSets)
{
    EXPECT_EQ("ERR:ENOT_FOUND", fmtp(SR_CODEC_H264, "packetization-mode=1;profile-level-id=42e01f"));
    EXPECT_EQ("ERR:ENOT_FOUND", fmtp(SR_CODEC_H264, ""));
    EXPECT_EQ("ERR:ENOT_FOUND", fmtp(SR_CODEC_H264, "sprop-parameter-sets=,,"));
    EXPECT_EQ("ERR:EFORMAT", fmtp(SR_CODEC_H265, "sprop-vps=" + std::string(kHevcVpsB64))); // no SPS
    EXPECT_EQ("ERR:EFORMAT", fmtp(SR_CODEC_H264, "sprop-parameter-sets=Z0LAH9oBQBbpUgAAAwACAAADAGQeMGVA!,aM4yyA=="));
    EXPECT_EQ("ERR:EFORMAT", fmtp(SR_CODEC_H264, "sprop-parameter-sets=Z0LAH9oBQBbpUgAAA wACAAADAGQeMGVA"));
    EXPECT_EQ("ERR:EFORMAT", fmtp(SR_CODEC_H264, "sprop-parameter-sets=Z,aM4yyA=="));
    EXPECT_EQ("ERR:EFORMAT", fmtp(SR_CODEC_H264, "sprop-parameter-sets=ZQ=="));     // an IDR slice
    EXPECT_EQ("ERR:EFORMAT", fmtp(SR_CODEC_H264, "sprop-parameter-sets=aM4yyA==")); // PPS, no SPS
    EXPECT_EQ("ERR:ETRUNCATED", fmtp(SR_CODEC_H264, "sprop-parameter-sets=Z0LAH9o=,aM4yyA=="));
    // more parameter sets than kept, or more bytes than the scratch holds
    std::string many = "sprop-parameter-sets=" + std::string(kAvcSpsB64);
    for (int i = 0; i < 5; i++) {
        many += std::string(",") + kAvcPpsB64;
    }
    EXPECT_EQ("ERR:EUNSUPPORTED", fmtp(SR_CODEC_H264, many));
    std::string big = "sprop-parameter-sets=" + std::string(kAvcSpsB64) + ",aO" + std::string(4000, 'A');
    EXPECT_EQ("ERR:EUNSUPPORTED", fmtp(SR_CODEC_H264, big));
    // the record must fit the output
    std::string line = "sprop-parameter-sets=" + std::string(kAvcSpsB64) + "," + kAvcPpsB64;
    EXPECT_EQ("ERR:EOVERFLOW", fmtp(SR_CODEC_H264, line, 0, 20));
}

TEST(CodecFmtp, EveryCutOfALineIsSafe)
{
    std::string line =
        "sprop-vps=" + std::string(kHevcVpsB64) + ";sprop-sps=" + kHevcSpsB64 + ";sprop-pps=" + kHevcPpsB64;
    for (size_t len = 0; len <= line.size(); len++) {
        std::vector<char> cut(line.begin(), line.begin() + len);
        uint8_t out[512];
        size_t n;
        int rc = sr_codec_fmtp_config(SR_CODEC_H265, cut.data(), cut.size(), 0, out, sizeof(out), &n);
        if (rc == SR_OK) {
            sr_hevc_config_t c;
            EXPECT_SR_OK(sr_hevc_parse_config(out, n, &c));
        }
    }
}
