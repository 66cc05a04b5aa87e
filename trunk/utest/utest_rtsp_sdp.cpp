// SPDX-License-Identifier: MIT
// utest_rtsp_sdp.cpp: app/rtsp/sr_rtsp_sdp: the ANNOUNCE SDP of ffmpeg 5.1 (captured from
// `ffmpeg ... -f rtsp rtsp://127.0.0.1:PORT/live/x?a=1`), a gst-rtsp-server DESCRIBE
// answer (GStreamer 1.22), static payload types, sections without a=control, SDP without
// media; the DESCRIBE SDP written from AVC/AAC sequence headers parsed back; and SETUP
// URL to track matching with relative, absolute and ffmpeg query-suffixed controls.
#include <string.h>

#include <string>

#include "sr_codec.h"
#include "sr_error.h"
#include "sr_packet.h"
#include "sr_rtsp_track.h"
#include "sr_utest.h"

namespace
{

const char kFfmpegAnnounce[] =
    "v=0\r\n"
    "o=- 0 0 IN IP4 127.0.0.1\r\n"
    "s=No Name\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "a=tool:libavformat LIBAVFORMAT_VERSION\r\n"
    "m=video 0 RTP/AVP 96\r\n"
    "a=rtpmap:96 H264/90000\r\n"
    "a=fmtp:96 packetization-mode=1; sprop-parameter-sets=Z/QADZGbKCg/YCIAAAMAAgAAAwBkHihTLA==,aOvjxEhE; "
    "profile-level-id=F4000D\r\n"
    "a=control:streamid=0\r\n"
    "m=audio 0 RTP/AVP 97\r\n"
    "b=AS:69\r\n"
    "a=rtpmap:97 MPEG4-GENERIC/44100/1\r\n"
    "a=fmtp:97 profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3; config=120856E500\r\n"
    "a=control:streamid=1\r\n";

const char kGstDescribe[] =
    "v=0\r\n"
    "o=- 10712173577453088000 1 IN IP4 127.0.0.1\r\n"
    "s=Session streamed with GStreamer\r\n"
    "i=rtsp-server\r\n"
    "t=0 0\r\n"
    "a=tool:GStreamer\r\n"
    "a=type:broadcast\r\n"
    "a=control:*\r\n"
    "a=range:npt=0-\r\n"
    "m=video 0 RTP/AVP 96\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "b=AS:2097\r\n"
    "a=rtpmap:96 H264/90000\r\n"
    "a=framerate:30\r\n"
    "a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z0LAFdkBQfsBagwMDUoAAAMAAgAAAwB5HixckA==,aMuMsg==;"
    "profile-level-id=42c015;level-asymmetry-allowed=1\r\n"
    "a=control:stream=0\r\n"
    "a=ts-refclk:local\r\n"
    "a=mediaclk:sender\r\n"
    "a=ssrc:1309452749 cname:user3154465706@host-13fb5add\r\n"
    "m=audio 0 RTP/AVP 97\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtpmap:97 MPEG4-GENERIC/44100/1\r\n"
    "a=fmtp:97 streamtype=5;profile-level-id=2;mode=AAC-hbr;config=120856e500;sizelength=13;indexlength=3;"
    "indexdeltalength=3\r\n"
    "a=control:stream=1\r\n"
    "a=ts-refclk:local\r\n"
    "a=mediaclk:sender\r\n"
    "a=ssrc:3314391449 cname:user3154465706@host-13fb5add\r\n"
    "m=audio 0 RTP/AVP 8\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=control:stream=2\r\n"
    "a=ts-refclk:local\r\n"
    "a=mediaclk:sender\r\n"
    "a=ssrc:434184283 cname:user3154465706@host-13fb5add\r\n";

// ffmpeg: 320x240 libx264 High AVCDecoderConfigurationRecord, as in utest_codec.cpp
// (there behind its 5-byte FLV header).
const uint8_t kAvcRecord[] = {0x01, 0x64, 0x00, 0x0d, 0xff, 0xe1, 0x00, 0x19, 0x67, 0x64, 0x00, 0x0d,
                              0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10,
                              0x00, 0x00, 0x03, 0x03, 0x20, 0xf1, 0x42, 0x99, 0x60, 0x01, 0x00, 0x06,
                              0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0, 0xfd, 0xf8, 0xf8, 0x00};
const uint8_t kAacAsc[] = {0x12, 0x10}; // AAC LC, 44.1 kHz, stereo

int parse(const std::string &s, sr_rtsp_track_t *t, size_t max, size_t *n)
{
    return sr_rtsp_sdp_parse(s.data(), s.size(), t, max, n);
}

int find(const sr_rtsp_track_t *t, size_t n, const std::string &u)
{
    return sr_rtsp_track_find(t, n, u.data(), u.size());
}

void sequence_header(sr_packet_t *p, sr_codec_id_t codec, const uint8_t *b, size_t n)
{
    memcpy(sr_packet_init_frame(p, codec, SR_PACKET_IS_KEYFRAME | SR_PACKET_IS_SEQUENCE_HEADER, 0, 0, n), b, n);
}

const std::string kHead = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n";

} // namespace

