// SPDX-License-Identifier: MIT
// utest_http_api.cpp: the pure helpers of the HTTP API module (app/sr_http_api_util.c):
// Basic auth (base64 itself: utest_base64.cpp), paging parameters, JSONP names, vhost
// ids, the /proc parsers fed sample text, and Prometheus label escaping. The endpoints themselves are exercised end
// to end against a running server.
#include <string.h>

#include <string>

#include "sr_bytes.h"
#include "sr_error.h"
#include "sr_http_api_internal.h"
#include "sr_utest.h"

namespace
{

std::string prom(const char *s)
{
    sr_buf_t b;
    sr_buf_init(&b);
    sr_http_api__prom_escape(&b, s);
    std::string r((const char *)b.data, b.len);
    sr_buf_deinit(&b);
    return r;
}

} // namespace

TEST(HttpApi, BasicAuthChecksExactCredentials)
{
    // "admin:s3cr:et" (a password may hold ':')
    EXPECT_TRUE(sr_http_api__basic_auth_ok("Basic YWRtaW46czNjcjpldA==", "admin", "s3cr:et"));
    EXPECT_TRUE(sr_http_api__basic_auth_ok("basic YWRtaW46czNjcjpldA==", "admin", "s3cr:et"));
    EXPECT_FALSE(sr_http_api__basic_auth_ok("Basic YWRtaW46czNjcjpldA==", "admin", "s3cr"));
    EXPECT_FALSE(sr_http_api__basic_auth_ok("Basic YWRtaW46czNjcjpldA==", "admi", "n:s3cr:et"));
    EXPECT_FALSE(sr_http_api__basic_auth_ok("Bearer YWRtaW46czNjcjpldA==", "admin", "s3cr:et"));
    EXPECT_FALSE(sr_http_api__basic_auth_ok(NULL, "admin", "s3cr:et"));
    EXPECT_FALSE(sr_http_api__basic_auth_ok("Basic !!!", "admin", "s3cr:et"));
    std::string huge = "Basic " + std::string(4000, 'A');
    EXPECT_FALSE(sr_http_api__basic_auth_ok(huge.c_str(), "admin", "x"));
}

TEST(HttpApi, PageDefaultsAndClampsLikeSrs)
{
    int start = -1, count = -1;
    sr_http_api__parse_page("", &start, &count);
    EXPECT_EQ(0, start);
    EXPECT_EQ(SR_HTTP_API_DEFAULT_COUNT, count);
    sr_http_api__parse_page("start=20&count=5", &start, &count);
    EXPECT_EQ(20, start);
    EXPECT_EQ(5, count);
    sr_http_api__parse_page("start=-3&count=0", &start, &count);
    EXPECT_EQ(0, start);
    EXPECT_EQ(1, count);
    sr_http_api__parse_page("start=abc&count=9x", &start, &count);
    EXPECT_EQ(0, start);
    EXPECT_EQ(SR_HTTP_API_DEFAULT_COUNT, count);
    sr_http_api__parse_page("count=99999999999999999999", &start, &count);
    EXPECT_EQ(SR_HTTP_API_MAX_COUNT, count);
}

TEST(HttpApi, JsonpNamesAreRestricted)
{
    EXPECT_TRUE(sr_http_api__is_jsonp_name("cb_1"));
    EXPECT_TRUE(sr_http_api__is_jsonp_name("jQuery.$x"));
    EXPECT_FALSE(sr_http_api__is_jsonp_name(""));
    EXPECT_FALSE(sr_http_api__is_jsonp_name("a(b)"));
    EXPECT_FALSE(sr_http_api__is_jsonp_name("<script>"));
    EXPECT_FALSE(sr_http_api__is_jsonp_name(std::string(65, 'a').c_str()));
}

TEST(HttpApi, VhostIdIsStableAndShaped)
{
    char a[16], b[16], c[16];
    sr_http_api__vhost_id("__defaultVhost__", a, sizeof(a));
    sr_http_api__vhost_id("__defaultVhost__", b, sizeof(b));
    sr_http_api__vhost_id("other", c, sizeof(c));
    EXPECT_STREQ(a, b);
    EXPECT_STRNE(a, c);
    EXPECT_EQ(11u, strlen(a));
    EXPECT_EQ(0, strncmp(a, "vid-", 4));
}

TEST(HttpApi, ParsesProcSelfStatWithSpacesAndParensInComm)
{
    const char *text = "4182 (str (and) nd) S 1 4182 4182 0 -1 4194560 120 0 0 0 37 12 0 0 20 0 1 0 250913 "
                       "9273344 1512 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";
    sr_proc_self_t s;
    ASSERT_SR_OK(sr_http_api__parse_proc_self_stat(text, &s));
    EXPECT_EQ(1, s.ppid);
    EXPECT_EQ(37u, s.utime_ticks);
    EXPECT_EQ(12u, s.stime_ticks);
    EXPECT_EQ(250913u, s.start_ticks);
    EXPECT_EQ(1512u, s.rss_pages);
    EXPECT_SR_ERR(SR_EFORMAT, sr_http_api__parse_proc_self_stat("4182 (x) S 1 2", &s));
    EXPECT_SR_ERR(SR_EFORMAT, sr_http_api__parse_proc_self_stat("garbage", &s));
}

