// SPDX-License-Identifier: MIT
// utest_request.cpp: stream URLs and query strings (core/sr_url) and who a client is
// and which stream it wants (app/sr_request): the tcUrl host, port and scheme, the app
// and stream with their parameters, and SRS's vhost discovery (a `vhost=` or `domain=`
// parameter on the stream or the app, else the tcUrl host).
#include <string.h>

#include <string>

#include "sr_consts.h"
#include "sr_error.h"
#include "sr_request.h"
#include "sr_url.h"
#include "sr_utest.h"
#include "sr_utest_request.h"

namespace
{

// A request as a connection starts it: empty, then filled from connect and play/publish.
SrUtestRequest connect(const char *tc_url, const char *app, const char *stream = nullptr)
{
    SrUtestRequest req;
    sr_request_from_connect(&req, tc_url, app, SR_DEFAULT_RTMP_PORT);
    if (stream) {
        sr_request_set_stream(&req, stream);
    }
    return req;
}

std::string source_key(const sr_request_t &req)
{
    char buf[1024];
    sr_request_source_key(&req, buf, sizeof(buf));
    return buf;
}

std::string stream_url(const sr_request_t &req)
{
    char buf[1024];
    sr_request_stream_url(&req, buf, sizeof(buf));
    return buf;
}

} // namespace

// ---- sr_url_parse ----

TEST(Url, ParsesHostOnly)
{
    sr_url_t u;
    ASSERT_SR_OK(sr_url_parse("rtmp://h", &u));
    EXPECT_STREQ("rtmp", u.scheme);
    EXPECT_STREQ("h", u.host);
    EXPECT_EQ(0, u.port); // absent
    EXPECT_STREQ("", u.path);
    EXPECT_STREQ("", u.query);
}

TEST(Url, ParsesPortAndPath)
{
    sr_url_t u;
    ASSERT_SR_OK(sr_url_parse("rtmp://h:1936/live", &u));
    EXPECT_STREQ("h", u.host);
    EXPECT_EQ(1936, u.port);
    EXPECT_STREQ("live", u.path);
    EXPECT_STREQ("", u.query);

    ASSERT_SR_OK(sr_url_parse("http://example.com:8080/live/livestream.flv?token=1", &u));
    EXPECT_STREQ("http", u.scheme);
    EXPECT_STREQ("example.com", u.host);
    EXPECT_EQ(8080, u.port);
    EXPECT_STREQ("live/livestream.flv", u.path); // everything after the authority
    EXPECT_STREQ("token=1", u.query);

    ASSERT_SR_OK(sr_url_parse("rtmp://h:65535", &u));
    EXPECT_EQ(65535, u.port);
}

TEST(Url, ParsesIpv6LiteralWithQuery)
{
    sr_url_t u;
    ASSERT_SR_OK(sr_url_parse("rtmp://[::1]:1935/live?x=1", &u));
    EXPECT_STREQ("::1", u.host); // without brackets
    EXPECT_EQ(1935, u.port);
    EXPECT_STREQ("live", u.path);
    EXPECT_STREQ("x=1", u.query);

    ASSERT_SR_OK(sr_url_parse("rtmp://[2001:db8::5]/live", &u));
    EXPECT_STREQ("2001:db8::5", u.host);
    EXPECT_EQ(0, u.port);
}

TEST(Url, QueryWithoutPath)
{
    sr_url_t u;
    ASSERT_SR_OK(sr_url_parse("rtmp://h?vhost=v", &u));
    EXPECT_STREQ("h", u.host);
    EXPECT_STREQ("", u.path);
    EXPECT_STREQ("vhost=v", u.query);
}

TEST(Url, DropsUserInfo)
{
    sr_url_t u;
    ASSERT_SR_OK(sr_url_parse("rtmp://user@host/live", &u));
    EXPECT_STREQ("host", u.host);
    ASSERT_SR_OK(sr_url_parse("rtmp://user:secret@host:1937/live", &u));
    EXPECT_STREQ("host", u.host);
    EXPECT_EQ(1937, u.port);
    EXPECT_STREQ("live", u.path);
}