TEST(RtspSdp, ParsesFfmpegAnnounce)
{
    sr_rtsp_track_t t[SR_RTSP_MAX_TRACKS];
    size_t n = 0;
    ASSERT_SR_OK(parse(kFfmpegAnnounce, t, SR_RTSP_MAX_TRACKS, &n));
    ASSERT_EQ(2u, n);
    EXPECT_EQ(SR_CODEC_H264, t[0].codec);
    EXPECT_TRUE(t[0].is_video);
    EXPECT_EQ(96, t[0].pt);
    EXPECT_EQ(90000u, t[0].clock);
    EXPECT_STREQ("streamid=0", t[0].control);
    sr_avc_config_t avc;
    ASSERT_SR_OK(sr_avc_parse_config(t[0].config, t[0].config_size, &avc));
    EXPECT_EQ(0xf4, avc.profile);
    EXPECT_EQ(0x0d, avc.level);
    EXPECT_EQ(1u, avc.nb_sps);
    EXPECT_EQ(1u, avc.nb_pps);
    EXPECT_EQ(SR_CODEC_AAC, t[1].codec);
    EXPECT_FALSE(t[1].is_video);
    EXPECT_FALSE(t[1].is_latm);
    EXPECT_EQ(97, t[1].pt);
    EXPECT_EQ(44100u, t[1].clock);
    EXPECT_EQ(1, t[1].channels);
    EXPECT_STREQ("streamid=1", t[1].control);
    sr_aac_config_t aac;
    ASSERT_SR_OK(sr_aac_parse_config(t[1].config, t[1].config_size, &aac));
    EXPECT_EQ(44100u, aac.sample_rate);
    EXPECT_EQ(1, aac.channels);
    // max is respected
    ASSERT_SR_OK(parse(kFfmpegAnnounce, t, 1, &n));
    EXPECT_EQ(1u, n);
}

TEST(RtspSdp, ParsesGstreamerDescribe)
{
    sr_rtsp_track_t t[SR_RTSP_MAX_TRACKS];
    size_t n = 0;
    ASSERT_SR_OK(parse(kGstDescribe, t, SR_RTSP_MAX_TRACKS, &n));
    ASSERT_EQ(3u, n);
    EXPECT_EQ(SR_CODEC_H264, t[0].codec);
    EXPECT_STREQ("stream=0", t[0].control);
    sr_avc_config_t avc;
    ASSERT_SR_OK(sr_avc_parse_config(t[0].config, t[0].config_size, &avc));
    EXPECT_EQ(0x42, avc.profile);
    EXPECT_EQ(SR_CODEC_AAC, t[1].codec);
    EXPECT_GT(t[1].config_size, 0u);
    EXPECT_STREQ("stream=1", t[1].control);
    EXPECT_EQ(SR_CODEC_G711A, t[2].codec);
    EXPECT_EQ(8, t[2].pt);
    EXPECT_EQ(8000u, t[2].clock);
    EXPECT_EQ(1, t[2].channels);
    EXPECT_STREQ("stream=2", t[2].control);
}