TEST(HttpApi, ParsesProcStatAndComputesCpuRatio)
{
    const char *t0 = "cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\nintr 1\n";
    const char *t1 = "cpu  160 0 90 840 50 5 5 0 0 0\ncpu0 80 0 45 420 25 0 0 0 0 0\nintr 1\n";
    sr_proc_cpu_t a, b;
    ASSERT_SR_OK(sr_http_api__parse_proc_stat(t0, &a));
    ASSERT_SR_OK(sr_http_api__parse_proc_stat(t1, &b));
    EXPECT_EQ(150u, a.busy);
    EXPECT_EQ(1000u, a.total);
    EXPECT_DOUBLE_EQ(110.0 / 150.0, sr_http_api__cpu_ratio(&a, &b));
    EXPECT_DOUBLE_EQ(0.0, sr_http_api__cpu_ratio(&a, &a)); // no tick passed
    EXPECT_DOUBLE_EQ(0.0, sr_http_api__cpu_ratio(&b, &a)); // counters went back
    EXPECT_SR_ERR(SR_EFORMAT, sr_http_api__parse_proc_stat("intr 1\n", &a));
}

TEST(HttpApi, ParsesMeminfoLoadavgUptime)
{
    const char *mem = "MemTotal:       24684084 kB\nMemFree:         1000000 kB\nMemAvailable:   20000000 kB\n"
                      "Buffers:          200000 kB\nCached:          3000000 kB\nSwapCached:            0 kB\n"
                      "SwapTotal:        1024 kB\nSwapFree:          512 kB\n";
    sr_proc_meminfo_t m;
    ASSERT_SR_OK(sr_http_api__parse_meminfo(mem, &m));
    EXPECT_EQ(24684084u, m.total_kb);
    EXPECT_EQ(1000000u, m.free_kb);
    EXPECT_EQ(20000000u, m.available_kb);
    EXPECT_EQ(200000u, m.buffers_kb);
    EXPECT_EQ(3000000u, m.cached_kb); // not SwapCached
    EXPECT_EQ(1024u, m.swap_total_kb);
    EXPECT_EQ(512u, m.swap_free_kb);
    EXPECT_SR_ERR(SR_EFORMAT, sr_http_api__parse_meminfo("Buffers: 1 kB\n", &m));

    double load[3];
    ASSERT_SR_OK(sr_http_api__parse_loadavg("3.25 2.39 1.84 3/412 4182\n", load));
    EXPECT_DOUBLE_EQ(3.25, load[0]);
    EXPECT_DOUBLE_EQ(1.84, load[2]);
    EXPECT_SR_ERR(SR_EFORMAT, sr_http_api__parse_loadavg("", load));

    double up = 0, idle = 0;
    ASSERT_SR_OK(sr_http_api__parse_uptime("2571.96 2191.39\n", &up, &idle));
    EXPECT_DOUBLE_EQ(2571.96, up);
    EXPECT_DOUBLE_EQ(2191.39, idle);
}

TEST(HttpApi, ParsesSockstatAndNetdev)
{
    const char *sock = "sockets: used 22\nTCP: inuse 6 orphan 0 tw 139 alloc 9 mem 1\nUDP: inuse 2 mem 0\n"
                       "UDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n";
    sr_proc_sockstat_t s;
    ASSERT_SR_OK(sr_http_api__parse_sockstat(sock, &s));
    EXPECT_EQ(22, s.sockets_used);
    EXPECT_EQ(6, s.tcp_inuse);
    EXPECT_EQ(139, s.tcp_tw);
    EXPECT_EQ(2, s.udp_inuse); // not UDPLITE
    EXPECT_SR_ERR(SR_EFORMAT, sr_http_api__parse_sockstat("nothing\n", &s));

    const char *dev = "Inter-|   Receive                                                |  Transmit\n"
                      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop "
                      "fifo colls carrier compressed\n"
                      "    lo:  299838      100    0    0    0     0          0         0   299838     100    0    0 "
                      "   0     0       0          0\n"
                      "  eth0: 87583102   60000    0    0    0     0          0         0   157769    2000    0    0 "
                      "   0     0       0          0\n"
                      "  eth1:1000 1 0 0 0 0 0 0 2000 1 0 0 0 0 0 0\n";
    sr_proc_netdev_t n;
    ASSERT_SR_OK(sr_http_api__parse_netdev(dev, &n));
    EXPECT_EQ(87584102u, n.recv_bytes);
    EXPECT_EQ(159769u, n.send_bytes);
    EXPECT_EQ(299838u, n.lo_recv_bytes);
    EXPECT_EQ(299838u, n.lo_send_bytes);
    EXPECT_SR_ERR(SR_EFORMAT, sr_http_api__parse_netdev("Inter-|\n face |\n", &n));
}

TEST(HttpApi, PrometheusLabelValuesAreEscaped)
{
    EXPECT_EQ("live", prom("live"));
    EXPECT_EQ("a\\\"b\\\\c\\nd", prom("a\"b\\c\nd"));
    EXPECT_EQ("caf\xc3\xa9", prom("caf\xc3\xa9"));           // valid UTF-8 kept
    EXPECT_EQ("x\xef\xbf\xbdy", prom("x\xffy"));             // invalid byte replaced
    EXPECT_EQ("\xef\xbf\xbd\xef\xbf\xbd", prom("\xe0\x80")); // overlong
    EXPECT_EQ("\xef\xbf\xbd", prom("\xc3"));                 // truncated sequence
    EXPECT_EQ("tab\there", prom("tab\there"));               // only \\, \" and \n are escaped
}

TEST(HttpApi, ReadsProcFiles)
{
    char buf[64];
    size_t n = 0;
    ASSERT_SR_OK(sr_http_api__read_file("/proc/self/cmdline", buf, sizeof(buf), &n));
    EXPECT_GT(n, 0u);
    EXPECT_LT(n, sizeof(buf));
    EXPECT_SR_ERR(SR_EFILE_OPEN, sr_http_api__read_file("/proc/does-not-exist", buf, sizeof(buf), NULL));
}
