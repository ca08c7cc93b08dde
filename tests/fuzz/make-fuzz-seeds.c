/* make-fuzz-seeds.c: writes the fuzzers' seed corpora, all made by code
 *
 * SPDX-License-Identifier: MIT
 *
 * Usage: make-fuzz-seeds DIR  (writes DIR/audio, DIR/image, DIR/model-file,
 * DIR/batch, DIR/manifest). Run once; the files are committed under tests/fuzz/corpus/.
 * Seeds are small (a few kB) so that mutations stay fast: short tones in
 * every container libsndfile writes, tiny images in every pixel format the
 * readers meet, a model of the smallest valid config.
 */
#include "config.h"

#include <math.h>
#include <sndfile.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "test-util.h"
#include "test-raw-images.h"

static char *
seed_path (const char *dir,
           const char *kind,
           const char *name)
{
  g_autofree char *folder = g_build_filename (dir, kind, NULL);

  g_mkdir_with_parents (folder, 0755);
  return g_build_filename (folder, name, NULL);
}

/* A tone in any libsndfile format; value overrides every sample when not 0 */
static void
write_sound (const char *dir,
             const char *name,
             int         format,
             int         rate,
             int         channels,
             gsize       n_frames,
             float       value)
{
  g_autofree char *path = seed_path (dir, "audio", name);
  g_autofree float *samples = g_new0 (float, MAX (n_frames, 1) * channels);
  SF_INFO info = { .samplerate = rate, .channels = channels, .format = format };
  SNDFILE *file;

  for (gsize i = 0; i < n_frames; i++)
    for (int c = 0; c < channels; c++)
      samples[i * channels + c] = value != 0.f ? value
                                : 0.5f * sinf (2 * G_PI * (440 + 110 * c) * i / rate);
  file = sf_open (path, SFM_WRITE, &info);
  if (file == NULL)
    {
      g_printerr ("skipping %s: %s\n", name, sf_strerror (NULL));
      return;
    }
  sf_writef_float (file, samples, (sf_count_t) n_frames);
  sf_close (file);
}

