// SPDX-License-Identifier: MIT
// utest_config_env.cpp: SRS_* environment overrides: the name rule of SRS
// (app/sr_config_env), the tree edits that apply them (core/sr_config_edit), and a
// whole config load where the environment wins over the file and a bad value is
// refused naming the variable.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "sr_bytes.h"
#include "sr_config.h"
#include "sr_config_env.h"
#include "sr_config_server.h"
#include "sr_error.h"
#include "sr_utest.h"

namespace
{

sr_conf_t *Parse(const char *text)
{
    sr_conf_t *root = nullptr;
    EXPECT_SR_OK(sr_conf_load_string(text, "t.conf", &root));
    return root;
}

std::string Dump(const sr_conf_t *n)
{
    sr_buf_t b;
    sr_buf_init(&b);
    sr_conf_dump(n, &b);
    std::string s((const char *)b.data, b.len);
    sr_buf_deinit(&b);
    return s;
}

typedef std::map<std::string, std::string> Env;

const char *FakeGet(const char *name, void *arg)
{
    Env *env = (Env *)arg;
    auto it = env->find(name);
    return it == env->end() ? nullptr : it->second.c_str();
}

// A variable set for the life of the object, then restored to unset.
class ScopedEnv
{
  public:
    ScopedEnv(const char *name, const char *value) : name_(name)
    {
        setenv(name, value, 1);
    }
    ~ScopedEnv()
    {
        unsetenv(name_.c_str());
    }

  private:
    std::string name_;
};

std::string WriteConf(const char *text)
{
    const char *tmp = getenv("TMPDIR");
    std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/strand-env-XXXXXX";
    std::vector<char> buf(path.begin(), path.end());
    buf.push_back('\0');
    int fd = mkstemp(buf.data());
    EXPECT_GE(fd, 0);
    if (fd >= 0) {
        EXPECT_EQ((ssize_t)strlen(text), write(fd, text, strlen(text)));
        close(fd);
    }
    return buf.data();
}

} // namespace

TEST(ConfigEnv, NameFollowsSrsRule)
{
    char out[64];
    EXPECT_SR_OK(sr_config_env_name("listen", out, sizeof(out)));
    EXPECT_STREQ("SRS_LISTEN", out);
    EXPECT_SR_OK(sr_config_env_name("srs_log_tank", out, sizeof(out)));
    EXPECT_STREQ("SRS_SRS_LOG_TANK", out);
    EXPECT_SR_OK(sr_config_env_name("http_api.auth.password", out, sizeof(out)));
    EXPECT_STREQ("SRS_HTTP_API_AUTH_PASSWORD", out);
    EXPECT_SR_OK(sr_config_env_name("vhost.hls.hls_fragment", out, sizeof(out)));
    EXPECT_STREQ("SRS_VHOST_HLS_HLS_FRAGMENT", out);
    EXPECT_SR_ERR(SR_EOVERFLOW, sr_config_env_name("listen", out, 10));
    EXPECT_SR_OK(sr_config_env_name("listen", out, 11)); // exactly fits with the NUL
    EXPECT_SR_ERR(SR_EINVAL, sr_config_env_name("", out, sizeof(out)));
}

