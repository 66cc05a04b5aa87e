/* SPDX-License-Identifier: MIT */
/*
 * sr_work.c: the worker pool. Jobs live on the waiting coroutine's stack; the pool
 * links them into a to-do list (workers take from it under a mutex) and a done list
 * (the poller coroutine takes from it after a byte on the wake pipe). The mutex is
 * held only to link and unlink, never across a job, so the event loop never waits for
 * a worker. The pipe is non-blocking on both ends: a worker that finds it full knows a
 * wake-up is already pending.
 */
#include "sr_work.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "sr_error.h"
#include "sr_log.h"
#include "sr_st.h"

#define SR_WORK_THREADS 2
#define SR_WORK_POLL_US (1000 * SR_UTIME_MS) /* the poller's read timeout: it loops, never waits forever */

typedef struct sr_work_job {
    sr_work_fn fn;
    void *arg;
    sr_cond_t *cond;
    bool is_done; /* set by the poller, on the event loop */
    struct sr_work_job *next;
} sr_work_job_t;

static struct {
    bool is_started;
    bool is_stopping; /* under mu */
    pthread_mutex_t mu;
    pthread_cond_t has_todo;
    sr_work_job_t *todo_head, *todo_tail, *done_head; /* under mu */
    pthread_t threads[SR_WORK_THREADS];
    int nthreads;
    int wake[2];
    sr_sock_t *wake_reader;
    sr_co_t *poller;
    uint64_t done_count;
} sr_work = {.mu = PTHREAD_MUTEX_INITIALIZER, .has_todo = PTHREAD_COND_INITIALIZER, .wake = {-1, -1}};

static void *sr_work_thread(void *unused)
{
    SR_UNUSED(unused);
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL); /* signals belong to the event loop's thread */
    pthread_mutex_lock(&sr_work.mu);
    for (;;) {
        while (!sr_work.todo_head && !sr_work.is_stopping) {
            pthread_cond_wait(&sr_work.has_todo, &sr_work.mu);
        }
        if (!sr_work.todo_head) {
            break;
        }
        sr_work_job_t *job = sr_work.todo_head;
        sr_work.todo_head = job->next;
        if (!sr_work.todo_head) {
            sr_work.todo_tail = NULL;
        }
        pthread_mutex_unlock(&sr_work.mu);
        job->fn(job->arg);
        pthread_mutex_lock(&sr_work.mu);
        job->next = sr_work.done_head;
        sr_work.done_head = job;
        ssize_t w = write(sr_work.wake[1], "", 1); /* EAGAIN: a wake-up is pending anyway */
        SR_UNUSED(w);
    }
    pthread_mutex_unlock(&sr_work.mu);
    return NULL;
}

/* Mark every finished job done and wake its coroutine. */
static void sr_work_complete(void)
{
    pthread_mutex_lock(&sr_work.mu);
    sr_work_job_t *job = sr_work.done_head;
    sr_work.done_head = NULL;
    pthread_mutex_unlock(&sr_work.mu);
    while (job) {
        sr_work_job_t *next = job->next; /* job's memory is the waiter's after is_done */
        job->is_done = true;
        sr_work.done_count++;
        sr_cond_signal(job->cond);
        job = next;
    }
}

static void sr_work_poll(void *unused)
{
    SR_UNUSED(unused);
    char buf[64];
    while (sr_co_pull() == SR_OK) {
        size_t n = 0;
        int rc = sr_io_read(sr_sock_io(sr_work.wake_reader), buf, sizeof(buf), &n);
        if (rc != SR_OK && !sr_err_is_timeout(rc)) {
            break;
        }
        sr_err_clear();
        sr_work_complete();
    }
}

static int sr_work_start(void)
{
    if (pipe2(sr_work.wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        return sr_err_new(SR_ESYSTEM, "worker pipe: %s", strerror(errno));
    }
    int rc = sr_sock_from_fd(sr_work.wake[0], &sr_work.wake_reader);
    if (rc != SR_OK) {
        close(sr_work.wake[0]);
        close(sr_work.wake[1]);
        return rc;
    }
    sr_sock_set_timeouts(sr_work.wake_reader, SR_WORK_POLL_US, SR_WORK_POLL_US);
    int err = 0;
    while (sr_work.nthreads < SR_WORK_THREADS &&
           (err = pthread_create(&sr_work.threads[sr_work.nthreads], NULL, sr_work_thread, NULL)) == 0) {
        sr_work.nthreads++;
    }
    if (sr_work.nthreads == 0) {
        sr_sock_close(sr_work.wake_reader);
        close(sr_work.wake[1]);
        return sr_err_new(SR_ESYSTEM, "worker thread: %s", strerror(err));
    }
    sr_work.poller = sr_co_start(sr_work_poll, NULL, "work");
    sr_work.is_started = true;
    return SR_OK;
}

int sr_work_run(sr_work_fn fn, void *arg)
{
    if (!sr_work.is_started) {
        int rc = sr_work_start();
        if (rc != SR_OK) {
            return rc;
        }
    }
    sr_work_job_t job = {.fn = fn, .arg = arg, .cond = sr_cond_new()};
    pthread_mutex_lock(&sr_work.mu);
    if (sr_work.todo_tail) {
        sr_work.todo_tail->next = &job;
    } else {
        sr_work.todo_head = &job;
    }
    sr_work.todo_tail = &job;
    pthread_cond_signal(&sr_work.has_todo);
    pthread_mutex_unlock(&sr_work.mu);
    while (!job.is_done) {
        sr_cond_timedwait_through_stop(job.cond, SR_WORK_POLL_US);
    }
    sr_cond_free(job.cond);
    return sr_co_pull();
}

void sr_work_shutdown(void)
{
    if (!sr_work.is_started) {
        return;
    }
    sr_co_stop(sr_work.poller);
    pthread_mutex_lock(&sr_work.mu);
    sr_work.is_stopping = true;
    pthread_cond_broadcast(&sr_work.has_todo);
    pthread_mutex_unlock(&sr_work.mu);
    for (int i = 0; i < sr_work.nthreads; i++) {
        pthread_join(sr_work.threads[i], NULL);
    }
    sr_work.nthreads = 0;
    sr_work_complete();
    sr_sock_close(sr_work.wake_reader); /* closes wake[0] */
    close(sr_work.wake[1]);
    sr_work.wake_reader = NULL;
    sr_work.poller = NULL;
    sr_work.is_stopping = false;
    sr_work.is_started = false;
}

uint64_t sr_work_done_count(void)
{
    return sr_work.done_count;
}
