/* cmd-bench.c: `soundstyle bench`, how fast stylizing and training run here
 *
 * SPDX-License-Identifier: MIT
 *
 * Every figure is the median of --repeat runs after --warmup untimed ones,
 * in milliseconds, on generated inputs (a colour pattern, a tone), so the
 * numbers depend on the model's shape and the machine only. With
 * --reference the same work is timed on the PyTorch reference architecture
 * (tests/reference/bench_ref.py) in a child process of the same run.
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/resource.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "soundstyle-cli.h"
#include "adis-threads.h"
#include "bench-work.h"

typedef struct
{
  char   *model;
  char   *preset;
  char   *sizes;
  char   *device;
  char   *output;
  char   *clock;
  char   *head;
  char   *export_size;
  int     repeat;
  int     warmup;
  int     preview;
  int     train_size;
  int     train_batch;
  int     threads;
  gboolean reference;
} BenchArgs;

static void
bench_args_clear (BenchArgs *args)
{
  g_clear_pointer (&args->model, g_free);
  g_clear_pointer (&args->preset, g_free);
  g_clear_pointer (&args->sizes, g_free);
  g_clear_pointer (&args->device, g_free);
  g_clear_pointer (&args->output, g_free);
  g_clear_pointer (&args->clock, g_free);
  g_clear_pointer (&args->head, g_free);
  g_clear_pointer (&args->export_size, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BenchArgs, bench_args_clear)

static GArray *
parse_sizes (const char  *text,
             GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint i = 0; parts[i] != NULL; i++)
    {
      gint64 value;

      if (!g_ascii_string_to_signed (g_strstrip (parts[i]), 10, 16, 8192, &value, NULL))
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "--sizes: “%s” is not a long side in pixels (16 to 8192)", parts[i]);
          return NULL;
        }
      g_array_append_val (sizes, (int) { value });
    }
  if (sizes->len == 0)
    {
      g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "--sizes is empty");
      return NULL;
    }
  return g_steal_pointer (&sizes);
}

static gboolean
check_args (BenchArgs  *args,
            AdisDevice *out_device,
            GError    **error)
{
  if (args->model != NULL && args->preset != NULL)
    {
      g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "--model and --preset cannot be used together");
      return FALSE;
    }
  if (args->repeat < 1 || args->repeat > 1000 || args->warmup < 0 || args->warmup > 100)
    {
      g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "--repeat must be 1 to 1000 and --warmup 0 to 100");
      return FALSE;
    }
  if (args->train_size != 0 && (args->train_size < 16 || args->train_size % 4 != 0 ||
                                args->train_size > 1024))
    {
      g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "--train-size must be 0 (no training figure) or a multiple of 4 from 16 to 1024");
      return FALSE;
    }
  if (args->train_batch < 1 || args->train_batch > 256)
    {
      g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "--train-batch must be 1 to 256");
      return FALSE;
    }
  if (args->threads < 0)
    {
      g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "--threads must be 0 (one per core) or more");
      return FALSE;
    }
  if (args->clock != NULL && g_strcmp0 (args->clock, "wall") != 0 &&
      g_strcmp0 (args->clock, "cpu") != 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "--clock must be wall or cpu, not “%s”", args->clock);
      return FALSE;
    }
  if (args->output != NULL && !soundstyle_cli_check_output_path (args->output, error))
    return FALSE;
  return soundstyle_cli_check_size (args->preview, error) &&
         adis_device_parse (args->device, out_device, error);
}

/* "AMD EPYC ..." from /proc/cpuinfo, or NULL elsewhere */
static char *
cpu_model_name (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/cpuinfo", &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "model name"))
      {
        const char *colon = strchr (lines[i], ':');

        if (colon != NULL)
          return g_strstrip (g_strdup (colon + 1));
      }
  return NULL;
}

static double
peak_rss_mb (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return -1;
  /* ru_maxrss is in KiB on Linux */
  return usage.ru_maxrss / 1024.0;
}

static gboolean
write_result (JsonObject  *result,
              const char  *output,
              GError     **error)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  gsize length;

  json_node_set_object (node, result);
  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, &length);
  if (output == NULL)
    {
      g_print ("%s\n", text);
      return TRUE;
    }
  return adis_write_file_atomic (output, text, length, error);
}

