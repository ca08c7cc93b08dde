/* adis-apply.c: a grid look applied to a photo's own pixels (see adis-apply.h)
 *
 * SPDX-License-Identifier: MIT
 *
 * The sampling follows PyTorch's conventions exactly, so that the training
 * graph (grid_sample, interpolate) and this loop compute the same picture:
 * pixel p of n maps to (p + 0.5) n_grid / n - 0.5 in grid cells, clamped to
 * the outer cells (grid_sample's border padding, interpolate's
 * align_corners = false).
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <math.h>
#include <string.h>

#include "adis-apply.h"
#include "adis-streaks.h"
#include "adis-threads.h"
#include "adis-types.h"

#define N_COEFFS 12
/* Rows per unit of work: small enough to spread over the cores and to
 * report progress often, large enough that taking one costs nothing */
#define ROWS_PER_CHUNK 32

/* Where output pixel i of n falls between two of n_in samples */
typedef struct
{
  int   i0, i1;
  float w;      /* weight of i1 */
} Tap;

static Tap
tap_for (int i,
         int n,
         int n_in)
{
  float x = ((float) i + 0.5f) * (float) n_in / (float) n - 0.5f;
  Tap t;

  x = CLAMP (x, 0.0f, (float) (n_in - 1));
  t.i0 = (int) floorf (x);
  t.i1 = MIN (t.i0 + 1, n_in - 1);
  t.w = x - (float) t.i0;
  return t;
}

static Tap *
taps_new (int n,
          int n_in)
{
  Tap *taps = g_new (Tap, n);

  for (int i = 0; i < n; i++)
    taps[i] = tap_for (i, n, n_in);
  return taps;
}

/* The guide's curves in closed form: between knots j / K and (j + 1) / K
 * the sum of hinges sum_k slopes[k] relu (v - k / K) is the line
 * base[j] + slope[j] (v - j / K), so a pixel costs one lookup per channel
 * instead of K hinges */
#define MAX_KNOTS 64

typedef struct
{
  const AdisGridLook *look;
  int                 knots;
  double              base[3][MAX_KNOTS];
  double              slope[3][MAX_KNOTS];
} Guide;

static void
guide_prepare (Guide              *guide,
               const AdisGridLook *look)
{
  guide->look = look;
  guide->knots = CLAMP (look->knots, 1, MAX_KNOTS);
  for (int c = 0; c < 3; c++)
    {
      const float *slopes = look->slopes + c * look->knots;
      double slope = 0.0, base = 0.0;

      for (int j = 0; j < guide->knots; j++)
        {
          slope += slopes[j];
          guide->base[c][j] = base;
          guide->slope[c][j] = slope;
          base += slope / guide->knots;
        }
    }
}

/* In double: the bins magnify the guide's rounding by their count and by
 * how much neighbouring bins differ */
static inline float
guide_eval (const Guide *guide,
            const float  rgb[3])
{
  const AdisGridLook *look = guide->look;
  int knots = guide->knots;
  double u[3], s = look->mix_bias;

  for (int c = 0; c < 3; c++)
    u[c] = (rgb[c] + 1.0) * 0.5;
  for (int c = 0; c < 3; c++)
    {
      double v = look->ccm[3 * c] * u[0] + look->ccm[3 * c + 1] * u[1] +
                 look->ccm[3 * c + 2] * u[2] + look->ccm_bias[c];
      int j;

      /* (and NaN, from a broken model, which must not reach an int cast) */
      if (!(v > 0.0))
        continue;
      j = v * knots >= knots - 1 ? knots - 1 : (int) (v * knots);
      s += look->mix[c] * (guide->base[c][j] + guide->slope[c][j] * (v - (double) j / knots));
    }
  return (float) (1.0 / (1.0 + exp (-s)));
}

float
adis_grid_look_guide (const AdisGridLook *look,
                      const float         rgb[3])
{
  Guide guide;

  g_return_val_if_fail (look->knots >= 1 && look->knots <= MAX_KNOTS, 0.5f);
  guide_prepare (&guide, look);
  return guide_eval (&guide, rgb);
}

typedef struct
{
  const AdisGridLook    *look;
  Guide                  guide;
  const float           *in;        /* [3][height][width] */
  float                 *out;
  int                    width;
  int                    height;
  Tap                   *grid_x;     /* per output column */
  Tap                   *overlay_x;
  int                    n_chunks;
  gint                   next_chunk;
  gint                   stop;
} ApplyJob;

