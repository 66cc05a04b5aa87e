// SPDX-License-Identifier: MIT
// utest_security.cpp: access control (app/config/sr_config_access, app/stream/sr_security):
// security { } and refer { } read from real configs (errors named by file:line), the rule
// order of SRS (deny wins, then allow, else refused), refer's host matching, and the
// session layer's call against a server's live config.
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "sr_config.h"
#include "sr_config_access.h"
#include "sr_config_server.h"
#include "sr_error.h"
#include "sr_request.h"
#include "sr_security.h"
#include "sr_server.h"
#include "sr_utest.h"
#include "sr_utest_request.h"
#include "sr_utest_server.h"

namespace
{

// One vhost block's access config, resolved from text; rc is the resolve result.
struct Access {
    sr_conf_t *root = nullptr;
    sr_access_config_t a = {};
    int rc = 1;
    explicit Access(const std::string &vhost_body)
    {
        std::string text = "vhost v {\n" + vhost_body + "}\n";
        EXPECT_SR_OK(sr_conf_load_string(text.c_str(), "test.conf", &root));
        rc = sr_config_access_resolve(sr_conf_get(root, "vhost"), &a);
    }
    ~Access()
    {
        sr_config_access_deinit(&a);
        sr_conf_free(root);
    }
    int rules(sr_access_action_t action, const char *ip)
    {
        return sr_security_check_rules(&a, action, ip);
    }
    int refer(sr_access_action_t action, const char *page)
    {
        return sr_security_check_refer(&a, action, page);
    }
};

// A full config file loaded the way the server does; the error trail names file:line.
struct LoadedFile {
    std::string path;
    sr_server_config_t *cfg = nullptr;
    int rc = 1;
    explicit LoadedFile(const std::string &text)
    {
        char tmpl[] = "/tmp/strand-security-XXXXXX";
        int fd = mkstemp(tmpl);
        close(fd);
        path = tmpl;
        std::ofstream(path) << text;
        rc = sr_server_config_load(path.c_str(), &cfg);
    }
    ~LoadedFile()
    {
        sr_server_config_free(cfg);
        unlink(path.c_str());
    }
    bool names(int line) const
    {
        return std::string(sr_err_trail()).find(path + ":" + std::to_string(line) + ":") != std::string::npos;
    }
};

const sr_access_action_t PUB = SR_ACCESS_PUBLISH, PLAY = SR_ACCESS_PLAY;

// ---- security ----

TEST(Security, DisabledOrAbsentAllowsEverything)
{
    Access none("");
    ASSERT_SR_OK(none.rc);
    EXPECT_SR_OK(none.rules(PUB, "1.2.3.4"));
    Access off("security { enabled off; deny publish all; deny play all; }\n");
    ASSERT_SR_OK(off.rc);
    EXPECT_SR_OK(off.rules(PUB, "1.2.3.4"));
    EXPECT_SR_OK(off.rules(PLAY, "::1"));
    EXPECT_SR_OK(sr_security_check_rules(nullptr, PLAY, "1.2.3.4"));
}

TEST(Security, DenyWinsWhateverTheOrder)
{
    // the allow rule comes first and matches too: the deny still refuses
    Access a("security { enabled on; allow publish all; allow play 10.0.0.0/8; deny publish 1.2.3.4; "
             "deny play 10.1.0.0/16; }\n");
    ASSERT_SR_OK(a.rc);
    EXPECT_SR_ERR(SR_ESECURITY_DENIED, a.rules(PUB, "1.2.3.4"));
    std::string trail = sr_err_trail();
    EXPECT_NE(std::string::npos, trail.find("deny publish 1.2.3.4/32")) << trail;
    EXPECT_NE(std::string::npos, trail.find("line 2")) << trail;
    EXPECT_SR_OK(a.rules(PUB, "1.2.3.5"));
    EXPECT_SR_OK(a.rules(PLAY, "10.2.0.1"));
    EXPECT_SR_ERR(SR_ESECURITY_DENIED, a.rules(PLAY, "10.1.2.3"));
}

TEST(Security, DefaultDenyAndPerAction)
{
    Access a("security {\n    enabled on;\n    allow publish 127.0.0.0/8;\n    allow play 10.0.0.0/8;\n}\n");
    ASSERT_SR_OK(a.rc);
    EXPECT_SR_OK(a.rules(PUB, "127.0.0.1"));
    EXPECT_SR_ERR(SR_ESECURITY_DENIED, a.rules(PLAY, "127.0.0.1")); // no allow play rule matches
    EXPECT_NE(std::string::npos, std::string(sr_err_trail()).find("no allow rule")) << sr_err_trail();
    EXPECT_SR_OK(a.rules(PLAY, "10.9.9.9"));
    EXPECT_SR_ERR(SR_ESECURITY_DENIED, a.rules(PUB, "10.9.9.9"));
    Access empty("security { enabled on; }\n"); // enabled without rules: nobody
    EXPECT_SR_ERR(SR_ESECURITY_DENIED, empty.rules(PUB, "127.0.0.1"));
    EXPECT_SR_ERR(SR_ESECURITY_DENIED, empty.rules(PLAY, "::1"));
}

TEST(Security, Ipv6MappedAndSeveralValues)
{
    Access a("security { enabled on; deny play 2001:db8::/32; allow play all; allow publish ::1 127.0.0.1; }\n");
    ASSERT_SR_OK(a.rc);
    EXPECT_EQ(4, a.a.rule_count);
    EXPECT_SR_ERR(SR_ESECURITY_DENIED, a.rules(PLAY, "2001:db8::7"));
    EXPECT_SR_OK(a.rules(PLAY, "2001:db9::7"));
    EXPECT_SR_OK(a.rules(PUB, "::1"));
    EXPECT_SR_OK(a.rules(PUB, "::ffff:127.0.0.1")); // a dual-stack peer meets the IPv4 rule
    EXPECT_SR_ERR(SR_ESECURITY_DENIED, a.rules(PUB, "::2"));
    // an address that does not parse meets only `all` rules
    EXPECT_SR_OK(a.rules(PLAY, "garbage"));
    EXPECT_SR_ERR(SR_ESECURITY_DENIED, a.rules(PUB, "garbage"));
    Access d("security { enabled on; deny play all; allow play 127.0.0.1; }\n");
    EXPECT_SR_ERR(SR_ESECURITY_DENIED, d.rules(PLAY, "127.0.0.1"));
}

// ---- refer ----

TEST(Security, ReferHostMatching)
{
    EXPECT_TRUE(sr_security_refer_match("http://example.com/player.html", "example.com"));
    EXPECT_TRUE(sr_security_refer_match("https://www.Example.COM:8443/p?x=1", "example.com"));
    EXPECT_TRUE(sr_security_refer_match("http://a.b.example.com", "example.com"));
    EXPECT_TRUE(sr_security_refer_match("http://user:pw@cdn.example.com/x", "example.com"));
    EXPECT_TRUE(sr_security_refer_match("example.com/page", "example.com")); // no scheme
    EXPECT_TRUE(sr_security_refer_match("http://example.com", ".example.com"));
    EXPECT_TRUE(sr_security_refer_match("http://[::1]:8080/p", "::1"));
    EXPECT_FALSE(sr_security_refer_match("http://badexample.com/", "example.com")); // a label boundary
    EXPECT_FALSE(sr_security_refer_match("http://example.com.evil.net/", "example.com"));
    EXPECT_FALSE(sr_security_refer_match("http://evil.net/?example.com", "example.com"));
    EXPECT_FALSE(sr_security_refer_match("http://evil.net/example.com", "example.com"));
    EXPECT_FALSE(sr_security_refer_match("http://example.com@evil.net/", "example.com"));
    EXPECT_FALSE(sr_security_refer_match("http://com/", "example.com"));
    EXPECT_FALSE(sr_security_refer_match("", "example.com"));
    EXPECT_FALSE(sr_security_refer_match("http:///x", "example.com"));
    EXPECT_FALSE(sr_security_refer_match("http://example.com/", ""));
    EXPECT_FALSE(sr_security_refer_match("http://[::1/", "::1"));
}

TEST(Security, ReferScopes)
{
    Access a("refer { enabled on; all example.com strand.test; play cdn.example.com; }\n");
    ASSERT_SR_OK(a.rc);
    EXPECT_SR_OK(a.refer(PUB, "http://www.strand.test/"));                        // all: ok; no publish directive
    EXPECT_SR_ERR(SR_ESECURITY_DENIED, a.refer(PLAY, "http://www.strand.test/")); // play needs cdn
    EXPECT_SR_OK(a.refer(PLAY, "http://live.cdn.example.com/"));
    EXPECT_SR_ERR(SR_ESECURITY_DENIED, a.refer(PUB, "http://evil.net/"));
    EXPECT_NE(std::string::npos, std::string(sr_err_trail()).find("refer all")) << sr_err_trail();
    EXPECT_SR_ERR(SR_ESECURITY_DENIED, a.refer(PUB, "")); // no page: refused
    EXPECT_SR_OK(a.refer(PUB, nullptr));                  // a protocol without pages: not checked
    Access off("refer { enabled off; all example.com; }\n");
    EXPECT_SR_OK(off.refer(PLAY, ""));
    Access only_publish("refer { enabled on; publish example.com; }\n");
    EXPECT_SR_OK(only_publish.refer(PLAY, ""));
    EXPECT_SR_ERR(SR_ESECURITY_DENIED, only_publish.refer(PUB, ""));
}

// ---- config errors ----

TEST(Security, ConfigErrorsNameFileAndLine)
{
    struct {
        const char *body;
        int line;
        const char *what;
    } cases[] = {
        {"    security {\n        enabled on;\n        allow record 1.2.3.4;\n    }\n", 5, "publish or play"},
        {"    security {\n        deny play 1.2.3.4/33;\n    }\n", 4, "'1.2.3.4/33'"},
        {"    security {\n        deny play ::1/129;\n    }\n", 4, "'::1/129'"},
        {"    security {\n        allow publish example.com;\n    }\n", 4, "'example.com'"},
        {"    security {\n        allow publish;\n    }\n", 4, "needs a value"},
        {"    security {\n        deny;\n    }\n", 4, "publish or play"},
        {"    security {\n        enabled maybe;\n    }\n", 4, "maybe"},
        {"    refer {\n        enabled on;\n        play;\n    }\n", 5, "at least one domain"},
    };
    for (const auto &c : cases) {
        LoadedFile f(std::string("listen 1935;\nvhost __defaultVhost__ {\n") + c.body + "}\n");
        EXPECT_EQ(-SR_ECONFIG, f.rc) << c.body;
        EXPECT_TRUE(f.names(c.line)) << c.body << " -> " << sr_err_trail();
        EXPECT_NE(std::string::npos, std::string(sr_err_trail()).find(c.what)) << sr_err_trail();
    }
}

TEST(Security, ConfigLoadsAndKnowsTheDirectives)
{
    LoadedFile f("listen 1935;\nvhost __defaultVhost__ {\n    security {\n        enabled on;\n        deny publish "
                 "1.2.3.4;\n        allow play all;\n        allow publish 10.0.0.0/8;\n        deny play "
                 "2001:db8::/32;\n    }\n    refer {\n        enabled on;\n        all example.com;\n        publish "
                 "example.com;\n        play example.com cdn.example;\n    }\n}\n");
    ASSERT_SR_OK(f.rc);
    EXPECT_EQ(0, f.cfg->warnings); // every directive is known and supported
    const sr_vhost_config_t *v = sr_server_config_vhost(f.cfg, "any");
    ASSERT_NE(nullptr, v);
    ASSERT_NE(nullptr, v->access);
    EXPECT_TRUE(v->access->is_security);
    EXPECT_EQ(4, v->access->rule_count);
    EXPECT_TRUE(v->access->is_refer);
    EXPECT_EQ(2, v->access->domain_counts[SR_REFER_PLAY]);
    sr_vhost_config_t copy;
    sr_server_config_vhost_detach(&copy, v);
    EXPECT_EQ(nullptr, copy.access); // points into the config: dropped from a detached copy
}

// ---- the session layer's call ----

int admit(sr_server_t *s, sr_access_action_t action, const char *vhost, const char *ip, const char *page,
          const char *schema = "rtmp")
{
    SrUtestRequest r;
    sr_request_set(&r, SR_REQUEST_VHOST, "%s", vhost);
    sr_request_set(&r, SR_REQUEST_APP, "live");
    sr_request_set(&r, SR_REQUEST_STREAM, "s");
    sr_request_set(&r, SR_REQUEST_IP, "%s", ip);
    sr_request_set(&r, SR_REQUEST_PAGE_URL, "%s", page);
    sr_request_set(&r, SR_REQUEST_SCHEMA, "%s", schema);
    return sr_security_admit(s, &r, action);
}

TEST(Security, AdmitUsesTheVhostOfTheRequest)
{
    SrUtestServer sv("listen 1935;\nvhost __defaultVhost__ {\n    security { enabled on; allow play all; deny play "
                     "127.0.0.1; allow publish 127.0.0.0/8; }\n}\nvhost open.test {\n}\n"
                     "vhost refer.test {\n    refer { enabled on; all example.com; }\n}\n");
    ASSERT_NE(nullptr, sv.s);
    EXPECT_SR_ERR(SR_ESECURITY_DENIED, admit(sv.s, PLAY, "__defaultVhost__", "127.0.0.1", ""));
    std::string trail = sr_err_trail();
    EXPECT_NE(std::string::npos, trail.find("play __defaultVhost__/live/s refused for 127.0.0.1")) << trail;
    EXPECT_SR_OK(admit(sv.s, PLAY, "__defaultVhost__", "127.0.0.2", ""));
    EXPECT_SR_OK(admit(sv.s, PUB, "__defaultVhost__", "127.0.0.1", ""));
    // an unknown vhost name falls back to the default vhost's rules
    EXPECT_SR_ERR(SR_ESECURITY_DENIED, admit(sv.s, PLAY, "nope.test", "127.0.0.1", ""));
    EXPECT_SR_OK(admit(sv.s, PLAY, "open.test", "127.0.0.1", ""));
    // refer: RTMP and HTTP carry a page; SRT does not, so refer is not applied to it
    EXPECT_SR_ERR(SR_ESECURITY_DENIED, admit(sv.s, PUB, "refer.test", "1.1.1.1", ""));
    EXPECT_SR_OK(admit(sv.s, PUB, "refer.test", "1.1.1.1", "http://www.example.com/"));
    EXPECT_SR_OK(admit(sv.s, PUB, "refer.test", "1.1.1.1", "", "srt"));
}

} // namespace
