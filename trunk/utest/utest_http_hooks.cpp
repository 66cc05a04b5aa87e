// SPDX-License-Identifier: MIT
// utest_http_hooks.cpp: the HTTP hooks (app/sr_http_hooks): the rule that decides
// whether a hook's answer admits a client, the JSON payload of every event (parsed back
// and checked field by field), and, with real coroutines and a tiny HTTP server on
// loopback, gated calls (allow, deny, URL order, a server that never answers, a refused
// connection), the notification queue (delivery on stop, bound, deadline) and the
// server-level API driven by a real config file.
//
// The server-level tests need sr_server_new/config/id/hooks. The full unit-test binary
// links the real sr_server.c; scripts/utest-one.sh does not (it would drag in every
// connection type), so weak stand-ins below fill in and the real ones win when linked.
#include <string.h>

#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <unistd.h>

#include "sr_alloc.h"
#include "sr_config_server.h"
#include "sr_error.h"
#include "sr_http.h"
#include "sr_http_hooks.h"
#include "sr_http_hooks_internal.h"
#include "sr_json.h"
#include "sr_request.h"
#include "sr_server.h"
#include "sr_st.h"
#include "sr_utest.h"
#include "sr_utest_request.h"
#include "sr_utest_server.h"
#include "sr_utest_st.h"

// ---- weak stand-ins for sr_server (used only when sr_server.c is not linked) ----
namespace
{
struct FakeServer {
    sr_server_config_t *config;
    struct sr_hooks *hooks;
};
} // namespace

extern "C" {
__attribute__((weak)) sr_server_t *sr_server_new(sr_server_config_t *config)
{
    FakeServer *f = new FakeServer{config, nullptr};
    return reinterpret_cast<sr_server_t *>(f);
}
__attribute__((weak)) void sr_server_free(sr_server_t *s)
{
    FakeServer *f = reinterpret_cast<FakeServer *>(s);
    sr_server_config_free(f->config);
    delete f;
}
__attribute__((weak)) const sr_server_config_t *sr_server_config(const sr_server_t *s)
{
    return reinterpret_cast<const FakeServer *>(s)->config;
}
__attribute__((weak)) const char *sr_server_id(const sr_server_t *)
{
    return "vid-fake123";
}
__attribute__((weak)) const char *sr_server_service_id(const sr_server_t *)
{
    return "svc12345";
}
__attribute__((weak)) struct sr_hooks *sr_server_hooks(const sr_server_t *s)
{
    return reinterpret_cast<const FakeServer *>(s)->hooks;
}
__attribute__((weak)) void sr_server_set_hooks(sr_server_t *s, struct sr_hooks *hooks)
{
    reinterpret_cast<FakeServer *>(s)->hooks = hooks;
}
}

