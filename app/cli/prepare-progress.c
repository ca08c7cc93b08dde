/* prepare-progress.c: the bar and the plain lines of `soundstyle prepare`
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "prepare-progress.h"

#define BAR_WIDTH        24
/* Redraws are limited so that a fast run does not spend its time printing */
#define REDRAW_USEC      (G_USEC_PER_SEC / 10)

struct _PrepareProgress
{
  gboolean  terminal;
  gboolean  drawn;
  guint     n_videos;
  guint     index;
  guint     total;
  guint     base;          /* clips of the videos finished in this run */
  guint     done;
  gint64    start_usec;
  gint64    last_draw_usec;
};

PrepareProgress *
prepare_progress_new (guint n_videos,
                      guint total_clips)
{
  PrepareProgress *self = g_new0 (PrepareProgress, 1);

  self->terminal = isatty (STDERR_FILENO);
  self->n_videos = n_videos;
  self->total = MAX (total_clips, 1);
  self->start_usec = g_get_monotonic_time ();
  return self;
}

void
prepare_progress_free (PrepareProgress *progress)
{
  if (progress == NULL)
    return;
  prepare_progress_clear (progress);
  g_free (progress);
}

/* "1h02m", "3m05s", "12s"; "?" until there is something to go by */
static char *
format_eta (PrepareProgress *self)
{
  double elapsed = (g_get_monotonic_time () - self->start_usec) / (double) G_USEC_PER_SEC;
  double left;
  guint s;

  if (self->done == 0 || elapsed < 0.5)
    return g_strdup ("?");
  left = elapsed / self->done * (self->total > self->done ? self->total - self->done : 0);
  s = (guint) (left + 0.5);
  if (s >= 3600)
    return g_strdup_printf ("%uh%02um", s / 3600, s / 60 % 60);
  if (s >= 60)
    return g_strdup_printf ("%um%02us", s / 60, s % 60);
  return g_strdup_printf ("%us", s);
}

static double
fraction (PrepareProgress *self)
{
  return MIN (1.0, self->done / (double) self->total);
}

static void
draw (PrepareProgress *self,
      const char      *name,
      guint            clip,
      guint            n_clips)
{
  g_autofree char *eta = format_eta (self);
  g_autofree char *base = g_path_get_basename (name);
  char bar[BAR_WIDTH + 1];
  int filled = (int) (fraction (self) * BAR_WIDTH);

  for (int i = 0; i < BAR_WIDTH; i++)
    bar[i] = i < filled ? '#' : '-';
  bar[BAR_WIDTH] = '\0';
  fprintf (stderr, "\r[%s] %3.0f%%  video %u/%u %s, clip %u/%u  ETA %s\033[K",
           bar, 100.0 * fraction (self), self->index + 1, self->n_videos,
           base, clip, n_clips, eta);
  fflush (stderr);
  self->drawn = TRUE;
  self->last_draw_usec = g_get_monotonic_time ();
}

void
prepare_progress_start_video (PrepareProgress *progress,
                              const char      *name,
                              guint            index)
{
  progress->index = index;
}

void
prepare_progress_update (PrepareProgress *progress,
                         const char      *name,
                         guint            clip,
                         guint            n_clips)
{
  progress->done = progress->base + clip;
  if (progress->terminal &&
      g_get_monotonic_time () - progress->last_draw_usec >= REDRAW_USEC)
    draw (progress, name, clip, n_clips);
}

void
prepare_progress_video_done (PrepareProgress *progress,
                             const char      *name,
                             guint            n_made,
                             guint            n_clips)
{
  progress->base += n_clips;
  progress->done = progress->base;
  if (progress->terminal)
    {
      draw (progress, name, n_clips, n_clips);
      return;
    }

  {
    g_autofree char *eta = format_eta (progress);

    fprintf (stderr, "video %u/%u %s: %u of %u clips kept (%.0f%% done, ETA %s)\n",
             progress->index + 1, progress->n_videos, name, n_made, n_clips,
             100.0 * fraction (progress), eta);
  }
}

void
prepare_progress_clear (PrepareProgress *progress)
{
  if (progress->terminal && progress->drawn)
    {
      fprintf (stderr, "\r\033[K");
      fflush (stderr);
      progress->drawn = FALSE;
    }
}
