/*
 * C tests of the flowlog C ABI: the shared test vectors byte for byte (converted to a line format
 * by vectors.py) and bad input of every kind. Built and run by scripts/test-c.sh, once with
 * AddressSanitizer + UndefinedBehaviorSanitizer and once under valgrind (leaks are errors).
 *
 * Usage: test_flowlog VECTORS.txt
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flowlog.h"

static int passed, failed;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (cond) {                                                                 \
            passed++;                                                               \
        } else {                                                                    \
            failed++;                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                           \
    } while (0)

#define CHECK_ST(call, want)                                                                       \
    do {                                                                                           \
        flowlog_status st_ = (call);                                                               \
        if (st_ == (want)) {                                                                       \
            passed++;                                                                              \
        } else {                                                                                   \
            failed++;                                                                              \
            fprintf(stderr, "%s:%d: %s returned %s, want %s\n", __FILE__, __LINE__, #call,          \
                    flowlog_status_str(st_), flowlog_status_str(want));                            \
        }                                                                                          \
    } while (0)

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        perror("malloc");
        exit(2);
    }
    return p;
}

/* ---- counters by name ---- */
static const struct {
    const char *name;
    size_t offset;
} COUNTERS[] = {
#define C(f) {#f, offsetof(flowlog_counters, f)}
    C(packets_in),   C(metered),        C(unsupported_link), C(truncated_l2), C(non_ip),
    C(bad_ip_header), C(truncated_l4),  C(bad_ipv6_chain),   C(orphan_fragments), C(bad_length),
    C(late_packets), C(bad_timestamp),  C(evictions),        C(rollovers),   C(records),
    C(record_packets),
#undef C
};

static int counter(const flowlog_counters *c, const char *name, uint64_t *value) {
    for (size_t i = 0; i < sizeof COUNTERS / sizeof COUNTERS[0]; i++) {
        if (strcmp(COUNTERS[i].name, name) == 0) {
            memcpy(value, (const char *)c + COUNTERS[i].offset, sizeof *value);
            return 1;
        }
    }
    return 0;
}

/* ---- records collected through the batch call ---- */
typedef struct {
    flowlog_record *v;
    size_t len, cap;
} records;

static void records_add(records *r, const flowlog_record *src, size_t n) {
    if (r->len + n > r->cap) {
        r->cap = (r->len + n) * 2;
        flowlog_record *v = realloc(r->v, r->cap * sizeof *v);
        if (!v) {
            perror("realloc");
            exit(2);
        }
        r->v = v;
    }
    memcpy(r->v + r->len, src, n * sizeof *src);
    r->len += n;
}

/* Header + records in `format`, through the two-call pattern. The caller frees it. */
static char *render(uint32_t format, const records *r, size_t *len) {
    size_t head = 0, body = 0, n = 0;
    flowlog_status st = flowlog_format_header(format, NULL, 0, &head);
    CHECK(st == FLOWLOG_STATUS_OK || st == FLOWLOG_STATUS_BUFFER_TOO_SMALL);
    st = flowlog_format_records(format, r->v, r->len, NULL, 0, &body);
    CHECK(st == (r->len ? FLOWLOG_STATUS_BUFFER_TOO_SMALL : FLOWLOG_STATUS_OK));
    char *text = xmalloc(head + body + 1);
    CHECK_ST(flowlog_format_header(format, (uint8_t *)text, head, &n), FLOWLOG_STATUS_OK);
    CHECK(n == head);
    CHECK_ST(flowlog_format_records(format, r->v, r->len, (uint8_t *)text + head, body, &n), FLOWLOG_STATUS_OK);
    CHECK(n == body);
    *len = head + body;
    return text;
}

static int hexval(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c - 'A' + 10;
}