namespace
{

// ======================================================================
// answers
// ======================================================================

bool ok(int status, const std::string &body)
{
    return sr_hooks__is_success(status, body.data(), body.size());
}

TEST(HttpHooks, AcceptsZeroAndCodeZero)
{
    EXPECT_TRUE(ok(200, "0"));
    EXPECT_TRUE(ok(200, "0\n"));
    EXPECT_TRUE(ok(200, " \r\n0\r\n"));
    EXPECT_TRUE(ok(200, "{\"code\":0}"));
    EXPECT_TRUE(ok(200, "{\"code\":0,\"data\":1}"));
    EXPECT_TRUE(ok(200, " { \"data\": {\"x\": [1,2]}, \"code\" : 0 }\n"));
    EXPECT_TRUE(ok(201, "{\"code\":0}")); // SRS accepts 201 too
    EXPECT_TRUE(sr_hooks__is_success(200, "0 trailing garbage", 1));
}

TEST(HttpHooks, RefusesEverythingElse)
{
    EXPECT_FALSE(ok(200, "{\"code\":1}"));
    EXPECT_FALSE(ok(200, "{\"code\":403}"));
    EXPECT_FALSE(ok(200, ""));
    EXPECT_FALSE(ok(200, "  \n"));
    EXPECT_FALSE(ok(200, "ok"));
    EXPECT_FALSE(ok(200, "1"));
    EXPECT_FALSE(ok(200, "00"));
    EXPECT_FALSE(ok(200, "0.0"));
    EXPECT_FALSE(ok(200, "{\"code\":\"0\"}"));
    EXPECT_FALSE(ok(200, "{\"code\":null}"));
    EXPECT_FALSE(ok(200, "{\"code\":0.5}"));
    EXPECT_FALSE(ok(200, "{\"data\":0}"));
    EXPECT_FALSE(ok(200, "{\"code\":0"));
    EXPECT_FALSE(ok(200, "[0]"));
    EXPECT_FALSE(ok(403, "0"));
    EXPECT_FALSE(ok(403, "{\"code\":0}"));
    EXPECT_FALSE(ok(500, ""));
    EXPECT_FALSE(ok(204, ""));
    EXPECT_FALSE(ok(0, "0"));
    EXPECT_FALSE(sr_hooks__is_success(200, nullptr, 0));
}

// ======================================================================
// payloads
// ======================================================================

SrUtestRequest make_request(const char *tc_url, const char *app, const char *stream)
{
    SrUtestRequest r;
    sr_request_from_connect(&r, tc_url, app, 1935);
    if (stream) {
        sr_request_set_stream(&r, stream);
    }
    if (strcmp(r.vhost, "127.0.0.1") == 0) {
        // what the connection does once the vhost resolved to the default one
        sr_request_set(&r, SR_REQUEST_VHOST, "%s", "__defaultVhost__");
    }
    sr_request_set(&r, SR_REQUEST_IP, "%s", "10.0.0.7");
    sr_request_set(&r, SR_REQUEST_PAGE_URL, "%s", "http://example.com/player.html");
    return r;
}

// The payload of e, parsed back (the caller frees it).
sr_json_t *payload_of(const sr_hooks__event_t &e)
{
    sr_buf_t out;
    sr_buf_init(&out);
    int rc = sr_hooks__payload(&e, &out);
    sr_json_t *root = nullptr;
    if (rc == SR_OK) {
        rc = sr_json_parse(reinterpret_cast<const char *>(out.data), out.len, &root);
    }
    sr_buf_deinit(&out);
    EXPECT_SR_OK(rc);
    return root;
}

std::string str(const sr_json_t *root, const char *key)
{
    const char *s = sr_json_string(sr_json_get(root, key), nullptr);
    return s ? s : "<not a string>";
}

std::vector<std::string> keys(const sr_json_t *root)
{
    std::vector<std::string> v;
    for (size_t i = 0; i < sr_json_object_count(root); i++) {
        v.push_back(sr_json_object_key_at(root, i));
    }
    return v;
}

sr_hooks__event_t event(sr_hook_event_t ev, const sr_request_t *r)
{
    sr_hooks__event_t e;
    memset(&e, 0, sizeof(e));
    e.ev = ev;
    e.server_id = "vid-abcdefg";
    e.service_id = "svc00001";
    e.client_id = "cid12345";
    e.stream_id = "src00042";
    e.req = r;
    return e;
}

const std::vector<std::string> kCommon = {"server_id", "service_id", "action", "client_id", "ip", "vhost", "app"};

std::vector<std::string> with(std::vector<std::string> extra)
{
    std::vector<std::string> v = kCommon;
    v.insert(v.end(), extra.begin(), extra.end());
    return v;
}

TEST(HttpHooks, PayloadOnConnect)
{
    SrUtestRequest r = make_request("rtmp://127.0.0.1:1935/live?token=t1", "live?token=t1", nullptr);
    sr_json_t *p = payload_of(event(SR_HOOK_ON_CONNECT, &r));
    ASSERT_NE(nullptr, p);
    EXPECT_EQ(with({"tcUrl", "stream", "param", "pageUrl"}), keys(p));
    EXPECT_EQ("vid-abcdefg", str(p, "server_id"));
    EXPECT_EQ("svc00001", str(p, "service_id"));
    EXPECT_EQ("on_connect", str(p, "action"));
    EXPECT_EQ("cid12345", str(p, "client_id"));
    EXPECT_EQ("10.0.0.7", str(p, "ip"));
    EXPECT_EQ("__defaultVhost__", str(p, "vhost"));
    EXPECT_EQ("live", str(p, "app"));
    EXPECT_EQ(std::string(r.tc_url), str(p, "tcUrl"));
    EXPECT_EQ("", str(p, "stream"));
    EXPECT_EQ("?token=t1", str(p, "param"));
    EXPECT_EQ("http://example.com/player.html", str(p, "pageUrl"));
    sr_json_free(p);
}

TEST(HttpHooks, PayloadOnClose)
{
    SrUtestRequest r = make_request("rtmp://127.0.0.1/live", "live", "livestream");
    sr_hooks__event_t e = event(SR_HOOK_ON_CLOSE, &r);
    e.send_bytes = 123456789012ULL;
    e.recv_bytes = 42;
    sr_json_t *p = payload_of(e);
    ASSERT_NE(nullptr, p);
    EXPECT_EQ(with({"send_bytes", "recv_bytes"}), keys(p));
    EXPECT_EQ("on_close", str(p, "action"));
    int64_t v = 0;
    EXPECT_TRUE(sr_json_int(sr_json_get(p, "send_bytes"), &v));
    EXPECT_EQ(123456789012LL, v);
    EXPECT_TRUE(sr_json_int(sr_json_get(p, "recv_bytes"), &v));
    EXPECT_EQ(42, v);
    sr_json_free(p);
}

TEST(HttpHooks, PayloadPublishAndUnpublish)
{
    SrUtestRequest r = make_request("rtmp://127.0.0.1:1935/live", "live", "livestream?token=secret1");
    const sr_hook_event_t evs[] = {SR_HOOK_ON_PUBLISH, SR_HOOK_ON_UNPUBLISH};
    const char *names[] = {"on_publish", "on_unpublish"};
    for (int i = 0; i < 2; i++) {
        sr_json_t *p = payload_of(event(evs[i], &r));
        ASSERT_NE(nullptr, p);
        EXPECT_EQ(with({"tcUrl", "stream", "param", "stream_url", "stream_id"}), keys(p));
        EXPECT_EQ(names[i], str(p, "action"));
        EXPECT_EQ("livestream", str(p, "stream"));
        EXPECT_EQ("?token=secret1", str(p, "param"));
        EXPECT_EQ("/live/livestream", str(p, "stream_url"));
        EXPECT_EQ("src00042", str(p, "stream_id"));
        sr_json_free(p);
    }
}

TEST(HttpHooks, PayloadPlayAndStop)
{
    SrUtestRequest r = make_request("rtmp://127.0.0.1/live", "live", "livestream?vhost=v.example.com&token=x");
    const sr_hook_event_t evs[] = {SR_HOOK_ON_PLAY, SR_HOOK_ON_STOP};
    const char *names[] = {"on_play", "on_stop"};
    for (int i = 0; i < 2; i++) {
        sr_json_t *p = payload_of(event(evs[i], &r));
        ASSERT_NE(nullptr, p);
        EXPECT_EQ(with({"tcUrl", "stream", "param", "pageUrl", "stream_url", "stream_id"}), keys(p));
        EXPECT_EQ(names[i], str(p, "action"));
        EXPECT_EQ("v.example.com", str(p, "vhost"));
        EXPECT_EQ("v.example.com/live/livestream", str(p, "stream_url")); // vhost prefixed when not default
        EXPECT_EQ("http://example.com/player.html", str(p, "pageUrl"));
        sr_json_free(p);
    }
}

TEST(HttpHooks, PayloadEscapesPeerStringsAndNulls)
{
    SrUtestRequest r = make_request("rtmp://127.0.0.1/live", "live", "a\"b\\c");
    sr_request_set(&r, SR_REQUEST_PAGE_URL, "%s", "x\n\x01\xff");
    sr_hooks__event_t e = event(SR_HOOK_ON_PLAY, &r);
    e.client_id = nullptr;
    e.stream_id = nullptr;
    sr_json_t *p = payload_of(e);
    ASSERT_NE(nullptr, p);
    EXPECT_EQ("a\"b\\c", str(p, "stream"));
    EXPECT_EQ("x\n\x01\xef\xbf\xbd", str(p, "pageUrl")); // invalid UTF-8 becomes U+FFFD
    EXPECT_EQ("", str(p, "client_id"));
    EXPECT_EQ("", str(p, "stream_id"));
    sr_json_free(p);
}

TEST(HttpHooks, NoPayloadForOtherEvents)
{
    SrUtestRequest r = make_request("rtmp://127.0.0.1/live", "live", "s");
    sr_buf_t out;
    sr_buf_init(&out);
    sr_hooks__event_t e = event(SR_HOOK_ON_DVR, &r);
    EXPECT_SR_ERR(SR_EINVAL, sr_hooks__payload(&e, &out));
    sr_buf_deinit(&out);
}

// ======================================================================
// a tiny hook server on loopback
// ======================================================================

struct Call {
    std::string path;
    std::string body;
    std::string timestamp; // X-Strand-Timestamp, "" when absent
    std::string signature; // X-Strand-Signature
};

struct Answer {
    int status;
    std::string body;
};

// Accepts connections one at a time, reads one request each, records it and answers
// with answer(path, body). The accept loop polls so a stop always ends it.
struct HookServer {
    sr_sock_t *listener = nullptr;
    int port = 0;
    std::vector<Call> calls;
    std::function<Answer(const Call &)> answer = [](const Call &) { return Answer{200, "{\"code\":0}"}; };

