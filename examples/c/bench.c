/*
 * Throughput of the C ABI's batch call: N pre-built 64-byte Ethernet/IPv4/TCP frames over 65536
 * flows, all in one buffer, metered by flowlog_meter_process_batch (records into an array of
 * 4096), then flushed. The same traffic as flowlog-ffi/examples/bench_core.rs (the core alone).
 *
 *     bench [PACKETS] [RUNS]    prints "c_abi_mpps <best Mpps>"
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flowlog.h"

#define FRAME 64
#define OUT_CAP 4096

static void frame(uint8_t *f, uint32_t i) {
    uint32_t flow = (i * 40503u) & 0xffffu; /* a permutation of each block of 65536 */
    static const uint8_t head[34] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45, 0, 0, 50, 0, 0, 0x40, 0,
                                     64, 6, 0, 0, 10, 0, 0, 0, 192, 168, 0, 1};
    memcpy(f, head, sizeof head);
    f[28] = (uint8_t)(flow >> 8);
    f[29] = (uint8_t)flow;
    uint16_t sport = (uint16_t)(10000 + (flow & 0x3ff));
    uint8_t tcp[20] = {(uint8_t)(sport >> 8), (uint8_t)sport, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x10, 0xff, 0xff};
    memcpy(f + 34, tcp, sizeof tcp);
    memset(f + 54, 'x', FRAME - 54);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: descheduled time does not count */
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    uint8_t *buf = malloc(n * FRAME);
    flowlog_packet *pkts = calloc(n, sizeof *pkts);
    static flowlog_record out[OUT_CAP];
    if (!buf || !pkts) return 2;
    for (size_t i = 0; i < n; i++) {
        frame(buf + i * FRAME, (uint32_t)i);
        pkts[i].offset = i * FRAME;
        pkts[i].len = FRAME;
        pkts[i].orig_len = FRAME;
        pkts[i].link_type = 1;
        pkts[i].ts_ns = 1700000400000000000ull + i * 100; /* one 600 s window */
    }
    double best = 0;
    uint64_t records = 0;
    for (int r = 0; r < runs; r++) {
        flowlog_config cfg;
        flowlog_config_default(&cfg);
        cfg.use_hash_seed = true;
        cfg.hash_seed = 1;
        flowlog_meter *m = NULL;
        if (flowlog_meter_new(&cfg, &m, NULL, 0) != FLOWLOG_STATUS_OK) return 1;
        records = 0;
        double t = now();
        for (size_t start = 0; start < n;) {
            size_t done = 0, len = 0;
            if (flowlog_meter_process_batch(m, buf, n * FRAME, pkts + start, n - start, out, OUT_CAP, &done, &len))
                return 1;
            records += len;
            start += done;
        }
        for (size_t len = OUT_CAP; len == OUT_CAP;) {
            if (flowlog_meter_flush(m, out, OUT_CAP, &len)) return 1;
            records += len;
        }
        double mpps = (double)n / (now() - t) / 1e6;
        if (mpps > best) best = mpps;
        flowlog_meter_free(m);
    }
    fprintf(stderr, "c: %zu packets, %llu records\n", n, (unsigned long long)records);
    printf("c_abi_mpps %.3f\n", best);
    free(buf);
    free(pkts);
    return 0;
}