/* ---- the shared vectors ---- */
static void run_vectors(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    char *line = NULL;
    size_t line_cap = 0;
    int vectors = 0;
    char name[128] = "";
    flowlog_config cfg;
    uint8_t *buf = NULL;
    size_t buf_len = 0;
    flowlog_packet *packets = NULL;
    size_t n_packets = 0;
    flowlog_meter *m = NULL;
    records recs = {0};
    while (getline(&line, &line_cap, f) > 0) {
        if (sscanf(line, "vector %127s", name) == 1) {
            CHECK_ST(flowlog_config_default(&cfg), FLOWLOG_STATUS_OK);
            n_packets = 0;
            buf_len = 0;
        } else if (strncmp(line, "config ", 7) == 0) {
            unsigned long long w;
            unsigned flows, frags, decap, acc, icmp, vlan, tun;
            CHECK(sscanf(line, "config %llu %u %u %u %u %u %u %u", &w, &flows, &frags, &decap, &acc, &icmp,
                         &vlan, &tun) == 8);
            cfg.window_secs = w;
            cfg.max_flows = flows;
            cfg.max_fragments = frags;
            cfg.decap = decap;
            cfg.accounting = acc;
            cfg.icmp_in_ports = icmp;
            cfg.key_vlan = vlan;
            cfg.key_tunnel = tun;
        } else if (strncmp(line, "frame ", 6) == 0) {
            char ts[32], *hex = xmalloc(strlen(line));
            unsigned link, orig, obs;
            CHECK(sscanf(line, "frame %31s %u %u %u %s", ts, &link, &orig, &obs, hex) == 5);
            size_t len = strlen(hex) / 2;
            buf = realloc(buf, buf_len + len);
            packets = realloc(packets, (n_packets + 1) * sizeof *packets);
            if (!buf || !packets) exit(2);
            for (size_t i = 0; i < len; i++) buf[buf_len + i] = (uint8_t)(hexval(hex[2 * i]) * 16 + hexval(hex[2 * i + 1]));
            flowlog_packet p = {0};
            p.offset = buf_len;
            p.len = (uint32_t)len;
            p.orig_len = orig;
            p.link_type = link;
            p.observation_point = obs;
            if (strcmp(ts, "-") == 0) {
                p.ts_kind = FLOWLOG_TS_KIND_MISSING;
            } else {
                p.ts_kind = FLOWLOG_TS_KIND_NS;
                p.ts_ns = strtoull(ts, NULL, 10);
            }
            packets[n_packets++] = p;
            buf_len += len;
            free(hex);
        } else if (strncmp(line, "counter ", 8) == 0 || strncmp(line, "text ", 5) == 0) {
            if (!m) {
                /* First expectation: meter the vector now, with room for 2 records per call. */
                char err[FLOWLOG_ERROR_MAX];
                CHECK_ST(flowlog_meter_new(&cfg, &m, err, sizeof err), FLOWLOG_STATUS_OK);
                flowlog_record out[2];
                recs.len = 0;
                for (size_t start = 0; start < n_packets;) {
                    size_t done = 0, len = 0;
                    CHECK_ST(flowlog_meter_process_batch(m, buf, buf_len, packets + start, n_packets - start, out, 2,
                                                         &done, &len),
                             FLOWLOG_STATUS_OK);
                    records_add(&recs, out, len);
                    if (done == 0 && len == 0) break; /* no progress: a bug, reported by the checks below */
                    start += done;
                }
                for (;;) {
                    size_t len = 0;
                    CHECK_ST(flowlog_meter_flush(m, out, 2, &len), FLOWLOG_STATUS_OK);
                    records_add(&recs, out, len);
                    if (len < 2) break;
                }
                CHECK(flowlog_meter_pending(m) == 0);
            }
            if (line[0] == 'c') {
                char cname[64];
                unsigned long long want;
                uint64_t got = 0;
                flowlog_counters c;
                CHECK(sscanf(line, "counter %63s %llu", cname, &want) == 2);
                CHECK_ST(flowlog_meter_counters(m, &c), FLOWLOG_STATUS_OK);
                CHECK(counter(&c, cname, &got));
                if (got != want) {
                    failed++;
                    fprintf(stderr, "%s: counter %s = %llu, want %llu\n", name, cname, (unsigned long long)got, want);
                }
            } else {
                unsigned format;
                size_t want_len, got_len;
                CHECK(sscanf(line, "text %u %zu", &format, &want_len) == 2);
                char *want = xmalloc(want_len + 1);
                CHECK(fread(want, 1, want_len, f) == want_len);
                CHECK(fgetc(f) == '\n');
                char *got = render(format, &recs, &got_len);
                if (got_len == want_len && memcmp(got, want, want_len) == 0) {
                    passed++;
                } else {
                    failed++;
                    fprintf(stderr, "%s: format %u differs\n--- want\n%.*s--- got\n%.*s", name, format, (int)want_len,
                            want, (int)got_len, got);
                }
                free(want);
                free(got);
            }
        } else if (strncmp(line, "end", 3) == 0) {
            flowlog_meter_free(m);
            m = NULL;
            vectors++;
        }
    }
    CHECK(vectors >= 3);
    free(line);
    free(buf);
    free(packets);
    free(recs.v);
    fclose(f);
}

