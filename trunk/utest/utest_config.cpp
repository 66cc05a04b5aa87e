// SPDX-License-Identifier: MIT
// utest_config.cpp: the config parser (core/sr_config): syntax, includes, environment
// expansion, exact file:line in every error, typed getters, dump round trip.
#include <stdlib.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "sr_bytes.h"
#include "sr_config.h"
#include "sr_error.h"
#include "sr_utest.h"

namespace
{

// A mkdtemp directory whose files are removed at the end of the test.
class TempDir
{
  public:
    TempDir()
    {
        const char *tmp = getenv("TMPDIR");
        std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/strand-conf-XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        char *d = mkdtemp(buf.data());
        EXPECT_NE(nullptr, d);
        dir_ = d ? d : "/nonexistent";
    }
    ~TempDir()
    {
        for (auto it = files_.rbegin(); it != files_.rend(); ++it) {
            unlink(it->c_str());
        }
        for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
            rmdir(it->c_str());
        }
        rmdir(dir_.c_str());
    }
    // Write rel (relative to the dir) and return its full path.
    std::string write(const std::string &rel, const std::string &text)
    {
        std::string path = dir_ + "/" + rel;
        FILE *f = fopen(path.c_str(), "wb");
        EXPECT_NE(nullptr, f) << path;
        if (f) {
            fwrite(text.data(), 1, text.size(), f);
            fclose(f);
        }
        files_.push_back(path);
        return path;
    }
    std::string mkdir(const std::string &rel)
    {
        std::string path = dir_ + "/" + rel;
        EXPECT_EQ(0, ::mkdir(path.c_str(), 0700));
        dirs_.push_back(path);
        return path;
    }
    const std::string &path() const
    {
        return dir_;
    }

  private:
    std::string dir_;
    std::vector<std::string> files_;
    std::vector<std::string> dirs_;
};

// A parsed tree that frees itself.
struct Conf {
    sr_conf_t *root = nullptr;
    ~Conf()
    {
        sr_conf_free(root);
    }
};

bool TrailHas(const std::string &s)
{
    return strstr(sr_err_trail(), s.c_str()) != nullptr;
}

std::string Dump(const sr_conf_t *n)
{
    sr_buf_t b;
    sr_buf_init(&b);
    sr_conf_dump(n, &b);
    std::string s(reinterpret_cast<const char *>(b.data), b.len);
    sr_buf_deinit(&b);
    return s;
}

const char kSrsConf[] = "# main config for strand, SRS syntax\n"                         // 1
                        "listen              1935;\n"                                    // 2
                        "max_connections     1000; # per process\n"                      // 3
                        "daemon              off;\n"                                     // 4
                        "srs_log_file        './objs/srs; log.txt';\n"                   // 5
                        "http_api {\n"                                                   // 6
                        "    enabled         on;\n"                                      // 7
                        "    listen          1985;\n"                                    // 8
                        "    auth {\n"                                                   // 9
                        "        enabled     on;\n"                                      // 10
                        "        username    \"admin user\";\n"                          // 11
                        "        password    'p#ss\\'word';\n"                           // 12
                        "    }\n"                                                        // 13
                        "}\n"                                                            // 14
                        "rtmp { listen 1935; chunk_size 60000; }\n"                      // 15
                        "\n"                                                             // 16
                        "vhost __defaultVhost__ {\n"                                     // 17
                        "    # HLS output\n"                                             // 18
                        "    hls {\n"                                                    // 19
                        "        enabled         on;\n"                                  // 20
                        "        hls_fragment    10;\n"                                  // 21
                        "        hls_window      60.5;\n"                                // 22
                        "        hls_m3u8_file   [app]/[stream].m3u8;\n"                 // 23
                        "    }\n"                                                        // 24
                        "    play {\n"                                                   // 25
                        "        gop_cache       on; mw_latency 350;\n"                  // 26
                        "    }\n"                                                        // 27
                        "}\n"                                                            // 28
                        "vhost disabled.example.com {\n"                                 // 29
                        "    enabled off;   # switched off\n"                            // 30
                        "}\n"                                                            // 31
                        "vhost unicode.例え.jp { hls { hls_path /srv/hls/ŝtream; } }\n"; // 32

} // namespace

// ---------------------------------------------------------------------------
// syntax and tree

