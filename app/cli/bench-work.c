/* bench-work.c: the timed work behind `soundstyle bench`
 *
 * SPDX-License-Identifier: MIT
 *
 * Inputs are generated, never read: a square colour pattern per size and
 * two tones, so a figure depends on the model's shape and the machine only.
 * Each slider run uses a new gain so no run can reuse another's result.
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include <glib/gstdio.h>

#include "bench-work.h"
#include "soundstyle-cli.h"

/* Items in the generated training set: enough for two batches of any size */
#define BENCH_MIN_ITEMS 8

/* --- generated inputs ------------------------------------------------------ */

static AdisImage *
pattern_image (int       width,
               int       height,
               guint     seed,
               GError  **error)
{
  g_autofree guint8 *pixels = g_malloc ((gsize) width * height * 3);

  /* Smooth gradients with a few stripes: something like a photo's mix of
   * flat areas and edges */
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = pixels + ((gsize) y * width + x) * 3;
        double u = (double) x / width, v = (double) y / height;

        p[0] = (guint8) (255 * (0.5 + 0.5 * sin (6.0 * u + seed)));
        p[1] = (guint8) (255 * v);
        p[2] = (guint8) (((x / 16 + y / 16 + seed) % 2) ? 200 : 60);
      }
  return adis_image_new_from_rgb8 (pixels, width, height, width * 3, 3, error);
}

static AdisSound *
tone (double    freq,
      double    amplitude,
      GError  **error)
{
  g_autofree float *samples = g_new (float, ADIS_CLIP_SAMPLES);

  for (int i = 0; i < ADIS_CLIP_SAMPLES; i++)
    samples[i] = (float) (amplitude * sin (2 * G_PI * freq * i / ADIS_SAMPLE_RATE));
  return adis_sound_new_from_samples (samples, ADIS_CLIP_SAMPLES, ADIS_SAMPLE_RATE, 1, error);
}

static int
load_size_for (int crop_size)
{
  /* The reference's 286 for a 256 crop, kept in proportion */
  return (crop_size * 286 / 256 + 3) / 4 * 4;
}

/* A folder data set (images/ + clips/) that the engine's loader reads */
static char *
make_dataset (const char  *dir,
              int          n_items,
              int          image_size,
              GError     **error)
{
  g_autofree char *root = g_build_filename (dir, "data", NULL);
  g_autofree char *images = g_build_filename (root, "images", NULL);
  g_autofree char *clips = g_build_filename (root, "clips", NULL);

  if (g_mkdir_with_parents (images, 0700) != 0 || g_mkdir_with_parents (clips, 0700) != 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO, "cannot make a data set in %s: %s",
                   root, g_strerror (errno));
      return NULL;
    }

  for (int i = 0; i < n_items; i++)
    {
      g_autofree char *name = g_strdup_printf ("item%03d", i);
      g_autofree char *png = g_strdup_printf ("%s/%s.png", images, name);
      g_autofree char *wav = g_strdup_printf ("%s/%s.wav", clips, name);
      g_autoptr(AdisImage) image = pattern_image (image_size, image_size, i, error);
      g_autoptr(AdisSound) sound = NULL;

      if (image == NULL || !adis_image_save (image, png, error))
        return NULL;
      if ((sound = tone (220.0 * (1 + i % 4), 0.1 + 0.05 * (i % 3), error)) == NULL ||
          !adis_sound_save_wav (sound, wav, error))
        return NULL;
    }
  return g_steal_pointer (&root);
}

/* --- progress -------------------------------------------------------------- */

static void
progress (BenchWork  *work,
          const char *what,
          double      weight)
{
  double elapsed = (g_get_monotonic_time () - work->start_us) / 1e6;

  work->done_weight += weight;
  if (work->done_weight < work->total_weight)
    g_printerr ("bench: %s done, %.0f s so far, about %.0f s left\n", what, elapsed,
                elapsed / work->done_weight * (work->total_weight - work->done_weight));
  else
    g_printerr ("bench: %s done, %.0f s in all\n", what, elapsed);
}

/* Rough relative costs, only for the estimate of the time left */
static double
inference_weight (BenchWork *work,
                  int        size)
{
  return (work->warmup + work->repeat) * (double) size * size;
}