/* ---- bad input ---- */
static size_t udp_frame(uint8_t *f, uint16_t port) {
    static const uint8_t head[] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45, 0, 0, 36, 0, 0, 0x40, 0,
                                   64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
    memcpy(f, head, sizeof head);
    f[34] = (uint8_t)(port >> 8);
    f[35] = (uint8_t)port;
    const uint8_t rest[] = {0, 53, 0, 16, 0, 0, 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'};
    memcpy(f + 36, rest, sizeof rest);
    return 50;
}

static void bad_input(void) {
    flowlog_config cfg;
    flowlog_meter *m = NULL;
    char err[FLOWLOG_ERROR_MAX];
    size_t done = 0, len = 0, n = 0;
    flowlog_record out[4];
    flowlog_counters c;

    /* NULL everywhere */
    CHECK_ST(flowlog_config_default(NULL), FLOWLOG_STATUS_NULL_ARG);
    CHECK_ST(flowlog_config_default(&cfg), FLOWLOG_STATUS_OK);
    CHECK_ST(flowlog_meter_new(NULL, &m, err, sizeof err), FLOWLOG_STATUS_NULL_ARG);
    CHECK(strstr(err, "'config'") != NULL);
    CHECK_ST(flowlog_meter_new(&cfg, NULL, NULL, 0), FLOWLOG_STATUS_NULL_ARG);
    CHECK_ST(flowlog_meter_process_batch(NULL, NULL, 0, NULL, 0, out, 4, &done, &len), FLOWLOG_STATUS_NULL_ARG);
    CHECK_ST(flowlog_meter_flush(NULL, out, 4, &len), FLOWLOG_STATUS_NULL_ARG);
    CHECK_ST(flowlog_meter_counters(NULL, &c), FLOWLOG_STATUS_NULL_ARG);
    CHECK_ST(flowlog_format_records(FLOWLOG_FORMAT_JSONL, NULL, 1, NULL, 0, &n), FLOWLOG_STATUS_NULL_ARG);
    flowlog_meter_free(NULL);
    flowlog_capture_free(NULL);

    /* bad options: each names its field */
    const char *fields[] = {"window_secs", "max_flows", "max_fragments", "decap", "accounting", "tunnel_ports"};
    for (int i = 0; i < 6; i++) {
        CHECK_ST(flowlog_config_default(&cfg), FLOWLOG_STATUS_OK);
        switch (i) {
        case 0: cfg.window_secs = 0; break;
        case 1: cfg.max_flows = 0xffffffffu; break;
        case 2: cfg.max_fragments = 0; break;
        case 3: cfg.decap = 42; break;
        case 4: cfg.accounting = 42; break;
        case 5: cfg.tunnel_ports.geneve.len = FLOWLOG_MAX_PORTS + 1; break;
        }
        m = (flowlog_meter *)&cfg; /* must stay untouched */
        CHECK_ST(flowlog_meter_new(&cfg, &m, err, sizeof err), FLOWLOG_STATUS_INVALID_CONFIG);
        CHECK(m == (flowlog_meter *)&cfg);
        char want[64];
        snprintf(want, sizeof want, "config field '%s'", fields[i]);
        CHECK(strncmp(err, want, strlen(want)) == 0);
    }

    CHECK_ST(flowlog_config_default(&cfg), FLOWLOG_STATUS_OK);
    cfg.window_secs = 60;
    cfg.max_flows = 4;
    CHECK_ST(flowlog_meter_new(&cfg, &m, err, sizeof err), FLOWLOG_STATUS_OK);

    /* lengths beyond the buffer, bad enum values: INVALID_ARG at the packet's index */
    uint8_t frame[64];
    size_t flen = udp_frame(frame, 1000);
    flowlog_packet p[3] = {{0}};
    for (int i = 0; i < 3; i++) {
        p[i].len = (uint32_t)flen;
        p[i].orig_len = (uint32_t)flen;
        p[i].link_type = 1;
        p[i].ts_ns = 1700000040000000000ull + (uint64_t)i;
    }
    p[1].len = (uint32_t)flen + 1;
    CHECK_ST(flowlog_meter_process_batch(m, frame, flen, p, 3, out, 4, &done, &len), FLOWLOG_STATUS_INVALID_ARG);
    CHECK(done == 1 && len == 0);
    CHECK_ST(flowlog_meter_last_error(m, err, sizeof err, &n), FLOWLOG_STATUS_OK);
    CHECK(strstr(err, "element 1") != NULL && strlen(err) == n);
    p[1].len = (uint32_t)flen;
    p[1].offset = SIZE_MAX;
    CHECK_ST(flowlog_meter_process_batch(m, frame, flen, p + 1, 1, out, 4, &done, &len), FLOWLOG_STATUS_INVALID_ARG);
    p[1].offset = 0;
    p[1].direction = 7;
    CHECK_ST(flowlog_meter_process(m, frame, flen, &p[1], NULL), FLOWLOG_STATUS_INVALID_ARG);
    p[1].direction = FLOWLOG_DIRECTION_IN;
    p[1].ts_kind = 9;
    CHECK_ST(flowlog_meter_process(m, frame, flen, &p[1], NULL), FLOWLOG_STATUS_INVALID_ARG);
    p[1].ts_kind = FLOWLOG_TS_KIND_OUT_OF_RANGE;
    flowlog_skip skip = FLOWLOG_SKIP_NON_IP;
    CHECK_ST(flowlog_meter_process(m, frame, flen, &p[1], &skip), FLOWLOG_STATUS_OK);
    CHECK(skip == FLOWLOG_SKIP_NONE);
    CHECK_ST(flowlog_meter_process(m, NULL, 10, &p[0], NULL), FLOWLOG_STATUS_NULL_ARG);

    /* garbage bytes and huge timestamps: counted, never an error */
    uint8_t junk[512];
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < sizeof junk; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        junk[i] = (uint8_t)x;
    }
    for (uint32_t link = 0; link < 300; link += 7) {
        flowlog_packet g = {0};
        g.offset = link % 100;
        g.len = (uint32_t)(link * 13 % 400);
        g.orig_len = 0xffffffffu;
        g.link_type = link;
        g.ts_ns = UINT64_MAX - link;
        CHECK_ST(flowlog_meter_process_batch(m, junk, sizeof junk, &g, 1, out, 4, &done, &len), FLOWLOG_STATUS_OK);
        CHECK(done == 1);
    }
    CHECK_ST(flowlog_meter_counters(m, &c), FLOWLOG_STATUS_OK);
    CHECK(c.packets_in == c.metered + c.unsupported_link + c.truncated_l2 + c.non_ip + c.bad_ip_header);
    CHECK(c.bad_timestamp == 1);

    /* buffer too small: the two-call pattern */
    p[0].ts_ns = UINT64_MAX; /* the garbage's window: one flow for the flush below */
    CHECK_ST(flowlog_meter_process_batch(m, frame, flen, p, 1, out, 4, &done, &len), FLOWLOG_STATUS_OK);
    CHECK_ST(flowlog_meter_flush(m, out, 4, &len), FLOWLOG_STATUS_OK);
    CHECK(len >= 1);
    flowlog_record rest[4];
    for (size_t more = len; more == 4;) {
        CHECK_ST(flowlog_meter_flush(m, rest, 4, &more), FLOWLOG_STATUS_OK);
    }
    size_t need = 0, need_one = 0;
    CHECK_ST(flowlog_format_records(FLOWLOG_FORMAT_AWS, out, 1, NULL, 0, &need_one), FLOWLOG_STATUS_BUFFER_TOO_SMALL);
    CHECK(need_one > 0 && need_one <= FLOWLOG_MAX_RECORD_LEN);
    uint8_t small[8];
    CHECK_ST(flowlog_format_records(FLOWLOG_FORMAT_AWS, out, 1, small, sizeof small, &need), FLOWLOG_STATUS_BUFFER_TOO_SMALL);
    CHECK(need == need_one);
    uint8_t *text = xmalloc(need);
    CHECK_ST(flowlog_format_records(FLOWLOG_FORMAT_AWS, out, 1, text, need, &n), FLOWLOG_STATUS_OK);
    CHECK(n == need && text[n - 1] == '\n');
    free(text);
    CHECK_ST(flowlog_format_header(7, small, sizeof small, &n), FLOWLOG_STATUS_INVALID_ARG);
    flowlog_record bad = out[0];
    bad.ip_version = 5;
    CHECK_ST(flowlog_format_records(FLOWLOG_FORMAT_CSV, &bad, 1, small, sizeof small, &n), FLOWLOG_STATUS_INVALID_ARG);

    /* status names */
    CHECK(strcmp(flowlog_status_str(FLOWLOG_STATUS_INVALID_CONFIG), "invalid_config") == 0);
    CHECK(strcmp(flowlog_status_str(12345), "unknown") == 0);
    CHECK(strcmp(flowlog_version(), FLOWLOG_VERSION) == 0);

    /* capture: missing file, not a capture */
    flowlog_capture *cap = NULL;
    CHECK_ST(flowlog_capture_open("/nonexistent/x.pcap", &cap, err, sizeof err), FLOWLOG_STATUS_IO);
    CHECK(cap == NULL && strlen(err) > 0);
    CHECK_ST(flowlog_capture_open(NULL, &cap, err, sizeof err), FLOWLOG_STATUS_NULL_ARG);

    flowlog_meter_free(m);
}

