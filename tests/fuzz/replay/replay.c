/* replay.c - run a libFuzzer target's LLVMFuzzerTestOneInput over files, in
 * an ordinary build (gcc, ASan + UBSan), so the seeds and the regression
 * corpus of every target are replayed by `make test`, not only under
 * `make fuzz` (clang).
 *
 *   replay_TARGET FILE|DIR...    (a directory: its regular files, sorted)
 *
 * Prints "N inputs" and exits 0; a crash, a leak or UB ends it as the
 * sanitizers do. A tiny main of the kind libFuzzer's own -runs=0 mode is;
 * written by hand because the test build has no libFuzzer. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// As tests/fuzz/run.sh's -max_len: longer seeds are cut the same way.
#define MAX_LEN 16384

static int run_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		return -1;
	}
	uint8_t *buf = malloc(MAX_LEN);
	if (!buf)
		abort();
	size_t n = fread(buf, 1, MAX_LEN, fp);
	fclose(fp);
	// An exact-size copy, so ASan sees a read one past the input.
	uint8_t *in = malloc(n ? n : 1);
	if (!in)
		abort();
	memcpy(in, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(in, n);
	free(in);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	unsigned long count = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: no such file %s\n", argv[i]);
			return 2;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i]) != 0)
				return 2;
			count++;
			continue;
		}
		struct dirent **list;
		int n = scandir(argv[i], &list, NULL, NULL);
		if (n < 0)
			return 2;
		char **names = calloc((size_t)n + 1, sizeof(*names));
		size_t k = 0;
		for (int j = 0; j < n; j++) {
			if (list[j]->d_name[0] != '.') {
				size_t l = strlen(argv[i]) + strlen(list[j]->d_name) + 2;
				names[k] = malloc(l);
				snprintf(names[k], l, "%s/%s", argv[i], list[j]->d_name);
				k++;
			}
			free(list[j]);
		}
		free(list);
		qsort(names, k, sizeof(*names), cmp);
		for (size_t j = 0; j < k; j++) {
			if (stat(names[j], &st) == 0 && S_ISREG(st.st_mode)) {
				if (run_file(names[j]) != 0)
					return 2;
				count++;
			}
			free(names[j]);
		}
		free(names);
	}
	printf("%lu inputs\n", count);
	return 0;
}
