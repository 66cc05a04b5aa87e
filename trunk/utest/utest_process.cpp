// SPDX-License-Identifier: MIT
// utest_process.cpp: protocol/sr_process with real children (/bin/sh, sleep): argument
// vectors and their shell-quoted join, PATH lookup, exit codes and signals as waitpid
// reports them, the log file (appended, stdout and stderr), stdin from /dev/null, no
// inherited descriptor, the process group, and the kernel killing a child whose parent
// died (PR_SET_PDEATHSIG).
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "sr_process.h"
#include "sr_utest.h"

namespace
{

std::string read_file(const std::string &path)
{
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// A private temp directory, removed with its files.
struct TmpDir {
    std::string dir;
    TmpDir()
    {
        const char *tmp = getenv("TMPDIR");
        std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/strand-proc-XXXXXX";
        char buf[256];
        snprintf(buf, sizeof(buf), "%s", tmpl.c_str());
        const char *d = mkdtemp(buf);
        dir = d ? d : "/nonexistent";
    }
    ~TmpDir()
    {
        std::string cmd = "rm -rf '" + dir + "'";
        int rc = system(cmd.c_str());
        (void)rc;
    }
    std::string path(const char *name) const
    {
        return dir + "/" + name;
    }
};

void sh(sr_argv_t *a, const std::string &script)
{
    sr_argv_init(a);
    sr_argv_push(a, "sh");
    sr_argv_push(a, "-c");
    sr_argv_push(a, script.c_str());
}

// Reap pid within timeout_ms (polling, as the supervisor does); its wait status or -2.
int reap_within(pid_t pid, int timeout_ms)
{
    for (int i = 0; i < timeout_ms / 5; i++) {
        bool is_exited = false;
        int status = 0;
        EXPECT_SR_OK(sr_process_reap(pid, &is_exited, &status));
        if (is_exited) {
            return status;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return -2;
}

// Whether pid is gone or a zombie (a process nobody reaped is dead too).
bool is_dead(pid_t pid)
{
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string st;
    if (!std::getline(f, st)) {
        return true;
    }
    size_t rp = st.rfind(')');
    return rp != std::string::npos && rp + 2 < st.size() && st[rp + 2] == 'Z';
}

} // namespace

TEST(Process, ArgvBuildsCopiesAndCompares)
{
    sr_argv_t a, b;
    sr_argv_init(&a);
    sr_argv_init(&b);
    EXPECT_EQ(0, a.n);
    sr_argv_push(&a, "ffmpeg");
    sr_argv_pushf(&a, "%dk", 300);
    ASSERT_EQ(2, a.n);
    EXPECT_STREQ("300k", a.v[1]);
    EXPECT_EQ(nullptr, a.v[2]); // NULL-terminated for execve
    sr_argv_copy(&b, &a);
    EXPECT_TRUE(sr_argv_equal(&a, &b));
    sr_argv_push(&b, "-y");
    EXPECT_FALSE(sr_argv_equal(&a, &b));
    sr_argv_append(&a, &b);
    EXPECT_EQ(5, a.n);
    sr_argv_deinit(&a);
    sr_argv_deinit(&b);
    sr_argv_deinit(&b); // twice is fine
    EXPECT_EQ(0, b.n);
}

TEST(Process, ArgvJoinQuotesWhatAShellWouldSplit)
{
    sr_argv_t a;
    sr_argv_init(&a);
    const char *args[] = {"ffmpeg", "-i", "rtmp://h/live?vhost=v/s", "a b", "", "it's", "-f", "flv"};
    for (const char *s : args) {
        sr_argv_push(&a, s);
    }
    char out[256];
    sr_argv_join(&a, out, sizeof(out));
    EXPECT_STREQ("ffmpeg -i 'rtmp://h/live?vhost=v/s' 'a b' '' 'it'\\''s' -f flv", out);
    char small[10];
    sr_argv_join(&a, small, sizeof(small)); // cut, still terminated
    EXPECT_STREQ("ffmpeg -i", small);
    sr_argv_deinit(&a);
}

TEST(Process, ResolveLooksUpPath)
{
    char out[1024];
    ASSERT_SR_OK(sr_process_resolve("sh", out, sizeof(out)));
    EXPECT_EQ(0, access(out, X_OK)) << out;
    EXPECT_EQ('/', out[0]) << out;
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_process_resolve("strand-no-such-program", out, sizeof(out)));
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_process_resolve("/tmp", out, sizeof(out))); // a directory
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_process_resolve("./strand-no-such", out, sizeof(out)));
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_process_resolve("", out, sizeof(out)));
    ASSERT_SR_OK(sr_process_resolve("/bin/sh", out, sizeof(out)));
    EXPECT_STREQ("/bin/sh", out);
    char tiny[4];
    EXPECT_SR_ERR(SR_EOVERFLOW, sr_process_resolve("/bin/sh", tiny, sizeof(tiny)));
}

