/* adis-loader.c: training batches decoded on worker threads, bounded ahead
 *
 * SPDX-License-Identifier: MIT
 *
 * The training step only takes finished batches: workers decode and
 * augment up to queue_depth batches ahead of it and never further, so
 * memory stays bounded however slow the step is.
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <math.h>
#include <string.h>

#include "adis-augment.h"
#include "adis-dataset.h"
#include "adis-loader-shard.h"

void
adis_loader_options_init (AdisLoaderOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->batch_size = 16;
  options->load_size = 286;
  options->crop_size = 256;
  options->augment = TRUE;
  options->media_augment = FALSE;
  options->gain_augment = 0.f;
  options->seed = 0;
  options->n_workers = 0;
  options->queue_depth = 0;
}

void
adis_batch_free (AdisBatch *batch)
{
  if (batch == NULL)
    return;
  g_free (batch->x);
  g_free (batch->y);
  g_free (batch->wave_x);
  g_free (batch->wave_y);
  g_free (batch->category_x);
  g_free (batch->category_y);
  g_free (batch->streaks);
  g_free (batch->index_x);
  g_free (batch->index_y);
  g_free (batch->frame_x);
  g_free (batch->frame_y);
  g_free (batch);
}

typedef struct
{
  AdisBatch *batch;   /* NULL when error is set */
  GError    *error;
} Slot;

static void
slot_free (gpointer data)
{
  Slot *slot = data;

  g_clear_pointer (&slot->batch, adis_batch_free);
  g_clear_error (&slot->error);
  g_free (slot);
}

/* Producers and the consumer meet under one lock: workers take the next
 * batch number not yet claimed, as long as it is fewer than queue_depth
 * ahead of the consumer, and file the result by number. A seek bumps the
 * generation so that work already under way for old numbers is dropped. */
struct _AdisLoader
{
  AdisDataset       *dataset;
  AdisLoaderOptions  options;

  GMutex             mutex;
  GCond              cond;
  GThread          **threads;
  int                n_threads;
  gboolean           quit;
  guint64            generation;
  gboolean           augment;
  guint64            next_to_hand;      /* the consumer's next batch number */
  guint64            next_to_produce;   /* the next number a worker claims */
  GHashTable        *ready;             /* guint64* -> Slot* */

  gint64             created_usec;
  guint64            n_handed;
  gint64             waited_usec;

  int                shard_index;       /* adis_loader_new_shard; 0 of 1 otherwise */
  int                shard_count;
};

typedef struct
{
  gint64  epoch;   /* -1: none cached */
  guint  *order;
} PermutationCache;

static GRand *
rand_for (guint64 seed,
          guint64 counter,
          guint32 purpose)
{
  guint32 words[5] = {
    (guint32) seed, (guint32) (seed >> 32),
    (guint32) counter, (guint32) (counter >> 32),
    purpose,
  };

  return g_rand_new_with_seed_array (words, G_N_ELEMENTS (words));
}

/* The y side walks the items in a fresh shuffled order every epoch, so each
 * item is a target once per epoch, as with the reference's shuffled loader. */
static guint
epoch_item (PermutationCache *cache,
            guint64           seed,
            guint64           position,
            guint             n_items)
{
  gint64 epoch = (gint64) (position / n_items);

  if (cache->epoch != epoch)
    {
      g_autoptr(GRand) rand = rand_for (seed, (guint64) epoch, 0x5045524d);

      if (cache->order == NULL)
        cache->order = g_new (guint, n_items);
      for (guint i = 0; i < n_items; i++)
        cache->order[i] = i;
      for (guint i = n_items - 1; i > 0; i--)
        {
          guint j = (guint) g_rand_int_range (rand, 0, (gint32) i + 1);
          guint t = cache->order[i];

          cache->order[i] = cache->order[j];
          cache->order[j] = t;
        }
      cache->epoch = epoch;
    }

  return cache->order[position % n_items];
}

typedef struct
{
  int   crop_x;
  int   crop_y;
  int   flip;
  float gain;
  /* media_augment: the sound's and the photo's own augmentations */
  gboolean          media;
  AdisColourJitter  colour;
  AdisSoundAugment  sound;
  guint             background;   /* the item whose clip plays under this one */
} Augmentation;