TEST(Config, ParsesRealisticSrsConfig)
{
    Conf c;
    ASSERT_SR_OK(sr_conf_load_string(kSrsConf, "srs.conf", &c.root));
    EXPECT_STREQ("", sr_conf_name(c.root));
    EXPECT_STREQ("srs.conf", sr_conf_file(c.root));
    EXPECT_EQ(9, sr_conf_child_count(c.root));
    EXPECT_STREQ("1935", sr_conf_str(sr_conf_get(c.root, "listen"), nullptr));
    EXPECT_STREQ("./objs/srs; log.txt", sr_conf_str(sr_conf_get(c.root, "srs_log_file"), nullptr));
    EXPECT_STREQ("admin user", sr_conf_str(sr_conf_get_path(c.root, "http_api.auth.username"), nullptr));
    EXPECT_STREQ("p#ss'word", sr_conf_str(sr_conf_get_path(c.root, "http_api.auth.password"), nullptr));
    EXPECT_STREQ("[app]/[stream].m3u8",
                 sr_conf_str(sr_conf_get_path(sr_conf_get(c.root, "vhost"), "hls.hls_m3u8_file"), nullptr));

    // v7 form is just a block
    const sr_conf_t *rtmp = sr_conf_get(c.root, "rtmp");
    ASSERT_NE(nullptr, rtmp);
    EXPECT_TRUE(sr_conf_is_block(rtmp));
    EXPECT_EQ(2, sr_conf_child_count(rtmp));
    EXPECT_STREQ("60000", sr_conf_str(sr_conf_get(rtmp, "chunk_size"), nullptr));

    // vhosts in order, with names as args
    std::vector<std::string> names;
    for (const sr_conf_t *v = sr_conf_next(c.root, nullptr, "vhost"); v; v = sr_conf_next(c.root, v, "vhost")) {
        ASSERT_EQ(1, sr_conf_argc(v));
        names.push_back(sr_conf_arg(v, 0));
    }
    ASSERT_EQ(3u, names.size());
    EXPECT_EQ("__defaultVhost__", names[0]);
    EXPECT_EQ("disabled.example.com", names[1]);
    EXPECT_EQ("unicode.例え.jp", names[2]);
    const sr_conf_t *v3 = sr_conf_next(c.root, sr_conf_next(c.root, sr_conf_get(c.root, "vhost"), "vhost"), "vhost");
    EXPECT_STREQ("/srv/hls/ŝtream", sr_conf_str(sr_conf_get_path(v3, "hls.hls_path"), nullptr));

    bool enabled = true;
    const sr_conf_t *v2 = sr_conf_next(c.root, sr_conf_get(c.root, "vhost"), "vhost");
    EXPECT_SR_OK(sr_conf_bool(sr_conf_get(v2, "enabled"), true, &enabled));
    EXPECT_FALSE(enabled);
}

TEST(Config, RecordsExactLines)
{
    Conf c;
    ASSERT_SR_OK(sr_conf_load_string(kSrsConf, "srs.conf", &c.root));
    EXPECT_EQ(2, sr_conf_line(sr_conf_get(c.root, "listen")));
    EXPECT_EQ(6, sr_conf_line(sr_conf_get(c.root, "http_api")));
    EXPECT_EQ(11, sr_conf_line(sr_conf_get_path(c.root, "http_api.auth.username")));
    EXPECT_EQ(15, sr_conf_line(sr_conf_get_path(c.root, "rtmp.chunk_size")));
    const sr_conf_t *v = sr_conf_get(c.root, "vhost");
    EXPECT_EQ(17, sr_conf_line(v));
    EXPECT_EQ(26, sr_conf_line(sr_conf_get_path(v, "play.mw_latency")));
    EXPECT_STREQ("srs.conf", sr_conf_file(sr_conf_get_path(v, "play.mw_latency")));
    EXPECT_EQ(30, sr_conf_line(sr_conf_get(sr_conf_next(c.root, v, "vhost"), "enabled")));
}

TEST(Config, QuotingEscapesAndComments)
{
    const char *text = "a \"x;y{z}\" 'two words' \"q\\\"uote\" 'back\\\\slash' \"\" pre\"mid\"'post';\r\n"
                       "b c#d \"#not comment\" # real comment ; {\r\n"
                       "  x;\r\n" // the comment above ends at the line end
                       "e 'multi\nline' f;\n"
                       "g \"keep \\n and \\t\"; # no newline at end";
    Conf c;
    ASSERT_SR_OK(sr_conf_load_string(text, "q.conf", &c.root));
    const sr_conf_t *a = sr_conf_get(c.root, "a");
    ASSERT_EQ(6, sr_conf_argc(a));
    EXPECT_STREQ("x;y{z}", sr_conf_arg(a, 0));
    EXPECT_STREQ("two words", sr_conf_arg(a, 1));
    EXPECT_STREQ("q\"uote", sr_conf_arg(a, 2));
    EXPECT_STREQ("back\\slash", sr_conf_arg(a, 3));
    EXPECT_STREQ("", sr_conf_arg(a, 4));
    EXPECT_STREQ("premidpost", sr_conf_arg(a, 5));
    EXPECT_EQ(nullptr, sr_conf_arg(a, 6));
    EXPECT_EQ(nullptr, sr_conf_arg(a, -1));
    // "b c#d "#not comment" # ...;" continues on line 3 with "x;"
    const sr_conf_t *b = sr_conf_get(c.root, "b");
    ASSERT_EQ(3, sr_conf_argc(b));
    EXPECT_STREQ("c#d", sr_conf_arg(b, 0));
    EXPECT_STREQ("#not comment", sr_conf_arg(b, 1));
    EXPECT_STREQ("x", sr_conf_arg(b, 2));
    EXPECT_EQ(2, sr_conf_line(b));
    const sr_conf_t *e = sr_conf_get(c.root, "e");
    EXPECT_STREQ("multi\nline", sr_conf_arg(e, 0));
    EXPECT_EQ(4, sr_conf_line(e));
    const sr_conf_t *g = sr_conf_get(c.root, "g");
    EXPECT_STREQ("keep \\n and \\t", sr_conf_arg(g, 0));
    EXPECT_EQ(6, sr_conf_line(g)); // the quoted newline on line 4 counts
}