TEST(Url, RefusesBadPorts)
{
    const char *bad[] = {
        "rtmp://h:/live",     "rtmp://h:0/live",     "rtmp://h:65536/live", "rtmp://h:123456/live",
        "rtmp://h:19a5/live", "rtmp://h:-1/live",    "rtmp://h: 1935/live", "rtmp://[::1]:/live",
        "rtmp://[::1]x/live", "rtmp://[::1]:99999/", "rtmp://[::1/live",
    };
    for (const char *url : bad) {
        sr_url_t u;
        SCOPED_TRACE(url);
        EXPECT_SR_ERR(SR_EINVAL, sr_url_parse(url, &u));
    }
}

TEST(Url, RefusesMissingSchemeOrHost)
{
    const char *bad[] = {"h/live",       "h:1935/live",       "://h/live",         "rtmp:/h/live",
                         "rtmp:///live", "rtmp://:1935/live", "rtmp://user@/live", ""};
    for (const char *url : bad) {
        sr_url_t u;
        SCOPED_TRACE(std::string("'") + url + "'");
        EXPECT_SR_ERR(SR_EINVAL, sr_url_parse(url, &u));
    }
}

TEST(Url, RefusesFieldsThatDoNotFit)
{
    sr_url_t u;
    std::string long_host = "rtmp://" + std::string(300, 'a') + "/live";
    EXPECT_SR_ERR(SR_EINVAL, sr_url_parse(long_host.c_str(), &u));
    std::string long_scheme = std::string(20, 's') + "://h/live";
    EXPECT_SR_ERR(SR_EINVAL, sr_url_parse(long_scheme.c_str(), &u));
    std::string long_path = "rtmp://h/" + std::string(2000, 'p');
    EXPECT_SR_ERR(SR_EINVAL, sr_url_parse(long_path.c_str(), &u));
    std::string fits = "rtmp://" + std::string(255, 'a') + "/live";
    EXPECT_SR_OK(sr_url_parse(fits.c_str(), &u));
}

// ---- query strings ----

TEST(Url, QueryGetFindsValues)
{
    char v[64];
    EXPECT_TRUE(sr_url_query_get("a=1&b=2", "b", v, sizeof(v)));
    EXPECT_STREQ("2", v);
    EXPECT_TRUE(sr_url_query_get("?vhost=demo&token=abc", "vhost", v, sizeof(v))); // leading '?'
    EXPECT_STREQ("demo", v);
    EXPECT_TRUE(sr_url_query_get("?vhost=demo&token=abc", "token", v, sizeof(v)));
    EXPECT_STREQ("abc", v);
    EXPECT_TRUE(sr_url_query_get("a=1&&b=x%20y", "b", v, sizeof(v))); // not decoded
    EXPECT_STREQ("x%20y", v);
    EXPECT_TRUE(sr_url_query_get("a=1&b=2&b=3", "b", v, sizeof(v))); // the first wins
    EXPECT_STREQ("2", v);
}

TEST(Url, QueryGetEmptyAndBareKeys)
{
    char v[8] = "junk";
    EXPECT_TRUE(sr_url_query_get("a=&b=2", "a", v, sizeof(v)));
    EXPECT_STREQ("", v);
    strcpy(v, "junk");
    EXPECT_TRUE(sr_url_query_get("flag&b=2", "flag", v, sizeof(v)));
    EXPECT_STREQ("", v);
}

TEST(Url, QueryGetMatchesWholeKeysOnly)
{
    char v[8];
    EXPECT_FALSE(sr_url_query_get("vhostx=1&xvhost=2&vhos=3", "vhost", v, sizeof(v)));
    EXPECT_FALSE(sr_url_query_get("", "vhost", v, sizeof(v)));
    EXPECT_FALSE(sr_url_query_get("?", "vhost", v, sizeof(v)));
    EXPECT_TRUE(sr_url_query_get("vhostx=1&vhost=2", "vhost", v, sizeof(v)));
    EXPECT_STREQ("2", v);
}

TEST(Url, QueryGetTruncatesToBuffer)
{
    char v[4];
    EXPECT_TRUE(sr_url_query_get("k=abcdefgh", "k", v, sizeof(v)));
    EXPECT_STREQ("abc", v);
    EXPECT_TRUE(sr_url_query_get("k=abcdefgh", "k", nullptr, 0)); // presence only
}

