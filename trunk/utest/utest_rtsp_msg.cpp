// SPDX-License-Identifier: MIT
// utest_rtsp_msg.cpp: protocol/sr_rtsp_msg: real ffmpeg/camera RTSP requests and responses,
// interleaved frames mixed in one stream, byte-by-byte feeding (need more), malformed
// start lines and headers, and the head/header-count/body limits.
#include <string.h>

#include <string>

#include "sr_error.h"
#include "sr_rtsp_msg.h"
#include "sr_utest.h"

namespace
{

int parse(const std::string &s, sr_rtsp_msg_t *m)
{
    return sr_rtsp_msg_parse((const uint8_t *)s.data(), s.size(), m);
}

std::string str(const sr_rtsp_str_t &s)
{
    return std::string(s.p, s.len);
}

// As ffmpeg 6 sends it when pulling.
const char kDescribe[] = "DESCRIBE rtsp://127.0.0.1:8554/live/test RTSP/1.0\r\n"
                         "Accept: application/sdp\r\n"
                         "CSeq: 2\r\n"
                         "User-Agent: Lavf60.16.100\r\n"
                         "\r\n";

} // namespace

TEST(RtspMsg, ParsesDescribeRequest)
{
    sr_rtsp_msg_t m;
    std::string s = kDescribe;
    ASSERT_EQ((int)s.size(), parse(s, &m));
    EXPECT_EQ(SR_RTSP_MSG_REQUEST, m.kind);
    EXPECT_EQ("DESCRIBE", str(m.method));
    EXPECT_EQ("rtsp://127.0.0.1:8554/live/test", str(m.url));
    EXPECT_EQ(2, m.cseq);
    EXPECT_EQ(3u, m.header_count);
    const sr_rtsp_str_t *ua = sr_rtsp_msg_header(&m, "user-agent");
    ASSERT_TRUE(ua != NULL);
    EXPECT_EQ("Lavf60.16.100", str(*ua));
    EXPECT_TRUE(sr_rtsp_msg_header(&m, "Session") == NULL);
    EXPECT_EQ(0u, m.body_len);
}

TEST(RtspMsg, ParsesResponseWithBody)
{
    std::string body = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\n";
    std::string s = "RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body + "$";
    sr_rtsp_msg_t m;
    ASSERT_EQ((int)(s.size() - 1), parse(s, &m));
    EXPECT_EQ(SR_RTSP_MSG_RESPONSE, m.kind);
    EXPECT_EQ(200, m.status);
    EXPECT_EQ("OK", str(m.reason));
    EXPECT_EQ(2, m.cseq);
    EXPECT_EQ(body, std::string((const char *)m.body, m.body_len));
}

TEST(RtspMsg, NeedsMoreUntilComplete)
{
    std::string s = std::string("ANNOUNCE rtsp://h/a/b RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 5\r\n\r\n") + "v=0\r\n";
    sr_rtsp_msg_t m;
    for (size_t i = 0; i < s.size(); i++)
        EXPECT_EQ(0, sr_rtsp_msg_parse((const uint8_t *)s.data(), i, &m)) << i;
    EXPECT_EQ((int)s.size(), parse(s, &m));
    EXPECT_EQ("ANNOUNCE", str(m.method));
}

TEST(RtspMsg, InterleavedFramesMixedWithRequests)
{
    const uint8_t rtp[] = {0x80, 0x60, 0x00, 0x01, 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef};
    std::string s = "$";
    s += (char)1;
    s += (char)0;
    s += (char)sizeof(rtp);
    s += std::string((const char *)rtp, sizeof(rtp));
    s += "GET_PARAMETER rtsp://h/a/b RTSP/1.0\r\nCSeq: 9\r\nSession: 12345678\r\n\r\n";
    sr_rtsp_msg_t m;
    int used = parse(s, &m);
    ASSERT_EQ(4 + (int)sizeof(rtp), used);
    EXPECT_EQ(SR_RTSP_MSG_INTERLEAVED, m.kind);
    EXPECT_EQ(1, m.channel);
    ASSERT_EQ(sizeof(rtp), m.body_len);
    EXPECT_EQ(0, memcmp(rtp, m.body, sizeof(rtp)));
    for (int i = 0; i < used; i++)
        EXPECT_EQ(0, sr_rtsp_msg_parse((const uint8_t *)s.data(), i, &m));
    std::string rest = s.substr(used);
    ASSERT_EQ((int)rest.size(), parse(rest, &m));
    EXPECT_EQ("GET_PARAMETER", str(m.method));
    EXPECT_EQ(9, m.cseq);
    EXPECT_EQ("12345678", str(*sr_rtsp_msg_header(&m, "Session")));
}

TEST(RtspMsg, AcceptsBareNewlines)
{
    sr_rtsp_msg_t m;
    std::string s = "OPTIONS * RTSP/1.0\nCSeq: 1\n\n";
    ASSERT_EQ((int)s.size(), parse(s, &m));
    EXPECT_EQ("*", str(m.url));
    EXPECT_EQ(1, m.cseq);
}

TEST(RtspMsg, RejectsMalformed)
{
    sr_rtsp_msg_t m;
    const char *bad[] = {
        "DESCRIBE rtsp://h/a RTSP/2.0\r\n\r\n",
        "DESCRIBE rtsp://h/a\r\n\r\n",
        "garbage\r\n\r\n",
        "RTSP/1.0 2000 OK\r\n\r\n",
        "RTSP/1.0 abc OK\r\n\r\n",
        "OPTIONS * RTSP/1.0\r\nno colon here\r\n\r\n",
        "OPTIONS * RTSP/1.0\r\n: empty name\r\n\r\n",
        "OPTIONS * RTSP/1.0\r\nCSeq: x1\r\n\r\n",
        "OPTIONS * RTSP/1.0\r\nCSeq:\r\n\r\n",
        "OPTIONS * RTSP/1.0\r\nContent-Length: -1\r\n\r\n",
        "OPTIONS * RTSP/1.0\r\nContent-Length: 99999999999\r\n\r\n",
    };
    for (const char *b : bad) {
        SCOPED_TRACE(b);
        EXPECT_SR_ERR(SR_EFORMAT, parse(b, &m));
    }
}

TEST(RtspMsg, EnforcesLimits)
{
    sr_rtsp_msg_t m;
    std::string big = "OPTIONS * RTSP/1.0\r\nX: " + std::string(SR_RTSP_MAX_HEADER_BYTES, 'a');
    EXPECT_SR_ERR(SR_EHTTP_HEADERS_TOO_LARGE, parse(big, &m));
    std::string many = "OPTIONS * RTSP/1.0\r\n";
    for (int i = 0; i <= SR_RTSP_MAX_HEADERS; i++)
        many += "X-" + std::to_string(i) + ": 1\r\n";
    many += "\r\n";
    EXPECT_SR_ERR(SR_EHTTP_HEADERS_TOO_LARGE, parse(many, &m));
    std::string body =
        "ANNOUNCE rtsp://h/a RTSP/1.0\r\nContent-Length: " + std::to_string(SR_RTSP_MAX_BODY_BYTES + 1) + "\r\n\r\n";
    EXPECT_SR_ERR(SR_EHTTP_BODY_TOO_LARGE, parse(body, &m));
}