static double
training_weight (BenchWork *work)
{
  return 30.0 * (work->warmup + work->repeat) * work->train_batch *
         (double) work->train_size * work->train_size;
}

/* --- timing ---------------------------------------------------------------- */

typedef gboolean (*TimedFunc) (BenchWork *work,
                               gpointer   data,
                               int        run,
                               GError   **error);

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Microseconds on the clock the figures use: the wall clock, or with
 * --clock cpu the CPU time of all the process's threads, which a machine
 * busy with other work inflates far less (with --threads 1, hardly at all) */
static gint64
now_us (BenchWork *work)
{
  struct timespec ts;

  if (!work->cpu_clock || clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
    return g_get_monotonic_time ();
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* The median of work->repeat timed runs after work->warmup untimed ones, ms */
static gboolean
median_ms (BenchWork  *work,
           TimedFunc   func,
           gpointer    data,
           double     *out_ms,
           GError    **error)
{
  g_autofree double *times = g_new (double, work->repeat);
  int run = 0;

  for (int i = 0; i < work->warmup; i++)
    if (!func (work, data, run++, error))
      return FALSE;

  for (int i = 0; i < work->repeat; i++)
    {
      gint64 start = now_us (work);

      if (!func (work, data, run++, error))
        return FALSE;
      times[i] = (now_us (work) - start) / 1000.0;
    }

  qsort (times, work->repeat, sizeof (double), compare_doubles);
  *out_ms = work->repeat % 2 ? times[work->repeat / 2]
                             : 0.5 * (times[work->repeat / 2 - 1] + times[work->repeat / 2]);
  *out_ms = round (*out_ms * 100) / 100;
  return TRUE;
}

typedef struct
{
  AdisImage     *image;
  AdisImageCode *code;
  AdisSound     *a;
  AdisSound     *b;
  int            size;
  float         *stream;        /* LIVE_STREAM_SECONDS of microphone-like sound */
} InferenceData;

/* Live mode's figure: the rolling 3-s buffer, LIVE_STEP_SECONDS newer at
 * each update, taken through the 3-s rule, encoded and decoded onto the
 * photo already encoded at the preview size (as the window does) */
#define LIVE_STEP_SECONDS    0.1
#define LIVE_STREAM_SECONDS  (ADIS_CLIP_SECONDS + 50 * LIVE_STEP_SECONDS)

static float
gain_for_run (int run)
{
  /* A new slider position every run */
  return 1.0f + 0.01f * (run % 200);
}

static gboolean
time_audio (BenchWork *work,
            gpointer   user_data,
            int        run,
            GError   **error)
{
  InferenceData *data = user_data;
  g_autoptr(AdisSoundCode) code =
    adis_model_encode_sound (work->model, data->a, NULL, gain_for_run (run), 0.0f,
                             work->cancellable, error);

  return code != NULL;
}

static gboolean
time_full (BenchWork *work,
           gpointer   user_data,
           int        run,
           GError   **error)
{
  InferenceData *data = user_data;
  g_autoptr(AdisImageCode) icode = NULL;
  g_autoptr(AdisSoundCode) scode = NULL;
  g_autoptr(AdisImage) out = NULL;

  if ((icode = adis_model_encode_image (work->model, data->image, data->size,
                                        work->cancellable, error)) == NULL ||
      (scode = adis_model_encode_sound (work->model, data->a, NULL, gain_for_run (run), 0.0f,
                                        work->cancellable, error)) == NULL)
    return FALSE;
  out = adis_model_decode (work->model, icode, scode, work->cancellable, error);
  return out != NULL;
}

static gboolean
time_slider (BenchWork *work,
             gpointer   user_data,
             int        run,
             GError   **error)
{
  InferenceData *data = user_data;
  g_autoptr(AdisSoundCode) scode = NULL;
  g_autoptr(AdisImage) out = NULL;

  /* Alternate the two sliders: gain, then the mix weight */
  scode = adis_model_encode_sound (work->model, data->a, data->b, gain_for_run (run),
                                   run % 2 ? 0.25f + 0.001f * (run % 500) : 0.0f,
                                   work->cancellable, error);
  if (scode == NULL)
    return FALSE;
  out = adis_model_decode (work->model, data->code, scode, work->cancellable, error);
  return out != NULL;
}

static gboolean
time_live (BenchWork *work,
           gpointer   user_data,
           int        run,
           GError   **error)
{
  InferenceData *data = user_data;
  gsize offset = (gsize) (run % 50) * (gsize) (LIVE_STEP_SECONDS * ADIS_SAMPLE_RATE);
  g_autoptr(AdisSound) buffer = NULL;
  g_autoptr(AdisSoundCode) scode = NULL;
  g_autoptr(AdisImage) out = NULL;

  if ((buffer = adis_sound_new_from_samples (data->stream + offset, ADIS_CLIP_SAMPLES,
                                             ADIS_SAMPLE_RATE, 1, error)) == NULL ||
      (scode = adis_model_encode_sound (work->model, buffer, NULL, 1.0f, 0.0f,
                                        work->cancellable, error)) == NULL)
    return FALSE;
  out = adis_model_decode (work->model, data->code, scode, work->cancellable, error);
  return out != NULL;
}

/* A tone gliding in pitch and loudness, so that no two buffers are alike */
static float *
live_stream (void)
{
  gsize n = (gsize) (LIVE_STREAM_SECONDS * ADIS_SAMPLE_RATE);
  float *samples = g_new (float, n);
  double phase = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      double t = (double) i / ADIS_SAMPLE_RATE;

      phase += 2 * G_PI * (300.0 + 60.0 * t) / ADIS_SAMPLE_RATE;
      samples[i] = (float) ((0.1 + 0.05 * sin (t)) * sin (phase));
    }
  return samples;
}

static gboolean
time_train_step (BenchWork *work,
                 gpointer   user_data,
                 int        run,
                 GError   **error)
{
  AdisTrainProgress step;

  if (g_cancellable_set_error_if_cancelled (work->cancellable, error))
    return FALSE;
  return adis_trainer_step (work->trainer, &step, error);
}

static gboolean
sizes_contain (GArray *sizes,
               int     size)
{
  for (guint i = 0; i < sizes->len; i++)
    if (g_array_index (sizes, int, i) == size)
      return TRUE;
  return FALSE;
}

static int
compare_ints (gconstpointer a,
              gconstpointer b)
{
  return *(const int *) a - *(const int *) b;
}

/* The sizes to time, ascending, each once: --sizes and the preview size */
static GArray *
all_sizes (BenchWork *work)
{
  GArray *sizes = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint i = 0; i < work->sizes->len; i++)
    if (!sizes_contain (sizes, g_array_index (work->sizes, int, i)))
      g_array_append_val (sizes, g_array_index (work->sizes, int, i));
  if (!sizes_contain (sizes, work->preview))
    g_array_append_val (sizes, work->preview);
  g_array_sort (sizes, compare_ints);
  return sizes;
}

