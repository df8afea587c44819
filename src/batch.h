/* batch.h - the inputs of a run, and the processes that write them.
 *
 * Every process parkreport starts:
 *
 * - The main process reads the command line and the run's set-up (report.h)
 *   and gathers the inputs. With one input or -j 1 it writes the reports
 *   itself, one after another.
 * - Otherwise it forks N worker processes (N = -j, at most one per input).
 *   They share, read-only and copied on write, the set-up made before the
 *   fork, and a counter in a shared mapping: each worker takes the next
 *   input from it, tells the main process on a pipe that it has started that
 *   input and, when done, how it ended. A worker that dies (killed by the
 *   OOM killer, say) costs only the input it was writing: the others go on
 *   taking inputs from the counter, and the main process writes what no
 *   worker is left to take. Workers end when the counter passes the last
 *   input; each also gets SIGTERM should the main process die.
 * - SIGINT, SIGTERM and SIGHUP reach the main process through a signalfd: it
 *   passes them on to the workers, which finish the report they are writing
 *   (report.c holds the signals while temporary files exist) and take no
 *   other; then it dies of the signal itself.
 * - No other thread: each process writes its reports one after another,
 *   the PDF and then the workbook.
 */
#ifndef RG_BATCH_H
#define RG_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

typedef struct batch_inputs {
    char **paths;
    size_t n, cap;
} batch_inputs;

/* Adds path: a file as it is, a folder as every regular *.xml file below it
 * (the extension in any case), in name order; a folder reached again
 * through a symbolic link is skipped, and so is what is neither a folder nor
 * a regular file. Problems (an unreadable folder) go to diags as warnings. */
void batch_add(batch_inputs *in, const char *path, rg_diags *diags);

/* Removes the inputs that would write the same output names in out_dir as
 * an earlier one, each with an error in diags. Returns how many. */
size_t batch_refuse_clashes(batch_inputs *in, const char *out_dir, rg_diags *diags);

void batch_free(batch_inputs *in);

typedef struct batch_tally {
    size_t done, failed, warnings;
} batch_tally;

/* Writes every input's report with report_run on up to `jobs` processes,
 * counting into *t. Shows progress on stderr when it is a terminal and
 * verbose is set. When a stop signal came, dies of it once the reports
 * being written are complete. */
void batch_run(report_setup *s, const batch_inputs *in, int jobs, bool verbose, batch_tally *t);

#endif
