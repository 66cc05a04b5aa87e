// SPDX-License-Identifier: MIT
// utest_work.cpp: the worker pool (protocol/sr_work) and the file operations on it
// (protocol/sr_file), with real coroutines and threads: a job that blocks its thread
// leaves the event loop running, an interrupted waiter still waits for its job, and the
// file operations do what their system calls do, with the error codes of sr_file.h.
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "sr_error.h"
#include "sr_file.h"
#include "sr_st.h"
#include "sr_utest.h"
#include "sr_utest_st.h"
#include "sr_work.h"

namespace
{

class Work : public SrUtestSt
{
  protected:
    void TearDown() override
    {
        sr_work_shutdown(); // no poller coroutine outlives the test
        SrUtestSt::TearDown();
    }
};

struct Job {
    useconds_t block_us = 0;
    bool is_ran = false;
};

void sr_utest_work_block(void *arg)
{
    Job *j = static_cast<Job *>(arg);
    usleep(j->block_us); // a stalled disk: the thread waits, the event loop must not
    j->is_ran = true;
}

struct Ticker {
    int ticks = 0;
};

void sr_utest_work_tick(void *arg)
{
    Ticker *t = static_cast<Ticker *>(arg);
    while (sr_usleep(5 * SR_UTIME_MS) == SR_OK) {
        t->ticks++;
    }
}

struct Runner {
    Job job;
    int rc = 1;
    bool is_done = false;
};

void sr_utest_work_runner(void *arg)
{
    Runner *r = static_cast<Runner *>(arg);
    r->rc = sr_work_run(sr_utest_work_block, &r->job);
    r->is_done = true;
}

} // namespace

TEST_F(Work, BlockingJobLeavesTheEventLoopRunning)
{
    Ticker ticker;
    SrUtestCo tick(sr_co_start(sr_utest_work_tick, &ticker, NULL));
    Job job;
    job.block_us = 300 * 1000;
    uint64_t done_before = sr_work_done_count();
    ASSERT_SR_OK(sr_work_run(sr_utest_work_block, &job));
    EXPECT_TRUE(job.is_ran);
    EXPECT_EQ(done_before + 1, sr_work_done_count());
    // On the event loop the ticker would not have run at all during the 300 ms.
    EXPECT_GE(ticker.ticks, 5);
}

TEST_F(Work, InterruptedWaiterStillWaitsForItsJob)
{
    Runner r;
    r.job.block_us = 200 * 1000;
    SrUtestCo co(sr_co_start(sr_utest_work_runner, &r, NULL));
    sr_usleep(20 * SR_UTIME_MS);
    co.stop(); // interrupts the wait; the job owns r.job until it returns
    EXPECT_TRUE(r.is_done);
    EXPECT_TRUE(r.job.is_ran);
    EXPECT_SR_ERR(SR_EINTERRUPTED, r.rc);
}

TEST_F(Work, RunsAgainAfterShutdown)
{
    Job job;
    ASSERT_SR_OK(sr_work_run(sr_utest_work_block, &job));
    sr_work_shutdown();
    job.is_ran = false;
    ASSERT_SR_OK(sr_work_run(sr_utest_work_block, &job));
    EXPECT_TRUE(job.is_ran);
}

namespace
{

std::string sr_utest_work_tempdir()
{
    const char *tmp = getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/strand-file-XXXXXX";
    char *d = mkdtemp(&tmpl[0]);
    return d ? std::string(d) : std::string();
}

} // namespace

TEST_F(Work, FileOperationsDoWhatTheirCallsDo)
{
    std::string dir = sr_utest_work_tempdir();
    ASSERT_FALSE(dir.empty());
    std::string file = dir + "/a/b/c.txt";
    ASSERT_SR_OK(sr_file_mkdirs(file.c_str()));
    ASSERT_SR_OK(sr_file_mkdirs(file.c_str())); // existing parts are fine
    ASSERT_SR_OK(sr_file_write_atomic(file.c_str(), "hello", 5));
    EXPECT_NE(0, access((file + ".tmp").c_str(), F_OK));

    sr_buf_t b;
    sr_buf_init(&b);
    ASSERT_SR_OK(sr_file_read_all(file.c_str(), 100, &b));
    EXPECT_EQ(std::string("hello"), std::string(reinterpret_cast<char *>(b.data), b.len));
    EXPECT_SR_ERR(SR_EFILE_READ, sr_file_read_all(file.c_str(), 4, &b));
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_file_read_all((dir + "/none").c_str(), 100, &b));
    sr_buf_deinit(&b);

    int fd = -1;
    std::string rec = dir + "/a/rec.flv";
    ASSERT_SR_OK(sr_file_open_write(rec.c_str(), true, &fd));
    ASSERT_SR_OK(sr_file_write(fd, "12", 2, rec.c_str()));
    ASSERT_SR_OK(sr_file_write(fd, "345", 3, rec.c_str()));
    ASSERT_SR_OK(sr_file_close(fd, rec.c_str()));
    struct stat st;
    ASSERT_EQ(0, stat(rec.c_str(), &st));
    EXPECT_EQ(5, st.st_size);
    EXPECT_SR_ERR(SR_EFILE_WRITE, sr_file_write(-1, "x", 1, "bad fd"));

    std::string moved = dir + "/a/b/moved.flv";
    ASSERT_SR_OK(sr_file_rename(rec.c_str(), moved.c_str()));
    EXPECT_SR_ERR(SR_EFILE_WRITE, sr_file_rename(rec.c_str(), moved.c_str()));
    EXPECT_SR_ERR(SR_EFILE_OPEN, sr_file_open_write((dir + "/none/x").c_str(), false, &fd));
    EXPECT_SR_ERR(SR_EFILE_OPEN, sr_file_write_atomic((dir + "/none/x").c_str(), "x", 1));
    EXPECT_SR_ERR(SR_EFILE_OPEN, sr_file_mkdirs((file + "/under-a-file/x").c_str()));

    ASSERT_SR_OK(sr_file_unlink(moved.c_str()));
    ASSERT_SR_OK(sr_file_unlink(file.c_str()));
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_file_unlink(file.c_str()));
    rmdir((dir + "/a/b").c_str());
    rmdir((dir + "/a").c_str());
    EXPECT_EQ(0, rmdir(dir.c_str()));
}
