/* cmd-synth.c: `soundstyle synth`, a data set whose ground truth is known,
 * the weather renderer for one photo, and the contact sheet
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "soundstyle-cli.h"
#include "synth-sheet.h"

typedef struct
{
  char    *output;
  char    *media;
  char    *render;
  char    *audio_output;
  gboolean contact_sheet;
  char    *category;
  char    *mix_category;
  char   **holdout_sources;
  double   intensity;
  double   mix_weight;
  double   mix_fraction;
  double   test_fraction;
  gint64   seed;
  int      clips;
  int      size;
  int      threads;
} SynthArgs;

static void
synth_args_clear (SynthArgs *args)
{
  g_clear_pointer (&args->output, g_free);
  g_clear_pointer (&args->media, g_free);
  g_clear_pointer (&args->render, g_free);
  g_clear_pointer (&args->audio_output, g_free);
  g_clear_pointer (&args->category, g_free);
  g_clear_pointer (&args->mix_category, g_free);
  g_clear_pointer (&args->holdout_sources, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SynthArgs, synth_args_clear)

/* ---- the media library ---------------------------------------------------------- */

static gboolean
is_media_dir (const char *dir)
{
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *sounds = g_build_filename (dir, "sounds", NULL);

  return g_file_test (photos, G_FILE_TEST_IS_DIR) && g_file_test (sounds, G_FILE_TEST_IS_DIR);
}

/* The given folder; else $SOUNDSTYLE_MEDIA; else the cache that
 * build-aux/fetch-media.sh fills; else the bundled samples (installed, then
 * in the source tree), so that synth works anywhere, if with little variety */
static char *
find_media (const char *given, GError **error)
{
  const char *env = g_getenv ("SOUNDSTYLE_MEDIA");
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "soundstyle", "media", NULL);
  g_autofree char *installed = g_build_filename (SOUNDSTYLE_DATADIR, "samples", NULL);
  g_autofree char *in_source = g_build_filename (SOUNDSTYLE_SOURCE_DIR, "resources", "samples", NULL);
  const char *candidates[] = { cache, installed, in_source };

  if (given != NULL || (env != NULL && env[0] != '\0'))
    {
      const char *dir = given != NULL ? given : env;

      if (!is_media_dir (dir))
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "“%s” is not a media folder: it needs photos/ and sounds/ "
                       "(build-aux/fetch-media.sh makes one)", dir);
          return NULL;
        }
      return g_strdup (dir);
    }
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (is_media_dir (candidates[i]))
      return g_strdup (candidates[i]);
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
               "no media folder found: pass --media DIR or run build-aux/fetch-media.sh");
  return NULL;
}

static AdisSynthMedia *
load_media (const char *given, GError **error)
{
  g_autofree char *dir = find_media (given, error);

  if (dir == NULL)
    return NULL;
  return adis_synth_media_load (dir, error);
}

/* ---- one photo through the oracle ------------------------------------------------- */

static gboolean
parse_factors (SynthArgs *args, AdisSynthFactors *factors, GError **error)
{
  adis_synth_factors_init (factors);
  if (!adis_synth_category_parse (args->category ? args->category : "", &factors->category, error))
    return FALSE;
  factors->category_b = factors->category;
  if (args->mix_category != NULL &&
      !adis_synth_category_parse (args->mix_category, &factors->category_b, error))
    return FALSE;
  if (isnan (args->mix_weight))
    args->mix_weight = args->mix_category != NULL ? 0.5 : 0.0;
  if (!soundstyle_cli_check_weight (args->mix_weight, args->mix_category != NULL, error))
    return FALSE;
  factors->intensity = (float) args->intensity;
  factors->weight = (float) args->mix_weight;
  factors->seed = (guint64) args->seed;
  return adis_synth_factors_validate (factors, error);
}

