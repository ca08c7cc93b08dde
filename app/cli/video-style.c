/* video-style.c: the sound code each frame of `soundstyle video` gets
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <math.h>

#include "video-style.h"

struct _VideoStyle
{
  AdisModel  *model;
  VideoTrack *track;
  double      smooth;
  GHashTable *keys;        /* key index -> AdisSoundCode */
  guint       n_encoded;
};

VideoStyle *
video_style_new (AdisModel  *model,
                 VideoTrack *track,
                 double      smooth_seconds)
{
  VideoStyle *self = g_new0 (VideoStyle, 1);

  g_return_val_if_fail (smooth_seconds >= 0.0, NULL);

  self->model = model;
  self->track = track;
  self->smooth = smooth_seconds;
  self->keys = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) adis_sound_code_unref);
  return self;
}

void
video_style_free (VideoStyle *style)
{
  if (style == NULL)
    return;
  g_hash_table_unref (style->keys);
  g_free (style);
}

guint
video_style_get_n_encoded (VideoStyle *style)
{
  return style->n_encoded;
}

static AdisSoundCode *
encode_window (VideoStyle    *self,
               double         seconds,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(AdisSound) window = video_track_window (self->track, seconds, error);

  if (window == NULL)
    return NULL;
  self->n_encoded++;
  return adis_model_encode_sound (self->model, window, NULL, 1.0f, 0.0f, cancellable, error);
}

static AdisSoundCode *
key_code (VideoStyle    *self,
          gint64         key,
          GCancellable  *cancellable,
          GError       **error)
{
  AdisSoundCode *code = g_hash_table_lookup (self->keys, GINT_TO_POINTER (key));

  if (code == NULL)
    {
      code = encode_window (self, key * VIDEO_STYLE_KEY_SECONDS, cancellable, error);
      if (code == NULL)
        return NULL;
      g_hash_table_insert (self->keys, GINT_TO_POINTER (key), code);
    }
  return code;
}

/* Keys wholly behind `first` are no longer needed */
static void
drop_keys_before (VideoStyle *self,
                  gint64      first)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->keys);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (GPOINTER_TO_INT (key) < first)
      g_hash_table_iter_remove (&iter);
}

AdisSoundCode *
video_style_code_at (VideoStyle    *style,
                     double         seconds,
                     GCancellable  *cancellable,
                     GError       **error)
{
  double half = style->smooth / 2.0;
  double track_seconds = style->track->n_samples / (double) ADIS_SAMPLE_RATE;
  g_autoptr(GPtrArray) codes = NULL;
  g_autoptr(GArray) weights = NULL;
  gint64 first, last;

  if (style->smooth <= 0.0)
    return encode_window (style, seconds, cancellable, error);

  /* Keys past the track's end would all be its last window */
  first = MAX (0, (gint64) ceil ((seconds - half) / VIDEO_STYLE_KEY_SECONDS));
  last = (gint64) floor (MIN (seconds + half, track_seconds) / VIDEO_STYLE_KEY_SECONDS);
  drop_keys_before (style, first);

  codes = g_ptr_array_new ();
  weights = g_array_new (FALSE, FALSE, sizeof (float));
  for (gint64 k = first; k <= last; k++)
    {
      float w = (float) (1.0 - fabs (k * VIDEO_STYLE_KEY_SECONDS - seconds) / half);
      AdisSoundCode *code;

      if (w <= 0.0f)
        continue;
      if ((code = key_code (style, k, cancellable, error)) == NULL)
        return NULL;
      g_ptr_array_add (codes, code);
      g_array_append_val (weights, w);
    }
  /* A width below the key spacing can miss every key: take the nearest */
  if (codes->len == 0)
    {
      gint64 nearest = (gint64) lround (MIN (seconds, track_seconds) / VIDEO_STYLE_KEY_SECONDS);
      AdisSoundCode *code = key_code (style, nearest, cancellable, error);

      return code != NULL ? adis_sound_code_ref (code) : NULL;
    }
  return adis_sound_code_blend ((AdisSoundCode **) codes->pdata, (const float *) weights->data,
                                codes->len, error);
}
