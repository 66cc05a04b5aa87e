/* SPDX-License-Identifier: MIT */
/*
 * sr_process.c: fork/exec of children that cannot outlive the server, and the argument
 * vectors their command lines are built in. Between fork and exec the child runs only
 * async-signal-safe calls (the server has worker threads, whose locks a forked child
 * may find held): everything that allocates, resolves or formats is done before the
 * fork, in the parent.
 */
#include "sr_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sr_alloc.h"
#include "sr_error.h"

extern char **environ;

/* ======================================================================== */
/* argument vectors                                                         */
/* ======================================================================== */

void sr_argv_init(sr_argv_t *a)
{
    memset(a, 0, sizeof(*a));
}

void sr_argv_deinit(sr_argv_t *a)
{
    for (int i = 0; i < a->n; i++) {
        sr_free(a->v[i]);
    }
    sr_free(a->v);
    sr_argv_init(a);
}

/* Take ownership of s (heap) as the last argument. */
static void sr_argv_push_owned(sr_argv_t *a, char *s)
{
    if (a->n + 2 > a->_cap) {
        a->_cap = a->_cap ? a->_cap * 2 : 16;
        a->v = sr_realloc(a->v, (size_t)a->_cap * sizeof(*a->v));
    }
    a->v[a->n++] = s;
    a->v[a->n] = NULL;
}

void sr_argv_push(sr_argv_t *a, const char *s)
{
    sr_argv_push_owned(a, sr_strdup(s));
}

void sr_argv_pushf(sr_argv_t *a, const char *fmt, ...)
{
    if (!fmt) {
        return; /* never: tells UBSan builds of GCC 12 that fmt is set (else -Wformat-truncation) */
    }
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    size_t len = (size_t)SR_MAX(n, 0);
    char *s = sr_malloc(len + 1);
    s[0] = '\0';
    vsnprintf(s, len + 1, fmt, again);
    va_end(again);
    sr_argv_push_owned(a, s);
}

void sr_argv_append(sr_argv_t *a, const sr_argv_t *src)
{
    for (int i = 0; i < src->n; i++) {
        sr_argv_push(a, src->v[i]);
    }
}

void sr_argv_copy(sr_argv_t *dst, const sr_argv_t *src)
{
    sr_argv_deinit(dst);
    sr_argv_append(dst, src);
}

bool sr_argv_equal(const sr_argv_t *a, const sr_argv_t *b)
{
    if (a->n != b->n) {
        return false;
    }
    for (int i = 0; i < a->n; i++) {
        if (strcmp(a->v[i], b->v[i]) != 0) {
            return false;
        }
    }
    return true;
}

/* Whether s reads as one word to a shell (so the joined line can be pasted into one). */
static bool sr_argv_is_plain(const char *s)
{
    return s[0] && !s[strcspn(s, " \t\n'\"\\$`!*?[]{}()<>|&;#~")];
}

void sr_argv_join(const sr_argv_t *a, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < a->n && n + 1 < size; i++) {
        const char *s = a->v[i];
        if (i > 0) {
            out[n++] = ' ';
        }
        bool is_plain = sr_argv_is_plain(s);
        if (!is_plain && n + 1 < size) {
            out[n++] = '\'';
        }
        for (; *s && n + 1 < size; s++) {
            if (*s == '\'' && !is_plain) {
                n += (size_t)snprintf(out + n, size - n, "'\\''"); /* close, escaped quote, reopen */
                n = SR_MIN(n, size - 1);
            } else {
                out[n++] = *s;
            }
        }
        if (!is_plain && n + 1 < size) {
            out[n++] = '\'';
        }
        out[n] = '\0';
    }
}

/* ======================================================================== */
/* spawn                                                                    */
/* ======================================================================== */

/* A regular file we may execute (access alone says yes to directories). */
static bool sr_process_is_executable(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        errno = EACCES;
        return false;
    }
    return access(path, X_OK) == 0;
}

int sr_process_resolve(const char *prog, char *out, size_t size)
{
    if (!prog || !prog[0]) {
        return sr_err_new(SR_ENOT_FOUND, "empty program name");
    }
    if (strchr(prog, '/')) {
        if ((size_t)snprintf(out, size, "%s", prog) >= size) {
            return sr_err_new(SR_EOVERFLOW, "program path of %zu bytes", strlen(prog));
        }
        return sr_process_is_executable(out) ? SR_OK : sr_err_new(SR_ENOT_FOUND, "%s: %s", prog, strerror(errno));
    }
    const char *path = getenv("PATH");
    path = path && path[0] ? path : "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path; *p;) {
        size_t len = strcspn(p, ":");
        /* an empty entry is the working directory, as execvp reads it */
        int w = len ? snprintf(out, size, "%.*s/%s", (int)len, p, prog) : snprintf(out, size, "./%s", prog);
        if (w > 0 && (size_t)w < size && sr_process_is_executable(out)) {
            return SR_OK;
        }
        p += len + (p[len] == ':');
    }
    return sr_err_new(SR_ENOT_FOUND, "%s: not found in PATH", prog);
}