static gboolean
render_one (SynthArgs *args, GError **error)
{
  g_autoptr(AdisImage) photo = NULL;
  g_autoptr(AdisImage) rendered = NULL;
  g_autoptr(AdisSynthMedia) media = NULL;
  g_autoptr(AdisSound) sound = NULL;
  AdisSynthFactors factors;

  if (!parse_factors (args, &factors, error) ||
      !soundstyle_cli_check_output_image (args->output, error) ||
      !soundstyle_cli_check_size (args->size, error) ||
      (args->audio_output != NULL && !soundstyle_cli_check_output_path (args->audio_output, error)))
    return FALSE;
  if ((photo = soundstyle_cli_load_image (args->render, error)) == NULL)
    return FALSE;
  if (args->size > 0)
    {
      int w, h;

      adis_image_size_for_long_side (adis_image_get_width (photo), adis_image_get_height (photo),
                                     args->size, &w, &h);
      if (w != adis_image_get_width (photo) || h != adis_image_get_height (photo))
        {
          AdisImage *resized = adis_image_resize (photo, w, h);

          adis_image_unref (photo);
          photo = resized;
        }
    }
  if (args->audio_output != NULL)
    {
      if ((media = load_media (args->media, error)) == NULL ||
          (sound = adis_synth_audio (media, &factors, error)) == NULL)
        return FALSE;
    }
  if ((rendered = adis_synth_render (photo, &factors, error)) == NULL ||
      !adis_image_save (rendered, args->output, error))
    return FALSE;
  return sound == NULL || adis_sound_save_wav (sound, args->audio_output, error);
}

/* ---- a whole set --------------------------------------------------------------- */

typedef struct
{
  gint64   start;
  gint64   last_draw;
  guint    resumed;
  gboolean terminal;
} Progress;

static void
format_seconds (double seconds, char *buf, gsize size)
{
  int s = (int) MAX (0, seconds);

  if (s >= 3600)
    g_snprintf (buf, size, "%dh%02dm", s / 3600, (s / 60) % 60);
  else
    g_snprintf (buf, size, "%dm%02ds", s / 60, s % 60);
}

static void
progress_cb (guint done, guint total, guint resumed, gpointer user_data)
{
  Progress *p = user_data;
  gint64 now = g_get_monotonic_time ();
  double elapsed = (now - p->start) / 1e6;
  guint made = done - resumed;
  char eta[32], spent[32], bar[31], note[48] = "";
  int filled;

  /* A terminal is redrawn 5 times a second; a log gets a line per 5 % */
  if (done != total &&
      (p->terminal ? now - p->last_draw < 200000
                   : (done * 20 / total) == ((done - 1) * 20 / total) && done != resumed))
    return;
  p->last_draw = now;

  filled = (int) (30.0 * done / total);
  for (int i = 0; i < 30; i++)
    bar[i] = i < filled ? '#' : '.';
  bar[30] = '\0';
  format_seconds (elapsed, spent, sizeof spent);
  if (made > 0)
    format_seconds (elapsed / made * (total - done), eta, sizeof eta);
  else
    g_strlcpy (eta, "?", sizeof eta);
  if (resumed > 0)
    g_snprintf (note, sizeof note, " (%u resumed)", resumed);
  fprintf (stderr, "%s[%s] %3d%%  %u/%u clips%s  %.1f clips/s  elapsed %s  ETA %s%s",
           p->terminal ? "\r\033[K" : "", bar, (int) (100.0 * done / total), done, total,
           note,
           elapsed > 0 ? made / elapsed : 0.0, spent, eta,
           p->terminal ? "" : "\n");
  if (p->terminal && done == total)
    fputc ('\n', stderr);
  fflush (stderr);
}

