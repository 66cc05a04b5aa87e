// SPDX-License-Identifier: MIT
// utest_transcode.cpp: the command lines of app/process (sr_transcode, sr_ingest,
// sr_exec) argument by argument for full, copy, vn/an, vfilter/vparams and input-option
// engines; output templates; log file names; which output URLs publish to this server;
// scopes; and the loop guard that keeps a transcoder's output from being transcoded
// again (a supervisor with a real, harmless child stands for the running transcoder).
#include <string>

#include "sr_config.h"
#include "sr_config_process.h"
#include "sr_config_server.h"
#include "sr_exec.h"
#include "sr_ingest.h"
#include "sr_supervisor.h"
#include "sr_transcode.h"
#include "sr_utest.h"
#include "sr_utest_st.h"

namespace
{

std::string args(const sr_argv_t &a)
{
    std::string s;
    for (int i = 0; i < a.n; i++) {
        s += (i ? " " : "") + std::string(a.v[i]);
    }
    return s;
}

// A server config made by hand around the first vhost of text (the transcode code reads
// only listens, ff_log_dir and vhosts).
struct Server {
    sr_conf_t *root = nullptr;
    sr_process_config_t pc = {};
    sr_vhost_config_t vhost = {};
    sr_server_config_t cfg = {};
    explicit Server(const std::string &text, const char *name = "__defaultVhost__")
    {
        EXPECT_SR_OK(sr_conf_load_string(text.c_str(), "t.conf", &root));
        EXPECT_SR_OK(sr_config_process_resolve_vhost(sr_conf_get(root, "vhost"), &pc));
        snprintf(vhost.name, sizeof(vhost.name), "%s", name);
        vhost.is_enabled = true;
        vhost.process = &pc;
        cfg.vhosts = &vhost;
        cfg.vhost_count = 1;
        cfg.listen_count = 2;
        snprintf(cfg.listens[0].ip, sizeof(cfg.listens[0].ip), "0.0.0.0");
        cfg.listens[0].port = 19350;
        snprintf(cfg.listens[1].ip, sizeof(cfg.listens[1].ip), "10.1.2.3");
        cfg.listens[1].port = 19351;
        snprintf(cfg.ff_log_dir, sizeof(cfg.ff_log_dir), "./objs");
    }
    ~Server()
    {
        sr_config_process_deinit(&pc);
        sr_conf_free(root);
    }
    const sr_ffmpeg_engine_config_t *engine(int t, int e) const
    {
        return &pc.transcodes[t].engines[e];
    }
};

std::string transcode_argv(const sr_ffmpeg_engine_config_t *e)
{
    sr_argv_t a;
    sr_argv_init(&a);
    sr_transcode_argv("ffmpeg", e, "IN", "OUT", &a);
    std::string s = args(a);
    sr_argv_deinit(&a);
    return s;
}

const char *kEngines =
    "vhost __defaultVhost__ {\n"
    "    transcode live {\n"
    "        enabled on;\n"
    "        engine full {\n"
    "            enabled on;\n"
    "            vfilter { i logo.png; filter_complex 'overlay=10:10'; }\n"
    "            vcodec libx264; vbitrate 300; vfps 25; vwidth 320; vheight 180; vthreads 2;\n"
    "            vprofile baseline; vpreset superfast;\n"
    "            vparams { g 50; bf 0; }\n"
    "            acodec libfdk_aac; abitrate 48; asample_rate 44100; achannels 2;\n"
    "            aparams { profile:a aac_low; }\n"
    "            output rtmp://127.0.0.1:[port]/[app]?vhost=[vhost]/[stream]_[engine];\n"
    "        }\n"
    "        engine copy {\n"
    "            enabled on; vfilter { vf scale=1:1; } vcodec copy; vbitrate 300; acodec copy; abitrate 9;\n"
    "            output rtmp://127.0.0.1:[port]/[app]/[stream]_[engine][param];\n"
    "        }\n"
    "        engine audio { enabled on; vcodec vn; vwidth 320; acodec aac; abitrate 32; output o; }\n"
    "        engine video { enabled on; perfile { re; } iformat off; vcodec libx264; acodec an; oformat mpegts;\n"
    "                       output udp://1.2.3.4:5; }\n"
    "        engine bare { enabled on; output o; }\n"
    "        engine sleeping { enabled off; output o; }\n"
    "    }\n"
    "    transcode live/other { enabled on; engine x { enabled on; output rtmp://127.0.0.1/live/x; } }\n"
    "    transcode { enabled on; engine all { enabled on; vcodec copy; acodec copy;\n"
    "        output rtmp://localhost:19351/[app]/[stream]_all; } }\n"
    "    transcode other { enabled on; engine same { enabled on; output rtmp://127.0.0.1:[port]/[app]/[stream]; }\n"
    "        engine no { enabled on; output rtmp://127.0.0.1:[port]/other/[stream]_no; } }\n"
    "    exec { enabled on; publish ./on.sh -v [vhost] [app]/[stream] \"p=[param]\" [port]; publish /bin/true; }\n"
    "}\n";

} // namespace