TEST(Config, EmptyInputAndEmptyBlocks)
{
    Conf c;
    ASSERT_SR_OK(sr_conf_load_string("  # nothing\n\n", nullptr, &c.root));
    EXPECT_EQ(0, sr_conf_child_count(c.root));
    EXPECT_STREQ("<string>", sr_conf_file(c.root));
    Conf d;
    ASSERT_SR_OK(sr_conf_load_string("http_api {}\nhttp_api;\n", nullptr, &d.root));
    EXPECT_TRUE(sr_conf_is_block(sr_conf_child_at(d.root, 0)));
    EXPECT_FALSE(sr_conf_is_block(sr_conf_child_at(d.root, 1)));
    EXPECT_EQ(nullptr, sr_conf_child_at(d.root, 2));
    EXPECT_FALSE(sr_conf_equal(sr_conf_child_at(d.root, 0), sr_conf_child_at(d.root, 1)));
}

TEST(Config, NullNodesAreAbsent)
{
    EXPECT_STREQ("", sr_conf_name(nullptr));
    EXPECT_EQ(0, sr_conf_argc(nullptr));
    EXPECT_EQ(nullptr, sr_conf_arg(nullptr, 0));
    EXPECT_EQ(0, sr_conf_child_count(nullptr));
    EXPECT_EQ(nullptr, sr_conf_get(nullptr, "x"));
    EXPECT_EQ(nullptr, sr_conf_get_path(nullptr, "x.y"));
    EXPECT_EQ(nullptr, sr_conf_next(nullptr, nullptr, "x"));
    EXPECT_STREQ("d", sr_conf_str(nullptr, "d"));
    sr_conf_free(nullptr);
}

TEST(Config, DottedPaths)
{
    Conf c;
    ASSERT_SR_OK(sr_conf_load_string("a { b { c 1; } b { c 2; d 3; } }\nab 9;\n", "p.conf", &c.root));
    EXPECT_STREQ("1", sr_conf_str(sr_conf_get_path(c.root, "a.b.c"), nullptr)); // first b
    EXPECT_EQ(nullptr, sr_conf_get_path(c.root, "a.b.d"));                      // only in the second b
    EXPECT_EQ(nullptr, sr_conf_get_path(c.root, "a..b"));
    EXPECT_EQ(nullptr, sr_conf_get_path(c.root, "a.b."));
    EXPECT_EQ(nullptr, sr_conf_get_path(c.root, ""));
    EXPECT_EQ(nullptr, sr_conf_get_path(c.root, "a.bx"));
    EXPECT_STREQ("9", sr_conf_str(sr_conf_get_path(c.root, "ab"), nullptr));
    EXPECT_EQ(sr_conf_get(c.root, "a"), sr_conf_get_path(c.root, "a"));
    const sr_conf_t *a = sr_conf_get(c.root, "a");
    const sr_conf_t *b2 = sr_conf_next(a, sr_conf_get(a, "b"), "b");
    EXPECT_STREQ("3", sr_conf_str(sr_conf_get(b2, "d"), nullptr));
    EXPECT_EQ(nullptr, sr_conf_next(a, b2, "b"));
    EXPECT_EQ(nullptr, sr_conf_next(c.root, b2, "b")); // b2 is not a child of root
}

TEST(Config, NestingIsLimited)
{
    std::string ok, deep;
    for (int i = 0; i < SR_CONF_MAX_DEPTH; i++) {
        ok += "b {\n";
    }
    ok += "leaf 1;\n" + std::string(SR_CONF_MAX_DEPTH, '}');
    Conf c;
    ASSERT_SR_OK(sr_conf_load_string(ok.c_str(), "n.conf", &c.root));
    std::string path = "b";
    for (int i = 1; i < SR_CONF_MAX_DEPTH; i++) {
        path += ".b";
    }
    EXPECT_STREQ("1", sr_conf_str(sr_conf_get_path(c.root, (path + ".leaf").c_str()), nullptr));

    for (int i = 0; i < 10000; i++) {
        deep += "b {\n";
    }
    Conf d;
    EXPECT_SR_ERR(SR_ECONFIG_SYNTAX, sr_conf_load_string(deep.c_str(), "n.conf", &d.root));
    EXPECT_TRUE(TrailHas("n.conf:33: blocks nested deeper than 32")) << sr_err_trail();
}

// ---------------------------------------------------------------------------
// errors name the exact file:line

struct SyntaxCase {
    const char *text;
    int code;
    const char *where;
};

