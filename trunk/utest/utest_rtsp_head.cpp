// SPDX-License-Identifier: MIT
// utest_rtsp_head.cpp: protocol/sr_rtsp_head: Transport headers as ffmpeg, GStreamer and
// VLC send them (captured from ffmpeg 5.1 and gst-rtsp-server), malformed ports, the
// write/parse round trip, Session ids, request URLs (ffmpeg's query-suffixed controls,
// IPv6, credentials) and the reply writer.
#include <string.h>

#include <string>

#include "sr_bytes.h"
#include "sr_error.h"
#include "sr_rtsp_head.h"
#include "sr_utest.h"

namespace
{

int transports(const std::string &v, sr_rtsp_transport_t *out, int max = SR_RTSP_TRANSPORT_MAX)
{
    return sr_rtsp_transport_parse(v.data(), v.size(), out, max);
}

int url(const std::string &u, sr_rtsp_url_t *out)
{
    return sr_rtsp_url_parse(u.data(), u.size(), out);
}

} // namespace

TEST(RtspHead, TransportFfmpegRecordOverTcp)
{
    sr_rtsp_transport_t t[SR_RTSP_TRANSPORT_MAX];
    ASSERT_EQ(1, transports("RTP/AVP/TCP;unicast;interleaved=2-3;mode=record", t));
    EXPECT_TRUE(t[0].is_tcp);
    EXPECT_TRUE(t[0].is_record);
    EXPECT_FALSE(t[0].is_multicast);
    ASSERT_TRUE(t[0].has_interleaved);
    EXPECT_EQ(2, t[0].interleaved[0]);
    EXPECT_EQ(3, t[0].interleaved[1]);
    EXPECT_FALSE(t[0].has_client_port);
    EXPECT_FALSE(t[0].has_ssrc);
}

TEST(RtspHead, TransportGstreamerQuotedRecordMode)
{
    sr_rtsp_transport_t t[SR_RTSP_TRANSPORT_MAX];
    ASSERT_EQ(1, transports("RTP/AVP;unicast;client_port=5000-5001;mode=\"RECORD\"", t));
    EXPECT_FALSE(t[0].is_tcp);
    EXPECT_TRUE(t[0].is_record);
    ASSERT_TRUE(t[0].has_client_port);
    EXPECT_EQ(5000, t[0].client_port[0]);
    EXPECT_EQ(5001, t[0].client_port[1]);
    ASSERT_EQ(1, transports("RTP/AVP;unicast;client_port=5000-5001;mode=PLAY", t));
    EXPECT_FALSE(t[0].is_record);
}

TEST(RtspHead, TransportVlcListKeepsOrderAndSkipsOthers)
{
    sr_rtsp_transport_t t[SR_RTSP_TRANSPORT_MAX];
    std::string v = "RTP/AVP/TCP;unicast;interleaved=0-1, RAW/RAW/UDP;unicast;client_port=1-2 ,"
                    " RTP/AVP/UDP;unicast;client_port=6970-6971, RTP/AVP;multicast";
    ASSERT_EQ(3, transports(v, t));
    EXPECT_TRUE(t[0].is_tcp);
    EXPECT_FALSE(t[1].is_tcp);
    EXPECT_EQ(6970, t[1].client_port[0]);
    EXPECT_TRUE(t[2].is_multicast);
    // at most max stored; the rest is not looked at
    ASSERT_EQ(1, transports(v, t, 1));
    EXPECT_TRUE(t[0].is_tcp);
    EXPECT_EQ(0, transports(v, t, 0));
}

