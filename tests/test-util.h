/* test-util.h: what several tests need: scratch folders and tiny data sets
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "adis.h"

G_BEGIN_DECLS

/* A fresh folder under the test's tmp dir, removed by the caller with
 * test_rm_rf */
char      *test_make_tmpdir          (const char *prefix);
void       test_rm_rf                (const char *path);

/* Writes a mono 16-bit WAV of a sine tone (freq Hz, amplitude 0..1) */
void       test_write_tone_wav       (const char *path,
                                      double      freq,
                                      double      amplitude,
                                      double      seconds,
                                      int         sample_rate,
                                      int         n_channels);

/* The largest and the mean |a - b| over two images' planes (same size) */
double     test_image_max_diff       (AdisImage  *a,
                                      AdisImage  *b);
double     test_image_mean_diff      (AdisImage  *a,
                                      AdisImage  *b);

/* Writes a PNG of a smooth pattern whose colours depend on seed */
void       test_write_pattern_png    (const char *path,
                                      int         width,
                                      int         height,
                                      guint       seed);

/* A folder dataset (images/ + clips/ + labels.tsv) of n_items pairs at
 * size x size: item i gets a tone whose pitch and loudness follow its
 * category (i % 2: "rain" / "birds") and an image tinted to match.
 * Returns the dataset path (inside dir). */
char      *test_make_tiny_dataset    (const char *dir,
                                      int         n_items,
                                      int         size);

/* Training options for the tiny preset at the tests' small sizes (crops of
 * 32 from 36, batches of 2, 32 NCE patches) on the CPU, one loader worker */
void       test_tiny_train_options   (AdisTrainOptions *options);

/* A test video made with the engine's own writer: frame n is a flat colour
 * that test_video_frame_index reads back as n; the sound (when audio_rate
 * > 0) is a tone of TEST_VIDEO_PITCH(s) Hz during second s, and exact
 * silence from silent_from seconds on (never when negative). */
#define TEST_VIDEO_PITCH(second) (300.0 + 100.0 * (second))
void       test_write_video          (const char *path,
                                      int         width,
                                      int         height,
                                      int         fps,
                                      double      seconds,
                                      int         audio_rate,
                                      int         audio_channels,
                                      double      silent_from);
/* The frame number a test video's frame shows, from its centre; -1 when
 * the colour is not one test_write_video makes */
int        test_video_frame_index    (AdisImage  *frame);
/* The pitch of a tone by counting zero crossings */
double     test_estimate_pitch       (const float *samples,
                                      gsize        n_samples,
                                      int          sample_rate);

/* Paths to the repository and build folders (from the test environment) */
const char *test_source_dir          (void);
const char *test_build_dir           (void);
const char *test_soundstyle_bin      (void);
const char *test_python              (void);

/* Runs argv, waits, returns the exit status; stdout/stderr captured when
 * the pointers are non-NULL */
int        test_run                  (const char * const *argv,
                                      char              **out_stdout,
                                      char              **out_stderr);

G_END_DECLS
