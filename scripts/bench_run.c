/* bench_run - runs a command and prints, on a last line of its own to
 * standard output, "bench_run WALL CPU PEAK STATUS": seconds from start to
 * exit, seconds of CPU (user and system), the peak resident memory in KB
 * and the exit status. For scripts/bench.py: a child that Python forks
 * inherits Python's own resident memory into its peak (Linux folds the
 * memory it had before exec into ru_maxrss), so the peak is only the
 * program's when the process that forks it is small, as this one is.
 *
 * Usage: bench_run PROGRAM [ARG...] */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: bench_run PROGRAM [ARG...]\n", stderr);
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench_run: fork");
        return 2;
    }
    if (pid == 0) {
        execv(argv[1], argv + 1);
        perror("bench_run: exec");
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid) {
        perror("bench_run: wait4");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    fflush(stdout);
    printf("\nbench_run %.6f %.6f %ld %d\n", wall, cpu, ru.ru_maxrss,
           WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return 0;
}
