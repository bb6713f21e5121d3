/* The same object measured without probecost: Debian's libbpf 1.1 loads a BPF object and
 * attaches one program by its SEC() name; a 1-byte read of /dev/zero and write to /dev/null
 * per operation, pinned to one CPU, timed in ~200 µs batches; ROUNDS rounds of a control run
 * and a traced run (attached just before it, detached after), RUN_MS each. Prints each run's
 * 1st-percentile batch cost and the floor difference, (lowest traced - lowest control), ns
 * per operation.
 *
 *     gcc -O2 -o outside outside_probecost.c -l:libbpf.so.1
 *     ./outside OBJECT PROGRAM [CPU [ROUNDS [RUN_MS]]]
 *
 * libbpf's own declarations, so that no -dev package is needed. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct bpf_object;
struct bpf_program;
struct bpf_link;
struct bpf_object *bpf_object__open_file(const char *path, const void *opts);
int bpf_object__load(struct bpf_object *obj);
struct bpf_program *bpf_object__find_program_by_name(const struct bpf_object *obj,
						     const char *name);
struct bpf_link *bpf_program__attach(const struct bpf_program *prog);
int bpf_link__destroy(struct bpf_link *link);
long libbpf_get_error(const void *ptr);

static int in, out;

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* One run of about `ms` milliseconds in batches of `batch` operations: its 1st percentile. */
static double run(long batch, int ms)
{
	static double costs[1 << 16];
	long n = 0;
	char byte;
	double start = now_ns(), batch_start = start;
	while (now_ns() - start < ms * 1e6 && n < (1 << 16)) {
		for (long i = 0; i < batch; i++)
			if (read(in, &byte, 1) != 1 || write(out, &byte, 1) != 1)
				exit(1);
		double t = now_ns();
		costs[n++] = (t - batch_start) / batch;
		batch_start = t;
	}
	qsort(costs, n, sizeof(double), by_value);
	return costs[(long)(0.01 * (n - 1))];
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return fprintf(stderr, "usage: %s OBJECT PROGRAM [CPU [ROUNDS [RUN_MS]]]\n", argv[0]), 2;
	int cpu = argc > 3 ? atoi(argv[3]) : 1, rounds = argc > 4 ? atoi(argv[4]) : 12;
	int ms = argc > 5 ? atoi(argv[5]) : 150;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return perror("sched_setaffinity"), 1;
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (libbpf_get_error(obj) || bpf_object__load(obj))
		return fprintf(stderr, "cannot load %s\n", argv[1]), 1;
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, argv[2]);
	if (!prog)
		return fprintf(stderr, "no program %s\n", argv[2]), 1;
	in = open("/dev/zero", O_RDONLY);
	out = open("/dev/null", O_WRONLY);
	/* Batches of ~200 µs, sized from 10 000 untraced operations. */
	char byte;
	double start = now_ns();
	for (int i = 0; i < 10000; i++)
		if (read(in, &byte, 1) != 1 || write(out, &byte, 1) != 1)
			return 1;
	long batch = (long)(200000.0 / ((now_ns() - start) / 10000));
	double control_floor = 1e18, traced_floor = 1e18;
	printf("round control_p1 traced_p1\n");
	for (int r = 0; r < rounds; r++) {
		double c = run(batch, ms);
		struct bpf_link *link = bpf_program__attach(prog);
		if (libbpf_get_error(link))
			return fprintf(stderr, "cannot attach %s\n", argv[2]), 1;
		double t = run(batch, ms);
		bpf_link__destroy(link);
		printf("%d %.1f %.1f\n", r, c, t);
		control_floor = c < control_floor ? c : control_floor;
		traced_floor = t < traced_floor ? t : traced_floor;
	}
	printf("floor difference: %.1f ns per operation (traced %.1f, control %.1f)\n",
	       traced_floor - control_floor, traced_floor, control_floor);
	return 0;
}