    HookServer()
    {
        EXPECT_SR_OK(sr_sock_listen_tcp("127.0.0.1", 0, 16, &listener));
        port = listener ? sr_sock_local_port(listener) : 0;
    }
    ~HookServer()
    {
        sr_sock_close(listener);
    }
    std::string url(const std::string &path) const
    {
        return "http://127.0.0.1:" + std::to_string(port) + path;
    }
    void serve(sr_sock_t *c)
    {
        sr_sock_set_timeouts(c, SR_UTIME_S, SR_UTIME_S);
        sr_http_reader_t *r = sr_http_reader_new(sr_sock_io(c), nullptr);
        sr_http_request_t req;
        if (sr_http_reader_read(r, &req) == SR_OK) {
            const char *ts = sr_http_request_header(&req, "X-Strand-Timestamp");
            const char *sig = sr_http_request_header(&req, "X-Strand-Signature");
            Call call{req.path, std::string(reinterpret_cast<const char *>(req.body.data), req.body.len), ts ? ts : "",
                      sig ? sig : ""};
            calls.push_back(call);
            Answer a = answer(call);
            sr_http_response_send(sr_sock_io(c), &req, a.status, "application/json", a.body.data(), a.body.size());
        }
        sr_http_request_deinit(&req);
        sr_http_reader_free(r);
        sr_sock_close(c);
    }
    static void cycle(void *arg)
    {
        HookServer *s = static_cast<HookServer *>(arg);
        while (sr_co_pull() == SR_OK) {
            sr_sock_t *c = nullptr;
            int rc = sr_sock_accept(s->listener, 50 * SR_UTIME_MS, &c);
            if (rc == SR_OK) {
                s->serve(c);
            } else if (sr_err_is_interrupted(rc)) {
                break;
            }
        }
    }
};

// A port where nothing listens: bound, then closed.
int closed_port()
{
    sr_sock_t *l = nullptr;
    if (sr_sock_listen_tcp("127.0.0.1", 0, 1, &l) != SR_OK) {
        return 1;
    }
    int port = sr_sock_local_port(l);
    sr_sock_close(l);
    return port;
}

using HttpHooksSt = SrUtestSt;

const sr_utime_t kShort = 300 * SR_UTIME_MS;

int call_with(const std::vector<std::string> &urls, const std::string &body, const sr_hooks__opts_t &o)
{
    std::vector<char *> v;
    for (const std::string &u : urls) {
        v.push_back(const_cast<char *>(u.c_str()));
    }
    return sr_hooks__call("on_publish", "cid00001", v.data(), (int)v.size(), body.data(), body.size(), &o);
}

int call(const std::vector<std::string> &urls, const std::string &body, sr_utime_t timeout_us = SR_HOOK_TIMEOUT_US)
{
    sr_hooks__opts_t o = {};
    o.timeout_us = timeout_us;
    return call_with(urls, body, o);
}

TEST_F(HttpHooksSt, AllowsWhenEveryUrlAccepts)
{
    HookServer hs;
    SrUtestCo co(sr_co_start(HookServer::cycle, &hs, nullptr));
    EXPECT_SR_OK(call({hs.url("/a"), hs.url("/b")}, "{\"x\":1}"));
    ASSERT_EQ(2u, hs.calls.size());
    EXPECT_EQ("/a", hs.calls[0].path);
    EXPECT_EQ("/b", hs.calls[1].path);
    EXPECT_EQ("{\"x\":1}", hs.calls[0].body);
}

TEST_F(HttpHooksSt, FirstRefusalDecidesAndLaterUrlsAreNotCalled)
{
    HookServer hs;
    hs.answer = [](const Call &c) { return c.path == "/b" ? Answer{200, "{\"code\":403}"} : Answer{200, "0"}; };
    SrUtestCo co(sr_co_start(HookServer::cycle, &hs, nullptr));
    EXPECT_SR_ERR(SR_EHTTP_DENIED, call({hs.url("/a"), hs.url("/b"), hs.url("/c")}, "{}"));
    std::string trail = sr_err_trail();
    EXPECT_NE(std::string::npos, trail.find(hs.url("/b"))) << trail;
    EXPECT_NE(std::string::npos, trail.find("status=200")) << trail;
    EXPECT_NE(std::string::npos, trail.find("{\"code\":403}")) << trail;
    ASSERT_EQ(2u, hs.calls.size());
    EXPECT_EQ("/a", hs.calls[0].path);
    EXPECT_EQ("/b", hs.calls[1].path);

    // the first URL refusing: nothing else is called
    hs.calls.clear();
    hs.answer = [](const Call &) { return Answer{403, "0"}; };
    EXPECT_SR_ERR(SR_EHTTP_DENIED, call({hs.url("/a"), hs.url("/b")}, "{}"));
    EXPECT_EQ(1u, hs.calls.size());
    EXPECT_NE(std::string::npos, std::string(sr_err_trail()).find("status=403")) << sr_err_trail();
}

TEST_F(HttpHooksSt, RefusalQuotesALongAnswerShortened)
{
    HookServer hs;
    hs.answer = [](const Call &) { return Answer{500, std::string(1000, 'x') + "\n"}; };
    SrUtestCo co(sr_co_start(HookServer::cycle, &hs, nullptr));
    EXPECT_SR_ERR(SR_EHTTP_DENIED, call({hs.url("/a")}, "{}"));
    std::string trail = sr_err_trail();
    EXPECT_NE(std::string::npos, trail.find(std::string(SR_HOOKS_ANSWER_LOG_BYTES, 'x') + "...")) << trail;
    EXPECT_EQ(std::string::npos, trail.find(std::string(SR_HOOKS_ANSWER_LOG_BYTES + 1, 'x'))) << trail;
}

TEST_F(HttpHooksSt, SilentServerRefusesWithinTheTimeout)
{
    // listening but never accepting: connect succeeds (backlog), no answer ever comes
    sr_sock_t *l = nullptr;
    ASSERT_SR_OK(sr_sock_listen_tcp("127.0.0.1", 0, 4, &l));
    std::string url = "http://127.0.0.1:" + std::to_string(sr_sock_local_port(l)) + "/api/v1/streams";
    sr_utime_t start = sr_time_mono_us();
    EXPECT_SR_ERR(SR_EHTTP_DENIED, call({url}, "{}", kShort));
    sr_utime_t took = sr_time_mono_us() - start;
    EXPECT_GE(took, kShort - 20 * SR_UTIME_MS);
    EXPECT_LT(took, kShort + 500 * SR_UTIME_MS);
    EXPECT_NE(std::string::npos, std::string(sr_err_trail()).find(url)) << sr_err_trail();
    EXPECT_NE(std::string::npos, std::string(sr_err_trail()).find("ETIMEOUT")) << sr_err_trail();
    sr_sock_close(l);
}

TEST_F(HttpHooksSt, SilentServerDoesNotStallOtherCoroutines)
{
    sr_sock_t *l = nullptr;
    ASSERT_SR_OK(sr_sock_listen_tcp("127.0.0.1", 0, 4, &l));
    struct Ticker {
        int ticks = 0;
        static void cycle(void *arg)
        {
            while (sr_usleep(10 * SR_UTIME_MS) == SR_OK) {
                static_cast<Ticker *>(arg)->ticks++;
            }
        }
    } t;
    SrUtestCo co(sr_co_start(Ticker::cycle, &t, nullptr));
    std::string url = "http://127.0.0.1:" + std::to_string(sr_sock_local_port(l)) + "/";
    EXPECT_SR_ERR(SR_EHTTP_DENIED, call({url}, "{}", kShort));
    EXPECT_GE(t.ticks, 10); // about 30 in 300 ms
    co.stop();
    sr_sock_close(l);
}

TEST_F(HttpHooksSt, ConnectionRefusedRefuses)
{
    std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/api/v1/streams";
    sr_utime_t start = sr_time_mono_us();
    EXPECT_SR_ERR(SR_EHTTP_DENIED, call({url}, "{}"));
    EXPECT_LT(sr_time_mono_us() - start, SR_UTIME_S);
    EXPECT_NE(std::string::npos, std::string(sr_err_trail()).find(url)) << sr_err_trail();
}

TEST_F(HttpHooksSt, BadUrlRefuses)
{
    EXPECT_SR_ERR(SR_EHTTP_DENIED, call({"http://hooks.example.com/x"}, "{}")); // names are not resolved
    EXPECT_SR_ERR(SR_EHTTP_DENIED, call({"https://127.0.0.1/x"}, "{}"));
}

// ---- on_hook_error allow ----

sr_hooks__opts_t allow_on_error(sr_utime_t timeout_us = SR_HOOK_TIMEOUT_US)
{
    sr_hooks__opts_t o = {};
    o.timeout_us = timeout_us;
    o.is_error_allow = true;
    return o;
}

TEST_F(HttpHooksSt, ErrorAllowAdmitsWhenTheHookCannotBeAsked)
{
    // refused connection, then a server that never answers: both admitted, and the next URL is still asked
    HookServer hs;
    SrUtestCo co(sr_co_start(HookServer::cycle, &hs, nullptr));
    std::string down = "http://127.0.0.1:" + std::to_string(closed_port()) + "/x";
    EXPECT_SR_OK(call_with({down, hs.url("/next")}, "{}", allow_on_error()));
    ASSERT_EQ(1u, hs.calls.size());
    EXPECT_EQ("/next", hs.calls[0].path);
    sr_sock_t *l = nullptr;
    ASSERT_SR_OK(sr_sock_listen_tcp("127.0.0.1", 0, 4, &l));
    std::string silent = "http://127.0.0.1:" + std::to_string(sr_sock_local_port(l)) + "/";
    sr_utime_t start = sr_time_mono_us();
    EXPECT_SR_OK(call_with({silent}, "{}", allow_on_error(kShort)));
    EXPECT_LT(sr_time_mono_us() - start, kShort + 500 * SR_UTIME_MS);
    sr_sock_close(l);
    // the same failures refuse by default (refuse is today's behaviour)
    EXPECT_SR_ERR(SR_EHTTP_DENIED, call({down}, "{}"));
}

TEST_F(HttpHooksSt, ErrorAllowStillRefusesAnAnswerThatRefusesAndABadUrl)
{
    HookServer hs;
    hs.answer = [](const Call &c) { return c.path == "/deny" ? Answer{200, "{\"code\":403}"} : Answer{500, "oops"}; };
    SrUtestCo co(sr_co_start(HookServer::cycle, &hs, nullptr));
    EXPECT_SR_ERR(SR_EHTTP_DENIED, call_with({hs.url("/deny")}, "{}", allow_on_error()));
    EXPECT_SR_ERR(SR_EHTTP_DENIED, call_with({hs.url("/500")}, "{}", allow_on_error())); // an answer: refuses
    EXPECT_SR_ERR(SR_EHTTP_DENIED, call_with({"http://hooks.example.com/x"}, "{}", allow_on_error()));
    EXPECT_EQ(2u, hs.calls.size());
}

// ---- signatures ----

std::string hex(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < n; i++) {
        out += digits[p[i] >> 4];
        out += digits[p[i] & 15];
    }
    return out;
}

