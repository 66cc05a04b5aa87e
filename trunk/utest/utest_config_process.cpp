// SPDX-License-Identifier: MIT
// utest_config_process.cpp: vhost transcode / ingest / exec resolved into plain structs
// (app/sr_config_process): every directive of an SRS engine, defaults, scopes, ingest
// inputs, exec lines, libfdk_aac read as aac, and each refused value named by its exact
// file:line.
#include <string>

#include "sr_config.h"
#include "sr_config_process.h"
#include "sr_error.h"
#include "sr_utest.h"

namespace
{

// The first vhost of text resolved; rc is the result.
struct Resolved {
    sr_conf_t *root = nullptr;
    sr_process_config_t pc = {};
    int rc = 1;
    explicit Resolved(const std::string &text)
    {
        rc = sr_conf_load_string(text.c_str(), "t.conf", &root);
        EXPECT_SR_OK(rc);
        if (rc == SR_OK) {
            rc = sr_config_process_resolve_vhost(sr_conf_get(root, "vhost"), &pc);
        }
    }
    ~Resolved()
    {
        sr_config_process_deinit(&pc);
        sr_conf_free(root);
    }
};

::testing::AssertionResult refused_at(const std::string &text, int line, const char *words)
{
    Resolved r(text);
    std::string trail = sr_err_trail();
    std::string where = "t.conf:" + std::to_string(line) + ":";
    if (r.rc != -SR_ECONFIG) {
        return ::testing::AssertionFailure() << "rc " << r.rc << " for:\n" << text;
    }
    if (trail.find(where) == std::string::npos || trail.find(words) == std::string::npos) {
        return ::testing::AssertionFailure() << "trail does not name " << where << " and '" << words << "': " << trail;
    }
    return ::testing::AssertionSuccess();
}

std::string args(const sr_argv_t &a)
{
    std::string s;
    for (int i = 0; i < a.n; i++) {
        s += (i ? " " : "") + std::string(a.v[i]);
    }
    return s;
}

const char *kFull =
    "vhost __defaultVhost__ {\n"
    "    transcode live/livestream {\n"
    "        enabled on;\n"
    "        ffmpeg ./objs/ffmpeg/bin/ffmpeg;\n"
    "        engine example {\n"
    "            enabled on;\n"
    "            iformat flv;\n"
    "            vfilter { i ./doc/ffmpeg-logo.png; filter_complex 'overlay=10:10'; }\n"
    "            vcodec libx264; vbitrate 1500; vfps 29.97; vwidth 768; vheight 320;\n"
    "            vthreads 12; vprofile main; vpreset medium;\n"
    "            vparams { t 100; coder 1; b_strategy 2; bf 3; refs 10; }\n"
    "            acodec libfdk_aac; abitrate 70; asample_rate 44100; achannels 2;\n"
    "            aparams { profile:a aac_low; }\n"
    "            oformat flv;\n"
    "            output rtmp://127.0.0.1:[port]/[app]?vhost=[vhost]/[stream]_[engine];\n"
    "        }\n"
    "        engine off { enabled off; }\n"
    "    }\n"
    "    transcode { enabled off; }\n"
    "    ingest cam {\n"
    "        enabled on;\n"
    "        input { type stream; url rtsp://cam/1; }\n"
    "        ffmpeg ffmpeg;\n"
    "        engine { enabled off; perfile { rtsp_transport tcp; } output rtmp://127.0.0.1/live/cam; }\n"
    "    }\n"
    "    exec { enabled on; publish ./on.sh [app] [stream]; publish /bin/true; }\n"
    "}\n";

} // namespace

