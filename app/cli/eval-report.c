/* eval-report.c: the report folder, JSON, progress and the HTML page of
 * `soundstyle eval`
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "eval-report.h"

/* --- the report folder --------------------------------------------------- */

struct _EvalOutput
{
  char     *dir;         /* where the report ends up */
  char     *work;        /* where it is built */
  gboolean  committed;
};

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static gboolean
is_empty_or_report (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  g_autofree char *metrics = g_build_filename (dir, "metrics.json", NULL);

  if (handle == NULL)
    return FALSE;
  return g_dir_read_name (handle) == NULL || g_file_test (metrics, G_FILE_TEST_IS_REGULAR);
}

/* A hidden sibling of dir: same file system, so the final rename is atomic */
static char *
make_sibling (const char *dir,
              const char *kind)
{
  g_autofree char *parent = g_path_get_dirname (dir);
  g_autofree char *base = g_path_get_basename (dir);
  g_autofree char *template = g_strdup_printf (".%s.%s-XXXXXX", base, kind);
  char *path = g_build_filename (parent, template, NULL);

  if (g_mkdtemp (path) == NULL)
    g_clear_pointer (&path, g_free);
  return path;
}

EvalOutput *
eval_output_begin (const char  *dir,
                   GError     **error)
{
  g_autoptr(EvalOutput) output = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *images = NULL;

  g_return_val_if_fail (dir != NULL, NULL);

  parent = g_path_get_dirname (dir);
  if (!g_file_test (parent, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "folder “%s” for the report “%s” does not exist", parent, dir);
      return NULL;
    }
  if (g_file_test (dir, G_FILE_TEST_EXISTS))
    {
      if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "output “%s” is a file, not a folder", dir);
          return NULL;
        }
      /* Replacing an earlier report is expected; anything else is not ours */
      if (!is_empty_or_report (dir))
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "output folder “%s” holds other files and no earlier report; "
                       "give a new or empty folder", dir);
          return NULL;
        }
    }

  output = g_new0 (EvalOutput, 1);
  output->dir = g_strdup (dir);
  if ((output->work = make_sibling (dir, "partial")) == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO,
                   "cannot make a work folder beside “%s”: %s", dir, g_strerror (saved_errno));
      return NULL;
    }

  images = g_build_filename (output->work, "images", NULL);
  if (g_mkdir (images, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO,
                   "cannot make “%s”: %s", images, g_strerror (saved_errno));
      return NULL;
    }

  return g_steal_pointer (&output);
}

void
eval_output_free (EvalOutput *output)
{
  if (output == NULL)
    return;

  if (!output->committed && output->work != NULL)
    remove_tree (output->work);
  g_free (output->work);
  g_free (output->dir);
  g_free (output);
}

char *
eval_output_image_path (EvalOutput *output,
                        const char *name)
{
  return g_build_filename ("images", name, NULL);
}

gboolean
eval_output_save_image (EvalOutput  *output,
                        AdisImage   *image,
                        const char  *name,
                        GError     **error)
{
  g_autofree char *path = g_build_filename (output->work, "images", name, NULL);

  return adis_image_save (image, path, error);
}

static gboolean
write_in_work (EvalOutput  *output,
               const char  *name,
               const char  *text,
               GError     **error)
{
  g_autofree char *path = g_build_filename (output->work, name, NULL);

  return adis_write_file_atomic (path, text, strlen (text), error);
}

gboolean
eval_output_commit (EvalOutput  *output,
                    const char  *json_text,
                    const char  *html_text,
                    GError     **error)
{
  g_autofree char *old = NULL;

  g_return_val_if_fail (output != NULL && !output->committed, FALSE);

  if (!write_in_work (output, "metrics.json", json_text, error) ||
      !write_in_work (output, "index.html", html_text, error))
    return FALSE;

  /* An earlier report steps aside first, and comes back if the swap fails */
  if (g_file_test (output->dir, G_FILE_TEST_IS_DIR))
    {
      if ((old = make_sibling (output->dir, "old")) == NULL ||
          g_rename (output->dir, old) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO,
                       "cannot move the earlier report “%s” aside: %s",
                       output->dir, g_strerror (saved_errno));
          if (old != NULL)
            g_rmdir (old);
          return FALSE;
        }
    }

  if (g_rename (output->work, output->dir) != 0)
    {
      int saved_errno = errno;

      if (old != NULL)
        g_rename (old, output->dir);
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO,
                   "cannot move the report into “%s”: %s", output->dir, g_strerror (saved_errno));
      return FALSE;
    }

  output->committed = TRUE;
  if (old != NULL)
    remove_tree (old);
  return TRUE;
}

