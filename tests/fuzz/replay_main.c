/*
 * replay_main.c - a plain main() for the fuzz harnesses, so that `make
 * check` runs each one over its seed corpus and captures/regress/ with the
 * normal compiler (and under ASan+UBSan in the sanitizer build).
 *
 * usage: replay_NAME FILE|DIR...  (directories: every regular file in them,
 * not recursive). Prints "replay: N inputs" and exits 0; a harness
 * failure aborts. Exits 1 when an argument cannot be read.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

static const char *current = "";

/* On a harness abort (invariant, ASan, UBSan), name the input. */
static void on_abort(int sig)
{
	(void)sig;
	static const char pre[] = "replay: aborted on input ";
	if (write(2, pre, sizeof(pre) - 1) < 0 || write(2, current, strlen(current)) < 0 ||
	    write(2, "\n", 1) < 0)
		_exit(134);
	signal(SIGABRT, SIG_DFL);
	abort();
}

static int run_file(const char *path, unsigned long *count)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: %s: cannot open\n", path);
		return 1;
	}
	size_t cap = 4096, len = 0;
	uint8_t *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			uint8_t *b = realloc(buf, cap * 2);
			if (!b) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = b;
			cap *= 2;
		}
	}
	bool bad = ferror(f) || !buf;
	fclose(f);
	if (bad) {
		fprintf(stderr, "replay: %s: cannot read\n", path);
		free(buf);
		return 1;
	}
	/* an exact-size copy, so that ASan sees any over-read of the input */
	uint8_t *exact = malloc(len ? len : 1);
	if (!exact) {
		free(buf);
		return 1;
	}
	memcpy(exact, buf, len);
	free(buf);
	current = path;
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	(*count)++;
	return 0;
}

static int run_path(const char *path, unsigned long *count)
{
	struct stat sb;
	if (stat(path, &sb) != 0) {
		fprintf(stderr, "replay: %s: no such file or directory\n", path);
		return 1;
	}
	if (!S_ISDIR(sb.st_mode))
		return run_file(path, count);
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "replay: %s: cannot list\n", path);
		return 1;
	}
	int rc = 0;
	struct dirent *e;
	char sub[4096];
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (stat(sub, &sb) == 0 && S_ISREG(sb.st_mode))
			rc |= run_file(sub, count);
	}
	closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned long count = 0;
	int rc = 0;
	signal(SIGABRT, on_abort);
	for (int i = 1; i < argc; i++)
		rc |= run_path(argv[i], &count);
	printf("replay: %lu inputs\n", count);
	return rc ? 1 : 0;
}
