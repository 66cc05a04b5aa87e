/* SPDX-License-Identifier: MIT */
/*
 * sr_http_api_internal.h: the pure helpers behind the HTTP API (sr_http_api.c) and the
 * Prometheus exporter (sr_exporter.c, part of the same module): Basic auth, paging
 * parameters, ids, codec names, the /proc parsers and the sampler built on them, and
 * Prometheus label escaping. Everything but the sampler works on caller-given text and
 * storage, so the unit tests feed it sample /proc files. Only the module and its tests
 * include this header.
 */
#ifndef SR_HTTP_API_INTERNAL_H
#define SR_HTTP_API_INTERNAL_H

#include "sr_bytes.h"
#include "sr_core.h"

SR_BEGIN_DECLS

/* SRS's error codes (srs_kernel_error.hpp) the API answers with, in the JSON `code`. */
enum {
    SR_HTTP_API_CODE_RAW = 1060,              /* ERROR_SYSTEM_CONFIG_RAW: unknown rpc */
    SR_HTTP_API_CODE_RAW_DISABLED = 1061,     /* ERROR_SYSTEM_CONFIG_RAW_DISABLED: raw_api or allow_reload off */
    SR_HTTP_API_CODE_RELOAD_FAILED = 1023,    /* ERROR_SYSTEM_CONFIG_INVALID: the new config was refused */
    SR_HTTP_API_CODE_VHOST_NOT_FOUND = 2014,  /* ERROR_RTMP_VHOST_NOT_FOUND */
    SR_HTTP_API_CODE_STREAM_NOT_FOUND = 2048, /* ERROR_RTMP_STREAM_NOT_FOUND */
    SR_HTTP_API_CODE_CLIENT_NOT_FOUND = 2049, /* ERROR_RTMP_CLIENT_NOT_FOUND */
};

/* SRS's default page size for /api/v1/streams and /api/v1/clients. */
#define SR_HTTP_API_DEFAULT_COUNT 10
/* Most entries one page may ask for. */
#define SR_HTTP_API_MAX_COUNT 100000

/* ---- request helpers ---- */

/* Whether the Authorization header value (NULL when absent) is "Basic " + base64 of
 * "username:password" for exactly these credentials. The comparison does not stop at
 * the first differing byte. */
bool sr_http_api__basic_auth_ok(const char *authorization, const char *username, const char *password);
/* start and count from a query string ("start=20&count=5"): start defaults to 0 and is
 * at least 0; count defaults to SR_HTTP_API_DEFAULT_COUNT and is clamped to
 * 1..SR_HTTP_API_MAX_COUNT (SRS's srs_max(1, count)). Garbage reads as absent. */
void sr_http_api__parse_page(const char *query, int *start, int *count);
/* Whether s is a safe JSONP callback name: 1..64 of [A-Za-z0-9_.$]. */
bool sr_http_api__is_jsonp_name(const char *s);
/* The vhost id of name: "vid-" + 7 hex digits of its FNV-1a hash, stable across
 * restarts. out gets at most 12 bytes. */
void sr_http_api__vhost_id(const char *name, char *out, size_t size);

/* ---- /proc ---- */

typedef struct sr_proc_self {
    int ppid;
    uint64_t utime_ticks; /* user time, clock ticks */
    uint64_t stime_ticks;
    uint64_t start_ticks; /* since boot */
    uint64_t rss_pages;
} sr_proc_self_t;

typedef struct sr_proc_cpu {
    uint64_t busy;  /* user + nice + system + irq + softirq + steal, ticks, all CPUs */
    uint64_t total; /* busy + idle + iowait */
} sr_proc_cpu_t;

typedef struct sr_proc_meminfo {
    uint64_t total_kb;
    uint64_t free_kb;
    uint64_t available_kb; /* 0 on kernels without MemAvailable */
    uint64_t buffers_kb;
    uint64_t cached_kb;
    uint64_t swap_total_kb;
    uint64_t swap_free_kb;
} sr_proc_meminfo_t;

typedef struct sr_proc_sockstat {
    int64_t sockets_used; /* "sockets: used" */
    int64_t tcp_inuse;
    int64_t tcp_tw;
    int64_t udp_inuse;
} sr_proc_sockstat_t;

typedef struct sr_proc_netdev {
    uint64_t recv_bytes; /* every interface but lo */
    uint64_t send_bytes;
    uint64_t lo_recv_bytes;
    uint64_t lo_send_bytes;
} sr_proc_netdev_t;

/* Each parses the text of one /proc file (NUL-terminated, borrowed) into caller storage
 * and returns SR_OK or -SR_EFORMAT when the fields are not there. */