TEST(Config, SyntaxErrorsNameExactLine)
{
    const SyntaxCase cases[] = {
        {"listen 1935;\n}\n", SR_ECONFIG_SYNTAX, "e.conf:2: unexpected '}'"},
        {"a { b 1; }\n\n}", SR_ECONFIG_SYNTAX, "e.conf:3: unexpected '}'"},
        {"listen 1935;\nmax_connections 10", SR_ECONFIG_SYNTAX, "e.conf:2: missing ';' after 'max_connections' at end"},
        {"a {\n  b 1\n}\n", SR_ECONFIG_SYNTAX, "e.conf:2: missing ';' after 'b' (before '}' at line 3)"},
        {"x;\nvhost v {\n  listen 1;\n  hls {\n  }\n\n", SR_ECONFIG_SYNTAX, "e.conf:2: block 'vhost' is not closed"},
        {"a 1;\n\nb \"abc;\n}\n", SR_ECONFIG_SYNTAX, "e.conf:3: unterminated double quote"},
        {"a 1;\nb 'x\ny\n", SR_ECONFIG_SYNTAX, "e.conf:2: unterminated single quote"},
        {";\n", SR_ECONFIG_SYNTAX, "e.conf:1: unexpected ';' (empty directive)"},
        {"a 1;\n\n  ;", SR_ECONFIG_SYNTAX, "e.conf:3: unexpected ';'"},
        {"a 1;\n{ b; }", SR_ECONFIG_SYNTAX, "e.conf:2: unexpected '{'"},
        {"a 1;\ninclude x.conf { }", SR_ECONFIG_SYNTAX, "e.conf:2: include cannot have a block"},
        {"a 1;\n\ninclude;", SR_ECONFIG_SYNTAX, "e.conf:3: include needs a file name"},
        {"a 1;\nb ${SR_UTEST_X", SR_ECONFIG_SYNTAX, "e.conf:2: bad ${...}"},
        {"a 1;\nb ${};", SR_ECONFIG_SYNTAX, "e.conf:2: bad ${...}"},
        {"a 1;\n\ninclude /nonexistent/strand/x.conf;", SR_EFILE_OPEN, "e.conf:3: include /nonexistent/strand/x.conf"},
    };
    for (const SyntaxCase &t : cases) {
        Conf c;
        SCOPED_TRACE(t.text);
        EXPECT_SR_ERR(t.code, sr_conf_load_string(t.text, "e.conf", &c.root));
        EXPECT_TRUE(TrailHas(t.where)) << "want: " << t.where << "\ngot: " << sr_err_trail();
        EXPECT_EQ(nullptr, c.root);
    }
}

TEST(Config, FileErrors)
{
    TempDir tmp;
    Conf c;
    std::string missing = tmp.path() + "/missing.conf";
    EXPECT_SR_ERR(SR_EFILE_OPEN, sr_conf_load_file(missing.c_str(), &c.root));
    EXPECT_TRUE(TrailHas(missing)) << sr_err_trail();

    std::string nul = tmp.write("nul.conf", std::string("a 1;\nb 2;\nc \0;\n", 14));
    EXPECT_SR_ERR(SR_ECONFIG_SYNTAX, sr_conf_load_file(nul.c_str(), &c.root));
    EXPECT_TRUE(TrailHas(nul + ":3: NUL byte")) << sr_err_trail();

    std::string bom = tmp.write("bom.conf", "\xef\xbb\xbflisten 1935;\n");
    ASSERT_SR_OK(sr_conf_load_file(bom.c_str(), &c.root));
    EXPECT_STREQ("listen", sr_conf_name(sr_conf_child_at(c.root, 0)));
    EXPECT_EQ(bom, sr_conf_file(c.root));
}

// ---------------------------------------------------------------------------
// includes

TEST(Config, IncludeIsRelativeToIncludingFile)
{
    TempDir tmp;
    tmp.mkdir("conf.d");
    tmp.write("conf.d/vhosts.conf", "# vhosts\n"
                                    "vhost a.com { include a_hls.conf; }\n"
                                    "vhost b.com {\n"
                                    "    enabled off;\n"
                                    "}\n");
    tmp.write("conf.d/a_hls.conf", "\n\nhls { enabled on; }\n");
    std::string main = tmp.write("main.conf", "listen 1935;\n"
                                              "include conf.d/vhosts.conf;\n"
                                              "http_api { enabled on; }\n");
    Conf c;
    ASSERT_SR_OK(sr_conf_load_file(main.c_str(), &c.root));
    ASSERT_EQ(4, sr_conf_child_count(c.root));
    EXPECT_STREQ("listen", sr_conf_name(sr_conf_child_at(c.root, 0)));
    EXPECT_STREQ("vhost", sr_conf_name(sr_conf_child_at(c.root, 1)));
    EXPECT_STREQ("vhost", sr_conf_name(sr_conf_child_at(c.root, 2)));
    EXPECT_STREQ("http_api", sr_conf_name(sr_conf_child_at(c.root, 3)));
    const sr_conf_t *a = sr_conf_get(c.root, "vhost");
    EXPECT_EQ(tmp.path() + "/conf.d/vhosts.conf", sr_conf_file(a));
    EXPECT_EQ(2, sr_conf_line(a));
    const sr_conf_t *en = sr_conf_get_path(a, "hls.enabled");
    ASSERT_NE(nullptr, en);
    EXPECT_EQ(tmp.path() + "/conf.d/a_hls.conf", sr_conf_file(en));
    EXPECT_EQ(3, sr_conf_line(en));
    EXPECT_EQ(3, sr_conf_line(sr_conf_get(c.root, "http_api")));
    EXPECT_EQ(main, sr_conf_file(sr_conf_get(c.root, "http_api")));
}