/* One output row: the grid and overlay are first interpolated down the
 * column (one row of cells, [x][bin][coefficient] so that a pixel's 12
 * coefficients are adjacent), then each pixel interpolates across and in
 * depth */
static void
apply_row (ApplyJob *job,
           int       y,
           float    *slab,
           float    *overlay_row)
{
  const AdisGridLook *look = job->look;
  int bins = look->bins, gw = look->grid_width, gh = look->grid_height;
  gsize plane = (gsize) job->width * job->height;
  Tap ty = tap_for (y, job->height, gh);
  const float *r = job->in + (gsize) y * job->width;
  const float *g = r + plane;
  const float *b = g + plane;
  float *out_r = job->out + (gsize) y * job->width;
  float *out_g = out_r + plane;
  float *out_b = out_g + plane;

  for (int k = 0; k < N_COEFFS; k++)
    for (int bin = 0; bin < bins; bin++)
      {
        const float *cells = look->grid + ((gsize) (k * bins + bin) * gh) * gw;
        const float *row0 = cells + (gsize) ty.i0 * gw;
        const float *row1 = cells + (gsize) ty.i1 * gw;

        for (int x = 0; x < gw; x++)
          slab[((gsize) x * bins + bin) * N_COEFFS + k] = row0[x] + ty.w * (row1[x] - row0[x]);
      }

  if (look->overlay_width > 0)
    {
      int ow = look->overlay_width, oh = look->overlay_height;
      Tap oy = tap_for (y, job->height, oh);

      for (int c = 0; c < 4; c++)
        {
          const float *row0 = look->overlay + ((gsize) c * oh + oy.i0) * ow;
          const float *row1 = look->overlay + ((gsize) c * oh + oy.i1) * ow;

          for (int x = 0; x < ow; x++)
            overlay_row[c * ow + x] = row0[x] + oy.w * (row1[x] - row0[x]);
        }
    }

  for (int x = 0; x < job->width; x++)
    {
      float rgb[3] = { r[x], g[x], b[x] };
      const Tap *tx = &job->grid_x[x];
      float a[N_COEFFS];
      float result[3];

      if (bins > 1)
        {
          float z = guide_eval (&job->guide, rgb) * (float) bins - 0.5f;
          int z0, z1;
          float wz;

          /* NaN (a broken model) goes to the first bin, not into an int cast */
          z = z > 0.0f ? MIN (z, (float) (bins - 1)) : 0.0f;
          z0 = (int) floorf (z);
          z1 = MIN (z0 + 1, bins - 1);
          wz = z - (float) z0;
          {
            const float *c00 = slab + ((gsize) tx->i0 * bins + z0) * N_COEFFS;
            const float *c01 = slab + ((gsize) tx->i0 * bins + z1) * N_COEFFS;
            const float *c10 = slab + ((gsize) tx->i1 * bins + z0) * N_COEFFS;
            const float *c11 = slab + ((gsize) tx->i1 * bins + z1) * N_COEFFS;

            for (int k = 0; k < N_COEFFS; k++)
              {
                float near = c00[k] + wz * (c01[k] - c00[k]);
                float far = c10[k] + wz * (c11[k] - c10[k]);

                a[k] = near + tx->w * (far - near);
              }
          }
        }
      else
        {
          const float *c0 = slab + (gsize) tx->i0 * N_COEFFS;
          const float *c1 = slab + (gsize) tx->i1 * N_COEFFS;

          for (int k = 0; k < N_COEFFS; k++)
            a[k] = c0[k] + tx->w * (c1[k] - c0[k]);
        }

      for (int c = 0; c < 3; c++)
        result[c] = a[4 * c] * rgb[0] + a[4 * c + 1] * rgb[1] + a[4 * c + 2] * rgb[2] + a[4 * c + 3];

      if (look->overlay_width > 0)
        {
          const Tap *to = &job->overlay_x[x];
          int ow = look->overlay_width;
          float over[4];

          for (int c = 0; c < 4; c++)
            {
              float v0 = overlay_row[c * ow + to->i0];

              over[c] = v0 + to->w * (overlay_row[c * ow + to->i1] - v0);
            }
          for (int c = 0; c < 3; c++)
            result[c] = result[c] * (1.0f - over[3]) + over[c];
        }

      out_r[x] = CLAMP (result[0], -1.0f, 1.0f);
      out_g[x] = CLAMP (result[1], -1.0f, 1.0f);
      out_b[x] = CLAMP (result[2], -1.0f, 1.0f);
    }
}

/* A thread's scratch rows: the grid and the overlay interpolated down */
typedef struct
{
  float *slab;
  float *overlay_row;
} Scratch;