/* --holdout-source a,b --holdout-source c: one list */
static char **
split_names (char **given)
{
  GPtrArray *names = g_ptr_array_new ();

  for (guint i = 0; given[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (given[i], ",", -1);

      for (guint k = 0; parts[k] != NULL; k++)
        if (g_strstrip (parts[k])[0] != '\0')
          g_ptr_array_add (names, g_strdup (parts[k]));
    }
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

/* What each split hears and sees, from the set's media.tsv: the recordings
 * both splits share are not held out, and that is said. A set of one split
 * (--test-fraction 0 or 1) holds nothing out, and says that instead */
static gboolean
print_split (const char *dataset, double test_fraction, GError **error)
{
  g_autoptr(GPtrArray) rows = adis_synth_read_media_table (dataset, error);
  guint counts[2][3] = { { 0 } };   /* photo/recording x train/test/both */
  g_autoptr(GString) shared = g_string_new (NULL);

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      const AdisSynthMediaRow *row = g_ptr_array_index (rows, i);
      int use = g_str_equal (row->split, "train") ? 0 : g_str_equal (row->split, "test") ? 1 : 2;

      counts[row->is_photo ? 0 : 1][use]++;
      if (!row->is_photo && use == 2)
        g_string_append_printf (shared, "%s%s (%s)", shared->len > 0 ? ", " : "", row->name, row->category);
    }
  g_print ("Photos: %u train only, %u test only, %u in both splits\n",
           counts[0][0], counts[0][1], counts[0][2]);
  g_print ("Recordings: %u train only, %u test only, %u in both splits\n",
           counts[1][0], counts[1][1], counts[1][2]);
  if (test_fraction <= 0.0 || test_fraction >= 1.0)
    g_print ("One split only (--test-fraction %g): every clip is a %s clip, nothing is held out\n",
             test_fraction, test_fraction <= 0.0 ? "train" : "test");
  else if (shared->len > 0)
    g_print ("Not held out (the only recording of its category, so both splits use it): %s\n",
             shared->str);
  return TRUE;
}

static gboolean
build_set (SynthArgs *args, GError **error)
{
  g_autoptr(AdisSynthMedia) media = NULL;
  AdisSynthSetOptions options;
  Progress progress = { 0 };
  g_auto(GStrv) holdout = NULL;
  GCancellable *cancellable;

  adis_synth_set_options_init (&options);
  if (args->clips < 1 || args->threads < 0 || args->seed < 0 ||
      args->size < 16 || args->size > ADIS_IMAGE_MAX_SIDE)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "--clips must be at least 1, --size 16 to %d, --seed and --threads not negative",
                   ADIS_IMAGE_MAX_SIDE);
      return FALSE;
    }
  options.n_clips = (guint) args->clips;
  options.seed = (guint64) args->seed;
  options.size = args->size;
  options.mix_fraction = args->mix_fraction;
  options.test_fraction = args->test_fraction;
  options.n_threads = args->threads;
  if (args->holdout_sources != NULL)
    {
      holdout = split_names (args->holdout_sources);
      options.holdout_sources = (const char *const *) holdout;
    }

  if ((media = load_media (args->media, error)) == NULL)
    return FALSE;
  g_print ("Media: %s\n", adis_synth_media_get_dir (media));

  cancellable = soundstyle_cli_interrupt_cancellable ();
  progress.start = g_get_monotonic_time ();
  progress.terminal = isatty (STDERR_FILENO);
  if (!adis_synth_build_set (media, args->output, &options, progress_cb, &progress,
                             cancellable, error))
    {
      if (g_cancellable_is_cancelled (cancellable))
        g_printerr ("\nInterrupted: the finished clips are kept; run the same command again to resume.\n");
      return FALSE;
    }
  g_print ("%s: %d clips at %d px (%s)\n", args->output, args->clips, args->size,
           ADIS_SYNTH_FACTORS_FILE " has each clip's factors and recordings");
  return print_split (args->output, args->test_fraction, error);
}