/* Resize, and with augment crop and mirror as aug says, into out; with
 * colour, the colour jitter too */
static void
augment_into (AdisLoader          *self,
              AdisImage           *image,
              gboolean             augment,
              const Augmentation  *aug,
              gboolean             colour,
              float               *out)
{
  g_autoptr(AdisImage) resized = NULL;
  g_autoptr(AdisImage) cropped = NULL;
  g_autoptr(AdisImage) jittered = NULL;
  AdisImage *final;
  int crop = self->options.crop_size;

  if (!augment)
    {
      resized = adis_image_resize (image, crop, crop);
      final = resized;
    }
  else
    {
      int load = self->options.load_size;
      g_autoptr(AdisImage) region = NULL;

      /* A random part of the photo, not always the whole scene */
      region = aug->media ? adis_colour_jitter_crop (&aug->colour, image) : adis_image_ref (image);
      resized = adis_image_resize (region, load, load);
      cropped = adis_image_crop (resized, aug->crop_x, aug->crop_y, crop, crop);
      if (aug->flip)
        {
          AdisImage *flipped = adis_image_flip_horizontal (cropped);

          adis_image_unref (cropped);
          cropped = flipped;
        }
      final = cropped;
    }
  /* Pixel by pixel, so after the crop: fewer pixels to change */
  if (aug->media && colour)
    {
      jittered = adis_colour_jitter_apply (&aug->colour, final);
      final = jittered;
    }

  memcpy (out, adis_image_get_planes (final), sizeof (float) * 3 * crop * crop);
}

static gboolean
load_image_into (AdisLoader          *self,
                 guint                index,
                 guint                frame,
                 gboolean             augment,
                 const Augmentation  *aug,
                 gboolean             colour,
                 float               *out,
                 GError             **error)
{
  g_autoptr(AdisImage) image = adis_dataset_load_frame (self->dataset, index, frame, error);

  if (image == NULL)
    return FALSE;
  augment_into (self, image, augment, aug, colour, out);
  return TRUE;
}

/* Paired: x is the unstyled input the item's frame was rendered from, at
 * the frame's size and with the frame's augmentation, so that x and y
 * differ only by the style; y is the frame, or with a gain augmentation the
 * render that gain asks for. With the media augmentation the input's colours
 * are jittered first and y is the render of that input, at the gain of the
 * level spread too: the target follows the sound's level and the photo's
 * colours, so neither teaches the model to ignore them. */
static gboolean
load_pair_into (AdisLoader          *self,
                guint                index,
                guint                frame,
                gboolean             augment,
                const Augmentation  *aug,
                float               *out_x,
                float               *out_y,
                float               *out_streaks,
                GError             **error)
{
  g_autoptr(AdisImage) target = adis_dataset_load_frame (self->dataset, index, frame, error);
  g_autoptr(AdisImage) input = NULL;
  float gain = aug->gain * (aug->media ? aug->sound.gain : 1.f);

  if (target == NULL)
    return FALSE;
  input = adis_dataset_load_input (self->dataset, index, adis_image_get_width (target), error);
  if (input == NULL)
    return FALSE;
  if (aug->media)
    {
      AdisImage *jittered = adis_colour_jitter_apply (&aug->colour, input);

      adis_image_unref (input);
      input = jittered;
    }
  /* A clip played louder or softer asks for heavier or lighter weather:
   * the renderer draws the frame that gain calls for, which teaches the
   * volume slider directly */
  if (gain != 1.f || aug->media || self->options.streak_layer)
    {
      gboolean with_streaks = !self->options.streak_layer;

      g_clear_pointer (&target, adis_image_unref);
      target = adis_dataset_render_input (self->dataset, index, input, gain, with_streaks, out_streaks, error);
      if (target == NULL)
        return FALSE;
    }
  augment_into (self, input, augment, aug, FALSE, out_x);
  augment_into (self, target, augment, aug, FALSE, out_y);
  return TRUE;
}

