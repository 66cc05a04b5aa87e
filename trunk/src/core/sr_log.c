/* SPDX-License-Identifier: MIT */
/*
 * sr_log.c: formats one line into a stack buffer and writes it with a single
 * write(2), so lines from different coroutines never interleave. A log write to a
 * regular file or a terminal is accepted as the one blocking call we allow.
 */
#include "sr_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "sr_alloc.h"
#include "sr_context.h"

sr_log_level_t sr_log_level = SR_LOG_TRACE;

static int sr_log_fd = -1; /* -1: console (stderr) */
static char *sr_log_path;

static const char *sr_log_names[] = {"verbose", "info", "trace", "warn", "error"};
static const char *sr_log_tags[] = {"Verb", "Debug", "Trace", "Warn", "Error"};

int sr_log_level_parse(const char *name)
{
    for (size_t i = 0; i < SR_ARRAY_SIZE(sr_log_names); i++) {
        if (strcasecmp(name, sr_log_names[i]) == 0) {
            return (int)i;
        }
    }
    return -1;
}

const char *sr_log_level_name(sr_log_level_t level)
{
    return level < SR_LOG_DISABLED ? sr_log_names[level] : "disabled";
}

void sr_log_set_level(sr_log_level_t level)
{
    sr_log_level = level;
}

int sr_log_open(const char *path)
{
    if (!path) {
        sr_log_close();
        return 0;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        return -1;
    }
    sr_log_close();
    sr_log_fd = fd;
    sr_log_path = sr_strdup(path);
    return 0;
}

bool sr_log_is_console(void)
{
    return sr_log_fd < 0;
}

int sr_log_reopen(void)
{
    if (!sr_log_path) {
        return 0;
    }
    int fd = open(sr_log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        return -1;
    }
    close(sr_log_fd);
    sr_log_fd = fd;
    return 0;
}

void sr_log_close(void)
{
    if (sr_log_fd >= 0) {
        close(sr_log_fd);
    }
    sr_log_fd = -1;
    sr_free(sr_log_path);
    sr_log_path = NULL;
}

void sr_log_write(sr_log_level_t level, int with_errno, const char *fmt, ...)
{
    int saved_errno = errno;
    char line[4096];
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof(line), "[%04d-%02d-%02d %02d:%02d:%02d.%03d][%s][%d][%s] ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000),
                     sr_log_tags[level], (int)getpid(), sr_context_current()->cid);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    size_t len = SR_MIN(sizeof(line) - 2, (size_t)n + (size_t)(m > 0 ? m : 0));
    if (with_errno && saved_errno && len < sizeof(line) - 64) {
        len += (size_t)snprintf(line + len, sizeof(line) - len, " (errno=%d %s)", saved_errno, strerror(saved_errno));
        len = SR_MIN(sizeof(line) - 2, len);
    }
    line[len++] = '\n';
    ssize_t w = write(sr_log_fd >= 0 ? sr_log_fd : STDERR_FILENO, line, len);
    SR_UNUSED(w);
    errno = saved_errno;
}
