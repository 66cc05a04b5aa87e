/* SPDX-License-Identifier: MIT */
/*
 * sr_work.c: the worker pool. Jobs live on the waiting coroutine's stack; the pool
 * links them into a to-do list (workers take from it under a mutex) and a done list
 * (the event loop takes from it when a worker pokes sr_wake). The mutex is held only
 * to link and unlink, never across a job, so the event loop never waits for a worker.
 */
#include "sr_work.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "sr_error.h"
#include "sr_log.h"
#include "sr_st.h"
#include "sr_wake.h"

#define SR_WORK_THREADS 2
#define SR_WORK_POLL_US (1000 * SR_UTIME_MS) /* a waiter's cond wait: it loops, never waits forever */

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
    sr_wake_t *wake;
    uint64_t done_count;
} sr_work = {.mu = PTHREAD_MUTEX_INITIALIZER, .has_todo = PTHREAD_COND_INITIALIZER};

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
        sr_wake_poke(sr_work.wake);
    }
    pthread_mutex_unlock(&sr_work.mu);
    return NULL;
}

/* Mark every finished job done and wake its coroutine. */
static void sr_work_complete(void *unused)
{
    SR_UNUSED(unused);
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

static int sr_work_start(void)
{
    int rc = sr_wake_start(sr_work_complete, NULL, "work", &sr_work.wake);
    if (rc != SR_OK) {
        return rc;
    }
    int err = 0;
    while (sr_work.nthreads < SR_WORK_THREADS &&
           (err = pthread_create(&sr_work.threads[sr_work.nthreads], NULL, sr_work_thread, NULL)) == 0) {
        sr_work.nthreads++;
    }
    if (sr_work.nthreads == 0) {
        sr_wake_stop(sr_work.wake);
        return sr_err_new(SR_ESYSTEM, "worker thread: %s", strerror(err));
    }
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
    pthread_mutex_lock(&sr_work.mu);
    sr_work.is_stopping = true;
    pthread_cond_broadcast(&sr_work.has_todo);
    pthread_mutex_unlock(&sr_work.mu);
    for (int i = 0; i < sr_work.nthreads; i++) {
        pthread_join(sr_work.threads[i], NULL);
    }
    sr_work.nthreads = 0;
    sr_wake_stop(sr_work.wake); /* after the threads: none pokes any more */
    sr_work.wake = NULL;
    sr_work_complete(NULL);
    sr_work.is_stopping = false;
    sr_work.is_started = false;
}

uint64_t sr_work_done_count(void)
{
    return sr_work.done_count;
}