static gboolean
load_sound_into (AdisLoader          *self,
                 guint                index,
                 const Augmentation  *aug,
                 float               *out,
                 GError             **error)
{
  g_autoptr(AdisSound) sound = adis_dataset_load_sound (self->dataset, index, error);
  const float *samples;

  if (sound == NULL)
    return FALSE;
  samples = adis_sound_get_samples (sound);
  for (int i = 0; i < ADIS_CLIP_SAMPLES; i++)
    out[i] = samples[i] * aug->gain;
  if (aug->media)
    {
      g_autoptr(AdisSound) background = NULL;
      guint n_items = adis_dataset_get_n_items (self->dataset);
      /* Another item's clip: the clip itself would be in phase with it */
      guint other = aug->background != index ? aug->background : (index + 1) % n_items;

      if (aug->sound.background && other != index &&
          (background = adis_dataset_load_sound (self->dataset, other, error)) == NULL)
        return FALSE;
      adis_sound_augment_apply (&aug->sound, out,
                                background != NULL ? adis_sound_get_samples (background) : NULL);
    }
  return TRUE;
}

static void
draw_augmentation (GRand              *rand,
                   const AdisLoaderOptions *options,
                   Augmentation       *aug)
{
  int range = options->load_size - options->crop_size;

  /* Drawn whether or not they are used, so that batch k's draws never
   * depend on the augment setting. */
  aug->crop_x = range > 0 ? g_rand_int_range (rand, 0, range + 1) : 0;
  aug->crop_y = range > 0 ? g_rand_int_range (rand, 0, range + 1) : 0;
  aug->flip = g_rand_boolean (rand);
  aug->gain = 1.f;
  aug->media = FALSE;
  if (options->gain_augment > 0.f)
    {
      double span = log1p (options->gain_augment);

      /* Log-uniform, so louder and quieter are equally likely */
      aug->gain = (float) exp (g_rand_double_range (rand, -span, span));
    }
}

/* The media augmentation comes from a stream of its own, so that turning it
 * on or off leaves every other draw of the batch as it was */
static void
draw_media_augmentation (GRand                   *rand,
                         const AdisLoaderOptions *options,
                         guint                    n_items,
                         Augmentation            *aug)
{
  /* Only where the trainer re-renders the target may the level move by
   * more than the loudness law's resolution */
  float level_db = options->paired ? ADIS_AUGMENT_LEVEL_DB_FOLLOWED : ADIS_AUGMENT_LEVEL_DB;

  aug->media = TRUE;
  adis_colour_jitter_draw (&aug->colour, rand);
  adis_sound_augment_draw (&aug->sound, rand, level_db);
  aug->background = (guint) g_rand_int_range (rand, 0, (gint32) n_items);
}

/* Everything about batch k comes from (seed, k, augment): this is what makes
 * a resumed run see the same data as an uninterrupted one. */