TEST(Config, IncludeFallsBackToWorkingDirectory)
{
    // SRS resolves includes from the cwd: `include conf/x.conf` in conf/srs.conf.
    TempDir tmp;
    tmp.mkdir("conf");
    tmp.write("conf/x.conf", "chunk_size 4096;\n");
    std::string main = tmp.write("conf/srs.conf", "include conf/x.conf;\n");
    char cwd[4096];
    ASSERT_NE(nullptr, getcwd(cwd, sizeof(cwd)));
    ASSERT_EQ(0, chdir(tmp.path().c_str()));
    Conf c, s;
    int rc = sr_conf_load_file("conf/srs.conf", &c.root);
    int rs = sr_conf_load_string("include conf/x.conf;", "str", &s.root);
    ASSERT_EQ(0, chdir(cwd));
    ASSERT_SR_OK(rc);
    ASSERT_SR_OK(rs);
    EXPECT_STREQ("4096", sr_conf_str(sr_conf_get(c.root, "chunk_size"), nullptr));
    EXPECT_STREQ("4096", sr_conf_str(sr_conf_get(s.root, "chunk_size"), nullptr));
}

TEST(Config, IncludeCycleIsRefused)
{
    TempDir tmp;
    tmp.write("a.conf", "x 1;\ninclude b.conf;\n");
    tmp.write("b.conf", "y 1;\n\ninclude ./a.conf;\n");
    std::string self = tmp.write("self.conf", "include self.conf;\n");
    Conf c;
    EXPECT_SR_ERR(SR_ECONFIG, sr_conf_load_file((tmp.path() + "/a.conf").c_str(), &c.root));
    EXPECT_TRUE(TrailHas(tmp.path() + "/b.conf:3: include " + tmp.path() + "/./a.conf: include cycle"))
        << sr_err_trail();
    EXPECT_TRUE(TrailHas("included from " + tmp.path() + "/a.conf:2")) << sr_err_trail();
    EXPECT_EQ(nullptr, c.root);
    EXPECT_SR_ERR(SR_ECONFIG, sr_conf_load_file(self.c_str(), &c.root));
    EXPECT_TRUE(TrailHas(self + ":1: include")) << sr_err_trail();
}

TEST(Config, IncludeSameFileTwiceIsNotACycle)
{
    TempDir tmp;
    tmp.write("common.conf", "gop_cache on;\n");
    std::string main = tmp.write("main.conf", "vhost a { include common.conf; }\nvhost b { include common.conf; }\n");
    Conf c;
    ASSERT_SR_OK(sr_conf_load_file(main.c_str(), &c.root));
    const sr_conf_t *a = sr_conf_get(c.root, "vhost");
    EXPECT_STREQ("on", sr_conf_str(sr_conf_get(a, "gop_cache"), nullptr));
    EXPECT_STREQ("on", sr_conf_str(sr_conf_get(sr_conf_next(c.root, a, "vhost"), "gop_cache"), nullptr));
}

TEST(Config, IncludeDepthIsLimited)
{
    TempDir tmp;
    // f0 includes f1 ... f8 includes f9: depth 9 is one too many.
    for (int i = 0; i <= SR_CONF_MAX_INCLUDE_DEPTH + 1; i++) {
        std::string body = "d" + std::to_string(i) + " 1;\n";
        if (i <= SR_CONF_MAX_INCLUDE_DEPTH) {
            body += "include f" + std::to_string(i + 1) + ".conf;\n";
        }
        tmp.write("f" + std::to_string(i) + ".conf", body);
    }
    Conf c;
    ASSERT_SR_OK(sr_conf_load_file((tmp.path() + "/f1.conf").c_str(), &c.root));
    EXPECT_EQ(SR_CONF_MAX_INCLUDE_DEPTH + 1, sr_conf_child_count(c.root));
    Conf d;
    EXPECT_SR_ERR(SR_ECONFIG, sr_conf_load_file((tmp.path() + "/f0.conf").c_str(), &d.root));
    EXPECT_TRUE(TrailHas(tmp.path() + "/f8.conf:2: include f9.conf: includes nested deeper than 8")) << sr_err_trail();
}