TEST(Process, ExitCodeAndLogAppended)
{
    TmpDir t;
    std::string log = t.path("child.log");
    {
        std::ofstream f(log);
        f << "before\n";
    }
    sr_argv_t a;
    sh(&a, "echo out; echo err >&2; read x && echo \"stdin gave $x\"; exit 7");
    pid_t pid = 0;
    ASSERT_SR_OK(sr_process_spawn(&a, log.c_str(), &pid));
    int status = reap_within(pid, 5000);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(7, WEXITSTATUS(status));
    char how[64];
    sr_process_describe(status, how, sizeof(how));
    EXPECT_STREQ("exit 7", how);
    // appended after what was there, stdin is /dev/null (read fails at once)
    EXPECT_EQ("before\nout\nerr\n", read_file(log));
    sr_argv_deinit(&a);
}

TEST(Process, ChildInheritsNoDescriptorAndHasItsOwnGroup)
{
    TmpDir t;
    std::string log = t.path("fds.log");
    int leak = open("/dev/null", O_RDONLY); // no O_CLOEXEC: close_range must still drop it
    ASSERT_GE(leak, 3);
    sr_argv_t a;
    sh(&a, "ls /proc/$$/fd; echo pgid=$(cut -d' ' -f5 /proc/$$/stat)");
    pid_t pid = 0;
    ASSERT_SR_OK(sr_process_spawn(&a, log.c_str(), &pid));
    EXPECT_EQ(0, WEXITSTATUS(reap_within(pid, 5000)));
    close(leak);
    std::string out = read_file(log);
    std::istringstream lines(out);
    std::string fds, line;
    while (std::getline(lines, line) && line.find_first_not_of("0123456789") == std::string::npos) {
        fds += line + " ";
    }
    EXPECT_EQ("0 1 2 ", fds) << out;
    EXPECT_NE(std::string::npos, out.find("pgid=" + std::to_string(pid) + "\n")) << "not its own group: " << out;
    sr_argv_deinit(&a);
}

TEST(Process, SignalReachesTheGroupAndDescribes)
{
    sr_argv_t a;
    sh(&a, "sleep 30 & wait");
    pid_t pid = 0;
    ASSERT_SR_OK(sr_process_spawn(&a, nullptr, &pid));
    bool is_exited = true;
    int status = 0;
    ASSERT_SR_OK(sr_process_reap(pid, &is_exited, &status));
    EXPECT_FALSE(is_exited);
    EXPECT_EQ(pid, getpgid(pid));
    ASSERT_SR_OK(sr_process_signal(pid, SIGTERM));
    status = reap_within(pid, 5000);
    ASSERT_TRUE(WIFSIGNALED(status)) << status;
    EXPECT_EQ(SIGTERM, WTERMSIG(status));
    char how[64];
    sr_process_describe(status, how, sizeof(how));
    EXPECT_EQ(0, strncmp(how, "signal 15", 9)) << how;
    // the group is gone once the shell and its sleep are both dead
    for (int i = 0; i < 200 && sr_process_signal(pid, 0) == SR_OK; i++) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(-SR_ENOT_FOUND, sr_process_signal(pid, 0));
    // not our child any more: reads as exited, status unknown
    ASSERT_SR_OK(sr_process_reap(pid, &is_exited, &status));
    EXPECT_TRUE(is_exited);
    EXPECT_EQ(-1, status);
    sr_process_describe(-1, how, sizeof(how));
    EXPECT_STREQ("unknown", how);
    sr_argv_deinit(&a);
}

TEST(Process, SpawnErrors)
{
    sr_argv_t a;
    sr_argv_init(&a);
    pid_t pid = 0;
    EXPECT_SR_ERR(SR_EINVAL, sr_process_spawn(&a, nullptr, &pid));
    sr_argv_push(&a, "strand-no-such-program");
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_process_spawn(&a, nullptr, &pid));
    sr_argv_deinit(&a);
    sh(&a, "exit 0");
    EXPECT_SR_ERR(SR_EFILE_OPEN, sr_process_spawn(&a, "/nonexistent-dir/x.log", &pid));
    sr_argv_deinit(&a);
}

// The parent of a child dies without stopping it: the kernel kills the child.
TEST(Process, ChildDiesWithItsParent)
{
    int fds[2];
    ASSERT_EQ(0, pipe(fds));
    pid_t middle = fork();
    ASSERT_GE(middle, 0);
    if (middle == 0) {
        close(fds[0]);
        sr_argv_t a;
        sr_argv_init(&a);
        sr_argv_push(&a, "sleep");
        sr_argv_push(&a, "60");
        pid_t pid = 0;
        if (sr_process_spawn(&a, nullptr, &pid) != SR_OK) {
            _exit(1);
        }
        ssize_t w = write(fds[1], &pid, sizeof(pid));
        _exit(w == sizeof(pid) ? 0 : 1); // dies without signalling its child
    }
    close(fds[1]);
    pid_t grandchild = 0;
    ASSERT_EQ((ssize_t)sizeof(grandchild), read(fds[0], &grandchild, sizeof(grandchild)));
    close(fds[0]);
    int st = 0;
    ASSERT_EQ(middle, waitpid(middle, &st, 0));
    ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    bool dead = false;
    for (int i = 0; i < 300 && !(dead = is_dead(grandchild)); i++) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(dead) << "sleep " << grandchild << " outlived its parent";
    if (!dead) {
        kill(grandchild, SIGKILL);
    }
}
