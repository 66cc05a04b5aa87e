// SPDX-License-Identifier: MIT
// utest_config_server.cpp: a parsed SRS config resolved into plain structs
// (app/sr_config_server, app/sr_config_directives): SRS's defaults, the v7 `rtmp { }`
// block, every listen form, vhost-level aliases against the `play { }` block, refused
// values named by exact file:line, unknown directives that load with counted warnings,
// and vhost lookup with its __defaultVhost__ fallback. Configs are real files in a
// mkdtemp directory, removed at the end of each test.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "sr_config_server.h"
#include "sr_consts.h"
#include "sr_error.h"
#include "sr_jitter.h"
#include "sr_log.h"
#include "sr_utest.h"

namespace
{

// Config files in a private temp directory, removed with it.
class ConfDir
{
  public:
    ConfDir()
    {
        const char *tmp = getenv("TMPDIR");
        std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/strand-confsrv-XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        const char *d = mkdtemp(buf.data());
        EXPECT_NE(nullptr, d);
        dir_ = d ? d : "/nonexistent";
    }
    ~ConfDir()
    {
        for (const std::string &f : files_) {
            unlink(f.c_str());
        }
        rmdir(dir_.c_str());
    }
    std::string write(const std::string &name, const std::string &text)
    {
        std::string path = dir_ + "/" + name;
        FILE *f = fopen(path.c_str(), "wb");
        EXPECT_NE(nullptr, f) << path;
        if (f) {
            fwrite(text.data(), 1, text.size(), f);
            fclose(f);
        }
        files_.push_back(path);
        return path;
    }

