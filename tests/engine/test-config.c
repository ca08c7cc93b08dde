/* test-config.c: model shapes, presets, NCE layers and the JSON form
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "test-util.h"

static void
test_presets (void)
{
  const char *const *names = adis_config_list_presets ();
  AdisConfig config;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (names[0], ==, "paper");
  g_assert_true (g_strv_contains (names, "desktop"));
  g_assert_true (g_strv_contains (names, "tiny"));

  /* The published model: ngf = ndf = 64, 9 blocks, 256-d embedding and MLP */
  g_assert_true (adis_config_init_preset (&config, "paper", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (config.preset, ==, "paper");
  g_assert_cmpint (config.ngf, ==, 64);
  g_assert_cmpint (config.ndf, ==, 64);
  g_assert_cmpint (config.n_blocks, ==, 9);
  g_assert_cmpint (config.audio_width, ==, 64);
  g_assert_cmpint (config.embed_dim, ==, 256);
  g_assert_cmpint (config.mlp_dim, ==, 256);
  g_assert_cmpint (config.conditioning, ==, ADIS_CONDITIONING_AUDIO);
  g_assert_null (config.keywords);

  for (guint i = 0; names[i] != NULL; i++)
    {
      AdisConfig preset;

      g_assert_true (adis_config_init_preset (&preset, names[i], &error));
      g_assert_no_error (error);
      g_assert_true (adis_config_validate (&preset, &error));
      g_assert_no_error (error);
      adis_config_clear (&preset);
    }

  g_assert_false (adis_config_init_preset (&config, "huge", &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "huge"));
}

static void
test_nce_layers (void)
{
  AdisConfig config;
  int layers[ADIS_MAX_NCE_LAYERS];
  int n;

  adis_config_init_preset (&config, "paper", NULL);
  n = adis_config_nce_layers (&config, layers);
  g_assert_cmpint (n, ==, 5);
  g_assert_cmpint (layers[0], ==, 0);
  g_assert_cmpint (layers[1], ==, 4);
  g_assert_cmpint (layers[2], ==, 8);
  g_assert_cmpint (layers[3], ==, 12);
  g_assert_cmpint (layers[4], ==, 16);

  /* Fewer blocks than 5: the last layer is the last block */
  config.n_blocks = 2;
  n = adis_config_nce_layers (&config, layers);
  g_assert_cmpint (n, ==, 5);
  g_assert_cmpint (layers[4], ==, 13);

  config.n_blocks = 1;
  n = adis_config_nce_layers (&config, layers);
  g_assert_cmpint (n, ==, 4);
  g_assert_cmpint (layers[3], ==, 12);

  config.n_blocks = 20;
  n = adis_config_nce_layers (&config, layers);
  g_assert_cmpint (n, ==, 5);
  g_assert_cmpint (layers[4], ==, 16);
}

static void
test_json_round_trip (void)
{
  AdisConfig config;
  AdisConfig parsed;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  char *keywords[] = { "rain", "birds", "engine", NULL };

  adis_config_init_preset (&config, "tiny", NULL);
  config.conditioning = ADIS_CONDITIONING_KEYWORD;
  config.n_keywords = 3;
  config.keywords = g_strdupv (keywords);

  object = adis_config_to_json (&config);
  g_assert_true (adis_config_from_json (&parsed, object, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (parsed.preset, ==, "tiny");
  g_assert_cmpint (parsed.ngf, ==, config.ngf);
  g_assert_cmpint (parsed.ndf, ==, config.ndf);
  g_assert_cmpint (parsed.n_blocks, ==, config.n_blocks);
  g_assert_cmpint (parsed.audio_width, ==, config.audio_width);
  g_assert_cmpint (parsed.embed_dim, ==, config.embed_dim);
  g_assert_cmpint (parsed.mlp_dim, ==, config.mlp_dim);
  g_assert_cmpint (parsed.conditioning, ==, ADIS_CONDITIONING_KEYWORD);
  g_assert_cmpint (parsed.n_keywords, ==, 3);
  g_assert_cmpstrv (parsed.keywords, keywords);

  /* And through text, as it is stored in a model file */
  {
    g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autofree char *text = NULL;
    AdisConfig reparsed;

    json_node_set_object (node, object);
    text = json_to_string (node, FALSE);
    g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
    g_assert_true (adis_config_from_json (&reparsed, json_node_get_object (json_parser_get_root (parser)), &error));
    g_assert_no_error (error);
    g_assert_cmpstrv (reparsed.keywords, keywords);
    adis_config_clear (&reparsed);
  }

  {
    AdisConfig copy;

    adis_config_copy (&copy, &parsed);
    g_assert_true (copy.keywords != parsed.keywords);
    g_assert_cmpstrv (copy.keywords, keywords);
    adis_config_clear (&copy);
    g_assert_null (copy.keywords);
  }

  adis_config_clear (&parsed);
  adis_config_clear (&config);
}

/* The grid head's streak layer is written only when set, so every model
 * without it keeps the config it had, and read back as written */
static void
test_grid_head_streaks (void)
{
  g_autoptr(GError) error = NULL;
  AdisConfig config, parsed;

  g_assert_true (adis_config_init_preset (&config, "compact", &error));
  adis_config_use_grid_head (&config);
  for (int streaks = 0; streaks <= 1; streaks++)
    {
      g_autoptr(JsonObject) object = NULL;
      JsonObject *head;

      config.grid.rain_streaks = streaks;
      object = adis_config_to_json (&config);
      head = json_object_get_object_member (object, "head");
      g_assert_cmpint (json_object_has_member (head, "rain_streaks"), ==, streaks);
      g_assert_true (adis_config_from_json (&parsed, object, &error));
      g_assert_no_error (error);
      g_assert_cmpint (parsed.head, ==, ADIS_HEAD_GRID);
      g_assert_cmpint (parsed.grid.rain_streaks, ==, streaks);
      adis_config_clear (&parsed);

      /* Not a boolean: refused, naming the member */
      json_object_set_int_member (head, "rain_streaks", 1);
      g_assert_false (adis_config_from_json (&parsed, object, &error));
      g_assert_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE);
      g_assert_nonnull (strstr (error->message, "rain_streaks"));
      g_clear_error (&error);
    }
  adis_config_clear (&config);
}

/* The audio switches beyond the paper: each written only when set, read
 * back as written, and a non-boolean refused by name */
static void
test_audio_switches (void)
{
  const char *names[] = { "audio_film", "audio_level" };
  g_autoptr(GError) error = NULL;
  AdisConfig config, parsed;

  g_assert_true (adis_config_init_preset (&config, "compact", &error));
  for (guint n = 0; n < G_N_ELEMENTS (names); n++)
    for (int on = 0; on <= 1; on++)
      {
        g_autoptr(JsonObject) object = NULL;
        gboolean *field = n == 0 ? &config.audio_film : &config.audio_level;

        config.audio_film = config.audio_level = FALSE;
        *field = on;
        object = adis_config_to_json (&config);
        g_assert_cmpint (json_object_has_member (object, names[n]), ==, on);
        g_assert_false (json_object_has_member (object, names[1 - n]));
        g_assert_true (adis_config_from_json (&parsed, object, &error));
        g_assert_no_error (error);
        g_assert_cmpint (n == 0 ? parsed.audio_film : parsed.audio_level, ==, on);
        g_assert_cmpint (n == 0 ? parsed.audio_level : parsed.audio_film, ==, FALSE);
        adis_config_clear (&parsed);

        json_object_set_string_member (object, names[n], "yes");
        g_assert_false (adis_config_from_json (&parsed, object, &error));
        g_assert_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE);
        g_assert_nonnull (strstr (error->message, names[n]));
        g_clear_error (&error);
      }
  adis_config_clear (&config);
}

static void
expect_validation_error (const AdisConfig *config,
                         const char       *field)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (adis_config_validate (config, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, field));
}

