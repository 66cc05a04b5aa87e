/* SPDX-License-Identifier: MIT */
/*
 * sr_file.c: each operation is one job on the worker pool. The job records errno and
 * the error's message is made back on the event loop (the trail is per coroutine).
 * sr_file_read_all reads into one buffer malloc'ed on the worker and appended on the
 * event loop, so the caller's sr_buf_t is only touched by its coroutine.
 */
#include "sr_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sr_error.h"
#include "sr_work.h"

#define SR_FILE_PATH_MAX 4096

typedef enum sr_file_op {
    SR_FILE_OPEN_WRITE,
    SR_FILE_WRITE,
    SR_FILE_CLOSE,
    SR_FILE_RENAME,
    SR_FILE_UNLINK,
    SR_FILE_MKDIRS,
    SR_FILE_WRITE_ATOMIC,
    SR_FILE_READ_ALL,
} sr_file_op_t;

typedef struct sr_file_job {
    sr_file_op_t op;
    const char *path;
    const char *to; /* rename */
    int fd;
    int flags;
    const uint8_t *data;
    size_t size;
    uint8_t *read; /* read_all: malloc'ed on the worker, freed by the caller */
    size_t read_size;
    int err; /* errno of the failed step, 0 on success */
    const char *step;
} sr_file_job_t;

static long sr_file_write_delay_ms = -1; /* -1: not read yet */

/* ==== on the worker thread: plain system calls only ==== */

static int sr_file_do_write(int fd, const uint8_t *p, size_t n)
{
    if (sr_file_write_delay_ms > 0) {
        usleep((useconds_t)(sr_file_write_delay_ms * 1000));
    }
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return w < 0 ? errno : EIO;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int sr_file_do_mkdirs(const char *path)
{
    char dir[SR_FILE_PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) {
        return 0;
    }
    *slash = '\0';
    for (char *p = dir + 1;; p++) {
        if (*p != '/' && *p != '\0') {
            continue;
        }
        char c = *p;
        *p = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
            return errno;
        }
        if (c == '\0') {
            return 0;
        }
        *p = c;
    }
}

static int sr_file_do_write_atomic(sr_file_job_t *j)
{
    char tmp[SR_FILE_PATH_MAX + 8];
    snprintf(tmp, sizeof(tmp), "%s.tmp", j->path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        j->step = "open";
        return errno;
    }
    int err = sr_file_do_write(fd, j->data, j->size);
    j->step = "write";
    if (close(fd) != 0 && err == 0) {
        err = errno;
        j->step = "close";
    }
    if (err == 0 && rename(tmp, j->path) != 0) {
        err = errno;
        j->step = "rename";
    }
    if (err != 0) {
        unlink(tmp);
    }
    return err;
}

static int sr_file_do_read_all(sr_file_job_t *j)
{
    int fd = open(j->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        j->step = "open";
        return errno;
    }
    struct stat st;
    int err = fstat(fd, &st) == 0 ? 0 : errno;
    if (err == 0 && (size_t)st.st_size > j->size) {
        err = EFBIG;
    }
    j->read = err == 0 ? malloc((size_t)st.st_size + 1) : NULL;
    while (j->read && j->read_size < (size_t)st.st_size) {
        ssize_t n = read(fd, j->read + j->read_size, (size_t)st.st_size - j->read_size);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            err = n < 0 ? errno : 0; /* a file that shrank: what was there */
            break;
        }
        j->read_size += (size_t)n;
    }
    err = err == 0 && !j->read ? ENOMEM : err;
    j->step = "read";
    close(fd);
    return err;
}

static void sr_file_job_run(void *arg)
{
    sr_file_job_t *j = arg;
    int err = 0;
    switch (j->op) {
    case SR_FILE_OPEN_WRITE:
        j->fd = open(j->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | j->flags, 0644);
        err = j->fd < 0 ? errno : 0;
        break;
    case SR_FILE_WRITE:
        err = sr_file_do_write(j->fd, j->data, j->size);
        break;
    case SR_FILE_CLOSE:
        err = close(j->fd) != 0 ? errno : 0;
        break;
    case SR_FILE_RENAME:
        err = rename(j->path, j->to) != 0 ? errno : 0;
        break;
    case SR_FILE_UNLINK:
        err = unlink(j->path) != 0 ? errno : 0;
        break;
    case SR_FILE_MKDIRS:
        err = sr_file_do_mkdirs(j->path);
        break;
    case SR_FILE_WRITE_ATOMIC:
        err = sr_file_do_write_atomic(j);
        break;
    case SR_FILE_READ_ALL:
        err = sr_file_do_read_all(j);
        break;
    }
    j->err = err;
}