int
soundstyle_cmd_synth (int    argc,
                      char **argv)
{
  g_auto(SynthArgs) args = {
    .intensity = 0.5, .mix_weight = NAN, .mix_fraction = 0.2, .test_fraction = 0.2,
    .clips = 1000, .size = -1, .threads = 0,
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int modes;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &args.output, "The data set folder (or, with --render or --contact-sheet, the PNG/JPEG to write)", "PATH" },
    { "clips", 'n', 0, G_OPTION_ARG_INT, &args.clips, "Clips in the set (default: 1000)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &args.seed, "The same seed gives the same set, image or clip (default: 0)", "S" },
    { "size", 's', 0, G_OPTION_ARG_INT, &args.size, "Frame side in pixels (default: 256); with --render the long side, 0 keeps the photo's (default: 0); the sheet's cell (default: 192)", "N" },
    { "media", 0, 0, G_OPTION_ARG_FILENAME, &args.media, "Media folder with photos/ and sounds/ (default: $SOUNDSTYLE_MEDIA, the fetch-media.sh cache, else the bundled samples)", "DIR" },
    { "mix-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &args.mix_fraction, "Share of clips that blend two categories (default: 0.2)", "F" },
    { "test-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &args.test_fraction, "Share of clips in the test split, 0 to 1; 1 makes a set only to measure on (default: 0.2)", "F" },
    { "holdout-source", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args.holdout_sources, "Test clips hear only this package's recordings and train clips never do (a package INVENTORY.tsv names; repeat or separate by commas). Default: each category's recordings are split like the photos", "PACKAGE" },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &args.threads, "Worker threads (default: one per core)", "N" },
    { "render", 0, 0, G_OPTION_ARG_FILENAME, &args.render, "Render one photo with the factors below instead of building a set", "PHOTO" },
    { "category", 'c', 0, G_OPTION_ARG_STRING, &args.category, "With --render: sunny, rain, snow or fog", "NAME" },
    { "intensity", 0, 0, G_OPTION_ARG_DOUBLE, &args.intensity, "With --render: 0 (light) to 1 (heavy) (default: 0.5)", "I" },
    { "mix-category", 0, 0, G_OPTION_ARG_STRING, &args.mix_category, "With --render: a second category to blend in", "NAME" },
    { "mix-weight", 0, 0, G_OPTION_ARG_DOUBLE, &args.mix_weight, "With --render: share of the second category, 0 to 1 (default: 0.5)", "W" },
    { "audio-output", 0, 0, G_OPTION_ARG_FILENAME, &args.audio_output, "With --render: also write the matching 3-s clip (WAV) from the media", "FILE" },
    { "contact-sheet", 0, 0, G_OPTION_ARG_NONE, &args.contact_sheet, "Write a grid of photos x categories x intensities to --output", NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
    "Make a data set whose ground truth is known: weather rendered onto real\n"
    "photos, each paired with real recordings whose content and loudness carry\n"
    "the same category and intensity.");
  g_option_context_set_description (context,
    "Categories and their sounds: sunny (birdsong), rain (rain), snow (footsteps\n"
    "on snow), fog (wind). Intensity 0..1 is carried by density and loudness:\n"
    "RMS = 0.1 * 10^(24 (intensity - 1) / 20), so a gain g on the waveform moves\n"
    "intensity by 20 log10(g) / 24 (gain 2: +0.25).\n"
    "\n"
    "The set is the prepared format (manifest.tsv, frames/, audio/) plus\n"
    "factors.tsv (clip_id, category, intensity, category_b, weight, photo, crop,\n"
    "seed, recordings), media.tsv (each photo's and recording's origin and split)\n"
    "and photos/. Interrupted runs resume: run the same command again.\n"
    "\n"
    "Held out: test clips show photos (with 4 or more) and play recordings (in each\n"
    "category with 2 or more) that no train clip does; a category with a single\n"
    "recording is heard in both splits, and synth says so. --holdout-source holds\n"
    "out whole packages instead: a split draws only the categories it has\n"
    "recordings for.\n"
    "\n"
    "Examples:\n"
    "  soundstyle synth --output synth-20k --clips 20000 --size 256\n"
    "  soundstyle synth -o by-package --holdout-source redeclipse-data\n"
    "  soundstyle synth -o reverse --holdout-source 0ad-data,minetest-data,gnome-shell-pomodoro-data\n"
    "  soundstyle synth -o samples-set --media resources/samples --test-fraction 1\n"
    "  soundstyle synth --render photo.jpg --category rain --intensity 0.8 -o rainy.png\n"
    "  soundstyle synth --render photo.jpg -c rain --mix-category sunny --mix-weight 0.3 \\\n"
    "                   --audio-output clip.wav -o blend.png\n"
    "  soundstyle synth --contact-sheet -o docs/synth-contact-sheet.png\n");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!soundstyle_cli_parse (context, &argc, &argv, &error))
    return soundstyle_cli_report_error (error);
  if (argc > 1)
    {
      g_set_error (&error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "unexpected argument “%s”; see soundstyle synth --help", argv[1]);
      return soundstyle_cli_report_error (error);
    }
  if (args.output == NULL)
    {
      g_set_error_literal (&error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "no output given; pass --output PATH");
      return soundstyle_cli_report_error (error);
    }
  modes = (args.render != NULL) + (args.contact_sheet != FALSE);
  if (modes > 1)
    {
      g_set_error_literal (&error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "--render and --contact-sheet cannot be used together");
      return soundstyle_cli_report_error (error);
    }

  if (args.render != NULL)
    {
      if (args.size < 0)
        args.size = 0;
      if (!render_one (&args, &error))
        return soundstyle_cli_report_error (error);
    }
  else if (args.contact_sheet)
    {
      g_autoptr(AdisSynthMedia) media = NULL;

      if (args.size < 0)
        args.size = 192;
      if (!soundstyle_cli_check_output_image (args.output, &error) ||
          (media = load_media (args.media, &error)) == NULL ||
          !synth_contact_sheet (media, args.size, (guint64) args.seed, args.output, &error))
        return soundstyle_cli_report_error (error);
    }
  else
    {
      if (args.size < 0)
        args.size = 256;
      if (!build_set (&args, &error))
        return soundstyle_cli_report_error (error);
    }
  return SOUNDSTYLE_EXIT_OK;
}