  private:
    std::string dir_;
    std::vector<std::string> files_;
};

// A loaded config that frees itself; rc is the load result.
struct Loaded {
    sr_server_config_t *cfg = nullptr;
    int rc = 1;
    std::string path;
    Loaded(ConfDir &dir, const std::string &text, const char *name = "strand.conf")
    {
        path = dir.write(name, text);
        rc = sr_server_config_load(path.c_str(), &cfg);
    }
    ~Loaded()
    {
        sr_server_config_free(cfg);
    }
};

// "path:line:" occurs in the error trail: the operator is sent to the exact spot.
::testing::AssertionResult trail_names(const std::string &path, int line)
{
    std::string where = path + ":" + std::to_string(line) + ":";
    std::string trail = sr_err_trail();
    if (trail.find(where) != std::string::npos) {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "trail does not name " << where << ": " << trail;
}

} // namespace

TEST(ConfigServer, Defaults)
{
    ConfDir dir;
    Loaded l(dir, "vhost __defaultVhost__ {\n}\n");
    ASSERT_SR_OK(l.rc);
    const sr_server_config_t *c = l.cfg;
    ASSERT_EQ(1, c->listen_count);
    EXPECT_STREQ("0.0.0.0", c->listens[0].ip);
    EXPECT_EQ(1935, c->listens[0].port);
    EXPECT_EQ(1000, c->max_connections);
    EXPECT_EQ(60000, c->chunk_size);
    EXPECT_TRUE(c->is_daemon);
    EXPECT_TRUE(c->is_log_file);
    EXPECT_EQ(SR_LOG_TRACE, c->log_level);
    EXPECT_EQ(0, c->warnings);
    ASSERT_EQ(1, c->vhost_count);
    const sr_vhost_config_t *v = &c->vhosts[0];
    EXPECT_STREQ(SR_DEFAULT_VHOST, v->name);
    EXPECT_TRUE(v->is_enabled);
    EXPECT_FALSE(v->is_min_latency);
    EXPECT_EQ(60000, v->chunk_size); // inherits the server's
    EXPECT_TRUE(v->is_gop_cache);
    EXPECT_EQ(2500, v->gop_cache_max_frames);
    EXPECT_EQ(30000, v->queue_length_ms);
    EXPECT_EQ(SR_JITTER_FULL, v->time_jitter);
    EXPECT_FALSE(v->is_atc);
    EXPECT_FALSE(v->is_mix_correct);
    EXPECT_EQ(350, v->mw_latency_ms);
    EXPECT_EQ(8, v->mw_msgs);
    EXPECT_EQ(20000, v->firstpkt_timeout_ms);
    EXPECT_EQ(5000, v->normal_timeout_ms);
    EXPECT_TRUE(v->is_parse_sps);
    EXPECT_EQ(0, v->kickoff_for_idle_ms);
    EXPECT_NE(nullptr, v->node);
    EXPECT_EQ(l.path, c->path);
}

TEST(ConfigServer, EmptyFileHasNoVhosts)
{
    ConfDir dir;
    Loaded l(dir, "# nothing but a comment\n");
    ASSERT_SR_OK(l.rc);
    EXPECT_EQ(0, l.cfg->vhost_count);
    ASSERT_EQ(1, l.cfg->listen_count);
    EXPECT_EQ(1935, l.cfg->listens[0].port);
    EXPECT_EQ(nullptr, sr_server_config_vhost(l.cfg, "anything"));
}

TEST(ConfigServer, GlobalDirectives)
{
    ConfDir dir;
    Loaded l(dir, "listen 19350;\n"
                  "max_connections 50;\n"
                  "chunk_size 128;\n"
                  "daemon off;\n"
                  "pid ./run/s.pid;\n"
                  "srs_log_tank console;\n"
                  "srs_log_file ./x.log;\n"
                  "srs_log_level warn;\n"
                  "ff_log_dir /dev/null;\n"
                  "vhost __defaultVhost__ { }\n");
    ASSERT_SR_OK(l.rc);
    const sr_server_config_t *c = l.cfg;
    EXPECT_EQ(19350, c->listens[0].port);
    EXPECT_EQ(50, c->max_connections);
    EXPECT_EQ(128, c->chunk_size);
    EXPECT_FALSE(c->is_daemon);
    EXPECT_STREQ("./run/s.pid", c->pid_file);
    EXPECT_FALSE(c->is_log_file);
    EXPECT_STREQ("./x.log", c->log_file);
    EXPECT_EQ(SR_LOG_WARN, c->log_level);
    EXPECT_STREQ("/dev/null", c->ff_log_dir);
    EXPECT_EQ(128, c->vhosts[0].chunk_size);
    EXPECT_EQ(0, c->warnings);
}

TEST(ConfigServer, LogLevelV2WinsOverOldForm)
{
    ConfDir dir;
    Loaded l(dir, "srs_log_level error;\nsrs_log_level_v2 info;\n");
    ASSERT_SR_OK(l.rc);
    EXPECT_EQ(SR_LOG_INFO, l.cfg->log_level);
}

TEST(ConfigServer, RtmpBlockOfV7)
{
    ConfDir dir;
    Loaded l(dir, "rtmp {\n    listen 1936;\n    chunk_size 4096;\n    max_connections 7;\n}\n"
                  "vhost __defaultVhost__ { }\n");
    ASSERT_SR_OK(l.rc);
    ASSERT_EQ(1, l.cfg->listen_count);
    EXPECT_STREQ("0.0.0.0", l.cfg->listens[0].ip);
    EXPECT_EQ(1936, l.cfg->listens[0].port);
    EXPECT_EQ(4096, l.cfg->chunk_size);
    EXPECT_EQ(7, l.cfg->max_connections);
    EXPECT_EQ(4096, l.cfg->vhosts[0].chunk_size);
    EXPECT_EQ(0, l.cfg->warnings);
}

TEST(ConfigServer, RtmpBlockWinsOverTopLevelChunkSize)
{
    ConfDir dir;
    Loaded l(dir, "chunk_size 8192;\nmax_connections 9;\nrtmp { chunk_size 4096; }\n");
    ASSERT_SR_OK(l.rc);
    EXPECT_EQ(4096, l.cfg->chunk_size);
    EXPECT_EQ(9, l.cfg->max_connections); // not in the block: the top-level one
}

TEST(ConfigServer, SeveralListenForms)
{
    ConfDir dir;
    Loaded l(dir, "listen 1935 [::]:1937 127.0.0.1:1938;\nlisten [::1]:1939;\n");
    ASSERT_SR_OK(l.rc);
    ASSERT_EQ(4, l.cfg->listen_count);
    const struct {
        const char *ip;
        int port;
    } want[] = {{"0.0.0.0", 1935}, {"::", 1937}, {"127.0.0.1", 1938}, {"::1", 1939}};
    for (int i = 0; i < 4; i++) {
        EXPECT_STREQ(want[i].ip, l.cfg->listens[i].ip) << i;
        EXPECT_EQ(want[i].port, l.cfg->listens[i].port) << i;
    }
}

TEST(ConfigServer, TooManyListensRefused)
{
    ConfDir dir;
    std::string text = "listen";
    for (int i = 0; i <= SR_CONFIG_MAX_LISTENS; i++) {
        text += " " + std::to_string(2000 + i);
    }
    Loaded l(dir, text + ";\n");
    EXPECT_EQ(-SR_ECONFIG, l.rc);
    EXPECT_EQ(nullptr, l.cfg);
    EXPECT_TRUE(trail_names(l.path, 1));
}

TEST(ConfigServer, VhostLevelAliasAndPlayBlock)
{
    ConfDir dir;
    Loaded l(dir, "vhost alias.example.com {\n"
                  "    gop_cache off;\n"
                  "    queue_length 10;\n"
                  "    time_jitter zero;\n"
                  "    mw_latency 100;\n"
                  "    mw_msgs 2;\n"
                  "}\n"
                  "vhost play.example.com {\n"
                  "    gop_cache off;\n"
                  "    queue_length 10;\n"
                  "    play {\n"
                  "        gop_cache on;\n"
                  "        queue_length 0.5;\n"
                  "        time_jitter off;\n"
                  "        mw_latency 0;\n"
                  "        gop_cache_max_frames 100;\n"
                  "    }\n"
                  "    publish {\n"
                  "        firstpkt_timeout 3000;\n"
                  "        normal_timeout 7000;\n"
                  "    }\n"
                  "}\n");
    ASSERT_SR_OK(l.rc);
    const sr_vhost_config_t *a = sr_server_config_vhost_exact(l.cfg, "alias.example.com");
    ASSERT_NE(nullptr, a);
    EXPECT_FALSE(a->is_gop_cache);
    EXPECT_EQ(10000, a->queue_length_ms);
    EXPECT_EQ(SR_JITTER_ZERO, a->time_jitter);
    EXPECT_EQ(100, a->mw_latency_ms);
    EXPECT_EQ(2, a->mw_msgs);
    const sr_vhost_config_t *p = sr_server_config_vhost_exact(l.cfg, "play.example.com");
    ASSERT_NE(nullptr, p);
    EXPECT_TRUE(p->is_gop_cache); // the play block wins over the vhost-level alias
    EXPECT_EQ(500, p->queue_length_ms);
    EXPECT_EQ(SR_JITTER_OFF, p->time_jitter);
    EXPECT_EQ(0, p->mw_latency_ms);
    EXPECT_EQ(8, p->mw_msgs); // in neither: the default
    EXPECT_EQ(100, p->gop_cache_max_frames);
    EXPECT_EQ(3000, p->firstpkt_timeout_ms);
    EXPECT_EQ(7000, p->normal_timeout_ms);
    EXPECT_EQ(0, l.cfg->warnings);
}

TEST(ConfigServer, EnabledOff)
{
    ConfDir dir;
    Loaded l(dir, "vhost off.example.com {\n    enabled off;\n}\nvhost on.example.com { enabled on; }\n");
    ASSERT_SR_OK(l.rc);
    const sr_vhost_config_t *off = sr_server_config_vhost(l.cfg, "off.example.com");
    ASSERT_NE(nullptr, off); // returned: the caller refuses it
    EXPECT_FALSE(off->is_enabled);
    EXPECT_TRUE(sr_server_config_vhost(l.cfg, "on.example.com")->is_enabled);
}

TEST(ConfigServer, DuplicateVhostRefused)
{
    ConfDir dir;
    Loaded l(dir, "vhost a.example.com {\n}\n"
                  "vhost b.example.com {\n}\n"
                  "vhost a.example.com {\n"
                  "    gop_cache off;\n"
                  "}\n");
    EXPECT_EQ(-SR_ECONFIG, l.rc);
    EXPECT_EQ(nullptr, l.cfg);
    EXPECT_TRUE(trail_names(l.path, 5)); // the second definition
    EXPECT_NE(std::string::npos, std::string(sr_err_trail()).find("a.example.com")) << sr_err_trail();
}

TEST(ConfigServer, BadValuesNameFileAndLine)
{
    // each: a config whose only mistake is on the given line
    const struct {
        const char *text;
        int line;
    } bad[] = {
        {"listen 70000;\n", 1},
        {"listen 1935;\nlisten 0;\n", 2},
        {"listen 127.0.0.1:;\n", 1},
        {"listen [::]1935;\n", 1},
        {"listen [::;\n", 1},
        {"listen 19x5;\n", 1},
        {"# srs\nlisten 1935;\nrtmp {\n    listen 99999;\n}\n", 4},
        {"vhost v {\n    gop_cache maybe;\n}\n", 2},
        {"vhost v {\n    play {\n        gop_cache maybe;\n    }\n}\n", 3},
        {"vhost v {\n    play {\n        time_jitter fast;\n    }\n}\n", 3},
        {"vhost v {\n    time_jitter fast;\n}\n", 2},
        {"vhost v {\n    queue_length -1;\n}\n", 2},
        {"vhost v {\n    play {\n\n        queue_length 0;\n    }\n}\n", 4},
        {"vhost v {\n    mw_msgs lots;\n}\n", 2},
        {"vhost v {\n    publish {\n        normal_timeout -5;\n    }\n}\n", 3},
        {"vhost v {\n    enabled;\n}\n", 2},
        {"vhost v {\n    chunk_size 64;\n}\n", 2},
        {"vhost {\n}\n", 1},
        {"daemon maybe;\n", 1},
        {"srs_log_tank syslog;\n", 1},
        {"\nsrs_log_level loud;\n", 2},
        {"max_connections 0;\n", 1},
        {"rtmp {\n    chunk_size 100;\n}\n", 2},
        {"rtc_server {\n    enabled on;\n    listen 80000;\n}\n", 3},
        {"rtc_server {\n    protocol quic;\n}\n", 2},
        {"rtc_server {\n    enabled on;\n    protocol tcp;\n}\n", 3},
        {"rtc_server {\n    tcp {\n        listen 70000;\n    }\n}\n", 3},
        {"rtc_server {\n    cert /a.crt;\n}\n", 2},
        {"vhost v {\n    rtc {\n        dtls_role both;\n    }\n}\n", 3},
        {"vhost v {\n    rtc {\n        stun_timeout 0;\n    }\n}\n", 3},
        {"vhost v {\n    rtc {\n        pli_for_rtmp 100;\n    }\n}\n", 3},
        {"vhost v {\n    forward {\n        destination 127.0.0.1:0;\n    }\n}\n", 3},
        {"vhost v {\n    forward {\n        destination ::1:1935;\n    }\n}\n", 3},
        {"vhost v {\n    forward {\n        destination rtmp://h/onlyapp;\n    }\n}\n", 3},
        {"vhost v {\n    forward {\n        destination srt://h:1/a/b;\n    }\n}\n", 3},
        {"vhost v {\n    forward {\n\n        backend ftp://h/x;\n    }\n}\n", 4},
        {"vhost v {\n    cluster {\n        mode both;\n    }\n}\n", 3},
        {"vhost v {\n    cluster {\n        mode remote;\n    }\n}\n", 2},
        {"vhost v {\n    cluster {\n        origin rtmp://h/a/b;\n    }\n}\n", 3},
        {"vhost v {\n    cluster {\n        protocol flv;\n    }\n}\n", 3},
        {"vhost v {\n    cluster {\n        registry http://h;\n    }\n}\n", 3},
    };
    for (const auto &b : bad) {
        SCOPED_TRACE(b.text);
        ConfDir dir;
        Loaded l(dir, b.text);
        EXPECT_EQ(-SR_ECONFIG, l.rc) << sr_err_name(l.rc) << ": " << sr_err_trail();
        EXPECT_EQ(nullptr, l.cfg);
        EXPECT_TRUE(trail_names(l.path, b.line));
    }
}

TEST(ConfigServer, SyntaxAndMissingFileErrors)
{
    ConfDir dir;
    Loaded syntax(dir, "listen 1935;\nvhost v {\n    gop_cache off;\n");
    EXPECT_EQ(-SR_ECONFIG_SYNTAX, syntax.rc);
    EXPECT_EQ(nullptr, syntax.cfg);
    EXPECT_TRUE(trail_names(syntax.path, 2)); // the block left open
    sr_server_config_t *c = nullptr;
    EXPECT_SR_ERR(SR_EFILE_OPEN, sr_server_config_load("/nonexistent/strand.conf", &c));
    EXPECT_EQ(nullptr, c);
}

TEST(ConfigServer, UnknownDirectivesWarnAndLoad)
{
    ConfDir dir;
    Loaded top(dir, "foo bar;\nlisten 1935;\n", "top.conf");
    ASSERT_SR_OK(top.rc);
    EXPECT_EQ(1, top.cfg->warnings);
    EXPECT_EQ(1935, top.cfg->listens[0].port);

    // a known SRS block Strand does not do yet: one warning for the block, not its children
    Loaded later(dir, "vhost x {\n    hds {\n        enabled on;\n        hds_fragment 10;\n    }\n}\n", "later.conf");
    ASSERT_SR_OK(later.rc);
    EXPECT_EQ(1, later.cfg->warnings);
    ASSERT_NE(nullptr, sr_server_config_vhost_exact(later.cfg, "x"));

    Loaded nested(dir,
                  "vhost x {\n    bogus 1;\n    play {\n        also_bogus on;\n        gop_cache off;\n    }\n}\n"
                  "no_such_block {\n    no_such_child 1;\n}\n",
                  "nested.conf");
    ASSERT_SR_OK(nested.rc);
    EXPECT_EQ(3, nested.cfg->warnings); // bogus, also_bogus, no_such_block (its children are not walked)
    EXPECT_FALSE(sr_server_config_vhost_exact(nested.cfg, "x")->is_gop_cache); // the known one still applies

    Loaded ignored(dir, "query_latest_version on;\nvhost x { publish { mr on; try_annexb_first off; } }\n",
                   "ignored.conf");
    ASSERT_SR_OK(ignored.rc);
    EXPECT_EQ(0, ignored.cfg->warnings); // accepted silently: Strand already behaves so

    // issue 9.7: nothing is accepted silently that nothing reads
    Loaded unread(dir, "utc_time off;\nwork_dir ./;\nvhost x { atc_auto on; play { reduce_sequence_header on; } }\n",
                  "unread.conf");
    ASSERT_SR_OK(unread.rc);
    EXPECT_EQ(4, unread.cfg->warnings);
}

TEST(ConfigServer, VhostLookupFallsBackToDefault)
{
    ConfDir dir;
    Loaded l(dir, "vhost __defaultVhost__ {\n    mw_msgs 3;\n}\nvhost demo.example.com {\n    mw_msgs 5;\n}\n");
    ASSERT_SR_OK(l.rc);
    ASSERT_EQ(2, l.cfg->vhost_count);
    const sr_vhost_config_t *d = sr_server_config_vhost(l.cfg, "demo.example.com");
    ASSERT_NE(nullptr, d);
    EXPECT_STREQ("demo.example.com", d->name);
    EXPECT_EQ(5, d->mw_msgs);
    const sr_vhost_config_t *f = sr_server_config_vhost(l.cfg, "127.0.0.1");
    ASSERT_NE(nullptr, f);
    EXPECT_STREQ(SR_DEFAULT_VHOST, f->name);
    EXPECT_EQ(3, f->mw_msgs);
    EXPECT_EQ(nullptr, sr_server_config_vhost_exact(l.cfg, "127.0.0.1"));
    EXPECT_EQ(f, sr_server_config_vhost_exact(l.cfg, SR_DEFAULT_VHOST));

    Loaded none(dir, "vhost demo.example.com { }\n", "none.conf");
    ASSERT_SR_OK(none.rc);
    EXPECT_NE(nullptr, sr_server_config_vhost(none.cfg, "demo.example.com"));
    EXPECT_EQ(nullptr, sr_server_config_vhost(none.cfg, "other.example.com")); // no default to fall to
}

// rtc_server and vhost rtc: SRS's defaults, and every directive read.
TEST(ConfigServer, RtcServerAndVhost)
{
    ConfDir dir;
    Loaded d(dir, "vhost __defaultVhost__ {\n}\n");
    ASSERT_SR_OK(d.rc);
    EXPECT_FALSE(d.cfg->rtc_server.is_enabled);
    EXPECT_EQ(8000, d.cfg->rtc_server.addr.port);
    EXPECT_STREQ("*", d.cfg->rtc_server.candidate);
    EXPECT_TRUE(d.cfg->rtc_server.is_api_as_candidates);
    EXPECT_TRUE(d.cfg->rtc_server.is_udp_candidates);
    EXPECT_FALSE(d.cfg->rtc_server.is_tcp_candidates || d.cfg->rtc_server.is_tcp_enabled);
    EXPECT_EQ(8000, d.cfg->rtc_server.tcp_addr.port);
    const sr_rtc_vhost_config_t *r = &d.cfg->vhosts[0].rtc;
    EXPECT_FALSE(r->is_enabled);
    EXPECT_FALSE(r->is_rtmp_to_rtc);
    EXPECT_FALSE(r->is_rtc_to_rtmp);
    EXPECT_TRUE(r->is_nack);
    EXPECT_TRUE(r->is_twcc);
    EXPECT_FALSE(r->is_dtls_active);
    EXPECT_EQ(30000, r->stun_timeout_ms);
    EXPECT_EQ(48000, r->opus_bitrate);
    EXPECT_EQ(48000, r->aac_bitrate);
    EXPECT_EQ(6000000, r->pli_for_rtmp_us);

    setenv("STRAND_UTEST_CANDIDATE", "192.0.2.7", 1);
    Loaded c(dir,
             "rtc_server {\n    enabled on;\n    listen 127.0.0.1:18000;\n    candidate $STRAND_UTEST_CANDIDATE;\n"
             "    api_as_candidates off;\n    protocol udp;\n    ecdsa on;\n    encrypt on;\n}\n"
             "vhost v {\n    rtc {\n        enabled on;\n        rtmp_to_rtc on;\n        rtc_to_rtmp on;\n"
             "        nack off;\n        twcc off;\n        stun_timeout 5;\n        dtls_role active;\n"
             "        opus_bitrate 64000;\n        aac_bitrate 96000;\n        pli_for_rtmp 2.5;\n    }\n}\n",
             "rtc.conf");
    unsetenv("STRAND_UTEST_CANDIDATE");
    ASSERT_SR_OK(c.rc);
    EXPECT_EQ(0, c.cfg->warnings);
    EXPECT_TRUE(c.cfg->rtc_server.is_enabled);
    EXPECT_STREQ("127.0.0.1", c.cfg->rtc_server.addr.ip);
    EXPECT_EQ(18000, c.cfg->rtc_server.addr.port);
    EXPECT_STREQ("192.0.2.7", c.cfg->rtc_server.candidate);
    EXPECT_FALSE(c.cfg->rtc_server.is_api_as_candidates);
    Loaded unset(dir, "rtc_server {\n    candidate $STRAND_UTEST_NO_SUCH_VARIABLE;\n}\n", "unset.conf");
    ASSERT_SR_OK(unset.rc);
    EXPECT_STREQ("*", unset.cfg->rtc_server.candidate);
    Loaded tcp(dir,
               "rtc_server {\n    enabled on;\n    protocol all;\n    tcp {\n        enabled on;\n        listen "
               "18001;\n    }\n}\n",
               "tcp.conf");
    ASSERT_SR_OK(tcp.rc);
    EXPECT_EQ(0, tcp.cfg->warnings);
    EXPECT_TRUE(tcp.cfg->rtc_server.is_tcp_enabled && tcp.cfg->rtc_server.is_tcp_candidates);
    EXPECT_TRUE(tcp.cfg->rtc_server.is_udp_candidates);
    EXPECT_EQ(18001, tcp.cfg->rtc_server.tcp_addr.port);
    r = &c.cfg->vhosts[0].rtc;
    EXPECT_TRUE(r->is_enabled && r->is_rtmp_to_rtc && r->is_rtc_to_rtmp && r->is_dtls_active);
    EXPECT_FALSE(r->is_nack || r->is_twcc);
    EXPECT_EQ(5000, r->stun_timeout_ms);
    EXPECT_EQ(64000, r->opus_bitrate);
    EXPECT_EQ(96000, r->aac_bitrate);
    EXPECT_EQ(2500000, r->pli_for_rtmp_us);
}

TEST(ConfigServer, FreeAcceptsNull)
{
    sr_server_config_free(nullptr);
}

TEST(ConfigServer, ForwardAndCluster)
{
    ConfDir dir;
    Loaded l(dir, "vhost __defaultVhost__ {\n"
                  "    forward {\n        enabled on;\n        destination 10.0.0.1 h.example:19350;\n"
                  "        destination [2001:db8::1]:1936 rtmp://o.example/app2/s2?k=v;\n"
                  "        backend http://127.0.0.1:8085/api/v1/forward;\n    }\n"
                  "}\n"
                  "vhost edge.test {\n    cluster {\n        mode remote;\n        origin 127.0.0.1:19350 o2;\n"
                  "        token_traverse on;\n        vhost up.test;\n        debug_srs_upnode on;\n"
                  "        registry redis://127.0.0.1:6379/2;\n    }\n}\n"
                  "vhost old.test {\n    mode remote;\n    origin 127.0.0.1:1937;\n}\n"
                  "vhost members.test {\n    cluster {\n        mode local;\n        origin_cluster on;\n"
                  "        coworkers 127.0.0.1:9091 [::1]:9092;\n    }\n}\n");
    ASSERT_EQ(SR_OK, l.rc) << sr_err_trail();
    EXPECT_EQ(0, l.cfg->warnings);
    const sr_forward_config_t *f = sr_server_config_vhost_exact(l.cfg, SR_DEFAULT_VHOST)->forward;
    ASSERT_NE(nullptr, f);
    EXPECT_TRUE(f->is_enabled);
    ASSERT_EQ(4, f->destination_count);
    EXPECT_STREQ("10.0.0.1", f->destinations[0].host);
    EXPECT_EQ(1935, f->destinations[0].port);
    EXPECT_STREQ("h.example", f->destinations[1].host);
    EXPECT_EQ(19350, f->destinations[1].port);
    EXPECT_STREQ("2001:db8::1", f->destinations[2].host);
    EXPECT_EQ(1936, f->destinations[2].port);
    EXPECT_STREQ("o.example", f->destinations[3].host);
    EXPECT_STREQ("app2", f->destinations[3].app);
    EXPECT_STREQ("s2?k=v", f->destinations[3].stream);
    EXPECT_STREQ("http://127.0.0.1:8085/api/v1/forward", f->backend);
    const sr_cluster_config_t *c = sr_server_config_vhost_exact(l.cfg, "edge.test")->cluster;
    EXPECT_TRUE(c->is_edge);
    ASSERT_EQ(2, c->origin_count);
    EXPECT_STREQ("o2", c->origins[1].host);
    EXPECT_EQ(1935, c->origins[1].port);
    EXPECT_TRUE(c->is_token_traverse);
    EXPECT_STREQ("up.test", c->upstream_vhost);
    EXPECT_STREQ("redis://127.0.0.1:6379/2", c->registry);
    const sr_cluster_config_t *old = sr_server_config_vhost_exact(l.cfg, "old.test")->cluster;
    EXPECT_TRUE(old->is_edge);
    ASSERT_EQ(1, old->origin_count);
    EXPECT_EQ(1937, old->origins[0].port);
    EXPECT_FALSE(sr_server_config_vhost_exact(l.cfg, SR_DEFAULT_VHOST)->cluster->is_edge);
    EXPECT_FALSE(c->is_origin_cluster);
    const sr_cluster_config_t *m = sr_server_config_vhost_exact(l.cfg, "members.test")->cluster;
    EXPECT_FALSE(m->is_edge);
    EXPECT_TRUE(m->is_origin_cluster);
    ASSERT_EQ(2, m->coworker_count);
    EXPECT_STREQ("127.0.0.1", m->coworkers[0].host);
    EXPECT_EQ(9091, m->coworkers[0].port);
    EXPECT_STREQ("::1", m->coworkers[1].host);
    EXPECT_EQ(9092, m->coworkers[1].port);
    sr_vhost_config_t copy;
    sr_server_config_vhost_detach(&copy, sr_server_config_vhost_exact(l.cfg, "edge.test"));
    EXPECT_EQ(nullptr, copy.cluster); /* owned by the config: not carried by a connection's copy */
    EXPECT_EQ(nullptr, copy.forward);
}