static AdisBatch *
build_batch (AdisLoader        *self,
             guint64            k,
             gboolean           augment,
             PermutationCache  *cache,
             GError           **error)
{
  g_autoptr(AdisBatch) batch = g_new0 (AdisBatch, 1);
  g_autoptr(GRand) rand = rand_for (self->options.seed, k, 0x42415443);
  /* Frames are drawn from their own stream, so that datasets of one frame
   * per item see the same batches as before frames existed */
  g_autoptr(GRand) frame_rand = rand_for (self->options.seed, k, 0x4652414d);
  g_autoptr(GRand) media_rand = rand_for (self->options.seed, k, 0x4d454449);
  g_autofree Augmentation *aug_x = NULL;
  g_autofree Augmentation *aug_y = NULL;
  guint n_items = adis_dataset_get_n_items (self->dataset);
  int n = self->options.batch_size;
  /* A shard draws the whole batch, so that every rank's rows are those of
   * the one batch, and loads only its own */
  int shard_n = n / self->shard_count;
  int first = self->shard_index * shard_n;
  int size = self->options.crop_size;
  gsize image_floats = (gsize) 3 * size * size;

  batch->n = shard_n;
  batch->size = size;
  batch->x = g_new (float, image_floats * shard_n);
  batch->y = g_new (float, image_floats * shard_n);
  batch->wave_x = g_new (float, (gsize) ADIS_CLIP_SAMPLES * shard_n);
  batch->wave_y = g_new (float, (gsize) ADIS_CLIP_SAMPLES * shard_n);
  batch->category_x = g_new (int, n);
  batch->category_y = g_new (int, n);
  batch->index_x = g_new (guint, n);
  batch->index_y = g_new (guint, n);
  batch->frame_x = g_new (guint, n);
  batch->frame_y = g_new (guint, n);
  batch->streaks = g_new0 (float, n);
  aug_x = g_new (Augmentation, n);
  aug_y = g_new (Augmentation, n);

  for (int i = 0; i < n; i++)
    {
      batch->index_y[i] = epoch_item (cache, self->options.seed, k * n + i, n_items);
      batch->index_x[i] = (guint) g_rand_int_range (rand, 0, (gint32) n_items);
    }
  for (int i = 0; i < n; i++)
    {
      guint n_x = adis_dataset_get_item_n_frames (self->dataset, batch->index_x[i]);
      guint n_y = adis_dataset_get_item_n_frames (self->dataset, batch->index_y[i]);

      batch->frame_x[i] = (guint) g_rand_int_range (frame_rand, 0, (gint32) n_x);
      batch->frame_y[i] = (guint) g_rand_int_range (frame_rand, 0, (gint32) n_y);
    }
  for (int i = 0; i < n; i++)
    {
      draw_augmentation (rand, &self->options, &aug_x[i]);
      draw_augmentation (rand, &self->options, &aug_y[i]);
      if (self->options.media_augment)
        {
          draw_media_augmentation (media_rand, &self->options, n_items, &aug_x[i]);
          draw_media_augmentation (media_rand, &self->options, n_items, &aug_y[i]);
        }
    }

  /* The draws above happen either way, so that a paired run's items,
   * frames and crops are those an unpaired run gives y */
  if (self->options.paired)
    for (int i = 0; i < n; i++)
      {
        batch->index_x[i] = batch->index_y[i];
        batch->frame_x[i] = batch->frame_y[i];
        aug_x[i] = aug_y[i];
      }

  for (int r = 0; r < shard_n; r++)
    {
      int i = first + r;
      guint ix = batch->index_x[i];
      guint iy = batch->index_y[i];

      if (self->options.paired)
        {
          batch->category_x[r] = batch->category_y[r] = adis_dataset_get_item_category (self->dataset, iy);
          if (!load_pair_into (self, iy, batch->frame_y[i], augment, &aug_y[i],
                               batch->x + r * image_floats, batch->y + r * image_floats,
                               &batch->streaks[r], error) ||
              !load_sound_into (self, iy, &aug_y[i], batch->wave_y + (gsize) r * ADIS_CLIP_SAMPLES, error))
            return NULL;
          memcpy (batch->wave_x + (gsize) r * ADIS_CLIP_SAMPLES,
                  batch->wave_y + (gsize) r * ADIS_CLIP_SAMPLES, sizeof (float) * ADIS_CLIP_SAMPLES);
          continue;
        }

      batch->category_x[r] = adis_dataset_get_item_category (self->dataset, ix);
      batch->category_y[r] = adis_dataset_get_item_category (self->dataset, iy);
      /* Colour jitter on x only: x is the content G restyles, while y's
       * colours are the style that y's sound asks for */
      if (!load_image_into (self, ix, batch->frame_x[i], augment, &aug_x[i], TRUE,
                            batch->x + r * image_floats, error) ||
          !load_image_into (self, iy, batch->frame_y[i], augment, &aug_y[i], FALSE,
                            batch->y + r * image_floats, error) ||
          !load_sound_into (self, ix, &aug_x[i], batch->wave_x + (gsize) r * ADIS_CLIP_SAMPLES, error) ||
          !load_sound_into (self, iy, &aug_y[i], batch->wave_y + (gsize) r * ADIS_CLIP_SAMPLES, error))
        return NULL;
    }

  /* The items and frames of the shard's own rows */
  memmove (batch->index_x, batch->index_x + first, sizeof (guint) * shard_n);
  memmove (batch->index_y, batch->index_y + first, sizeof (guint) * shard_n);
  memmove (batch->frame_x, batch->frame_x + first, sizeof (guint) * shard_n);
  memmove (batch->frame_y, batch->frame_y + first, sizeof (guint) * shard_n);
  return g_steal_pointer (&batch);
}

