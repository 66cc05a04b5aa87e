/* SPDX-License-Identifier: MIT */
/*
 * sr_http_api_summary.c: what /api/v1/summaries and the exporter report about the
 * process and the machine: the sampler over /proc and getrusage (CPU over a short
 * window, so no sampler state has to live between requests), and the summaries JSON
 * in SRS's shape. Disk IO and per-interface public/private byte splits, which SRS
 * samples in a background timer, are not measured (zeros / lo versus the rest).
 */
#include "sr_http_api_internal.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sr_alloc.h"
#include "sr_consts.h"
#include "sr_error.h"
#include "sr_http_conn.h"
#include "sr_json.h"
#include "sr_st.h"
#include "sr_time.h"

/* Microseconds of CPU this process used, user plus system. */
static double sr_http_api_rusage_us(void)
{
    struct rusage r;
    if (getrusage(RUSAGE_SELF, &r) != 0) {
        return -1;
    }
    return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e6 + (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec);
}

/* CPU of the process and the machine over the window; false when a sample failed. */
static bool sr_http_api_sample_cpu(sr_proc_usage_t *out, char *text, size_t size, int *rc)
{
    sr_proc_cpu_t c0 = {0, 0}, c1 = {0, 0};
    double us0 = sr_http_api_rusage_us();
    bool ok = sr_http_api__read_file("/proc/stat", text, size, NULL) == SR_OK &&
              sr_http_api__parse_proc_stat(text, &c0) == SR_OK;
    sr_utime_t t0 = sr_time_mono_us();
    *rc = sr_usleep(SR_HTTP_API_CPU_WINDOW_US);
    sr_utime_t t1 = sr_time_mono_us();
    double us1 = sr_http_api_rusage_us();
    ok = ok && sr_http_api__read_file("/proc/stat", text, size, NULL) == SR_OK &&
         sr_http_api__parse_proc_stat(text, &c1) == SR_OK;
    if (*rc != SR_OK || t1 <= t0 || us0 < 0 || us1 < 0) {
        return false;
    }
    out->cpu_self = us1 > us0 ? (us1 - us0) / (double)(t1 - t0) : 0;
    out->cpu_system = ok ? sr_http_api__cpu_ratio(&c0, &c1) : 0;
    return ok;
}

/* Everything read once; false when a file SRS requires is missing or malformed. */
/* Open descriptors, so a leak shows in the API and the metrics. */
static int sr_http_api_count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        return -1;
    }
    int n = 0;
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        n += e->d_name[0] != '.';
    }
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}