/* --- JSON helpers ---------------------------------------------------------- */

void
eval_json_set_double (JsonObject *object,
                      const char *name,
                      double      value)
{
  if (isfinite (value))
    json_object_set_double_member (object, name, value);
  else
    json_object_set_null_member (object, name);
}

char *
eval_json_to_text (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_node_set_object (node, object);
  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  return g_strconcat (text, "\n", NULL);
}

/* --- progress -------------------------------------------------------------- */

#define BAR_WIDTH 20

struct _EvalProgress
{
  gboolean  quiet;
  gboolean  terminal;
  gboolean  line_drawn;
  char     *stage;
  guint     total;
  gint64    started;        /* monotonic µs */
  gint64    last_redraw;
  int       last_percent;   /* logged, when not on a terminal */
};

EvalProgress *
eval_progress_new (gboolean quiet)
{
  EvalProgress *progress = g_new0 (EvalProgress, 1);

  progress->quiet = quiet;
  progress->terminal = isatty (STDERR_FILENO);
  return progress;
}

void
eval_progress_free (EvalProgress *progress)
{
  if (progress == NULL)
    return;
  eval_progress_finish (progress);
  g_free (progress->stage);
  g_free (progress);
}

void
eval_progress_stage (EvalProgress *progress,
                     const char   *name,
                     guint         total)
{
  eval_progress_finish (progress);
  g_free (progress->stage);
  progress->stage = g_strdup (name);
  progress->total = MAX (total, 1);
  progress->started = g_get_monotonic_time ();
  progress->last_redraw = 0;
  progress->last_percent = -1;
  eval_progress_update (progress, 0);
}

static char *
format_eta (double seconds)
{
  gint64 s;

  if (!isfinite (seconds) || seconds < 0)
    return g_strdup ("?");
  s = (gint64) (seconds + 0.5);
  if (s >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", s / 3600, (int) (s / 60 % 60), (int) (s % 60));
  return g_strdup_printf ("%d:%02d", (int) (s / 60), (int) (s % 60));
}

void
eval_progress_update (EvalProgress *progress,
                      guint         done)
{
  gint64 now = g_get_monotonic_time ();
  double fraction = CLAMP ((double) done / progress->total, 0.0, 1.0);
  double elapsed = (now - progress->started) / 1e6;
  g_autofree char *eta = format_eta (done > 0 ? elapsed / done * (progress->total - done) : NAN);
  int percent = (int) (fraction * 100.0);
  char bar[BAR_WIDTH + 1];
  int filled = (int) (fraction * BAR_WIDTH);

  if (progress->quiet || progress->stage == NULL)
    return;

  memset (bar, '#', filled);
  memset (bar + filled, '-', BAR_WIDTH - filled);
  bar[BAR_WIDTH] = '\0';

  if (progress->terminal)
    {
      if (done < progress->total && now - progress->last_redraw < 100000)
        return;
      progress->last_redraw = now;
      fprintf (stderr, "\r\033[Keval: %s %u/%u [%s] %3d%% ETA %s",
               progress->stage, done, progress->total, bar, percent, eta);
      progress->line_drawn = TRUE;
    }
  else
    {
      /* A log gets a line every tenth of the stage */
      if (percent / 10 == progress->last_percent / 10 && done < progress->total)
        return;
      progress->last_percent = percent;
      fprintf (stderr, "eval: %s %u/%u [%s] %3d%% ETA %s\n",
               progress->stage, done, progress->total, bar, percent, eta);
    }
  fflush (stderr);
}

void
eval_progress_finish (EvalProgress *progress)
{
  if (progress->line_drawn)
    {
      fputc ('\n', stderr);
      progress->line_drawn = FALSE;
    }
}

/* --- the HTML page ------------------------------------------------------- */

void
eval_grid_row_free (EvalGridRow *row)
{
  if (row == NULL)
    return;
  g_free (row->title);
  g_strfreev (row->labels);
  g_strfreev (row->images);
  g_free (row);
}

/* What each headline figure means, in the order the page lists them */
static const struct
{
  const char *key;
  const char *meaning;
} headline[] = {
  { "accuracy", "probe's category accuracy on the unmixed clips' outputs (higher is better)" },
  { "intensity_mae", "mean absolute error of the probe's intensity against the clip's (lower is better)" },
  { "intensity_spearman", "rank correlation of the clip's intensity with the probe's, within each category, averaged (higher is better)" },
  { "volume_spearman", "rank correlation of gain (0.25…4) with the probe's intensity, per clip, averaged" },
  { "mix_spearman", "rank correlation of mix weight (0…1) with the probe's probability of the second category, averaged" },
  { "edge_correlation", "Pearson correlation of Sobel edge maps, input vs output (structure kept)" },
  { "psnr", "PSNR in dB of the output against the renderer's image for the same photo and factors" },
  { "ssim", "SSIM (luminance, 11×11 Gaussian σ 1.5) against the renderer's image" },
  { "oracle_nearest_accuracy", "share of the unmixed outputs whose colour layout (mean CIELAB of 16×16 cells) is nearest the renderer's image of the clip's own category (each category at intensity 0.2, 0.5, 0.8, same photo and seed)" },
  { "detail", "correlation of the Laplacian of Gaussian (σ 1) of L*, input vs output, each held-out photo restyled whole at its own size (fine detail kept)" },
  { "fid", "Fréchet Inception distance to the reference images (lower is better)" },
  { "kid", "kernel Inception distance to the reference images (lower is better)" },
};

static void
append_value (GString    *html,
              JsonObject *object,
              const char *key)
{
  JsonNode *node = object ? json_object_get_member (object, key) : NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    g_string_append (html, "<td>–</td>");
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE || json_node_get_value_type (node) == G_TYPE_INT64)
    g_string_append_printf (html, "<td>%.4g</td>", json_node_get_double (node));
  else
    g_string_append (html, "<td>…</td>");
}

