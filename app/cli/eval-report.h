/* eval-report.h: where `soundstyle eval` puts what it found, and how it
 * tells people it is getting on
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

#include "soundstyle-cli.h"

G_BEGIN_DECLS

/* --- the report folder --------------------------------------------------- */

/* A report is built in a hidden folder beside DIR and moved into place only
 * when everything is written, so a failed run leaves DIR as it was. DIR may
 * be new, empty, or an earlier report (it holds metrics.json); anything else
 * is refused before any work starts. */
typedef struct _EvalOutput EvalOutput;

EvalOutput *eval_output_begin        (const char   *dir,
                                      GError      **error);
/* Frees; removes the work folder unless it was committed */
void        eval_output_free         (EvalOutput   *output);
/* "images/NAME" relative to the report, and the file it will be in now */
char       *eval_output_image_path   (EvalOutput   *output,
                                      const char   *name);
gboolean    eval_output_save_image   (EvalOutput   *output,
                                      AdisImage    *image,
                                      const char   *name,
                                      GError      **error);
/* Writes metrics.json and index.html, then moves the folder into place */
gboolean    eval_output_commit       (EvalOutput   *output,
                                      const char   *json_text,
                                      const char   *html_text,
                                      GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvalOutput, eval_output_free)

/* --- JSON helpers ---------------------------------------------------------- */

/* JSON has no NaN or infinity: an undefined figure is null */
void        eval_json_set_double     (JsonObject   *object,
                                      const char   *name,
                                      double        value);
char       *eval_json_to_text        (JsonObject   *object);

/* --- progress -------------------------------------------------------------- */

/* One line on stderr redrawn in place on a terminal, else a line every few
 * percent: "eval: probe 3/12 [####------] 30% ETA 0:12" */
typedef struct _EvalProgress EvalProgress;

EvalProgress *eval_progress_new      (gboolean      quiet);
void        eval_progress_free       (EvalProgress *progress);
/* Starts a stage of total units (its ETA restarts) */
void        eval_progress_stage      (EvalProgress *progress,
                                      const char   *name,
                                      guint         total);
void        eval_progress_update     (EvalProgress *progress,
                                      guint         done);
/* Ends the current line */
void        eval_progress_finish     (EvalProgress *progress);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvalProgress, eval_progress_free)

/* --- the HTML page ------------------------------------------------------- */

/* A page of what a person should look at: the metrics side by side and the
 * image grid. metrics is the JSON object written to metrics.json; rows are
 * EvalGridRow, built by the caller as it saves the images. */
typedef struct
{
  char  *title;        /* "clip-0042 · rain, intensity 0.73" */
  char **labels;       /* column labels, NULL-terminated */
  char **images;       /* relative paths, as many as labels; "" for a gap */
} EvalGridRow;

void        eval_grid_row_free       (EvalGridRow  *row);
char       *eval_report_html         (JsonObject   *metrics,
                                      GPtrArray    *rows);

G_END_DECLS