static bool sr_http_api_sample_files(sr_proc_usage_t *out, char *text, size_t size)
{
    out->open_fds = sr_http_api_count_fds();
    out->coroutines = sr_co_count();
    bool ok = true;
    sr_proc_self_t self;
    if (sr_http_api__read_file("/proc/self/stat", text, size, NULL) == SR_OK &&
        sr_http_api__parse_proc_self_stat(text, &self) == SR_OK) {
        out->ppid = self.ppid;
        out->rss_kb = self.rss_pages * (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
    } else {
        ok = false;
    }
    ok &= sr_http_api__read_file("/proc/meminfo", text, size, NULL) == SR_OK &&
          sr_http_api__parse_meminfo(text, &out->mem) == SR_OK;
    ok &= sr_http_api__read_file("/proc/loadavg", text, size, NULL) == SR_OK &&
          sr_http_api__parse_loadavg(text, out->load) == SR_OK;
    ok &= sr_http_api__read_file("/proc/uptime", text, size, NULL) == SR_OK &&
          sr_http_api__parse_uptime(text, &out->uptime_s, &out->idle_s) == SR_OK;
    /* sockets and network devices are informative: their absence (containers) is not an error */
    if (sr_http_api__read_file("/proc/net/sockstat", text, size, NULL) == SR_OK) {
        sr_http_api__parse_sockstat(text, &out->sock);
    }
    if (sr_http_api__read_file("/proc/net/dev", text, size, NULL) == SR_OK) {
        sr_http_api__parse_netdev(text, &out->net);
    }
    return ok;
}

int sr_http_api__proc_sample(sr_proc_usage_t *out)
{
    memset(out, 0, sizeof(*out));
    size_t size = 16 * 1024; /* /proc/stat's first line and the small files fit; the rest is cut */
    char *text = sr_malloc(size);
    int rc = SR_OK;
    bool is_cpu_ok = sr_http_api_sample_cpu(out, text, size, &rc);
    bool is_files_ok = sr_http_api_sample_files(out, text, size);
    sr_free(text);
    out->is_ok = is_cpu_ok && is_files_ok;
    return rc;
}

/* "argv" of SRS: the command line, from /proc/self/cmdline (NUL-separated). */
static void sr_http_api_self_argv(char *out, size_t size)
{
    size_t n = 0;
    if (sr_http_api__read_file("/proc/self/cmdline", out, size, &n) != SR_OK) {
        out[0] = '\0';
        return;
    }
    while (n > 0 && out[n - 1] == '\0') {
        n--;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = out[i] ? out[i] : ' ';
    }
    out[n] = '\0';
}

static void sr_http_api_summary_self(sr_json_writer_t *w, sr_server_t *s, const sr_proc_usage_t *u, int64_t now_ms)
{
    char argv[1024], cwd[1024];
    sr_http_api_self_argv(argv, sizeof(argv));
    if (!getcwd(cwd, sizeof(cwd))) {
        cwd[0] = '\0';
    }
    const sr_server_totals_t *t = sr_server_totals(s);
    sr_json_writer_key(w, "self");
    sr_json_writer_object_start(w);
    sr_json_writer_kv_string(w, "version", SR_VERSION_STRING);
    sr_json_writer_kv_int(w, "pid", getpid());
    sr_json_writer_kv_int(w, "ppid", u->ppid);
    sr_json_writer_kv_string(w, "argv", argv);
    sr_json_writer_kv_string(w, "cwd", cwd);
    sr_json_writer_kv_uint(w, "mem_kbyte", u->rss_kb);
    sr_json_writer_kv_double(w, "mem_percent", u->mem.total_kb ? (double)u->rss_kb / (double)u->mem.total_kb : 0);
    sr_json_writer_kv_double(w, "cpu_percent", u->cpu_self);
    sr_json_writer_kv_int(w, "srs_uptime", (now_ms - t->start_ms) / 1000);
    sr_json_writer_kv_int(w, "open_fds", u->open_fds);     /* ours */
    sr_json_writer_kv_int(w, "coroutines", u->coroutines); /* ours */
    sr_json_writer_object_end(w);
}

void sr_http_api__server_bytes(sr_server_t *s, uint64_t *recv, uint64_t *send)
{
    const sr_server_totals_t *t = sr_server_totals(s);
    *recv = t->recv_bytes;
    *send = t->send_bytes;
    for (sr_client_t *c = sr_server_clients(s); c; c = c->next) {
        *recv += c->io ? c->io->recv_bytes : 0;
        *send += c->io ? c->io->send_bytes : 0;
    }
}

static void sr_http_api_summary_memory(sr_json_writer_t *w, const sr_proc_usage_t *u)
{
    const sr_proc_meminfo_t *m = &u->mem;
    /* SRS: used = total - free - buffers - cached */
    uint64_t used = m->total_kb > m->free_kb + m->buffers_kb + m->cached_kb
                        ? m->total_kb - m->free_kb - m->buffers_kb - m->cached_kb
                        : 0;
    sr_json_writer_kv_double(w, "cpu_percent", u->cpu_system);
    sr_json_writer_kv_int(w, "disk_read_KBps", 0);
    sr_json_writer_kv_int(w, "disk_write_KBps", 0);
    sr_json_writer_kv_double(w, "disk_busy_percent", 0);
    sr_json_writer_kv_uint(w, "mem_ram_kbyte", m->total_kb);
    sr_json_writer_kv_double(w, "mem_ram_percent", m->total_kb ? (double)used / (double)m->total_kb : 0);
    sr_json_writer_kv_uint(w, "mem_swap_kbyte", m->swap_total_kb);
    sr_json_writer_kv_double(w, "mem_swap_percent",
                             m->swap_total_kb ? (double)(m->swap_total_kb - SR_MIN(m->swap_free_kb, m->swap_total_kb)) /
                                                    (double)m->swap_total_kb
                                              : 0);
}

static void sr_http_api_summary_system(sr_json_writer_t *w, sr_server_t *s, const sr_proc_usage_t *u, int64_t now_ms)
{
    uint64_t recv = 0, send = 0;
    sr_http_api__server_bytes(s, &recv, &send);
    sr_json_writer_key(w, "system");
    sr_json_writer_object_start(w);
    sr_http_api_summary_memory(w, u);
    sr_json_writer_kv_int(w, "cpus", sysconf(_SC_NPROCESSORS_CONF));
    sr_json_writer_kv_int(w, "cpus_online", sysconf(_SC_NPROCESSORS_ONLN));
    sr_json_writer_kv_double(w, "uptime", u->uptime_s);
    sr_json_writer_kv_double(w, "ilde_time", u->idle_s); /* sic: SRS's spelling */
    sr_json_writer_kv_double(w, "load_1m", u->load[0]);
    sr_json_writer_kv_double(w, "load_5m", u->load[1]);
    sr_json_writer_kv_double(w, "load_15m", u->load[2]);
    sr_json_writer_kv_int(w, "net_sample_time", now_ms);
    sr_json_writer_kv_uint(w, "net_recv_bytes", u->net.recv_bytes);
    sr_json_writer_kv_uint(w, "net_send_bytes", u->net.send_bytes);
    sr_json_writer_kv_uint(w, "net_recvi_bytes", u->net.lo_recv_bytes);
    sr_json_writer_kv_uint(w, "net_sendi_bytes", u->net.lo_send_bytes);
    sr_json_writer_kv_int(w, "srs_sample_time", now_ms);
    sr_json_writer_kv_uint(w, "srs_recv_bytes", recv);
    sr_json_writer_kv_uint(w, "srs_send_bytes", send);
    sr_json_writer_kv_int(w, "conn_sys", SR_MAX(u->sock.sockets_used, 0));
    sr_json_writer_kv_int(w, "conn_sys_et", SR_MAX(u->sock.tcp_inuse, 0));
    sr_json_writer_kv_int(w, "conn_sys_tw", SR_MAX(u->sock.tcp_tw, 0));
    sr_json_writer_kv_int(w, "conn_sys_udp", SR_MAX(u->sock.udp_inuse, 0));
    sr_json_writer_kv_int(w, "conn_srs", sr_server_client_count(s));
    sr_json_writer_object_end(w);
}

/* The summaries object as the member key of the open object of w. */
static void sr_http_api_summary_write(sr_json_writer_t *w, sr_server_t *s, const sr_proc_usage_t *u, const char *key)
{
    int64_t now_ms = sr_time_wall_us() / 1000;
    sr_json_writer_key(w, key);
    sr_json_writer_object_start(w);
    sr_json_writer_kv_bool(w, "ok", u->is_ok);
    sr_json_writer_kv_int(w, "now_ms", now_ms);
    sr_http_api_summary_self(w, s, u, now_ms);
    sr_http_api_summary_system(w, s, u, now_ms);
    sr_json_writer_object_end(w);
}

void sr_http_api__write_summaries(sr_json_writer_t *w, sr_server_t *s, const sr_proc_usage_t *u)
{
    sr_http_api_summary_write(w, s, u, "data");
}

int sr_http_api_write_summaries(sr_json_writer_t *w, sr_server_t *s, const char *key)
{
    sr_proc_usage_t u;
    int rc = sr_http_api__proc_sample(&u);
    if (rc == SR_OK) {
        sr_http_api_summary_write(w, s, &u, key); /* after the yield: the tables are read now */
    }
    return rc;
}