/* Move fd (close-on-exec) to 3 or above, so that the child's dup2 onto 0..2 never
 * overwrites it (a daemon may have closed its standard descriptors). */
static int sr_process_high_fd(int fd)
{
    if (fd < 0 || fd > 2) {
        return fd;
    }
    int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return high;
}

/* In the child: fd becomes target, without close-on-exec. */
static void sr_process_child_dup(int fd, int target)
{
    if (dup2(fd, target) < 0) {
        _exit(127);
    }
}

static void sr_process_child_write(const char *s)
{
    ssize_t w = write(2, s, strlen(s));
    (void)w;
}

/* The child between fork and exec: async-signal-safe calls only. Never returns. */
static void sr_process_child(const char *path, char *const argv[], int null_fd, int log_fd, pid_t parent, int max_fd)
{
    /* die with the server; a server that died before prctl took effect left us with
     * another parent already */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) {
        _exit(127);
    }
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &dfl, NULL); /* the server ignores it; ignored dispositions survive exec */
    sr_process_child_dup(null_fd, 0);
    sr_process_child_dup(log_fd, 1);
    sr_process_child_dup(log_fd, 2);
    if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
        for (int fd = 3; fd < max_fd; fd++) {
            close(fd);
        }
    }
    execve(path, argv, environ);
    sr_process_child_write("strand: cannot exec ");
    sr_process_child_write(path);
    sr_process_child_write("\n");
    _exit(127);
}

/* Open the child's stdin and log; both close-on-exec and at 3 or above. */
static int sr_process_open_fds(const char *log_path, int *null_fd, int *log_fd)
{
    *null_fd = sr_process_high_fd(open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (*null_fd < 0) {
        return sr_err_new(SR_EFILE_OPEN, "/dev/null: %s", strerror(errno));
    }
    bool is_log = log_path && log_path[0];
    *log_fd = sr_process_high_fd(is_log ? open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)
                                        : open("/dev/null", O_WRONLY | O_CLOEXEC));
    if (*log_fd < 0) {
        int e = errno;
        close(*null_fd);
        return sr_err_new(SR_EFILE_OPEN, "%s: %s", is_log ? log_path : "/dev/null", strerror(e));
    }
    return SR_OK;
}

int sr_process_spawn(const sr_argv_t *argv, const char *log_path, pid_t *pid)
{
    char path[4096];
    if (argv->n == 0) {
        return sr_err_new(SR_EINVAL, "empty command line");
    }
    int rc = sr_process_resolve(argv->v[0], path, sizeof(path));
    int null_fd = -1, log_fd = -1;
    if (rc != SR_OK || (rc = sr_process_open_fds(log_path, &null_fd, &log_fd)) != SR_OK) {
        return rc;
    }
    struct rlimit rl;
    int max_fd = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? (int)rl.rlim_cur : 65536;
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        sr_process_child(path, argv->v, null_fd, log_fd, parent, max_fd);
    }
    int e = errno;
    close(null_fd);
    close(log_fd);
    if (child < 0) {
        return sr_err_new(SR_ESYSTEM, "fork %s: %s", path, strerror(e));
    }
    setpgid(child, child); /* also here, so a signal sent right away reaches the group */
    *pid = child;
    return SR_OK;
}

/* ======================================================================== */
/* signal and reap                                                          */
/* ======================================================================== */

int sr_process_signal(pid_t pid, int signo)
{
    if (pid <= 0) {
        return -SR_ENOT_FOUND;
    }
    if (kill(-pid, signo) == 0) {
        return SR_OK;
    }
    /* the group may not exist yet if the child has not run setpgid: the child itself */
    return kill(pid, signo) == 0 ? SR_OK : -SR_ENOT_FOUND;
}

int sr_process_reap(pid_t pid, bool *is_exited, int *status)
{
    int st = 0;
    pid_t r;
    do {
        r = waitpid(pid, &st, WNOHANG);
    } while (r < 0 && errno == EINTR);
    *is_exited = r != 0;
    *status = r == pid ? st : -1;
    return SR_OK;
}

void sr_process_describe(int status, char *out, size_t size)
{
    if (status == -1) {
        snprintf(out, size, "unknown");
    } else if (WIFEXITED(status)) {
        snprintf(out, size, "exit %d", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        snprintf(out, size, "signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    } else {
        snprintf(out, size, "status 0x%x", (unsigned)status);
    }
}
