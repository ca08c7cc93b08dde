/* fuzz-util.h: what every libFuzzer harness needs
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "adis.h"

G_BEGIN_DECLS

/* The libFuzzer entry points each harness defines */
int          LLVMFuzzerTestOneInput  (const uint8_t *data,
                                      size_t         size);

/* Criticals (programming errors reached from input) and our own domains'
 * warnings abort, so the fuzzer reports them like crashes; a short list of
 * criticals inside libraries' own code is only printed (fuzz-util.c) */
void         fuzz_init               (void);

/* Puts the input in a memory-backed file and returns a path to it (valid
 * until the next call): the readers under test take paths */
const char  *fuzz_input_path         (const uint8_t *data,
                                      size_t         size);

/* Exactly one of result and error; the error an ADIS_ERROR whose message is
 * one line that names the file (its base name) */
void         fuzz_check_outcome      (gboolean       have_result,
                                      const GError  *error,
                                      const char    *path);

G_END_DECLS
