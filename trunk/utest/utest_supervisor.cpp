// SPDX-License-Identifier: MIT
// utest_supervisor.cpp: app/process/sr_supervisor over ST with real /bin/sh children: a
// child that ends is started again after the backoff and counted; one no longer wanted
// is stopped, reaped and forgotten; one that ignores SIGTERM gets SIGKILL after the
// grace; a program that cannot start waits in backoff; freeing the supervisor leaves no
// process behind; and the API's view (state, pid, restarts, command line).
#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "sr_supervisor.h"
#include "sr_utest.h"
#include "sr_utest_st.h"

namespace
{

using Supervisor = SrUtestSt;

sr_child_spec_t *sh_spec(const char *key, const char *script, sr_child_kind_t kind = SR_CHILD_EXEC)
{
    sr_child_spec_t *sp = sr_child_spec_new(kind);
    snprintf(sp->key, sizeof(sp->key), "%s", key);
    snprintf(sp->vhost, sizeof(sp->vhost), "v");
    sr_argv_push(&sp->argv, "sh");
    sr_argv_push(&sp->argv, "-c");
    sr_argv_push(&sp->argv, script);
    return sp;
}

// The API's view of every child.
std::vector<sr_child_info_t> infos(const sr_supervisor_t *s)
{
    std::vector<sr_child_info_t> out;
    sr_supervisor_foreach(
        s, [](void *arg, const sr_child_info_t *c) { static_cast<std::vector<sr_child_info_t> *>(arg)->push_back(*c); },
        &out);
    return out;
}

// Our child, once reaped, is gone from the process table (not even a zombie).
bool is_gone(pid_t pid)
{
    return kill(pid, 0) != 0;
}

} // namespace

TEST_F(Supervisor, RestartsAChildThatEndsAfterTheBackoff)
{
    sr_supervisor_t *s = sr_supervisor_new();
    sr_supervisor_add(s, sh_spec("k", "exit 3"));
    std::vector<sr_child_info_t> v = infos(s);
    ASSERT_EQ(1u, v.size());
    EXPECT_EQ(SR_CHILD_RUNNING, v[0].state);
    pid_t first = v[0].pid;
    EXPECT_GT(first, 0);
    EXPECT_STREQ("sh -c 'exit 3'", v[0].cmdline);
    EXPECT_GT(v[0].started_ms, 0);
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return infos(s)[0].state == SR_CHILD_BACKOFF; }));
    EXPECT_EQ(0, infos(s)[0].pid);
    EXPECT_TRUE(is_gone(first)); // reaped, not a zombie of ours
    sr_utime_t t0 = sr_time_mono_us();
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return infos(s)[0].restarts == 1; }));
    EXPECT_GE(sr_time_mono_us() - t0 + SR_SUPERVISOR_TICK_US, SR_SUPERVISOR_BACKOFF_MIN_US - 200 * SR_UTIME_MS);
    int running = -1;
    uint64_t restarts = 0;
    sr_supervisor_counts(s, SR_CHILD_EXEC, &running, &restarts);
    EXPECT_EQ(1u, restarts);
    sr_supervisor_counts(s, SR_CHILD_TRANSCODE, &running, &restarts);
    EXPECT_EQ(0, running);
    EXPECT_EQ(0u, restarts);
    sr_supervisor_free(s, SR_UTIME_S);
}

TEST_F(Supervisor, RemoveStopsReapsAndForgets)
{
    sr_supervisor_t *s = sr_supervisor_new();
    sr_supervisor_add(s, sh_spec("a", "sleep 30"));
    sr_supervisor_add(s, sh_spec("b", "sleep 30", SR_CHILD_TRANSCODE));
    ASSERT_NE(nullptr, sr_supervisor_find(s, "a"));
    int running = 0;
    uint64_t restarts = 0;
    sr_supervisor_counts(s, SR_CHILD_TRANSCODE, &running, &restarts);
    EXPECT_EQ(1, running);
    pid_t pid = 0;
    for (const sr_child_info_t &c : infos(s)) {
        pid = std::string(c.spec->key) == "a" ? c.pid : pid;
    }
    ASSERT_GT(pid, 0);
    EXPECT_TRUE(sr_supervisor_remove(s, "a"));
    EXPECT_FALSE(sr_supervisor_remove(s, "a")); // no longer wanted: not found again
    EXPECT_EQ(nullptr, sr_supervisor_find(s, "a"));
    EXPECT_EQ(2u, infos(s).size()); // listed as stopped until reaped
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return infos(s).size() == 1; }));
    EXPECT_TRUE(is_gone(pid));
    EXPECT_STREQ("b", infos(s)[0].spec->key);
    // a key can be wanted again at once, even while the old child is being stopped
    sr_supervisor_remove(s, "b");
    sr_supervisor_add(s, sh_spec("b", "sleep 30"));
    EXPECT_NE(nullptr, sr_supervisor_find(s, "b"));
    sr_supervisor_free(s, SR_UTIME_S);
}