static gboolean
run_inference (BenchWork  *work,
               JsonObject *result,
               GError    **error)
{
  g_autoptr(GArray) sizes = all_sizes (work);
  g_autoptr(AdisSound) a = NULL;
  g_autoptr(AdisSound) b = NULL;
  g_autoptr(JsonObject) full = json_object_new ();
  g_autoptr(JsonObject) slider = json_object_new ();
  InferenceData data = { 0 };
  double ms;

  if ((a = tone (440.0, 0.3, error)) == NULL || (b = tone (1320.0, 0.2, error)) == NULL)
    return FALSE;
  data.a = a;
  data.b = b;

  if (!median_ms (work, time_audio, &data, &ms, error))
    return FALSE;
  json_object_set_double_member (result, "audio_ms", ms);
  progress (work, "audio encoding", inference_weight (work, 64));

  for (guint i = 0; i < sizes->len; i++)
    {
      int size = g_array_index (sizes, int, i);
      g_autofree char *key = g_strdup_printf ("%d", size);
      g_autofree char *what = NULL;
      g_autoptr(AdisImage) image = pattern_image (size, size, 7, error);
      gboolean ok;

      if (image == NULL)
        return FALSE;
      data.image = image;
      data.size = size;

      if (sizes_contain (work->sizes, size))
        {
          if (!median_ms (work, time_full, &data, &ms, error))
            return FALSE;
          json_object_set_double_member (full, key, ms);
          what = g_strdup_printf ("full stylization at %d", size);
          progress (work, what, inference_weight (work, size));
          g_clear_pointer (&what, g_free);
        }

      data.code = adis_model_encode_image (work->model, image, size, work->cancellable, error);
      if (data.code == NULL)
        return FALSE;
      ok = median_ms (work, time_slider, &data, &ms, error);
      if (ok && size == work->preview)
        {
          g_autofree float *stream = live_stream ();
          double live_ms = 0.0;

          data.stream = stream;
          ok = median_ms (work, time_live, &data, &live_ms, error);
          data.stream = NULL;
          if (ok)
            json_object_set_double_member (result, "live_updates_per_s",
                                           round (10000.0 / MAX (live_ms, 0.01)) / 10);
        }
      g_clear_pointer (&data.code, adis_image_code_unref);
      if (!ok)
        return FALSE;
      json_object_set_double_member (slider, key, ms);
      what = g_strdup_printf ("slider updates at %d", size);
      progress (work, what, inference_weight (work, size) / 2);
    }

  json_object_set_object_member (result, "full_ms", g_steal_pointer (&full));
  json_object_set_object_member (result, "slider_ms", g_steal_pointer (&slider));
  return TRUE;
}