TEST(Url, SplitQuery)
{
    char name[64], query[64];
    sr_url_split_query("livestream?vhost=v2&token=abc", name, sizeof(name), query, sizeof(query));
    EXPECT_STREQ("livestream", name);
    EXPECT_STREQ("?vhost=v2&token=abc", query); // keeps the '?'
    sr_url_split_query("livestream", name, sizeof(name), query, sizeof(query));
    EXPECT_STREQ("livestream", name);
    EXPECT_STREQ("", query);
    sr_url_split_query("a?b?c", name, sizeof(name), query, sizeof(query)); // the first '?'
    EXPECT_STREQ("a", name);
    EXPECT_STREQ("?b?c", query);
    sr_url_split_query("?x=1", name, sizeof(name), nullptr, 0);
    EXPECT_STREQ("", name);
    sr_url_split_query("live?x=1", nullptr, 0, query, sizeof(query));
    EXPECT_STREQ("?x=1", query);
    char small[4];
    sr_url_split_query("livestream?x=1", small, sizeof(small), nullptr, 0);
    EXPECT_STREQ("liv", small); // truncated, terminated
}

TEST(Url, DecodeEscapes)
{
    char out[64];
    ASSERT_SR_OK(sr_url_decode("a%20b", out, sizeof(out)));
    EXPECT_STREQ("a b", out);
    ASSERT_SR_OK(sr_url_decode("%2F%2f%41", out, sizeof(out))); // either case
    EXPECT_STREQ("//A", out);
    ASSERT_SR_OK(sr_url_decode("a+b", out, sizeof(out))); // '+' stays
    EXPECT_STREQ("a+b", out);
    ASSERT_SR_OK(sr_url_decode("", out, sizeof(out)));
    EXPECT_STREQ("", out);
    ASSERT_SR_OK(sr_url_decode("%E4%BD%A0", out, sizeof(out))); // UTF-8 bytes pass through
    EXPECT_STREQ("\xe4\xbd\xa0", out);
}

TEST(Url, DecodeRefusesBadEscapes)
{
    const char *bad[] = {"%", "a%", "a%2", "%zz", "%2g", "%g2", "100%"};
    for (const char *s : bad) {
        char out[64];
        SCOPED_TRACE(s);
        EXPECT_SR_ERR(SR_EINVAL, sr_url_decode(s, out, sizeof(out)));
    }
}

TEST(Url, DecodeRefusesWhatDoesNotFit)
{
    char out[4];
    EXPECT_SR_OK(sr_url_decode("abc", out, sizeof(out))); // 3 + NUL fits exactly
    EXPECT_STREQ("abc", out);
    EXPECT_SR_ERR(SR_EINVAL, sr_url_decode("abcd", out, sizeof(out)));
    EXPECT_SR_OK(sr_url_decode("%41%42%43", out, sizeof(out))); // measured after decoding
    EXPECT_STREQ("ABC", out);
    EXPECT_SR_ERR(SR_EINVAL, sr_url_decode("", out, 0));
}

// ---- requests ----

TEST(Request, PlainTcUrlUsesHostAsVhost)
{
    SrUtestRequest r = connect("rtmp://127.0.0.1:1935/live", "live", "livestream");
    EXPECT_STREQ("rtmp://127.0.0.1:1935/live", r.tc_url);
    EXPECT_STREQ("rtmp", r.schema);
    EXPECT_STREQ("127.0.0.1", r.host);
    EXPECT_EQ(1935, r.port);
    EXPECT_STREQ("127.0.0.1", r.vhost); // the config lookup falls back to __defaultVhost__
    EXPECT_STREQ("live", r.app);
    EXPECT_STREQ("livestream", r.stream);
    EXPECT_STREQ("", r.param);
    EXPECT_EQ("127.0.0.1/live/livestream", source_key(r));
    EXPECT_EQ("127.0.0.1/live/livestream", stream_url(r));
}

