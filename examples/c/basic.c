/*
 * Minimal flowlog C example: read a pcap/pcapng file, meter it, print JSON-lines records.
 *
 *     cc -Iflowlog-ffi/include examples/c/basic.c target/release/libflowlog.a -lpthread -ldl -lm -o basic
 *     ./basic capture.pcap [WINDOW_SECS]
 */
#include <stdio.h>
#include <stdlib.h>

#include "flowlog.h"

#define OUT_CAP 256

static flowlog_record out[OUT_CAP];
static uint8_t text[OUT_CAP * FLOWLOG_MAX_RECORD_LEN];

/* Print records as JSON lines; a buffer of FLOWLOG_MAX_RECORD_LEN bytes per record always fits. */
static int print(const flowlog_record *recs, size_t n) {
    size_t len = 0;
    flowlog_status st = flowlog_format_records(FLOWLOG_FORMAT_JSONL, recs, n, text, sizeof text, &len);
    if (st != FLOWLOG_STATUS_OK) return st;
    fwrite(text, 1, len, stdout);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s CAPTURE [WINDOW_SECS]\n", argv[0]);
        return 2;
    }
    char err[FLOWLOG_ERROR_MAX];
    flowlog_config cfg;
    flowlog_config_default(&cfg);
    if (argc > 2) cfg.window_secs = strtoull(argv[2], NULL, 10);

    flowlog_meter *meter = NULL;
    flowlog_status st = flowlog_meter_new(&cfg, &meter, err, sizeof err);
    if (st != FLOWLOG_STATUS_OK) {
        fprintf(stderr, "flowlog_meter_new: %s: %s\n", flowlog_status_str(st), err);
        return 1;
    }
    flowlog_capture *cap = NULL;
    st = flowlog_capture_open(argv[1], &cap, err, sizeof err);
    if (st != FLOWLOG_STATUS_OK) {
        fprintf(stderr, "%s: %s: %s\n", argv[1], flowlog_status_str(st), err);
        flowlog_meter_free(meter);
        return 1;
    }

    int rc = 0;
    flowlog_frame frame;
    bool has_frame = false;
    while ((st = flowlog_capture_next(cap, &frame, &has_frame)) == FLOWLOG_STATUS_OK && has_frame) {
        /* One packet per call here; a collector would pass many frames of one buffer at once. */
        flowlog_packet p = {0};
        p.len = (uint32_t)frame.len;
        p.orig_len = frame.orig_len;
        p.ts_ns = frame.ts_ns;
        p.ts_kind = (uint8_t)frame.ts_kind;
        p.link_type = frame.link_type;
        p.observation_point = frame.interface;
        size_t done = 0;
        while (done == 0) { /* done stays 0 only while earlier records wait: print them first */
            size_t n = 0;
            st = flowlog_meter_process_batch(meter, frame.data, frame.len, &p, 1, out, OUT_CAP, &done, &n);
            if (st != FLOWLOG_STATUS_OK || print(out, n) != 0) goto fail_meter;
        }
    }
    if (st != FLOWLOG_STATUS_OK) {
        flowlog_capture_last_error(cap, err, sizeof err, NULL);
        fprintf(stderr, "%s: %s: %s\n", argv[1], flowlog_status_str(st), err);
        rc = 1; /* still print what was metered */
    }
    for (;;) {
        size_t n = 0;
        st = flowlog_meter_flush(meter, out, OUT_CAP, &n);
        if (st != FLOWLOG_STATUS_OK || print(out, n) != 0) goto fail_meter;
        if (n < OUT_CAP) break;
    }
    flowlog_counters c;
    flowlog_meter_counters(meter, &c);
    fprintf(stderr, "%llu packets, %llu metered, %llu records\n", (unsigned long long)c.packets_in,
            (unsigned long long)c.metered, (unsigned long long)c.records);
    goto done;

fail_meter:
    flowlog_meter_last_error(meter, err, sizeof err, NULL);
    fprintf(stderr, "flowlog: %s: %s\n", flowlog_status_str(st), err);
    rc = 1;
done:
    flowlog_capture_free(cap);
    flowlog_meter_free(meter);
    return rc;
}