int sr_http_api__parse_proc_self_stat(const char *text, sr_proc_self_t *out);      /* /proc/self/stat */
int sr_http_api__parse_proc_stat(const char *text, sr_proc_cpu_t *out);            /* /proc/stat, "cpu" line */
int sr_http_api__parse_meminfo(const char *text, sr_proc_meminfo_t *out);          /* /proc/meminfo */
int sr_http_api__parse_loadavg(const char *text, double load[3]);                  /* /proc/loadavg */
int sr_http_api__parse_uptime(const char *text, double *uptime_s, double *idle_s); /* /proc/uptime */
int sr_http_api__parse_sockstat(const char *text, sr_proc_sockstat_t *out);        /* /proc/net/sockstat */
int sr_http_api__parse_netdev(const char *text, sr_proc_netdev_t *out);            /* /proc/net/dev */
/* Busy share of the CPUs between two samples, 0..1 (0 when no tick passed). */
double sr_http_api__cpu_ratio(const sr_proc_cpu_t *a, const sr_proc_cpu_t *b);
/* Read a small /proc file into out (NUL-terminated, at most size - 1 bytes: longer
 * files are cut) and its length into *len (NULL ok; the text may hold NULs, as
 * /proc/self/cmdline does). Returns SR_OK or -SR_EFILE_OPEN / -SR_EFILE_READ (empty),
 * no trail. Blocks only as long as the kernel takes to generate the file. */
int sr_http_api__read_file(const char *path, char *out, size_t size, size_t *len);

/* What summaries and the exporter report about the process and the machine. */
typedef struct sr_proc_usage {
    bool is_ok;        /* every file read and parsed */
    double cpu_self;   /* this process, share of one CPU, over the sample window (1.0 = one core busy) */
    double cpu_system; /* the machine, share of all CPUs, 0..1 */
    uint64_t rss_kb;
    int ppid;
    sr_proc_meminfo_t mem;
    double load[3];
    double uptime_s;
    double idle_s;
    sr_proc_sockstat_t sock;
    sr_proc_netdev_t net;
    int open_fds;   /* entries of /proc/self/fd (-1 when unreadable) */
    int coroutines; /* sr_co_count() */
} sr_proc_usage_t;

/* Sample the process and the machine: CPU over a window of SR_HTTP_API_CPU_WINDOW_US
 * (rusage and /proc/stat before and after a sleep), the rest read once. Returns SR_OK,
 * or -SR_EINTERRUPTED when the coroutine was stopped during the window (out then holds
 * what was read, with CPU 0). May yield. */
#define SR_HTTP_API_CPU_WINDOW_US (100 * 1000)
int sr_http_api__proc_sample(sr_proc_usage_t *out); /* sr_http_api_summary.c */

/* ---- server state (sr_http_api.c) ---- */

struct sr_client;
struct sr_server;
struct sr_source;
/* The stream a client publishes or plays (its source, else looked up from its request
 * without keeping a reference), or NULL. Valid until the next yield. */
struct sr_source *sr_http_api__client_source(struct sr_server *s, const struct sr_client *c);
/* Bytes of every connection since start: closed ones (the totals) plus open ones.
 * (sr_http_api_summary.c) */
void sr_http_api__server_bytes(struct sr_server *s, uint64_t *recv, uint64_t *send);
struct sr_json_writer;
/* Write summaries' "data" member (SRS srs_api_dump_summaries) from u into the open
 * object of w. (sr_http_api_summary.c) */
void sr_http_api__write_summaries(struct sr_json_writer *w, struct sr_server *s, const struct sr_proc_usage *u);
/* The members "forwards" and "edges" of the reply (sr_http_api_cluster.c). */
void sr_http_api__write_forwards(struct sr_json_writer *w);
void sr_http_api__write_edges(struct sr_json_writer *w, struct sr_server *s);
void sr_http_api__write_rtsp_pulls(struct sr_json_writer *w, struct sr_server *s);
/* GET /api/v1/clusters?vhost=&ip=&app=&stream=&coworker= (SRS's origin cluster): data
 * {query, origin} when the stream is published here, else SR_ENOT_FOUND (the code). */
int sr_http_api__write_clusters(struct sr_json_writer *w, struct sr_server *s, const char *query);

/* ---- external programs (sr_http_api_process.c) ---- */

/* Write "transcoders" / "ingesters" / "execs": [...] (each child's id, vhost, app, stream,
 * engine, pid, state, restarts, started_ms, output, log, cmdline) into the open object of w. */
void sr_http_api__write_transcoders(struct sr_json_writer *w, struct sr_server *s);
void sr_http_api__write_ingesters(struct sr_json_writer *w, struct sr_server *s);
void sr_http_api__write_execs(struct sr_json_writer *w, struct sr_server *s);

/* ---- Prometheus ---- */

/* Append s as a Prometheus label value body (text format 0.0.4): '\\', '"' and
 * newline escaped, and every byte that does not start valid UTF-8 replaced with
 * U+FFFD, so a peer-chosen stream name cannot break the scrape. */
void sr_http_api__prom_escape(sr_buf_t *out, const char *s);

SR_END_DECLS

#endif
