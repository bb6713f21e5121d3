/* A small libbpf-based tool, as `measure --tracer-cmd` meets them: loads a BPF object with
 * Debian's libbpf, attaches the programs named on the command line (every program when none
 * is), says `attached` on stdout, and holds them until SIGINT or SIGTERM.
 *
 *     gcc -O2 -o loader loader.c -l:libbpf.so.1
 *     ./loader OBJECT [PROGRAM...]
 *
 * libbpf's own declarations, so that no -dev package is needed. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct bpf_object;
struct bpf_program;
struct bpf_link;
struct bpf_object *bpf_object__open_file(const char *path, const void *opts);
int bpf_object__load(struct bpf_object *obj);
struct bpf_program *bpf_object__next_program(const struct bpf_object *obj,
					      struct bpf_program *prog);
const char *bpf_program__name(const struct bpf_program *prog);
struct bpf_link *bpf_program__attach(const struct bpf_program *prog);
int bpf_link__destroy(struct bpf_link *link);
long libbpf_get_error(const void *ptr);
void bpf_object__close(struct bpf_object *obj);

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[64];
	int n = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJECT [PROGRAM...]\n", argv[0]);
		return 2;
	}
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (libbpf_get_error(obj) || bpf_object__load(obj)) {
		fprintf(stderr, "cannot load %s\n", argv[1]);
		return 1;
	}
	for (struct bpf_program *p = bpf_object__next_program(obj, NULL); p && n < 64;
	     p = bpf_object__next_program(obj, p)) {
		int wanted = argc == 2;
		for (int i = 2; i < argc; i++)
			wanted |= strcmp(argv[i], bpf_program__name(p)) == 0;
		if (!wanted)
			continue;
		struct bpf_link *link = bpf_program__attach(p);
		if (libbpf_get_error(link)) {
			fprintf(stderr, "cannot attach %s\n", bpf_program__name(p));
			return 1;
		}
		links[n++] = link;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("attached\n");
	fflush(stdout);
	while (!stop)
		pause();
	for (int i = 0; i < n; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return 0;
}
