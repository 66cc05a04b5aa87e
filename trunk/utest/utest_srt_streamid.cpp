// SPDX-License-Identifier: MIT
// utest_srt_streamid.cpp: the stream id forms SRS accepts (protocol/sr_srt_streamid):
// the access control syntax with r/m/h and extra keys as parameters, the legacy
// h=APP/STREAM, plain names with default_app, and what is refused.
#include <string.h>

#include <string>

#include "sr_error.h"
#include "sr_srt_streamid.h"
#include "sr_utest.h"

namespace
{

int parse(const std::string &id, sr_srt_streamid_t *out, const char *default_app = "live")
{
    return sr_srt_streamid_parse(id.data(), id.size(), default_app, out);
}

} // namespace

TEST(SrtStreamid, AccessControlSyntax)
{
    sr_srt_streamid_t s;
    ASSERT_SR_OK(parse("#!::r=live/livestream,m=publish", &s));
    EXPECT_STREQ("live", s.app);
    EXPECT_STREQ("livestream", s.stream);
    EXPECT_STREQ("", s.vhost);
    EXPECT_TRUE(s.is_publish);

    ASSERT_SR_OK(parse("#!::h=example.com,r=app/sub/s?secret=xy,m=request,token=abc", &s));
    EXPECT_STREQ("example.com", s.vhost);
    EXPECT_STREQ("app/sub", s.app);
    EXPECT_STREQ("s", s.stream);
    EXPECT_FALSE(s.is_publish);
    EXPECT_STREQ("?token=abc&secret=xy", s.param); // keys, then the resource's own query

    ASSERT_SR_OK(parse("#!::r=live/s", &s)); // no m=: play
    EXPECT_FALSE(s.is_publish);
}

TEST(SrtStreamid, LegacyHostNamesTheStream)
{
    sr_srt_streamid_t s;
    ASSERT_SR_OK(parse("#!::h=live/livestream,m=publish", &s));
    EXPECT_STREQ("live", s.app);
    EXPECT_STREQ("livestream", s.stream);
    EXPECT_STREQ("", s.vhost);
    EXPECT_TRUE(s.is_publish);
}

TEST(SrtStreamid, PlainNamesUseDefaultApp)
{
    sr_srt_streamid_t s;
    ASSERT_SR_OK(parse("live/cam1", &s));
    EXPECT_STREQ("live", s.app);
    EXPECT_STREQ("cam1", s.stream);
    ASSERT_SR_OK(parse("cam2", &s, "srtapp"));
    EXPECT_STREQ("srtapp", s.app);
    EXPECT_STREQ("cam2", s.stream);
    EXPECT_FALSE(s.is_publish);
}

TEST(SrtStreamid, RefusesWhatCannotNameAStream)
{
    sr_srt_streamid_t s;
    EXPECT_SR_ERR(SR_EFORMAT, parse("", &s));
    EXPECT_SR_ERR(SR_EFORMAT, parse("#!::", &s));
    EXPECT_SR_ERR(SR_EFORMAT, parse("#!::m=publish", &s));                // no resource
    EXPECT_SR_ERR(SR_EFORMAT, parse("#!::r=live/s,m=bidirectional", &s)); // not a live mode
    EXPECT_SR_ERR(SR_EFORMAT, parse("#!::r=live/s,junk", &s));            // a key without '='
    EXPECT_SR_ERR(SR_EFORMAT, parse("#!::r=live/", &s));                  // empty stream
    EXPECT_SR_ERR(SR_EFORMAT, parse("#!::r=../etc/passwd", &s));
    EXPECT_SR_ERR(SR_EFORMAT, parse("/live/s", &s));
    EXPECT_SR_ERR(SR_EFORMAT, parse(std::string("live/s\x01", 7), &s));
    EXPECT_SR_ERR(SR_EFORMAT, parse(std::string("live/s\0x", 8), &s));
    EXPECT_SR_ERR(SR_ENAME_TOO_LONG, parse("live/" + std::string(300, 'a'), &s));
    EXPECT_SR_ERR(SR_ENAME_TOO_LONG, parse("#!::r=live/s,k=" + std::string(1100, 'v'), &s));
}