TEST(RtspSdp, StaticPayloadTypesAndMissingControls)
{
    // an old camera: no rtpmap for the static types, no a=control anywhere, a data
    // section between (it keeps its number: controls count m= sections)
    std::string s = kHead + "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n" +
                    "m=application 0 RTP/AVP 107\r\na=rtpmap:107 vnd.onvif.metadata/90000\r\n" +
                    "m=audio 0 RTP/AVP 0\r\n" + "m=audio 0 RTP/AVP 8\r\n" +
                    "m=video 0 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n";
    sr_rtsp_track_t t[SR_RTSP_MAX_TRACKS];
    size_t n = 0;
    ASSERT_SR_OK(parse(s, t, SR_RTSP_MAX_TRACKS, &n));
    ASSERT_EQ(4u, n);
    EXPECT_EQ(SR_CODEC_H264, t[0].codec);
    EXPECT_EQ(0u, t[0].config_size); // no sprop-parameter-sets: in-band
    EXPECT_STREQ("trackID=0", t[0].control);
    EXPECT_EQ(SR_CODEC_G711U, t[1].codec);
    EXPECT_EQ(0, t[1].pt);
    EXPECT_EQ(8000u, t[1].clock);
    EXPECT_STREQ("trackID=2", t[1].control);
    EXPECT_EQ(SR_CODEC_G711A, t[2].codec);
    EXPECT_STREQ("trackID=3", t[2].control);
    EXPECT_EQ(SR_CODEC_NONE, t[3].codec); // kept so its SETUP still matches
    EXPECT_TRUE(t[3].is_video);
    EXPECT_STREQ("trackID=4", t[3].control);
}

TEST(RtspSdp, RefusesSdpWithoutMedia)
{
    sr_rtsp_track_t t[SR_RTSP_MAX_TRACKS];
    size_t n = 7;
    EXPECT_SR_ERR(SR_EFORMAT, parse(kHead, t, SR_RTSP_MAX_TRACKS, &n));
    EXPECT_EQ(0u, n);
    EXPECT_SR_ERR(SR_EFORMAT, parse(kHead + "m=application 0 RTP/AVP 107\r\n", t, SR_RTSP_MAX_TRACKS, &n));
    EXPECT_LT(parse("RTSP/1.0 200 OK\r\n", t, SR_RTSP_MAX_TRACKS, &n), 0);
    EXPECT_EQ(0u, n);
    EXPECT_LT(parse("", t, SR_RTSP_MAX_TRACKS, &n), 0);
    sr_err_clear();
}