TEST_F(Supervisor, FreeKillsWhatIgnoresSigterm)
{
    sr_supervisor_t *s = sr_supervisor_new();
    sr_supervisor_add(s, sh_spec("ignores_term", "trap '' TERM; sleep 30 & wait; sleep 30"));
    sr_supervisor_add(s, sh_spec("plain", "sleep 30"));
    std::vector<pid_t> pids;
    for (const sr_child_info_t &c : infos(s)) {
        pids.push_back(c.pid);
    }
    sr_usleep(100 * SR_UTIME_MS); // the trap is set
    sr_utime_t t0 = sr_time_mono_us();
    sr_supervisor_free(s, 300 * SR_UTIME_MS);
    sr_utime_t took = sr_time_mono_us() - t0;
    EXPECT_GE(took, 250 * SR_UTIME_MS); // the child that ignores SIGTERM got SIGKILL only after its grace
    EXPECT_LT(took, 3 * SR_UTIME_S);
    for (pid_t pid : pids) {
        EXPECT_TRUE(is_gone(pid)) << pid;
        // its sleep, reparented, may wait a moment for init to reap it
        for (int i = 0; i < 300 && kill(-pid, 0) == 0; i++) {
            sr_usleep(10 * SR_UTIME_MS);
        }
        EXPECT_NE(0, kill(-pid, 0)) << "group " << pid << " has a survivor";
    }
}

TEST_F(Supervisor, AProgramThatCannotStartWaitsInBackoff)
{
    sr_supervisor_t *s = sr_supervisor_new();
    sr_child_spec_t *sp = sr_child_spec_new(SR_CHILD_INGEST);
    snprintf(sp->key, sizeof(sp->key), "missing");
    sr_argv_push(&sp->argv, "strand-no-such-ffmpeg");
    sr_supervisor_add(s, sp);
    std::vector<sr_child_info_t> v = infos(s);
    ASSERT_EQ(1u, v.size());
    EXPECT_EQ(SR_CHILD_BACKOFF, v[0].state);
    EXPECT_EQ(0, v[0].pid);
    EXPECT_STREQ("backoff", sr_child_state_name(v[0].state));
    EXPECT_STREQ("ingest", sr_child_kind_name(v[0].spec->kind));
    // an unwritable log does not keep a child from running: its output is discarded
    sr_child_spec_t *logged = sh_spec("logged", "sleep 30");
    snprintf(logged->log_path, sizeof(logged->log_path), "/nonexistent-dir/x.log");
    sr_supervisor_add(s, logged);
    EXPECT_NE(nullptr, sr_supervisor_find(s, "logged"));
    bool is_running = false;
    for (const sr_child_info_t &c : infos(s)) {
        is_running |= std::string(c.spec->key) == "logged" && c.state == SR_CHILD_RUNNING;
    }
    EXPECT_TRUE(is_running);
    sr_supervisor_free(s, SR_UTIME_S);
    sr_supervisor_free(nullptr, 0);
}

TEST(SupervisorSpec, SameRunComparesCommandAndLog)
{
    sr_child_spec_t *a = sh_spec("k", "x");
    sr_child_spec_t *b = sh_spec("k", "x");
    EXPECT_TRUE(sr_child_spec_same_run(a, b));
    snprintf(b->log_path, sizeof(b->log_path), "l");
    EXPECT_FALSE(sr_child_spec_same_run(a, b));
    sr_child_specs_t l = {};
    sr_child_specs_push(&l, a);
    sr_child_specs_push(&l, nullptr); // a slot whose spec was taken
    sr_child_specs_push(&l, b);
    EXPECT_EQ(3, l.n);
    sr_child_specs_deinit(&l);
    EXPECT_EQ(0, l.n);
}
