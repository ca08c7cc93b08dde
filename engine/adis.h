/* adis.h: the public C API of the Soundstyle engine (audio-driven image stylization)
 *
 * SPDX-License-Identifier: MIT
 *
 * Everything the window and the command line may use lives behind this header.
 * Errors come back as GError in the ADIS_ERROR domain; objects are reference
 * counted and immutable once made, so they may be handed between threads.
 */
#pragma once

#include "adis-types.h"
#include "adis-config.h"
#include "adis-audio.h"
#include "adis-image.h"
#include "adis-video.h"
#include "adis-safetensors.h"
#include "adis-manifest.h"
#include "adis-dataset.h"
#include "adis-model.h"
#include "adis-trainer.h"
#include "adis-eval.h"
#include "adis-synth.h"
