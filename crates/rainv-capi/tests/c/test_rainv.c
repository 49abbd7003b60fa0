/* The C ABI from C: run by .ci/capi, linked against librainv, under valgrind.
 *
 *   test_rainv INTEROP_DIR NOW FILE...
 *
 * Checks the Windows-made files in INTEROP_DIR (right and wrong passwords, the PassStub
 * proof), the arguments rainv refuses, and one policy shared by four threads; then prints, for
 * each FILE, the JSON lines rainv_check (rainv_scan_mail for .eml) gives at NOW, which .ci/capi
 * compares with `rainv check --json` / `scan-mail --json`. Exits 1 on the first failure. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rainv.h"

static int failures = 0;

#define EXPECT(condition, ...)                                                                 \
    do {                                                                                       \
        if (!(condition)) {                                                                    \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                               \
            fprintf(stderr, __VA_ARGS__);                                                      \
            fprintf(stderr, "\n");                                                             \
            failures++;                                                                        \
        }                                                                                      \
    } while (0)

/* The whole file in a buffer the caller frees; NULL when it cannot be read. */
static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    size_t cap = 4096, used = 0;
    unsigned char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + used, 1, cap - used, f)) > 0) {
        used += n;
        if (used == cap) {
            unsigned char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    *len = used;
    return buf;
}

/* A password file's first line, without its line ending. */
static char *read_password(const char *path) {
    size_t len;
    char *text = (char *)read_file(path, &len);
    if (!text) {
        return NULL;
    }
    text[len < 4095 ? len : 4095] = '\0';
    text[strcspn(text, "\r\n")] = '\0';
    return text;
}

/* The string value of "key" in a JSON line (no escapes in the values looked up here). */
static char *json_string(const char *json, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *start = strstr(json, pattern);
    if (!start) {
        return NULL;
    }
    start += strlen(pattern);
    const char *end = strchr(start, '"');
    char *value = malloc((size_t)(end - start) + 1);
    memcpy(value, start, (size_t)(end - start));
    value[end - start] = '\0';
    return value;
}

static void windows_file(const char *dir, const char *name, int has_lhticket) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.msrcincident", dir, name);
    size_t len;
    unsigned char *data = read_file(path, &len);
    snprintf(path, sizeof path, "%s/%s.password", dir, name);
    char *password = read_password(path);
    if (!data || !password) {
        EXPECT(0, "%s: cannot read the file or its password", name);
        free(data);
        free(password);
        return;
    }

    char *json = NULL, *error = NULL;
    int status = rainv_open(data, len, name, password, NULL, NULL, &json, &error);
    EXPECT(status == RAINV_OK, "%s: open with its password gave %d (%s)", name, status,
           error ? error : "");
    EXPECT(json && strstr(json, "\"version\":1,"), "%s: no JSON line", name);
    if (has_lhticket) {
        EXPECT(json && strstr(json, "\"decrypted\":true"), "%s: not decrypted: %s", name, json);
    }
    char *stub = json ? json_string(json, "pass_stub") : NULL;
    rainv_free(json);
    rainv_free(error);

    status = rainv_open(data, len, name, "not the password", NULL, NULL, &json, &error);
    EXPECT(status == (has_lhticket ? RAINV_REJECTED : RAINV_OK), "%s: wrong password gave %d",
           name, status);
    if (has_lhticket) {
        EXPECT(json && strstr(json, "\"decrypted\":false"), "%s: wrong password: %s", name,
               json);
    }
    rainv_free(json);
    rainv_free(error);

    /* The expert's proof: made with the password, checked with it and without. */
    EXPECT(stub != NULL, "%s: no PassStub", name);
    if (stub) {
        char *pass = NULL;
        status = rainv_pass_stub_encrypt(password, stub, &pass, NULL);
        EXPECT(status == RAINV_OK && pass && strlen(pass) == 64, "%s: PASS value", name);
        EXPECT(rainv_pass_stub_verify(password, stub, pass, NULL) == RAINV_OK,
               "%s: proof not verified", name);
        EXPECT(rainv_pass_stub_verify("not the password", stub, pass, NULL) == RAINV_REJECTED,
               "%s: a wrong proof verified", name);
        rainv_free(pass);
        free(stub);
    }
    free(data);
    free(password);
}