TEST(Transcode, ArgvOfEveryKindOfEngine)
{
    Server s(kEngines);
    ASSERT_EQ(6, s.pc.transcodes[0].engine_count);
    EXPECT_EQ("ffmpeg -f flv -i IN -i logo.png -filter_complex overlay=10:10 -vcodec libx264 -b:v 300k -r 25 "
              "-s 320x180 -profile:v baseline -preset superfast -threads 2 -g 50 -bf 0 -acodec aac -b:a 48k "
              "-ar 44100 -ac 2 -profile:a aac_low -f flv -y OUT",
              transcode_argv(s.engine(0, 0)));
    // copy: nothing else of the track, not even its filter
    EXPECT_EQ("ffmpeg -f flv -i IN -vcodec copy -acodec copy -f flv -y OUT", transcode_argv(s.engine(0, 1)));
    EXPECT_EQ("ffmpeg -f flv -i IN -vn -acodec aac -b:a 32k -f flv -y OUT", transcode_argv(s.engine(0, 2)));
    EXPECT_EQ("ffmpeg -re -i IN -vcodec libx264 -an -f mpegts -y OUT", transcode_argv(s.engine(0, 3)));
    EXPECT_EQ("ffmpeg -f flv -i IN -f flv -y OUT", transcode_argv(s.engine(0, 4)));
}

TEST(Transcode, ExpandsTemplates)
{
    sr_process_vars_t v = {"__defaultVhost__", "live", "ls", "ff", "?token=1", 1935};
    char out[256];
    sr_transcode_expand("rtmp://127.0.0.1:[port]/[app]?vhost=[vhost]/[stream]_[engine][param]", &v, out, sizeof(out));
    EXPECT_STREQ("rtmp://127.0.0.1:1935/live?vhost=__defaultVhost__/ls_ff?token=1", out);
    sr_transcode_expand("[stream][stream] [unknown] [app", &v, out, sizeof(out));
    EXPECT_STREQ("lsls [unknown] [app", out);
    sr_process_vars_t empty = {};
    sr_transcode_expand("a[vhost]b[param]c[port]", &empty, out, sizeof(out));
    EXPECT_STREQ("abc0", out);
    char small[8];
    sr_transcode_expand("[vhost]/[app]", &v, small, sizeof(small));
    EXPECT_STREQ("__defau", small);
}

TEST(Transcode, LogPathsStayInTheDirectory)
{
    char out[512];
    sr_transcode_log_path("./objs", "transcode", "__defaultVhost__", "live", "ls", "ff", out, sizeof(out));
    EXPECT_STREQ("./objs/ffmpeg-transcode-__defaultVhost__-live-ls-ff.log", out);
    sr_transcode_log_path("/var/log/x", "exec", "v", "a/b", "../../etc/passwd", "0", out, sizeof(out));
    EXPECT_STREQ("/var/log/x/ffmpeg-exec-v-a_b-.._.._etc_passwd-0.log", out);
    sr_transcode_log_path("/dev/null", "ingest", "v", "a", "s", "e", out, sizeof(out));
    EXPECT_STREQ("", out);
}

TEST(Transcode, LocalKeyOfAnOutputUrl)
{
    Server s(kEngines);
    char key[512];
    sr_transcode_local_key(&s.cfg, "rtmp://127.0.0.1:19350/live?vhost=__defaultVhost__/ls_ff", key, sizeof(key));
    EXPECT_STREQ("__defaultVhost__/live/ls_ff", key);
    // an unknown vhost name resolves to the default, as for a client; params dropped
    sr_transcode_local_key(&s.cfg, "rtmp://localhost:19351/live/ls_all?token=1", key, sizeof(key));
    EXPECT_STREQ("__defaultVhost__/live/ls_all", key);
    sr_transcode_local_key(&s.cfg, "rtmp://10.1.2.3:19350/a/b/c", key, sizeof(key));
    EXPECT_STREQ("__defaultVhost__/a/b/c", key);
    const char *elsewhere[] = {"rtmp://127.0.0.1:1935/live/ls",
                               "rtmp://example.com:19350/live/ls",
                               "udp://127.0.0.1:19350/x",
                               "rtmp://127.0.0.1:19350/live",
                               "o",
                               ""};
    for (const char *url : elsewhere) {
        sr_transcode_local_key(&s.cfg, url, key, sizeof(key));
        EXPECT_STREQ("", key) << url;
    }
}

