/* SPDX-License-Identifier: MIT */
/*
 * sr_main.c: the command line, daemonising, the pid file, signals and the main
 * loop. Signals are written to a pipe by the handler and read by one coroutine
 * (SIGHUP reload, SIGUSR1 reopen logs, SIGTERM/SIGINT graceful quit), so nothing
 * runs inside a signal handler.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sr_consts.h"
#include "sr_context.h"
#include "sr_error.h"
#include "sr_http_hooks.h"
#include "sr_log.h"
#include "sr_main.h"
#include "sr_st.h"
#include "sr_work.h"

#define SR_MAIN_STOP_GRACE_US (3 * SR_UTIME_S)

sr_server_t *sr_main_server;
const char *sr_main_config_path;

static int sr_main_signal_pipe[2] = {-1, -1};

static void sr_main_usage(FILE *f)
{
    fprintf(f, "Usage: strand [-c FILE | -e] [-t] [-v] [-h]\n"
               "  -c FILE   config file (SRS syntax) [conf/strand.conf]\n"
               "  -e        no config file: the defaults and SRS_* environment variables only\n"
               "  -t        test the config file and exit (0: valid, 1: invalid)\n"
               "  -v, -V    print the version and exit\n"
               "  -h        this help\n");
}

static void sr_main_on_signal(int signo)
{
    int saved = errno;
    unsigned char b = (unsigned char)signo;
    ssize_t n = write(sr_main_signal_pipe[1], &b, 1);
    (void)n;
    errno = saved;
}

static int sr_main_install_signals(void)
{
    if (pipe2(sr_main_signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
        return sr_err_new(SR_ESYSTEM, "signal pipe: %s", strerror(errno));
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = sr_main_on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    int sigs[] = {SIGHUP, SIGUSR1, SIGTERM, SIGINT, SIGQUIT};
    for (size_t i = 0; i < SR_ARRAY_SIZE(sigs); i++) {
        sigaction(sigs[i], &sa, NULL);
    }
    signal(SIGPIPE, SIG_IGN);
    return SR_OK;
}

/* Read signals from the pipe until a quit signal. */
static void sr_main_signal_loop(void)
{
    sr_sock_t *pipe_sock = NULL;
    if (sr_sock_from_fd(sr_main_signal_pipe[0], &pipe_sock) != SR_OK) {
        sr_error("signal pipe: %s", sr_err_trail());
        return;
    }
    sr_sock_set_timeouts(pipe_sock, SR_UTIME_NO_TIMEOUT, SR_UTIME_NO_TIMEOUT);
    for (;;) {
        unsigned char signo = 0;
        size_t n = 0;
        if (sr_io_read(sr_sock_io(pipe_sock), &signo, 1, &n) != SR_OK) {
            continue;
        }
        if (signo == SIGHUP) {
            sr_trace("SIGHUP: reload %s", sr_main_config_path);
            sr_server_reload_file(sr_main_server);
        } else if (signo == SIGUSR1) {
            if (sr_log_reopen() != 0) {
                sr_error("SIGUSR1: reopen log failed");
            }
            sr_trace("SIGUSR1: log reopened");
        } else {
            sr_trace("signal %d: graceful quit", signo);
            break;
        }
    }
    sr_sock_close(pipe_sock);
}

/* The daemon tells its launcher through this pipe whether it started serving, so
 * `strand -c FILE` with daemon on exits 1 when, say, a port is busy. */
static int sr_main_ready_fd = -1;

static int sr_main_daemonize(void)
{
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) < 0) {
        return sr_err_new(SR_ESYSTEM, "pipe: %s", strerror(errno));
    }
    pid_t pid = fork();
    if (pid < 0) {
        return sr_err_new(SR_ESYSTEM, "fork: %s", strerror(errno));
    }
    if (pid > 0) {
        close(ready[1]);
        char ok = 0;
        ssize_t n = read(ready[0], &ok, 1);
        exit(n == 1 && ok == 1 ? 0 : 1);
    }
    close(ready[0]);
    sr_main_ready_fd = ready[1];
    setsid();
    int fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        if (fd > STDERR_FILENO) {
            close(fd);
        }
    }
    return SR_OK;
}

/* Tell the launcher (daemon mode) that we serve, and stop writing to its terminal. */
static void sr_main_report_ready(bool is_ok)
{
    if (sr_main_ready_fd < 0) {
        return;
    }
    char b = is_ok ? 1 : 0;
    ssize_t n = write(sr_main_ready_fd, &b, 1);
    SR_UNUSED(n);
    close(sr_main_ready_fd);
    sr_main_ready_fd = -1;
    int fd = open("/dev/null", O_RDWR);
    if (fd >= 0 && sr_log_is_console() == false) {
        dup2(fd, STDERR_FILENO);
    }
    if (fd > STDERR_FILENO) {
        close(fd);
    }
}

/* The pid file, locked (fcntl) for the life of the process: -1 when we hold none. Its
 * path is kept: a reload may free the config it came from. */
static int sr_main_pid_fd = -1;
static char sr_main_pid_path[1024];

/* Lock the pid file and write our pid into it. Another live holder of the lock is
 * another instance: -SR_EALREADY_RUNNING naming its pid, and its file is left as it is.
 * Any other failure returns an error the caller may run without. */