std::string hmac(const std::string &key, const std::string &data)
{
    uint8_t mac[32];
    sr_hooks__hmac_sha256(key.data(), key.size(), data.data(), data.size(), mac);
    return hex(mac, sizeof(mac));
}

TEST(HttpHooks, HmacSha256MatchesRfc4231)
{
    // RFC 4231 4.2 (test case 1), 4.3 (2), 4.7 (6: a key longer than the block)
    EXPECT_EQ("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
              hmac(std::string(20, '\x0b'), "Hi There"));
    EXPECT_EQ("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
              hmac("Jefe", "what do ya want for nothing?"));
    EXPECT_EQ("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
              hmac(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"));
}

TEST(HttpHooks, SignatureCoversTimestampAndExactBody)
{
    char sig[SR_HOOKS_SIGNATURE_HEX + 1];
    const std::string body = "{\"action\":\"on_publish\"}";
    sr_hooks__sign("s3cret", 1700000000, body.data(), body.size(), sig);
    EXPECT_EQ(hmac("s3cret", "1700000000." + body), sig);
    // a vector computed outside Strand (Python hmac.new(b"s3cret", b"1700000000." + body, sha256))
    EXPECT_STREQ("db19dc5159003b75098e87a7b7e6f3dc24281e32a080a904cf94b090cd8499de", sig);
    char other[SR_HOOKS_SIGNATURE_HEX + 1];
    sr_hooks__sign("s3cret", 1700000001, body.data(), body.size(), other);
    EXPECT_STRNE(sig, other);
    sr_hooks__sign("s3cret", 1700000000, body.data(), body.size() - 1, other);
    EXPECT_STRNE(sig, other);
}

TEST_F(HttpHooksSt, SignedCallsCarryTimestampAndSignature)
{
    HookServer hs;
    SrUtestCo co(sr_co_start(HookServer::cycle, &hs, nullptr));
    sr_hooks__opts_t o = {};
    snprintf(o.secret, sizeof(o.secret), "%s", "k3y");
    o.timeout_us = SR_HOOK_TIMEOUT_US;
    int64_t before = sr_time_wall_us() / SR_UTIME_S;
    EXPECT_SR_OK(call_with({hs.url("/signed")}, "{\"x\":1}", o));
    EXPECT_SR_OK(call({hs.url("/plain")}, "{}"));
    ASSERT_EQ(2u, hs.calls.size());
    const Call &c = hs.calls[0];
    int64_t ts = atoll(c.timestamp.c_str());
    EXPECT_GE(ts, before);
    EXPECT_LE(ts, before + 2);
    EXPECT_EQ("sha256=" + hmac("k3y", c.timestamp + "." + c.body), c.signature);
    EXPECT_EQ("", hs.calls[1].timestamp); // no secret: unsigned
    EXPECT_EQ("", hs.calls[1].signature);
}

// ======================================================================
// notification queue
// ======================================================================

bool push(sr_hooks_t *h, const std::vector<std::string> &urls, const std::string &body)
{
    std::vector<char *> v;
    for (const std::string &u : urls) {
        v.push_back(const_cast<char *>(u.c_str()));
    }
    sr_buf_t b;
    sr_buf_init(&b);
    sr_buf_put_bytes(&b, body.data(), body.size());
    bool is_queued = sr_hooks__push(h, "on_stop", "cid00002", v.data(), (int)v.size(), &b, nullptr);
    EXPECT_EQ(0u, b.len); // taken either way
    sr_buf_deinit(&b);
    return is_queued;
}

TEST_F(HttpHooksSt, QueueDeliversInOrderAndEveryUrlEvenAfterAFailure)
{
    HookServer hs;
    hs.answer = [](const Call &c) { return c.path == "/a" ? Answer{500, ""} : Answer{200, "0"}; };
    SrUtestCo co(sr_co_start(HookServer::cycle, &hs, nullptr));
    sr_hooks_t *h = sr_hooks__new(SR_HOOK_TIMEOUT_US, 10);
    EXPECT_TRUE(push(h, {hs.url("/a"), hs.url("/b")}, "1"));
    EXPECT_TRUE(push(h, {hs.url("/b")}, "2"));
    EXPECT_EQ(2, sr_hooks__pending(h));
    EXPECT_TRUE(sr_utest_st_wait_until([&] { return sr_hooks__pending(h) == 0; }));
    ASSERT_EQ(3u, hs.calls.size());
    EXPECT_EQ("/a", hs.calls[0].path);
    EXPECT_EQ("/b", hs.calls[1].path);
    EXPECT_EQ("1", hs.calls[1].body);
    EXPECT_EQ("2", hs.calls[2].body);
    EXPECT_EQ(0u, sr_hooks__dropped(h));
    sr_hooks__free(h, sr_time_mono_us() + SR_UTIME_S);
}

TEST_F(HttpHooksSt, StopDeliversWhatIsPending)
{
    HookServer hs;
    SrUtestCo co(sr_co_start(HookServer::cycle, &hs, nullptr));
    sr_hooks_t *h = sr_hooks__new(SR_HOOK_TIMEOUT_US, 10);
    for (int i = 0; i < 5; i++) {
        EXPECT_TRUE(push(h, {hs.url("/s")}, std::to_string(i)));
    }
    EXPECT_TRUE(hs.calls.empty()); // nothing sent before a yield
    sr_hooks__free(h, sr_time_mono_us() + 5 * SR_UTIME_S);
    ASSERT_EQ(5u, hs.calls.size());
    for (int i = 0; i < 5; i++) {
        EXPECT_EQ(std::to_string(i), hs.calls[i].body);
    }
}

TEST_F(HttpHooksSt, QueueIsBounded)
{
    HookServer hs;
    SrUtestCo co(sr_co_start(HookServer::cycle, &hs, nullptr));
    sr_hooks_t *h = sr_hooks__new(SR_HOOK_TIMEOUT_US, 3);
    int queued = 0;
    for (int i = 0; i < 10; i++) {
        queued += push(h, {hs.url("/s")}, std::to_string(i)) ? 1 : 0;
    }
    EXPECT_EQ(3, queued);
    EXPECT_EQ(7u, sr_hooks__dropped(h));
    sr_hooks__free(h, sr_time_mono_us() + 5 * SR_UTIME_S);
    EXPECT_EQ(3u, hs.calls.size());
}

TEST_F(HttpHooksSt, StopKeepsItsDeadlineWithASilentServer)
{
    sr_sock_t *l = nullptr;
    ASSERT_SR_OK(sr_sock_listen_tcp("127.0.0.1", 0, 4, &l));
    std::string url = "http://127.0.0.1:" + std::to_string(sr_sock_local_port(l)) + "/";
    sr_hooks_t *h = sr_hooks__new(SR_HOOK_TIMEOUT_US, 10);
    for (int i = 0; i < 3; i++) {
        EXPECT_TRUE(push(h, {url}, "x"));
    }
    sr_utime_t start = sr_time_mono_us();
    sr_hooks__free(h, start + kShort);
    sr_utime_t took = sr_time_mono_us() - start;
    EXPECT_LT(took, kShort + 500 * SR_UTIME_MS);
    sr_sock_close(l);
}

// ======================================================================
// server-level API
// ======================================================================

// A config file with http_hooks pointing at hs, loaded into a server.
struct ServerWithHooks : SrUtestServer {
    explicit ServerWithHooks(const std::string &hooks_block)
        : SrUtestServer("listen 1935;\nvhost __defaultVhost__ {\n    http_hooks {\n" + hooks_block + "    }\n}\n")
    {
    }
};

// Accept by token, as research/api-server does.
Answer by_token(const Call &c)
{
    sr_json_t *p = nullptr;
    if (sr_json_parse(c.body.data(), c.body.size(), &p) != SR_OK) {
        return Answer{400, "bad json"};
    }
    std::string param = str(p, "param");
    sr_json_free(p);
    return param.find("token=secret1") != std::string::npos ? Answer{200, "{\"code\":0}"}
                                                            : Answer{200, "{\"code\":403}"};
}

TEST_F(HttpHooksSt, ServerGatesPublishByToken)
{
    HookServer hs;
    hs.answer = by_token;
    SrUtestCo co(sr_co_start(HookServer::cycle, &hs, nullptr));
    ServerWithHooks sv("        enabled on;\n        on_publish " + hs.url("/api/v1/streams") + ";\n        on_play " +
                       hs.url("/api/v1/sessions") + ";\n");
    ASSERT_NE(nullptr, sv.s);
    SrUtestRequest good = make_request("rtmp://127.0.0.1/live", "live", "livestream?token=secret1");
    SrUtestRequest bad = make_request("rtmp://127.0.0.1/live", "live", "livestream?token=nope");
    EXPECT_SR_OK(sr_hooks_on_publish(sv.s, "cidpub01", &good, "src00001"));
    EXPECT_SR_ERR(SR_EHTTP_DENIED, sr_hooks_on_publish(sv.s, "cidpub02", &bad, "src00001"));
    EXPECT_SR_ERR(SR_EHTTP_DENIED, sr_hooks_on_play(sv.s, "cidply01", &bad, "src00001"));
    EXPECT_SR_OK(sr_hooks_on_connect(sv.s, "cidcon01", &bad)); // no on_connect URL: allowed
    ASSERT_EQ(3u, hs.calls.size());
    sr_json_t *p = nullptr;
    ASSERT_SR_OK(sr_json_parse(hs.calls[0].body.data(), hs.calls[0].body.size(), &p));
    EXPECT_EQ("on_publish", str(p, "action"));
    EXPECT_EQ("cidpub01", str(p, "client_id"));
    EXPECT_EQ(std::string(sr_server_id(sv.s)), str(p, "server_id"));
    EXPECT_EQ(std::string(sr_server_service_id(sv.s)), str(p, "service_id"));
    EXPECT_EQ("/live/livestream", str(p, "stream_url"));
    sr_json_free(p);
    EXPECT_EQ("/api/v1/sessions", hs.calls[2].path);
}

TEST_F(HttpHooksSt, ServerWithHooksDisabledAllowsWithoutCalling)
{
    HookServer hs;
    hs.answer = [](const Call &) { return Answer{403, ""}; };
    SrUtestCo co(sr_co_start(HookServer::cycle, &hs, nullptr));
    ServerWithHooks sv("        enabled off;\n        on_publish " + hs.url("/x") + ";\n        on_close " +
                       hs.url("/x") + ";\n");
    ASSERT_NE(nullptr, sv.s);
    SrUtestRequest r = make_request("rtmp://127.0.0.1/live", "live", "livestream");
    EXPECT_SR_OK(sr_hooks_on_publish(sv.s, "cid1", &r, "src1"));
    sr_hooks_on_close(sv.s, "cid1", &r, 1, 2);
    EXPECT_EQ(nullptr, sr_server_hooks(sv.s)); // nothing to send: no worker started
    sr_hooks_stop(sv.s, sr_time_mono_us() + SR_UTIME_S);
    EXPECT_TRUE(hs.calls.empty());
}

TEST_F(HttpHooksSt, ServerNotificationsGoOutOnStop)
{
    HookServer hs;
    SrUtestCo co(sr_co_start(HookServer::cycle, &hs, nullptr));
    ServerWithHooks sv("        enabled on;\n        on_unpublish " + hs.url("/api/v1/streams") +
                       ";\n        on_stop " + hs.url("/api/v1/sessions") + ";\n        on_close " +
                       hs.url("/api/v1/clients") + " " + hs.url("/second") + ";\n");
    ASSERT_NE(nullptr, sv.s);
    SrUtestRequest r = make_request("rtmp://127.0.0.1/live", "live", "livestream?token=secret1");
    sr_hooks_start(sv.s);
    sr_hooks_on_unpublish(sv.s, "cid1", &r, "src1");
    sr_hooks_on_stop(sv.s, "cid2", &r, "src1");
    sr_hooks_on_close(sv.s, "cid1", &r, 100, 200);
    EXPECT_TRUE(hs.calls.empty()); // queued, not sent in the caller
    sr_hooks_stop(sv.s, sr_time_mono_us() + 5 * SR_UTIME_S);
    EXPECT_EQ(nullptr, sr_server_hooks(sv.s));
    ASSERT_EQ(4u, hs.calls.size());
    EXPECT_EQ("/api/v1/streams", hs.calls[0].path);
    EXPECT_EQ("/api/v1/sessions", hs.calls[1].path);
    EXPECT_EQ("/api/v1/clients", hs.calls[2].path);
    EXPECT_EQ("/second", hs.calls[3].path);
    sr_json_t *p = nullptr;
    ASSERT_SR_OK(sr_json_parse(hs.calls[2].body.data(), hs.calls[2].body.size(), &p));
    EXPECT_EQ("on_close", str(p, "action"));
    int64_t v = 0;
    EXPECT_TRUE(sr_json_int(sr_json_get(p, "recv_bytes"), &v));
    EXPECT_EQ(200, v);
    sr_json_free(p);
}

TEST_F(HttpHooksSt, ServerUsesTheVhostsSecretTimeoutAndErrorPolicy)
{
    HookServer hs;
    SrUtestCo co(sr_co_start(HookServer::cycle, &hs, nullptr));
    sr_sock_t *l = nullptr;
    ASSERT_SR_OK(sr_sock_listen_tcp("127.0.0.1", 0, 4, &l));
    std::string silent = "http://127.0.0.1:" + std::to_string(sr_sock_local_port(l)) + "/silent";
    ServerWithHooks sv("        enabled on;\n        secret \"top secret\";\n        timeout 300;\n"
                       "        on_hook_error allow;\n        on_publish " +
                       silent + " " + hs.url("/api/v1/streams") + ";\n        on_stop " + hs.url("/api/v1/sessions") +
                       ";\n");
    ASSERT_NE(nullptr, sv.s);
    SrUtestRequest r = make_request("rtmp://127.0.0.1/live", "live", "livestream");
    sr_utime_t start = sr_time_mono_us();
    EXPECT_SR_OK(sr_hooks_on_publish(sv.s, "cidpub01", &r, "src1")); // the silent one is skipped after 300 ms
    sr_utime_t took = sr_time_mono_us() - start;
    EXPECT_GE(took, 280 * SR_UTIME_MS);
    EXPECT_LT(took, 900 * SR_UTIME_MS);
    sr_hooks_on_stop(sv.s, "cidply01", &r, "src1");
    sr_hooks_stop(sv.s, sr_time_mono_us() + 5 * SR_UTIME_S);
    ASSERT_EQ(2u, hs.calls.size());
    for (const Call &c : hs.calls) { // gated and queued calls are both signed
        EXPECT_EQ("sha256=" + hmac("top secret", c.timestamp + "." + c.body), c.signature) << c.path;
    }
    sr_sock_close(l);
}

TEST(HttpHooks, OptionsAreCheckedWithFileAndLine)
{
    const std::pair<std::string, std::string> cases[] = {
        {"timeout 50;", "timeout"},
        {"timeout 1s;", "timeout"},
        {"on_hook_error maybe;", "on_hook_error must be refuse or allow"},
        {"secret " + std::string(SR_HOOKS_SECRET_MAX + 1, 'x') + ";", "secret is longer"},
    };
    for (const auto &c : cases) {
        char tmpl[] = "/tmp/strand-hooks-XXXXXX";
        int fd = mkstemp(tmpl);
        close(fd);
        std::ofstream(tmpl) << "listen 1935;\nvhost __defaultVhost__ {\n    http_hooks {\n        " << c.first
                            << "\n    }\n}\n";
        sr_server_config_t *cfg = nullptr;
        EXPECT_EQ(-SR_ECONFIG, sr_server_config_load(tmpl, &cfg)) << c.first;
        std::string trail = sr_err_trail();
        EXPECT_NE(std::string::npos, trail.find(std::string(tmpl) + ":4:")) << trail;
        EXPECT_NE(std::string::npos, trail.find(c.second)) << trail;
        sr_server_config_free(cfg);
        unlink(tmpl);
    }
}

} // namespace