static void
scratch_init (Scratch            *scratch,
              const AdisGridLook *look)
{
  scratch->slab = g_new (float, (gsize) look->grid_width * look->bins * N_COEFFS);
  scratch->overlay_row = g_new (float, 4 * (gsize) MAX (look->overlay_width, 1));
}

static void
scratch_clear (Scratch *scratch)
{
  g_clear_pointer (&scratch->slab, g_free);
  g_clear_pointer (&scratch->overlay_row, g_free);
}

/* Takes chunks until none is left or the job stops; returns how many it did */
static int
apply_chunks (ApplyJob *job,
              Scratch  *scratch,
              gboolean  one_only)
{
  int done = 0;

  while (!g_atomic_int_get (&job->stop))
    {
      int chunk = g_atomic_int_add (&job->next_chunk, 1);
      int last;

      if (chunk >= job->n_chunks)
        break;
      last = MIN ((chunk + 1) * ROWS_PER_CHUNK, job->height);
      for (int y = chunk * ROWS_PER_CHUNK; y < last; y++)
        apply_row (job, y, scratch->slab, scratch->overlay_row);
      done++;
      if (one_only)
        break;
    }
  return done;
}

static gpointer
apply_worker (gpointer data)
{
  ApplyJob *job = data;
  Scratch scratch;

  scratch_init (&scratch, job->look);
  apply_chunks (job, &scratch, FALSE);
  scratch_clear (&scratch);
  return NULL;
}

AdisImage *
adis_grid_look_apply (const AdisGridLook    *look,
                      AdisImage             *photo,
                      AdisApplyProgressFunc  progress,
                      gpointer               user_data,
                      GCancellable          *cancellable,
                      GError               **error)
{
  ApplyJob job = { 0 };
  g_autoptr(GPtrArray) workers = g_ptr_array_new ();
  g_autofree float *out = NULL;
  gboolean cancelled = FALSE;
  Scratch scratch;
  int n_threads;

  g_return_val_if_fail (look != NULL && photo != NULL, NULL);
  g_return_val_if_fail (look->bins >= 1 && look->grid_width >= 1 && look->grid_height >= 1, NULL);
  g_return_val_if_fail (look->bins == 1 || (look->knots >= 1 && look->knots <= MAX_KNOTS &&
                                            look->slopes != NULL), NULL);

  job.look = look;
  if (look->bins > 1)
    guide_prepare (&job.guide, look);
  job.in = adis_image_get_planes (photo);
  job.width = adis_image_get_width (photo);
  job.height = adis_image_get_height (photo);
  job.n_chunks = (job.height + ROWS_PER_CHUNK - 1) / ROWS_PER_CHUNK;
  job.grid_x = taps_new (job.width, look->grid_width);
  job.overlay_x = look->overlay_width > 0 ? taps_new (job.width, look->overlay_width) : NULL;
  out = g_try_new (float, (gsize) 3 * job.width * job.height);
  if (out == NULL)
    {
      g_free (job.grid_x);
      g_free (job.overlay_x);
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_FAILED,
                   "Not enough memory for a %d x %d picture", job.width, job.height);
      return NULL;
    }
  job.out = out;

  n_threads = CLAMP (adis_get_num_threads (), 1, job.n_chunks);
  for (int i = 1; i < n_threads; i++)
    g_ptr_array_add (workers, g_thread_new ("adis-apply", apply_worker, &job));

  /* The calling thread works too, one chunk at a time, so that it can
   * report progress and notice a cancellation between chunks */
  scratch_init (&scratch, look);
  while (apply_chunks (&job, &scratch, TRUE) > 0)
    {
      if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
        {
          g_atomic_int_set (&job.stop, TRUE);
          cancelled = TRUE;
          break;
        }
      if (progress != NULL)
        progress (MIN (1.0, (double) g_atomic_int_get (&job.next_chunk) / job.n_chunks), user_data);
    }
  scratch_clear (&scratch);
  for (guint i = 0; i < workers->len; i++)
    g_thread_join (workers->pdata[i]);
  g_free (job.grid_x);
  g_free (job.overlay_x);

  if (cancelled || (cancellable != NULL && g_cancellable_is_cancelled (cancellable)))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_CANCELLED, "Cancelled");
      return NULL;
    }
  if (look->streaks > 0.f)
    adis_streaks_composite (out, job.width, job.height, look->streaks, look->streak_seed);
  if (progress != NULL)
    progress (1.0, user_data);
  return adis_image_new_take_planes (g_steal_pointer (&out), job.width, job.height);
}