static void wrong_arguments(void) {
    char *json = (char *)"untouched", *error = NULL;
    int status = rainv_check(NULL, 5, NULL, NULL, NULL, NULL, &json, &error);
    EXPECT(status == RAINV_ERROR && json == NULL && error && strstr(error, "data is NULL"),
           "NULL data: %d %s", status, error ? error : "(no error)");
    rainv_free(error);

    status = rainv_open((const uint8_t *)"", 0, NULL, NULL, NULL, "not a date", &json, &error);
    EXPECT(status == RAINV_ERROR && error && strstr(error, "now \"not a date\""),
           "bad now: %d", status);
    rainv_free(json);
    rainv_free(error);

    rainv_policy *policy = NULL;
    status = rainv_policy_new("max_size_bytes = \"big\"", &policy, &error);
    EXPECT(status == RAINV_ERROR && policy == NULL && error && strstr(error, "policy: "),
           "bad policy: %d", status);
    rainv_free(error);

    EXPECT(rainv_pass_stub_verify(NULL, "x", "00", NULL) == RAINV_ERROR, "NULL password");
    EXPECT(rainv_pass_stub_verify("p", "x", "zz", &error) == RAINV_ERROR, "pass not hex");
    rainv_free(error);
    /* Outputs not wanted may be NULL; NULL is freed as nothing. */
    EXPECT(rainv_check((const uint8_t *)"x", 1, NULL, NULL, NULL, NULL, NULL, NULL) ==
               RAINV_REJECTED,
           "no outputs");
    rainv_free(NULL);
    rainv_policy_free(NULL);
    EXPECT(strlen(rainv_version()) > 0, "version");
}

struct work {
    const rainv_policy *policy;
    const unsigned char *data;
    size_t len;
    const char *expected;
    int mismatches;
};

static void *check_many_times(void *arg) {
    struct work *work = arg;
    for (int i = 0; i < 25; i++) {
        char *json = NULL;
        rainv_check(work->data, work->len, "shared.msrcincident", NULL, work->policy,
                    "2026-11-22T10:00:00Z", &json, NULL);
        if (!json || strcmp(json, work->expected) != 0) {
            work->mismatches++;
        }
        rainv_free(json);
    }
    return NULL;
}

/* Four threads judge a file with one policy at once, and each gets what one thread gets. */
static void one_policy_many_threads(const char *path) {
    size_t len;
    unsigned char *data = read_file(path, &len);
    rainv_policy *policy = NULL;
    int status = rainv_policy_new("allow_expired = true\nmax_validity_minutes = 0\n", &policy,
                                  NULL);
    EXPECT(data && status == RAINV_OK, "threads: setup");
    if (!data || status != RAINV_OK) {
        free(data);
        return;
    }
    char *expected = NULL;
    rainv_check(data, len, "shared.msrcincident", NULL, policy, "2026-11-22T10:00:00Z",
                &expected, NULL);
    pthread_t threads[4];
    struct work work[4];
    for (int i = 0; i < 4; i++) {
        work[i] = (struct work){policy, data, len, expected, 0};
        pthread_create(&threads[i], NULL, check_many_times, &work[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        EXPECT(work[i].mismatches == 0, "thread %d: %d results differ", i, work[i].mismatches);
    }
    EXPECT(expected && strstr(expected, "\"verdict\":"), "threads: %s", expected);
    rainv_free(expected);
    rainv_policy_free(policy);
    free(data);
}

static int ends_with(const char *text, const char *suffix) {
    size_t n = strlen(text), m = strlen(suffix);
    return n >= m && strcmp(text + n - m, suffix) == 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: test_rainv INTEROP_DIR NOW FILE...\n");
        return 2;
    }
    windows_file(argv[1], "windows-xp", 0);
    windows_file(argv[1], "windows7", 1);
    windows_file(argv[1], "windows10", 1);
    wrong_arguments();
    if (argc > 3) {
        one_policy_many_threads(argv[3]);
    }
    for (int i = 3; i < argc; i++) {
        size_t len;
        unsigned char *data = read_file(argv[i], &len);
        if (!data) {
            EXPECT(0, "%s: cannot read", argv[i]);
            continue;
        }
        char *json = NULL, *error = NULL;
        int mail = ends_with(argv[i], ".eml");
        int status = mail ? rainv_scan_mail(data, len, argv[i], NULL, NULL, argv[2], &json, &error)
                          : rainv_check(data, len, argv[i], NULL, NULL, argv[2], &json, &error);
        EXPECT(status >= RAINV_OK && status <= RAINV_ERROR && json && !error, "%s: status %d",
               argv[i], status);
        EXPECT(!json || (status == RAINV_REJECTED) == (strstr(json, "\"verdict\":\"reject\"") != NULL),
               "%s: status %d disagrees with %s", argv[i], status, json);
        if (json) {
            fputs(json, stdout);
        }
        rainv_free(json);
        rainv_free(error);
        free(data);
    }
    if (failures) {
        fprintf(stderr, "%d failures\n", failures);
        return 1;
    }
    return 0;
}