TEST(Transcode, HostPortAndFfmpegFallback)
{
    Server s(kEngines);
    char host[80], path[256];
    EXPECT_EQ(19350, sr_transcode_port(&s.cfg));
    sr_transcode_host(&s.cfg, host, sizeof(host));
    EXPECT_STREQ("127.0.0.1", host);
    snprintf(s.cfg.listens[0].ip, sizeof(s.cfg.listens[0].ip), "::1");
    sr_transcode_host(&s.cfg, host, sizeof(host));
    EXPECT_STREQ("[::1]", host);
    sr_transcode_ffmpeg("ffmpeg", path, sizeof(path));
    EXPECT_STREQ("ffmpeg", path);
    sr_transcode_ffmpeg("/usr/local/custom/ffmpeg-5", path, sizeof(path));
    EXPECT_STREQ("/usr/local/custom/ffmpeg-5", path); // not SRS's bundled name: kept
    sr_transcode_ffmpeg("/bin/sh", path, sizeof(path));
    EXPECT_STREQ("/bin/sh", path);
}

TEST(Transcode, IngestArgv)
{
    Server s("vhost v {\n"
             "    ingest f { enabled on; input { type file; url ./a.mp4; }\n"
             "        engine { enabled off; output rtmp://127.0.0.1:[port]/live?vhost=[vhost]/in; }\n"
             "        engine hd { enabled on; iformat mp4; vcodec libx264; vwidth 1280; vheight 720; acodec copy;\n"
             "                    output rtmp://127.0.0.1:[port]/live?vhost=[vhost]/in_[engine]; } }\n"
             "    ingest s { enabled on; input { type stream; url rtsp://cam/1; }\n"
             "        engine { enabled off; perfile { rtsp_transport tcp; } output rtmp://remote/live/cam; } }\n"
             "    ingest off { enabled off; input { url x; } engine { output o; } }\n"
             "}\n",
             "v");
    sr_argv_t a;
    sr_argv_init(&a);
    sr_ingest_argv("ffmpeg", &s.pc.ingests[0], &s.pc.ingests[0].engines[0], "OUT", &a);
    EXPECT_EQ("ffmpeg -stream_loop -1 -re -i ./a.mp4 -vcodec copy -acodec copy -f flv -y OUT", args(a));
    sr_argv_deinit(&a);
    sr_ingest_argv("ffmpeg", &s.pc.ingests[0], &s.pc.ingests[0].engines[1], "OUT", &a);
    EXPECT_EQ("ffmpeg -stream_loop -1 -re -f mp4 -i ./a.mp4 -vcodec libx264 -s 1280x720 -acodec copy -f flv -y OUT",
              args(a));
    sr_argv_deinit(&a);
    sr_ingest_argv("ffmpeg", &s.pc.ingests[1], &s.pc.ingests[1].engines[0], "OUT", &a);
    EXPECT_EQ("ffmpeg -rtsp_transport tcp -i rtsp://cam/1 -vcodec copy -acodec copy -f flv -y OUT", args(a));
    sr_argv_deinit(&a);

    sr_child_specs_t specs = {};
    sr_ingest_specs(&s.cfg, &specs);
    ASSERT_EQ(3, specs.n); // the disabled ingest runs nothing
    const sr_child_spec_t *sp = specs.v[0];
    EXPECT_EQ(SR_CHILD_INGEST, sp->kind);
    EXPECT_STREQ("", sp->group);
    EXPECT_STREQ("v/live/in", sp->out_key);
    EXPECT_STREQ("live", sp->app);
    EXPECT_STREQ("in", sp->stream);
    EXPECT_STREQ("0", sp->engine);
    EXPECT_STREQ("./objs/ffmpeg-ingest-v-live-in-0.log", sp->log_path);
    EXPECT_EQ("ffmpeg -stream_loop -1 -re -i ./a.mp4 -vcodec copy -acodec copy -f flv -y "
              "rtmp://127.0.0.1:19350/live?vhost=v/in",
              args(sp->argv));
    EXPECT_STREQ("v/live/in_hd", specs.v[1]->out_key);
    EXPECT_STREQ("hd", specs.v[1]->engine);
    EXPECT_STREQ("", specs.v[2]->out_key); // published elsewhere
    EXPECT_STREQ("s", specs.v[2]->app);    // its log is named by the ingest id
    EXPECT_STRNE(specs.v[0]->key, specs.v[1]->key);
    sr_child_specs_deinit(&specs);
    s.vhost.is_enabled = false; // a disabled vhost ingests nothing
    sr_ingest_specs(&s.cfg, &specs);
    EXPECT_EQ(0, specs.n);
    sr_child_specs_deinit(&specs);
}

using TranscodeSpecs = SrUtestSt;