static void
write_audio_seeds (const char *dir)
{
  write_sound (dir, "tone-16k.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, 800, 0);
  write_sound (dir, "tone-44k-stereo-float.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 2, 200, 0);
  write_sound (dir, "tone-22k-u8.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 22050, 1, 400, 0);
  write_sound (dir, "tone-6ch.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 6, 100, 0);
  write_sound (dir, "tone-192k.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 192000, 1, 400, 0);
  write_sound (dir, "nan-float.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 16000, 1, 64, NAN);
  write_sound (dir, "one-sample.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, 1, 0.25f);
  write_sound (dir, "empty.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, 0, 0);
  write_sound (dir, "tone.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16000, 1, 800, 0);
  write_sound (dir, "tone.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 16000, 1, 1600, 0);
  write_sound (dir, "tone.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 16000, 1, 1600, 0);
  write_sound (dir, "tone.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 16000, 1, 1600, 0);
  write_sound (dir, "tone.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 8000, 1, 200, 0);
  write_sound (dir, "tone.au", SF_FORMAT_AU | SF_FORMAT_ULAW, 8000, 1, 200, 0);
  write_sound (dir, "tone.caf", SF_FORMAT_CAF | SF_FORMAT_ALAC_16, 16000, 1, 400, 0);
  write_sound (dir, "tone-ima-adpcm.wav", SF_FORMAT_WAV | SF_FORMAT_IMA_ADPCM, 16000, 1, 800, 0);
  write_sound (dir, "tone.w64", SF_FORMAT_W64 | SF_FORMAT_DOUBLE, 16000, 1, 100, 0);
}

static void
write_pixbuf_seed (const char *dir,
                   const char *name,
                   const char *type,
                   gboolean    alpha)
{
  g_autofree char *path = seed_path (dir, "image", name);
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, 8, 6);
  g_autoptr(GError) error = NULL;
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  int n = gdk_pixbuf_get_n_channels (pixbuf);

  for (int y = 0; y < 6; y++)
    for (int x = 0; x < 8; x++)
      for (int c = 0; c < n; c++)
        pixels[y * stride + x * n + c] = (guint8) (c == 3 ? 128 + 16 * x : 30 * x + 20 * y + 50 * c);
  if (!gdk_pixbuf_save (pixbuf, path, type, &error, NULL))
    g_printerr ("skipping %s: %s\n", name, error->message);
}

static void
write_image_seeds (const char *dir)
{
  struct { const char *name; int depth; int type; gboolean header_only; } pngs[] = {
    { "rgb8.png", 8, TEST_PNG_RGB, FALSE },
    { "grey8.png", 8, TEST_PNG_GREY, FALSE },
    { "grey-alpha8.png", 8, TEST_PNG_GREY_ALPHA, FALSE },
    { "rgba8.png", 8, TEST_PNG_RGBA, FALSE },
    { "rgb16.png", 16, TEST_PNG_RGB, FALSE },
    { "grey16.png", 16, TEST_PNG_GREY, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pngs); i++)
    {
      g_autofree char *path = seed_path (dir, "image", pngs[i].name);

      test_write_png (path, 8, 6, pngs[i].depth, pngs[i].type, pngs[i].header_only);
    }
  {
    g_autofree char *path = seed_path (dir, "image", "header-20000x20000.png");

    test_write_png (path, 20000, 20000, 8, TEST_PNG_RGB, TRUE);
  }
  write_pixbuf_seed (dir, "rgb.jpg", "jpeg", FALSE);
  write_pixbuf_seed (dir, "rgb.bmp", "bmp", FALSE);
  write_pixbuf_seed (dir, "rgba.ico", "ico", TRUE);
  write_pixbuf_seed (dir, "rgb.tiff", "tiff", FALSE);
}

/* The smallest config that validates, so the seed is a few kB */
static void
write_model_seeds (const char *dir)
{
  g_autofree char *scratch = test_make_tmpdir ("seeds");
  g_autofree char *data = test_make_tiny_dataset (scratch, 2, 40);
  g_autofree char *f32 = seed_path (dir, "model-file", "micro-f32.safetensors");
  g_autofree char *f16 = seed_path (dir, "model-file", "micro-f16.safetensors");
  g_autofree char *mixed = seed_path (dir, "model-file", "dtypes.safetensors");
  g_autoptr(AdisDataset) dataset = NULL;
  g_autoptr(AdisTrainer) trainer = NULL;
  g_autoptr(AdisTensorWriter) writer = adis_tensor_writer_new ();
  g_autoptr(GError) error = NULL;
  AdisTrainOptions options;
  AdisConfig config;
  const gint64 shape[2] = { 2, 3 };
  const float f[6] = { 0, 1, -2, 3.5f, 1e-3f, 65504 };
  const gint64 i64[6] = { 0, 1, -1, G_MAXINT64, G_MININT64, 42 };
  const guint8 u8[6] = { 0, 1, 2, 3, 254, 255 };

  g_assert_true (adis_config_init_preset (&config, "tiny", &error));
  config.ngf = 2;
  config.ndf = 2;
  config.n_blocks = 1;
  config.audio_width = 1;
  config.embed_dim = 4;
  config.mlp_dim = 4;
  adis_train_options_init (&options, &config);
  adis_config_clear (&config);
  options.crop_size = 32;
  options.load_size = 36;
  options.batch_size = 2;
  options.nce_patches = 8;
  options.device = ADIS_DEVICE_CPU;
  options.n_workers = 1;

  dataset = adis_dataset_open (data, &error);
  g_assert_no_error (error);
  trainer = adis_trainer_new (&options, dataset, &error);
  g_assert_no_error (error);
  g_assert_true (adis_trainer_export_model (trainer, f32, FALSE, &error));
  g_assert_true (adis_trainer_export_model (trainer, f16, TRUE, &error));
  adis_train_options_clear (&options);

  adis_tensor_writer_add (writer, "f32", ADIS_DTYPE_F32, 2, shape, f);
  adis_tensor_writer_add (writer, "f16", ADIS_DTYPE_F16, 2, shape, f);
  adis_tensor_writer_add_f32_as (writer, "bf16", ADIS_DTYPE_BF16, 2, shape, f);
  adis_tensor_writer_add (writer, "i64", ADIS_DTYPE_I64, 2, shape, i64);
  adis_tensor_writer_add (writer, "u8", ADIS_DTYPE_U8, 2, shape, u8);
  adis_tensor_writer_add (writer, "scalar", ADIS_DTYPE_F32, 0, NULL, f);
  adis_tensor_writer_add (writer, "empty", ADIS_DTYPE_F32, 1, (const gint64[]) { 0 }, NULL);
  adis_tensor_writer_set_metadata (writer, "note", "every dtype");
  g_assert_true (adis_tensor_writer_save (writer, mixed, &error));

  test_rm_rf (scratch);
}

static void
write_text (const char *dir,
            const char *name,
            const char *text)
{
  g_autofree char *path = seed_path (dir, "batch", name);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

/* The batch fuzzer's scratch folder holds a.png, b.jpg, c.wav, d.ogg, out/ */
static void
write_batch_seeds (const char *dir)
{
  write_text (dir, "one.tsv", "a.png\tc.wav\t1\t\t\tout/x.png\n");
  write_text (dir, "mixed.tsv",
              "# image\taudio\tgain\tmix\tweight\toutput\n"
              "a.png\tc.wav\t0.5\td.ogg\t0.25\tout/a.png\r\n"
              "\n"
              "b.jpg\td.ogg\t4\tc.wav\t\tout/b.jpeg\n"
              "b.jpg\tc.wav\t0\t\t0\tout/c.JPG\n");
  write_text (dir, "refused.tsv",
              "a.png\tc.wav\tnan\t\t\tout/x.png\n"
              "a.png\tc.wav\t1e400\t\t1\tout/y.png\n"
              "missing.png\tc.wav\t1\t\t\tout/x.png\n"
              "a.png\tc.wav\t1\t\t\tnowhere/x.png\n");
}

static void
write_manifest (const char *dir,
                const char *name,
                const char *text)
{
  g_autofree char *path = seed_path (dir, "manifest", name);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static void
write_manifest_seeds (const char *dir)
{
  write_manifest (dir, "two-clips.tsv",
                  ADIS_MANIFEST_MAGIC "\t1\n" ADIS_MANIFEST_HEADER "\n"
                  "rain-000\tvideos/rain.mp4\t12.5\tframes/rain-000.jpg\taudio/rain-000.wav\ttrain\train\n"
                  "birds-001\tphotos/park.jpg\t0\tframes/b-1.png;frames/b-2.png\taudio/birds-001.wav\ttest\t\n");
  write_manifest (dir, "empty.tsv", ADIS_MANIFEST_MAGIC "\t1\n" ADIS_MANIFEST_HEADER "\n");
  write_manifest (dir, "escapes.tsv",
                  ADIS_MANIFEST_MAGIC "\t1\n" ADIS_MANIFEST_HEADER "\n"
                  "a.b_c-1\tsrc with spaces é\t1e3\tframes/x.jpg\taudio/x.wav\ttrain\twind\n"
                  "up\t/abs/src\t0\t../x.jpg\taudio/./y.wav\ttrain\t\n");
}

int
main (int   argc,
      char *argv[])
{
  if (argc != 2)
    {
      g_printerr ("usage: %s DIR\n", argv[0]);
      return 2;
    }
  write_audio_seeds (argv[1]);
  write_image_seeds (argv[1]);
  write_batch_seeds (argv[1]);
  write_manifest_seeds (argv[1]);
  write_model_seeds (argv[1]);
  return 0;
}