/* "WxH" or "0" (no export figure) */
static gboolean
parse_export_size (const char  *text,
                   int         *out_width,
                   int         *out_height,
                   GError     **error)
{
  char *end = NULL;
  gint64 w, h;

  if (g_strcmp0 (text, "0") == 0)
    {
      *out_width = *out_height = 0;
      return TRUE;
    }
  w = g_ascii_strtoll (text, &end, 10);
  if (end == NULL || *end != 'x')
    goto bad;
  h = g_ascii_strtoll (end + 1, &end, 10);
  if (*end != '\0' || w < 16 || h < 16 || w > ADIS_IMAGE_MAX_SIDE || h > ADIS_IMAGE_MAX_SIDE ||
      w * h > ADIS_IMAGE_MAX_PIXELS)
    goto bad;
  *out_width = (int) w;
  *out_height = (int) h;
  return TRUE;

bad:
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
               "--export is “%s”: give WIDTHxHEIGHT (16 to %d a side, at most %d megapixels) or 0",
               text, ADIS_IMAGE_MAX_SIDE, ADIS_IMAGE_MAX_PIXELS / (1024 * 1024));
  return FALSE;
}

static gboolean
bench (BenchArgs  *args,
       GError    **error)
{
  g_autoptr(GArray) sizes = NULL;
  g_autoptr(JsonObject) result = json_object_new ();
  g_autoptr(JsonObject) reference = NULL;
  g_autofree char *cpu = cpu_model_name ();
  BenchWork work = { 0 };
  AdisDevice device;
  gboolean ok = FALSE;

  if (args->device == NULL)
    args->device = g_strdup ("auto");
  if (args->sizes == NULL)
    args->sizes = g_strdup ("256,512,1024");
  if (!check_args (args, &device, error) || (sizes = parse_sizes (args->sizes, error)) == NULL ||
      !parse_export_size (args->export_size ? args->export_size : "4000x3000",
                          &work.export_width, &work.export_height, error))
    return FALSE;
  if (args->head != NULL && (args->preset == NULL || g_strcmp0 (args->head, "grid") != 0))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "--head takes grid, with --preset (a model file says its own head)");
      return FALSE;
    }
  work.grid_head = args->head != NULL;

  /* libtorch takes OpenMP's thread count, which is 1 on some machines with
   * more cores (Debian's libtorch on a 2-core VM): time one per core */
  if (args->threads == 0 && g_getenv ("OMP_NUM_THREADS") == NULL)
    args->threads = (int) g_get_num_processors ();
  adis_set_num_threads (args->threads);

  work.sizes = sizes;
  work.preview = args->preview;
  work.repeat = args->repeat;
  work.warmup = args->warmup;
  work.train_size = args->train_size;
  work.train_batch = args->train_batch;
  work.cpu_clock = g_strcmp0 (args->clock, "cpu") == 0;
  work.cancellable = soundstyle_cli_interrupt_cancellable ();

  if (!bench_work_open (&work, args->model, args->preset, device, error))
    goto out;

  json_object_set_string_member (result, "soundstyle_version", adis_version ());
  json_object_set_string_member (result, "device", adis_model_get_device_name (work.model));
  json_object_set_string_member (result, "cpu", cpu != NULL ? cpu : "unknown");
  json_object_set_int_member (result, "cores", g_get_num_processors ());
  json_object_set_int_member (result, "threads", adis_get_num_threads ());
  json_object_set_string_member (result, "layout", adis_get_channels_last () ? "channels_last" : "nchw");
  json_object_set_string_member (result, "omp_wait_policy",
                                 g_getenv ("OMP_WAIT_POLICY") ? g_getenv ("OMP_WAIT_POLICY") : "default");
  json_object_set_object_member (result, "model", bench_work_describe_model (&work));
  json_object_set_string_member (result, "clock", work.cpu_clock ? "cpu" : "wall");
  json_object_set_int_member (result, "repeat", args->repeat);
  json_object_set_int_member (result, "warmup", args->warmup);
  json_object_set_int_member (result, "preview_size", args->preview);

  if (!bench_work_run (&work, result, error))
    goto out;
  json_object_set_double_member (result, "peak_rss_mb", round (peak_rss_mb () * 10) / 10);

  if (args->reference)
    {
      /* The same thread count as ours, whatever chose it */
      reference = bench_work_run_reference (&work, adis_get_num_threads (), error);
      if (reference == NULL)
        goto out;
      bench_work_add_ratios (result, reference);
      json_object_set_object_member (result, "reference", json_object_ref (reference));
    }

  ok = write_result (result, args->output, error);

out:
  bench_work_clear (&work);
  return ok;
}