TEST(Request, DomainTcUrlWithoutPortUsesDefaultPort)
{
    SrUtestRequest r = connect("rtmp://demo.example.com/live", "live", "livestream");
    EXPECT_STREQ("demo.example.com", r.host);
    EXPECT_EQ(SR_DEFAULT_RTMP_PORT, r.port);
    EXPECT_STREQ("demo.example.com", r.vhost);
    r = connect("rtmp://demo.example.com:19350/live", "live", "livestream");
    EXPECT_EQ(19350, r.port);
}

TEST(Request, VhostParameterOnApp)
{
    SrUtestRequest r =
        connect("rtmp://127.0.0.1:1935/live?vhost=demo.example.com", "live?vhost=demo.example.com", "livestream");
    EXPECT_STREQ("127.0.0.1", r.host);
    EXPECT_STREQ("demo.example.com", r.vhost);
    EXPECT_STREQ("live", r.app); // the parameters leave the app name
    EXPECT_STREQ("livestream", r.stream);
    EXPECT_STREQ("?vhost=demo.example.com", r.param);
    EXPECT_EQ("demo.example.com/live/livestream", source_key(r));
    EXPECT_EQ("demo.example.com/live/livestream", stream_url(r));
}

TEST(Request, StreamParametersOverrideApp)
{
    SrUtestRequest r = connect("rtmp://127.0.0.1/live", "live?vhost=v1&token=old", "livestream?vhost=v2&token=abc");
    EXPECT_STREQ("v2", r.vhost);
    EXPECT_STREQ("livestream", r.stream);
    EXPECT_STREQ("?vhost=v2&token=abc", r.param);
    EXPECT_EQ("v2/live/livestream", source_key(r));

    // stream parameters without a vhost replace the param but keep the app's vhost
    r = connect("rtmp://127.0.0.1/live", "live?vhost=v1", "livestream?token=abc");
    EXPECT_STREQ("v1", r.vhost);
    EXPECT_STREQ("?token=abc", r.param);

    // a stream without parameters keeps the app's
    r = connect("rtmp://127.0.0.1/live", "live?vhost=v1&token=t", "livestream");
    EXPECT_STREQ("v1", r.vhost);
    EXPECT_STREQ("?vhost=v1&token=t", r.param);
}

TEST(Request, DomainParameter)
{
    SrUtestRequest r = connect("rtmp://127.0.0.1/live", "live?domain=d.example.com", "livestream");
    EXPECT_STREQ("d.example.com", r.vhost);
    r = connect("rtmp://127.0.0.1/live", "live", "livestream?domain=d2.example.com");
    EXPECT_STREQ("d2.example.com", r.vhost);
    r = connect("rtmp://127.0.0.1/live", "live?domain=d&vhost=v", "livestream"); // vhost wins
    EXPECT_STREQ("v", r.vhost);
    r = connect("rtmp://127.0.0.1/live", "live?vhost=&token=1", "livestream"); // empty: not a vhost
    EXPECT_STREQ("127.0.0.1", r.vhost);
}

TEST(Request, TrailingSlashOnApp)
{
    SrUtestRequest r = connect("rtmp://h/live/", "live/", "livestream");
    EXPECT_STREQ("live", r.app);
    EXPECT_EQ("h/live/livestream", source_key(r));
    r = connect("rtmp://h/live/", "live/?vhost=v", "livestream");
    EXPECT_STREQ("live", r.app);
    EXPECT_STREQ("v", r.vhost);
    r = connect("rtmp://h/a/b", "a/b", "s"); // an inner slash is part of the app
    EXPECT_STREQ("a/b", r.app);
}

TEST(Request, MissingTcUrlFallsBackToDefaultVhost)
{
    SrUtestRequest r = connect(nullptr, "live", "livestream");
    EXPECT_STREQ("", r.tc_url);
    EXPECT_STREQ("rtmp", r.schema);
    EXPECT_EQ(SR_DEFAULT_RTMP_PORT, r.port);
    EXPECT_STREQ(SR_DEFAULT_VHOST, r.vhost);
    EXPECT_EQ("__defaultVhost__/live/livestream", source_key(r));
    EXPECT_EQ("/live/livestream", stream_url(r)); // the default vhost is left out
    r = connect("not a url", "live?vhost=v", "livestream");
    EXPECT_STREQ("not a url", r.tc_url);
    EXPECT_STREQ("v", r.vhost);
}