TEST(ConfigEnv, TableCoversSrsNamesOnce)
{
    std::set<std::string> names;
    for (int i = 0; i < sr_config_env_count(); i++) {
        char out[96];
        ASSERT_SR_OK(sr_config_env_name(sr_config_env_path_at(i), out, sizeof(out)));
        EXPECT_TRUE(names.insert(out).second) << "duplicate " << out;
    }
    EXPECT_EQ(nullptr, sr_config_env_path_at(-1));
    EXPECT_EQ(nullptr, sr_config_env_path_at(sr_config_env_count()));
    // the names SRS's full.conf gives for directives Strand supports
    const char *want[] = {"SRS_LISTEN",
                          "SRS_MAX_CONNECTIONS",
                          "SRS_DAEMON",
                          "SRS_PID",
                          "SRS_SRS_LOG_TANK",
                          "SRS_SRS_LOG_LEVEL",
                          "SRS_SRS_LOG_FILE",
                          "SRS_FF_LOG_DIR",
                          "SRS_HTTP_API_ENABLED",
                          "SRS_HTTP_API_LISTEN",
                          "SRS_HTTP_API_CROSSDOMAIN",
                          "SRS_HTTP_API_RAW_API_ENABLED",
                          "SRS_HTTP_API_RAW_API_ALLOW_RELOAD",
                          "SRS_HTTP_API_AUTH_ENABLED",
                          "SRS_HTTP_API_AUTH_USERNAME",
                          "SRS_HTTP_API_AUTH_PASSWORD",
                          "SRS_HTTP_API_HTTPS_ENABLED",
                          "SRS_HTTP_API_HTTPS_LISTEN",
                          "SRS_HTTP_API_HTTPS_KEY",
                          "SRS_HTTP_API_HTTPS_CERT",
                          "SRS_HTTP_SERVER_ENABLED",
                          "SRS_HTTP_SERVER_LISTEN",
                          "SRS_HTTP_SERVER_DIR",
                          "SRS_HTTP_SERVER_CROSSDOMAIN",
                          "SRS_HTTP_SERVER_HTTPS_ENABLED",
                          "SRS_RTC_SERVER_ENABLED",
                          "SRS_RTC_SERVER_LISTEN",
                          "SRS_RTC_SERVER_CANDIDATE",
                          "SRS_SRT_SERVER_ENABLED",
                          "SRS_SRT_SERVER_LISTEN",
                          "SRS_HEARTBEAT_ENABLED",
                          "SRS_HEARTBEAT_URL",
                          "SRS_EXPORTER_ENABLED",
                          "SRS_VHOST_HLS_ENABLED",
                          "SRS_VHOST_HLS_HLS_FRAGMENT",
                          "SRS_VHOST_HLS_HLS_PATH",
                          "SRS_VHOST_HTTP_REMUX_ENABLED",
                          "SRS_VHOST_HTTP_REMUX_MOUNT",
                          "SRS_VHOST_DVR_ENABLED",
                          "SRS_VHOST_DVR_DVR_PATH",
                          "SRS_VHOST_RTC_ENABLED",
                          "SRS_VHOST_RTC_RTMP_TO_RTC",
                          "SRS_VHOST_RTC_RTC_TO_RTMP",
                          "SRS_VHOST_SRT_ENABLED",
                          "SRS_VHOST_HTTP_HOOKS_ON_PUBLISH"};
    for (const char *w : want) {
        EXPECT_TRUE(names.count(w)) << w;
    }
}

TEST(ConfigEdit, ReplacesArgsInPlaceAndMarksOrigin)
{
    sr_conf_t *root = Parse("listen 1935;\nhttp_api {\n    enabled off;\n    listen 1985;\n}\n");
    ASSERT_NE(nullptr, root);
    EXPECT_SR_OK(sr_conf_override(root, "http_api.listen", " 127.0.0.1:2000 ", "env SRS_HTTP_API_LISTEN"));
    EXPECT_SR_OK(sr_conf_override(root, "listen", "1936 1937", "env SRS_LISTEN"));
    EXPECT_EQ("listen 1936 1937;\nhttp_api {\n    enabled off;\n    listen 127.0.0.1:2000;\n}\n", Dump(root));
    const sr_conf_t *l = sr_conf_get_path(root, "http_api.listen");
    EXPECT_TRUE(sr_conf_is_override(l));
    EXPECT_STREQ("env SRS_HTTP_API_LISTEN", sr_conf_file(l));
    EXPECT_EQ(0, sr_conf_line(l));
    // untouched nodes keep their file:line and are not marked
    const sr_conf_t *e = sr_conf_get_path(root, "http_api.enabled");
    EXPECT_FALSE(sr_conf_is_override(e));
    EXPECT_STREQ("t.conf", sr_conf_file(e));
    EXPECT_EQ(3, sr_conf_line(e));
    EXPECT_FALSE(sr_conf_is_override(sr_conf_get(root, "http_api")));
    sr_conf_free(root);
}

TEST(ConfigEdit, CreatesMissingBlocksAndDirective)
{
    sr_conf_t *root = Parse("listen 1935;\n");
    ASSERT_NE(nullptr, root);
    EXPECT_SR_OK(sr_conf_override(root, "http_api.auth.password", "s3cret", "env X"));
    EXPECT_EQ("listen 1935;\nhttp_api {\n    auth {\n        password s3cret;\n    }\n}\n", Dump(root));
    EXPECT_TRUE(sr_conf_is_block(sr_conf_get(root, "http_api")));
    EXPECT_TRUE(sr_conf_is_override(sr_conf_get(root, "http_api")));
    // the edited tree dumps to text that parses back to an equal tree
    sr_conf_t *again = Parse(Dump(root).c_str());
    EXPECT_TRUE(sr_conf_equal(root, again));
    sr_conf_free(again);
    sr_conf_free(root);
}