TEST_F(TranscodeSpecs, ScopesExecAndTheLoopGuard)
{
    Server s(kEngines);
    sr_supervisor_t *sup = sr_supervisor_new();
    sr_process_vars_t ls = {"__defaultVhost__", "live", "ls", nullptr, "?token=1", 0};
    sr_child_specs_t specs = {};
    sr_transcode_specs(&s.cfg, &s.vhost, &ls, sup, &specs);
    // live: full copy audio video bare (not sleeping); "": all; not live/other, not other
    ASSERT_EQ(6, specs.n);
    const char *engines[] = {"full", "copy", "audio", "video", "bare", "all"};
    for (int i = 0; i < specs.n; i++) {
        EXPECT_STREQ(engines[i], specs.v[i]->engine);
        EXPECT_EQ(SR_CHILD_TRANSCODE, specs.v[i]->kind);
        EXPECT_STREQ("__defaultVhost__/live/ls", specs.v[i]->group);
    }
    const sr_child_spec_t *full = specs.v[0];
    EXPECT_EQ("ffmpeg -f flv -i rtmp://127.0.0.1:19350/live?vhost=__defaultVhost__/ls -i logo.png", [&] {
        std::string a = args(full->argv);
        return a.substr(0, a.find(" -filter_complex"));
    }());
    EXPECT_STREQ("__defaultVhost__/live/ls_full", full->out_key);
    EXPECT_STREQ("./objs/ffmpeg-transcode-__defaultVhost__-live-ls-full.log", full->log_path);
    EXPECT_STREQ("rtmp://127.0.0.1:19350/live/ls_copy?token=1", specs.v[1]->argv.v[specs.v[1]->argv.n - 1]);
    EXPECT_STREQ("__defaultVhost__/live/ls_copy", specs.v[1]->out_key);
    EXPECT_STREQ("", specs.v[3]->out_key); // udp: not ours
    EXPECT_STREQ("__defaultVhost__/live/ls_all", specs.v[5]->out_key);
    for (int i = 1; i < specs.n; i++) {
        EXPECT_STRNE(specs.v[0]->key, specs.v[i]->key);
    }

    // a transcoder publishes live/ls_full: nothing transcodes that stream again
    sr_child_spec_t *running = sr_child_spec_new(SR_CHILD_TRANSCODE);
    snprintf(running->key, sizeof(running->key), "%s", full->key);
    snprintf(running->out_key, sizeof(running->out_key), "%s", full->out_key);
    sr_argv_push(&running->argv, "sleep");
    sr_argv_push(&running->argv, "30");
    sr_supervisor_add(sup, running);
    EXPECT_TRUE(sr_transcode_is_output(sup, "__defaultVhost__/live/ls_full"));
    EXPECT_FALSE(sr_transcode_is_output(sup, "__defaultVhost__/live/ls"));
    sr_child_specs_t again = {};
    sr_process_vars_t out = {"__defaultVhost__", "live", "ls_full", nullptr, "", 0};
    sr_transcode_specs(&s.cfg, &s.vhost, &out, sup, &again);
    EXPECT_EQ(0, again.n);
    // a stream scope adds its engines to the app's and the vhost's
    sr_process_vars_t other = {"__defaultVhost__", "live", "other", nullptr, "", 0};
    sr_transcode_specs(&s.cfg, &s.vhost, &other, sup, &again);
    ASSERT_EQ(7, again.n);
    EXPECT_STREQ("x", again.v[5]->engine);
    sr_child_specs_deinit(&again);
    // an engine whose output is its input is skipped, the others of its scope run
    sr_process_vars_t same = {"__defaultVhost__", "other", "s", nullptr, "", 0};
    sr_transcode_specs(&s.cfg, &s.vhost, &same, sup, &again);
    ASSERT_EQ(2, again.n);
    EXPECT_STREQ("all", again.v[0]->engine); // in the order of the blocks
    EXPECT_STREQ("no", again.v[1]->engine);
    sr_child_specs_deinit(&again);

    // exec: every argument expanded on its own
    sr_exec_specs(&s.cfg, &s.vhost, &ls, &again);
    ASSERT_EQ(2, again.n);
    EXPECT_EQ("./on.sh -v __defaultVhost__ live/ls p=?token=1 19350", args(again.v[0]->argv));
    EXPECT_EQ(SR_CHILD_EXEC, again.v[0]->kind);
    EXPECT_STREQ("0", again.v[0]->engine);
    EXPECT_STREQ("./objs/ffmpeg-exec-__defaultVhost__-live-ls-0.log", again.v[0]->log_path);
    EXPECT_STREQ("1", again.v[1]->engine);
    sr_child_specs_deinit(&again);
    sr_child_specs_deinit(&specs);
    sr_supervisor_free(sup, SR_UTIME_S);
}