/* ---- custom AWS field lists ---- */

/* Header then records with `fields`, each through the two-call pattern into a buffer of exactly
 * the size asked for (so ASan and valgrind see any write past it). Returns a NUL-terminated copy. */
static char *render_aws_fields(const char *fields, const flowlog_record *recs, size_t n_recs) {
    size_t head = 0, body = 0, n = 0;
    char err[FLOWLOG_ERROR_MAX];
    CHECK_ST(flowlog_format_header_aws_fields(fields, NULL, 0, &head, err, sizeof err),
             FLOWLOG_STATUS_BUFFER_TOO_SMALL);
    CHECK_ST(flowlog_format_records_aws_fields(fields, recs, n_recs, NULL, 0, &body, err, sizeof err),
             FLOWLOG_STATUS_BUFFER_TOO_SMALL);
    uint8_t *h = xmalloc(head), *b = xmalloc(body);
    CHECK_ST(flowlog_format_header_aws_fields(fields, h, head, &n, err, sizeof err), FLOWLOG_STATUS_OK);
    CHECK(n == head);
    CHECK_ST(flowlog_format_records_aws_fields(fields, recs, n_recs, b, body, &n, err, sizeof err), FLOWLOG_STATUS_OK);
    CHECK(n == body);
    char *text = xmalloc(head + body + 1);
    memcpy(text, h, head);
    memcpy(text + head, b, body);
    text[head + body] = '\0';
    free(h);
    free(b);
    return text;
}