static void
append_escaped (GString    *html,
                const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  g_string_append (html, escaped);
}

static void
append_per_category (GString    *html,
                     JsonObject *metrics,
                     JsonObject *baseline)
{
  JsonObject *categories = json_object_get_object_member (metrics, "per_category");
  JsonObject *baseline_categories = baseline && json_object_has_member (baseline, "per_category")
                                    ? json_object_get_object_member (baseline, "per_category") : NULL;
  const char *columns[] = { "n", "accuracy", "intensity_mae", "intensity_spearman",
                            "volume_spearman", "edge_correlation", "psnr", "ssim",
                            "oracle_nearest_accuracy", "detail" };
  g_autoptr(GList) names = NULL;

  if (categories == NULL)
    return;

  g_string_append (html, "<h2>Per category</h2>\n<table>\n<tr><th>category</th><th>model</th>");
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    g_string_append_printf (html, "<th>%s</th>", columns[i]);
  g_string_append (html, "</tr>\n");

  names = json_object_get_members (categories);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *rows[2] = { json_object_get_object_member (categories, l->data),
                              baseline_categories && json_object_has_member (baseline_categories, l->data)
                              ? json_object_get_object_member (baseline_categories, l->data) : NULL };

      for (int r = 0; r < 2; r++)
        {
          if (rows[r] == NULL)
            continue;
          g_string_append (html, "<tr><td>");
          append_escaped (html, l->data);
          g_string_append_printf (html, "</td><td>%s</td>", r == 0 ? "audio" : "keyword");
          for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
            append_value (html, rows[r], columns[i]);
          g_string_append (html, "</tr>\n");
        }
    }
  g_string_append (html, "</table>\n");
}

/* How unseen the clips were, and what the detail figure restyled */
static void
append_held_out (GString    *html,
                 JsonObject *metrics)
{
  const char *keys[] = { "n_clips_new_recordings", "n_clips_new_photo", "n_clips_new_both" };
  const char *meanings[] = { "whose recordings no train clip uses", "whose photo no train clip shows",
                             "with both" };
  JsonArray *photos = json_object_has_member (metrics, "detail_photos")
                      ? json_object_get_array_member (metrics, "detail_photos") : NULL;

  g_string_append (html, "<h2>Held out</h2>\n<ul>\n");
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      JsonNode *node = json_object_get_member (metrics, keys[i]);

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        g_string_append_printf (html, "<li>clips %s: not known (the set does not say)</li>\n", meanings[i]);
      else
        g_string_append_printf (html, "<li>clips %s: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT "</li>\n",
                                meanings[i], json_node_get_int (node),
                                json_object_get_int_member_with_default (metrics, "n_clips", 0));
    }
  for (guint i = 0; photos != NULL && i < json_array_get_length (photos); i++)
    {
      JsonObject *photo = json_array_get_object_element (photos, i);

      g_string_append (html, "<li>detail photo <code>");
      append_escaped (html, json_object_get_string_member_with_default (photo, "file", ""));
      g_string_append_printf (html, "</code>, %" G_GINT64_FORMAT " × %" G_GINT64_FORMAT " (%s)</li>\n",
                              json_object_get_int_member_with_default (photo, "width", 0),
                              json_object_get_int_member_with_default (photo, "height", 0),
                              json_object_get_boolean_member_with_default (photo, "original", FALSE)
                              ? "the original" : "the set's copy");
    }
  if (json_object_has_member (metrics, "detail_note"))
    {
      g_string_append (html, "<li>");
      append_escaped (html, json_object_get_string_member (metrics, "detail_note"));
      g_string_append (html, "</li>\n");
    }
  g_string_append (html, "</ul>\n");
}