/* ==== on the event loop ==== */

/* Run j on the pool. An interrupt while it ran is not an error of the file operation:
 * the caller's loop sees it at its next sr_co_pull(). */
static void sr_file_run(sr_file_job_t *j)
{
    if (sr_file_write_delay_ms < 0) {
        const char *delay = getenv("STRAND_TEST_WRITE_DELAY_MS");
        sr_file_write_delay_ms = delay ? atol(delay) : 0;
    }
    sr_work_run(sr_file_job_run, j);
    sr_err_clear();
}

int sr_file_open_write(const char *path, bool is_append, int *fd)
{
    sr_file_job_t j = {.op = SR_FILE_OPEN_WRITE, .path = path, .flags = is_append ? O_APPEND : 0, .fd = -1};
    sr_file_run(&j);
    *fd = j.fd;
    return j.err ? sr_err_new(SR_EFILE_OPEN, "open %s: %s", path, strerror(j.err)) : SR_OK;
}

int sr_file_write(int fd, const void *data, size_t size, const char *path)
{
    sr_file_job_t j = {.op = SR_FILE_WRITE, .fd = fd, .data = data, .size = size};
    sr_file_run(&j);
    return j.err ? sr_err_new(SR_EFILE_WRITE, "write %s: %s", path, strerror(j.err)) : SR_OK;
}

int sr_file_close(int fd, const char *path)
{
    sr_file_job_t j = {.op = SR_FILE_CLOSE, .fd = fd};
    sr_file_run(&j);
    return j.err ? sr_err_new(SR_EFILE_WRITE, "close %s: %s", path, strerror(j.err)) : SR_OK;
}

int sr_file_rename(const char *from, const char *to)
{
    sr_file_job_t j = {.op = SR_FILE_RENAME, .path = from, .to = to};
    sr_file_run(&j);
    return j.err ? sr_err_new(SR_EFILE_WRITE, "rename %s to %s: %s", from, to, strerror(j.err)) : SR_OK;
}

int sr_file_unlink(const char *path)
{
    sr_file_job_t j = {.op = SR_FILE_UNLINK, .path = path};
    sr_file_run(&j);
    if (j.err == ENOENT) {
        return -SR_ENOT_FOUND;
    }
    return j.err ? sr_err_new(SR_EFILE_WRITE, "unlink %s: %s", path, strerror(j.err)) : SR_OK;
}

int sr_file_mkdirs(const char *path)
{
    sr_file_job_t j = {.op = SR_FILE_MKDIRS, .path = path};
    sr_file_run(&j);
    return j.err ? sr_err_new(SR_EFILE_OPEN, "mkdir for %s: %s", path, strerror(j.err)) : SR_OK;
}

int sr_file_write_atomic(const char *path, const void *data, size_t size)
{
    sr_file_job_t j = {.op = SR_FILE_WRITE_ATOMIC, .path = path, .data = data, .size = size};
    sr_file_run(&j);
    if (j.err == 0) {
        return SR_OK;
    }
    int code = strcmp(j.step, "open") == 0 ? SR_EFILE_OPEN : SR_EFILE_WRITE;
    return sr_err_new(code, "%s %s.tmp: %s", j.step, path, strerror(j.err));
}

int sr_file_read_all(const char *path, size_t max_bytes, sr_buf_t *out)
{
    sr_file_job_t j = {.op = SR_FILE_READ_ALL, .path = path, .size = max_bytes};
    sr_file_run(&j);
    if (j.read) {
        sr_buf_put_bytes(out, j.read, j.read_size);
        free(j.read);
    }
    if (j.err == ENOENT) {
        return -SR_ENOT_FOUND;
    }
    if (j.err == EFBIG) {
        return sr_err_new(SR_EFILE_READ, "%s is over %zu bytes", path, max_bytes);
    }
    if (j.err) {
        int code = strcmp(j.step, "open") == 0 ? SR_EFILE_OPEN : SR_EFILE_READ;
        return sr_err_new(code, "%s %s: %s", j.step, path, strerror(j.err));
    }
    return SR_OK;
}
