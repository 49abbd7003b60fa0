/* A gateway's check of saved attachments: every regular file in DIRECTORY judged by rainv
 * (invitations, and invitations inside archives), one line per file, exit status 1 when any
 * is rejected (2 when one could not be checked).
 *
 *   cc -I crates/rainv-capi/include validate_dir.c -L target/release -lrainv -o validate_dir
 *   ./validate_dir [--policy POLICY.toml] [--now TIME] [--json] DIRECTORY
 *
 * With --json it prints rainv's JSON lines (docs/rainv.schema.json) instead, for a log. --now
 * judges validity at another time than the system clock's (RFC 3339 or seconds since 1970),
 * to check again mail received earlier. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rainv.h"

static unsigned char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    unsigned char *buf = NULL;
    size_t cap = 0, used = 0, n;
    do {
        if (used == cap) {
            cap = cap ? cap * 2 : 65536;
            unsigned char *bigger = realloc(buf, cap);
            if (!bigger) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = bigger;
        }
        n = fread(buf + used, 1, cap - used, f);
        used += n;
    } while (n > 0);
    fclose(f);
    *len = used;
    return buf;
}

int main(int argc, char **argv) {
    const char *policy_path = NULL, *dir_path = NULL, *now = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--policy") == 0 && i + 1 < argc) {
            policy_path = argv[++i];
        } else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc) {
            now = argv[++i];
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else {
            dir_path = argv[i];
        }
    }
    if (!dir_path) {
        fprintf(stderr, "usage: validate_dir [--policy POLICY.toml] [--now TIME] [--json] DIRECTORY\n");
        return 2;
    }

    /* One policy for every file (and every thread, were there several). */
    rainv_policy *policy = NULL;
    char *error = NULL;
    char *toml = NULL;
    if (policy_path) {
        size_t len;
        toml = (char *)read_all(policy_path, &len);
        if (!toml) {
            fprintf(stderr, "error: cannot read %s\n", policy_path);
            return 2;
        }
        toml = realloc(toml, len + 1);
        toml[len] = '\0';
    }
    if (rainv_policy_new(toml, &policy, &error) != RAINV_OK) {
        fprintf(stderr, "error: %s: %s\n", policy_path, error);
        rainv_free(error);
        free(toml);
        return 2;
    }
    free(toml);

    DIR *dir = opendir(dir_path);
    if (!dir) {
        perror(dir_path);
        rainv_policy_free(policy);
        return 2;
    }
    int worst = RAINV_OK;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir_path, entry->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        size_t len;
        unsigned char *data = read_all(path, &len);
        if (!data) {
            fprintf(stderr, "error: cannot read %s\n", path);
            worst = RAINV_ERROR;
            continue;
        }
        char *lines = NULL;
        /* No password: the LHTICKET is not decrypted (the policy says whether that is
         * accepted). A NULL `now` is the system clock. */
        int status = rainv_check(data, len, path, NULL, policy, now, &lines, &error);
        free(data);
        if (!lines) {
            /* A wrong --now, or a bug in rainv: nothing was judged. */
            fprintf(stderr, "error: %s: %s\n", path, error ? error : "not checked");
        } else if (json) {
            fputs(lines, stdout);
        } else {
            printf("%-6s %s\n", status == RAINV_OK ? "accept" : "REJECT", path);
        }
        if (status > worst) {
            worst = status;
        }
        rainv_free(lines);
        rainv_free(error);
        error = NULL;
    }
    closedir(dir);
    rainv_policy_free(policy);
    return worst == RAINV_OK ? 0 : worst == RAINV_REJECTED ? 1 : 2;
}