TEST(ConfigProcess, ResolvesEverySrsDirective)
{
    Resolved r(kFull);
    ASSERT_SR_OK(r.rc);
    ASSERT_EQ(2, r.pc.transcode_count);
    const sr_transcode_config_t *t = &r.pc.transcodes[0];
    EXPECT_STREQ("live/livestream", t->scope);
    EXPECT_TRUE(t->is_enabled);
    EXPECT_STREQ("./objs/ffmpeg/bin/ffmpeg", t->ffmpeg);
    ASSERT_EQ(2, t->engine_count);
    const sr_ffmpeg_engine_config_t *e = &t->engines[0];
    EXPECT_STREQ("example", e->name);
    EXPECT_TRUE(e->is_enabled);
    EXPECT_STREQ("flv", e->iformat);
    EXPECT_EQ("-i ./doc/ffmpeg-logo.png -filter_complex overlay=10:10", args(e->vfilter));
    EXPECT_STREQ("libx264", e->vcodec);
    EXPECT_EQ(1500, e->vbitrate_kbps);
    EXPECT_DOUBLE_EQ(29.97, e->vfps);
    EXPECT_EQ(768, e->vwidth);
    EXPECT_EQ(320, e->vheight);
    EXPECT_EQ(12, e->vthreads);
    EXPECT_STREQ("main", e->vprofile);
    EXPECT_STREQ("medium", e->vpreset);
    EXPECT_EQ("-t 100 -coder 1 -b_strategy 2 -bf 3 -refs 10", args(e->vparams));
    EXPECT_STREQ("aac", e->acodec); // libfdk_aac is not in Debian's ffmpeg
    EXPECT_EQ(70, e->abitrate_kbps);
    EXPECT_EQ(44100, e->asample_rate);
    EXPECT_EQ(2, e->achannels);
    EXPECT_EQ("-profile:a aac_low", args(e->aparams));
    EXPECT_STREQ("flv", e->oformat);
    EXPECT_STREQ("rtmp://127.0.0.1:[port]/[app]?vhost=[vhost]/[stream]_[engine]", e->output);
    EXPECT_FALSE(t->engines[1].is_enabled); // a disabled engine needs no output
    EXPECT_STREQ("", r.pc.transcodes[1].scope);
    EXPECT_FALSE(r.pc.transcodes[1].is_enabled);
    EXPECT_STREQ("ffmpeg", r.pc.transcodes[1].ffmpeg); // from PATH by default

    ASSERT_EQ(1, r.pc.ingest_count);
    const sr_ingest_config_t *g = &r.pc.ingests[0];
    EXPECT_STREQ("cam", g->id);
    EXPECT_TRUE(g->is_enabled);
    EXPECT_FALSE(g->is_file);
    EXPECT_STREQ("rtsp://cam/1", g->input_url);
    ASSERT_EQ(1, g->engine_count);
    EXPECT_STREQ("", g->engines[0].name);
    EXPECT_FALSE(g->engines[0].is_enabled);
    EXPECT_STREQ("", g->engines[0].iformat); // not given: ffmpeg probes the input
    EXPECT_EQ("-rtsp_transport tcp", args(g->engines[0].perfile));

    EXPECT_TRUE(r.pc.exec.is_enabled);
    ASSERT_EQ(2, r.pc.exec.publish_count);
    EXPECT_EQ("./on.sh [app] [stream]", args(r.pc.exec.publish[0]));
    EXPECT_EQ("/bin/true", args(r.pc.exec.publish[1]));
}

TEST(ConfigProcess, NoBlocksNoChildren)
{
    Resolved r("vhost v {\n}\n");
    ASSERT_SR_OK(r.rc);
    EXPECT_EQ(0, r.pc.transcode_count);
    EXPECT_EQ(0, r.pc.ingest_count);
    EXPECT_FALSE(r.pc.exec.is_enabled);
    EXPECT_EQ(0, r.pc.exec.publish_count);
    sr_process_config_t empty = {};
    sr_config_process_deinit(&empty); // zeroed is fine
    EXPECT_SR_OK(sr_config_process_resolve_vhost(nullptr, &empty));
    sr_config_process_deinit(&empty);
}

TEST(ConfigProcess, RefusesBadValuesWithFileLine)
{
    const std::string head = "vhost v {\n    transcode live {\n        enabled on;\n";
    const std::string eng = "        engine e {\n            enabled on;\n            output rtmp://x/[stream];\n";
    EXPECT_TRUE(refused_at(head + eng + "            vbitrate fast;\n        }\n    }\n}\n", 7, "vbitrate"));
    EXPECT_TRUE(refused_at(head + eng + "            vwidth -320;\n        }\n    }\n}\n", 7, "vwidth"));
    EXPECT_TRUE(refused_at(head + eng + "            abitrate 48k;\n        }\n    }\n}\n", 7, "abitrate"));
    EXPECT_TRUE(refused_at(head + eng + "            vfps -1;\n        }\n    }\n}\n", 7, "vfps"));
    EXPECT_TRUE(refused_at(head + eng + "            vparams { x { y; } }\n        }\n    }\n}\n", 7, "takes values"));
    EXPECT_TRUE(
        refused_at(head + "        engine e {\n            enabled on;\n        }\n    }\n}\n", 4, "no output"));
    EXPECT_TRUE(refused_at(head +
                               "        engine {\n            enabled on;\n            output rtmp://x/y;\n        }\n"
                               "    }\n}\n",
                           4, "engine needs exactly one name"));
    EXPECT_TRUE(refused_at(head + eng + "        }\n" + eng + "        }\n    }\n}\n", 8, "defined twice"));
    EXPECT_TRUE(refused_at("vhost v {\n    transcode a b {\n    }\n}\n", 2, "at most one scope"));
    EXPECT_TRUE(refused_at("vhost v {\n    ingest {\n        enabled on;\n    }\n}\n", 2, "exactly one id"));
    EXPECT_TRUE(refused_at("vhost v {\n    ingest i {\n        enabled on;\n        input {\n            type file;\n"
                           "        }\n    }\n}\n",
                           4, "no input url"));
    EXPECT_TRUE(refused_at("vhost v {\n    ingest i {\n        input { url x; type device; }\n    }\n}\n", 3,
                           "file or stream"));
    EXPECT_TRUE(refused_at("vhost v {\n    ingest i {\n        input { url x; }\n        engine { enabled on; }\n"
                           "    }\n}\n",
                           4, "no output"));
    EXPECT_TRUE(refused_at("vhost v {\n    ingest i {\n        input { url x; }\n    }\n"
                           "    ingest i {\n        input { url y; }\n    }\n}\n",
                           1, "ingest i is defined twice"));
    EXPECT_TRUE(
        refused_at("vhost v {\n    exec {\n        enabled on;\n        publish;\n    }\n}\n", 4, "needs a command"));
    EXPECT_TRUE(refused_at("vhost v {\n    exec {\n        enabled maybe;\n    }\n}\n", 3, "enabled"));
}