static void aws_fields(void) {
    /* 10.0.0.1:40000 -> 192.168.1.20:443 TCP, egress, flags FIN|SYN|PSH|ACK|ECE with a SYN-ACK
     * packet: AWS reports FIN 1 + SYN 2 + PSH 8 + ACK 16 = 27; then the same as UDP, ingress:
     * tcp-flags "-". flow-direction is a version 5 field, so version is 5 (flowlog-core
     * format/aws.rs). */
    flowlog_record r[2];
    memset(r, 0, sizeof r);
    const uint8_t src[4] = {10, 0, 0, 1}, dst[4] = {192, 168, 1, 20};
    memcpy(r[0].src_addr, src, 4);
    memcpy(r[0].dst_addr, dst, 4);
    r[0].ip_version = 4;
    r[0].protocol = 6;
    r[0].src_port = 40000;
    r[0].dst_port = 443;
    r[0].packets = 7;
    r[0].bytes = 1234;
    r[0].start_ns = 1700000000999999999ULL;
    r[0].end_ns = 1700000059000000001ULL;
    r[0].window_start = 1700000000;
    r[0].window_secs = 60;
    r[0].tcp_flags = 0x5b;
    r[0].tcp_syn_ack = true;
    r[0].direction = FLOWLOG_DIRECTION_OUT;
    r[0].action = FLOWLOG_ACTION_ACCEPT;
    r[0].log_status = FLOWLOG_LOG_STATUS_OK;
    r[1] = r[0];
    r[1].protocol = 17;
    r[1].tcp_flags = 0;
    r[1].tcp_syn_ack = false;
    r[1].direction = FLOWLOG_DIRECTION_IN;
    r[1].action = FLOWLOG_ACTION_REJECT;

    char *text = render_aws_fields("${version} ${srcaddr} ${dstaddr} ${tcp-flags} ${flow-direction}", r, 2);
    CHECK(strcmp(text,
                 "version srcaddr dstaddr tcp-flags flow-direction\n"
                 "5 10.0.0.1 192.168.1.20 27 egress\n"
                 "5 10.0.0.1 192.168.1.20 - ingress\n") == 0);
    free(text);
    text = render_aws_fields("${start} ${end} ${action} ${version}", r, 2);
    CHECK(strcmp(text,
                 "start end action version\n"
                 "1700000000 1700000059 ACCEPT 2\n"
                 "1700000000 1700000059 REJECT 2\n") == 0);
    free(text);

    /* a bad list: INVALID_CONFIG, the core's message naming the token; *written untouched */
    char err[FLOWLOG_ERROR_MAX];
    uint8_t buf[256];
    size_t n = 777;
    CHECK_ST(flowlog_format_records_aws_fields("${srcaddr} ${bogus-field}", r, 2, buf, sizeof buf, &n, err, sizeof err),
             FLOWLOG_STATUS_INVALID_CONFIG);
    CHECK(n == 777);
    CHECK(strncmp(err, "config field 'fields': ", 23) == 0);
    const char *tail = ": ${bogus-field}";
    CHECK(strlen(err) > strlen(tail) && strcmp(err + strlen(err) - strlen(tail), tail) == 0);
    CHECK_ST(flowlog_format_header_aws_fields("${srcaddr} ${srcaddr}", buf, sizeof buf, &n, err, sizeof err),
             FLOWLOG_STATUS_INVALID_CONFIG);
    CHECK(strstr(err, "listed twice: ${srcaddr}") != NULL);
    CHECK_ST(flowlog_format_header_aws_fields("", buf, sizeof buf, &n, NULL, 0), FLOWLOG_STATUS_INVALID_CONFIG);
    char tiny[4];
    CHECK_ST(flowlog_format_header_aws_fields("${x}", buf, sizeof buf, &n, tiny, sizeof tiny),
             FLOWLOG_STATUS_INVALID_CONFIG);
    CHECK(strcmp(tiny, "con") == 0);

    /* NULL arguments and bad records */
    CHECK_ST(flowlog_format_header_aws_fields(NULL, buf, sizeof buf, &n, err, sizeof err), FLOWLOG_STATUS_NULL_ARG);
    CHECK(strstr(err, "'fields'") != NULL);
    CHECK_ST(flowlog_format_header_aws_fields("${srcaddr}", buf, sizeof buf, NULL, NULL, 0), FLOWLOG_STATUS_NULL_ARG);
    CHECK_ST(flowlog_format_header_aws_fields("${srcaddr}", NULL, 8, &n, NULL, 0), FLOWLOG_STATUS_NULL_ARG);
    CHECK_ST(flowlog_format_records_aws_fields(NULL, r, 1, buf, sizeof buf, &n, NULL, 0), FLOWLOG_STATUS_NULL_ARG);
    CHECK_ST(flowlog_format_records_aws_fields("${srcaddr}", NULL, 1, buf, sizeof buf, &n, err, sizeof err),
             FLOWLOG_STATUS_NULL_ARG);
    CHECK(strstr(err, "'recs'") != NULL);
    CHECK_ST(flowlog_format_records_aws_fields("${srcaddr}", r, 1, NULL, 8, &n, NULL, 0), FLOWLOG_STATUS_NULL_ARG);
    CHECK_ST(flowlog_format_records_aws_fields("${srcaddr}", r, 1, buf, sizeof buf, NULL, NULL, 0),
             FLOWLOG_STATUS_NULL_ARG);
    flowlog_record bad = r[0];
    bad.direction = 9;
    CHECK_ST(flowlog_format_records_aws_fields("${srcaddr}", &bad, 1, buf, sizeof buf, &n, err, sizeof err),
             FLOWLOG_STATUS_INVALID_ARG);
    CHECK_ST(flowlog_format_records_aws_fields("${srcaddr} \xff", r, 1, buf, sizeof buf, &n, err, sizeof err),
             FLOWLOG_STATUS_INVALID_ARG);
}