TEST(RtspHead, TransportSinglePortMeansPair)
{
    sr_rtsp_transport_t t[1];
    ASSERT_EQ(1, transports("RTP/AVP;unicast;client_port=5000", t, 1));
    EXPECT_EQ(5000, t[0].client_port[0]);
    EXPECT_EQ(5001, t[0].client_port[1]);
    ASSERT_EQ(1, transports("RTP/AVP/TCP;interleaved=4", t, 1));
    EXPECT_EQ(4, t[0].interleaved[0]);
    EXPECT_EQ(5, t[0].interleaved[1]);
    ASSERT_EQ(1, transports("rtp/avp ; unicast ; server_port = 6000-6001 ; ssrc=1a2B3c4D", t, 1));
    ASSERT_TRUE(t[0].has_server_port);
    EXPECT_EQ(6000, t[0].server_port[0]);
    EXPECT_EQ(6001, t[0].server_port[1]);
    ASSERT_TRUE(t[0].has_ssrc);
    EXPECT_EQ(0x1a2b3c4du, t[0].ssrc);
}

TEST(RtspHead, TransportMalformedPortsRefused)
{
    sr_rtsp_transport_t t[2];
    EXPECT_EQ(-SR_EFORMAT, transports("RTP/AVP;unicast;client_port=65536-65537", t));
    EXPECT_EQ(-SR_EFORMAT, transports("RTP/AVP;unicast;client_port=65535", t)); // 65536 for RTCP
    EXPECT_EQ(-SR_EFORMAT, transports("RTP/AVP;unicast;client_port=99999999999-1", t));
    EXPECT_EQ(-SR_EFORMAT, transports("RTP/AVP;unicast;client_port=a-b", t));
    EXPECT_EQ(-SR_EFORMAT, transports("RTP/AVP;unicast;client_port=", t));
    EXPECT_EQ(-SR_EFORMAT, transports("RTP/AVP;unicast;client_port=-5001", t));
    EXPECT_EQ(-SR_EFORMAT, transports("RTP/AVP/TCP;interleaved=0-256", t));
    EXPECT_EQ(-SR_EFORMAT, transports("RTP/AVP/TCP;interleaved=255", t));
    EXPECT_EQ(-SR_EFORMAT, transports("RTP/AVP/TCP;interleaved=0-1, RTP/AVP;client_port=70000", t));
    // an ssrc that is not hex is only advice
    ASSERT_EQ(1, transports("RTP/AVP;unicast;ssrc=zz", t));
    EXPECT_FALSE(t[0].has_ssrc);
}

TEST(RtspHead, TransportGarbageGivesNone)
{
    sr_rtsp_transport_t t[SR_RTSP_TRANSPORT_MAX];
    EXPECT_EQ(0, transports("", t));
    EXPECT_EQ(0, transports(",,,", t));
    EXPECT_EQ(0, transports("RTP/SAVP;unicast", t));
    EXPECT_EQ(0, transports("\x01\xff;;==", t));
    EXPECT_EQ(0, transports("RTP/AVPX", t));
}

TEST(RtspHead, TransportWriteParsesBack)
{
    sr_rtsp_transport_t in;
    memset(&in, 0, sizeof(in));
    in.is_tcp = true;
    in.is_record = true;
    in.has_interleaved = true;
    in.interleaved[0] = 6;
    in.interleaved[1] = 7;
    in.has_ssrc = true;
    in.ssrc = 0x0000abcd;
    sr_buf_t b;
    sr_buf_init(&b);
    sr_rtsp_transport_write(&in, &b);
    std::string s((const char *)b.data, b.len);
    EXPECT_EQ("RTP/AVP/TCP;unicast;interleaved=6-7;ssrc=0000ABCD;mode=record", s);
    sr_rtsp_transport_t out;
    ASSERT_EQ(1, transports(s, &out, 1));
    EXPECT_EQ(0, memcmp(&in, &out, sizeof(in)));

    memset(&in, 0, sizeof(in));
    in.has_client_port = in.has_server_port = true;
    in.client_port[0] = 65534;
    in.client_port[1] = 65535;
    in.server_port[0] = 0;
    in.server_port[1] = 1;
    sr_buf_reset(&b);
    sr_rtsp_transport_write(&in, &b);
    s.assign((const char *)b.data, b.len);
    EXPECT_EQ("RTP/AVP;unicast;client_port=65534-65535;server_port=0-1", s);
    ASSERT_EQ(1, transports(s, &out, 1));
    EXPECT_EQ(0, memcmp(&in, &out, sizeof(in)));
    sr_buf_deinit(&b);
}

