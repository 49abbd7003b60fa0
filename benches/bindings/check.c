/* The C side of benches/bindings.sh: rainv_check on one file, the best of ROUNDS rounds of
 * CALLS calls, each result freed.
 *
 *   check ROUNDS CALLS FILE  ->  check ns_per_call X */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rainv.h"

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: check ROUNDS CALLS FILE\n");
        return 2;
    }
    int rounds = atoi(argv[1]), calls = atoi(argv[2]);
    FILE *f = fopen(argv[3], "rb");
    if (!f) {
        perror(argv[3]);
        return 2;
    }
    static unsigned char data[1 << 20];
    size_t len = fread(data, 1, sizeof data, f);
    fclose(f);
    rainv_policy *policy = NULL;
    rainv_policy_new(NULL, &policy, NULL);
    double best = 1e18;
    for (int r = 0; r < rounds; r++) {
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (int i = 0; i < calls; i++) {
            char *json = NULL;
            rainv_check(data, len, argv[3], NULL, policy, "1764496800", &json, NULL);
            rainv_free(json);
        }
        clock_gettime(CLOCK_MONOTONIC, &end);
        double ns = ((end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec)) / calls;
        if (ns < best) {
            best = ns;
        }
    }
    rainv_policy_free(policy);
    printf("check ns_per_call %.0f\n", best);
    return 0;
}