/* ---- read_pcap: the records of a capture file ---- */

/* A pcap file (LE, µs, Ethernet) of `n` IPv4/UDP packets 10.0.0.1:1111 -> 10.0.0.2:53, packet i at
 * second i; `cut` bytes are dropped from its end. */
static void write_pcap(const char *path, int n, size_t cut) {
    uint8_t frame[42] = {0};
    frame[12] = 0x08; /* Ethernet, IPv4 */
    uint8_t ip[28] = {0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
                      0x04, 0x57, 0, 53, 0, 8, 0, 0};
    memcpy(frame + 14, ip, sizeof ip);
    size_t len = 24 + (size_t)n * (16 + sizeof frame);
    uint8_t *file = xmalloc(len), *at = file;
    uint32_t head[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
    memcpy(at, head, sizeof head);
    at += sizeof head;
    for (int i = 0; i < n; i++) {
        uint32_t rec[4] = {1700000000u + (uint32_t)i, 0, sizeof frame, sizeof frame};
        memcpy(at, rec, sizeof rec);
        memcpy(at + sizeof rec, frame, sizeof frame);
        at += sizeof rec + sizeof frame;
    }
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL && fwrite(file, 1, len - cut, f) == len - cut);
    if (f) fclose(f);
    free(file);
}

/* Take records from `r` 7 at a time until the end or an error; how many, and the last status. */
static size_t drain_pcap_records(flowlog_pcap_records *r, flowlog_status *end) {
    flowlog_record out[7];
    size_t total = 0, n = 0;
    while ((*end = flowlog_pcap_records_next(r, out, 7, &n)) == FLOWLOG_STATUS_OK && n > 0) {
        total += n;
    }
    return total;
}