TEST(Config, ErrorsInsideIncludesNameBothFiles)
{
    TempDir tmp;
    tmp.write("bad.conf", "ok 1;\nbroken 2\n");
    tmp.write("close.conf", "}\n");
    tmp.write("open.conf", "vhost x {\n");
    std::string m1 = tmp.write("m1.conf", "a 1;\nb 2;\ninclude bad.conf;\n");
    std::string m2 = tmp.write("m2.conf", "vhost y {\n    include close.conf;\n}\n");
    std::string m3 = tmp.write("m3.conf", "\ninclude open.conf;\n}\n");
    std::string m4 = tmp.write("m4.conf", "a 1;\n\n\ninclude missing.conf;\n");
    Conf c;
    EXPECT_SR_ERR(SR_ECONFIG_SYNTAX, sr_conf_load_file(m1.c_str(), &c.root));
    EXPECT_TRUE(TrailHas(tmp.path() + "/bad.conf:2: missing ';' after 'broken'")) << sr_err_trail();
    EXPECT_TRUE(TrailHas("included from " + m1 + ":3")) << sr_err_trail();
    // a block may not be closed by another file
    EXPECT_SR_ERR(SR_ECONFIG_SYNTAX, sr_conf_load_file(m2.c_str(), &c.root));
    EXPECT_TRUE(TrailHas(tmp.path() + "/close.conf:1: unexpected '}'")) << sr_err_trail();
    EXPECT_SR_ERR(SR_ECONFIG_SYNTAX, sr_conf_load_file(m3.c_str(), &c.root));
    EXPECT_TRUE(TrailHas(tmp.path() + "/open.conf:1: block 'vhost' is not closed")) << sr_err_trail();
    EXPECT_SR_ERR(SR_EFILE_OPEN, sr_conf_load_file(m4.c_str(), &c.root));
    EXPECT_TRUE(TrailHas(m4 + ":4: include " + tmp.path() + "/missing.conf")) << sr_err_trail();
    EXPECT_EQ(nullptr, c.root);
}

// ---------------------------------------------------------------------------
// environment

TEST(Config, ExpandsEnvironmentInArguments)
{
    setenv("SR_UTEST_PORT", "19350", 1);
    setenv("SR_UTEST_DIR", "/data/hls", 1);
    unsetenv("SR_UTEST_UNSET");
    const char *text = "listen $SR_UTEST_PORT;\n"
                       "hls_path ${SR_UTEST_DIR}/live $SR_UTEST_DIR/x \"$SR_UTEST_DIR/q s\" '$SR_UTEST_DIR';\n"
                       "empty $SR_UTEST_UNSET \"a${SR_UTEST_UNSET}b\";\n"
                       "literal $ $1 a$ \"\\$SR_UTEST_PORT\" cost$-5;\n"
                       "$SR_UTEST_PORT $SR_UTEST_PORT;\n";
    Conf c;
    ASSERT_SR_OK(sr_conf_load_string(text, "env.conf", &c.root));
    EXPECT_STREQ("19350", sr_conf_str(sr_conf_get(c.root, "listen"), nullptr));
    const sr_conf_t *h = sr_conf_get(c.root, "hls_path");
    EXPECT_STREQ("/data/hls/live", sr_conf_arg(h, 0));
    EXPECT_STREQ("/data/hls/x", sr_conf_arg(h, 1));
    EXPECT_STREQ("/data/hls/q s", sr_conf_arg(h, 2));
    EXPECT_STREQ("$SR_UTEST_DIR", sr_conf_arg(h, 3)); // single quotes are literal
    const sr_conf_t *e = sr_conf_get(c.root, "empty");
    ASSERT_EQ(2, sr_conf_argc(e));
    EXPECT_STREQ("", sr_conf_arg(e, 0));
    EXPECT_STREQ("ab", sr_conf_arg(e, 1));
    const sr_conf_t *l = sr_conf_get(c.root, "literal");
    EXPECT_STREQ("$", sr_conf_arg(l, 0));
    EXPECT_STREQ("$1", sr_conf_arg(l, 1));
    EXPECT_STREQ("a$", sr_conf_arg(l, 2));
    EXPECT_STREQ("$SR_UTEST_PORT", sr_conf_arg(l, 3));
    EXPECT_STREQ("cost$-5", sr_conf_arg(l, 4));
    // names are never expanded
    const sr_conf_t *n = sr_conf_get(c.root, "$SR_UTEST_PORT");
    ASSERT_NE(nullptr, n);
    EXPECT_STREQ("19350", sr_conf_arg(n, 0));
    unsetenv("SR_UTEST_PORT");
    unsetenv("SR_UTEST_DIR");
}

TEST(Config, IncludePathExpandsEnvironment)
{
    TempDir tmp;
    tmp.write("inc.conf", "chunk_size 128;\n");
    setenv("SR_UTEST_CONF_DIR", tmp.path().c_str(), 1);
    Conf c;
    ASSERT_SR_OK(sr_conf_load_string("include ${SR_UTEST_CONF_DIR}/inc.conf;", "e.conf", &c.root));
    unsetenv("SR_UTEST_CONF_DIR");
    EXPECT_STREQ("128", sr_conf_str(sr_conf_get(c.root, "chunk_size"), nullptr));
}

// ---------------------------------------------------------------------------
// typed getters