TEST(RtspHead, SessionId)
{
    char id[16];
    std::string v = "12345678;timeout=60";
    ASSERT_TRUE(sr_rtsp_session_id(v.data(), v.size(), id, sizeof(id)));
    EXPECT_STREQ("12345678", id);
    v = " abcDEF ";
    ASSERT_TRUE(sr_rtsp_session_id(v.data(), v.size(), id, sizeof(id)));
    EXPECT_STREQ("abcDEF", id);
    v = "";
    EXPECT_FALSE(sr_rtsp_session_id(v.data(), v.size(), id, sizeof(id)));
    v = ";timeout=60";
    EXPECT_FALSE(sr_rtsp_session_id(v.data(), v.size(), id, sizeof(id)));
    v = "0123456789abcdef"; // 16 bytes do not fit with the NUL
    EXPECT_FALSE(sr_rtsp_session_id(v.data(), v.size(), id, sizeof(id)));
    v = "0123456789abcde";
    EXPECT_TRUE(sr_rtsp_session_id(v.data(), v.size(), id, sizeof(id)));
}

TEST(RtspHead, UrlAbsoluteWithCredentialsAndPort)
{
    sr_rtsp_url_t u;
    ASSERT_SR_OK(url("rtsp://admin:secret@192.168.1.10:554/Streaming/Channels/101", &u));
    EXPECT_STREQ("192.168.1.10", u.host);
    EXPECT_STREQ("Streaming/Channels/101", u.path);
    EXPECT_STREQ("", u.query);
    EXPECT_EQ(-1, u.track);
    ASSERT_SR_OK(url("RTSPS://h/live/x/", &u));
    EXPECT_STREQ("h", u.host);
    EXPECT_STREQ("live/x", u.path);
}

TEST(RtspHead, UrlIpv6)
{
    sr_rtsp_url_t u;
    ASSERT_SR_OK(url("rtsp://[::1]:8554/live/x/trackID=1", &u));
    EXPECT_STREQ("[::1]", u.host);
    EXPECT_STREQ("live/x", u.path);
    EXPECT_EQ(1, u.track);
    ASSERT_SR_OK(url("rtsp://u:p@[fe80::1]/a", &u));
    EXPECT_STREQ("[fe80::1]", u.host);
    EXPECT_STREQ("a", u.path);
}

TEST(RtspHead, UrlQueryAndFfmpegSuffix)
{
    sr_rtsp_url_t u;
    // as ffmpeg 5.1 sent its SETUPs for "rtsp://127.0.0.1:42497/live/x?a=1"
    ASSERT_SR_OK(url("rtsp://127.0.0.1:42497/live/x?a=1/streamid=1", &u));
    EXPECT_STREQ("127.0.0.1", u.host);
    EXPECT_STREQ("live/x", u.path);
    EXPECT_STREQ("a=1", u.query);
    EXPECT_EQ(1, u.track);
    ASSERT_SR_OK(url("rtsp://127.0.0.1:42497/live/x?a=1", &u));
    EXPECT_STREQ("live/x", u.path);
    EXPECT_STREQ("a=1", u.query);
    EXPECT_EQ(-1, u.track);
    // a '/' in the query that is not a control stays in the query
    ASSERT_SR_OK(url("rtsp://h/live/x?token=a/b", &u));
    EXPECT_STREQ("live/x", u.path);
    EXPECT_STREQ("token=a/b", u.query);
    EXPECT_EQ(-1, u.track);
}