char *
eval_report_html (JsonObject *metrics,
                  GPtrArray  *rows)
{
  GString *html = g_string_new (NULL);
  JsonObject *baseline = json_object_has_member (metrics, "baseline")
                         ? json_object_get_object_member (metrics, "baseline") : NULL;
  JsonObject *ceiling = json_object_has_member (metrics, "ceiling")
                        ? json_object_get_object_member (metrics, "ceiling") : NULL;

  g_string_append (html,
                   "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<title>Soundstyle evaluation</title>\n<style>\n"
                   "body { font-family: sans-serif; margin: 2em; }\n"
                   "table { border-collapse: collapse; margin-bottom: 2em; }\n"
                   "td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: center; }\n"
                   "td.meaning { text-align: left; color: #555; }\n"
                   "figure { display: inline-block; margin: 2px; }\n"
                   "figure img { width: 160px; image-rendering: auto; }\n"
                   "figcaption { font-size: small; }\n"
                   "</style>\n</head>\n<body>\n<h1>Soundstyle evaluation</h1>\n<p>");
  g_string_append (html, "Model: <code>");
  append_escaped (html, json_object_get_string_member_with_default (metrics, "model", ""));
  g_string_append (html, "</code>; dataset: <code>");
  append_escaped (html, json_object_get_string_member_with_default (metrics, "dataset", ""));
  g_string_append_printf (html, "</code>; %" G_GINT64_FORMAT " held-out clips.</p>\n",
                          json_object_get_int_member_with_default (metrics, "n_clips", 0));

  g_string_append (html, "<table>\n<tr><th>metric</th><th>audio model</th>");
  if (baseline != NULL)
    g_string_append (html, "<th>keyword baseline</th>");
  if (ceiling != NULL)
    g_string_append (html, "<th>renderer (ceiling)</th>");
  g_string_append (html, "<th>meaning</th></tr>\n");
  for (guint i = 0; i < G_N_ELEMENTS (headline); i++)
    {
      g_string_append_printf (html, "<tr><td>%s</td>", headline[i].key);
      append_value (html, metrics, headline[i].key);
      if (baseline != NULL)
        append_value (html, baseline, headline[i].key);
      if (ceiling != NULL)
        append_value (html, ceiling, headline[i].key);
      g_string_append_printf (html, "<td class=\"meaning\">%s</td></tr>\n", headline[i].meaning);
    }
  g_string_append (html, "</table>\n");

  append_per_category (html, metrics, baseline);
  append_held_out (html, metrics);

  if (json_object_has_member (metrics, "skipped"))
    {
      JsonArray *skipped = json_object_get_array_member (metrics, "skipped");

      g_string_append (html, "<h2>Not measured</h2>\n<ul>\n");
      for (guint i = 0; i < json_array_get_length (skipped); i++)
        {
          g_string_append (html, "<li>");
          append_escaped (html, json_array_get_string_element (skipped, i));
          g_string_append (html, "</li>\n");
        }
      g_string_append (html, "</ul>\n");
    }

  g_string_append (html, "<h2>Images</h2>\n");
  for (guint r = 0; rows != NULL && r < rows->len; r++)
    {
      EvalGridRow *row = g_ptr_array_index (rows, r);

      g_string_append (html, "<div>\n<h3>");
      append_escaped (html, row->title);
      g_string_append (html, "</h3>\n");
      for (guint c = 0; row->labels[c] != NULL; c++)
        {
          if (row->images[c][0] == '\0')
            continue;
          g_string_append (html, "<figure><img src=\"");
          append_escaped (html, row->images[c]);
          g_string_append (html, "\" alt=\"\"><figcaption>");
          append_escaped (html, row->labels[c]);
          g_string_append (html, "</figcaption></figure>\n");
        }
      g_string_append (html, "</div>\n");
    }

  g_string_append (html, "</body>\n</html>\n");
  return g_string_free (html, FALSE);
}