TEST(Request, KeepsOtherSchemes)
{
    SrUtestRequest r = connect("rtmps://[::1]:1443/live", "live", "s");
    EXPECT_STREQ("rtmps", r.schema);
    EXPECT_STREQ("::1", r.host);
    EXPECT_EQ(1443, r.port);
    EXPECT_STREQ("::1", r.vhost);
}

// ---- the request's strings ----

TEST(Request, InitLeavesEveryFieldEmptyNotNull)
{
    sr_request_t r;
    memset(&r, 0xab, sizeof(r));
    sr_request_init(&r);
    const char *fields[] = {r.tc_url, r.page_url, r.swf_url, r.schema, r.host, r.vhost, r.app, r.stream, r.param, r.ip};
    for (const char *f : fields) {
        ASSERT_NE(nullptr, f);
        EXPECT_STREQ("", f);
    }
    EXPECT_EQ(0, r.port);
    EXPECT_EQ(0, r.object_encoding);
    sr_request_deinit(&r); // nothing was allocated
}

TEST(Request, DeinitTwiceAndOnZeroedStruct)
{
    sr_request_t r;
    sr_request_init(&r);
    sr_request_from_connect(&r, "rtmp://h/live", "live", 1935);
    sr_request_deinit(&r);
    EXPECT_STREQ("", r.vhost); // left as init leaves it
    EXPECT_STREQ("", r.tc_url);
    sr_request_deinit(&r);

    memset(&r, 0, sizeof(r)); // a zeroed struct (calloc) counts as empty
    sr_request_deinit(&r);
    EXPECT_STREQ("", r.app);
    memset(&r, 0, sizeof(r));
    sr_request_set(&r, SR_REQUEST_APP, "%s", "live"); // and may be set
    EXPECT_STREQ("live", r.app);
    sr_request_deinit(&r);
}

TEST(Request, SetFormatsAndReplaces)
{
    SrUtestRequest r;
    sr_request_set(&r, SR_REQUEST_TC_URL, "http://%s/%s", "h:8080", "live");
    EXPECT_STREQ("http://h:8080/live", r.tc_url);
    sr_request_set(&r, SR_REQUEST_TC_URL, "%s", "rtmp://x/y");
    EXPECT_STREQ("rtmp://x/y", r.tc_url);
    sr_request_set(&r, SR_REQUEST_TC_URL, "%s", "");
    EXPECT_STREQ("", r.tc_url);
    // the arguments may point into the request, even at the field being set
    sr_request_set(&r, SR_REQUEST_VHOST, "%s", "v");
    sr_request_set(&r, SR_REQUEST_VHOST, "%s.example.com", r.vhost);
    EXPECT_STREQ("v.example.com", r.vhost);
    sr_request_set(&r, SR_REQUEST_HOST, "%s", r.vhost);
    EXPECT_STREQ("v.example.com", r.host);
}

// Each field keeps the limit its fixed array had, so a peer's huge value is cut as before.
TEST(Request, SetTruncatesAtTheFieldLimit)
{
    const std::string huge(5000, 'x');
    SrUtestRequest r;
    for (int f = 0; f < SR_REQUEST_FIELD_COUNT; f++) {
        sr_request_set(&r, (sr_request_field_t)f, "%s", huge.c_str());
    }
    EXPECT_EQ(1023u, strlen(r.tc_url));
    EXPECT_EQ(511u, strlen(r.page_url));
    EXPECT_EQ(511u, strlen(r.swf_url));
    EXPECT_EQ(15u, strlen(r.schema));
    EXPECT_EQ(255u, strlen(r.host));
    EXPECT_EQ(255u, strlen(r.vhost));
    EXPECT_EQ(255u, strlen(r.app));
    EXPECT_EQ(255u, strlen(r.stream));
    EXPECT_EQ(1023u, strlen(r.param));
    EXPECT_EQ(63u, strlen(r.ip));
    sr_request_set(&r, SR_REQUEST_SCHEMA, "%s%d", "rtmp", 123456789); // 13 chars: fits
    EXPECT_STREQ("rtmp123456789", r.schema);
}

