/* soundstyle-sound-mix.h: the window's two sounds, volumes and mix as one sound code
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "adis.h"

G_BEGIN_DECLS

/* (1 - mix) * gain_a * a + mix * gain_b * b through the model's audio
 * encoder; a missing sound counts as silence. The renderer and Restyle
 * Photos… both call this, so a batch looks exactly like the preview. */
AdisSoundCode *soundstyle_encode_sound_mix (AdisModel     *model,
                                            AdisSound     *a,
                                            float          gain_a,
                                            AdisSound     *b,
                                            float          gain_b,
                                            float          mix,
                                            GCancellable  *cancellable,
                                            GError       **error);

G_END_DECLS