TEST(RtspHead, UrlTrackIdAndTrailingSlashes)
{
    sr_rtsp_url_t u;
    ASSERT_SR_OK(url("rtsp://h:554/live/cam//trackID=0", &u));
    EXPECT_STREQ("live/cam", u.path);
    EXPECT_EQ(0, u.track);
    ASSERT_SR_OK(url("rtsp://h/live/cam/TRACKID=255", &u));
    EXPECT_EQ(255, u.track);
    ASSERT_SR_OK(url("rtsp://h/live/cam/trackID=256", &u)); // not a track number
    EXPECT_EQ(-1, u.track);
    EXPECT_STREQ("live/cam/trackID=256", u.path);
    ASSERT_SR_OK(url("rtsp://h/live/cam/track1", &u));
    EXPECT_EQ(-1, u.track);
    EXPECT_STREQ("live/cam/track1", u.path);
    ASSERT_SR_OK(url("rtsp://h///", &u));
    EXPECT_STREQ("", u.path);
    ASSERT_SR_OK(url("rtsp://h", &u));
    EXPECT_STREQ("h", u.host);
    EXPECT_STREQ("", u.path);
}

TEST(RtspHead, UrlBarePath)
{
    sr_rtsp_url_t u;
    ASSERT_SR_OK(url("/live/x/streamid=0", &u));
    EXPECT_STREQ("", u.host);
    EXPECT_STREQ("live/x", u.path);
    EXPECT_EQ(0, u.track);
    ASSERT_SR_OK(url("live/x?k=v", &u));
    EXPECT_STREQ("live/x", u.path);
    EXPECT_STREQ("k=v", u.query);
    ASSERT_SR_OK(url("", &u));
    EXPECT_STREQ("", u.path);
    EXPECT_EQ(-1, u.track);
}

TEST(RtspHead, UrlOtherSchemeAndTooLong)
{
    sr_rtsp_url_t u;
    EXPECT_EQ(-SR_EFORMAT, url("http://h/live/x", &u));
    EXPECT_EQ(-SR_EFORMAT, url("rtspu://h/live/x", &u));
    EXPECT_EQ(-SR_ENAME_TOO_LONG, url("rtsp://" + std::string(256, 'h') + "/x", &u));
    EXPECT_SR_OK(url("rtsp://" + std::string(255, 'h') + "/x", &u));
    EXPECT_EQ(-SR_ENAME_TOO_LONG, url("rtsp://h/" + std::string(512, 'p'), &u));
    EXPECT_SR_OK(url("rtsp://h/" + std::string(511, 'p'), &u));
    EXPECT_EQ(-SR_ENAME_TOO_LONG, url("rtsp://h/p?" + std::string(512, 'q'), &u));
    EXPECT_SR_OK(url("rtsp://h/p?" + std::string(511, 'q') + "/trackID=1", &u));
    EXPECT_EQ(1, u.track);
}

TEST(RtspHead, ReplyBeginEnd)
{
    sr_buf_t b;
    sr_buf_init(&b);
    sr_buf_put_str(&b, "stale");
    sr_rtsp_reply_begin(&b, 200, 3);
    sr_buf_printf(&b, "Session: %s\r\n", "abc");
    sr_rtsp_reply_end(&b, "application/sdp", "v=0\r\n", 5);
    EXPECT_EQ("RTSP/1.0 200 OK\r\nCSeq: 3\r\nServer: Strand\r\nSession: abc\r\n"
              "Content-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n",
              std::string((const char *)b.data, b.len));
    sr_rtsp_reply_begin(&b, 461, -1);
    sr_rtsp_reply_end(&b, NULL, NULL, 0);
    EXPECT_EQ("RTSP/1.0 461 Unsupported Transport\r\nServer: Strand\r\n\r\n", std::string((const char *)b.data, b.len));
    EXPECT_STREQ("Session Not Found", sr_rtsp_reason(454));
    EXPECT_STREQ("Bad Request", sr_rtsp_reason(499));
    EXPECT_STREQ("Internal Server Error", sr_rtsp_reason(599));
    sr_buf_deinit(&b);
    uint8_t h[SR_RTSP_INTERLEAVED_HEADER];
    sr_rtsp_interleaved_header(h, 3, 0x1234);
    EXPECT_EQ('$', h[0]);
    EXPECT_EQ(3, h[1]);
    EXPECT_EQ(0x12, h[2]);
    EXPECT_EQ(0x34, h[3]);
}
