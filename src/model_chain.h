/* model_chain.h - a report and the reports of the years before it.
 *
 * A report may name the input of the year before: <report previous="…">, a
 * path relative to the file that names it. That report may name its own, and
 * so on: a chain of reports, 2022 -> 2023 -> 2024. From each link:
 *
 * - each indicator is linked to the one of the same id the year before
 *   (model_indicator.last_year);
 * - the plan of the year before becomes this year's target, with its bound,
 *   for the indicator of the same id (model_indicator.target_from says which
 *   plan); a <target> also written here should agree, else a warning naming
 *   both numbers and lines, and the plan is used;
 * - the stated growth rates are checked against the figures of the year
 *   before: an actual against last year's actual when both reports state the
 *   same period (period="1-11月" both years), a full-year forecast against
 *   last year's forecast. Figures of different periods, or an actual against
 *   a forecast, are not compared: they do not measure the same thing.
 *
 * Every report of the chain is read with the same model_loader and bound
 * (model_load), checked (model_check), and its messages carry its own name.
 */
#ifndef RG_MODEL_CHAIN_H
#define RG_MODEL_CHAIN_H

#include "model.h"

/* Files in one chain, the report itself included (docs/limits.md). */
#define MODEL_MAX_CHAIN 10

/* Loads the reports before m, each into the `prev` of the one after it
 * (owned by it: model_free frees the chain), and applies each link as said
 * above. Does nothing for a report that names no previous one. Returns 0, or
 * -1 with an error naming the file when a previous report is missing,
 * unreadable or has errors, is of another park or not of the year before,
 * when the chain loops or holds more than MODEL_MAX_CHAIN files; m->prev is
 * then NULL. Warnings (of m and of the reports before it) go to diags. */
int model_chain_load(model_loader *ld, model *m, rg_diags *diags);

/* Whether the actual meets this year's target, compared in the target's
 * unit: at most the target when it is bounded so (MODEL_BOUND_AT_MOST),
 * else at least it. False when there is no target, no actual, or their
 * units do not convert; *met is then untouched. A rate (%) is compared too,
 * though it has no completion rate. */
bool model_target_met(const model_indicator *ind, bool *met);
/* The status said of a target: 已完成 when met; when not, 未完成 for a
 * whole year's actual, 尚未完成 (not yet) for a part of the year's. */
const char *model_status(const model *m, bool met);

/* Appends where this year's target of ind (an indicator of m) came from,
 * as the workbook and the report print it: "取自park-2023.xml第52行的
 * 2024年计划" (and the plan's name when it differs from the indicator's),
 * "本文件第16行", or "无目标，按全年预计" when completion is
 * measured against the forecast; nothing when there is no completion. */
void model_target_note(const model *m, const model_indicator *ind, rg_buf *out);

#endif