static void read_pcap(void) {
    char path[] = "/tmp/flowlog-c-read-pcap-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    close(fd);
    char err[FLOWLOG_ERROR_MAX];
    flowlog_config cfg;
    CHECK_ST(flowlog_config_default(&cfg), FLOWLOG_STATUS_OK);
    cfg.window_secs = 1; /* every packet closes the window before it: one record per packet */
    flowlog_status end;
    flowlog_pcap_records *r = NULL;

    /* A whole file: every record, then the end (again on every later call). */
    write_pcap(path, 3000, 0);
    CHECK_ST(flowlog_read_pcap(path, &cfg, &r, err, sizeof err), FLOWLOG_STATUS_OK);
    CHECK(drain_pcap_records(r, &end) == 3000 && end == FLOWLOG_STATUS_OK);
    flowlog_record one;
    size_t n = 1;
    CHECK_ST(flowlog_pcap_records_next(r, &one, 1, &n), FLOWLOG_STATUS_OK);
    CHECK(n == 0);
    flowlog_counters c;
    CHECK_ST(flowlog_pcap_records_counters(r, &c), FLOWLOG_STATUS_OK);
    CHECK(c.packets_in == 3000 && c.records == 3000);
    CHECK_ST(flowlog_pcap_records_next(r, &one, 0, &n), FLOWLOG_STATUS_INVALID_ARG);
    flowlog_pcap_records_free(r);

    /* Cut inside the last packet: the records of every packet before it, then the error. */
    write_pcap(path, 3000, 5);
    CHECK_ST(flowlog_read_pcap(path, &cfg, &r, err, sizeof err), FLOWLOG_STATUS_OK);
    CHECK(drain_pcap_records(r, &end) == 2999 && end == FLOWLOG_STATUS_CAPTURE_TRUNCATED);
    CHECK_ST(flowlog_pcap_records_last_error(r, err, sizeof err, NULL), FLOWLOG_STATUS_OK);
    CHECK(strstr(err, "at byte") != NULL);
    CHECK_ST(flowlog_pcap_records_next(r, &one, 1, &n), FLOWLOG_STATUS_CAPTURE_TRUNCATED);
    flowlog_pcap_records_free(r);

    /* Truncated in place while it is read (log rotation by copytruncate): the file is read, not
     * mapped, so the reader ends with an error or at what it had read, never with SIGBUS. */
    write_pcap(path, 20000, 0);
    CHECK_ST(flowlog_read_pcap(path, &cfg, &r, err, sizeof err), FLOWLOG_STATUS_OK);
    flowlog_record first[10];
    CHECK_ST(flowlog_pcap_records_next(r, first, 10, &n), FLOWLOG_STATUS_OK);
    CHECK(n == 10);
    CHECK(truncate(path, 10) == 0);
    size_t rest = drain_pcap_records(r, &end);
    CHECK(end == FLOWLOG_STATUS_OK || end == FLOWLOG_STATUS_CAPTURE_TRUNCATED);
    CHECK(10 + rest < 20000);
    flowlog_pcap_records_free(r);
    flowlog_pcap_records_free(NULL);

    /* Bad arguments and files. */
    CHECK_ST(flowlog_read_pcap("/nonexistent/x.pcap", &cfg, &r, err, sizeof err), FLOWLOG_STATUS_IO);
    CHECK_ST(flowlog_read_pcap(NULL, &cfg, &r, err, sizeof err), FLOWLOG_STATUS_NULL_ARG);
    CHECK_ST(flowlog_read_pcap(path, NULL, &r, err, sizeof err), FLOWLOG_STATUS_NULL_ARG);
    cfg.window_secs = 0;
    CHECK_ST(flowlog_read_pcap(path, &cfg, &r, err, sizeof err), FLOWLOG_STATUS_INVALID_CONFIG);
    unlink(path);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s VECTORS.txt\n", argv[0]);
        return 2;
    }
    run_vectors(argv[1]);
    bad_input();
    aws_fields();
    read_pcap();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