static int sr_main_lock_pid(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        return sr_err_new(SR_EFILE_OPEN, "pid file %s: %s", path, strerror(errno));
    }
    struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    if (fcntl(fd, F_SETLK, &lk) != 0) {
        int err = errno;
        struct flock who = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        int holder = fcntl(fd, F_GETLK, &who) == 0 && who.l_type != F_UNLCK ? (int)who.l_pid : 0;
        close(fd);
        if (err == EAGAIN || err == EACCES) {
            return sr_err_new(SR_EALREADY_RUNNING, "another strand (pid %d) is running with pid file %s", holder, path);
        }
        return sr_err_new(SR_EFILE_OPEN, "lock pid file %s: %s", path, strerror(err));
    }
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
        close(fd);
        return sr_err_new(SR_EFILE_WRITE, "pid file %s: %s", path, strerror(errno));
    }
    sr_main_pid_fd = fd;
    snprintf(sr_main_pid_path, sizeof(sr_main_pid_path), "%s", path);
    return SR_OK;
}

/* Remove the pid file only while we hold its lock: never another instance's. */
static void sr_main_unlock_pid(void)
{
    if (sr_main_pid_fd >= 0) {
        unlink(sr_main_pid_path);
        close(sr_main_pid_fd);
        sr_main_pid_fd = -1;
    }
}

static void sr_main_raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static int sr_main_setup_log(const sr_server_config_t *cfg)
{
    sr_log_set_level((sr_log_level_t)cfg->log_level);
    /* An unwritable log file is not worth refusing to serve: say so and use the console. */
    if (cfg->is_log_file && sr_log_open(cfg->log_file) != 0) {
        sr_warn("cannot open log file %s, logging to the console", cfg->log_file);
    }
    return SR_OK;
}

static int sr_main_run(sr_server_config_t *cfg)
{
    int rc;
    if ((rc = sr_main_setup_log(cfg)) != SR_OK) {
        return rc;
    }
    if (cfg->is_daemon && (rc = sr_main_daemonize()) != SR_OK) {
        return rc;
    }
    /* after the fork (a lock is not inherited), before the ports: a second instance
     * with the same pid file stops here and disturbs nothing */
    if (cfg->pid_file[0] && (rc = sr_main_lock_pid(cfg->pid_file)) != SR_OK) {
        if (rc == -SR_EALREADY_RUNNING) {
            return rc;
        }
        sr_warn("%s; running without a pid file", sr_err_trail());
    }
    sr_main_raise_fd_limit();
    if ((rc = sr_st_init()) != SR_OK || (rc = sr_main_install_signals()) != SR_OK) {
        return rc;
    }
    sr_trace("%s/%s starting, pid %d, config %s, event system %s, fd limit %d", SR_SERVER_NAME, SR_VERSION_STRING,
             (int)getpid(), sr_main_config_path, sr_st_eventsys_name(), sr_st_fd_limit());
    sr_server_config_print_env(cfg, "config: ", NULL);
    sr_main_server = sr_server_new(cfg);
    if ((rc = sr_server_start(sr_main_server)) != SR_OK) {
        sr_main_unlock_pid();
        return rc;
    }
    sr_server_log_urls(cfg);
    sr_main_report_ready(true);
    sr_main_signal_loop();
    sr_server_stop(sr_main_server, SR_MAIN_STOP_GRACE_US);
    /* on_unpublish/on_stop/on_close of the connections just closed still go out. */
    sr_hooks_stop(sr_main_server, sr_time_mono_us() + SR_MAIN_STOP_GRACE_US);
    sr_work_shutdown(); /* after the sinks: their last writes run on it */
    sr_main_unlock_pid();
    sr_trace("%s stopped", SR_SERVER_NAME);
    return SR_OK;
}

int main(int argc, char **argv)
{
    const char *path = "conf/strand.conf";
    bool test_only = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else if (strcmp(argv[i], "-e") == 0) {
            path = SR_CONFIG_PATH_ENV_ONLY;
        } else if (strcmp(argv[i], "-t") == 0) {
            test_only = true;
        } else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "-V") == 0) {
            printf("%s\n", SR_VERSION_STRING);
            return 0;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            sr_main_usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "strand: unknown argument '%s'\n", argv[i]);
            sr_main_usage(stderr);
            return 1;
        }
    }
    sr_main_config_path = path;
    sr_context_init(sr_context_current()); /* the main coroutine's cid */
    sr_server_config_t *cfg = NULL;
    int rc = sr_server_config_load(path, &cfg);
    if (rc != SR_OK) {
        fprintf(stderr, "strand: config %s is invalid: %s\n", path, sr_err_trail());
        return 1;
    }
    if (test_only) {
        sr_server_config_print_env(cfg, "strand: ", stdout);
        printf("strand: config %s is valid (%d vhosts, %d warnings)\n", path, cfg->vhost_count, cfg->warnings);
        sr_server_config_free(cfg);
        return 0;
    }
    rc = sr_main_run(cfg);
    if (rc != SR_OK) {
        sr_error("strand failed to start: %s", sr_err_trail());
        fprintf(stderr, "strand: %s\n", sr_err_trail());
        sr_main_report_ready(false);
        return 1;
    }
    sr_server_free(sr_main_server);
    return 0;
}