// Issue 9.3: names over the limit are refused (a name cut short could name another
// stream), with the part and its length in the trail; at the limit they are accepted.
TEST(Request, ConnectAndStreamRefuseHugeFields)
{
    const std::string huge(3000, 'a');
    const std::string app(SR_REQUEST_APP_MAX, 'p'), stream(SR_REQUEST_STREAM_MAX, 's');
    struct {
        std::string tc_url, app, stream;
        const char *what; // in the trail
    } cases[] = {
        {"rtmp://h/" + huge, "live", "s", "tcUrl of 3009 bytes"},
        {"rtmp://h/live", huge, "s", "app of 3000 bytes"},
        {"rtmp://h/live", "live?token=" + huge, "s", "parameters of 3006 bytes"},
        {"rtmp://h/live", "live?vhost=" + std::string(300, 'v'), "s", "vhost of 300 bytes"},
        {"rtmp://h/live", "live", huge, "stream name of 3000 bytes"},
        {"rtmp://h/live", "live", std::string(60000, 's'), "stream name of 60000 bytes"},
        {"rtmp://h/live", "live", "s?k=" + huge, "parameters of 3002 bytes"},
        {"rtmp://h/live", "live", "s?domain=" + std::string(256, 'd'), "vhost of 256 bytes"},
    };
    for (const auto &c : cases) {
        SrUtestRequest r;
        int rc = sr_request_from_connect(&r, c.tc_url.c_str(), c.app.c_str(), SR_DEFAULT_RTMP_PORT);
        if (rc == SR_OK) {
            rc = sr_request_set_stream(&r, c.stream.c_str());
        }
        EXPECT_EQ(-SR_ENAME_TOO_LONG, rc) << c.what;
        EXPECT_NE(nullptr, strstr(sr_err_trail(), c.what)) << sr_err_trail();
        EXPECT_LT(strlen(sr_err_trail()), 200u) << "the trail must not carry the name";
    }
    SrUtestRequest ok = connect("rtmp://h/live", app.c_str(), stream.c_str());
    EXPECT_EQ(app, ok.app);
    EXPECT_EQ(stream, ok.stream);
}

TEST(Request, CopyIsDeep)
{
    SrUtestRequest src = connect("rtmp://127.0.0.1:1936/live", "live?vhost=v1", "s?token=t");
    sr_request_set(&src, SR_REQUEST_IP, "%s", "10.0.0.1");
    src.object_encoding = 3;
    SrUtestRequest dst = connect("rtmp://other/app", "app", "old"); // what dst held is freed
    sr_request_copy(&dst, &src);
    EXPECT_STREQ("rtmp://127.0.0.1:1936/live", dst.tc_url);
    EXPECT_STREQ("v1", dst.vhost);
    EXPECT_STREQ("live", dst.app);
    EXPECT_STREQ("s", dst.stream);
    EXPECT_STREQ("?token=t", dst.param);
    EXPECT_STREQ("10.0.0.1", dst.ip);
    EXPECT_EQ(1936, dst.port);
    EXPECT_EQ(3, dst.object_encoding);
    EXPECT_NE(src.vhost, dst.vhost); // no string is shared
    sr_request_deinit(&src);         // dst outlives it
    EXPECT_STREQ("v1", dst.vhost);
    EXPECT_STREQ("?token=t", dst.param);
    sr_request_copy(&dst, &dst); // a copy onto itself changes nothing
    EXPECT_STREQ("v1", dst.vhost);

    sr_request_t zeroed;
    memset(&zeroed, 0, sizeof(zeroed)); // a zeroed destination is fine too
    sr_request_copy(&zeroed, &dst);
    EXPECT_STREQ("rtmp://127.0.0.1:1936/live", zeroed.tc_url);
    sr_request_deinit(&zeroed);
}

// The strings moved to the heap: a request no longer embeds ~4 KiB of arrays in every
// connection and HTTP viewer.
TEST(Request, StructHoldsNoStringArrays)
{
    EXPECT_LE(sizeof(sr_request_t), 128u);
}