TEST(ConfigEdit, RefusesLeafStepsBlocksAndBadPaths)
{
    sr_conf_t *root = Parse("pid x.pid;\nhttp_api { listen 1985; }\n");
    ASSERT_NE(nullptr, root);
    EXPECT_SR_ERR(SR_ECONFIG, sr_conf_override(root, "pid.file", "y", "env A"));
    EXPECT_NE(nullptr, strstr(sr_err_trail(), "env A"));
    EXPECT_SR_ERR(SR_ECONFIG, sr_conf_override(root, "http_api", "on", "env B"));
    EXPECT_SR_ERR(SR_EINVAL, sr_conf_override(root, "http_api..listen", "1", "env C"));
    EXPECT_SR_ERR(SR_EINVAL, sr_conf_override(root, "", "1", "env D"));
    EXPECT_SR_ERR(SR_EINVAL, sr_conf_override(nullptr, "listen", "1", "env E"));
    // nothing changed by the refusals
    EXPECT_EQ("pid x.pid;\nhttp_api {\n    listen 1985;\n}\n", Dump(root));
    sr_conf_free(root);
}

TEST(ConfigEdit, BlocksOverrideEveryVhostOrCreatesDefault)
{
    sr_conf_t *root = Parse("vhost a { hls { enabled off; } }\nvhost b { }\n");
    ASSERT_NE(nullptr, root);
    EXPECT_SR_OK(sr_conf_override_blocks(root, "vhost", "__defaultVhost__", "hls.enabled", "on", "env V"));
    EXPECT_EQ(
        "vhost a {\n    hls {\n        enabled on;\n    }\n}\nvhost b {\n    hls {\n        enabled on;\n    }\n}\n",
        Dump(root));
    sr_conf_free(root);

    root = Parse("listen 1935;\n");
    ASSERT_NE(nullptr, root);
    EXPECT_SR_OK(sr_conf_override_blocks(root, "vhost", "__defaultVhost__", "hls.enabled", "on", "env V"));
    EXPECT_EQ("listen 1935;\nvhost __defaultVhost__ {\n    hls {\n        enabled on;\n    }\n}\n", Dump(root));
    sr_conf_free(root);
}

TEST(ConfigEnv, ApplyReportsSkipsEmptyAndHidesSecrets)
{
    sr_conf_t *root = Parse("listen 1935;\nvhost v { }\n");
    ASSERT_NE(nullptr, root);
    Env env = {{"SRS_LISTEN", "19350"},
               {"SRS_HTTP_API_AUTH_PASSWORD", "pw"},
               {"SRS_DAEMON", ""}, // SRS treats empty as unset
               {"SRS_VHOST_DVR_ENABLED", "on"},
               {"SRS_NOT_A_DIRECTIVE", "x"}};
    sr_buf_t report;
    sr_buf_init(&report);
    EXPECT_EQ(3, sr_config_env_apply(root, FakeGet, &env, &report));
    std::string r((const char *)report.data, report.len);
    sr_buf_deinit(&report);
    EXPECT_EQ("env SRS_LISTEN sets listen = 19350\n"
              "env SRS_HTTP_API_AUTH_PASSWORD sets http_api.auth.password = ***\n"
              "env SRS_VHOST_DVR_ENABLED sets vhost.dvr.enabled = on\n",
              r);
    EXPECT_EQ(nullptr, sr_conf_get(root, "daemon"));
    EXPECT_STREQ("pw", sr_conf_str(sr_conf_get_path(root, "http_api.auth.password"), ""));
    EXPECT_STREQ("on", sr_conf_str(sr_conf_get_path(sr_conf_get(root, "vhost"), "dvr.enabled"), ""));
    sr_conf_free(root);
}

TEST(ConfigEnv, ApplyErrorNamesVariable)
{
    sr_conf_t *root = Parse("http_api on;\n"); // a plain directive where a block is expected
    ASSERT_NE(nullptr, root);
    Env env = {{"SRS_HTTP_API_LISTEN", "1985"}};
    EXPECT_SR_ERR(SR_ECONFIG, sr_config_env_apply(root, FakeGet, &env, nullptr));
    EXPECT_NE(nullptr, strstr(sr_err_trail(), "SRS_HTTP_API_LISTEN"));
    sr_conf_free(root);
}