static AdisTrainer *
new_trainer (BenchWork  *work,
             GError    **error)
{
  AdisTrainOptions options;
  AdisTrainer *trainer;

  adis_train_options_init (&options, &work->config);
  options.crop_size = work->train_size > 0 ? work->train_size : 64;
  options.load_size = load_size_for (options.crop_size);
  options.batch_size = work->train_batch;
  options.device = work->device;
  options.seed = 1;
  trainer = adis_trainer_new (&options, work->dataset, error);
  adis_train_options_clear (&options);
  return trainer;
}

static gboolean
run_training (BenchWork  *work,
              JsonObject *result,
              GError    **error)
{
  g_autoptr(JsonObject) train = json_object_new ();
  g_autoptr(JsonObject) loader_json = json_object_new ();
  g_autoptr(AdisLoader) loader = NULL;
  AdisLoaderOptions options;
  int n_batches = MAX (8, 2 * work->repeat);
  double ms;

  if (work->trainer == NULL && (work->trainer = new_trainer (work, error)) == NULL)
    return FALSE;
  if (!median_ms (work, time_train_step, NULL, &ms, error))
    return FALSE;
  json_object_set_int_member (train, "size", work->train_size);
  json_object_set_int_member (train, "batch", work->train_batch);
  json_object_set_double_member (train, "step_ms", ms);
  json_object_set_double_member (train, "images_per_second",
                                 round (work->train_batch * 1e6 / ms) / 1000);
  json_object_set_object_member (result, "train", g_steal_pointer (&train));
  progress (work, "training steps", training_weight (work));

  /* The loader on its own, as training uses it (augmentation on) */
  adis_loader_options_init (&options);
  options.batch_size = work->train_batch;
  options.crop_size = work->train_size;
  options.load_size = load_size_for (work->train_size);
  options.seed = 1;
  if ((loader = adis_loader_new (work->dataset, &options, error)) == NULL)
    return FALSE;
  for (int i = 0; i < n_batches; i++)
    {
      g_autoptr(AdisBatch) batch = adis_loader_next (loader, error);

      if (batch == NULL)
        return FALSE;
    }
  json_object_set_int_member (loader_json, "size", work->train_size);
  json_object_set_int_member (loader_json, "batch", work->train_batch);
  json_object_set_int_member (loader_json, "batches", n_batches);
  json_object_set_double_member (loader_json, "batches_per_second",
                                 round (adis_loader_get_rate (loader) * 100) / 100);
  json_object_set_double_member (loader_json, "images_per_second",
                                 round (adis_loader_get_rate (loader) * work->train_batch * 100) / 100);
  json_object_set_object_member (result, "loader", g_steal_pointer (&loader_json));
  progress (work, "data loader", 0);
  return TRUE;
}