int
soundstyle_cmd_bench (int    argc,
                      char **argv)
{
  g_auto(BenchArgs) args = { .repeat = 3, .warmup = 1, .preview = 256,
                             .train_size = 128, .train_batch = 4 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &args.model, "Model file (default: $SOUNDSTYLE_MODEL or the installed one)", "FILE" },
    { "preset", 'p', 0, G_OPTION_ARG_STRING, &args.preset, "Time a preset's shape with random weights instead: paper, desktop or tiny", "NAME" },
    { "sizes", 's', 0, G_OPTION_ARG_STRING, &args.sizes, "Long sides for full stylization and slider updates (default: 256,512,1024)", "N,N,…" },
    { "preview", 0, 0, G_OPTION_ARG_INT, &args.preview, "Long side the window previews at while a slider moves (default: 256)", "N" },
    { "repeat", 'r', 0, G_OPTION_ARG_INT, &args.repeat, "Timed runs per figure; the median is reported (default: 3)", "N" },
    { "warmup", 'w', 0, G_OPTION_ARG_INT, &args.warmup, "Untimed runs before them (default: 1)", "N" },
    { "train-size", 0, 0, G_OPTION_ARG_INT, &args.train_size, "Crop size of the training step; 0 skips training (default: 128)", "N" },
    { "train-batch", 0, 0, G_OPTION_ARG_INT, &args.train_batch, "Batch of the training step (default: 4)", "N" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &args.threads, "libtorch threads; 0: one per core unless OMP_NUM_THREADS is set, then libtorch's choice (default: 0)", "N" },
    { "clock", 0, 0, G_OPTION_ARG_STRING, &args.clock, "wall, or cpu: the process's CPU time, for a machine busy with other work (default: wall)", "CLOCK" },
    { "head", 0, 0, G_OPTION_ARG_STRING, &args.head, "With --preset: grid times the preset's shape with the grid head", "grid" },
    { "export", 'e', 0, G_OPTION_ARG_STRING, &args.export_size, "Photo size for the export figure, or 0 for none (default: 4000x3000)", "WxH" },
    { "reference", 0, 0, G_OPTION_ARG_NONE, &args.reference, "Also time the PyTorch reference architecture, with ratios", NULL },
    { "device", 'd', 0, G_OPTION_ARG_STRING, &args.device, "auto, cpu or cuda (default: auto)", "DEVICE" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &args.output, "Write the JSON here (atomically) instead of to stdout", "FILE" },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
    "Time stylization, slider updates, audio encoding, a training step and the\n"
    "data loader on this machine, and print the figures as JSON.");
  g_option_context_set_description (context,
    "Figures (milliseconds, medians): full_ms and slider_ms are objects keyed by\n"
    "the image's long side. full_ms is one stylization of a square photo from\n"
    "scratch; slider_ms is a new gain on a photo already encoded at that size\n"
    "(the sound encoded again, then decoded). audio_ms is one sound encoding.\n"
    "live_updates_per_s is live mode's rate: a rolling 3-s buffer, 0.1 s newer\n"
    "each time, encoded and decoded onto the photo at the preview size.\n"
    "train has the step's crop size, batch, step_ms and images_per_second;\n"
    "loader has the data loader's rate on a generated folder data set.\n"
    "export is a generated photo (--export, 12 MP by default) restyled at its\n"
    "own size by `soundstyle stylize --size 0` in a child process, as an\n"
    "export from the window: export_ms and export_peak_mb (the child's peak\n"
    "resident memory), against stylize_256_ms for the same photo at 256 px\n"
    "and their ratio export_over_256 (medians of --repeat runs, end to end:\n"
    "reading the JPEG and writing the PNG included).\n"
    "With --reference, \"reference\" holds the same figures for the PyTorch\n"
    "reference architecture (Python: $SOUNDSTYLE_PYTHON, else the one found at\n"
    "build time) and \"ratio\" how many times faster Soundstyle is (reference\n"
    "time / ours; for training, our images per second / the reference's).\n"
    "\"layout\" says whether the engine ran channels-last (its default) or NCHW\n"
    "(ADIS_CHANNELS_LAST=0 in the environment), to compare the two.\n"
    "--clock cpu times the CPU time of all the process's threads (the\n"
    "reference's too) instead of the wall clock: on a machine busy with other\n"
    "work it is inflated far less, and with --threads 1 hardly at all, so A/B\n"
    "comparisons stay fair there; on an idle machine use the wall clock.\n"
    "Progress goes to stderr. Benchmarks report; they never fail on slowness.\n"
    "\n"
    "Examples:\n"
    "  soundstyle bench --preset desktop --reference --output desktop.json\n"
    "  soundstyle bench --model m.safetensors --sizes 512 --repeat 5 --train-size 0\n"
    "  nice soundstyle bench --threads 1 --clock cpu --reference --sizes 512\n");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!soundstyle_cli_parse (context, &argc, &argv, &error))
    return soundstyle_cli_report_error (error);

  if (argc > 1)
    {
      g_set_error (&error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "unexpected argument “%s”; see soundstyle bench --help", argv[1]);
      return soundstyle_cli_report_error (error);
    }

  if (!bench (&args, &error))
    return soundstyle_cli_report_error (error);

  return SOUNDSTYLE_EXIT_OK;
}
