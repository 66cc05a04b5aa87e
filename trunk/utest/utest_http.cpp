// SPDX-License-Identifier: MIT
// utest_http.cpp: the HTTP/1.1 layer (protocol/sr_http*): the request reader over an
// in-memory io (headers, pipelining, every read split, Content-Length and chunked bodies,
// the header/count/body limits, malformed input), the path decoder and normalizer, the
// response writer's exact bytes (fixed length, chunked, HEAD, HTTP/1.0, keep-alive), and
// the hook client against tiny server coroutines on loopback (Content-Length, chunked,
// close-delimited, a server that never answers, refused connections, bad hosts).
#include <string.h>

#include <http_parser.h>

#include <string>
#include <vector>

#include "sr_http.h"
#include "sr_io.h"
#include "sr_st.h"
#include "sr_utest.h"
#include "sr_utest_st.h"

namespace
{

// Owns the input bytes, the in-memory io and a reader over it.
struct Conn {
    std::string in;
    sr_mem_io_t mem;
    sr_http_reader_t *r;
    explicit Conn(const std::string &bytes, size_t max_read = 0, const sr_http_limits_t *limits = nullptr) : in(bytes)
    {
        sr_mem_io_init(&mem, in.data(), in.size(), max_read);
        r = sr_http_reader_new(&mem.io, limits);
    }
    ~Conn()
    {
        sr_http_reader_free(r);
        sr_mem_io_deinit(&mem);
    }
    std::string out() const
    {
        return std::string((const char *)mem.out.data, mem.out.len);
    }
};

struct Req {
    sr_http_request_t v;
    Req()
    {
        sr_http_request_init(&v);
    }
    ~Req()
    {
        sr_http_request_deinit(&v);
    }
    std::string body() const
    {
        return std::string((const char *)v.body.data, v.body.len);
    }
};

// The response without its Date line, which changes every second.
std::string strip_date(const std::string &s)
{
    size_t p = s.find("Date: ");
    if (p == std::string::npos) {
        return s;
    }
    return s.substr(0, p) + s.substr(s.find("\r\n", p) + 2);
}

const char kGet[] = "GET /live/a.flv?token=abc&x=1 HTTP/1.1\r\n"
                    "Host: example.com\r\n"
                    "X-Custom-Name: v1\r\n"
                    "User-Agent: t\r\n"
                    "\r\n";
const char kPost[] = "POST /api/v1/clients HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world";
const char kChunked[] = "POST /api/chunked HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";

// ---- request reader ----

TEST(HttpReader, ParsesGetWithHeaders)
{
    Conn c(kGet);
    Req q;
    ASSERT_SR_OK(sr_http_reader_read(c.r, &q.v));
    EXPECT_EQ(HTTP_GET, q.v.method);
    EXPECT_STREQ("GET", q.v.method_name);
    EXPECT_STREQ("/live/a.flv?token=abc&x=1", q.v.target);
    EXPECT_STREQ("/live/a.flv", q.v.path);
    EXPECT_STREQ("token=abc&x=1", q.v.query);
    ASSERT_EQ(3u, q.v.header_count);
    EXPECT_STREQ("Host", q.v.headers[0].name);
    EXPECT_STREQ("example.com", q.v.headers[0].value);
    EXPECT_STREQ("X-Custom-Name", q.v.headers[1].name);
    EXPECT_STREQ("v1", sr_http_request_header(&q.v, "x-custom-name"));
    EXPECT_STREQ("t", sr_http_request_header(&q.v, "USER-AGENT"));
    EXPECT_EQ(nullptr, sr_http_request_header(&q.v, "Cookie"));
    EXPECT_EQ(1, q.v.version_major);
    EXPECT_EQ(1, q.v.version_minor);
    EXPECT_TRUE(q.v.is_keep_alive);
    EXPECT_FALSE(q.v.is_upgrade);
    EXPECT_EQ(0u, q.v.body.len);

    // the peer closing before the next request is the clean keep-alive end
    Req next;
    EXPECT_SR_ERR(SR_EPEER_CLOSED, sr_http_reader_read(c.r, &next.v));
}

TEST(HttpReader, ReadsPipelinedRequestsOneAtATime)
{
    Conn c(std::string(kPost) + kGet);
    Req a, b, end;
    ASSERT_SR_OK(sr_http_reader_read(c.r, &a.v));
    EXPECT_EQ(HTTP_POST, a.v.method);
    EXPECT_STREQ("/api/v1/clients", a.v.path);
    EXPECT_EQ("hello world", a.body());
    ASSERT_SR_OK(sr_http_reader_read(c.r, &b.v));
    EXPECT_EQ(HTTP_GET, b.v.method);
    EXPECT_STREQ("/live/a.flv", b.v.path);
    EXPECT_STREQ("example.com", sr_http_request_header(&b.v, "host"));
    EXPECT_SR_ERR(SR_EPEER_CLOSED, sr_http_reader_read(c.r, &end.v));
}

// Every read size, down to one byte at a time, gives the same three requests.
TEST(HttpReader, SameRequestsWhateverTheReadSplit)
{
    std::string all = std::string(kGet) + kPost + kChunked;
    for (size_t max_read : {1, 2, 3, 7, 64, 0}) {
        SCOPED_TRACE(max_read);
        Conn c(all, max_read);
        Req a, b, d, end;
        ASSERT_SR_OK(sr_http_reader_read(c.r, &a.v));
        EXPECT_STREQ("token=abc&x=1", a.v.query);
        EXPECT_STREQ("v1", sr_http_request_header(&a.v, "X-Custom-Name"));
        ASSERT_SR_OK(sr_http_reader_read(c.r, &b.v));
        EXPECT_EQ("hello world", b.body());
        ASSERT_SR_OK(sr_http_reader_read(c.r, &d.v));
        EXPECT_EQ("hello world", d.body());
        EXPECT_SR_ERR(SR_EPEER_CLOSED, sr_http_reader_read(c.r, &end.v));
    }
}

TEST(HttpReader, DecodesChunkedBody)
{
    Conn c(kChunked);
    Req q;
    ASSERT_SR_OK(sr_http_reader_read(c.r, &q.v));
    EXPECT_STREQ("/api/chunked", q.v.path);
    EXPECT_EQ("hello world", q.body());
    EXPECT_TRUE(q.v.is_keep_alive);
}

TEST(HttpReader, RefusesBadChunkedBody)
{
    Conn c("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
    Req q;
    EXPECT_SR_ERR(SR_EHTTP_PARSE, sr_http_reader_read(c.r, &q.v));
}

TEST(HttpReader, RefusesMalformedRequests)
{
    const char *bad[] = {
        "GARBAGE\r\n\r\n",
        "GET / HTTP/9.x\r\n\r\n",
        "GET /\x01 HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : x\r\n\r\n", // RFC 9112 5.1: no space before the colon
        // both framings at once: a request-smuggling vector
        "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    };
    for (const char *s : bad) {
        SCOPED_TRACE(s);
        Conn c(s);
        Req q;
        EXPECT_SR_ERR(SR_EHTTP_PARSE, sr_http_reader_read(c.r, &q.v));
    }
    // a NUL byte inside a header value
    std::string nul("GET / HTTP/1.1\r\nX: a");
    nul.push_back('\0');
    nul += "b\r\n\r\n";
    Conn c(nul);
    Req q;
    EXPECT_SR_ERR(SR_EHTTP_PARSE, sr_http_reader_read(c.r, &q.v));
}

TEST(HttpReader, PeerCloseMidRequestIsPeerClosed)
{
    Conn c("GET /live/a.flv HTTP/1.1\r\nHost: x\r\n");
    Req q;
    EXPECT_SR_ERR(SR_EPEER_CLOSED, sr_http_reader_read(c.r, &q.v));
    EXPECT_NE(nullptr, strstr(sr_err_trail(), "mid-request"));

    Conn body("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
    Req b;
    EXPECT_SR_ERR(SR_EPEER_CLOSED, sr_http_reader_read(body.r, &b.v));
}

TEST(HttpReader, RefusesHugeHeaders)
{
    std::string s = "GET / HTTP/1.1\r\nX-Big: " + std::string(100 * 1024, 'a') + "\r\n\r\n";
    Conn c(s);
    Req q;
    EXPECT_SR_ERR(SR_EHTTP_HEADERS_TOO_LARGE, sr_http_reader_read(c.r, &q.v));
    // the reader stopped at the limit instead of buffering everything
    EXPECT_LE(c.mem.in_pos, (size_t)SR_HTTP_MAX_HEADER_BYTES + 8192);
}

// The byte limit counts the request line, the headers and the blank line, exactly.
TEST(HttpReader, HeaderByteLimitIsExact)
{
    std::string s = "GET / HTTP/1.1\r\nX: abc\r\n\r\n";
    sr_http_limits_t lim = sr_http_limits_default();
    lim.max_header_bytes = s.size();
    for (size_t max_read : {1, 0}) {
        Conn ok(s + "GET / HTTP/1.1\r\n\r\n", max_read, &lim);
        Req a, b;
        EXPECT_SR_OK(sr_http_reader_read(ok.r, &a.v));
        EXPECT_SR_OK(sr_http_reader_read(ok.r, &b.v));
    }
    lim.max_header_bytes = s.size() - 1;
    Conn over(s, 0, &lim);
    Req q;
    EXPECT_SR_ERR(SR_EHTTP_HEADERS_TOO_LARGE, sr_http_reader_read(over.r, &q.v));
}

TEST(HttpReader, RefusesTooManyHeaders)
{
    std::string at_limit = "GET / HTTP/1.1\r\n", over = at_limit;
    for (int i = 0; i < 200; i++) {
        std::string h = "X-" + std::to_string(i) + ": v\r\n";
        over += h;
        if (i < SR_HTTP_MAX_HEADER_COUNT) {
            at_limit += h;
        }
    }
    Conn ok(at_limit + "\r\n");
    Req a;
    ASSERT_SR_OK(sr_http_reader_read(ok.r, &a.v));
    EXPECT_EQ((size_t)SR_HTTP_MAX_HEADER_COUNT, a.v.header_count);
    EXPECT_STREQ("v", sr_http_request_header(&a.v, "X-63"));

    Conn c(over + "\r\n");
    Req q;
    EXPECT_SR_ERR(SR_EHTTP_HEADERS_TOO_LARGE, sr_http_reader_read(c.r, &q.v));
}

TEST(HttpReader, RefusesBodyOverLimit)
{
    // refused from Content-Length alone, before the body arrives
    Conn c("POST / HTTP/1.1\r\nContent-Length: 2097152\r\n\r\n");
    Req q;
    EXPECT_SR_ERR(SR_EHTTP_BODY_TOO_LARGE, sr_http_reader_read(c.r, &q.v));

    // a chunked body is counted as it is decoded
    sr_http_limits_t lim = sr_http_limits_default();
    lim.max_body_bytes = 8;
    Conn ch(kChunked, 0, &lim);
    Req b;
    EXPECT_SR_ERR(SR_EHTTP_BODY_TOO_LARGE, sr_http_reader_read(ch.r, &b.v));

    lim.max_body_bytes = 11; // exactly the body: fine
    Conn fit(kChunked, 3, &lim);
    Req d;
    EXPECT_SR_OK(sr_http_reader_read(fit.r, &d.v));
}

TEST(HttpReader, KeepAliveFollowsVersionAndConnection)
{
    struct {
        const char *req;
        bool is_keep_alive;
    } cases[] = {
        {"GET / HTTP/1.1\r\n\r\n", true},
        {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false},
        {"GET / HTTP/1.0\r\n\r\n", false},
        {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
    };
    for (auto &t : cases) {
        SCOPED_TRACE(t.req);
        Conn c(t.req);
        Req q;
        ASSERT_SR_OK(sr_http_reader_read(c.r, &q.v));
        EXPECT_EQ(t.is_keep_alive, q.v.is_keep_alive);
    }
    Conn up("GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x00");
    Req q;
    ASSERT_SR_OK(sr_http_reader_read(up.r, &q.v));
    EXPECT_TRUE(q.v.is_upgrade);
}

TEST(HttpReader, SplitsOtherTargetForms)
{
    Conn c("GET http://example.com:8080/live/x.m3u8?a=1 HTTP/1.1\r\n\r\n"
           "OPTIONS * HTTP/1.1\r\n\r\n"
           "GET /?only=query HTTP/1.1\r\n\r\n");
    Req a, b, d;
    ASSERT_SR_OK(sr_http_reader_read(c.r, &a.v));
    EXPECT_STREQ("/live/x.m3u8", a.v.path);
    EXPECT_STREQ("a=1", a.v.query);
    ASSERT_SR_OK(sr_http_reader_read(c.r, &b.v));
    EXPECT_STREQ("*", b.v.path);
    EXPECT_STREQ("", b.v.query);
    ASSERT_SR_OK(sr_http_reader_read(c.r, &d.v));
    EXPECT_STREQ("/", d.v.path);
    EXPECT_STREQ("only=query", d.v.query);
}

TEST(HttpReader, PercentDecodesPathNotQuery)
{
    Conn c("GET /live/a%20b%2Fc%41.flv?q=%20 HTTP/1.1\r\n\r\n");
    Req q;
    ASSERT_SR_OK(sr_http_reader_read(c.r, &q.v));
    EXPECT_STREQ("/live/a b/cA.flv", q.v.path);
    EXPECT_STREQ("q=%20", q.v.query);
    EXPECT_STREQ("/live/a%20b%2Fc%41.flv?q=%20", q.v.target);

    for (const char *bad : {"GET /a%00b HTTP/1.1\r\n\r\n", "GET /a%zz HTTP/1.1\r\n\r\n", "GET /a%4 HTTP/1.1\r\n\r\n"}) {
        SCOPED_TRACE(bad);
        Conn b(bad);
        Req r;
        EXPECT_SR_ERR(SR_EHTTP_PARSE, sr_http_reader_read(b.r, &r.v));
    }
}

// ---- paths ----

TEST(HttpPath, DecodeReportsLengthAndRefusesNul)
{
    char out[32];
    EXPECT_EQ(4, sr_http_path_decode("/a%2Bb", 6, out, sizeof(out)));
    EXPECT_STREQ("/a+b", out);
    EXPECT_EQ(3, sr_http_path_decode("/a+", 3, out, sizeof(out)));
    EXPECT_STREQ("/a+", out);
    EXPECT_SR_ERR(SR_EHTTP_PARSE, sr_http_path_decode("/%00", 4, out, sizeof(out)));
    EXPECT_SR_ERR(SR_EHTTP_PARSE, sr_http_path_decode("/%", 2, out, sizeof(out)));
    EXPECT_SR_ERR(SR_EOVERFLOW, sr_http_path_decode("/abcdef", 7, out, 4));
}

TEST(HttpPath, NormalizesSegments)
{
    struct {
        const char *in;
        const char *out; // nullptr: refused
    } cases[] = {
        {"/", "/"},
        {"/a/b/../c", "/a/c"},
        {"//a///b/", "/a/b/"},
        {"/./a", "/a"},
        {"/a/.", "/a/"},
        {"/a/..", "/"},
        {"/a/b/..", "/a/"},
        {"/a/./b/./", "/a/b/"},
        {"/...", "/..."},
        {"/a/..b/.c", "/a/..b/.c"},
        {"/live/stream.flv", "/live/stream.flv"},
        {"/../etc/passwd", nullptr},
        {"/..", nullptr},
        {"/a/../../b", nullptr},
        {"/a/b/../../..", nullptr},
        {"relative/path", nullptr},
        {"", nullptr},
        {"/a\\..\\b", nullptr},
        {"/a\x01", nullptr},
    };
    for (auto &t : cases) {
        SCOPED_TRACE(t.in);
        char out[64];
        int rc = sr_http_path_normalize(t.in, out, sizeof(out));
        if (t.out) {
            ASSERT_SR_OK(rc);
            EXPECT_STREQ(t.out, out);
        } else {
            EXPECT_EQ(-SR_EHTTP_PARSE, rc);
        }
    }
    char small[4];
    EXPECT_SR_ERR(SR_EHTTP_PARSE, sr_http_path_normalize("/abcdef", small, sizeof(small)));
}

// A request path that decodes to ".." is caught by the normalizer, not the decoder.
TEST(HttpPath, EncodedDotsAreRefusedAfterDecoding)
{
    Conn c("GET /%2e%2e/x HTTP/1.1\r\n\r\nGET /a/%2E%2E/%2e/b HTTP/1.1\r\n\r\n");
    Req q, r;
    ASSERT_SR_OK(sr_http_reader_read(c.r, &q.v));
    EXPECT_STREQ("/../x", q.v.path);
    char out[64];
    EXPECT_SR_ERR(SR_EHTTP_PARSE, sr_http_path_normalize(q.v.path, out, sizeof(out)));
    ASSERT_SR_OK(sr_http_reader_read(c.r, &r.v));
    ASSERT_SR_OK(sr_http_path_normalize(r.v.path, out, sizeof(out)));
    EXPECT_STREQ("/b", out);
}

// ---- response writer ----

// Parse req from bytes; the Conn's output collects what the response writes.
struct Exchange {
    Conn c;
    Req q;
    explicit Exchange(const std::string &request) : c(request)
    {
        EXPECT_SR_OK(sr_http_reader_read(c.r, &q.v));
    }
};

TEST(HttpResponse, WritesFixedLength)
{
    Exchange x("GET /api/v1/versions HTTP/1.1\r\nHost: h\r\n\r\n");
    sr_http_response_t resp;
    sr_http_response_init(&resp, &x.c.mem.io, &x.q.v);
    ASSERT_SR_OK(sr_http_response_add_header(&resp, "Content-Type", "application/json"));
    ASSERT_SR_OK(sr_http_response_write_header(&resp, 10));
    ASSERT_SR_OK(sr_http_response_write(&resp, "{\"code\":", 8));
    ASSERT_SR_OK(sr_http_response_write(&resp, "0}", 2));
    ASSERT_SR_OK(sr_http_response_end(&resp));
    EXPECT_TRUE(sr_http_response_is_keep_alive(&resp));
    std::string out = x.c.out();
    EXPECT_NE(std::string::npos, out.find("\r\nDate: "));
    EXPECT_EQ("HTTP/1.1 200 OK\r\nServer: Strand/1.0\r\nContent-Type: application/json\r\n"
              "Content-Length: 10\r\nConnection: keep-alive\r\n\r\n{\"code\":0}",
              strip_date(out));
}

TEST(HttpResponse, ChunkedFramingIsExact)
{
    Exchange x("GET /live/a.flv HTTP/1.1\r\n\r\n");
    sr_http_response_t resp;
    sr_http_response_init(&resp, &x.c.mem.io, &x.q.v);
    ASSERT_SR_OK(sr_http_response_add_header(&resp, "Content-Type", "video/x-flv"));
    ASSERT_SR_OK(sr_http_response_write_header(&resp, -1));
    EXPECT_TRUE(resp.is_chunked);
    ASSERT_SR_OK(sr_http_response_write(&resp, "FLV", 3));
    ASSERT_SR_OK(sr_http_response_write(&resp, "", 0)); // writes nothing: an empty chunk would end the body
    std::string big(300, 'x');
    struct iovec iov[3] = {{(void *)"tag", 3}, {(void *)"", 0}, {(void *)big.data(), big.size()}};
    ASSERT_SR_OK(sr_http_response_writev(&resp, iov, 3));
    ASSERT_SR_OK(sr_http_response_end(&resp));
    EXPECT_TRUE(sr_http_response_is_keep_alive(&resp));
    EXPECT_EQ("HTTP/1.1 200 OK\r\nServer: Strand/1.0\r\nContent-Type: video/x-flv\r\n"
              "Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"
              "3\r\nFLV\r\n12f\r\ntag" +
                  big + "\r\n0\r\n\r\n",
              strip_date(x.c.out()));
}

// More iovecs than one writev batch still make one chunk.
TEST(HttpResponse, ChunkedWritevWithManyIovecs)
{
    Exchange x("GET /live/a.flv HTTP/1.1\r\n\r\n");
    sr_http_response_t resp;
    sr_http_response_init(&resp, &x.c.mem.io, &x.q.v);
    ASSERT_SR_OK(sr_http_response_write_header(&resp, -1));
    size_t head = x.c.mem.out.len;
    std::vector<struct iovec> iov;
    std::string expect;
    for (int i = 0; i < 200; i++) {
        iov.push_back({(void *)"ab", 2});
        expect += "ab";
    }
    ASSERT_SR_OK(sr_http_response_writev(&resp, iov.data(), (int)iov.size()));
    EXPECT_EQ("190\r\n" + expect + "\r\n", x.c.out().substr(head));
}

TEST(HttpResponse, HeadWritesNoBody)
{
    Exchange x("HEAD /index.html HTTP/1.1\r\n\r\n");
    sr_http_response_t resp;
    sr_http_response_init(&resp, &x.c.mem.io, &x.q.v);
    ASSERT_SR_OK(sr_http_response_write_header(&resp, 5));
    ASSERT_SR_OK(sr_http_response_write(&resp, "hello", 5));
    ASSERT_SR_OK(sr_http_response_end(&resp));
    EXPECT_TRUE(sr_http_response_is_keep_alive(&resp));
    EXPECT_EQ("HTTP/1.1 200 OK\r\nServer: Strand/1.0\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\n",
              strip_date(x.c.out()));
}

TEST(HttpResponse, Http10UnknownLengthIsCloseDelimited)
{
    Exchange x("GET /live/a.flv HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    ASSERT_TRUE(x.q.v.is_keep_alive);
    sr_http_response_t resp;
    sr_http_response_init(&resp, &x.c.mem.io, &x.q.v);
    ASSERT_SR_OK(sr_http_response_write_header(&resp, -1));
    EXPECT_FALSE(resp.is_chunked);
    ASSERT_SR_OK(sr_http_response_write(&resp, "FLV", 3));
    ASSERT_SR_OK(sr_http_response_end(&resp));
    EXPECT_FALSE(sr_http_response_is_keep_alive(&resp));
    EXPECT_EQ("HTTP/1.1 200 OK\r\nServer: Strand/1.0\r\nConnection: close\r\n\r\nFLV", strip_date(x.c.out()));
}

TEST(HttpResponse, Http10KeepAliveWithLength)
{
    Exchange x("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    ASSERT_SR_OK(sr_http_response_send(&x.c.mem.io, &x.q.v, 200, "text/plain", "ok", 2));
    EXPECT_EQ("HTTP/1.1 200 OK\r\nServer: Strand/1.0\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
              "Connection: keep-alive\r\n\r\nok",
              strip_date(x.c.out()));
}

TEST(HttpResponse, ConnectionCloseWhenAskedOrForced)
{
    Exchange x("GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    ASSERT_SR_OK(sr_http_response_send(&x.c.mem.io, &x.q.v, 204, nullptr, nullptr, 0));
    // 204 has no body: no framing headers
    EXPECT_EQ("HTTP/1.1 204 No Content\r\nServer: Strand/1.0\r\nConnection: close\r\n\r\n", strip_date(x.c.out()));

    Exchange y("GET / HTTP/1.1\r\n\r\n");
    sr_http_response_t resp;
    sr_http_response_init(&resp, &y.c.mem.io, &y.q.v);
    sr_http_response_set_close(&resp);
    ASSERT_SR_OK(sr_http_response_write_header(&resp, 0));
    ASSERT_SR_OK(sr_http_response_end(&resp));
    EXPECT_FALSE(sr_http_response_is_keep_alive(&resp));
    EXPECT_NE(std::string::npos, y.c.out().find("Connection: close\r\n"));
}

TEST(HttpResponse, ErrorPageWithoutRequest)
{
    sr_mem_io_t m;
    sr_mem_io_init(&m, nullptr, 0, 0);
    ASSERT_SR_OK(sr_http_response_send(&m.io, nullptr, 431, "text/plain", "too large\n", 10));
    std::string out((const char *)m.out.data, m.out.len);
    EXPECT_EQ("HTTP/1.1 431 Request Header Fields Too Large\r\nServer: Strand/1.0\r\nContent-Type: text/plain\r\n"
              "Content-Length: 10\r\nConnection: close\r\n\r\ntoo large\n",
              strip_date(out));
    sr_mem_io_deinit(&m);
}

TEST(HttpResponse, RefusesBadHeadersAndMisuse)
{
    Exchange x("GET / HTTP/1.1\r\n\r\n");
    sr_http_response_t resp;
    sr_http_response_init(&resp, &x.c.mem.io, &x.q.v);
    EXPECT_SR_ERR(SR_EINVAL, sr_http_response_add_header(&resp, "X-A", "v\r\nSet-Cookie: evil"));
    EXPECT_SR_ERR(SR_EINVAL, sr_http_response_add_header(&resp, "X A", "v"));
    EXPECT_SR_ERR(SR_EINVAL, sr_http_response_add_header(&resp, "", "v"));
    EXPECT_SR_ERR(SR_EINVAL, sr_http_response_add_header(&resp, "content-length", "5"));
    EXPECT_SR_ERR(SR_EINVAL, sr_http_response_add_header(&resp, "Connection", "close"));
    EXPECT_SR_ERR(SR_EINVAL, sr_http_response_write(&resp, "x", 1)); // before the header
    std::string v(1000, 'v');
    int rc = SR_OK;
    int added = 0;
    while ((rc = sr_http_response_add_header(&resp, "X-Fill", v.c_str())) == SR_OK) {
        added++;
    }
    EXPECT_EQ(-SR_EOVERFLOW, rc);
    EXPECT_EQ(2, added); // the buffer is bounded
    ASSERT_SR_OK(sr_http_response_write_header(&resp, 3));
    EXPECT_SR_ERR(SR_EINVAL, sr_http_response_write_header(&resp, 3));
    EXPECT_SR_ERR(SR_EINVAL, sr_http_response_add_header(&resp, "X-Late", "v"));
    EXPECT_SR_ERR(SR_EOVERFLOW, sr_http_response_write(&resp, "abcd", 4));
    ASSERT_SR_OK(sr_http_response_write(&resp, "ab", 2));
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_http_response_end(&resp));
    EXPECT_FALSE(sr_http_response_is_keep_alive(&resp));
    EXPECT_SR_ERR(SR_EINVAL, sr_http_response_write(&resp, "c", 1)); // after the end
}

TEST(HttpResponse, StatusText)
{
    EXPECT_STREQ("OK", sr_http_status_text(200));
    EXPECT_STREQ("Bad Request", sr_http_status_text(400));
    EXPECT_STREQ("Not Found", sr_http_status_text(404));
    EXPECT_STREQ("Payload Too Large", sr_http_status_text(413));
    EXPECT_STREQ("Request Header Fields Too Large", sr_http_status_text(431));
    EXPECT_STREQ("Unknown", sr_http_status_text(599));
    EXPECT_STREQ("Unknown", sr_http_status_text(-1));
}

// ---- client ----

using HttpClient = SrUtestSt;

const sr_utime_t kLong = 60 * SR_UTIME_S;

// A one-shot server: accepts one connection, reads the request head (and a body of
// its Content-Length), sends reply (unless is_silent) and closes.
struct Server {
    sr_sock_t *listener = nullptr;
    int port = 0;
    std::string reply;
    bool is_silent = false;
    std::string got;
    bool is_done = false;

    Server()
    {
        EXPECT_SR_OK(sr_sock_listen_tcp("127.0.0.1", 0, 16, &listener));
        port = listener ? sr_sock_local_port(listener) : 0;
    }
    ~Server()
    {
        sr_sock_close(listener);
    }
    std::string url(const std::string &path, const char *host = "127.0.0.1") const
    {
        return std::string("http://") + host + ":" + std::to_string(port) + path;
    }
};

bool sr_utest_http_request_done(const std::string &got)
{
    size_t end = got.find("\r\n\r\n");
    if (end == std::string::npos) {
        return false;
    }
    size_t cl = got.find("Content-Length: ");
    size_t len = cl == std::string::npos ? 0 : strtoul(got.c_str() + cl + 16, nullptr, 10);
    return got.size() >= end + 4 + len;
}

void sr_utest_http_server(void *arg)
{
    Server *s = static_cast<Server *>(arg);
    sr_sock_t *conn = nullptr;
    if (sr_sock_accept(s->listener, 5 * SR_UTIME_S, &conn) != SR_OK) {
        s->is_done = true;
        return;
    }
    char buf[1024];
    while (!sr_utest_http_request_done(s->got)) {
        size_t n = 0;
        if (sr_io_read(sr_sock_io(conn), buf, sizeof(buf), &n) != SR_OK) {
            break;
        }
        s->got.append(buf, n);
    }
    if (s->is_silent) {
        sr_usleep(kLong); // until the test stops us
    } else {
        sr_io_write(sr_sock_io(conn), s->reply.data(), s->reply.size());
    }
    sr_sock_close(conn);
    s->is_done = true;
}

TEST_F(HttpClient, PostsAndReadsContentLengthResponse)
{
    Server s;
    s.reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{\"code\":0}";
    SrUtestCo co(sr_co_start(sr_utest_http_server, &s, nullptr));
    std::string body = "{\"action\":\"on_publish\"}";
    int status = 0;
    sr_buf_t resp;
    sr_buf_init(&resp);
    EXPECT_SR_OK(sr_http_client_request("POST", s.url("/api/v1/streams?x=1").c_str(), "application/json", body.data(),
                                        body.size(), 2 * SR_UTIME_S, &status, &resp));
    EXPECT_EQ(200, status);
    EXPECT_EQ("{\"code\":0}", std::string((const char *)resp.data, resp.len));
    sr_buf_deinit(&resp);
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return s.is_done; }));
    std::string host = "Host: 127.0.0.1:" + std::to_string(s.port) + "\r\n";
    EXPECT_EQ(0u, s.got.find("POST /api/v1/streams?x=1 HTTP/1.1\r\n")) << s.got;
    EXPECT_NE(std::string::npos, s.got.find(host)) << s.got;
    EXPECT_NE(std::string::npos, s.got.find("Content-Type: application/json\r\n"));
    EXPECT_NE(std::string::npos, s.got.find("Content-Length: 23\r\n"));
    EXPECT_NE(std::string::npos, s.got.find("Connection: close\r\n"));
    EXPECT_NE(std::string::npos, s.got.find("User-Agent: Strand"));
    EXPECT_EQ("\r\n\r\n" + body, s.got.substr(s.got.size() - body.size() - 4));
}

TEST_F(HttpClient, ReadsChunkedResponseFromLocalhost)
{
    Server s;
    s.reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"co\r\n6\r\nde\":0}\r\n0\r\n\r\n";
    SrUtestCo co(sr_co_start(sr_utest_http_server, &s, nullptr));
    int status = 0;
    sr_buf_t resp;
    sr_buf_init(&resp);
    EXPECT_SR_OK(sr_http_client_request("GET", s.url("/hook", "localhost").c_str(), nullptr, nullptr, 0, 2 * SR_UTIME_S,
                                        &status, &resp));
    EXPECT_EQ(200, status);
    EXPECT_EQ("{\"code\":0}", std::string((const char *)resp.data, resp.len));
    sr_buf_deinit(&resp);
    EXPECT_EQ(std::string::npos, s.got.find("Content-Length")) << s.got; // GET without a body
}

TEST_F(HttpClient, ReadsCloseDelimitedResponseAndErrorStatus)
{
    Server s;
    s.reply = "HTTP/1.0 403 Forbidden\r\n\r\ndenied";
    SrUtestCo co(sr_co_start(sr_utest_http_server, &s, nullptr));
    int status = 0;
    sr_buf_t resp;
    sr_buf_init(&resp);
    EXPECT_SR_OK(sr_http_client_request("POST", s.url("/").c_str(), "application/json", "{}", 2, 2 * SR_UTIME_S,
                                        &status, &resp));
    EXPECT_EQ(403, status);
    EXPECT_EQ("denied", std::string((const char *)resp.data, resp.len));
    sr_buf_deinit(&resp);
}

TEST_F(HttpClient, TimesOutWhenServerNeverAnswers)
{
    Server s;
    s.is_silent = true;
    SrUtestCo co(sr_co_start(sr_utest_http_server, &s, nullptr));
    int status = -1;
    sr_utime_t start = sr_time_mono_us();
    EXPECT_SR_ERR(SR_ETIMEOUT, sr_http_client_request("POST", s.url("/").c_str(), "application/json", "{}", 2,
                                                      200 * SR_UTIME_MS, &status, nullptr));
    sr_utime_t took = sr_time_mono_us() - start;
    EXPECT_GE(took, 150 * SR_UTIME_MS);
    EXPECT_LT(took, 1500 * SR_UTIME_MS);
    EXPECT_EQ(-1, status);
}

TEST_F(HttpClient, RefusesOversizedResponseBody)
{
    Server s;
    s.reply = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n";
    SrUtestCo co(sr_co_start(sr_utest_http_server, &s, nullptr));
    EXPECT_SR_ERR(SR_EHTTP_BODY_TOO_LARGE, sr_http_client_request("GET", s.url("/").c_str(), nullptr, nullptr, 0,
                                                                  2 * SR_UTIME_S, nullptr, nullptr));
}

TEST_F(HttpClient, TruncatedResponseIsAnError)
{
    Server s;
    s.reply = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"co";
    SrUtestCo co(sr_co_start(sr_utest_http_server, &s, nullptr));
    EXPECT_SR_ERR(SR_EHTTP_CLIENT, sr_http_client_request("GET", s.url("/").c_str(), nullptr, nullptr, 0,
                                                          2 * SR_UTIME_S, nullptr, nullptr));
}

TEST_F(HttpClient, ConnectionRefused)
{
    int port = 0;
    {
        Server s; // bind a free port, then close it
        port = s.port;
    }
    std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
    EXPECT_SR_ERR(SR_ESOCKET_CONNECT,
                  sr_http_client_request("GET", url.c_str(), nullptr, nullptr, 0, 2 * SR_UTIME_S, nullptr, nullptr));
}

TEST(HttpClientUrl, RefusesNamesHttpsAndBadUrls)
{
    int status = -1;
    EXPECT_SR_ERR(SR_EINVAL, sr_http_client_request("GET", "http://example.com/hook", nullptr, nullptr, 0, SR_UTIME_S,
                                                    &status, nullptr));
    EXPECT_NE(nullptr, strstr(sr_err_trail(), "not an IP address")) << sr_err_trail();
    EXPECT_SR_ERR(SR_EUNSUPPORTED, sr_http_client_request("GET", "https://127.0.0.1/hook", nullptr, nullptr, 0,
                                                          SR_UTIME_S, &status, nullptr));
    EXPECT_NE(nullptr, strstr(sr_err_trail(), "https")) << sr_err_trail();
    EXPECT_SR_ERR(SR_EINVAL,
                  sr_http_client_request("GET", "ftp://127.0.0.1/", nullptr, nullptr, 0, SR_UTIME_S, &status, nullptr));
    EXPECT_SR_ERR(SR_EINVAL,
                  sr_http_client_request("GET", "not a url", nullptr, nullptr, 0, SR_UTIME_S, &status, nullptr));
    EXPECT_SR_ERR(SR_EINVAL, sr_http_client_request("GET", "http://127.0.0.1/a b", nullptr, nullptr, 0, SR_UTIME_S,
                                                    &status, nullptr));
    EXPECT_EQ(-1, status);
}

} // namespace

// Regression (found by fuzz_http_request): trailer fields of a chunked body were
// appended to the request's string arena after target/path/headers pointed into it,
// so a long trailer reallocated the arena under them (heap use-after-free).
TEST(HttpReader, ChunkedTrailersDoNotMoveRequestStrings)
{
    std::string in =
        "POST /x/y?q=1 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX-Trailer: " +
        std::string(600, 'A') + "\r\n\r\n";
    Conn c(in);
    Req q;
    ASSERT_SR_OK(sr_http_reader_read(c.r, &q.v));
    EXPECT_STREQ("/x/y", q.v.path);
    EXPECT_STREQ("q=1", q.v.query);
    EXPECT_STREQ("h", sr_http_request_header(&q.v, "Host"));
    EXPECT_EQ("a", q.body());
}