TEST(Config, BoolGetter)
{
    const char *text = "a on;\nb OFF;\nenabled maybe;\nc true; d no; e yes; f false;\nnone;\ntwo on off;\n";
    Conf c;
    ASSERT_SR_OK(sr_conf_load_string(text, "b.conf", &c.root));
    bool v = false;
    EXPECT_SR_OK(sr_conf_bool(sr_conf_get(c.root, "a"), false, &v));
    EXPECT_TRUE(v);
    EXPECT_SR_OK(sr_conf_bool(sr_conf_get(c.root, "b"), true, &v));
    EXPECT_FALSE(v);
    const char *names[] = {"c", "d", "e", "f"};
    const bool want[] = {true, false, true, false};
    for (int i = 0; i < 4; i++) {
        EXPECT_SR_OK(sr_conf_bool(sr_conf_get(c.root, names[i]), !want[i], &v));
        EXPECT_EQ(want[i], v) << names[i];
    }
    EXPECT_SR_OK(sr_conf_bool(sr_conf_get(c.root, "absent"), true, &v));
    EXPECT_TRUE(v);
    v = false;
    EXPECT_SR_ERR(SR_ECONFIG, sr_conf_bool(sr_conf_get(c.root, "enabled"), true, &v));
    EXPECT_TRUE(TrailHas("b.conf:3: 'enabled' expects on or off, got 'maybe'")) << sr_err_trail();
    EXPECT_TRUE(v); // the default on error
    EXPECT_SR_ERR(SR_ECONFIG, sr_conf_bool(sr_conf_get(c.root, "none"), true, &v));
    EXPECT_TRUE(TrailHas("b.conf:5: 'none' expects one value, got 0")) << sr_err_trail();
    EXPECT_SR_ERR(SR_ECONFIG, sr_conf_bool(sr_conf_get(c.root, "two"), true, &v));
    EXPECT_TRUE(TrailHas("b.conf:6: 'two' expects one value, got 2")) << sr_err_trail();
}

TEST(Config, IntAndDoubleGetters)
{
    const char *text = "listen 1935;\n"
                       "chunk_size 60000000;\n"
                       "neg -5;\n"
                       "junk 12ab;\n"
                       "huge 99999999999999999999999;\n"
                       "hls_fragment 2.5;\n"
                       "nan nan;\n"
                       "space \" 7\";\n";
    Conf c;
    ASSERT_SR_OK(sr_conf_load_string(text, "i.conf", &c.root));
    long v = 0;
    EXPECT_SR_OK(sr_conf_int(sr_conf_get(c.root, "listen"), 1, 1, 65535, &v));
    EXPECT_EQ(1935, v);
    EXPECT_SR_OK(sr_conf_int(sr_conf_get(c.root, "neg"), 0, -10, 10, &v));
    EXPECT_EQ(-5, v);
    EXPECT_SR_OK(sr_conf_int(nullptr, 42, 0, 10, &v));
    EXPECT_EQ(42, v);
    EXPECT_SR_ERR(SR_ECONFIG, sr_conf_int(sr_conf_get(c.root, "chunk_size"), 60000, 128, 65536, &v));
    EXPECT_TRUE(TrailHas("i.conf:2: 'chunk_size' 60000000 is out of range [128, 65536]")) << sr_err_trail();
    EXPECT_EQ(60000, v);
    EXPECT_SR_ERR(SR_ECONFIG, sr_conf_int(sr_conf_get(c.root, "junk"), 0, 0, 100, &v));
    EXPECT_TRUE(TrailHas("i.conf:4: 'junk' expects an integer, got '12ab'")) << sr_err_trail();
    EXPECT_SR_ERR(SR_ECONFIG, sr_conf_int(sr_conf_get(c.root, "huge"), 0, 0, 100, &v));
    EXPECT_TRUE(TrailHas("i.conf:5: 'huge'")) << sr_err_trail();
    EXPECT_SR_ERR(SR_ECONFIG, sr_conf_int(sr_conf_get(c.root, "space"), 0, 0, 100, &v));
    EXPECT_TRUE(TrailHas("i.conf:8:")) << sr_err_trail();

    double d = 0;
    EXPECT_SR_OK(sr_conf_double(sr_conf_get(c.root, "hls_fragment"), 10, &d));
    EXPECT_EQ(2.5, d);
    EXPECT_SR_OK(sr_conf_double(sr_conf_get(c.root, "listen"), 10, &d));
    EXPECT_EQ(1935.0, d);
    EXPECT_SR_OK(sr_conf_double(nullptr, 10, &d));
    EXPECT_EQ(10.0, d);
    EXPECT_SR_ERR(SR_ECONFIG, sr_conf_double(sr_conf_get(c.root, "nan"), 1, &d));
    EXPECT_TRUE(TrailHas("i.conf:7: 'nan' expects a number, got 'nan'")) << sr_err_trail();
    EXPECT_EQ(1.0, d);
    EXPECT_SR_ERR(SR_ECONFIG, sr_conf_double(sr_conf_get(c.root, "junk"), 1, &d));
    EXPECT_TRUE(TrailHas("i.conf:4:")) << sr_err_trail();
}