static void
test_validation (void)
{
  AdisConfig config;
  AdisConfig bad;

  adis_config_init_preset (&config, "desktop", NULL);

  bad = config;
  bad.ngf = 0;
  expect_validation_error (&bad, "ngf");
  bad = config;
  bad.ndf = -3;
  expect_validation_error (&bad, "ndf");
  bad = config;
  bad.n_blocks = 65;
  expect_validation_error (&bad, "n_blocks");
  bad = config;
  bad.embed_dim = 0;
  expect_validation_error (&bad, "embed_dim");
  bad = config;
  bad.mlp_dim = 5000;
  expect_validation_error (&bad, "mlp_dim");
  bad = config;
  bad.embed_dim = 130;   /* 4 * 32 + 130 = 258, not a multiple of 4 */
  expect_validation_error (&bad, "multiple of 4");
  bad = config;
  bad.conditioning = ADIS_CONDITIONING_KEYWORD;
  bad.n_keywords = 2;
  bad.keywords = NULL;
  expect_validation_error (&bad, "keyword");
}

static void
test_json_errors (void)
{
  static const struct { const char *json; const char *fragment; } cases[] = {
    { "{\"ngf\": 8, \"ndf\": 8, \"n_blocks\": 2, \"audio_width\": 8, \"embed_dim\": 32}", "mlp_dim" },
    { "{\"ngf\": \"8\", \"ndf\": 8, \"n_blocks\": 2, \"audio_width\": 8, \"embed_dim\": 32, \"mlp_dim\": 32}", "ngf" },
    { "{\"ngf\": 8, \"ndf\": 8, \"n_blocks\": 0, \"audio_width\": 8, \"embed_dim\": 32, \"mlp_dim\": 32}", "n_blocks" },
    { "{\"ngf\": 8, \"ndf\": 8, \"n_blocks\": 2, \"audio_width\": 8, \"embed_dim\": 32, \"mlp_dim\": 32,"
      " \"conditioning\": \"video\"}", "video" },
    { "{\"ngf\": 8, \"ndf\": 8, \"n_blocks\": 2, \"audio_width\": 8, \"embed_dim\": 32, \"mlp_dim\": 32,"
      " \"conditioning\": \"keyword\"}", "keywords" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      AdisConfig config = { 0 };

      g_assert_true (json_parser_load_from_data (parser, cases[i].json, -1, NULL));
      g_assert_false (adis_config_from_json (&config, json_node_get_object (json_parser_get_root (parser)), &error));
      g_assert_nonnull (error);
      g_assert_true (error->domain == ADIS_ERROR);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].fragment));
      g_assert_null (config.keywords);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/soundstyle/config/presets", test_presets);
  g_test_add_func ("/soundstyle/config/nce-layers", test_nce_layers);
  g_test_add_func ("/soundstyle/config/json-round-trip", test_json_round_trip);
  g_test_add_func ("/soundstyle/config/validation", test_validation);
  g_test_add_func ("/soundstyle/config/json-errors", test_json_errors);
  g_test_add_func ("/soundstyle/config/grid-head-streaks", test_grid_head_streaks);
  g_test_add_func ("/soundstyle/config/audio-switches", test_audio_switches);

  return g_test_run ();
}