static gpointer
worker_main (gpointer data)
{
  AdisLoader *self = data;
  PermutationCache cache = { -1, NULL };

  g_mutex_lock (&self->mutex);
  for (;;)
    {
      Slot *slot;
      guint64 k;
      guint64 generation;
      gboolean augment;

      while (!self->quit &&
             self->next_to_produce >= self->next_to_hand + (guint64) self->options.queue_depth)
        g_cond_wait (&self->cond, &self->mutex);
      if (self->quit)
        break;

      k = self->next_to_produce++;
      generation = self->generation;
      augment = self->augment;
      g_mutex_unlock (&self->mutex);

      slot = g_new0 (Slot, 1);
      slot->batch = build_batch (self, k, augment, &cache, &slot->error);

      g_mutex_lock (&self->mutex);
      if (generation == self->generation)
        {
          g_hash_table_insert (self->ready, g_memdup2 (&k, sizeof k), slot);
          g_cond_broadcast (&self->cond);
        }
      else
        slot_free (slot);
    }
  g_mutex_unlock (&self->mutex);

  g_free (cache.order);
  return NULL;
}

AdisLoader *
adis_loader_new (AdisDataset              *dataset,
                 const AdisLoaderOptions  *options,
                 GError                  **error)
{
  return adis_loader_new_shard (dataset, options, 0, 1, error);
}

AdisLoader *
adis_loader_new_shard (AdisDataset              *dataset,
                       const AdisLoaderOptions  *options,
                       int                       shard_index,
                       int                       shard_count,
                       GError                  **error)
{
  AdisLoader *self;

  g_return_val_if_fail (dataset != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);

  if (options->batch_size < 1 || options->batch_size > 4096 ||
      options->crop_size < 4 || options->crop_size > ADIS_IMAGE_MAX_SIDE ||
      options->load_size < options->crop_size || options->load_size > ADIS_IMAGE_MAX_SIDE)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Loader: batch size %d, load size %d and crop size %d are not usable "
                   "(the crop must fit in the load size)",
                   options->batch_size, options->load_size, options->crop_size);
      return NULL;
    }
  if (shard_count < 1 || shard_index < 0 || shard_index >= shard_count ||
      options->batch_size % shard_count != 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Loader: shard %d of %d of a batch of %d is not usable (the batch must "
                   "divide into equal shards)",
                   shard_index, shard_count, options->batch_size);
      return NULL;
    }
  if (!(options->gain_augment >= 0.f && options->gain_augment <= 100.f) ||
      options->n_workers < 0 || options->queue_depth < 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Loader: gain augmentation %g, %d workers or queue depth %d is out of range",
                   options->gain_augment, options->n_workers, options->queue_depth);
      return NULL;
    }
  if (options->streak_layer && !options->paired)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Loader: the streak layer's targets are drawn in pairs only");
      return NULL;
    }
  if (options->paired && !adis_dataset_has_inputs (dataset))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Dataset “%s” does not know its frames' unstyled inputs, so it cannot "
                   "train in pairs (make it with soundstyle synth)", adis_dataset_get_path (dataset));
      return NULL;
    }

  self = g_new0 (AdisLoader, 1);
  self->dataset = adis_dataset_ref (dataset);
  self->options = *options;
  if (self->options.n_workers == 0)
    self->options.n_workers = CLAMP ((int) g_get_num_processors (), 1, 8);
  if (self->options.queue_depth == 0)
    self->options.queue_depth = 4;
  self->augment = options->augment;
  self->shard_index = shard_index;
  self->shard_count = shard_count;
  self->ready = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, slot_free);
  self->created_usec = g_get_monotonic_time ();
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);

  self->n_threads = self->options.n_workers;
  self->threads = g_new0 (GThread *, self->n_threads);
  for (int i = 0; i < self->n_threads; i++)
    self->threads[i] = g_thread_new ("adis-loader", worker_main, self);

  return self;
}