// ---------------------------------------------------------------------------
// dump and compare

TEST(Config, DumpRoundTrips)
{
    Conf a, b;
    ASSERT_SR_OK(sr_conf_load_string(kSrsConf, "srs.conf", &a.root));
    std::string text = Dump(a.root);
    ASSERT_SR_OK(sr_conf_load_string(text.c_str(), "dump", &b.root));
    EXPECT_TRUE(sr_conf_equal(a.root, b.root)) << text;
    EXPECT_EQ(text, Dump(b.root)); // canonical: a fixed point
    EXPECT_NE(std::string::npos, text.find("srs_log_file \"./objs/srs; log.txt\";\n")) << text;
    EXPECT_NE(std::string::npos, text.find("http_api {\n    enabled on;\n    listen 1985;\n    auth {\n")) << text;
    EXPECT_NE(std::string::npos, text.find("rtmp {\n    listen 1935;\n    chunk_size 60000;\n}\n")) << text;
}

TEST(Config, DumpQuotesWhatNeedsIt)
{
    setenv("SR_UTEST_Q", "v", 1);
    const char *text = "\"odd name\" '' 'a\"b' 'c\\\\d' '$SR_UTEST_Q' 'x y' 'tab\there' 'l1\nl2' '#h' 'ü' '{' ';';\n"
                       "empty {}\n";
    Conf a, b;
    ASSERT_SR_OK(sr_conf_load_string(text, "q.conf", &a.root));
    std::string out = Dump(a.root);
    EXPECT_NE(std::string::npos, out.find("\"odd name\" \"\" \"a\\\"b\" \"c\\\\d\" \"\\$SR_UTEST_Q\" \"x y\"")) << out;
    EXPECT_NE(std::string::npos, out.find(" ü \"{\" \";\";\nempty {\n}\n")) << out;
    ASSERT_SR_OK(sr_conf_load_string(out.c_str(), "dump", &b.root));
    EXPECT_TRUE(sr_conf_equal(a.root, b.root)) << out;
    unsetenv("SR_UTEST_Q");

    // a single node dumps itself
    EXPECT_EQ("empty {\n}\n", Dump(sr_conf_get(a.root, "empty")));
}

// Regression (found by fuzz_config): a name starting with the UTF-8 BOM bytes was dumped
// at the start of the text, where reparsing skips it as a byte order mark.
TEST(Config, DumpQuotesLeadingBom)
{
    Conf a, b;
    ASSERT_SR_OK(sr_conf_load_string("\n\xEF\xBB\xBF{}", "bom.conf", &a.root));
    std::string out = Dump(a.root);
    ASSERT_SR_OK(sr_conf_load_string(out.c_str(), "dump", &b.root));
    EXPECT_TRUE(sr_conf_equal(a.root, b.root)) << out;
}

TEST(Config, EqualSeesEveryDifference)
{
    const char *base = "vhost a { hls { enabled on; } }\nvhost b { play { gop_cache on; } }\n";
    const char *variants[] = {
        "vhost a { hls { enabled off; } }\nvhost b { play { gop_cache on; } }\n",
        "vhost a { hls { enabled on; } }\nvhost c { play { gop_cache on; } }\n",
        "vhost a { hls { enabled on; } }\nvhost b { play { gop_cache on; } }\nlisten 1;\n",
        "vhost a { hls { enabled on on; } }\nvhost b { play { gop_cache on; } }\n",
        "vhost a { hls { enabled on; } }\nvhost b { play; }\n",
        "vhost b { play { gop_cache on; } }\nvhost a { hls { enabled on; } }\n",
    };
    Conf a, same;
    ASSERT_SR_OK(sr_conf_load_string(base, "a", &a.root));
    // same content, different layout and lines
    ASSERT_SR_OK(sr_conf_load_string("\n\nvhost a {\n hls {\n  enabled on;\n }\n}\n# x\nvhost b{play{gop_cache on;}}",
                                     "b", &same.root));
    EXPECT_TRUE(sr_conf_equal(a.root, same.root));
    EXPECT_TRUE(sr_conf_equal(nullptr, nullptr));
    EXPECT_FALSE(sr_conf_equal(a.root, nullptr));
    for (const char *v : variants) {
        Conf b;
        ASSERT_SR_OK(sr_conf_load_string(v, "v", &b.root));
        EXPECT_FALSE(sr_conf_equal(a.root, b.root)) << v;
    }
    // reload use: compare vhosts one by one
    Conf b;
    ASSERT_SR_OK(sr_conf_load_string(variants[0], "v", &b.root));
    const sr_conf_t *va = sr_conf_get(a.root, "vhost"), *vb = sr_conf_get(b.root, "vhost");
    EXPECT_FALSE(sr_conf_equal(va, vb));
    EXPECT_TRUE(sr_conf_equal(sr_conf_next(a.root, va, "vhost"), sr_conf_next(b.root, vb, "vhost")));
}