TEST(ConfigEnv, LoadEnvWinsOverFileAndFillsMissing)
{
    std::string path = WriteConf("listen 1935;\nhttp_api { enabled off; listen 1985; }\n"
                                 "vhost __defaultVhost__ { }\n");
    ScopedEnv a("SRS_LISTEN", "19351");
    ScopedEnv b("SRS_HTTP_API_ENABLED", "on");
    ScopedEnv c("SRS_HTTP_API_AUTH_ENABLED", "on");
    ScopedEnv d("SRS_HTTP_API_AUTH_USERNAME", "admin");
    ScopedEnv e("SRS_VHOST_HLS_ENABLED", "on");
    sr_server_config_t *cfg = nullptr;
    ASSERT_SR_OK(sr_server_config_load(path.c_str(), &cfg));
    EXPECT_EQ(1, cfg->listen_count);
    EXPECT_EQ(19351, cfg->listens[0].port);
    EXPECT_TRUE(cfg->http_api.is_enabled);
    EXPECT_EQ(1985, cfg->http_api.addr.port);
    EXPECT_TRUE(cfg->http_api.is_auth);
    EXPECT_STREQ("admin", cfg->http_api.username);
    ASSERT_EQ(1, cfg->vhost_count);
    EXPECT_TRUE(cfg->hls[0].is_enabled);
    EXPECT_NE(nullptr, strstr(cfg->env_report, "env SRS_LISTEN sets listen = 19351\n"));
    sr_server_config_free(cfg);
    unlink(path.c_str());
}

TEST(ConfigEnv, LoadRefusesBadValueNamingVariable)
{
    std::string path = WriteConf("listen 1935;\nmax_connections 100;\n");
    ScopedEnv a("SRS_MAX_CONNECTIONS", "many");
    sr_server_config_t *cfg = nullptr;
    EXPECT_SR_ERR(SR_ECONFIG, sr_server_config_load(path.c_str(), &cfg));
    EXPECT_EQ(nullptr, cfg);
    std::string trail = sr_err_trail();
    EXPECT_NE(std::string::npos, trail.find("env SRS_MAX_CONNECTIONS")) << trail;
    EXPECT_NE(std::string::npos, trail.find("many")) << trail;
    unlink(path.c_str());
}

TEST(ConfigEnv, LoadWithoutVariablesKeepsFileAndDollarExpansion)
{
    // an env value is literal; a $VAR in the file still expands as before
    ScopedEnv home("STRAND_UTEST_DIR", "/tmp/x");
    ScopedEnv pid("SRS_PID", "$STRAND_UTEST_DIR/env.pid");
    std::string path = WriteConf("listen 1935;\nsrs_log_file ${STRAND_UTEST_DIR}/s.log;\n");
    sr_server_config_t *cfg = nullptr;
    ASSERT_SR_OK(sr_server_config_load(path.c_str(), &cfg));
    EXPECT_STREQ("/tmp/x/s.log", cfg->log_file);
    EXPECT_STREQ("$STRAND_UTEST_DIR/env.pid", cfg->pid_file);
    EXPECT_EQ(1935, cfg->listens[0].port);
    sr_server_config_free(cfg);
    unlink(path.c_str());
}

TEST(ConfigEnv, ValueNamingAnotherVariableIsLookedUp)
{
    // SRS: SRS_RTC_SERVER_CANDIDATE=$CANDIDATE CANDIDATE=1.2.3.4 ./objs/srs -e
    ScopedEnv cand("STRAND_UTEST_CANDIDATE", "192.0.2.7");
    ScopedEnv rtc("SRS_RTC_SERVER_CANDIDATE", "$STRAND_UTEST_CANDIDATE");
    ScopedEnv listen("SRS_HTTP_API_LISTEN", "${STRAND_UTEST_CANDIDATE_PORT}");
    ScopedEnv port("STRAND_UTEST_CANDIDATE_PORT", "19850");
    sr_server_config_t *cfg = nullptr;
    ASSERT_EQ(SR_OK, sr_server_config_load(SR_CONFIG_PATH_ENV_ONLY, &cfg)) << sr_err_trail();
    EXPECT_STREQ("192.0.2.7", cfg->rtc_server.candidate);
    EXPECT_EQ(19850, cfg->http_api.addr.port);
    EXPECT_EQ(1, cfg->vhost_count); // -e: the default vhost is there without a file
    sr_server_config_free(cfg);
}