gboolean
bench_work_run (BenchWork  *work,
                JsonObject *result,
                GError    **error)
{
  g_autoptr(GArray) sizes = all_sizes (work);

  work->start_us = g_get_monotonic_time ();
  work->done_weight = 0;
  work->total_weight = inference_weight (work, 64);
  for (guint i = 0; i < sizes->len; i++)
    {
      int size = g_array_index (sizes, int, i);

      work->total_weight += inference_weight (work, size) *
                            (sizes_contain (work->sizes, size) ? 1.5 : 0.5);
    }
  if (work->train_size > 0)
    work->total_weight += training_weight (work);

  if (!run_inference (work, result, error))
    return FALSE;
  if (work->train_size > 0 && !run_training (work, result, error))
    return FALSE;
  if (work->export_width > 0)
    {
      g_autoptr(JsonObject) export = bench_export_run (work, work->export_width, work->export_height, error);

      if (export == NULL)
        return FALSE;
      json_object_set_object_member (result, "export", g_steal_pointer (&export));
      progress (work, "export", 0.0);
    }
  return TRUE;
}

/* --- setting up ------------------------------------------------------------ */

gboolean
bench_work_open (BenchWork   *work,
                 const char  *model_path,
                 const char  *preset,
                 AdisDevice   device,
                 GError     **error)
{
  int image_size;

  work->device = device;
  work->tmpdir = g_dir_make_tmp ("soundstyle-bench-XXXXXX", NULL);
  if (work->tmpdir == NULL)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO, "cannot make a temporary folder: %s",
                   g_strerror (errno));
      return FALSE;
    }

  if (preset == NULL)
    {
      if ((work->model_path = soundstyle_cli_find_model (model_path, error)) == NULL ||
          (work->model = soundstyle_cli_load_model (work->model_path, device, error)) == NULL)
        return FALSE;
      adis_config_copy (&work->config, adis_model_get_config (work->model));
      if (work->config.conditioning != ADIS_CONDITIONING_AUDIO)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "%s is a keyword model; bench times sound-conditioned models",
                       work->model_path);
          return FALSE;
        }
    }
  else if (!adis_config_init_preset (&work->config, preset, error))
    return FALSE;
  else if (work->grid_head)
    adis_config_use_grid_head (&work->config);

  /* A training set, also for a preset's random weights: a trainer makes them */
  if (work->train_size > 0 || preset != NULL)
    {
      g_autofree char *data = NULL;

      image_size = load_size_for (work->train_size > 0 ? work->train_size : 64);
      if ((data = make_dataset (work->tmpdir, MAX (BENCH_MIN_ITEMS, 2 * work->train_batch),
                                image_size, error)) == NULL ||
          (work->dataset = adis_dataset_open (data, error)) == NULL)
        return FALSE;
    }

  if (preset != NULL)
    {
      work->preset = g_strdup (preset);
      work->model_path = g_build_filename (work->tmpdir, "random.safetensors", NULL);
      if ((work->trainer = new_trainer (work, error)) == NULL ||
          !adis_trainer_export_model (work->trainer, work->model_path, FALSE, error) ||
          (work->model = adis_model_load (work->model_path, device, error)) == NULL)
        return FALSE;
    }
  return TRUE;
}

JsonObject *
bench_work_describe_model (BenchWork *work)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "preset", work->config.preset);
  if (work->preset != NULL)
    json_object_set_string_member (object, "weights", "random");
  else
    json_object_set_string_member (object, "path", work->model_path);
  json_object_set_int_member (object, "parameters", adis_model_get_n_parameters (work->model));
  json_object_set_object_member (object, "config", adis_config_to_json (&work->config));
  return object;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
bench_work_clear (BenchWork *work)
{
  g_clear_pointer (&work->trainer, adis_trainer_free);
  g_clear_pointer (&work->model, adis_model_unref);
  g_clear_pointer (&work->dataset, adis_dataset_unref);
  adis_config_clear (&work->config);
  if (work->tmpdir != NULL)
    remove_tree (work->tmpdir);
  g_clear_pointer (&work->tmpdir, g_free);
  g_clear_pointer (&work->model_path, g_free);
  g_clear_pointer (&work->preset, g_free);
}