void
adis_loader_free (AdisLoader *loader)
{
  if (loader == NULL)
    return;

  g_mutex_lock (&loader->mutex);
  loader->quit = TRUE;
  g_cond_broadcast (&loader->cond);
  g_mutex_unlock (&loader->mutex);

  for (int i = 0; i < loader->n_threads; i++)
    g_thread_join (loader->threads[i]);
  g_free (loader->threads);

  g_hash_table_unref (loader->ready);
  g_mutex_clear (&loader->mutex);
  g_cond_clear (&loader->cond);
  adis_dataset_unref (loader->dataset);
  g_free (loader);
}

/* A batch that failed is consumed too: asking again moves on rather than
 * returning the same error for ever. */
AdisBatch *
adis_loader_next (AdisLoader  *loader,
                  GError     **error)
{
  AdisBatch *batch;
  gpointer key;
  gpointer value;
  Slot *slot;

  g_return_val_if_fail (loader != NULL, NULL);

  g_mutex_lock (&loader->mutex);
  if (!g_hash_table_contains (loader->ready, &loader->next_to_hand))
    {
      gint64 start = g_get_monotonic_time ();

      while (!g_hash_table_contains (loader->ready, &loader->next_to_hand))
        g_cond_wait (&loader->cond, &loader->mutex);
      loader->waited_usec += g_get_monotonic_time () - start;
    }
  g_hash_table_lookup_extended (loader->ready, &loader->next_to_hand, &key, &value);
  g_hash_table_steal (loader->ready, &loader->next_to_hand);
  g_free (key);
  slot = value;
  loader->next_to_hand++;
  loader->n_handed++;
  g_cond_broadcast (&loader->cond);
  g_mutex_unlock (&loader->mutex);

  batch = g_steal_pointer (&slot->batch);
  if (batch == NULL)
    g_propagate_error (error, g_steal_pointer (&slot->error));
  slot_free (slot);
  return batch;
}

static void
restart_at (AdisLoader *loader,
            guint64     batch_index)
{
  loader->generation++;
  g_hash_table_remove_all (loader->ready);
  loader->next_to_hand = batch_index;
  loader->next_to_produce = batch_index;
  g_cond_broadcast (&loader->cond);
}

void
adis_loader_seek (AdisLoader *loader,
                  guint64     batch_index)
{
  g_return_if_fail (loader != NULL);

  g_mutex_lock (&loader->mutex);
  restart_at (loader, batch_index);
  g_mutex_unlock (&loader->mutex);
}

void
adis_loader_set_augment (AdisLoader *loader,
                         gboolean    augment)
{
  g_return_if_fail (loader != NULL);

  g_mutex_lock (&loader->mutex);
  if (!loader->augment != !augment)
    {
      /* Batches decoded ahead used the old setting: make them again */
      loader->augment = augment;
      restart_at (loader, loader->next_to_hand);
    }
  g_mutex_unlock (&loader->mutex);
}

double
adis_loader_get_rate (AdisLoader *loader)
{
  double seconds;
  guint64 handed;

  g_return_val_if_fail (loader != NULL, 0.0);

  g_mutex_lock (&loader->mutex);
  handed = loader->n_handed;
  g_mutex_unlock (&loader->mutex);
  seconds = (g_get_monotonic_time () - loader->created_usec) / (double) G_USEC_PER_SEC;
  return seconds > 0.0 ? handed / seconds : 0.0;
}

guint
adis_loader_get_n_ready (AdisLoader *loader)
{
  guint n;

  g_return_val_if_fail (loader != NULL, 0);

  g_mutex_lock (&loader->mutex);
  n = g_hash_table_size (loader->ready);
  g_mutex_unlock (&loader->mutex);
  return n;
}

double
adis_loader_get_wait_seconds (AdisLoader *loader)
{
  gint64 waited;

  g_return_val_if_fail (loader != NULL, 0.0);

  g_mutex_lock (&loader->mutex);
  waited = loader->waited_usec;
  g_mutex_unlock (&loader->mutex);
  return waited / (double) G_USEC_PER_SEC;
}