TEST(RtspSdp, DescribeParsesBack)
{
    sr_packet_t v, a;
    sequence_header(&v, SR_CODEC_H264, kAvcRecord, sizeof(kAvcRecord));
    sequence_header(&a, SR_CODEC_AAC, kAacAsc, sizeof(kAacAsc));
    sr_rtsp_track_t out[SR_RTSP_MAX_TRACKS], back[SR_RTSP_MAX_TRACKS];
    size_t n = 0, nb = 0;
    sr_buf_t sdp;
    sr_buf_init(&sdp);
    ASSERT_SR_OK(sr_rtsp_sdp_describe(&v, &a, out, SR_RTSP_MAX_TRACKS, &n, &sdp));
    ASSERT_EQ(2u, n);
    std::string text((const char *)sdp.data, sdp.len);
    EXPECT_NE(std::string::npos, text.find("a=rtpmap:96 H264/90000")) << text;
    EXPECT_NE(std::string::npos, text.find("profile-level-id=64000D")) << text;
    EXPECT_NE(std::string::npos, text.find("a=rtpmap:97 MPEG4-GENERIC/44100/2")) << text;
    EXPECT_NE(std::string::npos, text.find("config=1210")) << text;
    ASSERT_SR_OK(parse(text, back, SR_RTSP_MAX_TRACKS, &nb));
    ASSERT_EQ(n, nb);
    for (size_t i = 0; i < n; i++) {
        EXPECT_EQ(out[i].codec, back[i].codec) << i;
        EXPECT_EQ(out[i].is_video, back[i].is_video) << i;
        EXPECT_EQ(out[i].pt, back[i].pt) << i;
        EXPECT_EQ(out[i].clock, back[i].clock) << i;
        EXPECT_STREQ(out[i].control, back[i].control) << i;
        ASSERT_EQ(out[i].config_size, back[i].config_size) << i;
        EXPECT_EQ(0, memcmp(out[i].config, back[i].config, out[i].config_size)) << i;
    }
    EXPECT_EQ(2, back[1].channels);
    EXPECT_EQ(out[1].channels, back[1].channels);
    EXPECT_EQ(sizeof(kAvcRecord), back[0].config_size);
    EXPECT_EQ(0, memcmp(kAvcRecord, back[0].config, sizeof(kAvcRecord)));
    EXPECT_EQ(sizeof(kAacAsc), back[1].config_size);

    // audio only: it becomes trackID=0; neither: not found
    ASSERT_SR_OK(sr_rtsp_sdp_describe(NULL, &a, out, SR_RTSP_MAX_TRACKS, &n, &sdp));
    ASSERT_EQ(1u, n);
    EXPECT_EQ(SR_CODEC_AAC, out[0].codec);
    EXPECT_STREQ("trackID=0", out[0].control);
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_rtsp_sdp_describe(NULL, NULL, out, SR_RTSP_MAX_TRACKS, &n, &sdp));
    EXPECT_EQ(0u, n);
    sr_err_clear();
    // a damaged record is left out, not described
    sr_packet_t bad;
    sequence_header(&bad, SR_CODEC_H264, kAvcRecord, 6);
    ASSERT_SR_OK(sr_rtsp_sdp_describe(&bad, &a, out, SR_RTSP_MAX_TRACKS, &n, &sdp));
    EXPECT_EQ(1u, n);
    EXPECT_EQ(SR_CODEC_AAC, out[0].codec);
    sr_packet_deinit(&bad);
    sr_buf_deinit(&sdp);
    sr_packet_deinit(&v);
    sr_packet_deinit(&a);
}

TEST(RtspSdp, TrackFind)
{
    sr_rtsp_track_t t[SR_RTSP_MAX_TRACKS];
    size_t n = 0;
    ASSERT_SR_OK(parse(kFfmpegAnnounce, t, SR_RTSP_MAX_TRACKS, &n));
    // ffmpeg's SETUP URLs (the control after the query)
    EXPECT_EQ(0, find(t, n, "rtsp://127.0.0.1:42497/live/x?a=1/streamid=0"));
    EXPECT_EQ(1, find(t, n, "rtsp://127.0.0.1:42497/live/x?a=1/streamid=1"));
    EXPECT_EQ(1, find(t, n, "streamid=1"));
    EXPECT_EQ(-1, find(t, n, "rtsp://127.0.0.1/live/x/xstreamid=1x"));
    EXPECT_EQ(-1, find(t, n, "rtsp://127.0.0.1/live/x"));
    EXPECT_EQ(-1, find(t, n, ""));
    // gst-rtsp-server controls under its Content-Base
    ASSERT_SR_OK(parse(kGstDescribe, t, SR_RTSP_MAX_TRACKS, &n));
    EXPECT_EQ(2, find(t, n, "rtsp://127.0.0.1:40151/test/stream=2"));
    EXPECT_EQ(-1, find(t, n, "rtsp://127.0.0.1:40151/test/xstream=2"));
    // absolute controls
    snprintf(t[0].control, sizeof(t[0].control), "rtsp://cam/h264/track1");
    snprintf(t[1].control, sizeof(t[1].control), "rtsp://cam/h264/track2");
    EXPECT_EQ(1, find(t, 2, "rtsp://cam/h264/track2"));
    EXPECT_EQ(0, find(t, 2, "rtsp://cam/h264/track1"));
    // no control matches: the trackID= number, when it names a track
    EXPECT_EQ(1, find(t, 2, "rtsp://h/live/x/trackID=1"));
    EXPECT_EQ(-1, find(t, 2, "rtsp://h/live/x/trackID=2"));
    EXPECT_EQ(-1, find(t, 2, "http://h/live/x/trackID=1"));
}
